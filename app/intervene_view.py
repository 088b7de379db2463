"""Ablation and masking controls with their results, for /intervene (and /model-view, later).

    from app import intervene_view
    intervene_view.section(lm, trace)                       # controls + results
    intervene_view.section(lm, trace, heads=["L2 H3"])      # preselect heads (e.g. clicked tiles)

Computation lives in bertviz_core.analysis.interventions; results are cached per
(model, sentence, heads, replacements) in a small process-wide LRU (app.state.caches.outcomes).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import bertviz_core as bc
from app import controls, export_ui, state
from app.i18n import t
from app.state import caches
from bertviz_core import figures
from bertviz_core.analysis import interventions as iv
from bertviz_core.analysis import metrics

JS_CHANGED = 0.001


def cached_outcome(lm: bc.LoadedModel, trace: bc.Trace, ablate: tuple, replace: tuple) -> iv.Outcome:
    """iv.run through app.state.caches.outcomes (process-wide, shared read-only), in a capture slot."""

    def compute() -> iv.Outcome:
        with state.capture_slots:  # a forward pass (two with fill-mask and ablation): count it like one
            return iv.run(lm, trace.text, trace.text_b, ablate=ablate, replace=dict(replace), base=trace)

    return caches.outcomes.get_or_compute((lm.id, trace.text, trace.text_b, ablate, replace), compute)


def _key(prefix: str, trace: bc.Trace, key: str) -> str:
    """Widget keys tied to the model and sentence, so a new sentence starts with nothing selected."""
    return f"{key}_{prefix}_{abs(hash((trace.model_id, tuple(trace.token_ids)))) % 10**10}"


def section(lm: bc.LoadedModel, trace: bc.Trace, heads: list[str] | None = None, key: str = "iv") -> iv.Outcome | None:
    """Draw the controls and, once something is chosen, the comparison. Returns the Outcome (or None)."""
    names = metrics.head_names(trace)
    heads_key = _key("heads", trace, key)
    if heads is not None and heads_key not in st.session_state:
        st.session_state[heads_key] = [h for h in heads if h in names]
    c1, c2 = st.columns([3, 1])
    with c1:
        chosen = st.multiselect(t("iv_heads"), names, key=heads_key, help=t("iv_heads_help"))
    with c2:
        whole = st.selectbox(
            t("iv_layer_all"),
            [None] + list(range(trace.n_layers)),
            key=_key("layer", trace, key),
            format_func=lambda v: t("iv_layer_none") if v is None else f"L{v}",
        )
    if whole is not None:
        chosen = sorted(set(chosen) | {n for n in names if n.startswith(f"L{whole} ")}, key=names.index)
    positions = [i for i, special in enumerate(trace.special or [False] * len(trace)) if not special]
    masked = st.pills(
        t("iv_tokens"),
        positions,
        selection_mode="multi",
        key=_key("tokens", trace, key),
        format_func=lambda i: f"{trace.tokens[i]}",
    )
    word = st.text_input(t("iv_replace"), key=_key("word", trace, key), max_chars=60).strip()
    if not chosen and not masked:
        st.info(t("iv_nothing"))
        _fill_note(lm, masked=False)
        return None
    try:
        ablate = tuple(iv.parse_heads(chosen, trace.n_layers, trace.n_heads, trace.n_conv_heads))
        replace = tuple((int(i), word or iv.MASK) for i in sorted(masked or []))
        with st.spinner(t("running", model=lm.label)):
            outcome = cached_outcome(lm, trace, ablate, replace)
    except ValueError as exc:
        st.error(t("iv_error", reason=state.md_escape(exc)))
        return None
    _results(lm, trace, outcome, key)
    return outcome


def _results(lm: bc.LoadedModel, trace: bc.Trace, outcome: iv.Outcome, key: str = "iv") -> None:
    changed = int((np.nan_to_num(outcome.js) > JS_CHANGED).sum())
    c1, c2 = st.columns(2)
    c1.metric(t("iv_cosine"), f"{outcome.cosine:.4f}", help=t("iv_cosine_help"))
    c2.metric(t("iv_changed_heads"), f"{changed} / {outcome.js.size}")
    if outcome.replaced:
        st.caption(t("iv_now_reads", tokens=state.md_escape(" ".join(outcome.trace.tokens))))
    names = metrics.slot_names(trace)
    fig = figures.numeric_heatmap(
        outcome.js,
        title=t("iv_js_title"),
        x_title=t("cz_head"),
        y_title=t("cz_layer"),
        colorscale="Reds",
        zmin=0.0,
        zmax=max(0.05, float(np.nanmax(outcome.js))),
        zmid=None,
        font_size=controls.font_size(),
        height=120 + 34 * trace.n_layers,
        x_labels=names,
        y_labels=[f"L{l}" for l in range(trace.n_layers)],
        colorbar_title=t("cz_js_colorbar"),
    )
    for layer, slot in outcome.ablated:  # mark the switched-off heads
        fig.add_annotation(x=names[slot], y=f"L{layer}", text="✕", showarrow=False, font={"size": 16, "color": "black"})
    st.plotly_chart(fig, width="stretch", key="iv_js_chart")
    export_ui.figure_downloads(fig, "intervene-attention-change" if key == "iv" else f"{key}-attention-change")
    st.caption(t("iv_js_caption"))
    masks = sorted(p for p, tok in outcome.replaced.items() if tok == lm.tokenizer.mask_token)
    _fill_note(lm, masked=bool(masks))
    if outcome.fill:
        st.subheader(t("iv_fill_title"))
        for p in masks:
            rows = {
                t("iv_fill_token"): [w for w, _ in outcome.fill[p]],
                t("iv_fill_prob"): [round(v, 4) for _, v in outcome.fill[p]],
            }
            if outcome.fill_without_ablation:
                plain = dict(outcome.fill_without_ablation[p])
                rows[t("iv_fill_plain")] = [round(plain[w], 4) if w in plain else None for w, _ in outcome.fill[p]]
            st.caption(t("iv_fill_position", i=p, was=state.md_escape(trace.tokens[p])))
            st.dataframe(pd.DataFrame(rows), hide_index=True)


def _fill_note(lm: bc.LoadedModel, masked: bool) -> None:
    """Say where fill-mask stands for this model (never hide the feature)."""
    reason = iv.no_mlm_reason(lm)
    if reason is not None:
        st.caption(t({"bundled": "iv_fill_bundled", "student": "iv_fill_student"}.get(reason, "iv_fill_no_head")))
    elif not masked:
        st.caption(t("iv_fill_no_mask"))
