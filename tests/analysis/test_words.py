"""Two traces in common units (bertviz_core.analysis.words): word groups of a sentence pair, special units,
and why differently cut texts cannot be aligned."""

from __future__ import annotations

import numpy as np
import pytest

import bertviz_core as bc
from bertviz_core.analysis import words


class _Trace:
    def __init__(self, special):
        self.special = special

    def __len__(self):
        return 4


def test_special_units_by_hand():
    np.testing.assert_array_equal(
        words.special_units(_Trace((True, False, False, True)), None), [True, False, False, True]
    )
    # a word group is special only if every token in it is
    np.testing.assert_array_equal(
        words.special_units(_Trace((True, False, True, True)), [[0], [1, 2], [3]]), [True, False, True]
    )
    np.testing.assert_array_equal(words.special_units(_Trace(()), None), [False] * 4)  # no mask: nothing special


def test_word_groups_of_a_sentence_pair(bert):
    t = bc.capture(bert, "Hi there", "Good dogs.")
    groups, labels = words.word_groups(t)
    assert labels == ["[CLS]", "Hi", "there", "[SEP]", "Good", "dogs.", "[SEP]"]
    assert [[t.tokens[i] for i in g] for g in groups][4:6] == [["good"], ["dogs", "."]]


def test_alignment_of_differently_cut_texts_says_why(models_root):
    bert, roberta = bc.load_model("tiny-bert"), bc.load_model("tiny-roberta")
    text = " ".join(["tokenisation disagrees"] * 40)  # both cut at 64 tokens, at different words
    a, b = bc.capture(bert, text), bc.capture(roberta, text)
    with pytest.raises(ValueError) as info:
        words.alignment(a, b)
    assert str(info.value) == (
        "The two models kept different parts of the text (one truncated it), so their "
        "words cannot be aligned. Try a shorter text."
    )
