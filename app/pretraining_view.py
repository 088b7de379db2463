"""BERT's pretraining tasks as sections a page can place (/pretraining places them all; /attention the NSP box).

    from app import pretraining_view
    pretraining_view.next_sentence_box(lm, text_a, text_b)    # "Is B the next sentence? 83%", or why not
    pretraining_view.fill_mask_section(lm, "The cat sat on the [MASK].")
    pretraining_view.masking_section(text)                    # ERNIE's four masking strategies on the sentence

The computations are the library's (`bc.next_sentence`, `bc.fill_mask`, analysis.fill_mask.mask_attention,
analysis.masking); this module only draws them. Input they cannot use (no [MASK], too many, a pair without B, a
model without the head) gets a short message saying why, never an error. ELECTRA's section: app/electra_view.py.
"""

from __future__ import annotations

import streamlit as st

import bertviz_core as bc
from app import controls, export_ui, state
from app.i18n import t
from bertviz_core import figures
from bertviz_core.analysis import fill_mask as fm
from bertviz_core.analysis import next_sentence as ns
from bertviz_core.models import mlm

MLM_MODEL = "bert-minilm-l6-mlm"  # the page's guesser when the user's model has no masked-LM head
NSP_MODEL = "bert-minilm-l6"  # the model whose next-sentence head was trained here
DEFAULT_MASK_TEXT = "The cat sat on the [MASK]."
TOP_K = 10


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


# ---------------------------------------------------------------- models
def show(fig, key: str) -> None:
    """A figure across the column, with its Download menu (file names pretraining-<key>)."""
    st.plotly_chart(fig, width="stretch", key=key)
    export_ui.figure_downloads(fig, f"pretraining-{key}")


def model_or_stop(model_id: str) -> bc.LoadedModel:
    """The loaded model, or the "could not load" message and the end of the page."""
    try:
        return state.get_model(model_id)
    except Exception as exc:  # any failure to load becomes the usual message
        st.error(state.load_error_text(model_id, exc))
        st.stop()
        raise  # st.stop() ends the run; this line is for the type checker


def nsp_model() -> bc.LoadedModel:
    """The user's model when it has a next-sentence head (its own, or one trained here), else NSP_MODEL's."""
    users = st.session_state.get("model")
    if users and users != NSP_MODEL:
        try:
            lm = state.get_model(str(users))
        except Exception:  # noqa: BLE001 - a model that cannot load: the bundled BERT answers instead
            return state.get_model(NSP_MODEL)
        if ns.nsp_status(lm).head is not None:
            return lm
    return state.get_model(NSP_MODEL)


# ---------------------------------------------------------------- fill-mask
def mlm_key() -> str:
    """The session key of the model that guesses: the user's own model when its checkpoint brings a masked-LM head
    (mlm_source finds one without loading anything), else this page's own key (default MLM_MODEL), so the model the
    other pages show does not change."""
    users = st.session_state.get("model")
    return "model" if users and mlm.mlm_source(str(users))[0] is not None else "mlm_model"


def fill_mask_message(exc: bc.FillMaskError, lm: bc.LoadedModel) -> None:
    """Why there is no guess, in the user's language (never the library's English)."""
    if exc.code == "no_mask":
        st.warning(t("pre_fm_no_mask"))
    elif exc.code == "too_many_masks":
        st.warning(t("pre_fm_too_many", count=exc.count, limit=exc.limit))
    elif exc.code == "too_long":
        st.warning(t("pre_fm_too_long", limit=exc.limit))
    else:
        st.info(t("pre_fm_no_head", model=state.md_escape(lm.label), default=MLM_MODEL))


def fill_mask_section(lm: bc.LoadedModel, text: str) -> list[bc.MaskGuess] | None:
    """The candidates for every [MASK] as bars, where the masks look beside them, and a button per candidate that
    puts it into the sentence; a clear message instead for a sentence without masks, too many, or no head."""
    try:
        with state.capture_slots:  # two forward passes: counted like a capture
            guesses = bc.fill_mask(lm, text, top_k=TOP_K)
            looked = fm.mask_attention(lm, text)
    except bc.FillMaskError as exc:
        fill_mask_message(exc, lm)
        return None
    fs = controls.font_size()
    big = bool(st.session_state.get("big"))
    left, right = st.columns([1, 1] if big or len(guesses) > 1 else [2, 3])
    titles = [t("pre_fm_panel", n=g.mask + 1) for g in guesses]
    bars = figures.fill_mask_bars(
        [g.candidates for g in guesses], titles=titles, x_title=t("pre_probability"), font_size=fs
    )
    with left:
        show(bars, "fill_mask_bars")
    with right:
        mask_attention_panel(looked, fs)
    st.caption(t("pre_fm_model", model=state.md_escape(controls.model_name(lm.id))) + " " + t("pre_fm_read"))
    candidate_buttons(lm, guesses)
    return guesses


