"""/tokenizers: how each tokenizer on this server cuts the user's sentence: pieces, [UNK]s, pieces per word.

The bundled tokenizer is always shown; a hub model's only when its files are already here (app.state.tokenizer_cache);
the others are listed with the reason. Everything the user typed reaches the screen through st.dataframe (plain
text) or st.markdown after state.md_escape.
"""

import pandas as pd
import streamlit as st

from app import controls, state
from app.i18n import t
from app.state import tokenizer_cache
from bertviz_core.inputs import tokenizers as tk

MAX_CHIP_WORDS = 120  # words drawn as chips per tokenizer; the tables hold every word
COLORS = {"unknown": "red", "cut": "orange", "whole": "gray"}
# the models the explanation below names (languages, domain): the fetch command shown for those not here
FETCH_EXAMPLE = ("bert-base-multilingual-cased", "bert-base-chinese", "biobert-base-cased-v1.2")
CELL_CSS = {"unknown": "background-color: rgba(255, 75, 75, 0.18)", "cut": "background-color: rgba(255, 164, 33, 0.18)"}


def kind_name(kind: str) -> str:
    return t(
        {
            "wordpiece": "tok_kind_wordpiece",
            "bpe": "tok_kind_bpe",
            "byte_bpe": "tok_kind_byte_bpe",
            "unigram": "tok_kind_unigram",
        }.get(kind, "tok_kind_other")
    )


def why_unavailable(exc: tokenizer_cache.TokenizerUnavailable) -> str:
    if exc.reason == "refused":
        return t("tok_why_refused", reason=state.md_escape(exc.detail))
    return t({"load_failed": "tok_why_load_failed"}.get(exc.reason, "tok_why_not_downloaded"))


def name_md(model_id: str) -> str:
    """A model's name, inert inside markdown (local folder names come from the server's models folder)."""
    return state.md_escape(controls.model_name(model_id))


def word_state(split: tk.WordSplit) -> str:
    return "unknown" if split.is_unknown else "cut" if len(split.pieces) > 1 else "whole"


def chips(splits: list[tk.WordSplit]) -> str:
    """The pieces as coloured badges, a word's pieces side by side, words an em space apart (markdown, escaped)."""
    words = []
    for split in splits[:MAX_CHIP_WORDS]:
        if split.pieces:
            color = COLORS[word_state(split)]
            words.append("\u2009".join(f":{color}-badge[{state.md_escape(p)}]" for p in split.pieces))
    return "\u2003".join(words)


def phrase(name: str, split: tk.WordSplit) -> str:
    """What one tokenizer does with one word, as a clause."""
    if split.is_unknown:
        return t("tok_phrase_unknown", name=name)
    if split.joined:
        return t("tok_phrase_joined", name=name)
    if len(split.pieces) <= 1:
        return t("tok_phrase_whole", name=name)
    return t("tok_phrase_cut", name=name, n=len(split.pieces), pieces=state.md_escape(" ".join(split.pieces)))


def say_pair(ref_id: str, ref: list[tk.WordSplit], other_id: str, other: list[tk.WordSplit]) -> list[str]:
    """What a teacher can say about two tokenizers: the word they cut most differently, and a word only one of
    them knows; or that they cut alike."""
    ref_name, other_name = name_md(ref_id), name_md(other_id)
    said = []
    for i in (tk.contrast(other, ref), tk.unknown_contrast(other, ref)):
        if i is not None:
            first, second = phrase(other_name, other[i]), phrase(ref_name, ref[i])
            said.append(t("tok_say_pair", word=state.md_escape(ref[i].word), first=first, second=second))
    if not said:
        same = [s.pieces for s in ref] == [s.pieces for s in other]
        said.append(t("tok_say_identical" if same else "tok_say_same", name=other_name, ref=ref_name))
    return said


def say_alone(model_id: str, splits: list[tk.WordSplit]) -> str:
    """One sentence about the reference tokenizer alone: the word it cuts most."""
    i = tk.most_cut(splits)
    if i is None:
        return t("tok_say_whole", name=name_md(model_id))
    return t("tok_say_one", word=state.md_escape(splits[i].word), first=phrase(name_md(model_id), splits[i]))


def sayings(shown: list[tuple[str, object, list[tk.WordSplit]]]) -> str:
    """What a teacher can say, as markdown paragraphs: each other tokenizer against the first (the bundled one), or
    the bundled one alone; then how many words it does not know."""
    ref_id, ref = shown[0][0], shown[0][2]
    lines = [line for model_id, _, splits in shown[1:] for line in say_pair(ref_id, ref, model_id, splits)]
    lines = lines or [say_alone(ref_id, ref)]
    unknown_words = sum(s.is_unknown for s in ref)
    if unknown_words:
        lines.append(t("tok_say_unknowns", n=unknown_words, words=len(ref), name=name_md(ref_id)))
    return "\n\n".join(lines)


def split_all(text: str) -> tuple[list[tuple[str, object, list[tk.WordSplit]]], list[tuple[str, str]]]:
    """(model id, tokenizer, splits) of every tokenizer on this server, and (model id, why not) of the others."""
    shown, missing = [], []
    for model_id in tokenizer_cache.tokenizer_models():
        try:
            tokenizer = tokenizer_cache.get_tokenizer(model_id)
        except tokenizer_cache.TokenizerUnavailable as exc:
            missing.append((model_id, why_unavailable(exc)))
            continue
        shown.append((model_id, tokenizer, tk.split_words(tokenizer, text)))
    return shown, missing


