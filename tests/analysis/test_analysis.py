"""Analyses against hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

import bertviz_core as bc
from bertviz_core.analysis import cka, compare, metrics, words

TOKENS = ["[CLS]", "the", "cat", ",", "sat", "[SEP]"]
SPECIAL = (True, False, False, False, False, True)


def test_uniform_attention_has_entropy_log_t():
    T = len(TOKENS)
    m = metrics.head_metrics(np.full((T, T), 1 / T), TOKENS, SPECIAL)
    assert m["entropy"] == pytest.approx(np.log(T))
    assert m["cls"] == pytest.approx(1 / T)
    assert m["sep"] == pytest.approx(1 / T)
    assert m["punct"] == pytest.approx(1 / T)
    # mean |i-j| under uniform attention: average over i of sum_j |i-j| / T
    T_ = np.arange(T)
    assert m["distance"] == pytest.approx(np.abs(T_[:, None] - T_[None]).mean())


# A hand-made, non-uniform head over TOKENS (rows sum to 1). Expected values worked out by hand below.
HAND = np.array(
    [
        [0.5, 0.1, 0.0, 0.0, 0.2, 0.2],
        [0.1, 0.2, 0.3, 0.4, 0.0, 0.0],
        [0.0, 0.6, 0.1, 0.3, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.25, 0.75, 0.0],
        [0.4, 0.0, 0.0, 0.2, 0.0, 0.4],
        [0.7, 0.1, 0.0, 0.0, 0.0, 0.2],
    ]
)


def test_head_metrics_on_a_hand_computed_non_uniform_head():
    m = metrics.head_metrics(HAND, TOKENS, SPECIAL)
    # [CLS] = column 0 (the FIRST token): .5+.1+0+0+.4+.7 = 1.7; the last column would give .8
    assert m["cls"] == pytest.approx(1.7 / 6)
    # [SEP] = column 5: .2+0+0+0+.4+.2
    assert m["sep"] == pytest.approx(0.8 / 6)
    # "," = column 3: 0+.4+.3+.25+.2+0
    assert m["punct"] == pytest.approx(1.15 / 6)
    # diagonal: .5+.2+.1+.25+0+.2
    assert m["self"] == pytest.approx(1.25 / 6)
    # A[i, i-1] for i >= 1: .1+.6+0+.2+0 (row 0 has no previous token)
    assert m["prev"] == pytest.approx(0.9 / 6)
    # A[i, i+1] for i <= 4: .1+.3+.3+.75+.4
    assert m["next"] == pytest.approx(1.85 / 6)
    # sum_j |i-j| A[i,j] per row: 1.9, 1.2, .9, .75, 2.2, 3.9
    assert m["distance"] == pytest.approx(10.85 / 6)
    # |i-j| <= 4: all but A[0,5]=.2 and A[5,0]=.7 (a window of 3 would also drop .2+.4+.1)
    assert m["local"] == pytest.approx(5.1 / 6)
    nonzero_rows = [
        [0.5, 0.1, 0.2, 0.2],
        [0.1, 0.2, 0.3, 0.4],
        [0.6, 0.1, 0.3],
        [0.25, 0.75],
        [0.4, 0.2, 0.4],
        [0.7, 0.1, 0.2],
    ]
    entropy = np.mean([-sum(p * np.log(p) for p in row) for row in nonzero_rows])
    assert m["entropy"] == pytest.approx(entropy)
    # batched [2 layers, 2 heads]: each head gets its own value, in place
    batched = metrics.head_metrics(
        np.stack([np.stack([HAND, np.eye(6)]), np.stack([np.eye(6), HAND])]), TOKENS, SPECIAL
    )
    assert batched["cls"].shape == (2, 2)
    np.testing.assert_allclose(batched["cls"], [[1.7 / 6, 1 / 6], [1 / 6, 1.7 / 6]])
    np.testing.assert_allclose(batched["local"], [[0.85, 1], [1, 0.85]])


def test_cls_is_the_first_token_only_when_it_is_special():
    """No special first token (e.g. a fragment without [CLS]): no [CLS] mass at all."""
    m = metrics.head_metrics(HAND, TOKENS, (False, False, False, False, False, True))
    assert m["cls"] == pytest.approx(0.0)


def test_identity_attention_distance_zero_self_one():
    m = metrics.head_metrics(np.eye(6), TOKENS, SPECIAL)
    assert m["distance"] == 0 and m["self"] == 1 and m["entropy"] == 0
    assert m["prev"] == 0 and m["next"] == 0 and m["local"] == 1


def test_previous_token_head():
    T = 6
    prev = np.zeros((T, T))
    prev[0, 0] = 1
    prev[np.arange(1, T), np.arange(T - 1)] = 1
    m = metrics.head_metrics(prev, TOKENS, SPECIAL)
    assert m["prev"] == pytest.approx(5 / 6) and m["next"] == 0 and m["distance"] == pytest.approx(5 / 6)
    batched = metrics.head_metrics(np.stack([prev, np.eye(T)])[None], TOKENS, SPECIAL)
    assert batched["self"].shape == (1, 2) and batched["self"][0, 1] == 1


def test_js_divergence_properties():
    rng = np.random.default_rng(0)
    heads = rng.dirichlet(np.ones(7), size=(3, 7))  # [3 heads, 7 rows, 7]
    js = compare.head_js_matrix(heads, heads)  # float32 inside: exact to ~1e-7
    np.testing.assert_allclose(np.diag(js), 0, atol=1e-6)
    np.testing.assert_allclose(js, js.T, atol=1e-6)
    assert compare.js_divergence(np.array([1.0, 0]), np.array([0, 1.0])) == pytest.approx(np.log(2))
    # disjoint supports (two banded conv-like heads) reach the maximum, log 2
    shift = np.roll(np.eye(7), 3, axis=1)[None]
    assert compare.head_js_matrix(np.eye(7)[None], shift)[0, 0] == pytest.approx(np.log(2), abs=1e-6)


def test_head_js_matrix_equals_pairwise_definition():
    """The fast matrix (m log m trick, float32, chunks) equals the plain definition, pair by pair."""
    rng = np.random.default_rng(3)
    T = 40
    a = rng.dirichlet(np.full(T, 0.3), size=(5, T))
    b = rng.dirichlet(np.full(T, 0.3), size=(4, T))
    b[0] = np.eye(T)  # zeros in one distribution
    brute = np.array([[compare.js_divergence(a[i], b[j]).mean() for j in range(4)] for i in range(5)])
    np.testing.assert_allclose(compare.head_js_matrix(a, b), brute, atol=2e-6)
    rows = compare.query_rows(T, 8)
    assert len(rows) == 8 and rows[0] == 0 and rows[-1] == T - 1
    sampled = np.array([[compare.js_divergence(a[i][rows], b[j][rows]).mean() for j in range(4)] for i in range(5)])
    np.testing.assert_allclose(compare.head_js_matrix(a, b, max_rows=8), sampled, atol=2e-6)
    np.testing.assert_array_equal(compare.query_rows(T, 64), np.arange(T))  # fewer rows than the cap: all of them


def test_cka_of_itself_is_one_and_invariant_to_rotation_and_scale():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 10))
    q, _ = np.linalg.qr(rng.normal(size=(10, 10)))
    assert cka.linear_cka(x, x) == pytest.approx(1.0)
    assert cka.linear_cka(x, 3 * x @ q) == pytest.approx(1.0)
    assert cka.linear_cka(x, rng.normal(size=(40, 10))) < 0.6
    matrix = cka.cka_matrix(np.stack([x, x]), np.stack([x]))
    assert matrix.shape == (2, 1)


def test_cka_hand_computed_centred_case():
    """X: the corners of a square, Y: one coordinate plus 1 in the other. Centred by hand:
    Xc = [[-1,-1],[1,-1],[-1,1],[1,1]], Yc = [-1,-1,1,1]; Xc'Xc = 4I (Frobenius 4*sqrt 2), Yc'Yc = 4,
    Yc'Xc = [0, 4] (squared norm 16): CKA = 16 / (4 sqrt 2 * 4) = 1/sqrt 2.
    Without centring: X'X = [[8,4],[4,8]] (norm sqrt 160), Y'Y = 20, Y'X = [8, 12] (208): 0.822."""
    x = np.array([[0.0, 0], [2, 0], [0, 2], [2, 2]])
    y = np.array([[1.0], [1], [3], [3]])
    assert cka.linear_cka(x, y) == pytest.approx(1 / np.sqrt(2))
    assert 208 / (np.sqrt(160) * 20) == pytest.approx(0.8222, abs=1e-4)  # the uncentred value it must not be
    # one dimension each: CKA is the squared Pearson correlation (centred), not the squared cosine
    a, b = np.array([[1.0], [2], [3]]), np.array([[1.0], [0], [2]])
    assert cka.linear_cka(a, b) == pytest.approx(0.25)  # (-1,0,1).(0,-1,1) = 1; 1 / (2 * 2)
    assert cka.linear_cka(a + 100, b - 7) == pytest.approx(0.25)  # shifting either changes nothing


