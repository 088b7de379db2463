"""Linear CKA (bertviz_core.analysis.cka) against the float64 HSIC definition: scale, float32 states, layers
that do not vary, and the accumulator over many sentences (huge offsets, its memory modes and bounds)."""

from __future__ import annotations

import numpy as np
import pytest

from bertviz_core.analysis import cka


def test_cka_scale_free_float64_and_zero_without_variance():
    rng = np.random.default_rng(11)
    x = rng.normal(size=(30, 6))
    y = x @ rng.normal(size=(6, 4)) + 0.5 * rng.normal(size=(30, 4))
    assert cka.linear_cka(1e-3 * x, 1e-3 * x) == pytest.approx(1.0)  # tiny norms: still a similarity of 1
    assert cka.linear_cka(1e-3 * x, 2e-3 * y) == pytest.approx(cka.linear_cka(x, y))
    # float32 states (what traces hold) are computed in float64: the HSIC form in float64 as reference
    x32, y32 = (x + 40).astype(np.float32), (y - 25).astype(np.float32)
    H = np.eye(30) - 1 / 30
    K, L = x32.astype(np.float64) @ x32.T.astype(np.float64), y32.astype(np.float64) @ y32.T.astype(np.float64)
    hsic = lambda a, b: np.trace(a @ H @ b @ H)
    assert cka.linear_cka(x32, y32) == pytest.approx(hsic(K, L) / np.sqrt(hsic(K, K) * hsic(L, L)), rel=1e-10)
    # a representation that does not vary (one token, or a constant layer): 0, never nan
    assert cka.cka_matrix(np.ones((1, 30, 6)), x[None]).tolist() == [[0.0]]
    assert cka.cka_matrix(x[None], np.full((1, 30, 4), 7.0)).tolist() == [[0.0]]


@pytest.mark.parametrize("dual_units", [1024, 0])  # from token x token Gram matrices (one sentence), or D x D sums
def test_cka_accumulator_stays_exact_with_large_per_dimension_offsets(dual_units, monkeypatch):
    """Real hidden states have a few huge dimensions: the running sums are shifted per dimension (float32
    products), so the result still equals the float64 definition, by either route."""
    monkeypatch.setattr(cka.CKAAccumulator, "DUAL_UNITS", dual_units)
    rng = np.random.default_rng(12)
    off_a = np.array([1e4, -3e3, 0.0, 5e3, 1.0, -8e3])
    off_b = np.array([-2e4, 7e3, 3.0, 0.0, 9e3])
    xa = (rng.normal(size=(2, 200, 6)) + off_a).astype(np.float32)
    xb = (rng.normal(size=(3, 200, 5)) + off_b).astype(np.float32)
    xb[1] += 0.5 * xa[0, :, :5] - off_a[:5].astype(np.float32)  # one related pair of layers
    acc = cka.CKAAccumulator()
    for start in range(0, 200, 50):
        acc.add(xa[:, start : start + 50], xb[:, start : start + 50])
    assert acc.mode == "gram"
    want = cka.cka_matrix(xa.astype(np.float64), xb.astype(np.float64))
    assert want[0, 1] > 0.1
    np.testing.assert_allclose(acc.matrix(), want, atol=1e-4)
    # tiny states (norms far below 1) and a layer that does not vary: as cka_matrix, 0 for the latter
    small = cka.CKAAccumulator()
    flat = np.zeros((1, 200, 4), np.float32)
    small.add(1e-3 * xa[:, :, :3] - 1e-3 * off_a[:3].astype(np.float32), np.concatenate([flat, 1e-3 * xb[:1, :, :4]]))
    want = cka.cka_matrix(
        1e-3 * xa[:, :, :3].astype(np.float64) - 1e-3 * off_a[:3],
        np.concatenate([flat, 1e-3 * xb[:1, :, :4]]).astype(np.float64),
    )
    assert want[:, 0].tolist() == [0.0, 0.0] and want[0, 1] > 0
    np.testing.assert_allclose(small.matrix(), want, atol=1e-5)


def test_cka_accumulator_memory_modes_switch_exactly_at_their_bounds():
    """gram: its float64 sums (the cross sum twice: one product temporary) plus a full float32 buffer
    must fit max_bytes; raw: every state kept must fit; else off."""
    rng = np.random.default_rng(13)
    chunks = [
        (rng.normal(size=(3, n, 8)).astype(np.float32), rng.normal(size=(2, n, 5)).astype(np.float32))
        for n in (4, 9, 2, 7)
    ]
    probe = cka.CKAAccumulator(2**40)
    probe.add(*chunks[0])
    per_unit = (chunks[0][0].nbytes + chunks[0][1].nbytes) // 4
    need = probe.aa.nbytes + probe.bb.nbytes + 2 * probe.ab.nbytes + probe.FLUSH_UNITS * per_unit
    for budget, mode in ((need, "gram"), (need - 1, "raw")):
        acc = cka.CKAAccumulator(budget)
        acc.add(*chunks[0])
        assert acc.mode == mode, budget
    every_state = sum(a.nbytes + b.nbytes for a, b in chunks)  # 2992 bytes
    for budget, mode in ((every_state, "raw"), (every_state - 1, "off")):
        acc = cka.CKAAccumulator(budget)
        for a, b in chunks:
            acc.add(a, b)
        assert acc.mode == mode, budget
        assert (acc.matrix() is None) == (mode == "off")


def test_cka_gives_up_with_a_reason_in_megabytes():
    acc = cka.CKAAccumulator(3 * 2**20 + 12345)
    acc.add(np.zeros((2, 600, 700), np.float32), np.zeros((2, 600, 700), np.float32))  # 6.7 MB of states
    assert acc.mode == "off" and acc.matrix() is None
    assert acc.skipped == "the hidden states of these models need more than 3 MB"


def test_cka_buffer_is_flushed_once_it_holds_flush_units(monkeypatch):
    """The float32 buffer never holds FLUSH_UNITS tokens or more after an add (its memory is bounded)."""
    monkeypatch.setattr(cka.CKAAccumulator, "FLUSH_UNITS", 5)
    rng = np.random.default_rng(15)
    chunks = [
        (rng.normal(size=(2, 3, 4)).astype(np.float32), rng.normal(size=(2, 3, 3)).astype(np.float32)) for _ in range(4)
    ]
    acc = cka.CKAAccumulator()
    for a, b in chunks:
        acc.add(a, b)
        assert acc.mode == "gram" and sum(x.shape[1] for x in acc.raw_a) < 5
    want = cka.cka_matrix(np.concatenate([a for a, _ in chunks], 1), np.concatenate([b for _, b in chunks], 1))
    np.testing.assert_allclose(acc.matrix(), want, atol=1e-6)