def show_tokenizer(model_id: str, tokenizer, splits: list[tk.WordSplit]) -> dict:
    """One bordered block: name, counts, the pieces as chips. Returns its row of the side-by-side table."""
    summary = tk.summarize(splits)
    kind, vocab = kind_name(tk.vocabulary_kind(tokenizer)), tk.vocabulary_size(tokenizer)
    with st.container(border=True):
        st.markdown(f"**{name_md(model_id)}**")
        st.markdown(
            t(
                "tok_counts",
                pieces=summary.pieces,
                words=summary.words,
                ppw=f"{summary.pieces_per_word:.2f}",
                unk=summary.unknown_pieces,
                kind=kind,
                vocab=f"{vocab:,}",
            )
        )
        if model_id == tokenizer_cache.BUNDLED_ID:
            shared = t("tok_list_sep").join(name_md(m) for m in tokenizer_cache.shared_with_bundled())
            st.caption(t("tok_shared", models=shared))
        st.markdown(chips(splits))
        if len(splits) > MAX_CHIP_WORDS:
            st.caption(t("tok_first_words", n=MAX_CHIP_WORDS, total=len(splits)))
    return {
        t("tok_col_tokenizer"): controls.model_name(model_id),
        t("tok_col_kind"): kind,
        t("tok_col_vocab"): vocab,
        t("tok_col_words"): summary.words,
        t("tok_col_pieces"): summary.pieces,
        t("tok_col_unk"): summary.unknown_pieces,
        t("tok_col_ppw"): summary.pieces_per_word,
        t("tok_col_all"): " ".join(p for s in splits for p in s.pieces),
    }


def word_table(shown: list[tuple[str, object, list[tk.WordSplit]]]):
    """Words down, tokenizers across, each cell the word's pieces; cut words and [UNK]s tinted."""
    first = shown[0][2]
    data = {t("tok_col_word"): [s.word for s in first]}
    states = {}
    for model_id, _, splits in shown:
        column = controls.model_name(model_id)
        data[column] = [t("tok_joined") if s.joined else " ".join(s.pieces) for s in splits]
        states[column] = [word_state(s) for s in splits]
    frame = pd.DataFrame(data)

    def tint(df: pd.DataFrame) -> pd.DataFrame:
        css = pd.DataFrame("", index=df.index, columns=df.columns)
        for column, column_states in states.items():
            css[column] = [CELL_CSS.get(s, "") for s in column_states]
        return css

    return frame.style.apply(tint, axis=None)


def show_word_table(shown: list[tuple[str, object, list[tk.WordSplit]]]) -> None:
    st.subheader(t("tok_words_title"))
    st.caption(t("tok_words_note"))
    row = 2 * controls.font_size() + 9  # 35 px, as Streamlit draws rows; taller on a projector
    height = min(row * (len(shown[0][2]) + 1) + 3, 700)
    st.dataframe(word_table(shown), hide_index=True, key="tok_words", row_height=row, height=height)


def show_missing(missing: list[tuple[str, str]]) -> None:
    """The tokenizers not on this server, grouped by why, and how to fetch the ones the explanation names."""
    st.subheader(t("tok_unavailable_title"))
    by_reason: dict[str, list[str]] = {}
    sep = t("tok_list_sep")
    for model_id, why in missing:
        by_reason.setdefault(why, []).append(name_md(model_id))
    st.markdown("\n\n".join(t("tok_missing_line", why=why, models=sep.join(names)) for why, names in by_reason.items()))
    fetchable = [m for m in FETCH_EXAMPLE if m in {model_id for model_id, _ in missing}]
    if fetchable:
        st.caption(t("tok_fetch_hint", ids=" ".join(fetchable)))


def use_example() -> None:
    st.session_state["text"] = t("tok_default_text")


st.title(t("tok_title"))
st.markdown(t("tok_intro"))
if "text" not in st.session_state:  # a new session without a sentence in its link: one that shows the point
    st.session_state["text"] = t("tok_default_text")
c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
with c1:
    raw = controls.sentence_inputs(pair=False)[0]
c2.button(t("tok_example"), help=t("tok_example_help"), on_click=use_example, width="stretch")
text = state.clean_text(raw)

shown, missing = split_all(text) if text else ([], [])
if not text:
    st.info(t("tok_empty"))
elif shown:
    st.subheader(t("tok_say_title"))
    st.info(sayings(shown))
    st.caption(t("tok_legend"))
    rows = [show_tokenizer(model_id, tokenizer, splits) for model_id, tokenizer, splits in shown]
    st.subheader(t("tok_table_title"))
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        key="tok_summary",
        column_config={
            t("tok_col_vocab"): st.column_config.NumberColumn(format="localized"),
            t("tok_col_ppw"): st.column_config.NumberColumn(format="%.2f"),
        },
    )
    if len(shown) > 1:
        show_word_table(shown)
    else:
        st.caption(t("tok_words_note"))
if missing:
    show_missing(missing)

with st.expander(t("tok_why_title"), expanded=True):
    st.markdown(t("tok_why_text"))
state.sync_url("text")
controls.share_link("tokenizers")
