"""/compare's per-head metrics: A's and B's heatmaps on one scale (a click picks a head), the uniform
baseline, the picked head's open buttons, and every metric as a table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app import controls, export_ui
from app.compare.common import STEMS, fmt, goto_attention, head_of, metric_caption, metric_label, points, short
from app.i18n import t
from bertviz_core import figures
from bertviz_core.analysis import compare, metrics, stats
from bertviz_core.figures import research as rfig
from bertviz_core.models import heads


def metric_options(summary: dict) -> list[str]:
    """The metrics offered: cls and sep are left out when special tokens are excluded."""
    exclude = summary.get("exclude_special", False)
    return [m for m in metrics.METRICS if not (exclude and m in ("cls", "sep"))]


def uniform_caption(summary: dict, metric: str, many: bool) -> str:
    """The metric's value under uniform attention (mean over sentences), for attention and conv heads."""
    base = [summary["per_sentence"][f"baseline_{s}"][metric] for s in "ab"]  # [S, 2] each
    with np.errstate(invalid="ignore"), stats.quiet_nan_mean():  # an all-nan column (cls/sep excluded)
        attn = np.nanmean(np.concatenate([b[:, 0] for b in base]))
        conv = np.nanmean(np.concatenate([b[:, 1] for b in base]))
    has_conv = any(heads.CONV in summary[f"kinds_{s}"] for s in "ab")
    suffix = "_many" if many else ""
    if has_conv:
        return t(f"research_uniform{suffix}", attn=fmt(attn), conv=fmt(conv))
    return t(f"research_uniform{suffix}_attn", attn=fmt(attn))


def metrics_section(summary: dict, label_a: str, label_b: str, key: str, many: bool = False) -> None:
    """Per-head metric heatmaps for A and B (clickable), the uniform baseline, and all metrics as a table."""
    exclude = summary.get("exclude_special", False)
    options = metric_options(summary)
    if st.session_state.get(f"{key}_metric") not in options:
        st.session_state.pop(f"{key}_metric", None)
    metric = st.selectbox(
        t("metric"), options, key=f"{key}_metric", format_func=lambda m: f"{metric_label(m)}: {metric_caption(m)}"
    )
    st.caption(metric_caption(metric) + " " + uniform_caption(summary, metric, many))
    st.caption(t("research_metrics_note"))
    if exclude:
        st.caption(t("research_excluded_note"))
    a, b = summary["metrics_a"][metric], summary["metrics_b"][metric]
    finite = np.concatenate([a[np.isfinite(a)], b[np.isfinite(b)]])
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    fs = controls.font_size()
    st.caption(t("research_click_many" if many else "research_click_one"))
    c1, c2 = st.columns(2)
    for col, side, label, values in ((c1, "a", label_a, a), (c2, "b", label_b, b)):
        names = summary[f"names_{side}"]
        L, N = values.shape
        slot_labels = [figures.escape_label(heads.parse_qualified(n)[1].name) for n in names[:N]]
        fig = figures.metric_heatmap(
            values,
            [heads.parse_qualified(n)[1].name for n in names[:N]],
            title=f"{side.upper()}: {label}",
            zmin=lo,
            zmax=hi,
            font_size=fs,
        )
        rfig.add_click_targets(
            fig,
            [slot_labels[i % N] for i in range(L * N)],
            [f"L{i // N}" for i in range(L * N)],
            [[side, i] for i in range(L * N)],
            [f"{side.upper()} · {names[i]}: {fmt(float(values.flat[i]))}" for i in range(L * N)],
        )
        chart_key = f"{key}_m{side}"
        col.plotly_chart(
            fig,
            width="stretch",
            key=chart_key,
            on_select=_on_pick(chart_key, key, summary, many),
            selection_mode="points",
        )
        export_ui.figure_downloads(fig, f"{STEMS[key]}-metric-{metric}-{side.upper()}", container=col)
    _open_panel(summary, key, metric, many)
    st.markdown(f"**{t('metrics_table')}**")
    st.dataframe(_metrics_table(summary, label_a, label_b, options), hide_index=True, height=320, key=f"{key}_table")


def _metrics_table(summary: dict, label_a: str, label_b: str, options: list[str]) -> pd.DataFrame:
    """Every head of A and B with every metric offered, one row per head."""
    rows = []
    for tag, label, values, names in (
        ("A", label_a, summary["metrics_a"], summary["names_a"]),
        ("B", label_b, summary["metrics_b"], summary["names_b"]),
    ):
        L, N = values["entropy"].shape
        for l in range(L):
            for h in range(N):
                rows.append(
                    {
                        t("col_model"): f"{tag}: {label}",
                        t("col_layer"): l,
                        t("col_head"): heads.parse_qualified(names[l * N + h])[1].name,
                        **{metric_label(m): round(float(values[m][l, h]), 4) for m in options},
                    }
                )
    return pd.DataFrame(rows)


def _on_pick(chart_key: str, key: str, summary: dict, many: bool):
    """Click callback of a metric heatmap: pick the head; on one sentence, open it at once."""

    def callback():
        picked = points(chart_key)
        if not picked or "customdata" not in picked[0]:
            return
        side, flat = picked[0]["customdata"]
        st.session_state[f"{key}_pick"] = f"{side}:{int(flat)}"
        if not many:
            layer, head = head_of(summary, side, flat)
            goto_attention(summary[f"model_{side}"], summary["sentences"][0], layer, head)

    return callback


def _pick_options(summary: dict) -> list[str]:
    return [f"{s}:{i}" for s in "ab" for i in range(len(summary[f"names_{s}"]))]


def _pick_label(summary: dict, option: str) -> str:
    side, flat = option.split(":")
    return f"{side.upper()} · {summary[f'names_{side}'][int(flat)]}"


def _open_panel(summary: dict, key: str, metric: str, many: bool) -> None:
    """The picked head (by click or from the list) and the button(s) that open it in /attention."""
    options = _pick_options(summary)
    if st.session_state.get(f"{key}_pick") not in options:
        st.session_state[f"{key}_pick"] = options[0]
    c1, c2, c3 = st.columns([2, 3, 3])
    pick = c1.selectbox(t("research_pick"), options, key=f"{key}_pick", format_func=lambda o: _pick_label(summary, o))
    side, flat = pick.split(":")
    layer, head = head_of(summary, side, flat)
    model = summary[f"model_{side}"]
    if not many:
        c2.button(
            t("research_open"),
            key=f"{key}_open",
            on_click=goto_attention,
            args=(model, summary["sentences"][0], layer, head),
        )
        return
    values = summary["per_sentence"][f"metrics_{side}"][metric][:, layer, heads.to_slot(head, _n_attn(summary, side))]
    hi, lo = compare.extreme_sentences(values)
    for col, idx, label in ((c2, hi, "research_open_high"), (c3, lo, "research_open_low")):
        sentence = summary["sentences"][idx]  # "" when a results folder keeps no texts: nothing to open
        col.button(
            t(label, value=fmt(float(values[idx])), sentence=short(sentence) or f"#{idx + 1}"),
            key=f"{key}_open_{label}",
            on_click=goto_attention,
            args=(model, sentence, layer, head),
            width="stretch",
            disabled=not sentence,
        )


def _n_attn(summary: dict, side: str) -> int:
    return sum(k == heads.ATTN for k in summary[f"kinds_{side}"])
