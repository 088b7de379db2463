"""Figures of DeBERTa's score terms (bertviz_core.figures.deberta): one diverging scale for the three terms, the
attention on its own, layer x head maps on one scale, and the relative-position buckets."""

from __future__ import annotations

import numpy as np

from bertviz_core import figures
from bertviz_core.analysis import deberta

TOKENS = ["[CLS]", "the", "<b>cat</b>", "sat", "[SEP]"]


def terms_and_attention(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    terms = rng.normal(size=(3, 5, 5)).astype(np.float32) * np.array([1.0, 3.0, 0.5], dtype=np.float32)[:, None, None]
    return terms, deberta.attention_from_terms(terms).astype(np.float32)


def coloraxis(fig, trace) -> dict:
    name = trace.coloraxis
    return fig.layout[name]


def test_the_three_terms_share_one_symmetric_scale_and_the_attention_has_its_own():
    terms, attention = terms_and_attention()
    fig = figures.term_heatmaps(terms, attention, TOKENS, titles=["c2c", "c2p", "p2c", "attention"])
    assert [tr.type for tr in fig.data] == ["heatmap"] * 4
    term_traces, attention_trace = fig.data[:3], fig.data[3]
    assert len({tr.coloraxis for tr in term_traces}) == 1  # one scale for the three terms
    scale = coloraxis(fig, term_traces[0])
    zmax = float(np.abs(terms).max())  # the largest term anywhere (here in c2p) sets the scale of all three
    assert scale.cmin == -scale.cmax and np.isclose(scale.cmax, zmax)
    assert scale.cmid == 0 and scale.colorscale != coloraxis(fig, attention_trace).colorscale
    own = coloraxis(fig, attention_trace)
    assert attention_trace.coloraxis != term_traces[0].coloraxis
    assert own.cmin == 0 and np.isclose(own.cmax, attention.max())
    for k in range(3):
        np.testing.assert_array_equal(fig.data[k].z, terms[k])
    np.testing.assert_array_equal(attention_trace.z, attention)
    assert fig.data[0].y[2] == "&lt;b&gt;cat&lt;/b&gt;"  # tokens are axis labels, escaped


def test_an_unused_term_says_so_in_its_title():
    terms, attention = terms_and_attention()
    terms[2] = 0
    fig = figures.term_heatmaps(
        terms,
        attention,
        TOKENS,
        titles=["c2c", "c2p", "p2c", "attention"],
        used=(True, True, False),
        unused_note="not used by this model (zeros)",
    )
    titles = [a.text for a in fig.layout.annotations]
    assert "not used by this model (zeros)" in titles[2]
    assert not any("not used" in t for t in (titles[0], titles[1], titles[3]))


def test_panels_are_squares_laid_out_in_pixels_within_the_width():
    terms, attention = terms_and_attention()
    fig = figures.term_heatmaps(terms, attention, TOKENS, titles=["a", "b", "c", "d"], width=940)
    assert fig.layout.width <= 940 and fig.layout.margin.autoexpand is False
    plot_w = fig.layout.width - fig.layout.margin.l - fig.layout.margin.r
    plot_h = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    widths = [
        (fig.layout[f"xaxis{k or ''}"].domain[1] - fig.layout[f"xaxis{k or ''}"].domain[0]) * plot_w
        for k in (0, 2, 3, 4)
    ]
    assert np.allclose(widths, plot_h, atol=1.5)  # each panel as wide as it is tall


def test_long_sentences_are_block_averaged():
    T = 200
    rng = np.random.default_rng(1)
    terms = rng.normal(size=(3, T, T)).astype(np.float32)
    fig = figures.term_heatmaps(
        terms, deberta.attention_from_terms(terms), [f"t{i}" for i in range(T)], titles=list("abcd"), max_cells=50
    )
    assert fig.data[0].z.shape == (50, 50)
    np.testing.assert_allclose(fig.data[0].z[0, 0], terms[0, :4, :4].mean(), rtol=1e-5)


def test_attention_panels_share_one_sequential_scale():
    terms, attention = terms_and_attention()
    recomputed = [deberta.attention_from_terms(terms, keep) for keep in deberta.ABLATIONS.values()]
    mats = np.stack([attention, *recomputed])
    fig = figures.attention_panels(mats, TOKENS, titles=["real", "only c2c", "no c2p", "no p2c"], colorbar_title="w")
    assert len({tr.coloraxis for tr in fig.data}) == 1
    assert fig.layout.coloraxis.cmin == 0 and np.isclose(fig.layout.coloraxis.cmax, mats.max())


def test_layer_head_panels_one_scale_and_the_chosen_head_outlined():
    values = np.random.default_rng(2).random((3, 6, 12))
    fig = figures.layer_head_panels(values, titles=["c2c", "c2p", "p2c"], colorbar_title="share", mark=(2, 5))
    assert len(fig.data) == 3 and len({tr.coloraxis for tr in fig.data}) == 1
    assert np.isclose(fig.layout.coloraxis.cmax, values.max())
    np.testing.assert_allclose(fig.data[1].z, values[1], rtol=1e-6)
    boxes = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(boxes) == 3 and all((b.x0, b.x1, b.y0, b.y1) == (4.5, 5.5, 1.5, 2.5) for b in boxes)


NAMES = {
    "title": "t",
    "x": "x",
    "y": "y",
    "bucket": "bucket",
    "row": "row",
    "exact": "exact",
    "log": "log",
    "table_end": "end",
    "sentence": "sentence",
}


def test_bucket_figure_draws_the_models_bucket_function_and_its_regions():
    fig = figures.position_bucket_figure(256, 512, 256, reach=15, names=NAMES)
    (line,) = fig.data  # within ±300 no distance reaches past the table: no clipped line
    d = np.asarray(line.x)
    assert d[0] == -300 and d[-1] == 300
    np.testing.assert_array_equal(line.y, deberta.relative_position_bucket(d, 256, 512))
    assert line.y[d == 100][0] == 100 and line.y[d == 200][0] < 200  # exact, then logarithmic
    texts = [a.text for a in fig.layout.annotations]
    assert texts.count("log") == 2 and "exact" in texts and "end" in texts and "sentence" in texts
    regions = sorted((s.x0, s.x1) for s in fig.layout.shapes if s.type == "rect")
    assert regions == [(-300, -128), (-128, 128), (128, 300)]


def test_bucket_figure_shows_the_clipped_rows_when_distances_pass_the_table():
    fig = figures.position_bucket_figure(256, 512, 256, reach=700, names=NAMES)
    line, row = fig.data
    assert row.name == "row" and max(row.y) == 255 and min(row.y) == -256 and max(line.y) > 255


def test_ablation_panels_hold_the_attention_and_each_recomputation():
    from scipy.special import softmax

    rng = np.random.default_rng(7)
    terms = rng.normal(size=(3, 4, 4)) * 2
    attention = softmax(terms.sum(0), axis=-1)
    fig = figures.ablation_panels(terms, attention, ["a", "b", "c", "d"], titles=["real", "c2c", "-c2p", "-p2c"])
    z = [np.asarray(trace.z, dtype=float) for trace in fig.data if trace.type == "heatmap"]
    want = [attention, softmax(terms[0], -1), softmax(terms[0] + terms[2], -1), softmax(terms[0] + terms[1], -1)]
    assert len(z) == 4
    for got, expected in zip(z, want):
        np.testing.assert_allclose(got, expected, atol=1e-6)
