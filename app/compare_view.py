"""Drawing for /compare: shared by the one-sentence and many-sentence sections."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app import controls, state
from app.i18n import t
from bertviz_core import analysis, figures


COLUMN_PX = 470  # half of the wide layout's main column in a 1400 px window


def heads_section(side_a: tuple, side_b: tuple, labels: list[str], max_cells: int) -> None:
    """Synchronised layer and head slot; A and B on one colour scale, and A - B.

    side_x = (loaded model, trace, word groups or None when compared token by token)."""
    (lm_a, a, groups_a), (lm_b, b, groups_b) = side_a, side_b
    names_a, names_b = analysis.slot_names(a), analysis.slot_names(b)
    n_layers = min(a.n_layers, b.n_layers)
    st.session_state["layer"] = min(int(st.session_state.get("layer", 0)), n_layers - 1)
    slots = ["mean"] + [str(k) for k in range(max(len(names_a), len(names_b)))]
    if st.session_state.get("head") not in slots:
        st.session_state["head"] = "mean"
    name = lambda names, k: names[k] if k < len(names) else t("missing")  # noqa: E731
    c1, c2 = st.columns([3, 2])
    layer = c1.slider(t("layer"), 0, n_layers - 1, key="layer")
    head = c2.selectbox(t("compare_head"), slots, key="head", help=t("compare_head_help"),
                        format_func=lambda s: t("all_heads") if s == "mean" else
                        t("compare_head_label", k=s, a=name(names_a, int(s)), b=name(names_b, int(s))))

    def pick(trace, groups):  # the chosen head as [U, U], pooled to words if needed; None if absent
        m = analysis.head_matrix(trace, layer, head)
        return m if m is None or groups is None else analysis.pool_to_words(m, groups)

    ma, mb = pick(a, groups_a), pick(b, groups_b)
    zmax = float(max(m.max() for m in (ma, mb) if m is not None))
    fs = controls.font_size()
    axes = dict(font_size=fs, row_title=t("from_token"), col_title=t("to_token"), max_cells=max_cells)
    head_name = lambda names: t("all_heads") if head == "mean" else names[int(head)]  # noqa: E731
    st.markdown(f"**A:** {state.md_escape(lm_a.label)} · **B:** {state.md_escape(lm_b.label)}")
    if ma is None or mb is None:  # one model has no head in this slot
        m, tag, names = (ma, "A", names_a) if mb is None else (mb, "B", names_b)
        st.info(t("slot_missing", tag="B" if mb is None else "A", k=head, other=tag))
        st.plotly_chart(figures.matrix_heatmap(m, labels, labels, title=f"{tag} · L{layer} · {head_name(names)}",
                                               zmax=zmax, hover_value=t("weight"), colorbar_title=t("weight"),
                                               width=COLUMN_PX, **axes),
                        width="content", key=f"heat_{tag}")
        return
    st.plotly_chart(figures.pair_heatmaps(ma, mb, labels, titles=(f"A · L{layer} · {head_name(names_a)}",
                                                                  f"B · L{layer} · {head_name(names_b)}"),
                                          zmax=zmax, width=2 * COLUMN_PX, hover_value=t("weight"),
                                          colorbar_title=t("weight"), **axes),
                    width="content", key="heat_pair")
    diff = ma - mb
    lim = float(np.abs(diff).max()) or 1.0
    left, right = st.columns(2)
    left.plotly_chart(figures.matrix_heatmap(diff, labels, labels, title=t("compare_diff"), zmin=-lim, zmax=lim,
                                             zmid=0, colorscale=figures.DIFF_SCALE, colorbar_title="A - B",
                                             hover_value="A - B", width=COLUMN_PX, **axes),
                      width="content", key="heat_diff")
    right.caption(t("compare_diff_note"))


def metrics_section(summary: dict, label_a: str, label_b: str, key: str) -> None:
    metric = st.selectbox(t("metric"), list(analysis.METRICS), key=f"{key}_metric",
                          format_func=lambda m: f"{m}: {t('metric_' + m)}")
    st.caption(t("metric_" + metric))
    a, b = summary["metrics_a"][metric], summary["metrics_b"][metric]
    lo, hi = float(min(a.min(), b.min())), float(max(a.max(), b.max()))
    fs = controls.font_size()
    heads_a = summary["names_a"][: a.shape[1]]
    heads_b = summary["names_b"][: b.shape[1]]
    c1, c2 = st.columns(2)
    c1.plotly_chart(figures.metric_heatmap(a, [n.split(" ")[1] for n in heads_a], title=f"A: {label_a}",
                                           zmin=lo, zmax=hi, font_size=fs), width="stretch", key=f"{key}_ma")
    c2.plotly_chart(figures.metric_heatmap(b, [n.split(" ")[1] for n in heads_b], title=f"B: {label_b}",
                                           zmin=lo, zmax=hi, font_size=fs), width="stretch", key=f"{key}_mb")
    rows = []
    for tag, label, values, names in (("A", label_a, summary["metrics_a"], summary["names_a"]),
                                      ("B", label_b, summary["metrics_b"], summary["names_b"])):
        L, N = values["entropy"].shape
        for l in range(L):
            for h in range(N):
                rows.append({t("col_model"): f"{tag}: {label}", t("col_layer"): l,
                             t("col_head"): names[l * N + h].split(" ")[1],
                             **{m: round(float(values[m][l, h]), 4) for m in analysis.METRICS}})
    st.markdown(f"**{t('metrics_table')}**")
    st.dataframe(pd.DataFrame(rows), hide_index=True, height=320, key=f"{key}_table")


def matching_section(summary: dict, key: str) -> None:
    js, na, nb = summary["js"], summary["names_a"], summary["names_b"]
    fs = controls.font_size()
    st.markdown(f"**{t('js_title')}**")
    st.plotly_chart(figures.matrix_heatmap(js, na, nb, title="", zmin=0, zmax=float(np.log(2)),
                                           colorscale="Viridis_r", colorbar_title="JS", font_size=fs,
                                           row_title="A", col_title="B", hover_value="JS", height=760),
                    width="content", key=f"{key}_js")
    st.markdown(f"**{t('closest_title')}**")
    partners = analysis.closest_partners(js, na, nb)
    st.dataframe(pd.DataFrame(partners, columns=[t("col_head_a"), t("col_head_b"), t("col_js")]),
                 hide_index=True, height=260, key=f"{key}_partners")
    cka = summary["cka"]
    layers_a = ["emb"] + [f"L{l}" for l in range(cka.shape[0] - 1)]
    layers_b = ["emb"] + [f"L{l}" for l in range(cka.shape[1] - 1)]
    st.markdown(f"**{t('cka_title')}**")
    st.plotly_chart(figures.matrix_heatmap(cka, layers_a, layers_b, title="", zmin=0, zmax=1,
                                           colorscale="Viridis", colorbar_title="CKA", font_size=fs,
                                           row_title=t("cka_rows"), col_title=t("cka_cols"), hover_value="CKA",
                                           height=460),
                    width="content", key=f"{key}_cka")
