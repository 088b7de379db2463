"""ELECTRA's replaced-token detection on the user's sentence (/pretraining): replace a word, or let the generator (the
masked-language model) replace some, and see the discriminator's probability per token that it was replaced, beside
what the masked-language model guesses at the same positions.

    from app import electra_view
    electra_view.electra_section(mlm_lm, text)

The discriminator is ELECTRA_MODEL, one registry id (or a folder of the models folder of that name). A server
where it is not installed, or where it fails to load, gets a message saying so and what the section would show,
never a traceback. Words are cut as analysis.pos_probe.split_words cuts them; the generator hides about 15% of
them (at least one) and samples each replacement from the model's top candidates, as ELECTRA's generator samples
from its softmax (a sample equal to the original word counts as original).
"""

from __future__ import annotations

import random

import pandas as pd
import streamlit as st

import bertviz_core as bc
from app import controls, pretraining_view, state
from app.i18n import t
from bertviz_core import figures
from bertviz_core.analysis.fill_mask import MAX_MASKS, TYPED_MASK
from bertviz_core.analysis.masking import tokenise
from bertviz_core.analysis.pos_probe import split_words
from bertviz_core.models.loading import models_dir

ELECTRA_MODEL = "electra-minilm-l6"  # the bundled discriminator; the registry lists it once it is trained
GENERATOR_RATE = 0.15  # ELECTRA's (and BERT's) share of hidden positions
GUESSES_SHOWN = 3


def installed(model_id: str) -> bool:
    """Whether this server has `model_id`: a registry entry, or a folder of that name in the models folder (checked
    before loading, so a missing model never turns into a hub download attempt)."""
    if bc.registry.entry(model_id) is not None:
        return True
    try:
        return (models_dir() / model_id).is_dir()
    except (OSError, ValueError):
        return False


def discriminator_model() -> bc.LoadedModel | None:
    """The discriminator's model, or None when it is not installed here or does not load."""
    if not installed(ELECTRA_MODEL):
        return None
    try:
        return state.get_model(ELECTRA_MODEL)
    except Exception:  # noqa: BLE001 - any failure to load means "not installed" to this section
        return None


def not_installed() -> None:
    st.info(t("pre_el_missing", model=ELECTRA_MODEL))


def is_word(word: str) -> bool:
    return any(ch.isalnum() for ch in word)


def clean_candidate(token: str) -> str | None:
    """A candidate as a whole word, or None for a word piece ("##s") or a special token ("[UNK]")."""
    word = token.lstrip("Ġ▁")
    if not word or token.startswith("##") or (word.startswith("[") and word.endswith("]")) or not is_word(word):
        return None
    return word


def masked(words: list[str], positions: list[int]) -> str:
    return " ".join(TYPED_MASK if i in positions else w for i, w in enumerate(words))


def generator_choice(words: list[str], seed: int) -> list[int]:
    """About GENERATOR_RATE of the words (at least one, at most MAX_MASKS), drawn with `seed`."""
    eligible = [i for i, w in enumerate(words) if is_word(w)]
    n = min(max(1, round(GENERATOR_RATE * len(eligible))), MAX_MASKS, len(eligible))
    return sorted(random.Random(seed).sample(eligible, n))


def sample_replacements(guesses: list[bc.MaskGuess], seed: int) -> list[str | None]:
    """One word per mask, sampled from its candidates' probabilities (word pieces left out); None if none is left."""
    rng = random.Random(seed)
    out: list[str | None] = []
    for g in guesses:
        pool = [(w, p) for w, p in ((clean_candidate(tok), p) for tok, p in g.candidates) if w]
        out.append(rng.choices([w for w, _ in pool], weights=[p for _, p in pool])[0] if pool else None)
    return out


def controls_row(words: list[str]) -> tuple[list[int], dict[int, str] | None]:
    """The user's choice: (positions the MLM model is asked about, {position: replacement typed}, empty while
    nothing is typed) for "replace a word myself", or (the generator's positions, None: the generator fills them)."""
    c1, c2, c3 = st.columns([2, 2, 2])
    mode = c1.radio(
        t("pre_el_mode"),
        ["generator", "manual"],
        key="pre_el_mode",
        format_func=lambda m: t(f"pre_el_mode_{m}"),
    )
    if mode == "generator":
        seed = int(st.session_state.get("pre_el_seed", 0))

        def again() -> None:
            st.session_state["pre_el_seed"] = seed + 1

        c2.button(t("pre_el_again"), key="pre_el_again", on_click=again, icon=":material/casino:")
        return generator_choice(words, seed), None
    eligible = [i for i, w in enumerate(words) if is_word(w)]
    if st.session_state.get("pre_el_word") not in eligible:
        st.session_state["pre_el_word"] = eligible[-1]
    pick = int(c2.selectbox(t("pre_el_word"), eligible, key="pre_el_word", format_func=lambda i: f"{i}: {words[i]}"))
    typed = split_words(c3.text_input(t("pre_el_new"), key="pre_el_new", placeholder=t("pre_el_new_hint")))
    return [pick], ({pick: typed[0]} if typed else {})


