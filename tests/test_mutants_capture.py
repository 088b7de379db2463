"""Tests written for the mutants of bertviz_core/capture.py that the suite let survive (issue #17,
`make mutate MODULE=capture`): the Trace's bookkeeping fields (tokens, ids, special mask, character
offsets, second-sentence start, texts) against values worked out by hand from the tokenizer's
vocabulary, user-typed separators, and the cut of long inputs (single and pair) to the model's limit."""
from __future__ import annotations

import pytest

import bertviz_core as bc


def test_trace_fields_of_a_sentence_pair_by_hand(bert):
    t = bc.capture(bert, "Hi there", "Good dogs.")
    assert (t.model_id, t.family, t.text, t.text_b) == ("bert-minilm-l6", "bert", "Hi there", "Good dogs.")
    assert t.tokens == ["[CLS]", "hi", "there", "[SEP]", "good", "dogs", ".", "[SEP]"]
    assert t.token_ids == bert.tokenizer.convert_tokens_to_ids(t.tokens)
    assert t.special == (True, False, False, True, False, False, False, True)
    # (sentence, start, end) in each sentence's own text; special tokens (-1, 0, 0)
    assert t.offsets == ((-1, 0, 0), (0, 0, 2), (0, 3, 8), (-1, 0, 0), (1, 0, 4), (1, 5, 9), (1, 9, 10), (-1, 0, 0))
    assert (t.b_start, t.dropped_tokens) == (4, 0)


def test_single_sentence_has_no_second_part(bert):
    t = bc.capture(bert, "Hi there", "   ")  # a blank second sentence is no second sentence
    assert (t.text_b, t.b_start, t.dropped_tokens) == (None, None, 0)
    assert t.tokens == ["[CLS]", "hi", "there", "[SEP]"] and t.special == (True, False, False, True)
    with pytest.raises(ValueError) as info:
        bc.capture(bert, "  ")
    assert str(info.value) == "The sentence is empty."


def test_separators_typed_by_the_user_are_text(bert):
    t = bc.capture(bert, "a [SEP] b [CLS]")
    assert t.tokens == ["[CLS]", "a", "[", "sep", "]", "b", "[", "cl", "##s", "]", "[SEP]"]
    assert sum(t.special) == 2


def test_long_inputs_are_cut_to_the_model_limit(models_root):
    lm = bc.load_model("tiny-bert")  # 64 positions
    assert lm.max_tokens == 64
    words = "word " * 100  # "word" is one token: 100 + [CLS] + [SEP]
    t = bc.capture(lm, words)
    assert (len(t), t.dropped_tokens) == (64, 102 - 64)
    assert t.tokens[0] == "[CLS]" and t.tokens[-1] == "[SEP]" and t.tokens[1:-1] == ["word"] * 62
    # a pair: the longer sentence loses tokens first (longest_first), the short one is kept whole
    p = bc.capture(lm, words, "short one")
    assert (len(p), p.dropped_tokens) == (64, 105 - 64)
    assert p.tokens[p.b_start:] == ["short", "one", "[SEP]"] and p.b_start == 61
