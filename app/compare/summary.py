"""/compare over many sentences (a run here or two results folders): mean and 95% interval per layer
and head group, paired A - B, split by sentence length; the table and its CSV."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from app import controls, export_ui
from app.compare.common import STEMS, fmt, metric_label
from app.compare.metrics import metric_options
from app.i18n import t
from bertviz_core.analysis import compare
from bertviz_core.figures import research as rfig


def _layer_column(by_layer: dict, n_layers: int, key: str) -> np.ndarray:
    """by_layer[layer][key] for every layer 0..n_layers-1 (NaN where a layer has no row)."""
    return np.array([by_layer[layer][key] if layer in by_layer else np.nan for layer in range(n_layers)])


def _interval_series(rows: list[dict], n_layers: int) -> tuple[list[dict], list[dict]]:
    """summary_rows over all lengths -> (A's and B's series per head group, the A - B series per group)."""
    by_layer = [r for r in rows if r["length"] == "all" and r["layer"] != "all"]
    series, diffs = [], []
    for group in compare.GROUPS:
        g = {r["layer"]: r for r in by_layer if r["group"] == group}
        if not g:
            continue
        col = partial(_layer_column, g, n_layers)
        gname = t(f"research_group_{group}")
        for side in "ab":
            if np.isfinite(col(f"{side}_mean")).any():
                series.append(
                    {
                        "name": f"{side.upper()} · {gname}",
                        "mean": col(f"{side}_mean"),
                        "low": col(f"{side}_low"),
                        "high": col(f"{side}_high"),
                        "baseline": col(f"{side}_uniform"),
                    }
                )
        if np.isfinite(col("diff_mean")).any():
            diffs.append(
                {"name": f"A - B · {gname}", "mean": col("diff_mean"), "low": col("diff_low"), "high": col("diff_high")}
            )
    return series, diffs


def summary_section(result: dict, key: str = "many") -> None:
    """Mean and 95% interval per layer and head group, paired A - B, split by sentence length.
    `key` names the section in the download file names (STEMS)."""
    st.markdown(f"**{t('research_summary_title')}**")
    st.caption(t("research_summary_help"))
    options = metric_options(result)
    if st.session_state.get("many_summary_metric") not in options:
        st.session_state.pop("many_summary_metric", None)
    metric = st.selectbox(t("metric"), options, key="many_summary_metric", format_func=metric_label)
    rows = compare.summary_rows(result, [metric])
    L = max(result["per_sentence"]["metrics_a"][metric].shape[1], result["per_sentence"]["metrics_b"][metric].shape[1])
    fs = controls.font_size()
    series, diffs = _interval_series(rows, L)
    layers = [f"L{l}" for l in range(L)]
    c1, c2 = st.columns(2)
    by_layer_fig = rfig.interval_plot(
        layers,
        series,
        title=t("research_fig_by_layer", metric=metric_label(metric)),
        x_title=t("layer"),
        y_title=metric_label(metric),
        font_size=fs,
    )
    c1.plotly_chart(by_layer_fig, width="stretch", key="many_intervals")
    export_ui.figure_downloads(by_layer_fig, f"{STEMS[key]}-{metric}-by-layer", container=c1)
    if diffs:
        diff_fig = rfig.interval_plot(
            layers,
            diffs,
            title=t("research_fig_diff"),
            x_title=t("layer"),
            y_title=f"A - B · {metric_label(metric)}",
            font_size=fs,
            zero_line=True,
        )
        c2.plotly_chart(diff_fig, width="stretch", key="many_diffs")
        export_ui.figure_downloads(diff_fig, f"{STEMS[key]}-{metric}-difference-by-layer", container=c2)
    st.dataframe(summary_table(rows), hide_index=True, height=320, key="many_summary_table")


def summary_table(rows: list[dict]) -> pd.DataFrame:
    """summary_rows in the UI language, intervals as '[low, high]'."""
    ci = lambda lo, hi: "–" if not (np.isfinite(lo) and np.isfinite(hi)) else f"[{lo:.3f}, {hi:.3f}]"
    out = []
    for r in rows:
        out.append(
            {
                t("metric"): metric_label(r["metric"]),
                t("research_col_layer"): t("research_all_layers") if r["layer"] == "all" else f"L{r['layer']}",
                t("research_col_group"): t(f"research_group_{r['group']}"),
                t("research_col_length"): t("research_all_lengths") if r["length"] == "all" else r["length"],
                t("research_col_n"): r["n"],
                t("research_col_mean", side="A"): fmt(r["a_mean"]),
                t("research_col_ci", side="A"): ci(r["a_low"], r["a_high"]),
                t("research_col_uniform", side="A"): fmt(r["a_uniform"]),
                t("research_col_mean", side="B"): fmt(r["b_mean"]),
                t("research_col_ci", side="B"): ci(r["b_low"], r["b_high"]),
                t("research_col_uniform", side="B"): fmt(r["b_uniform"]),
                t("research_col_diff"): fmt(r["diff_mean"]),
                t("research_col_diff_ci"): ci(r["diff_low"], r["diff_high"]),
                t("research_col_p"): "–" if not np.isfinite(r["p_value"]) else f"{r['p_value']:.2g}",
            }
        )
    return pd.DataFrame(out)


def summary_csv(result: dict) -> bytes:
    """Every summary row (all metrics) as CSV, built when the download button is clicked."""
    from bertviz_core import export

    return export.table_to_csv(compare.summary_rows(result))