def test_cka_matches_the_hsic_kernel_form():
    """Kornblith et al.'s definition: HSIC(K, L) / sqrt(HSIC(K, K) HSIC(L, L)), K = XX', H = I - 11'/n."""
    rng = np.random.default_rng(5)
    xs, ys = rng.normal(size=(3, 20, 7)) + 3, rng.normal(size=(2, 20, 4)) - 1
    n = 20
    H = np.eye(n) - np.ones((n, n)) / n

    def hsic(K, L):
        return np.trace(K @ H @ L @ H)

    expected = np.array(
        [[hsic(x @ x.T, y @ y.T) / np.sqrt(hsic(x @ x.T, x @ x.T) * hsic(y @ y.T, y @ y.T)) for y in ys] for x in xs]
    )
    np.testing.assert_allclose(cka.cka_matrix(xs, ys), expected, rtol=1e-9)


def test_js_divergence_equals_scipy():
    """scipy's jensenshannon is the JS *distance* (square root); natural log by default."""
    from scipy.spatial.distance import jensenshannon

    rng = np.random.default_rng(4)
    p = rng.dirichlet(np.full(9, 0.4), size=12)
    q = rng.dirichlet(np.full(9, 0.4), size=12)
    p[0, :4] = 0
    p[0] /= p[0].sum()  # zeros on one side only
    expected = np.array([jensenshannon(a, b) ** 2 for a, b in zip(p, q)])
    np.testing.assert_allclose(compare.js_divergence(p, q), expected, rtol=1e-9, atol=1e-12)
    # and the head-by-head matrix: mean over query rows of the same quantity
    heads_a = rng.dirichlet(np.full(9, 0.4), size=(3, 9))
    heads_b = rng.dirichlet(np.full(9, 0.4), size=(2, 9))
    brute = np.array(
        [[np.mean([jensenshannon(ra, rb) ** 2 for ra, rb in zip(ha, hb)]) for hb in heads_b] for ha in heads_a]
    )
    np.testing.assert_allclose(compare.head_js_matrix(heads_a, heads_b), brute, atol=2e-6)


