"""Two traces of one text in common units: tokens when both models tokenized alike, else the text's
whitespace-separated words (each model's pieces pooled into them). Pure numpy."""

from __future__ import annotations

import numpy as np

from bertviz_core.analysis.metrics import all_heads
from bertviz_core.tracing.capture import Trace


def _word_spans(text: str) -> list[tuple[int, int]]:
    import re

    return [m.span() for m in re.finditer(r"\S+", text)]


def word_groups(trace: Trace) -> tuple[list[list[int]], list[str]]:
    """Group a trace's tokens into whitespace-separated words of the input text.

    Uses the tokenizer's character offsets, so WordPiece, BPE and SentencePiece agree.
    Runs of special tokens form one group, labelled [CLS] at the start and [SEP] elsewhere.
    Returns (groups of token indices, word labels)."""
    if not trace.offsets:
        raise ValueError(f"{trace.model_id}: word alignment needs a fast tokenizer (character offsets).")
    spans = {0: _word_spans(trace.text), 1: _word_spans(trace.text_b or "")}
    texts = {0: trace.text, 1: trace.text_b or ""}
    groups: list[list[int]] = []
    labels: list[str] = []
    keys: list[tuple[str | int, ...]] = []
    key: tuple[str | int, ...]
    for i, (seq, start, end) in enumerate(trace.offsets):
        if seq < 0 or end <= start and trace.special[i]:
            key = ("special",)
            label = "[CLS]" if not groups else "[SEP]"
        else:
            word = next((w for w, (a, b) in enumerate(spans[seq]) if a <= start < b), None)
            if word is None:  # a whitespace-only token: joins the previous group
                groups[-1].append(i)
                continue
            key = ("word", seq, word)
            a, b = spans[seq][word]
            label = texts[seq][a:b]
        if keys and keys[-1] == key:
            groups[-1].append(i)
        else:
            groups.append([i])
            labels.append(label)
            keys.append(key)
    return groups, labels


def pool_to_words(attn: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """[..., T, T] -> [..., W, W]: columns summed within a word (the mass the word receives),
    rows averaged within a word (a word attends as its pieces do on average). Rows still sum to 1."""
    cols = np.stack([attn[..., g].sum(-1) for g in groups], axis=-1)  # [..., T, W]
    return np.stack([cols[..., g, :].mean(-2) for g in groups], axis=-2)  # [..., W, W]


def pool_hidden_to_words(hidden: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """[..., T, D] -> [..., W, D]: mean over each word's pieces."""
    return np.stack([hidden[..., g, :].mean(-2) for g in groups], axis=-2)


def alignment(a: Trace, b: Trace) -> tuple[list[list[int]] | None, list[list[int]] | None, list[str], bool]:
    """How two traces of the same text line up: (groups_a, groups_b, labels, by_words).

    Token by token when both tokenizations are identical (groups None, labels = tokens);
    otherwise each model's tokens grouped into the text's words (see pool_to_words)."""
    if a.tokens == b.tokens:
        return None, None, list(a.tokens), False
    groups_a, labels_a = word_groups(a)
    groups_b, labels_b = word_groups(b)
    if labels_a != labels_b:
        raise ValueError(
            "The two models kept different parts of the text (one truncated it), "
            "so their words cannot be aligned. Try a shorter text."
        )
    return groups_a, groups_b, labels_a, True


def align_pair(a: Trace, b: Trace) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str], bool]:
    """Common units for comparing two traces of the same text.

    Returns (heads_a [L, Na, U, U], heads_b [L, Nb, U, U], hidden_a [La+1, U, D], hidden_b, labels, by_words).
    Token by token when both tokenizations are identical; otherwise pooled to words."""
    groups_a, groups_b, labels, by_words = alignment(a, b)
    heads_a, hidden_a = in_units(a, all_heads(a)[0], groups_a)
    heads_b, hidden_b = in_units(b, all_heads(b)[0], groups_b)
    return heads_a, heads_b, hidden_a, hidden_b, labels, by_words


def in_units(trace: Trace, heads: np.ndarray, groups: list[list[int]] | None) -> tuple[np.ndarray, np.ndarray]:
    """A trace's heads [..., T, T] and hidden states in the compared units: tokens (groups None) or words."""
    if groups is None:
        return heads, trace.hidden_states
    return pool_to_words(heads, groups), pool_hidden_to_words(trace.hidden_states, groups)


def special_units(trace: Trace, groups: list[list[int]] | None) -> np.ndarray:
    """Which compared units are special tokens: per token, or per word group (all its tokens special)."""
    special = np.asarray(trace.special if trace.special else (False,) * len(trace), dtype=bool)
    if groups is None:
        return special
    return np.array([bool(special[g].all()) for g in groups], dtype=bool)
