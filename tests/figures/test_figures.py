"""Figures: labels are escaped and unique, payloads compact."""

from __future__ import annotations

import numpy as np

from bertviz_core import figures
from bertviz_core.figures.labels import text_px


def test_labels_unique_and_escaped():
    labels = figures.token_labels(["[CLS]", "the", "<script>", "the", "[SEP]"])
    assert labels == ["[CLS]", "the<sub>1</sub>", "&lt;script&gt;", "the<sub>3</sub>", "[SEP]"]
    assert len(set(labels)) == len(labels)


def test_labels_keep_input_positions_when_columns_are_hidden():
    """Hiding [CLS]/[SEP] must not renumber: column 'the' at input position 4 stays 'the₄'."""
    tokens = ["[CLS]", "the", "cat", "saw", "the", "dog", "[SEP]"]
    kept = [1, 2, 3, 4, 5]
    cols = figures.token_labels([tokens[i] for i in kept], kept)
    assert cols == ["the<sub>1</sub>", "cat", "saw", "the<sub>4</sub>", "dog"]
    assert figures.token_labels(tokens)[4] == cols[3]  # the row label and the column label agree


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


def test_heatmap_margins_are_fixed_and_short_sentences_label_every_token():
    """No Plotly automargin (it measured every label and redrew several times); labels fit the margins."""
    tokens = ["[CLS]"] + ["internationalization"] + [f"w{i}" for i in range(12)] + ["[SEP]"]
    m = np.full((15, 15), 1 / 15, dtype=np.float32)
    fig = figures.matrix_heatmap(m, tokens, tokens, title="t", font_size=18)
    assert fig.layout.xaxis.automargin is False and fig.layout.yaxis.automargin is False
    assert fig.layout.margin.autoexpand is False
    assert fig.layout.xaxis.dtick == 1  # every token labelled
    longest = text_px("internationalization", fig.layout.yaxis.tickfont.size)
    assert fig.layout.margin.l >= longest  # the longest row label fits left of the plot
    many = [f"t{i}" for i in range(512)]
    big = figures.matrix_heatmap(np.eye(512, dtype=np.float32), many, many, title="t")
    assert 512 / big.layout.xaxis.dtick <= 100  # hundreds of labels would each cost a DOM measurement


def test_pair_heatmaps_share_one_colour_scale_and_the_row_labels():
    rng = np.random.default_rng(2)
    a, b = rng.dirichlet(np.ones(6), size=6), rng.dirichlet(np.ones(6), size=6)
    tokens = ["[CLS]", "a", "<b>", "c", "d", "[SEP]"]
    fig = figures.pair_heatmaps(a, b, tokens, titles=("A <i>", "B"), zmax=0.9)
    assert [tr.coloraxis for tr in fig.data] == ["coloraxis", "coloraxis"]
    assert fig.layout.coloraxis.cmax == 0.9
    np.testing.assert_allclose(fig.data[0].z, a, rtol=1e-6)
    np.testing.assert_allclose(fig.data[1].z, b, rtol=1e-6)
    assert fig.layout.yaxis2.showticklabels is False  # B reuses A's row labels
    assert list(fig.data[0].y) == figures.token_labels(tokens) and "&lt;b&gt;" in fig.data[1].x
    assert [ann.text for ann in fig.layout.annotations] == ["A &lt;i&gt;", "B"]
    assert fig.data[0].z.dtype == np.float32
