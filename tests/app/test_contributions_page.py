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
    from apptest_util import charts, decode, open_page, texts

    from bertviz_core.figures.labels import token_labels

    at = open_page("contributions", model="bert-minilm-l6", text=TEXT, layer="2", contrib_method="alti")
    assert not at.exception
    trace = bc.capture(bert, TEXT)
    heat = charts(at)[0]["data"]
    assert [d["type"] for d in heat] == ["heatmap", "heatmap"]
    for d in heat:
        assert d["x"] == token_labels(trace.tokens) and d["y"] == token_labels(trace.tokens)
    np.testing.assert_allclose(decode(heat[0]["z"]), C.attention_mean(trace)[2], atol=1e-6)
    np.testing.assert_allclose(
        decode(heat[1]["z"]), bc.mixing(bert, trace, "alti")[2], atol=1e-5
    )  # the page runs in another thread: other summation order
    kinds = [[d["type"] for d in spec["data"]] for spec in charts(at)]
    assert kinds[1:] == [["bar", "bar"], ["bar"]]  # what the output draws on; input attribution
    assert "Ferrando" in texts(at) and "completeness gap" in texts(at)


def test_contributions_page_convbert_and_flow_cap():
    from apptest_util import charts, open_page, texts

    long_text = "The animal didn't cross the busy street yesterday because it was far too tired."
    at = open_page("contributions", model="convbert-minilm-l6", text=long_text, contrib_method="flow", lang="zh")
    assert not at.exception
    assert f"上限为 {C.FLOW_MAX_TOKENS} 个词元" in texts(at)  # capped, said so, rollout shown instead
    assert "卷积头" in texts(at)
    assert [d["type"] for d in charts(at)[0]["data"]] == ["heatmap", "heatmap"]


def test_contributions_page_on_an_int8_model_says_why_norm_and_alti_do_not_apply():
    from apptest_util import charts, open_page

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
    assert [d["type"] for d in charts(at)[0]["data"]] == ["bar"]  # no heatmaps; input attribution still drawn
    assert attribution_warned(at)  # ... with a warning: gradients through int8 kernels are not reliable
    at.selectbox(key="contrib_method").set_value("alti").run()
    assert not at.exception
    (w,) = warnings(at)
    assert w.startswith("ALTI") and int8_reason in w
    at.selectbox(key="contrib_method").set_value("rollout").run()  # needs attention only: works on int8
    assert not at.exception and not warnings(at)
    assert [d["type"] for d in charts(at)[0]["data"]] == ["heatmap", "heatmap"]

    at = open_page("contributions", model="bert-minilm-l6@int8", text=TEXT, contrib_method="alti", lang="zh")
    assert not at.exception
    (w,) = warnings(at)
    assert "它的权重以压缩的 int8 形式存储" in w and "不适用于" in w


def test_contributions_method_from_the_link_is_validated_in_the_url_table():
    from apptest_util import charts, open_page

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
    titles = [a["text"] for a in charts(at)[0]["layout"]["annotations"]]
    assert any(title.startswith("Attention rollout") for title in titles), titles


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.skipif(not Path(CHROMIUM).exists() and not shutil.which("chromium"), reason="Chromium not installed")
def test_contributions_in_chromium(app_server):
    from browser_util import browser, heatmap_labels, screenshot, wait_for_plot

    from bertviz_core.figures.labels import token_labels

    artifacts = Path(__file__).resolve().parents[1] / "artifacts"
    artifacts.mkdir(exist_ok=True)
    with browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1800})
        page.goto(f"{app_server}/contributions?model=bert-minilm-l6&text=The%20cat%20sat.&contrib_method=norm")
        wait_for_plot(page, count=3, timeout=240_000)  # first page of a fresh server: model load, capture, IG
        labels = heatmap_labels(page)
        assert labels["x"] == token_labels(["[CLS]", "the", "cat", "sat", ".", "[SEP]"]) and labels["y"] == labels["x"]
        right = page.evaluate("document.querySelector('.js-plotly-plot')._fullData[1].x")
        assert right == labels["x"]
        assert "Traceback" not in page.inner_text("body")
        screenshot(page, artifacts / "contributions.png")
