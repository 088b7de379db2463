"""The /syntax page: the best-heads table, the accuracy map and the word matrix with the gold arcs against the
library (AppTest), a typed sentence on the ConvBERT in Chinese, and both in Chromium (e2e: it uses the app
server). Head accuracy itself: tests/analysis/test_syntax.py."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SHARED

from bertviz_core.analysis import syntax
from bertviz_core.tracing import batch

EWT_TEST = SHARED / "ud-english-ewt" / "en_ewt-ud-test.conllu"
needs_ewt = pytest.mark.skipif(not EWT_TEST.is_file(), reason="shared UD EWT data not present")


# ---------------------------------------------------------------- the page
def _spec_by_kind(at):
    from apptest_util import charts

    specs = charts(at)
    bars = [s for s in specs if s["data"] and s["data"][0]["type"] == "bar"]
    maps = [s for s in specs if s["data"] and s["data"][0]["type"] == "heatmap" and "texttemplate" in s["data"][0]]
    heat = [s for s in specs if s["data"] and s["data"][0]["type"] == "heatmap" and "texttemplate" not in s["data"][0]]
    return bars, maps, heat


@needs_ewt
def test_syntax_page_table_map_and_gold_arcs(bert):
    from apptest_util import decode, open_page, texts

    sentence = syntax.read_conllu(EWT_TEST, 3)[1]  # 'What if Google expanded on its search-engine ...'
    text = " ".join(sentence.words)
    at = open_page("syntax", model="bert-minilm-l6", text=text, layer="2", head="8")
    assert not at.exception
    bars, maps, heat = _spec_by_kind(at)
    shipped = syntax.read_table(syntax.shipped_table_path("bert-minilm-l6"))
    best = syntax.best_heads(shipped, syntax.MAIN_RELATIONS)
    assert list(bars[0]["data"][0]["x"]) == list(best["relation"])
    np.testing.assert_allclose(decode(bars[0]["data"][0]["y"]), best["accuracy"], atol=1e-6)
    np.testing.assert_allclose(decode(bars[0]["data"][1]["y"]), best["offset_accuracy"], atol=1e-6)
    np.testing.assert_allclose(decode(maps[0]["data"][0]["z"]), syntax.accuracy_grid(shipped, "det"), atol=1e-6)
    (fig,) = heat
    z = decode(fig["data"][0]["z"])
    # the page's word matrix (capture + character offsets) equals the corpus path (word_ids)
    inputs, word_ids = syntax.encode_words(bert, sentence.words)
    ((_, result),) = batch.run(bert, [inputs])
    expected, _ = syntax.word_attention(result["attentions"][2, 8], word_ids, len(sentence))
    np.testing.assert_allclose(z, expected, atol=1e-5)
    gold = next(d for d in fig["data"] if d.get("marker", {}).get("symbol") == "square-open")
    labels = list(fig["data"][0]["x"])
    arcs = sorted(zip(gold["y"], gold["x"]))
    want = sorted((labels[d], labels[h - 1]) for d, h in enumerate(sentence.heads) if h > 0)
    assert arcs == want  # every word's gold head marked in its row
    assert len(fig["layout"]["shapes"]) == len(want)  # one arc per non-root word
    assert "gets" in texts(at)


def test_syntax_page_typed_sentence_convbert_in_chinese():
    from apptest_util import decode, open_page, texts

    at = open_page("syntax", model="convbert-minilm-l6", text="Dogs chase the small cats", lang="zh")
    assert not at.exception
    _, maps, heat = _spec_by_kind(at)
    assert at.title[0].value == "哪些注意力头追踪句法"
    assert list(maps[0]["data"][0]["x"]) == [f"H{h}" for h in range(6)] + [f"C{c}" for c in range(6)]
    (fig,) = heat
    assert not any(d.get("marker", {}).get("symbol") == "square-open" for d in fig["data"])  # no gold arcs
    assert not fig["layout"].get("shapes")
    assert decode(fig["data"][0]["z"]).shape == (5, 5)
    assert "手动输入的句子" in texts(at)


def test_without_the_treebank_the_page_does_not_promise_a_sentence_picker(monkeypatch, tmp_path):
    from apptest_util import open_page, texts

    from app import state, syntax_view

    monkeypatch.setattr(syntax_view, "EWT_TEST", tmp_path / "absent.conllu")  # a clone without ../shared
    state.caches.treebank_sentences.clear()
    try:
        at = open_page("syntax", model="bert-minilm-l6", text="Dogs chase the small cats")
        assert not at.exception
        shown = texts(at)
        assert "there is no sentence to pick" in shown and "pick a treebank sentence to see them" not in shown
        assert not [s for s in at.selectbox if s.key == "syn_pick"]
    finally:
        state.caches.treebank_sentences.clear()


@needs_ewt
def test_syntax_page_in_chromium(app_server):
    import shutil
    from pathlib import Path
    from urllib.parse import quote

    from browser_util import CHROMIUM, browser, screenshot, wait_for_plot

    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip("Chromium not installed")
    artifacts = Path(__file__).resolve().parents[1] / "artifacts"
    artifacts.mkdir(exist_ok=True)
    sentence = syntax.read_conllu(EWT_TEST, 3)[1]
    text = quote(" ".join(sentence.words))
    with browser() as b:
        for model, lang in (("bert-minilm-l6", "en"), ("convbert-minilm-l6", "zh")):
            page = b.new_page(viewport={"width": 1400, "height": 1800})
            page.goto(f"{app_server}/syntax?model={model}&text={text}&layer=2&head=1&lang={lang}", timeout=180_000)
            wait_for_plot(page, count=3, timeout=300_000)  # first load of a model in a fresh server
            info = page.evaluate(
                "() => { const els = [...document.querySelectorAll('.js-plotly-plot')];"
                " const heat = els[els.length - 1];"
                " return {n: els.length, x: Array.from(heat._fullData[0].x), shapes: (heat._fullLayout.shapes || []).length,"
                " bars: els[0]._fullData.map(d => d.type)}; }"
            )
            assert info["x"][:3] == ["What", "if", "Google"]
            assert info["shapes"] == sum(1 for h in sentence.heads if h > 0)  # the gold arcs were drawn
            assert info["bars"] == ["bar", "bar"]
            body = page.inner_text("body")
            assert "Traceback" not in body
            assert ("哪些注意力头追踪句法" if lang == "zh" else "Which heads track syntax") in body
            screenshot(page, artifacts / f"syntax_{model}_{lang}.png", timeout=120_000)
            page.close()
