"""Tests written for the mutants of bertviz_core/capture.py that the suite let survive (issue #17,
`make mutate MODULE=capture`): the Trace's bookkeeping fields (tokens, ids, special mask, character
offsets, second-sentence start, texts) against values worked out by hand from the tokenizer's
vocabulary, user-typed separators, and the cut of long inputs (single and pair) to the model's limit."""
from __future__ import annotations

import importlib

import pytest

import bertviz_core as bc

cm = importlib.import_module("bertviz_core.tracing.capture")  # the module (bc.capture is the function)


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


# ---------------------------------------------------------------- the attention buffer pool, by hand
def _addr(a) -> int:
    return a.__array_interface__["data"][0]


def _idle(pool) -> set[int]:
    return {r.ctypes.data for r in pool._idle}


def test_pool_bound_drops_the_oldest_and_counts_by_hand():
    p = cm.BufferPool(max_bytes=3000, min_bytes=100)
    a, b, c, d = p.take((250,)), p.take((250,)), p.take((250,)), p.take((500,))  # 1000, 1000, 1000, 2000 bytes
    assert (p.allocated, p.reused) == (4, 0)
    where = [_addr(x) for x in (a, b, c, d)]
    del a, b, c, d  # given back in that order: 5000 bytes > 3000, so the two oldest go
    assert p.idle_bytes == 3000 and _idle(p) == set(where[2:])
    again = p.take((250,))  # exactly the size of an idle buffer: reused
    assert (_addr(again), p.reused, p.allocated) == (where[2], 1, 4)
    edge = p.take((25,))  # exactly min_bytes (100 bytes): pooled, so counted
    assert p.allocated == 5 and _addr(edge) not in where


def test_pool_takes_the_smallest_buffer_that_fits_within_its_slack():
    p = cm.BufferPool(max_bytes=10_000, min_bytes=0, slack=2.0)
    big, small = p.take((400,)), p.take((300,))  # 1600 and 1200 bytes
    at_small = _addr(small)
    del big, small
    assert _addr(p.take((300,))) == at_small  # both fit 1200 bytes: the smaller one is taken
    wide = p.take((1000,))  # 4000 bytes
    at_wide = _addr(wide)
    del wide
    assert _addr(p.take((500,))) == at_wide  # 4000 <= 2.0 x 2000: still within the slack
    assert (p.reused, p.allocated) == (2, 3)
    d = cm.BufferPool(max_bytes=10_000, min_bytes=0)  # default slack 1.25
    x = d.take((500,))
    del x
    d.take((250,))  # a 2000-byte buffer for 1000 bytes is more than 1.25x: fresh
    assert (d.reused, d.allocated) == (0, 2)


def test_pool_off_counts_nothing_and_a_tiny_bound_still_pools():
    off = cm.BufferPool(max_bytes=0, min_bytes=0)
    off.take((10,))
    assert (off.allocated, off.reused) == (0, 0)
    one = cm.BufferPool(max_bytes=1, min_bytes=0)
    one.take((10,))
    assert one.allocated == 1 and one.idle_bytes == 0  # taken through the pool, too big to keep
