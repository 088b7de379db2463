"""Tests written for the mutants of bertviz_core/analysis.py that the suite let survive (issue #17,
`make mutate MODULE=analysis`). Each checks against an independent reference: the model's own
modules run forward, scipy, or a case worked out by hand."""
from __future__ import annotations

import copy
import io
import types
import warnings

import numpy as np
import pytest
import torch
from scipy import stats as sps
from scipy.spatial.distance import jensenshannon

import bertviz_core as bc
from bertviz_core.analysis import metrics as an
from bertviz_core.models.loading import LoadedModel

SENTENCE = "The quick brown fox jumps over the lazy dog."


@pytest.fixture(scope="module")
def convbert():
    return bc.load_model("convbert-minilm-l6")


# ---------------------------------------------------------------- step by step
def test_attention_walk_steps_equal_the_modules_own_forward(bert):
    """Every step the page draws, against the self-attention module run forward by transformers."""
    trace = bc.capture(bert, SENTENCE)
    layer, head, query = 2, 5, 3
    module = an.attention_module(bert, layer)
    x = torch.tensor(trace.hidden_states[layer])
    with torch.no_grad():
        context, probs = module(x[None])[:2]  # [1, T, D], [1, H, T, T]
        q_all, k_all, v_all = module.query(x), module.key(x), module.value(x)
    d = 384 // 12
    cut = slice(head * d, (head + 1) * d)
    walk = an.attention_walk(bert, trace, layer, head, query)
    assert walk["d_head"] == d
    np.testing.assert_array_equal(walk["X"], trace.hidden_states[layer])
    for name, full in (("Q", q_all), ("K", k_all), ("V", v_all)):
        np.testing.assert_allclose(walk[name], full[:, cut].numpy(), atol=1e-6)
    expected_scores = (k_all[:, cut] @ q_all[query, cut]).numpy() / np.sqrt(d)
    np.testing.assert_allclose(walk["scores"], expected_scores, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(walk["probs"], probs[0, head, query].numpy(), atol=1e-6)
    np.testing.assert_allclose(walk["context"], context[0, query, cut].numpy(), atol=1e-5)
    np.testing.assert_array_equal(walk["captured"], trace.attentions[layer, head, query])
    assert walk["max_diff"] == pytest.approx(float(np.abs(walk["probs"] - walk["captured"]).max()))
    assert walk["max_diff"] < 1e-5


def test_attention_steps_softmax_does_not_overflow():
    """Scores in the hundreds (a sharp head): the softmax must still be finite and equal torch's."""
    module = types.SimpleNamespace(attention_head_size=2)
    for name in ("query", "key", "value"):
        lin = torch.nn.Linear(4, 4, bias=False)
        with torch.no_grad():
            lin.weight.copy_(torch.eye(4) * 30)
        setattr(module, name, lin)
    x = np.array([[1.0, 0.5, 0, 0], [0.9, 0.7, 0, 0], [-1.0, 0.2, 0, 0]], dtype=np.float32)
    steps = an.attention_steps(module, x, head=0, query=1)
    assert steps["scores"].max() > 700  # exp() of it overflows float32 and float64 alike
    expected = torch.softmax(torch.tensor(steps["scores"], dtype=torch.float64), -1).numpy()
    assert np.isfinite(steps["probs"]).all()
    np.testing.assert_allclose(steps["probs"], expected, atol=1e-6)


@pytest.mark.parametrize("query", [0, 6])
def test_conv_walk_steps_equal_the_modules_own_forward(convbert, query):
    """The conv head's output is the module's own output slice (conv heads after the attention heads)."""
    trace = bc.capture(convbert, SENTENCE)
    T = len(trace)
    layer, c = 2, 3
    module = an.attention_module(convbert, layer)
    x = torch.tensor(trace.hidden_states[layer])
    with torch.no_grad():
        out = module(x[None])[0][0]                      # [T, 6 attention heads * 32 + 6 conv heads * 32]
        key_conv = module.key_conv_attn_layer(x.T[None])[0].T
        values = module.conv_out_layer(x).numpy()
    d = 32
    cut = slice(c * d, (c + 1) * d)
    walk = an.conv_walk(convbert, trace, layer, c, query)
    assert walk["d_head"] == d
    np.testing.assert_array_equal(walk["X"], trace.hidden_states[layer])
    np.testing.assert_allclose(walk["output"], out[query, 6 * d + c * d: 6 * d + (c + 1) * d].numpy(), atol=1e-5)
    np.testing.assert_allclose(walk["key_conv"], key_conv[:, cut].numpy(), atol=1e-5)
    np.testing.assert_array_equal(walk["captured"], trace.conv_kernels[layer, c, query])
    np.testing.assert_allclose(np.exp(walk["logits"]) / np.exp(walk["logits"]).sum(), walk["captured"], atol=1e-5)
    np.testing.assert_allclose(walk["kernel"], walk["captured"], atol=1e-5)
    np.testing.assert_array_equal(walk["positions"], np.arange(query - 4, query + 5))
    np.testing.assert_array_equal(walk["inside"], (walk["positions"] >= 0) & (walk["positions"] < T))
    for k, p in enumerate(walk["positions"]):
        want = values[p, cut] if 0 <= p < T else np.zeros(d)
        np.testing.assert_allclose(walk["span"][k], want, atol=1e-6)
    assert walk["max_diff"] < 1e-5 and walk["output_diff"] < 1e-5
    assert walk["max_diff"] == pytest.approx(float(np.abs(walk["kernel"] - walk["captured"]).max()))


def test_conv_walk_softmax_does_not_overflow(models_root):
    """A conv head with logits in the thousands: captured kernels are finite (torch's softmax), so the
    walk's kernel must be too."""
    tiny = bc.load_model("tiny-convbert")
    model = copy.deepcopy(tiny.model)
    for m in model.modules():
        if type(m).__name__ == "ConvBertSelfAttention":
            with torch.no_grad():
                bias = m.conv_kernel_layer.bias
                bias.copy_(torch.linspace(-3000, 3000, len(bias)) * torch.tensor([1.0, -1.0]).repeat(len(bias) // 2))
    hot = LoadedModel(id="tiny-convbert-hot", label="hot", family="convbert", model=model,
                      tokenizer=tiny.tokenizer, max_tokens=tiny.max_tokens)
    trace = bc.capture(hot, "the cat sat on the mat")
    walk = an.conv_walk(hot, trace, 0, 1, 2)
    assert np.abs(walk["logits"]).max() > 1000
    assert np.isfinite(walk["kernel"]).all()
    np.testing.assert_allclose(walk["kernel"], trace.conv_kernels[0, 1, 2], atol=1e-5)


def test_walks_say_why_they_refuse(models_root, bert):
    distil = bc.load_model("tiny-distilbert")
    with pytest.raises(ValueError) as info:
        an.attention_walk(distil, bc.capture(distil, "a b c"), 0, 0, 0)
    assert "distilbert" in str(info.value) and "query/key/value" in str(info.value)
    with pytest.raises(ValueError) as info:
        an.conv_walk(bert, bc.capture(bert, "a b c"), 0, 0, 0)
    assert str(info.value) == f"{bert.label} has no convolution heads."


def test_albert_walk_uses_its_one_shared_module_for_every_layer(models_root):
    albert = bc.load_model("tiny-albert")
    trace = bc.capture(albert, "the cat sat on the mat")
    walk = an.attention_walk(albert, trace, 1, 0, 2)  # layer 1: the same (only) module as layer 0
    np.testing.assert_allclose(walk["probs"], trace.attentions[1, 0, 2], atol=1e-5)


# ---------------------------------------------------------------- JS divergence
def test_js_divergence_float32_and_unnormalised_rows_against_scipy():
    """Traces hold float32 rows: computed in float64 all the same. scipy normalises its inputs, and so
    does js_divergence (banded conv rows sum to less than 1 at the sentence's ends)."""
    rng = np.random.default_rng(7)
    p = rng.dirichlet(np.full(12, 0.5), size=20).astype(np.float32)
    q = rng.dirichlet(np.full(12, 0.5), size=20).astype(np.float32)
    expected = np.array([jensenshannon(a.astype(np.float64), b.astype(np.float64)) ** 2 for a, b in zip(p, q)])
    np.testing.assert_allclose(an.js_divergence(p, q), expected, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(an.js_divergence(0.5 * p, q), expected, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(an.js_divergence(p, 0.25 * q), expected, rtol=1e-9, atol=1e-15)


def test_js_divergence_with_zero_weights_is_quiet():
    """Hard attention (exact zeros): no log(0) RuntimeWarning reaches the caller."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        js = an.js_divergence(np.array([[1.0, 0, 0], [0.5, 0.5, 0]]), np.array([[0, 1.0, 0], [0.5, 0.5, 0]]))
    np.testing.assert_allclose(js, [np.log(2), 0.0], atol=1e-12)


# ---------------------------------------------------------------- head matching
NAMES_A = ["L0 H0", "L0 H1", "L1 H0", "L1 H1"]
NAMES_B = ["L0 H0", "L0 H1", "L1 H0", "L1 H1"]


def test_one_to_one_without_layers_pairs_each_head_once():
    rng = np.random.default_rng(0)
    js = rng.uniform(0.1, 0.6, size=(4, 4))
    one = an.match_heads(js, NAMES_A, NAMES_B)["one_to_one"]
    assert len(one) == 4 and len({a for a, _, _ in one}) == 4 and len({b for _, b, _ in one}) == 4


def test_one_to_one_same_layer_never_crosses_layers():
    """Cross-layer pairs are the cheapest here; with same_layer they must not be chosen."""
    js = np.array([[0.5, 0.6, 0.01, 0.02],
                   [0.7, 0.4, 0.03, 0.01],
                   [0.01, 0.02, 0.5, 0.3],
                   [0.02, 0.01, 0.2, 0.6]])
    one = an.match_heads(js, NAMES_A, NAMES_B, same_layer=True)["one_to_one"]
    assert sorted(one) == sorted([("L0 H0", "L0 H0", 0.5), ("L0 H1", "L0 H1", 0.4),
                                  ("L1 H0", "L1 H1", 0.3), ("L1 H1", "L1 H0", 0.2)])


def test_one_to_one_skips_a_layer_without_values_and_avoids_forbidden_pairs():
    js = np.array([[np.nan, np.nan, 0.5, 0.5],
                   [np.nan, np.nan, 0.5, 0.5],
                   [0.5, 0.5, 0.1, np.nan],
                   [0.5, 0.5, 0.2, 0.3]])
    one = an.match_heads(js, NAMES_A, NAMES_B, same_layer=True)["one_to_one"]
    # layer 0 has no finite pair (skipped, not the end); in layer 1 the nan pair is avoided: 0.1 + 0.3
    assert sorted(one) == [("L1 H0", "L1 H0", 0.1), ("L1 H1", "L1 H1", 0.3)]


def test_closest_partners_by_hand():
    js = np.array([[0.3, 0.1, 0.2], [0.05, 0.4, 0.5]])
    assert an.closest_partners(js, ["a0", "a1"], ["b0", "b1", "b2"]) == [("a0", "b1", 0.1), ("a1", "b0", 0.05)]


# ---------------------------------------------------------------- provenance
def test_comparison_provenance_relations():
    teacher, student, free = "bert-minilm-l6", "convbert-minilm-l6", "convbert-minilm-l6-free"
    assert an.comparison_provenance(teacher, "some/other-model") == []
    assert an.comparison_provenance(student, teacher) == [
        {"side": "A", "model": student, "kind": "convbert", "teacher": teacher, "relation": "teacher"}]
    assert an.comparison_provenance(teacher, free) == [
        {"side": "B", "model": free, "kind": "convbert-free", "teacher": teacher, "relation": "teacher"}]
    both = an.comparison_provenance(student, free)
    assert [(r["side"], r["relation"]) for r in both] == [("A", "sibling"), ("B", "sibling")]
    assert [r["relation"] for r in an.comparison_provenance(student, student)] == ["same", "same"]
    assert [r["relation"] for r in an.comparison_provenance(student, "someone/model")] == ["other"]


# ---------------------------------------------------------------- summaries of a comparison
def _result(lengths, L=3, kinds_a=("attn", "attn"), kinds_b=("attn", "conv"), seed=0, L_b=None):
    """A hand-made comparison result: S sentences, L layers (L_b for B), per-sentence metrics [S, L, N]."""
    rng = np.random.default_rng(seed)
    S = len(lengths)
    per = {"metrics_a": {m: rng.uniform(0, 1, (S, L, len(kinds_a))) for m in an.METRICS},
           "metrics_b": {m: rng.uniform(0, 1, (S, L_b or L, len(kinds_b))) for m in an.METRICS},
           "baseline_a": {m: np.stack([rng.uniform(0, 1, S), np.full(S, np.nan)], 1) for m in an.METRICS},
           "baseline_b": {m: rng.uniform(0, 1, (S, 2)) for m in an.METRICS}, "js": None}
    return {"per_sentence": per, "lengths_a": np.array(lengths), "lengths_b": np.array(lengths),
            "kinds_a": list(kinds_a), "kinds_b": list(kinds_b)}


def test_group_values_by_hand():
    r = _result([5, 6, 12, 20], L=3)
    va = r["per_sentence"]["metrics_a"]["local"]
    vb = r["per_sentence"]["metrics_b"]["local"]
    np.testing.assert_allclose(an.group_values(r, "a", "local", "attn"), va.reshape(4, -1).mean(1))
    np.testing.assert_allclose(an.group_values(r, "b", "local", "attn"), vb[:, :, 0].mean(1))
    np.testing.assert_allclose(an.group_values(r, "b", "local", "conv"), vb[:, :, 1].mean(1))
    np.testing.assert_allclose(an.group_values(r, "b", "local", "conv", layer=2), vb[:, 2, 1])  # layer 2 < 3 layers
    assert an.group_values(r, "a", "local", "conv") is None      # A has no conv heads
    assert an.group_values(r, "a", "local", "attn", layer=3) is None  # no layer 3


def test_summary_rows_by_hand():
    """Three layers (more than the two heads), two length strata; each row against scipy."""
    r = _result([5, 6, 7, 12, 14, 15], L=3)
    rows = an.summary_rows(r, ["distance"])
    assert {row["layer"] for row in rows} == {"all", 0, 1, 2}
    # A has no conv heads but B has: conv rows exist (A's side nan); no model lacks attention heads
    assert {(row["group"], row["length"]) for row in rows} == {
        (g, s) for g in ("attn", "conv") for s in ("all", "1-8", "9-16")}
    row = next(x for x in rows if x["layer"] == 2 and x["group"] == "attn" and x["length"] == "9-16")
    a = r["per_sentence"]["metrics_a"]["distance"][3:, 2].mean(1)
    b = r["per_sentence"]["metrics_b"]["distance"][3:, 2, 0]
    lo, hi = sps.t.interval(0.95, 2, loc=a.mean(), scale=sps.sem(a))
    assert row["metric"] == "distance" and row["n"] == 3
    assert (row["a_mean"], row["a_low"], row["a_high"]) == pytest.approx((a.mean(), lo, hi))
    assert row["b_mean"] == pytest.approx(b.mean())
    assert row["diff_mean"] == pytest.approx((a - b).mean())
    assert row["p_value"] == pytest.approx(sps.ttest_rel(a, b).pvalue)
    # the uniform baseline of the row's own head kind, over the row's sentences
    assert row["a_uniform"] == pytest.approx(r["per_sentence"]["baseline_a"]["distance"][3:, 0].mean())
    conv = next(x for x in rows if x["layer"] == "all" and x["group"] == "conv" and x["length"] == "1-8")
    assert conv["b_uniform"] == pytest.approx(r["per_sentence"]["baseline_b"]["distance"][:3, 1].mean())
    assert np.isnan(conv["a_mean"]) and np.isnan(conv["a_uniform"]) and np.isnan(conv["diff_mean"])


def test_summary_rows_leave_out_a_group_neither_model_has():
    rows = an.summary_rows(_result([5, 6, 7], kinds_b=("attn", "attn")), ["local"])
    assert {row["group"] for row in rows} == {"attn"}


def test_extreme_sentences_by_hand():
    assert an.extreme_sentences([0.2, np.nan, 0.9, 0.1]) == (2, 3)
    assert an.extreme_sentences([np.nan, np.nan]) == (0, 0)


# ---------------------------------------------------------------- the .npz download
def test_npz_holds_every_array_of_the_comparison_without_pickles(models_root):
    tiny_a, tiny_b = bc.load_model("tiny-bert"), bc.load_model("tiny-roberta")  # WordPiece vs BPE: words
    sentences = ["The quick brown fox.", "Tokenizers disagree about words."]
    result = an.compare_many(tiny_a, tiny_b, sentences, max_rows=8, exclude_special=True)
    assert result["by_words"]
    saved = np.load(io.BytesIO(an.comparison_to_npz(result, {"seed": 3, "method": "first"})), allow_pickle=False)
    per = result["per_sentence"]
    expected = {"sentences": sentences, "lengths_a": result["lengths_a"], "lengths_b": result["lengths_b"],
                "names_a": result["names_a"], "names_b": result["names_b"], "kinds_a": result["kinds_a"],
                "kinds_b": result["kinds_b"], "model_a": tiny_a.id, "model_b": tiny_b.id,
                "exclude_special": True, "js": per["js"], "cka": result["cka"], "info__seed": 3,
                "info__method": "first"}
    for side in "ab":
        for m in an.METRICS:
            expected[f"metrics_{side}__{m}"] = per[f"metrics_{side}"][m]
            expected[f"baseline_{side}__{m}"] = per[f"baseline_{side}"][m]
    assert sorted(saved.files) == sorted(expected)
    for key, want in expected.items():
        got = saved[key]
        assert got.dtype != object, key
        if got.dtype.kind in "US":
            assert got.tolist() == want, key
        else:
            np.testing.assert_array_equal(got, want, err_msg=key)


def test_npz_without_matching_has_no_js_or_cka(models_root):
    tiny = bc.load_model("tiny-bert")
    result = an.compare_many(tiny, tiny, ["a b c"], matching=False)
    saved = np.load(io.BytesIO(an.comparison_to_npz(result)), allow_pickle=False)
    assert "js" not in saved.files and "cka" not in saved.files
    assert not any(k.startswith("info__") for k in saved.files)


# ---------------------------------------------------------------- special tokens
class _Trace:
    def __init__(self, special):
        self.special = special

    def __len__(self):
        return 4


def test_special_units_by_hand():
    np.testing.assert_array_equal(an.special_units(_Trace((True, False, False, True)), None),
                                  [True, False, False, True])
    # a word group is special only if every token in it is
    np.testing.assert_array_equal(an.special_units(_Trace((True, False, True, True)), [[0], [1, 2], [3]]),
                                  [True, False, True])
    np.testing.assert_array_equal(an.special_units(_Trace(()), None), [False] * 4)  # no mask: nothing special


def test_metrics_with_every_token_special_excluded_are_nan():
    out = an.head_metrics(np.stack([np.eye(2), np.eye(2)]), ["[CLS]", "[SEP]"], (True, True), exclude_special=True)
    assert set(out) == set(an.METRICS)
    for v in out.values():
        assert v.shape == (2,) and np.isnan(v).all()


# ---------------------------------------------------------------- CKA
def test_cka_scale_free_float64_and_zero_without_variance():
    rng = np.random.default_rng(11)
    x = rng.normal(size=(30, 6))
    y = x @ rng.normal(size=(6, 4)) + 0.5 * rng.normal(size=(30, 4))
    assert an.linear_cka(1e-3 * x, 1e-3 * x) == pytest.approx(1.0)  # tiny norms: still a similarity of 1
    assert an.linear_cka(1e-3 * x, 2e-3 * y) == pytest.approx(an.linear_cka(x, y))
    # float32 states (what traces hold) are computed in float64: the HSIC form in float64 as reference
    x32, y32 = (x + 40).astype(np.float32), (y - 25).astype(np.float32)
    H = np.eye(30) - 1 / 30
    K, L = x32.astype(np.float64) @ x32.T.astype(np.float64), y32.astype(np.float64) @ y32.T.astype(np.float64)
    hsic = lambda a, b: np.trace(a @ H @ b @ H)  # noqa: E731
    assert an.linear_cka(x32, y32) == pytest.approx(hsic(K, L) / np.sqrt(hsic(K, K) * hsic(L, L)), rel=1e-10)
    # a representation that does not vary (one token, or a constant layer): 0, never nan
    assert an.cka_matrix(np.ones((1, 30, 6)), x[None]).tolist() == [[0.0]]
    assert an.cka_matrix(x[None], np.full((1, 30, 4), 7.0)).tolist() == [[0.0]]


def test_cka_accumulator_stays_exact_with_large_per_dimension_offsets():
    """Real hidden states have a few huge dimensions: the running sums are shifted per dimension (float32
    products), so the result still equals the float64 definition."""
    rng = np.random.default_rng(12)
    off_a = np.array([1e4, -3e3, 0.0, 5e3, 1.0, -8e3])
    off_b = np.array([-2e4, 7e3, 3.0, 0.0, 9e3])
    xa = (rng.normal(size=(2, 200, 6)) + off_a).astype(np.float32)
    xb = (rng.normal(size=(3, 200, 5)) + off_b).astype(np.float32)
    xb[1] += 0.5 * xa[0, :, :5] - off_a[:5].astype(np.float32)  # one related pair of layers
    acc = an._CKAAccumulator()
    for start in range(0, 200, 50):
        acc.add(xa[:, start:start + 50], xb[:, start:start + 50])
    assert acc.mode == "gram"
    want = an.cka_matrix(xa.astype(np.float64), xb.astype(np.float64))
    assert want[0, 1] > 0.1
    np.testing.assert_allclose(acc.matrix(), want, atol=1e-4)
    # tiny states (norms far below 1) and a layer that does not vary: as cka_matrix, 0 for the latter
    small = an._CKAAccumulator()
    flat = np.zeros((1, 200, 4), np.float32)
    small.add(1e-3 * xa[:, :, :3] - 1e-3 * off_a[:3].astype(np.float32), np.concatenate([flat, 1e-3 * xb[:1, :, :4]]))
    want = an.cka_matrix(1e-3 * xa[:, :, :3].astype(np.float64) - 1e-3 * off_a[:3],
                         np.concatenate([flat, 1e-3 * xb[:1, :, :4]]).astype(np.float64))
    assert want[:, 0].tolist() == [0.0, 0.0] and want[0, 1] > 0
    np.testing.assert_allclose(small.matrix(), want, atol=1e-5)


def test_cka_accumulator_memory_modes_switch_exactly_at_their_bounds():
    """gram: its float64 sums (the cross sum twice: one product temporary) plus a full float32 buffer
    must fit max_bytes; raw: every state kept must fit; else off."""
    rng = np.random.default_rng(13)
    chunks = [(rng.normal(size=(3, n, 8)).astype(np.float32), rng.normal(size=(2, n, 5)).astype(np.float32))
              for n in (4, 9, 2, 7)]
    probe = an._CKAAccumulator(2**40)
    probe.add(*chunks[0])
    per_unit = (chunks[0][0].nbytes + chunks[0][1].nbytes) // 4
    need = probe.aa.nbytes + probe.bb.nbytes + 2 * probe.ab.nbytes + probe.FLUSH_UNITS * per_unit
    for budget, mode in ((need, "gram"), (need - 1, "raw")):
        acc = an._CKAAccumulator(budget)
        acc.add(*chunks[0])
        assert acc.mode == mode, budget
    every_state = sum(a.nbytes + b.nbytes for a, b in chunks)  # 2992 bytes
    for budget, mode in ((every_state, "raw"), (every_state - 1, "off")):
        acc = an._CKAAccumulator(budget)
        for a, b in chunks:
            acc.add(a, b)
        assert acc.mode == mode, budget
        assert (acc.matrix() is None) == (mode == "off")


# ---------------------------------------------------------------- JS over kept units, compare_traces
def test_units_js_keeps_units_and_samples_rows():
    rng = np.random.default_rng(14)
    a, b = rng.dirichlet(np.ones(6), size=(2, 6)), rng.dirichlet(np.ones(6), size=(3, 6))
    keep = np.array([False, True, True, False, True, True])
    idx = np.flatnonzero(keep)

    def brute(rows):
        return np.array([[an.js_divergence(ha[np.ix_(rows, idx)], hb[np.ix_(rows, idx)]).mean() for hb in b]
                         for ha in a])

    np.testing.assert_allclose(an.units_js(a, b, keep), brute(idx), atol=2e-6)
    np.testing.assert_allclose(an.units_js(a, b, keep, max_rows=2), brute(idx[[0, 3]]), atol=2e-6)  # first, last
    one = np.zeros(6, bool)
    one[2] = True  # a single kept unit: one row, one column, identical distributions
    np.testing.assert_allclose(an.units_js(a, b, one), np.zeros((2, 3)), atol=1e-7)
    none = an.units_js(a, b, np.zeros(6, bool))
    assert none.shape == (2, 3) and np.isnan(none).all()


def test_compare_traces_passes_matching_and_exclude_special_on(bert, convbert):
    pair = (bc.capture(bert, SENTENCE), bc.capture(convbert, SENTENCE))
    plain = an.compare_traces([pair], matching=False)
    assert "js" not in plain and plain["per_sentence"]["js"] is None and not plain["exclude_special"]
    assert np.isfinite(plain["metrics_a"]["cls"]).all()
    excl = an.compare_traces([pair], exclude_special=True)
    assert excl["exclude_special"] and np.isnan(excl["metrics_a"]["cls"]).all()
    assert excl["js"].shape == (6 * 12, 6 * 12)


def test_summary_rows_confidence_and_paired_interval():
    r = _result([5, 6, 7, 8, 12, 14], L=2, seed=3)
    row = next(x for x in an.summary_rows(r, ["entropy"], confidence=0.8)
               if x["layer"] == 1 and x["group"] == "attn" and x["length"] == "all")
    a = r["per_sentence"]["metrics_a"]["entropy"][:, 1].mean(1)
    b = r["per_sentence"]["metrics_b"]["entropy"][:, 1, 0]
    assert (row["a_low"], row["a_high"]) == pytest.approx(sps.t.interval(0.8, 5, loc=a.mean(), scale=sps.sem(a)))
    d = a - b
    assert (row["diff_low"], row["diff_high"]) == pytest.approx(sps.t.interval(0.8, 5, loc=d.mean(), scale=sps.sem(d)))


# ---------------------------------------------------------------- metrics against a loop over the definition
def _ref_metrics(rows_of_weights, tokens, special, exclude):
    """The METRICS by their definition, one row at a time. rows_of_weights(i) -> [(key position j or None
    for padding, offset j - i, weight)]: attention rows list every token, kernels their 9 offsets."""
    T = len(tokens)
    out = {k: [] for k in an.METRICS}
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
        out["punct"].append(sum(w for j, _, w in cells if j is not None and an.is_punct(tokens[j])))
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
    return _ref_metrics(lambda i: [(i + o if 0 <= i + o < T else None, o, kernel[i, o + h]) for o in range(-h, h + 1)],
                        tokens, special, exclude)


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
    got = an.kernel_metrics(kernels, TOKENS5, SPECIAL5, exclude_special=exclude)
    for layer in range(2):
        for head in range(3):
            want = _ref_kernel(kernels[layer, head].astype(np.float64), TOKENS5, SPECIAL5, exclude)
            for k in an.METRICS:
                np.testing.assert_allclose(got[k][layer, head], want[k], rtol=1e-5, atol=1e-6, err_msg=k)


def test_kernel_metrics_of_a_one_offset_kernel_and_with_every_row_special():
    ones = np.ones((4, 1), np.float32)  # K = 1: all weight on the token itself
    got = an.kernel_metrics(ones[None], ["a", "b", "c", "d"], (False,) * 4)
    assert {k: float(v[0]) for k, v in got.items() if k != "entropy_norm"} == {
        "entropy": 0.0, "distance": 0.0, "local": 1.0, "cls": 0.0, "sep": 0.0, "punct": 0.0, "self": 1.0,
        "prev": 0.0, "next": 0.0}
    nan = an.kernel_metrics(np.full((3, 2, 9), 1 / 9, np.float32), ["[CLS]", "[SEP]"], (True, True), True)
    assert all(v.shape == (3,) and np.isnan(v).all() for v in nan.values())


@pytest.mark.parametrize("exclude", [False, True])
def test_head_metrics_equal_their_definition(exclude):
    rng = np.random.default_rng(22)
    attn = rng.dirichlet(np.full(5, 0.4), size=(3, 5)).astype(np.float32)  # [heads, T, T]
    got = an.head_metrics(attn, TOKENS5, SPECIAL5, exclude_special=exclude)
    for head in range(3):
        want = _ref_attention(attn[head].astype(np.float64), TOKENS5, SPECIAL5, exclude)
        for k in an.METRICS:
            np.testing.assert_allclose(got[k][head], want[k], rtol=1e-5, atol=1e-6, err_msg=k)


@pytest.mark.parametrize("exclude", [False, True])
def test_uniform_baseline_is_the_metrics_of_uniform_weights(convbert, exclude):
    trace = bc.capture(convbert, "Hi, there!")
    T = len(trace)
    base = an.uniform_baseline(trace, exclude_special=exclude)
    want_attn = _ref_attention(np.full((T, T), 1 / T), trace.tokens, trace.special, exclude)
    want_conv = _ref_kernel(np.full((T, 9), 1 / 9), trace.tokens, trace.special, exclude)
    assert set(base) == {"attn", "conv"}
    for k in an.METRICS:
        np.testing.assert_allclose(base["attn"][k], want_attn[k], rtol=1e-5, atol=1e-7, err_msg=k)
        np.testing.assert_allclose(base["conv"][k], want_conv[k], rtol=1e-5, atol=1e-7, err_msg=k)


def test_trace_metrics_and_head_names_of_a_convbert(convbert):
    trace = bc.capture(convbert, "Hi, there!")
    m = an.trace_metrics(trace)  # default: special tokens included
    assert m["cls"].shape == (6, 12) and np.isfinite(m["cls"]).all()
    for k in an.METRICS:  # conv slots: the kernels' metrics with the trace's own special mask
        want = _ref_kernel(trace.conv_kernels[4, 2].astype(np.float64), trace.tokens, trace.special, False)[k]
        np.testing.assert_allclose(m[k][4, 6 + 2], want, rtol=1e-5, atol=1e-6, err_msg=k)
    names = an.head_names(trace)
    assert names[:13] == [f"L0 H{h}" for h in range(6)] + [f"L0 C{c}" for c in range(6)] + ["L1 H0"]
    assert len(names) == 72 and names[-1] == "L5 C5"


# ---------------------------------------------------------------- the accumulator, piece by piece
def test_comparison_accumulator_per_sentence_pieces(bert, convbert):
    """Per sentence: metrics, baselines (conv column nan for BERT), lengths and JS over non-special rows
    and columns (token-aligned models), against the pieces computed directly."""
    texts = ["Hi, there!", "The cat sat on the mat."]
    pairs = [(bc.capture(bert, t), bc.capture(convbert, t)) for t in texts]
    acc = an.ComparisonAccumulator(exclude_special=True, max_rows=None)
    for a, b in pairs:
        acc.add(a, b)
    r = acc.result()
    per = r["per_sentence"]
    assert r["matching"] and r["exclude_special"] and not r["by_words"]
    assert r["lengths_a"].tolist() == [len(a) for a, _ in pairs] and r["lengths_b"].tolist() == r["lengths_a"].tolist()
    for s, (a, b) in enumerate(pairs):
        for k in ("entropy", "local", "punct"):
            np.testing.assert_allclose(per["metrics_a"][k][s], an.trace_metrics(a, True)[k], atol=1e-6)
            np.testing.assert_allclose(per["metrics_b"][k][s], an.trace_metrics(b, True)[k], atol=1e-6)
            assert np.isnan(per["baseline_a"][k][s, 1])  # BERT has no conv heads
            assert per["baseline_b"][k][s].tolist() == pytest.approx(
                [an.uniform_baseline(b, True)["attn"][k], an.uniform_baseline(b, True)["conv"][k]])
        keep = np.flatnonzero(~np.asarray(a.special))
        ha = an.all_heads(a)[0].reshape(-1, len(a), len(a))[:, keep][:, :, keep]
        hb = an.all_heads(b)[0].reshape(-1, len(b), len(b))[:, keep][:, :, keep]
        for i, j in ((0, 0), (5, 70), (71, 3)):
            np.testing.assert_allclose(per["js"][s][i, j], an.js_divergence(ha[i], hb[j]).mean(), atol=2e-6)
    with pytest.raises(ValueError, match="^Every sentence pair must come from the same two models.$"):
        acc.add(pairs[0][1], pairs[0][0])
    with pytest.raises(ValueError, match="^No sentences to compare.$"):
        an.ComparisonAccumulator().result()
    defaults = an.ComparisonAccumulator()
    assert defaults.matching and not defaults.exclude_special and defaults.max_rows is None


def test_by_words_stays_true_once_a_sentence_needed_words(bert):
    import dataclasses

    a1, a2 = bc.capture(bert, "Hi, there!"), bc.capture(bert, "The cat sat.")
    b1 = dataclasses.replace(a1, tokens=[t.upper() for t in a1.tokens])  # other pieces, same words
    acc = an.ComparisonAccumulator()
    acc.add(a1, b1)
    acc.add(a2, a2)  # token by token
    assert acc.result()["by_words"]


def test_summary_rows_cover_the_deeper_model_layers():
    """Models of different depths (more layers than heads): rows for every layer of the deeper one."""
    for la, lb in ((3, 2), (2, 3)):
        rows = an.summary_rows(_result([5, 6, 7], L=la, L_b=lb), ["self"])
        assert {row["layer"] for row in rows} == {"all", 0, 1, 2}, (la, lb)
        shallow = "a" if la < lb else "b"
        last = next(x for x in rows if x["layer"] == 2 and x["group"] == "attn")
        assert np.isnan(last[f"{shallow}_mean"]) and np.isnan(last["diff_mean"])


def test_compare_many_reports_skipped_sentences_and_progress(bert, convbert):
    calls = []
    out = an.compare_many(bert, convbert, ["Hi there.", "   ", "The cat sat."],
                          progress=lambda i, n: calls.append((i, n)))
    assert out["skipped"] == [(1, "   ", "The sentence is empty.")]
    assert calls == [(0, 1), (1, 1), (2, 2)] and out["sentences"] == ["Hi there.", "The cat sat."]


def test_cka_gives_up_with_a_reason_in_megabytes():
    acc = an._CKAAccumulator(3 * 2**20 + 12345)
    acc.add(np.zeros((2, 600, 700), np.float32), np.zeros((2, 600, 700), np.float32))  # 6.7 MB of states
    assert acc.mode == "off" and acc.matrix() is None
    assert acc.skipped == "the hidden states of these models need more than 3 MB"


def test_cka_buffer_is_flushed_once_it_holds_flush_units(monkeypatch):
    """The float32 buffer never holds FLUSH_UNITS tokens or more after an add (its memory is bounded)."""
    monkeypatch.setattr(an._CKAAccumulator, "FLUSH_UNITS", 5)
    rng = np.random.default_rng(15)
    chunks = [(rng.normal(size=(2, 3, 4)).astype(np.float32), rng.normal(size=(2, 3, 3)).astype(np.float32))
              for _ in range(4)]
    acc = an._CKAAccumulator()
    for a, b in chunks:
        acc.add(a, b)
        assert acc.mode == "gram" and sum(x.shape[1] for x in acc.raw_a) < 5
    want = an.cka_matrix(np.concatenate([a for a, _ in chunks], 1), np.concatenate([b for _, b in chunks], 1))
    np.testing.assert_allclose(acc.matrix(), want, atol=1e-6)


def test_js_keeps_special_tokens_unless_asked(bert, convbert):
    a, b = bc.capture(bert, "Hi, there!"), bc.capture(convbert, "Hi, there!")
    r = an.compare_traces([(a, b)])
    T = len(a)
    ha, hb = an.all_heads(a)[0].reshape(-1, T, T), an.all_heads(b)[0].reshape(-1, T, T)
    for i, j in ((0, 0), (5, 70)):
        np.testing.assert_allclose(r["js"][i, j], an.js_divergence(ha[i], hb[j]).mean(), atol=2e-6)


# ---------------------------------------------------------------- second round (survivors of the full run)
def test_trace_metrics_attention_heads_use_the_traces_special_tokens(bert):
    """[CLS] and [SEP] mass of an attention head: the columns of the trace's own special tokens."""
    trace = bc.capture(bert, "Hi, there!")
    m = an.trace_metrics(trace)
    att = trace.attentions[3, 5].astype(np.float64)
    want = _ref_attention(att, trace.tokens, trace.special, False)
    for k in an.METRICS:
        np.testing.assert_allclose(m[k][3, 5], want[k], rtol=1e-5, atol=1e-6, err_msg=k)
    assert m["cls"][3, 5] == pytest.approx(att[:, 0].mean(), rel=1e-5)
    assert m["sep"][3, 5] == pytest.approx(att[:, -1].mean(), rel=1e-5)
    T = len(trace)  # uniform baseline, special tokens included by default: [CLS] gets 1/T of every row
    assert an.uniform_baseline(trace)["attn"]["cls"] == pytest.approx(1 / T, rel=1e-5)


def test_word_groups_of_a_sentence_pair(bert):
    t = bc.capture(bert, "Hi there", "Good dogs.")
    groups, labels = an.word_groups(t)
    assert labels == ["[CLS]", "Hi", "there", "[SEP]", "Good", "dogs.", "[SEP]"]
    assert [[t.tokens[i] for i in g] for g in groups][4:6] == [["good"], ["dogs", "."]]


def test_is_punct_strips_word_markers_from_the_left_only():
    tokens = ["Ġ,", "▁!", "##.", "，", "Ġ", ",Ġ", "X,", "a."]
    assert [an.is_punct(t) for t in tokens] == [True, True, True, True, False, False, False, False]


def test_alignment_of_differently_cut_texts_says_why(models_root):
    bert, roberta = bc.load_model("tiny-bert"), bc.load_model("tiny-roberta")
    text = " ".join(["tokenisation disagrees"] * 40)  # both cut at 64 tokens, at different words
    a, b = bc.capture(bert, text), bc.capture(roberta, text)
    with pytest.raises(ValueError) as info:
        an.alignment(a, b)
    assert str(info.value) == ("The two models kept different parts of the text (one truncated it), so their "
                               "words cannot be aligned. Try a shorter text.")


def test_compare_traces_means_over_sentences_and_settings(bert, convbert):
    texts = ["Hi, there!", "The cat sat on the mat."]
    pairs = [(bc.capture(bert, t), bc.capture(convbert, t)) for t in texts]
    r = an.compare_traces(pairs, max_rows=8)
    for side, model in (("metrics_a", 0), ("metrics_b", 1)):
        for k in ("entropy", "cls", "local"):
            want = np.mean([an.trace_metrics(p[model])[k] for p in pairs], axis=0)
            assert r[side][k].shape == want.shape
            np.testing.assert_allclose(r[side][k], want, rtol=1e-6, atol=1e-9, err_msg=f"{side} {k}")
    assert (r["max_rows"], r["matching"], r["cka_skipped"]) == (8, True, "")
    per = an.compare_traces(pairs, matching=False, exclude_special=True)["per_sentence"]
    for s, (a, b) in enumerate(pairs):  # each side's uniform baseline with the specials left out too
        assert per["baseline_a"]["entropy"][s, 0] == pytest.approx(an.uniform_baseline(a, True)["attn"]["entropy"])
        assert per["baseline_b"]["entropy"][s, 1] == pytest.approx(an.uniform_baseline(b, True)["conv"]["entropy"])


def test_head_metrics_without_a_special_mask_and_with_one_word_left():
    """By hand. No mask given: no token is special, so nothing counts as [CLS]/[SEP] mass. One word between
    two specials, specials excluded: its row renormalises onto itself (entropy 0, distance 0, self 1)."""
    attn = np.array([[0.5, 0.25, 0.25], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8]])
    m = an.head_metrics(attn, ["[CLS]", "a", "[SEP]"])
    assert (float(m["cls"]), float(m["sep"])) == (0.0, 0.0)
    assert float(m["self"]) == pytest.approx((0.5 + 0.6 + 0.8) / 3)
    one = an.head_metrics(attn, ["[CLS]", "a", "[SEP]"], (True, False, True), exclude_special=True)
    assert (float(one["entropy"]), float(one["distance"]), float(one["self"])) == pytest.approx((0.0, 0.0, 1.0))
