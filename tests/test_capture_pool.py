"""capture()'s attention buffer pool: a dropped Trace's buffer is reused, a live one never is.

The pool is a performance device (bertviz_core.capture.BufferPool); what must hold is that
no array anyone can still see ever changes, and that recycled buffers give the same
numbers as the model's own output_attentions."""
from __future__ import annotations

import gc
import importlib

import numpy as np
import pytest
import torch

import bertviz_core as bc
capture_mod = importlib.import_module("bertviz_core.capture")  # the module (bc.capture is the function)

A = "The quick brown fox jumps over the lazy dog."
B = "Rivers run to the sea."  # shorter than A: fits in A's buffer


@pytest.fixture
def pool(monkeypatch):
    """A pool that takes every size, so short sentences exercise it (the real one starts at 8 MB)."""
    p = capture_mod.BufferPool(max_bytes=64 << 20, min_bytes=0, slack=4.0)
    monkeypatch.setattr(capture_mod, "attention_pool", p)
    return p


def reference(lm, text):
    enc = lm.tokenizer(text, return_tensors="pt")
    with torch.no_grad():
        out = lm.model(**enc, output_attentions=True)
    return torch.stack([a[0] for a in out.attentions]).numpy()


def address(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


def test_dropped_trace_buffer_is_reused_and_equals_the_model(bert, pool):
    first = bc.capture(bert, A)
    where = address(first.attentions)
    del first
    gc.collect()
    assert pool.idle_bytes > 0
    second = bc.capture(bert, B)
    assert pool.reused == 1 and address(second.attentions) == where
    np.testing.assert_array_equal(second.attentions, reference(bert, B))
    assert not second.attentions.flags.writeable


def test_live_traces_never_share_a_buffer(bert, pool):
    t1, t2 = bc.capture(bert, A), bc.capture(bert, B)
    assert not np.shares_memory(t1.attentions, t2.attentions)
    np.testing.assert_array_equal(t1.attentions, reference(bert, A))
    np.testing.assert_array_equal(t2.attentions, reference(bert, B))


def test_a_view_outliving_its_trace_keeps_the_buffer(bert, pool):
    trace = bc.capture(bert, A)
    head = trace.attentions[2, 5]  # a page keeps one head's matrix after the trace is evicted
    expected = head.copy()
    del trace
    gc.collect()
    assert pool.idle_bytes == 0  # still on loan: the view can see it
    later = [bc.capture(bert, B) for _ in range(3)]
    assert all(not np.shares_memory(head, t.attentions) for t in later)
    np.testing.assert_array_equal(head, expected)
    del head
    gc.collect()
    assert pool.idle_bytes > 0  # the last view gone: back in the pool


def test_pool_is_bounded_and_skips_small_or_much_larger_buffers():
    p = capture_mod.BufferPool(max_bytes=3000, min_bytes=100, slack=1.25)
    small = p.take((10,))  # 40 bytes: not pooled
    del small
    gc.collect()
    assert p.idle_bytes == 0
    held = [p.take((250,)) for _ in range(4)]  # 1000 bytes each
    del held
    gc.collect()
    assert p.idle_bytes == 3000  # 4000 returned, bound 3000: the oldest dropped
    tiny_need = p.take((100,))  # 400 bytes: a 1000-byte buffer is more than 1.25x, so fresh
    assert p.reused == 0 and tiny_need.shape == (100,)
    fit = p.take((240,))  # 960 bytes: a 1000-byte buffer fits
    assert p.reused == 1 and fit.shape == (240,) and fit.dtype == np.float32


def test_pool_off_gives_plain_arrays():
    p = capture_mod.BufferPool(max_bytes=0)
    a = p.take((3, 4))
    assert a.flags.owndata and a.shape == (3, 4)