def test_pool_to_words_keeps_rows_stochastic():
    rng = np.random.default_rng(2)
    attn = rng.dirichlet(np.ones(5), size=5)
    pooled = words.pool_to_words(attn, [[0], [1, 2], [3], [4]])
    assert pooled.shape == (4, 4)
    np.testing.assert_allclose(pooled.sum(-1), 1)
    assert pooled[1, 0] == pytest.approx((attn[1, 0] + attn[2, 0]) / 2)
    assert pooled[0, 1] == pytest.approx(attn[0, 1] + attn[0, 2])


def test_word_groups_follow_the_text():
    t = bc.capture(bc.load_model("bert-minilm-l6"), "The animal didn't cross  the street.")
    groups, labels = words.word_groups(t)
    assert labels == ["[CLS]", "The", "animal", "didn't", "cross", "the", "street.", "[SEP]"]
    assert [t.tokens[i] for i in groups[3]] == ["didn", "'", "t"]


def test_align_pair_same_tokenizer_is_token_by_token():
    text = "The animal didn't cross the street."
    a = bc.capture(bc.load_model("bert-minilm-l6"), text)
    b = bc.capture(bc.load_model("convbert-minilm-l6"), text)
    ha, hb, xa, xb, labels, by_words = words.align_pair(a, b)
    assert not by_words and labels == a.tokens
    assert ha.shape == (6, 12, len(a), len(a)) and hb.shape == (6, 12, len(a), len(a))  # 6 attention + 6 conv
    np.testing.assert_array_equal(hb[:, 6:], b.conv_matrices())
    np.testing.assert_array_equal(xa, a.hidden_states)  # token by token: the hidden states as captured
    np.testing.assert_array_equal(xb, b.hidden_states)


