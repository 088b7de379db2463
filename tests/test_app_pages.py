"""AppTest smoke and content tests for every page."""
from __future__ import annotations

import numpy as np
import pytest

import bertviz_core as bc
from apptest_util import charts, decode, open_page, texts
from bertviz_core.figures import token_labels

TEXT = "The cat sat on the mat."


@pytest.fixture(scope="module")
def tokens():
    return bc.capture(bc.load_model("bert-minilm-l6"), TEXT).tokens


def test_home_links_every_view():
    at = open_page("home")
    assert not at.exception
    labels = [e.proto.label for e in at.get("page_link")]
    assert "Attention" in labels and "Model view" in labels


def test_attention_page_draws_labelled_heatmap(tokens):
    at = open_page("attention", model="bert-minilm-l6", text=TEXT, layer="2", head="3")
    assert not at.exception
    (spec,) = charts(at)
    trace = spec["data"][0]
    assert trace["type"] == "heatmap"
    assert trace["x"] == token_labels(tokens) and trace["y"] == token_labels(tokens)
    z = decode(trace["z"])
    expected = bc.capture(bc.load_model("bert-minilm-l6"), TEXT).attentions[2, 3]
    np.testing.assert_allclose(z, expected, atol=1e-6)
    assert "Layer 2" in spec["layout"]["title"]["text"]


def test_attention_mean_and_hidden_special_columns(tokens):
    at = open_page("attention", model="bert-minilm-l6", text=TEXT, head="mean", hide_special="1")
    assert not at.exception
    trace = charts(at)[0]["data"][0]
    assert "[CLS]" not in trace["x"] and "[SEP]" not in trace["x"]
    assert trace["y"][0] == "[CLS]"


def test_model_view_draws_every_head():
    at = open_page("model-view".replace("-", "_"), model="bert-minilm-l6", text=TEXT)
    assert not at.exception
    spec = charts(at)[0]
    grid, markers = spec["data"][0], spec["data"][1]
    assert len(markers["customdata"]) == 6 * 12
    z = decode(grid["z"])
    assert z.dtype == np.uint8


def test_empty_sentence_gets_a_prompt_not_an_error():
    at = open_page("attention", text="   ")
    assert not at.exception
    assert not at.get("plotly_chart")
    assert any("Type a sentence" in e.value for e in at.info)


def test_unknown_model_shows_error_and_bundled_still_works():
    at = open_page("attention", model="no-such-model-xyz", text=TEXT)
    assert not at.exception
    assert at.error and "no-such-model-xyz" in at.error[0].value
    at.selectbox(key="model").set_value("bert-minilm-l6").run()
    assert not at.exception and at.get("plotly_chart")


def test_too_long_input_is_truncated_with_notice():
    at = open_page("attention", text="word " * 700)
    assert not at.exception
    assert any("dropped" in w.value for w in at.warning)


def test_convolution_page_shows_kernels_and_banded_heads():
    sentence = "The animal didn't cross the street because it was too tired."
    at = open_page("convolution", text=sentence, layer="1")
    assert not at.exception
    kernels, grid = charts(at)
    trace = bc.capture(bc.load_model("convbert-minilm-l6"), sentence)
    assert len(kernels["data"]) == trace.n_conv_heads
    np.testing.assert_allclose(decode(kernels["data"][0]["z"]), trace.conv_kernels[1, 0], atol=1e-6)
    assert kernels["data"][0]["y"] == token_labels(trace.tokens)
    assert len(grid["data"]) == trace.n_heads + trace.n_conv_heads
    np.testing.assert_allclose(decode(grid["data"][-1]["z"]), trace.conv_matrices(1)[-1], atol=1e-6)
    assert "in parallel" in texts(at)


def test_convolution_page_switches_from_bert_to_convbert():
    at = open_page("convolution", model="bert-minilm-l6", text=TEXT)
    assert not at.exception
    assert at.session_state["model"] == "convbert-minilm-l6"
    assert len(charts(at)) == 2