def mask_attention_panel(looked: fm.MaskAttention, fs: int) -> None:
    """The attention of one mask: every layer (the mean of its heads), or every head of one layer."""
    n_layers, n_heads, n_masks, _ = looked.rows.shape
    c1, c2 = st.columns(2)
    which = 0
    if n_masks > 1:
        which = int(c1.selectbox(t("pre_fm_which"), range(n_masks), format_func=lambda k: t("pre_fm_panel", n=k + 1)))
    options = ["all", *range(n_layers)]
    pick = c2.selectbox(
        t("pre_fm_rows"),
        options,
        key="pre_att_layer",
        format_func=lambda o: t("pre_fm_rows_layers") if o == "all" else t("pre_fm_rows_heads", layer=o),
    )
    rows = looked.rows[:, :, which, :]  # [layers, heads, T]
    if pick == "all":
        z, labels, y_title = rows.mean(1), [f"L{i}" for i in range(n_layers)], t("layer")
    else:
        z, labels, y_title = rows[int(pick)], [f"H{h}" for h in range(n_heads)], t("head")
    fig = figures.mask_attention_figure(
        z,
        labels,
        looked.tokens,
        title=t("pre_fm_att_title", n=which + 1),
        x_title=t("to_token"),
        y_title=y_title,
        colorbar_title=t("weight"),
        hover_value=t("weight"),
        mask_columns=[looked.positions[which]],
        font_size=fs,
    )
    show(fig, "mask_attention")
    st.caption(t("pre_fm_att_note"))


def fill_in(text: str, pattern, mask: int, word: str) -> str:
    """`text` with its `mask`-th mask (0-based, as `pattern` finds them) replaced by `word` (a word piece "##s" is
    glued to what comes before)."""
    for k, match in enumerate(pattern.finditer(text)):
        if k == mask:
            before = text[: match.start()]
            if word.startswith("##"):
                before, word = before.rstrip(), word[2:]
            return before + word + text[match.end() :]
    return text


def candidate_buttons(lm: bc.LoadedModel, guesses: list[bc.MaskGuess], shown: int = 5) -> None:
    """A button per candidate (the best `shown` of each mask): clicking one writes it into the sentence."""
    pattern = fm.mask_pattern(lm.tokenizer)

    def put(mask: int, word: str) -> None:  # before the next run, when the text box may still change
        st.session_state["mask_text"] = fill_in(st.session_state.get("mask_text", ""), pattern, mask, word)

    st.markdown(f"**{t('pre_fm_put')}**")
    for g in guesses:
        row = st.container(horizontal=True, gap="small")
        row.markdown(t("pre_fm_panel", n=g.mask + 1) + ":")
        for k, (word, prob) in enumerate(g.candidates[:shown]):
            clean = word.lstrip("Ġ▁") or word
            row.button(
                f"{clean} · {prob:.0%}",
                key=f"put_{g.mask}_{k}",
                on_click=put,
                args=(g.mask, clean),
                help=t("pre_fm_put_help"),
            )


# ---------------------------------------------------------------- ERNIE's knowledge masking
def masking_section(text: str) -> None:
    """The four strategies drawn on the tokens of the sentence (phrases and entities from the POS probe's tags),
    then how well the MLM model recovers each kind of span on EWT test."""
    from bertviz_core.analysis import masking, pos_probe

    bert = state.get_model(pos_probe.MODEL_ID)  # the probe reads the bundled BERT's hidden states
    seed = int(st.session_state.get("pre_mask_seed", 0))
    try:
        with state.capture_slots:
            km = masking.mask_text(bert.tokenizer, text, pos_probe.tagger(bert.model, bert.tokenizer), seed=seed)
    except ValueError:
        st.info(t("pre_mk_no_words"))
        return
    fs = controls.font_size()
    labels = {s: t(f"pre_mk_{s}") for s in masking.STRATEGIES}
    fig = figures.masking_figure(
        km.tokens, km.strategies(), labels, columns=km.content, hidden_word=t("pre_mk_hidden"), font_size=fs
    )
    show(fig, "masking")

    def again() -> None:
        st.session_state["pre_mask_seed"] = seed + 1

    st.button(t("pre_mk_again"), key="pre_mask_again", on_click=again, icon=":material/casino:")
    missing = [labels[s] for s in ("phrase", "entity") if not km.strategies()[s].spans]
    st.caption(t("pre_mk_source") + (" " + t("pre_mk_none_found", what=", ".join(missing)) if missing else ""))
    quality = masking.read_quality()
    if quality is None:
        st.caption(t("pre_mk_no_quality"))
        return
    metric_labels = {"exact": t("pre_mk_exact"), "piece_top5": t("pre_mk_top5")}
    fig = figures.recovery_figure(
        quality,
        labels,
        metric_labels=metric_labels,
        strategies=masking.STRATEGIES,
        title=t("pre_mk_recovery_title", model=str(quality.get("mlm", {}).get("model", ""))),
        font_size=fs,
    )
    show(fig, "recovery")
    rows = quality["strategies"]
    st.caption(
        t(
            "pre_mk_recovery_note",
            n=quality.get("sentences", 0),
            token=rows["token"]["exact"]["rate"],
            phrase=rows["phrase"]["exact"]["rate"],
            entity=rows["entity"]["exact"]["rate"],
        )
    )
