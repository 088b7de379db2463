"""Model A against model B (bertviz_core.analysis.compare): JS divergence against scipy, head matching, the
per-sentence pieces of a comparison against the pieces computed directly, and compare_traces / compare_many."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon

import bertviz_core as bc
from bertviz_core.analysis import compare, metrics

SENTENCE = "The quick brown fox jumps over the lazy dog."


# ---------------------------------------------------------------- JS divergence
def test_js_divergence_float32_and_unnormalised_rows_against_scipy():
    """Traces hold float32 rows: computed in float64 all the same. scipy normalises its inputs, and so
    does js_divergence (banded conv rows sum to less than 1 at the sentence's ends)."""
    rng = np.random.default_rng(7)
    p = rng.dirichlet(np.full(12, 0.5), size=20).astype(np.float32)
    q = rng.dirichlet(np.full(12, 0.5), size=20).astype(np.float32)
    expected = np.array([jensenshannon(a.astype(np.float64), b.astype(np.float64)) ** 2 for a, b in zip(p, q)])
    np.testing.assert_allclose(compare.js_divergence(p, q), expected, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(compare.js_divergence(0.5 * p, q), expected, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(compare.js_divergence(p, 0.25 * q), expected, rtol=1e-9, atol=1e-15)


def test_js_divergence_with_zero_weights_is_quiet():
    """Hard attention (exact zeros): no log(0) RuntimeWarning reaches the caller."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        js = compare.js_divergence(np.array([[1.0, 0, 0], [0.5, 0.5, 0]]), np.array([[0, 1.0, 0], [0.5, 0.5, 0]]))
    np.testing.assert_allclose(js, [np.log(2), 0.0], atol=1e-12)


def _scipy_js(a: np.ndarray, b: np.ndarray) -> float:
    """Mean over rows of scipy's Jensen-Shannon distance squared (nats): the independent reference."""
    return float(np.mean([jensenshannon(p.astype(np.float64), q.astype(np.float64)) ** 2 for p, q in zip(a, b)]))


def _banded(rng: np.random.Generator, n: int, T: int, width: int) -> np.ndarray:
    """n heads [n, T, T] whose rows weigh only the `width` keys around the query (exact zeros elsewhere),
    like ConvBERT's convolution heads; the edge rows keep fewer keys and sum to less than 1."""
    out = np.zeros((n, T, T), np.float32)
    for h in range(n):
        for r in range(T):
            lo, hi = max(0, r - width // 2), min(T, r + width // 2 + 1)
            out[h, r, lo:hi] = rng.dirichlet(np.ones(width))[: hi - lo]
    return out


def test_head_js_matrix_equals_scipy_on_random_pairs():
    """Every pair of heads at once (batched float32) against scipy's jensenshannon(p, q) ** 2 per row,
    on 40 sampled pairs of softmax-like heads, sharp and flat, with 40 query rows of 40 keys."""
    rng = np.random.default_rng(29)
    T = 40
    a = rng.dirichlet(np.full(T, 0.3), size=(7, T)).astype(np.float32)
    b = rng.dirichlet(np.full(T, 3.0), size=(9, T)).astype(np.float32)
    js = compare.head_js_matrix(a, b)
    assert js.shape == (7, 9)
    for i, j in zip(rng.integers(0, 7, 40), rng.integers(0, 9, 40)):
        assert js[i, j] == pytest.approx(_scipy_js(a[i], b[j]), abs=2e-6)
    rows = compare.query_rows(T, 8)  # max_rows: the same mean over the 8 sampled query rows
    sampled = compare.head_js_matrix(a, b, max_rows=8)
    assert sampled[2, 5] == pytest.approx(_scipy_js(a[2][rows], b[5][rows]), abs=2e-6)


def test_head_js_matrix_with_zeros_equals_scipy():
    """Exact zeros: banded heads (nonzero on 5 of 40 keys, summed over their support) against dense
    heads, banded against banded, and dense heads with keys that both rows weigh 0; all against scipy."""
    rng = np.random.default_rng(30)
    T = 40
    dense = rng.dirichlet(np.full(T, 0.5), size=(3, T)).astype(np.float32)
    dense[:, :, 7] = 0.0  # a key no row of these heads weighs
    dense[0, 3] = 0.0
    dense[0, 3, 2] = 1.0  # a one-hot row
    band_a, band_b = _banded(rng, 2, T, 5), _banded(rng, 3, T, 5)
    a = np.concatenate([dense[:2], band_a])  # [4, T, T]: dense, dense, banded, banded
    b = np.concatenate([band_b[:2], dense[1:], band_b[2:]])  # [5, T, T]: banded, banded, dense, dense, banded
    b[2, :, 7] = 0.0
    js = compare.head_js_matrix(a, b)
    for i in range(len(a)):
        for j in range(len(b)):
            assert js[i, j] == pytest.approx(_scipy_js(a[i], b[j]), abs=2e-6), (i, j)
    assert js[1, 2] == pytest.approx(0.0, abs=1e-6)  # the same head on both sides
    disjoint = np.zeros((1, 2, T), np.float32)
    disjoint[0, :, 0] = 1.0
    other = np.zeros((1, 2, T), np.float32)
    other[0, :, 1] = 1.0  # no key in common: log 2, the maximum
    assert compare.head_js_matrix(disjoint, other)[0, 0] == pytest.approx(np.log(2), abs=1e-6)


def test_head_js_matrix_empty_row_as_js_divergence():
    """A row that weighs nothing (an all-zero row: scipy gives nan) counts as js_divergence counts it:
    half of log 2 against any distribution, 0 against another empty row."""
    p = np.array([[[0.0, 0.0, 0.0], [0.2, 0.3, 0.5]]], np.float32)
    q = np.array([[[0.1, 0.6, 0.3], [0.0, 0.0, 0.0]]], np.float32)
    expected = compare.js_divergence(p[0].astype(np.float64), q[0].astype(np.float64)).mean()
    assert expected == pytest.approx(0.5 * np.log(2))  # both rows: one side empty
    assert compare.head_js_matrix(p, q)[0, 0] == pytest.approx(expected, abs=1e-6)
    assert compare.head_js_matrix(p[:, :1], p[:, :1])[0, 0] == pytest.approx(0.0, abs=1e-7)


def test_units_js_keeps_units_and_samples_rows():
    rng = np.random.default_rng(14)
    a, b = rng.dirichlet(np.ones(6), size=(2, 6)), rng.dirichlet(np.ones(6), size=(3, 6))
    keep = np.array([False, True, True, False, True, True])
    idx = np.flatnonzero(keep)

    def brute(rows):
        return np.array(
            [[compare.js_divergence(ha[np.ix_(rows, idx)], hb[np.ix_(rows, idx)]).mean() for hb in b] for ha in a]
        )

    np.testing.assert_allclose(compare.units_js(a, b, keep), brute(idx), atol=2e-6)
    np.testing.assert_allclose(compare.units_js(a, b, keep, max_rows=2), brute(idx[[0, 3]]), atol=2e-6)  # first, last
    one = np.zeros(6, bool)
    one[2] = True  # a single kept unit: one row, one column, identical distributions
    np.testing.assert_allclose(compare.units_js(a, b, one), np.zeros((2, 3)), atol=1e-7)
    none = compare.units_js(a, b, np.zeros(6, bool))
    assert none.shape == (2, 3) and np.isnan(none).all()


# ---------------------------------------------------------------- head matching
NAMES_A = ["L0 H0", "L0 H1", "L1 H0", "L1 H1"]


NAMES_B = ["L0 H0", "L0 H1", "L1 H0", "L1 H1"]


def test_one_to_one_without_layers_pairs_each_head_once():
    rng = np.random.default_rng(0)
    js = rng.uniform(0.1, 0.6, size=(4, 4))
    one = compare.match_heads(js, NAMES_A, NAMES_B)["one_to_one"]
    assert len(one) == 4 and len({a for a, _, _ in one}) == 4 and len({b for _, b, _ in one}) == 4


def test_one_to_one_same_layer_never_crosses_layers():
    """Cross-layer pairs are the cheapest here; with same_layer they must not be chosen."""
    js = np.array([[0.5, 0.6, 0.01, 0.02], [0.7, 0.4, 0.03, 0.01], [0.01, 0.02, 0.5, 0.3], [0.02, 0.01, 0.2, 0.6]])
    one = compare.match_heads(js, NAMES_A, NAMES_B, same_layer=True)["one_to_one"]
    assert sorted(one) == sorted(
        [("L0 H0", "L0 H0", 0.5), ("L0 H1", "L0 H1", 0.4), ("L1 H0", "L1 H1", 0.3), ("L1 H1", "L1 H0", 0.2)]
    )


def test_one_to_one_skips_a_layer_without_values_and_avoids_forbidden_pairs():
    js = np.array(
        [[np.nan, np.nan, 0.5, 0.5], [np.nan, np.nan, 0.5, 0.5], [0.5, 0.5, 0.1, np.nan], [0.5, 0.5, 0.2, 0.3]]
    )
    one = compare.match_heads(js, NAMES_A, NAMES_B, same_layer=True)["one_to_one"]
    # layer 0 has no finite pair (skipped, not the end); in layer 1 the nan pair is avoided: 0.1 + 0.3
    assert sorted(one) == [("L1 H0", "L1 H0", 0.1), ("L1 H1", "L1 H1", 0.3)]


def test_closest_partners_by_hand():
    js = np.array([[0.3, 0.1, 0.2], [0.05, 0.4, 0.5]])
    assert compare.closest_partners(js, ["a0", "a1"], ["b0", "b1", "b2"]) == [("a0", "b1", 0.1), ("a1", "b0", 0.05)]


# ---------------------------------------------------------------- comparing traces, one sentence or many
def test_comparison_accumulator_per_sentence_pieces(bert, convbert):
    """Per sentence: metrics, baselines (conv column nan for BERT), lengths and JS over non-special rows
    and columns (token-aligned models), against the pieces computed directly."""
    texts = ["Hi, there!", "The cat sat on the mat."]
    pairs = [(bc.capture(bert, t), bc.capture(convbert, t)) for t in texts]
    acc = compare.ComparisonAccumulator(exclude_special=True, max_rows=None)
    for a, b in pairs:
        acc.add(a, b)
    r = acc.result()
    per = r["per_sentence"]
    assert r["matching"] and r["exclude_special"] and not r["by_words"]
    assert r["lengths_a"].tolist() == [len(a) for a, _ in pairs] and r["lengths_b"].tolist() == r["lengths_a"].tolist()
    for s, (a, b) in enumerate(pairs):
        for k in ("entropy", "local", "punct"):
            np.testing.assert_allclose(per["metrics_a"][k][s], metrics.trace_metrics(a, True)[k], atol=1e-6)
            np.testing.assert_allclose(per["metrics_b"][k][s], metrics.trace_metrics(b, True)[k], atol=1e-6)
            assert np.isnan(per["baseline_a"][k][s, 1])  # BERT has no conv heads
            assert per["baseline_b"][k][s].tolist() == pytest.approx(
                [metrics.uniform_baseline(b, True)["attn"][k], metrics.uniform_baseline(b, True)["conv"][k]]
            )
        keep = np.flatnonzero(~np.asarray(a.special))
        ha = metrics.all_heads(a)[0].reshape(-1, len(a), len(a))[:, keep][:, :, keep]
        hb = metrics.all_heads(b)[0].reshape(-1, len(b), len(b))[:, keep][:, :, keep]
        for i, j in ((0, 0), (5, 70), (71, 3)):
            np.testing.assert_allclose(per["js"][s][i, j], compare.js_divergence(ha[i], hb[j]).mean(), atol=2e-6)
    with pytest.raises(ValueError, match="^Every sentence pair must come from the same two models.$"):
        acc.add(pairs[0][1], pairs[0][0])
    with pytest.raises(ValueError, match="^No sentences to compare.$"):
        compare.ComparisonAccumulator().result()
    defaults = compare.ComparisonAccumulator()
    assert defaults.matching and not defaults.exclude_special and defaults.max_rows is None


def test_by_words_stays_true_once_a_sentence_needed_words(bert):
    import dataclasses

    a1, a2 = bc.capture(bert, "Hi, there!"), bc.capture(bert, "The cat sat.")
    b1 = dataclasses.replace(a1, tokens=[t.upper() for t in a1.tokens])  # other pieces, same words
    acc = compare.ComparisonAccumulator()
    acc.add(a1, b1)
    acc.add(a2, a2)  # token by token
    assert acc.result()["by_words"]


def test_compare_traces_passes_matching_and_exclude_special_on(bert, convbert):
    pair = (bc.capture(bert, SENTENCE), bc.capture(convbert, SENTENCE))
    plain = compare.compare_traces([pair], matching=False)
    assert "js" not in plain and plain["per_sentence"]["js"] is None and not plain["exclude_special"]
    assert np.isfinite(plain["metrics_a"]["cls"]).all()
    excl = compare.compare_traces([pair], exclude_special=True)
    assert excl["exclude_special"] and np.isnan(excl["metrics_a"]["cls"]).all()
    assert excl["js"].shape == (6 * 12, 6 * 12)


def test_compare_traces_means_over_sentences_and_settings(bert, convbert):
    texts = ["Hi, there!", "The cat sat on the mat."]
    pairs = [(bc.capture(bert, t), bc.capture(convbert, t)) for t in texts]
    r = compare.compare_traces(pairs, max_rows=8)
    for side, model in (("metrics_a", 0), ("metrics_b", 1)):
        for k in ("entropy", "cls", "local"):
            want = np.mean([metrics.trace_metrics(p[model])[k] for p in pairs], axis=0)
            assert r[side][k].shape == want.shape
            np.testing.assert_allclose(r[side][k], want, rtol=1e-6, atol=1e-9, err_msg=f"{side} {k}")
    assert (r["max_rows"], r["matching"], r["cka_skipped"]) == (8, True, "")
    per = compare.compare_traces(pairs, matching=False, exclude_special=True)["per_sentence"]
    for s, (a, b) in enumerate(pairs):  # each side's uniform baseline with the specials left out too
        assert per["baseline_a"]["entropy"][s, 0] == pytest.approx(metrics.uniform_baseline(a, True)["attn"]["entropy"])
        assert per["baseline_b"]["entropy"][s, 1] == pytest.approx(metrics.uniform_baseline(b, True)["conv"]["entropy"])


def test_js_keeps_special_tokens_unless_asked(bert, convbert):
    a, b = bc.capture(bert, "Hi, there!"), bc.capture(convbert, "Hi, there!")
    r = compare.compare_traces([(a, b)])
    T = len(a)
    ha, hb = metrics.all_heads(a)[0].reshape(-1, T, T), metrics.all_heads(b)[0].reshape(-1, T, T)
    for i, j in ((0, 0), (5, 70)):
        np.testing.assert_allclose(r["js"][i, j], compare.js_divergence(ha[i], hb[j]).mean(), atol=2e-6)


def test_compare_many_reports_skipped_sentences_and_progress(bert, convbert):
    calls = []
    out = compare.compare_many(
        bert, convbert, ["Hi there.", "   ", "The cat sat."], progress=lambda i, n: calls.append((i, n))
    )
    assert out["skipped"] == [(1, "   ", "The sentence is empty.")]
    assert calls == [(0, 1), (1, 1), (2, 2)] and out["sentences"] == ["Hi there.", "The cat sat."]
