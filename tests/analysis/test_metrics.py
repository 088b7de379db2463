"""Per-head metrics (bertviz_core.analysis.metrics) against a loop over their definition, one row at a time:
attention heads, ConvBERT's kernels, the uniform baseline, a trace's heads in order, and cases by hand."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import bertviz_core as bc
from bertviz_core.analysis import metrics


# ---------------------------------------------------------------- metrics against a loop over the definition
def _ref_metrics(rows_of_weights, tokens, special, exclude):
    """The METRICS by their definition, one row at a time. rows_of_weights(i) -> [(key position j or None
    for padding, offset j - i, weight)]: attention rows list every token, kernels their 9 offsets."""
    T = len(tokens)
    out = {k: [] for k in metrics.METRICS}
    for i in range(T):
        if exclude and special[i]:
            continue
        cells = [(j, o, w) for j, o, w in rows_of_weights(i) if not (exclude and (j is None or special[j]))]
        total = sum(w for _, _, w in cells)
        cells = [(j, o, w / total if exclude else w) for j, o, w in cells]
        ent = -sum(w * np.log(w) for _, _, w in cells if w > 0)
        out["entropy"].append(ent)
        out["entropy_norm"].append(ent / np.log(len(cells)) if len(cells) > 1 else np.nan)
        out["distance"].append(sum(w * abs(o) for _, o, w in cells))
        out["local"].append(sum(w for _, o, w in cells if abs(o) <= 4))
        out["cls"].append(sum(w for j, _, w in cells if j == 0 and special[0]))
        out["sep"].append(sum(w for j, _, w in cells if j is not None and j > 0 and special[j]))
        out["punct"].append(sum(w for j, _, w in cells if j is not None and metrics.is_punct(tokens[j])))
        out["self"].append(sum(w for _, o, w in cells if o == 0))
        out["prev"].append(sum(w for j, o, w in cells if o == -1 and j is not None))
        out["next"].append(sum(w for j, o, w in cells if o == 1 and j is not None))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = {k: float(np.nanmean(v)) for k, v in out.items()}
    if exclude:
        res["cls"] = res["sep"] = np.nan
    return res


def _ref_kernel(kernel, tokens, special, exclude):
    T, K = kernel.shape
    h = K // 2
    return _ref_metrics(
        lambda i: [(i + o if 0 <= i + o < T else None, o, kernel[i, o + h]) for o in range(-h, h + 1)],
        tokens,
        special,
        exclude,
    )


def _ref_attention(attn, tokens, special, exclude):
    T = len(tokens)
    return _ref_metrics(lambda i: [(j, j - i, attn[i, j]) for j in range(T)], tokens, special, exclude)


TOKENS5 = ["[CLS]", "hi", ",", "there", "[SEP]"]


SPECIAL5 = (True, False, False, False, True)


@pytest.mark.parametrize("exclude", [False, True])
def test_kernel_metrics_equal_their_definition(exclude):
    """Five tokens (fewer than the kernel's nine offsets, so weight falls on padding at both ends) and
    lopsided kernels: every metric of every head against a loop over the definition."""
    rng = np.random.default_rng(21)
    kernels = rng.dirichlet(np.full(9, 0.3), size=(2, 3, 5)).astype(np.float32)  # [layers, heads, T, K]
    got = metrics.kernel_metrics(kernels, TOKENS5, SPECIAL5, exclude_special=exclude)
    for layer in range(2):
        for head in range(3):
            want = _ref_kernel(kernels[layer, head].astype(np.float64), TOKENS5, SPECIAL5, exclude)
            for k in metrics.METRICS:
                np.testing.assert_allclose(got[k][layer, head], want[k], rtol=1e-5, atol=1e-6, err_msg=k)


def test_kernel_metrics_of_a_one_offset_kernel_and_with_every_row_special():
    ones = np.ones((4, 1), np.float32)  # K = 1: all weight on the token itself
    got = metrics.kernel_metrics(ones[None], ["a", "b", "c", "d"], (False,) * 4)
    assert {k: float(v[0]) for k, v in got.items() if k != "entropy_norm"} == {
        "entropy": 0.0,
        "distance": 0.0,
        "local": 1.0,
        "cls": 0.0,
        "sep": 0.0,
        "punct": 0.0,
        "self": 1.0,
        "prev": 0.0,
        "next": 0.0,
    }
    nan = metrics.kernel_metrics(np.full((3, 2, 9), 1 / 9, np.float32), ["[CLS]", "[SEP]"], (True, True), True)
    assert all(v.shape == (3,) and np.isnan(v).all() for v in nan.values())


@pytest.mark.parametrize("exclude", [False, True])
def test_head_metrics_equal_their_definition(exclude):
    rng = np.random.default_rng(22)
    attn = rng.dirichlet(np.full(5, 0.4), size=(3, 5)).astype(np.float32)  # [heads, T, T]
    got = metrics.head_metrics(attn, TOKENS5, SPECIAL5, exclude_special=exclude)
    for head in range(3):
        want = _ref_attention(attn[head].astype(np.float64), TOKENS5, SPECIAL5, exclude)
        for k in metrics.METRICS:
            np.testing.assert_allclose(got[k][head], want[k], rtol=1e-5, atol=1e-6, err_msg=k)


@pytest.mark.parametrize("exclude", [False, True])
def test_uniform_baseline_is_the_metrics_of_uniform_weights(convbert, exclude):
    trace = bc.capture(convbert, "Hi, there!")
    T = len(trace)
    base = metrics.uniform_baseline(trace, exclude_special=exclude)
    want_attn = _ref_attention(np.full((T, T), 1 / T), trace.tokens, trace.special, exclude)
    want_conv = _ref_kernel(np.full((T, 9), 1 / 9), trace.tokens, trace.special, exclude)
    assert set(base) == {"attn", "conv"}
    for k in metrics.METRICS:
        np.testing.assert_allclose(base["attn"][k], want_attn[k], rtol=1e-5, atol=1e-7, err_msg=k)
        np.testing.assert_allclose(base["conv"][k], want_conv[k], rtol=1e-5, atol=1e-7, err_msg=k)


def test_trace_metrics_and_head_names_of_a_convbert(convbert):
    trace = bc.capture(convbert, "Hi, there!")
    m = metrics.trace_metrics(trace)  # default: special tokens included
    assert m["cls"].shape == (6, 12) and np.isfinite(m["cls"]).all()
    for k in metrics.METRICS:  # conv slots: the kernels' metrics with the trace's own special mask
        want = _ref_kernel(trace.conv_kernels[4, 2].astype(np.float64), trace.tokens, trace.special, False)[k]
        np.testing.assert_allclose(m[k][4, 6 + 2], want, rtol=1e-5, atol=1e-6, err_msg=k)
    names = metrics.head_names(trace)
    assert names[:13] == [f"L0 H{h}" for h in range(6)] + [f"L0 C{c}" for c in range(6)] + ["L1 H0"]
    assert len(names) == 72 and names[-1] == "L5 C5"


def test_trace_metrics_attention_heads_use_the_traces_special_tokens(bert):
    """[CLS] and [SEP] mass of an attention head: the columns of the trace's own special tokens."""
    trace = bc.capture(bert, "Hi, there!")
    m = metrics.trace_metrics(trace)
    att = trace.attentions[3, 5].astype(np.float64)
    want = _ref_attention(att, trace.tokens, trace.special, False)
    for k in metrics.METRICS:
        np.testing.assert_allclose(m[k][3, 5], want[k], rtol=1e-5, atol=1e-6, err_msg=k)
    assert m["cls"][3, 5] == pytest.approx(att[:, 0].mean(), rel=1e-5)
    assert m["sep"][3, 5] == pytest.approx(att[:, -1].mean(), rel=1e-5)
    T = len(trace)  # uniform baseline, special tokens included by default: [CLS] gets 1/T of every row
    assert metrics.uniform_baseline(trace)["attn"]["cls"] == pytest.approx(1 / T, rel=1e-5)


# ---------------------------------------------------------------- by hand
def test_head_metrics_without_a_special_mask_and_with_one_word_left():
    """By hand. No mask given: no token is special, so nothing counts as [CLS]/[SEP] mass. One word between
    two specials, specials excluded: its row renormalises onto itself (entropy 0, distance 0, self 1)."""
    attn = np.array([[0.5, 0.25, 0.25], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8]])
    m = metrics.head_metrics(attn, ["[CLS]", "a", "[SEP]"])
    assert (float(m["cls"]), float(m["sep"])) == (0.0, 0.0)
    assert float(m["self"]) == pytest.approx((0.5 + 0.6 + 0.8) / 3)
    one = metrics.head_metrics(attn, ["[CLS]", "a", "[SEP]"], (True, False, True), exclude_special=True)
    assert (float(one["entropy"]), float(one["distance"]), float(one["self"])) == pytest.approx((0.0, 0.0, 1.0))


def test_metrics_with_every_token_special_excluded_are_nan():
    out = metrics.head_metrics(np.stack([np.eye(2), np.eye(2)]), ["[CLS]", "[SEP]"], (True, True), exclude_special=True)
    assert set(out) == set(metrics.METRICS)
    for v in out.values():
        assert v.shape == (2,) and np.isnan(v).all()


def test_is_punct_strips_word_markers_from_the_left_only():
    tokens = ["Ġ,", "▁!", "##.", "，", "Ġ", ",Ġ", "X,", "a."]
    assert [metrics.is_punct(t) for t in tokens] == [True, True, True, True, False, False, False, False]
