"""/attention and /model-view with BERTVIZ_HEATMAP=plotly: the Plotly figures still draw (the benchmark's side-by-side
path and a fallback), with the same numbers as the canvas."""

from __future__ import annotations

import numpy as np
import pytest
from apptest_util import charts, decode, open_page

import bertviz_core as bc

TEXT = "The cat sat on the mat."


def test_plotly_path_draws_the_same_attention_as_the_canvas(monkeypatch):
    canvas = charts(open_page("attention", model="bert-minilm-l6", text=TEXT, layer="1", head="4"))
    monkeypatch.setenv("BERTVIZ_HEATMAP", "plotly")
    at = open_page("attention", model="bert-minilm-l6", text=TEXT, layer="1", head="4")
    assert not at.exception and not at.get("bidi_component")
    (spec,) = charts(at)
    expected = bc.capture(bc.load_model("bert-minilm-l6"), TEXT).attentions[1, 4]
    np.testing.assert_allclose(decode(spec["data"][0]["z"]), expected, atol=1e-6)
    (canvas_spec,) = canvas
    assert canvas_spec["data"][0]["type"] == "canvas"
    np.testing.assert_allclose(np.array(canvas_spec["data"][0]["z"]), expected, atol=5e-5)


def test_plotly_path_of_the_model_view_keeps_its_click_targets(monkeypatch):
    monkeypatch.setenv("BERTVIZ_HEATMAP", "plotly")
    at = open_page("model_view", model="bert-minilm-l6", text=TEXT)
    assert not at.exception and not at.get("bidi_component")
    assert len(charts(at)[0]["data"][1]["customdata"]) == 6 * 12


# ---------------------------------------------------------------- /compare, /contributions, /convolution (issue #29)
PAIR = {"model_a": "bert-minilm-l6", "model_b": "convbert-minilm-l6"}


def canvases(at) -> list[dict]:
    return [spec for spec in charts(at) if spec["data"][0]["type"] == "canvas"]


def downloads(at) -> list[str]:
    """The keys of the page's download buttons (app/export_ui.py: export_<stem>_<format>...)."""
    return [b.proto.id for b in at.get("download_button")]


def test_compare_draws_a_and_b_on_one_scale_and_a_minus_b_on_a_diverging_one():
    from app.heatmap import encode
    from bertviz_core import figures

    at = open_page("compare", **PAIR, text=TEXT, layer="2", head="3")
    assert not at.exception and not at.get("plotly_chart")  # the Plotly figures are built for the downloads only
    pair, diff = canvases(at)
    a = bc.capture(bc.load_model("bert-minilm-l6"), TEXT).attentions[2, 3]
    b = bc.capture(bc.load_model("convbert-minilm-l6"), TEXT).attentions[2, 3]
    za, zb = np.asarray(pair["data"][0]["z"])
    np.testing.assert_allclose(za, a, atol=5e-5)
    np.testing.assert_allclose(zb, b, atol=5e-5)
    assert pair["header"]["grid"] == [1, 2] and pair["header"]["title_each"]  # A beside B, each titled
    assert pair["header"]["zmin"] == 0 and pair["header"]["zmax"] == pytest.approx(max(a.max(), b.max()), abs=1e-6)
    np.testing.assert_allclose(np.asarray(diff["data"][0]["z"]), a - b, atol=1e-4)
    lim = float(np.abs(a - b).max())
    assert diff["header"]["zmin"] == pytest.approx(-lim, abs=1e-6) and diff["header"]["zmax"] == pytest.approx(
        lim, abs=1e-6
    )
    assert diff["header"]["colors"] == encode.colour_stops(figures.DIFF_SCALE)  # diverging, white at 0
    assert diff["header"]["colors"] != pair["header"]["colors"]
    for stem in ("compare-L2-H3-pair", "compare-L2-H3-difference"):  # the Plotly figures' downloads stay under each
        assert any(key.endswith(f"export_{stem}_png_projector") for key in downloads(at)), downloads(at)


def test_compare_projector_mode_draws_a_minus_b_as_large_as_a_and_b():
    at = open_page("compare", **PAIR, text=TEXT, big="1")
    assert not at.exception
    pair, diff = canvases(at)
    assert diff["header"]["plot_px"] == pair["header"]["plot_px"] >= 600  # one square each, the same size
    assert diff["header"]["font_size"] == pair["header"]["font_size"] == 20


def test_compare_in_chinese_names_the_canvases_in_chinese():
    at = open_page("compare", **PAIR, text=TEXT, lang="zh")
    assert not at.exception
    pair, diff = canvases(at)
    assert pair["header"]["row_title"] != "query token (from)" and "A" in pair["header"]["panel_titles"][0]
    assert diff["header"]["words"]["reset"] == "重置缩放"


def test_convolution_grid_is_one_canvas_three_panels_a_row_on_a_projector():
    sentence = "The animal didn't cross the street because it was too tired."
    trace = bc.capture(bc.load_model("convbert-minilm-l6"), sentence)
    at = open_page("convolution", text=sentence, layer="2")
    (grid,) = canvases(at)
    assert grid["header"]["grid"] == [2, 6] and grid["header"]["title_each"]
    assert grid["header"]["panel_titles"][6] == "Conv head 0"
    z = np.asarray(grid["data"][0]["z"])
    np.testing.assert_allclose(z[: trace.n_heads], trace.attentions[2], atol=5e-5)
    np.testing.assert_allclose(z[trace.n_heads :], trace.conv_matrices(2), atol=5e-5)
    assert any(key.endswith("export_conv-heads-L2_html") for key in downloads(at))
    big = canvases(open_page("convolution", text=sentence, layer="2", big="1"))[0]
    assert big["header"]["grid"] == [4, 3] and big["header"]["plot_px"] == 400


def test_convolution_grid_of_a_long_input_is_block_averaged_and_labelled_by_range():
    from bertviz_core.figures.labels import block_average

    sentence = " ".join(["the cat sat on the mat"] * 40)  # ~242 tokens
    trace = bc.capture(bc.load_model("convbert-minilm-l6"), sentence)
    (grid,) = canvases(open_page("convolution", text=sentence))
    assert grid["header"]["rows"] == grid["header"]["cols"] == 128 < len(trace)
    assert sum(" … " in y for y in grid["header"]["y_labels"]) > 100  # most cells: a range of 2 tokens
    z = np.asarray(grid["data"][0]["z"])
    np.testing.assert_allclose(z[-1], block_average(trace.conv_matrices(0)[-1], 128), atol=5e-5)


def test_plotly_path_of_compare_contributions_and_convolution(monkeypatch):
    monkeypatch.setenv("BERTVIZ_HEATMAP", "plotly")
    at = open_page("compare", **PAIR, text=TEXT, layer="2", head="3")
    assert not at.exception and not at.get("bidi_component")
    pair, diff = charts(at)
    a = bc.capture(bc.load_model("bert-minilm-l6"), TEXT).attentions[2, 3]
    np.testing.assert_allclose(decode(pair["data"][0]["z"]), a, atol=1e-6)
    assert diff["data"][0]["zmid"] == 0
    at = open_page("contributions", model="bert-minilm-l6", text=TEXT, contrib_method="rollout")
    assert not at.exception and not at.get("bidi_component")
    assert [d["type"] for d in charts(at)[0]["data"]] == ["heatmap", "heatmap"]
    at = open_page("convolution", text=TEXT)
    assert not at.exception and not at.get("bidi_component")
    assert len(charts(at)[1]["data"]) == 12  # the grid: 6 attention + 6 conv heads as Plotly subplots
