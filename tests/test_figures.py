"""Figures: labels are escaped and unique, payloads compact."""
from __future__ import annotations

import numpy as np

from bertviz_core import figures


def test_labels_unique_and_escaped():
    labels = figures.token_labels(["[CLS]", "the", "<script>", "the", "[SEP]"])
    assert labels == ["[CLS]", "the #1", "&lt;script&gt;", "the #3", "[SEP]"]
    assert len(set(labels)) == len(labels)


def test_matrix_heatmap_sends_float32_and_downsamples_when_asked():
    m = np.random.default_rng(0).dirichlet(np.ones(300), size=300).astype(np.float32)
    tokens = [f"t{i}" for i in range(300)]
    fig = figures.matrix_heatmap(m, tokens, tokens, title="x")
    assert fig.data[0].z.dtype == np.float32 and fig.data[0].z.shape == (300, 300)
    small = figures.matrix_heatmap(m, tokens, tokens, title="x", max_cells=100)
    assert small.data[0].z.shape == (100, 100)
    np.testing.assert_allclose(small.data[0].z[0, 0], m[:3, :3].mean(), rtol=1e-5)
    assert small.data[0].y[0] == "t0 … t2"


def test_model_view_grid_is_uint8_and_bounded():
    att = np.random.default_rng(1).dirichlet(np.ones(512), size=(6, 12, 512)).astype(np.float32)
    fig = figures.model_view_grid(att, thumb=48)
    z = fig.data[0].z
    assert z.dtype == np.uint8 and z.shape == (6 * 49, 12 * 49)
    assert len(fig.data[1].customdata) == 72
