"""BERT's pretraining tasks as small boxes a page can place: next-sentence prediction on a sentence pair.

    from app import pretraining_view
    pretraining_view.next_sentence_box(lm, text_a, text_b)    # "Is B the next sentence? 83%", or why not

The computation is bertviz_core.analysis.next_sentence (`bc.next_sentence`); this module only draws it. A model
without a next-sentence head, or a pair without B, gets a short caption saying why, never an error.
"""

from __future__ import annotations

import streamlit as st

import bertviz_core as bc
from app import state
from app.i18n import t
from bertviz_core.analysis import next_sentence as ns


def next_sentence_box(lm: bc.LoadedModel, text_a: str, text_b: str | None) -> bc.NextSentence | None:
    """Draw "Is B the next sentence?" with the probability and where the head comes from; returns the result, or
    None after a caption saying why there is none (no head, an empty sentence)."""
    try:
        with state.capture_slots:  # a forward pass: counted like a capture
            result = bc.next_sentence(lm, text_a, text_b or "")
    except bc.NextSentenceError as exc:
        if exc.code == "no_head":
            st.caption(t("pre_nsp_no_head", model=lm.label))
        elif exc.code == "no_a":
            st.caption(t("pre_nsp_need_a"))
        else:
            st.caption(t("pre_nsp_need_b"))
        return None
    st.metric(t("pre_nsp_metric"), f"{result.probability:.0%}", help=t("pre_nsp_metric_help"))
    st.progress(min(max(result.probability, 0.0), 1.0))
    st.caption(head_note(lm, result))
    if result.dropped:
        st.caption(t("pre_nsp_cut", n=result.dropped))
    return result


def head_note(lm: bc.LoadedModel, result: bc.NextSentence) -> str:
    """Where the probability comes from: the checkpoint's own head, or the head trained here with its held-out
    accuracy (from its card), and a word when a compressed variant uses its original's head."""
    if result.source == "checkpoint":
        return t("pre_nsp_own_head", model=lm.label)
    card = ns.nsp_status(lm).card or {}
    held_out = card.get("held_out") or {}
    base = str(card.get("model") or lm.label)
    if held_out.get("accuracy") is not None:
        low, high = held_out["wilson95"]
        note = t(
            "pre_nsp_trained_head", model=base, accuracy=held_out["accuracy"], n=held_out["pairs"], low=low, high=high
        )
    else:
        note = t("pre_nsp_trained_head_unscored", model=base)
    if "@" in lm.id:
        note += " " + t("pre_nsp_variant")
    return note
