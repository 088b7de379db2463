"""The /contributions page: both heatmaps against the library (AppTest), ConvBERT and the flow cap in Chinese,
an int8 model's reasons, the method from a link; and the page in Chromium (e2e: it uses the app server).
The methods themselves: tests/analysis/test_contributions.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import bertviz_core as bc
from bertviz_core.analysis import contributions as C

TEXT = "The cat sat on the mat."


# ---------------------------------------------------------------- the page
def test_contributions_page_draws_both_heatmaps(bert):
    from apptest_util import canvas_heatmaps, charts, open_page, texts

    from app.heatmap import token_labels

    at = open_page("contributions", model="bert-minilm-l6", text=TEXT, layer="2", contrib_method="alti")
    assert not at.exception
    trace = bc.capture(bert, TEXT)
    (heat,) = canvas_heatmaps(at)  # raw attention and ALTI: two panels of one canvas, one scale
    assert heat["header"]["panels"] == 2 and heat["header"]["grid"] == [1, 2]
    assert heat["data"][0]["x"] == token_labels(trace.tokens) and heat["data"][0]["y"] == token_labels(trace.tokens)
    z = np.asarray(heat["data"][0]["z"])
    np.testing.assert_allclose(z[0], C.attention_mean(trace)[2], atol=5e-5)  # uint16 steps of 1e-4
    np.testing.assert_allclose(z[1], bc.mixing(bert, trace, "alti")[2], atol=6e-5)  # other thread, other sum order
    kinds = [[d["type"] for d in spec["data"]] for spec in charts(at)]
    assert kinds == [["bar", "bar"], ["bar"], ["canvas"]]  # what the output draws on; input attribution
    keys = [b.proto.id for b in at.get("download_button")]  # the Plotly pair's downloads under the canvas
    assert any(key.endswith("export_contributions-alti-L2_png_projector") for key in keys), keys
    assert "Ferrando" in texts(at) and "completeness gap" in texts(at)


def test_contributions_page_convbert_and_flow_cap():
    from apptest_util import canvas_heatmaps, open_page, texts

    long_text = "The animal didn't cross the busy street yesterday because it was far too tired."
    at = open_page("contributions", model="convbert-minilm-l6", text=long_text, contrib_method="flow", lang="zh")
    assert not at.exception
    assert f"上限为 {C.FLOW_MAX_TOKENS} 个词元" in texts(at)  # capped, said so, rollout shown instead
    assert "卷积头" in texts(at)
    (heat,) = canvas_heatmaps(at)
    assert heat["header"]["panels"] == 2 and heat["header"]["panel_titles"][1].startswith("注意力 rollout")


def test_contributions_page_on_an_int8_model_says_why_norm_and_alti_do_not_apply():
    from apptest_util import canvas_heatmaps, charts, open_page

    quantized = ("Not reliable on this model:", "此模型上的结果不可靠")  # the attribution's warning, checked apart

    def warnings(at):  # the method's own warnings
        return [str(w.value) for w in at.warning if not str(w.value).startswith(quantized)]

    def attribution_warned(at):
        return any(str(w.value).startswith(quantized) for w in at.warning)

    int8_reason = (
        "Its weights are stored as packed int8, and this method needs the float weights of the value and "
        "output projections. Compare the original model (without @int8) instead."
    )
    at = open_page("contributions", model="bert-minilm-l6@int8", text=TEXT, layer="2", contrib_method="norm")
    assert not at.exception
    (w,) = warnings(at)
    assert w.startswith("Norm-based attention ‖αf(x)‖ does not apply to ") and int8_reason in w
    assert [d["type"] for spec in charts(at) for d in spec["data"]] == ["bar"]  # no heatmaps; attribution drawn
    assert attribution_warned(at)  # ... with a warning: gradients through int8 kernels are not reliable
    at.selectbox(key="contrib_method").set_value("alti").run()
    assert not at.exception
    (w,) = warnings(at)
    assert w.startswith("ALTI") and int8_reason in w
    at.selectbox(key="contrib_method").set_value("rollout").run()  # needs attention only: works on int8
    assert not at.exception and not warnings(at)
    assert [spec["header"]["panels"] for spec in canvas_heatmaps(at)] == [2]

    at = open_page("contributions", model="bert-minilm-l6@int8", text=TEXT, contrib_method="alti", lang="zh")
    assert not at.exception
    (w,) = warnings(at)
    assert "它的权重以压缩的 int8 形式存储" in w and "不适用于" in w


def test_contributions_method_from_the_link_is_validated_in_the_url_table():
    from apptest_util import canvas_heatmaps, open_page

    from app import state

    assert state.parse_url({"contrib_method": ["rollout"]}) == ({"contrib_method": "rollout"}, [])
    at = open_page("contributions", model="bert-minilm-l6", text=TEXT, contrib_method="softmax")
    assert not at.exception
    assert "The link's value for 'contrib_method' cannot be used (softmax); the default is used instead." in [
        str(w.value) for w in at.warning
    ]
    assert at.selectbox(key="contrib_method").value == "norm"
    at = open_page("contributions", model="bert-minilm-l6", text=TEXT, layer="1", contrib_method="rollout")
    assert not at.exception and not at.warning
    assert at.selectbox(key="contrib_method").value == "rollout"
    titles = canvas_heatmaps(at)[0]["header"]["panel_titles"]
    assert any(title.startswith("Attention rollout") for title in titles), titles


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.skipif(not Path(CHROMIUM).exists() and not shutil.which("chromium"), reason="Chromium not installed")
def test_contributions_in_chromium(app_server):
    from browser_util import browser, heatmap_labels, screenshot, wait_for_plot

    from app.heatmap import token_labels

    artifacts = Path(__file__).resolve().parents[1] / "artifacts"
    artifacts.mkdir(exist_ok=True)
    with browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1800})
        page.goto(f"{app_server}/contributions?model=bert-minilm-l6&text=The%20cat%20sat.&contrib_method=norm")
        wait_for_plot(page, count=3, timeout=240_000)  # first page of a fresh server: model load, capture, IG
        labels = heatmap_labels(page)  # the canvas (raw attention beside the method) comes first on the page
        assert labels["x"] == token_labels(["[CLS]", "the", "cat", "sat", ".", "[SEP]"]) and labels["y"] == labels["x"]
        root = "document.querySelector(\"[data-testid='bv-heatmap-root']\")"
        assert page.evaluate(f"JSON.parse({root}.dataset.grid)") == [1, 2]  # both squares on one canvas
        assert "Traceback" not in page.inner_text("body")
        screenshot(page, artifacts / "contributions.png")


def test_masked_word_attribution_of_bundled_bert_names_the_mlm_model_that_guesses():
    from apptest_util import open_page, texts

    from app import i18n, state

    at = open_page("contributions", model="bert-minilm-l6", text="The cat sat on the [MASK].", layer="2")
    at.radio(key="contrib_attr_method").set_value("gradient_x_input")
    at.radio(key="contrib_target").set_value("mask").run()
    assert not at.exception
    note = i18n.TEXT["contrib_attr_guesser"]["en"].format(
        model=state.md_escape("bert-minilm-l6"), guesser="bert-minilm-l6-mlm", origin="bert-minilm-l6"
    )
    assert note in texts(at) and "The model predicts" in texts(at)  # a guess, not "unavailable"
