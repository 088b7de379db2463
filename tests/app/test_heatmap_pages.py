"""/attention and /model-view with BERTVIZ_HEATMAP=plotly: the Plotly figures still draw (the benchmark's side-by-side
path and a fallback), with the same numbers as the canvas."""

from __future__ import annotations

import numpy as np
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