def test_align_pair_different_tokenizers_pools_to_words(models_root):
    text = "Tokenizers disagree about unbelievable words."
    a = bc.capture(bc.load_model("bert-minilm-l6"), text)  # WordPiece
    b = bc.capture(bc.load_model("tiny-roberta"), text)  # byte-level BPE, other splits
    assert a.tokens != b.tokens
    ha, hb, xa, xb, labels, by_words = words.align_pair(a, b)
    assert by_words
    assert labels == ["[CLS]", "Tokenizers", "disagree", "about", "unbelievable", "words.", "[SEP]"]
    assert ha.shape[-1] == hb.shape[-1] == len(labels) and xa.shape[1] == xb.shape[1] == len(labels)
    np.testing.assert_allclose(ha.sum(-1), 1, atol=1e-5)
    np.testing.assert_allclose(hb.sum(-1), 1, atol=1e-5)
    # independent grouping from the tokenizer's character offsets and the words' character spans
    import re

    spans = [m.span() for m in re.finditer(r"\S+", text)]
    mine = [[i for i, (seq, s, e) in enumerate(b.offsets) if seq == 0 and lo <= s < hi] for lo, hi in spans]
    mine = [[0]] + mine + [[len(b) - 1]]  # <s> ... </s>
    assert sorted(i for g in mine for i in g) == list(range(len(b)))
    assert any(len(g) > 1 for g in mine)  # some word really is split into several BPE pieces
    att = b.attentions.astype(np.float64)
    expected = np.array(
        [
            [[[att[l, h][np.ix_(gr, gc)].sum(1).mean() for gc in mine] for gr in mine] for h in range(b.n_heads)]
            for l in range(b.n_layers)
        ]
    )
    np.testing.assert_allclose(hb, expected, atol=1e-6)


def test_head_matrix_picks_the_same_heads_as_all_heads():
    """The page draws one head without building all_heads; both must name the same matrix."""
    t = bc.capture(bc.load_model("convbert-minilm-l6"), "Heads and convolutions side by side.")
    heads, names = metrics.all_heads(t)
    for layer in (0, t.n_layers - 1):
        for k in range(len(names)):
            np.testing.assert_array_equal(metrics.head_matrix(t, layer, k), heads[layer, k])
        # "mean" averages the attention heads only (conv rows do not sum to 1 at the ends)
        np.testing.assert_allclose(metrics.head_matrix(t, layer, "mean"), t.attentions[layer].mean(0), atol=1e-7)
        np.testing.assert_allclose(metrics.head_matrix(t, layer, "mean").sum(-1), 1, atol=1e-5)
    assert metrics.head_matrix(t, 0, len(names)) is None  # a slot the model does not have
