"""capture()'s attention buffer pool: a dropped Trace's buffer is reused, a live one never is.

The pool is a performance device (bertviz_core.tracing.capture.BufferPool); what must hold is that
no array anyone can still see ever changes, and that recycled buffers give the same
numbers as the model's own output_attentions."""

from __future__ import annotations

import gc
import importlib

import numpy as np
import pytest
import torch

import bertviz_core as bc
from bertviz_core.tracing import buffers

capture_mod = importlib.import_module("bertviz_core.tracing.capture")  # the module (bc.capture is the function)

A = "The quick brown fox jumps over the lazy dog."
B = "Rivers run to the sea."  # shorter than A: fits in A's buffer


@pytest.fixture
def pool(monkeypatch):
    """A pool that takes every size, so short sentences exercise it (the real one starts at 8 MB)."""
    p = capture_mod.BufferPool(max_bytes=64 << 20, min_bytes=0, slack=4.0)
    monkeypatch.setattr(buffers, "attention_pool", p)  # where the capture hooks take their buffers
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


def test_pool_off_gives_fresh_aligned_arrays():
    p = capture_mod.BufferPool(max_bytes=0)
    a, b = p.take((3, 4)), p.take((3, 4))
    assert a.shape == (3, 4) and a.dtype == np.float32 and a.flags.c_contiguous and a.flags.writeable
    assert not np.shares_memory(a, b) and p.allocated == 0 and p.reused == 0
    for big in (p.take((5, 7, 11)), capture_mod.BufferPool(max_bytes=1 << 30, min_bytes=0).take((5, 7, 11))):
        assert address(big) % 64 == 0  # torch's own alignment, kept by the direct softmax writes


# ---------------------------------------------------------------- the pool's bookkeeping, by hand
def idle_addresses(pool) -> set[int]:
    return {r.ctypes.data for r in pool._idle}


def test_pool_bound_drops_the_oldest_and_counts_by_hand():
    p = capture_mod.BufferPool(max_bytes=3000, min_bytes=100)
    a, b, c, d = p.take((250,)), p.take((250,)), p.take((250,)), p.take((500,))  # 1000, 1000, 1000, 2000 bytes
    assert (p.allocated, p.reused) == (4, 0)
    where = [address(x) for x in (a, b, c, d)]
    del a, b, c, d  # given back in that order: 5000 bytes > 3000, so the two oldest go
    assert p.idle_bytes == 3000 and idle_addresses(p) == set(where[2:])
    again = p.take((250,))  # exactly the size of an idle buffer: reused
    assert (address(again), p.reused, p.allocated) == (where[2], 1, 4)
    edge = p.take((25,))  # exactly min_bytes (100 bytes): pooled, so counted
    assert p.allocated == 5 and address(edge) not in where


def test_pool_takes_the_smallest_buffer_that_fits_within_its_slack():
    p = capture_mod.BufferPool(max_bytes=10_000, min_bytes=0, slack=2.0)
    big, small = p.take((400,)), p.take((300,))  # 1600 and 1200 bytes
    at_small = address(small)
    del big, small
    assert address(p.take((300,))) == at_small  # both fit 1200 bytes: the smaller one is taken
    wide = p.take((1000,))  # 4000 bytes
    at_wide = address(wide)
    del wide
    assert address(p.take((500,))) == at_wide  # 4000 <= 2.0 x 2000: still within the slack
    assert (p.reused, p.allocated) == (2, 3)
    d = capture_mod.BufferPool(max_bytes=10_000, min_bytes=0)  # default slack 1.25
    x = d.take((500,))
    del x
    d.take((250,))  # a 2000-byte buffer for 1000 bytes is more than 1.25x: fresh
    assert (d.reused, d.allocated) == (0, 2)


def test_pool_off_counts_nothing_and_a_tiny_bound_still_pools():
    off = capture_mod.BufferPool(max_bytes=0, min_bytes=0)
    off.take((10,))
    assert (off.allocated, off.reused) == (0, 0)
    one = capture_mod.BufferPool(max_bytes=1, min_bytes=0)
    one.take((10,))
    assert one.allocated == 1 and one.idle_bytes == 0  # taken through the pool, too big to keep


# ---------------------------------------------------------------- direct writes (softmax into the Trace)


def mode_stack_depth() -> int:
    return torch._C._len_torch_function_stack()


def hook_snapshot(model):
    return {name: (tuple(m._forward_hooks), tuple(m._forward_pre_hooks)) for name, m in model.named_modules()}


@pytest.fixture
def direct(monkeypatch):
    """Direct writes from the first token on (the app uses them from DIRECT_MIN_TOKENS)."""
    monkeypatch.setattr(capture_mod, "DIRECT_MIN_TOKENS", 1)


@pytest.fixture
def copied(monkeypatch):
    monkeypatch.setattr(capture_mod, "DIRECT_MIN_TOKENS", 10**9)


def softmax_outputs(model):
    """Record where each attention module's returned probabilities live (a hook of our own)."""
    seen, handles = [], []
    for layer in model.encoder.layer:
        handles.append(layer.attention.self.register_forward_hook(lambda m, a, out: seen.append(out[1].data_ptr())))
    return seen, handles


def test_direct_softmax_is_the_traces_buffer_and_bit_identical(bert, pool, direct):
    seen, handles = softmax_outputs(bert.model)
    try:
        trace = bc.capture(bert, A)
    finally:
        for h in handles:
            h.remove()
    # the model itself went on with the Trace's memory: nothing was copied
    assert seen == [address(trace.attentions[i]) for i in range(6)]
    np.testing.assert_array_equal(trace.attentions, reference(bert, A))
    assert mode_stack_depth() == 0 and not trace.attentions.flags.writeable


