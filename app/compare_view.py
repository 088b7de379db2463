"""Drawing for /compare: shared by the one-sentence and many-sentence sections."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app import controls
from app.i18n import t
from bertviz_core import analysis, figures


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
    st.plotly_chart(figures.matrix_heatmap(js, na, nb, title=t("js_title"), zmin=0, zmax=float(np.log(2)),
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
    st.plotly_chart(figures.matrix_heatmap(cka, layers_a, layers_b, title=t("cka_title"), zmin=0, zmax=1,
                                           colorscale="Viridis", colorbar_title="CKA", font_size=fs,
                                           row_title=t("cka_rows"), col_title=t("cka_cols"), hover_value="CKA",
                                           height=460),
                    width="content", key=f"{key}_cka")
