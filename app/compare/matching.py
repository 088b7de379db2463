"""/compare's head matching: Jensen-Shannon divergence between every head of A and every head of B (a
click picks a pair), the best partners each way and one to one, and layer-by-layer CKA."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app import controls, export_ui, state
from app.compare.common import STEMS, fmt, goto_attention, head_of, points, short
from app.i18n import t
from bertviz_core import figures
from bertviz_core.analysis import compare
from bertviz_core.figures import research as rfig
from bertviz_core.models import heads


def matching_section(summary: dict, key: str, many: bool = False) -> None:
    js, na, nb = summary["js"], summary["names_a"], summary["names_b"]
    fs = controls.font_size()
    st.markdown(f"**{t('js_title')}**")
    if any(heads.CONV in list(summary.get(f"kinds_{side}", [])) for side in "ab"):  # a ConvBERT among the two
        st.caption(t("research_js_note_conv"))
    st.caption(t("research_js_note"))
    fig = figures.matrix_heatmap(
        js,
        na,
        nb,
        title="",
        zmin=0,
        zmax=float(np.log(2)),
        colorscale="Viridis_r",
        colorbar_title="JS",
        font_size=fs,
        row_title="A",
        col_title="B",
        hover_value="JS",
        height=760,
    )
    xa, xb = figures.token_labels(na), figures.token_labels(nb)
    cells = [(i, j) for i in range(len(na)) for j in range(len(nb))]
    rfig.add_click_targets(
        fig,
        [xb[j] for _, j in cells],
        [xa[i] for i, _ in cells],
        [[i, j] for i, j in cells],
        [f"A {na[i]} · B {nb[j]}: JS {fmt(float(js[i, j]))}" for i, j in cells],
        marker_px=max(6, 600 // max(len(na), len(nb))),
    )
    chart_key = f"{key}_js"
    st.plotly_chart(
        fig, width="content", key=chart_key, on_select=_on_pair_pick(chart_key, key), selection_mode="points"
    )
    export_ui.figure_downloads(fig, f"{STEMS[key]}-head-matching-js")
    _pair_panel(summary, key, many)

    same_layer = st.toggle(t("research_same_layer"), key=f"{key}_same_layer")
    st.caption(t("research_matching_help"))
    matched = compare.match_heads(js, na, nb, same_layer=same_layer)
    cols = [t("research_col_head"), t("research_col_partner"), t("research_col_js")]
    c1, c2, c3 = st.columns(3)
    for col, what in ((c1, "a_to_b"), (c2, "b_to_a"), (c3, "one_to_one")):
        col.markdown(f"**{t('research_' + what)}**")
        rows = [(h, p, round(v, 4)) for h, p, v in matched[what]]
        col.dataframe(pd.DataFrame(rows, columns=cols), hide_index=True, height=300, key=f"{key}_{what}")
    _cka(summary, key, fs)


def _cka(summary: dict, key: str, fs: int) -> None:
    """Linear CKA between every layer of A and every layer of B (or why it was skipped)."""
    cka = summary.get("cka")
    if cka is None:
        st.caption(t("research_cka_skipped", reason=state.md_escape(summary.get("cka_skipped", ""))))
        return
    layers_a = ["emb"] + [f"L{l}" for l in range(cka.shape[0] - 1)]
    layers_b = ["emb"] + [f"L{l}" for l in range(cka.shape[1] - 1)]
    st.markdown(f"**{t('cka_title')}**")
    cka_fig = figures.matrix_heatmap(
        cka,
        layers_a,
        layers_b,
        title="",
        zmin=0,
        zmax=1,
        colorscale="Viridis",
        colorbar_title="CKA",
        font_size=fs,
        row_title=t("cka_rows"),
        col_title=t("cka_cols"),
        hover_value="CKA",
        height=460,
    )
    st.plotly_chart(cka_fig, width="content", key=f"{key}_cka")
    export_ui.figure_downloads(cka_fig, f"{STEMS[key]}-layer-cka")


def _on_pair_pick(chart_key: str, key: str):
    def callback():
        picked = points(chart_key)
        if picked and "customdata" in picked[0]:
            i, j = picked[0]["customdata"]
            st.session_state[f"{key}_pair_a"], st.session_state[f"{key}_pair_b"] = int(i), int(j)

    return callback


def _pair_panel(summary: dict, key: str, many: bool) -> None:
    """The picked pair of heads (click a JS cell, or pick A's head: B's nearest is proposed): open
    either head in /attention (over many sentences: on the sentence where the pair's JS is highest
    or lowest)."""
    js, na, nb = summary["js"], summary["names_a"], summary["names_b"]

    def propose_partner():
        i = st.session_state[f"{key}_pair_a"]
        if np.isfinite(js[i]).any():
            st.session_state[f"{key}_pair_b"] = int(np.nanargmin(js[i]))

    if st.session_state.get(f"{key}_pair_a") not in range(len(na)):
        st.session_state[f"{key}_pair_a"] = 0
        propose_partner()
    if st.session_state.get(f"{key}_pair_b") not in range(len(nb)):
        st.session_state[f"{key}_pair_b"] = 0
    c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
    i = c1.selectbox(
        t("research_pick_pair") + " · A",
        range(len(na)),
        key=f"{key}_pair_a",
        format_func=lambda k: na[k],
        on_change=propose_partner,
    )
    j = c2.selectbox("B", range(len(nb)), key=f"{key}_pair_b", format_func=lambda k: nb[k])
    c2.caption(f"JS {fmt(float(js[i, j]))}")
    sentence = summary["sentences"][0]
    if many:
        values = summary["per_sentence"]["js"][:, i, j]
        hi, lo = compare.extreme_sentences(values)
        which = c1.radio(
            t("research_pair_sentence"),
            ["high", "low"],
            key=f"{key}_pair_which",
            horizontal=True,
            format_func=lambda w: t("research_highest" if w == "high" else "research_lowest"),
        )
        k = hi if which == "high" else lo
        sentence = summary["sentences"][k]
        c1.caption(f"“{state.md_escape(short(sentence, 80))}” (JS {fmt(float(values[k]))})")
    for col, side, flat in ((c3, "a", i), (c4, "b", j)):
        layer, head = head_of(summary, side, flat)
        col.button(
            t("research_open_side", side=side.upper(), head=summary[f"names_{side}"][flat]),
            key=f"{key}_open_pair_{side}",
            on_click=goto_attention,
            args=(summary[f"model_{side}"], sentence, layer, head),
            width="stretch",
        )