def test_with_direct_writes_a_dropped_trace_returns_its_buffer_without_the_cycle_collector(bert, pool, direct):
    gc.collect()
    gc.disable()  # only reference counting: a reference cycle through the capture's store would keep the buffer
    try:
        trace = bc.capture(bert, A)
        where = address(trace.attentions)
        del trace
        assert pool.idle_bytes > 0
        assert address(bc.capture(bert, B).attentions) == where and pool.reused == 1
    finally:
        gc.enable()


def test_direct_and_copied_captures_agree_bit_for_bit_on_long_and_paired_inputs(bert, monkeypatch):
    long = " ".join(["The river runs past the old mill and the quiet village."] * 24)  # > 256 tokens
    n = len(bert.tokenizer(long)["input_ids"])
    assert n >= capture_mod.DIRECT_MIN_TOKENS  # the default threshold: the app's path at this length
    direct = bc.capture(bert, long)
    np.testing.assert_array_equal(direct.attentions, reference(bert, long))
    monkeypatch.setattr(capture_mod, "DIRECT_MIN_TOKENS", 10**9)
    copied = bc.capture(bert, long)
    np.testing.assert_array_equal(direct.attentions, copied.attentions)
    np.testing.assert_array_equal(direct.hidden_states, copied.hidden_states)
    monkeypatch.setattr(capture_mod, "DIRECT_MIN_TOKENS", 1)
    pair = bc.capture(bert, "The cat sat on the mat.", "It purred loudly.")  # odd and even lengths
    enc = bert.tokenizer("The cat sat on the mat.", "It purred loudly.", return_tensors="pt")
    with torch.no_grad():
        out = bert.model(**enc, output_attentions=True)
    np.testing.assert_array_equal(pair.attentions, torch.stack([a[0] for a in out.attentions]).numpy())


@pytest.mark.parametrize("family", ["convbert", "distilbert", "albert", "roberta", "electra", "deberta-v2"])
def test_direct_writes_in_every_family_equal_the_copying_path(models_root, family, monkeypatch):
    lm = bc.load_model(f"tiny-{family}")
    text, text_b = "The quick brown fox jumps over the lazy dog.", "A second sentence."
    monkeypatch.setattr(capture_mod, "DIRECT_MIN_TOKENS", 10**9)
    copied = bc.capture(lm, text, text_b)
    monkeypatch.setattr(capture_mod, "DIRECT_MIN_TOKENS", 1)
    direct = bc.capture(lm, text, text_b)
    np.testing.assert_array_equal(direct.attentions, copied.attentions)
    np.testing.assert_array_equal(direct.hidden_states, copied.hidden_states)
    if copied.conv_kernels is not None:
        np.testing.assert_array_equal(direct.conv_kernels, copied.conv_kernels)
    assert mode_stack_depth() == 0


def test_a_forward_failing_inside_attention_leaves_no_mode_hook_or_lock(bert, pool, direct, monkeypatch):
    import transformers.models.bert.modeling_bert as mb

    real = mb.eager_attention_forward
    victim = bert.model.encoder.layer[3].attention.self
    calls = []

    def failing(module, *args, **kwargs):
        out = real(module, *args, **kwargs)  # layer 3's softmax has been written into the buffer
        calls.append(mode_stack_depth())
        if module is victim:
            raise RuntimeError("boom inside attention")
        return out

    before = hook_snapshot(bert.model)
    monkeypatch.setattr(mb, "eager_attention_forward", failing)
    with pytest.raises(RuntimeError, match="boom inside attention"):
        bc.capture(bert, A)
    monkeypatch.undo()
    assert calls == [1, 1, 1, 1]  # the mode was on inside each attention call, up to the failing one
    assert mode_stack_depth() == 0, "capture left its torch function mode on"
    assert hook_snapshot(bert.model) == before, "capture left hooks behind"
    assert not bert.lock.locked()
    gc.collect()
    assert pool.idle_bytes > 0  # the failed capture's buffer went back, not leaked on loan
    again = bc.capture(bert, B)
    np.testing.assert_array_equal(again.attentions, reference(bert, B))


def test_a_forward_failing_outside_attention_leaves_no_mode(bert, direct, monkeypatch):
    layer = bert.model.encoder.layer[4]

    def boom(*args, **kwargs):
        raise RuntimeError("boom in layer 4")

    monkeypatch.setattr(layer.intermediate, "forward", boom)
    with pytest.raises(RuntimeError, match="boom in layer 4"):
        bc.capture(bert, A)
    monkeypatch.undo()
    assert mode_stack_depth() == 0 and not bert.lock.locked()


def test_only_the_first_softmax_of_a_module_call_goes_to_the_buffer(bert, pool, direct, monkeypatch):
    """An attention that takes a second softmax of the same shape must not have its first
    result overwritten: the second goes to fresh memory and the returned one is copied."""
    import transformers.models.bert.modeling_bert as mb

    real = mb.eager_attention_forward

    def two_softmaxes(module, query, key, value, attention_mask, **kwargs):
        out, probs = real(module, query, key, value, attention_mask, **kwargs)
        other = torch.nn.functional.softmax(probs * 2.0, dim=-1)  # same shape, after the first
        assert other.data_ptr() != probs.data_ptr()
        return out, probs

    monkeypatch.setattr(mb, "eager_attention_forward", two_softmaxes)
    trace = bc.capture(bert, A)
    monkeypatch.undo()
    np.testing.assert_array_equal(trace.attentions, reference(bert, A))
