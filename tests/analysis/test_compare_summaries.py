"""The summaries of a many-sentence comparison (bertviz_core.analysis.compare): per-group values, summary rows
with intervals and paired tests against scipy on hand-made results, the extreme sentences, and the .npz
download."""

from __future__ import annotations

import io

import numpy as np
import pytest
from scipy import stats as sps

import bertviz_core as bc
from bertviz_core.analysis import compare, metrics


def _result(lengths, L=3, kinds_a=("attn", "attn"), kinds_b=("attn", "conv"), seed=0, L_b=None):
    """A hand-made comparison result: S sentences, L layers (L_b for B), per-sentence metrics [S, L, N]."""
    rng = np.random.default_rng(seed)
    S = len(lengths)
    per = {
        "metrics_a": {m: rng.uniform(0, 1, (S, L, len(kinds_a))) for m in metrics.METRICS},
        "metrics_b": {m: rng.uniform(0, 1, (S, L_b or L, len(kinds_b))) for m in metrics.METRICS},
        "baseline_a": {m: np.stack([rng.uniform(0, 1, S), np.full(S, np.nan)], 1) for m in metrics.METRICS},
        "baseline_b": {m: rng.uniform(0, 1, (S, 2)) for m in metrics.METRICS},
        "js": None,
    }
    return {
        "per_sentence": per,
        "lengths_a": np.array(lengths),
        "lengths_b": np.array(lengths),
        "kinds_a": list(kinds_a),
        "kinds_b": list(kinds_b),
    }


def test_group_values_by_hand():
    r = _result([5, 6, 12, 20], L=3)
    va = r["per_sentence"]["metrics_a"]["local"]
    vb = r["per_sentence"]["metrics_b"]["local"]
    np.testing.assert_allclose(compare.group_values(r, "a", "local", "attn"), va.reshape(4, -1).mean(1))
    np.testing.assert_allclose(compare.group_values(r, "b", "local", "attn"), vb[:, :, 0].mean(1))
    np.testing.assert_allclose(compare.group_values(r, "b", "local", "conv"), vb[:, :, 1].mean(1))
    np.testing.assert_allclose(
        compare.group_values(r, "b", "local", "conv", layer=2), vb[:, 2, 1]
    )  # layer 2 < 3 layers
    assert compare.group_values(r, "a", "local", "conv") is None  # A has no conv heads
    assert compare.group_values(r, "a", "local", "attn", layer=3) is None  # no layer 3


def test_summary_rows_by_hand():
    """Three layers (more than the two heads), two length strata; each row against scipy."""
    r = _result([5, 6, 7, 12, 14, 15], L=3)
    rows = compare.summary_rows(r, ["distance"])
    assert {row["layer"] for row in rows} == {"all", 0, 1, 2}
    # A has no conv heads but B has: conv rows exist (A's side nan); no model lacks attention heads
    assert {(row["group"], row["length"]) for row in rows} == {
        (g, s) for g in ("attn", "conv") for s in ("all", "1-8", "9-16")
    }
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
    rows = compare.summary_rows(_result([5, 6, 7], kinds_b=("attn", "attn")), ["local"])
    assert {row["group"] for row in rows} == {"attn"}


def test_summary_rows_confidence_and_paired_interval():
    r = _result([5, 6, 7, 8, 12, 14], L=2, seed=3)
    row = next(
        x
        for x in compare.summary_rows(r, ["entropy"], confidence=0.8)
        if x["layer"] == 1 and x["group"] == "attn" and x["length"] == "all"
    )
    a = r["per_sentence"]["metrics_a"]["entropy"][:, 1].mean(1)
    b = r["per_sentence"]["metrics_b"]["entropy"][:, 1, 0]
    assert (row["a_low"], row["a_high"]) == pytest.approx(sps.t.interval(0.8, 5, loc=a.mean(), scale=sps.sem(a)))
    d = a - b
    assert (row["diff_low"], row["diff_high"]) == pytest.approx(sps.t.interval(0.8, 5, loc=d.mean(), scale=sps.sem(d)))


def test_summary_rows_cover_the_deeper_model_layers():
    """Models of different depths (more layers than heads): rows for every layer of the deeper one."""
    for la, lb in ((3, 2), (2, 3)):
        rows = compare.summary_rows(_result([5, 6, 7], L=la, L_b=lb), ["self"])
        assert {row["layer"] for row in rows} == {"all", 0, 1, 2}, (la, lb)
        shallow = "a" if la < lb else "b"
        last = next(x for x in rows if x["layer"] == 2 and x["group"] == "attn")
        assert np.isnan(last[f"{shallow}_mean"]) and np.isnan(last["diff_mean"])


def test_extreme_sentences_by_hand():
    assert compare.extreme_sentences([0.2, np.nan, 0.9, 0.1]) == (2, 3)
    assert compare.extreme_sentences([np.nan, np.nan]) == (0, 0)


# ---------------------------------------------------------------- the .npz download
def test_npz_holds_every_array_of_the_comparison_without_pickles(models_root):
    tiny_a, tiny_b = bc.load_model("tiny-bert"), bc.load_model("tiny-roberta")  # WordPiece vs BPE: words
    sentences = ["The quick brown fox.", "Tokenizers disagree about words."]
    result = compare.compare_many(tiny_a, tiny_b, sentences, max_rows=8, exclude_special=True)
    assert result["by_words"]
    saved = np.load(io.BytesIO(compare.comparison_to_npz(result, {"seed": 3, "method": "first"})), allow_pickle=False)
    per = result["per_sentence"]
    expected = {
        "sentences": sentences,
        "lengths_a": result["lengths_a"],
        "lengths_b": result["lengths_b"],
        "names_a": result["names_a"],
        "names_b": result["names_b"],
        "kinds_a": result["kinds_a"],
        "kinds_b": result["kinds_b"],
        "model_a": tiny_a.id,
        "model_b": tiny_b.id,
        "exclude_special": True,
        "js": per["js"],
        "cka": result["cka"],
        "info__seed": 3,
        "info__method": "first",
    }
    for side in "ab":
        for m in metrics.METRICS:
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
    result = compare.compare_many(tiny, tiny, ["a b c"], matching=False)
    saved = np.load(io.BytesIO(compare.comparison_to_npz(result)), allow_pickle=False)
    assert "js" not in saved.files and "cka" not in saved.files
    assert not any(k.startswith("info__") for k in saved.files)
