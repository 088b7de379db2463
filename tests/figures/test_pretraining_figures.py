"""bertviz_core.figures.pretraining: fill-mask bars, a mask's attention rows and ELECTRA's replaced-token bars hold
the numbers given, in the caller's words, with tokens escaped."""

from __future__ import annotations

import numpy as np
import pytest

from bertviz_core import figures

GUESSES = [[("mat", 0.5), ("rug", 0.25), ("<b>x</b>", 0.125)], [("ran", 0.4), ("sat", 0.3)]]


def test_fill_mask_bars_draw_one_panel_per_mask_best_on_top_in_percent():
    fig = figures.fill_mask_bars(GUESSES, titles=["[MASK] 1", "[MASK] 2"], x_title="probability")
    first, second = fig.data
    assert list(first.y) == ["mat", "rug", "&lt;b&gt;x&lt;/b&gt;"] and list(second.y) == ["ran", "sat"]
    assert list(first.x) == pytest.approx([50.0, 25.0, 12.5]) and list(second.x) == pytest.approx([40.0, 30.0])
    assert (first.xaxis, second.xaxis) == ("x", "x2")  # side by side
    assert [a.text for a in fig.layout.annotations] == ["[MASK] 1", "[MASK] 2"]
    assert fig.layout.yaxis.autorange == "reversed" and fig.layout.xaxis.title.text == "probability"


def test_fill_mask_bars_wrap_after_four_masks():
    fig = figures.fill_mask_bars([GUESSES[0]] * 6, titles=[f"m{i}" for i in range(6)])
    assert [t.xaxis for t in fig.data] == ["x", "x2", "x3", "x4", "x5", "x6"]
    assert fig.layout.xaxis5.domain == fig.layout.xaxis.domain  # the fifth starts the second row


def test_mask_attention_figure_holds_the_rows_given_and_marks_the_mask():
    rows = np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]])
    fig = figures.mask_attention_figure(
        rows, ["L0", "L1"], ["[CLS]", "[MASK]", "<i>"], title="Where it looks", mask_columns=[1], colorbar_title="w"
    )
    heat = fig.data[0]
    np.testing.assert_allclose(np.asarray(heat.z), rows)
    assert list(heat.x) == ["[CLS]", "[MASK]", "&lt;i&gt;"] and list(heat.y) == ["L0", "L1"]
    assert [a.x for a in fig.layout.annotations] == ["[MASK]"]
    assert heat.zmax == pytest.approx(0.7) and fig.layout.title.text == "Where it looks"


def test_replaced_token_bars_colour_the_replaced_tokens_apart():
    fig = figures.replaced_token_bars(
        ["[CLS]", "the", "banana", "[SEP]"],
        [0.01, 0.2, 0.9, 0.05],
        [False, False, True, False],
        title="replaced?",
        replaced_name="replaced",
        original_name="original",
    )
    original, replaced = fig.data
    assert (original.name, replaced.name) == ("original", "replaced")
    assert list(replaced.y) == [None, None, pytest.approx(90.0), None]
    assert list(original.y) == [pytest.approx(1.0), pytest.approx(20.0), None, pytest.approx(5.0)]
    assert fig.layout.yaxis.range == (0, 100)
