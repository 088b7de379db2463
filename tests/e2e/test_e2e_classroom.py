"""In front of a class (issue #11), in Chromium: figure sizes, page defaults, labels, 中文 figures."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest
from browser_util import CHROMIUM, browser, wait_for_plot, wait_idle
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = pytest.mark.skipif(
    not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists(), reason="Chromium not installed"
)

# the plot area's width of every figure: Plotly's, and the canvas heatmaps' (app/heatmap: data-plot, in CSS px, from
# the first panel's left edge to the last one's right edge: /compare's A and B as one width, as Plotly's)
PLOT_WIDTHS = (
    "[...document.querySelectorAll(\".js-plotly-plot, [data-testid='bv-heatmap-root']\")]"
    ".map(e => e.dataset.plot ? (p => Math.round(Math.max(...p.map(b => b[0] + b[2])) - p[0][0]))"
    "(JSON.parse(e.dataset.plot)) : (e._fullLayout && e._fullLayout._size) ? Math.round(e._fullLayout._size.w) : 0)"
)
CANVAS = "document.querySelector(\"[data-testid='bv-heatmap-root']\")"
# every word a figure shows: titles, axis and colour-bar titles, legend names, hover templates, tick text
PLOT_TEXT = """JSON.stringify([...document.querySelectorAll('.js-plotly-plot')].map(e => {
  const l = e._fullLayout || {}, out = [];
  if (l.title && l.title.text) out.push(l.title.text);
  for (const k in l) { const v = l[k]; if (!v || typeof v !== 'object') continue;
    if (v.title && v.title.text) out.push(v.title.text);
    if (v.colorbar && v.colorbar.title && v.colorbar.title.text) out.push(v.colorbar.title.text);
    if (Array.isArray(v.ticktext)) out.push(v.ticktext.join(' ')); }
  for (const a of (l.annotations || [])) if (a.text) out.push(a.text);
  for (const t of (e._fullData || [])) {
    if (t.hovertemplate) out.push(String(t.hovertemplate));
    if (t.name && t.showlegend !== false) out.push(String(t.name));
    if (t.colorbar && t.colorbar.title && t.colorbar.title.text) out.push(t.colorbar.title.text); }
  return out.join(' | ');
}).concat([...document.querySelectorAll("[data-testid='bv-heatmap-root']")].map(e =>
  JSON.parse(e.dataset.words).join(' | '))).join(' | '))"""
# Latin words a 中文 figure may show: model names, special tokens, abbreviations, math
ALLOWED = {
    "bert",
    "convbert",
    "minilm",
    "cls",
    "sep",
    "unk",
    "pad",
    "mask",
    "js",
    "cka",
    "pca",
    "yitutech",
    "base",
    "mbert",
    "distilbert",
    "tinybert",
    "albert",
    "roberta",
    "electra",
    "deberta",
    "small",
    "logit",
    "logits",
}
# Universal Dependencies relation labels are the treebank's own names (shown as such on /syntax)
ALLOWED |= {"ud", "ewt", "michel", "int"}  # dataset and paper names, int8
ALLOWED |= {"hessian", "qbert"}  # a mathematician's name (as in Chinese texts) and the @qbert=N variant id
ALLOWED |= {
    "det",
    "amod",
    "nsubj",
    "obj",
    "iobj",
    "case",
    "advmod",
    "aux",
    "mark",
    "nmod",
    "obl",
    "compound",
    "conj",
    "cc",
    "punct",
    "root",
    "cop",
    "xcomp",
    "ccomp",
    "acl",
    "advcl",
    "appos",
    "nummod",
    "flat",
    "fixed",
    "expl",
    "csubj",
    "parataxis",
    "list",
    "vocative",
    "discourse",
    "orphan",
    "goeswith",
    "reparandum",
    "dep",
    "dislocated",
}


@pytest.fixture(scope="module")
def server(app_server):
    return app_server


def _sidebar(page, name: str):
    """Click a page in the sidebar; return once the new page is there and its script has finished."""
    link = page.locator('[data-testid="stSidebarNav"] a', has_text=name).first
    target = urlparse(link.get_attribute("href") or "").path.rstrip("/")
    before = urlparse(page.url).path.rstrip("/")
    link.click()
    if target and target != before:
        page.wait_for_function(f"location.pathname.replace(/\\/$/, '') === {json.dumps(target)}")
    page.wait_for_timeout(300)  # the rerun starts
    wait_idle(page)


def _wait_for_new_width(page, before: int):
    """After switching projector mode: wait until the first figure's width is no longer `before` (or 30 s: the
    caller's assertion then says what it found), and the run has finished."""
    try:
        page.wait_for_function(
            f"(() => {{ const w = {PLOT_WIDTHS}; return w.length > 0 && w[0] > 0 && w[0] !== {int(before)}; }})()",
            timeout=30_000,
        )
    except PlaywrightTimeout:
        pass
    wait_idle(page)
    wait_for_plot(page)


