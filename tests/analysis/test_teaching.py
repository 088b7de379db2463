"""Positions and step-by-step recomputation."""

from __future__ import annotations

import numpy as np
import pytest

import bertviz_core as bc
from bertviz_core.analysis import positions, steps

SENTENCE = "The animal didn't cross the street because it was too tired."


def test_sinusoidal_matches_formula():
    pe = positions.sinusoidal(50, 16)
    i, j = 7, 3
    assert pe[i, 2 * j] == pytest.approx(np.sin(i / 10000 ** (2 * j / 16)), abs=1e-6)
    assert pe[i, 2 * j + 1] == pytest.approx(np.cos(i / 10000 ** (2 * j / 16)), abs=1e-6)
    assert pe[0, 0] == 0 and pe[0, 1] == 1


def test_sinusoidal_dot_product_depends_only_on_offset():
    pe = positions.sinusoidal(200, 64).astype(np.float64)
    for k in (1, 5, 17):
        dots = [pe[i] @ pe[i + k] for i in range(0, 150, 7)]
        np.testing.assert_allclose(dots, dots[0], atol=1e-4)


def test_cosine_and_pca_against_scipy_and_svd():
    from scipy.spatial.distance import cdist

    rng = np.random.default_rng(0)
    pe = positions.sinusoidal(64, 32) + rng.normal(scale=0.1, size=(64, 32)).astype(np.float32)
    np.testing.assert_allclose(positions.cosine_similarity_matrix(pe), 1 - cdist(pe, pe, "cosine"), atol=1e-5)
    path, var = positions.pca_path(pe, 3)
    centred = pe.astype(np.float64) - pe.mean(0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    np.testing.assert_allclose(var, (s**2 / (s**2).sum())[:3], rtol=1e-6)
    expected = centred @ vt[:3].T  # principal coordinates, each up to a sign
    np.testing.assert_allclose(np.abs(path), np.abs(expected), atol=1e-4)
    # fitted on some rows, every row projected
    path2, _ = positions.pca_path(pe, 2, fit_rows=np.arange(1, 64))
    sub = pe[1:].astype(np.float64)
    _, _, vt2 = np.linalg.svd(sub - sub.mean(0), full_matrices=False)
    np.testing.assert_allclose(np.abs(path2), np.abs((pe - sub.mean(0)) @ vt2[:2].T), atol=1e-4)


def test_learned_table_of_bert_and_none_for_deberta(models_root):
    table, first = positions.learned_table(bc.load_model("bert-minilm-l6"))
    assert table.shape == (512, 384) and first == 0
    assert positions.learned_table(bc.load_model("tiny-deberta-v2"))[0] is None
    assert positions.learned_table(bc.load_model("tiny-roberta"))[1] == 2


@pytest.mark.parametrize("model_id", ["bert-minilm-l6", "convbert-minilm-l6"])
def test_attention_walk_reproduces_captured_row(model_id):
    lm = bc.load_model(model_id)
    trace = bc.capture(lm, SENTENCE)
    for layer, head, query in ((0, 0, 3), (3, trace.n_heads - 1, 8), (5, 2, 0)):
        walk = steps.attention_walk(lm, trace, layer, head, query)
        np.testing.assert_allclose(walk["probs"], trace.attentions[layer, head, query], atol=1e-5)
        assert walk["max_diff"] < 1e-5
        assert walk["Q"].shape == (len(trace), walk["d_head"])


def test_conv_walk_reproduces_kernel_and_output():
    lm = bc.load_model("convbert-minilm-l6")
    trace = bc.capture(lm, SENTENCE)
    for layer, head, query in ((0, 0, 0), (2, 3, 7), (5, 5, len(trace) - 1)):
        walk = steps.conv_walk(lm, trace, layer, head, query)
        np.testing.assert_allclose(walk["kernel"], trace.conv_kernels[layer, head, query], atol=1e-5)
        assert walk["output_diff"] < 1e-5