def electra_section(mlm_lm: bc.LoadedModel, text: str) -> None:
    """Replace words (the user or the generator), then the discriminator's per-token probability and the table."""
    disc = discriminator_model()
    if disc is None:
        not_installed()
        return
    words = split_words(text)
    if not any(is_word(w) for w in words):
        st.info(t("pre_mk_no_words"))
        return
    positions, typed = controls_row(words)
    try:
        with state.capture_slots:
            guesses = bc.fill_mask(mlm_lm, masked(words, positions), top_k=10)
    except bc.FillMaskError:  # no head or too long: the fill-mask section above already says why
        guesses = []
    if typed is not None:
        new = typed
        if not typed:
            st.caption(t("pre_el_type_word"))
    else:
        sampled = sample_replacements(guesses, int(st.session_state.get("pre_el_seed", 0)))
        new = {p: w for p, w in zip(positions, sampled) if w and guesses}
    words_now = [new.get(i, w) for i, w in enumerate(words)]
    changed = {i for i in positions if words_now[i].lower() != words[i].lower()}
    _, word_ids, ids = tokenise(disc.tokenizer, words_now, disc.max_tokens)
    try:
        with state.capture_slots:
            scores = bc.replaced_token_scores(disc, ids)
    except bc.NoDiscriminator:
        not_installed()
        return
    except bc.ReplacedTokenError as exc:
        st.warning(t("pre_el_cannot", reason=state.md_escape(str(exc))))
        return
    show_scores(disc, mlm_lm, words, words_now, positions, changed, guesses, scores, word_ids)


def show_scores(disc, mlm_lm, words, words_now, positions, changed, guesses, scores, word_ids) -> None:
    """The bars (replaced tokens in red) and the table of the asked positions: original, now, the discriminator's
    probability (the highest of the word's pieces) and the masked-language model's guesses there."""
    replaced = [w is not None and w in changed for w in word_ids]
    fig = figures.replaced_token_bars(
        scores.tokens,
        scores.probs,
        replaced,
        title=t("pre_el_fig_title", model=controls.model_name(disc.id)),
        replaced_name=t("pre_el_replaced"),
        original_name=t("pre_el_original"),
        y_title=t("pre_el_prob"),
        threshold_name="50%",
        font_size=controls.font_size(),
    )
    pretraining_view.show(fig, "replaced_tokens")
    guess_at = {p: g for p, g in zip(positions, guesses)}
    rows = []
    for p in positions:
        pieces = [k for k, w in enumerate(word_ids) if w == p]
        shown = [c for c in guess_at[p].candidates if clean_candidate(c[0])][:GUESSES_SHOWN] if p in guess_at else []
        rows.append(
            {
                t("pre_el_col_position"): p,
                t("pre_el_col_original"): words[p],
                t("pre_el_col_now"): words_now[p],
                t("pre_el_col_replaced"): t("pre_yes") if p in changed else t("pre_no"),
                t("pre_el_col_prob"): max((scores.probs[k] for k in pieces), default=0.0),
                t("pre_el_col_guess"): " · ".join(f"{w.lstrip('Ġ▁')} {q:.0%}" for w, q in shown) or "—",
            }
        )
    table = pd.DataFrame(rows)
    st.dataframe(table.style.format({t("pre_el_col_prob"): "{:.0%}"}), hide_index=True, key="electra_table")
    flagged = [k for k, p in enumerate(scores.probs) if p > 0.5 and word_ids[k] is not None]
    hits = sum(1 for k in flagged if replaced[k])
    numbers = {"flagged": len(flagged), "n": sum(w is not None for w in word_ids), "hits": hits}
    st.caption(
        t("pre_el_summary", replaced=sum(replaced), **numbers)
        + " "
        + t("pre_el_models", disc=state.md_escape(disc.label), mlm=state.md_escape(mlm_lm.label))
    )