def test_projector_heatmap_fills_a_1920_screen(server):
    """At 1920 px with projector mode on, /attention's square is large, and larger than without it."""
    with browser() as b:
        page = b.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(f"{server}/attention?model=bert-minilm-l6&text=The%20cat%20sat%20on%20the%20mat%20today.")
        wait_for_plot(page)
        normal = page.evaluate(PLOT_WIDTHS)[0]
        page.locator('[data-testid="stSidebar"] label:has(input[type=checkbox])').first.click()
        _wait_for_new_width(page, normal)
        big = page.evaluate(PLOT_WIDTHS)[0]
        assert normal >= 600, normal
        assert big >= 780 and big > normal, (normal, big)
        # square cells: the plot area is as tall as it is wide
        h = page.evaluate(f"JSON.parse({CANVAS}.dataset.plot)[0][3]")
        assert abs(h - big) <= 2


def test_compare_squares_grow_at_1920_and_fit_at_1400(server):
    """/compare's two squares use a 1920 px screen (larger still in projector mode) and still fit a 1400 px one."""
    url = f"{server}/compare?model_a=bert-minilm-l6&model_b=convbert-minilm-l6&text=The%20cat%20sat%20on%20the%20mat."
    with browser() as b:
        widths = {}
        for width in (1400, 1920):
            page = b.new_page(viewport={"width": width, "height": 1080})
            page.goto(url)
            wait_for_plot(page)
            widths[width] = page.evaluate(PLOT_WIDTHS)[0]  # the pair figure's plot area (both squares)
        page.locator('[data-testid="stSidebar"] label:has(input[type=checkbox])').first.click()
        _wait_for_new_width(page, widths[1920])
        widths["1920 projector"] = page.evaluate(PLOT_WIDTHS)[0]
        main = page.evaluate("document.querySelector('[data-testid=stMainBlockContainer]').clientWidth")
    assert widths[1920] >= 950 and widths[1920] > widths[1400] + 150, widths  # was 748 px at both widths
    assert widths["1920 projector"] > widths[1920], widths
    assert widths["1920 projector"] <= main, (widths, main)  # never wider than the page


def test_convolution_then_attention_through_the_sidebar_keeps_bert(server):
    with browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{server}/attention?text=The%20cat%20sat.")
        wait_for_plot(page)
        _sidebar(page, "Convolution")
        wait_for_plot(page, count=2)
        assert "ConvBERT" in page.locator('[data-testid="stMain"]').inner_text()
        _sidebar(page, "Attention")
        page.wait_for_timeout(800)
        wait_for_plot(page)
        title = page.evaluate(f"{CANVAS}.dataset.title")
        assert re.sub(r"<[^>]+>", "", title).startswith("BERT · MiniLM-L6"), title


def test_hidden_specials_keep_the_row_numbers(server):
    with browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{server}/attention?model=bert-minilm-l6&hide_special=1&text=the%20cat%20saw%20the%20dog")
        wait_for_plot(page)
        d = page.evaluate(f"({{x: JSON.parse({CANVAS}.dataset.xLabels), y: JSON.parse({CANVAS}.dataset.yLabels)}})")
        assert d["x"] == ["the₁", "cat", "saw", "the₄", "dog"]
        assert d["y"][1] == d["x"][0] and d["y"][4] == d["x"][3]  # a row and its column share one name
        text = page.locator('[data-testid="stMain"]').inner_text()
        assert "sum to less than 1" in text and "Each row sums to 1" not in text


def test_chinese_figures_have_no_english_words(server):
    """中文 mode: every page's figures (titles, axes, colour bars, hovers, legends) are in Chinese."""
    sentence = "猫 坐 在 垫子 上"  # no Latin tokens, so any Latin word found comes from the UI
    leftovers = {}
    with browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{server}/attention?lang=zh&text={sentence}")
        wait_for_plot(page)
        names = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
        for name in names:
            _sidebar(page, name.strip())
            if page.locator(".js-plotly-plot, [data-testid='bv-heatmap-root']").count():
                wait_for_plot(page)
            assert page.locator('[data-testid="stException"]').count() == 0, name
            text = json.loads(json.dumps(page.evaluate(PLOT_TEXT)))
            text = re.sub(r"%\{[^}]*\}|<[^>]+>|&[a-z]+;|Click to enter [A-Za-z ]*title", " ", text)
            words = {w for w in re.findall(r"[A-Za-z]{2,}", text) if w.lower() not in ALLOWED}
            if words:
                leftovers[name.strip()] = sorted(words)
    assert not leftovers, leftovers
