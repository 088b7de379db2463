"""Real browser: /deberta in Chromium, English and 中文, opened by its link and reached through the sidebar."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from browser_util import CHROMIUM, browser, heatmap_labels, screenshot, wait_for_plot, wait_idle

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
pytestmark = pytest.mark.skipif(
    not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists(), reason="Chromium not installed"
)
SENTENCE = "The%20cat%20sat%20on%20the%20mat."
N_PLOTS = 5  # terms + attention, shares, attention without each term, JS per head, buckets

TERMS = """(() => { const el = document.querySelectorAll('.js-plotly-plot')[0];
  const l = el._fullLayout, d = el._fullData;
  return {n: d.length, axes: d.map(t => t.coloraxis), cmin: l.coloraxis.cmin, cmax: l.coloraxis.cmax,
          cmin2: l.coloraxis2.cmin, titles: l.annotations.map(a => a.text)}; })()"""


@pytest.mark.parametrize(
    "lang, title, positional",
    [("en", "three terms", "Most positional"), ("zh", "三个组成项", "最依赖位置的头")],
)
def test_deberta_page_in_chromium(app_server, lang, title, positional):
    ARTIFACTS.mkdir(exist_ok=True)
    with browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1600})
        page.goto(f"{app_server}/deberta?lang={lang}&text={SENTENCE}&layer=1&head=8")
        wait_for_plot(page, count=N_PLOTS)
        main = page.locator('[data-testid="stMain"]')
        assert title in page.locator("h1").first.inner_text()
        terms = page.evaluate(TERMS)
        assert terms["n"] == 4 and len(set(terms["axes"][:3])) == 1 and terms["axes"][3] != terms["axes"][0]
        assert terms["cmin"] == -terms["cmax"] and terms["cmin2"] == 0  # one symmetric scale for c2c, c2p, p2c
        labels = heatmap_labels(page, 0)
        assert labels["y"][:3] == ["[CLS]", "the<sub>1</sub>", "cat"] and labels["x"] == labels["y"]
        if lang == "zh":
            assert all(re.search(r"[\u4e00-\u9fff]", t) for t in terms["titles"])
        text = main.inner_text()
        assert positional in text and "Traceback" not in text
        page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=30_000)  # its code loads on demand
        assert page.locator('[data-testid="stDataFrame"]').count() == 1
        assert "layer=1" in page.url and "head=8" in page.url  # the view stays in its link
        screenshot(page, ARTIFACTS / f"deberta-{lang}.png")


def test_reached_from_the_sidebar_it_keeps_the_users_bert(app_server):
    with browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(f"{app_server}/attention?model=bert-minilm-l6&text={SENTENCE}")
        wait_for_plot(page)
        page.locator('[data-testid="stSidebarNav"] a', has_text="DeBERTa").first.click()
        page.wait_for_function("location.pathname.endsWith('/deberta')")
        wait_for_plot(page, count=N_PLOTS)
        wait_idle(page)
        text = page.locator('[data-testid="stMain"]').inner_text()
        assert "Your model on the other pages stays BERT" in text
        assert page.evaluate("document.querySelectorAll('.js-plotly-plot')[0]._fullData.length") == 4


def test_the_sidebar_shows_every_page_without_a_view_more_button(app_server):
    from app import nav

    with browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{app_server}/?lang=en")
        page.wait_for_selector('[data-testid="stSidebarNav"] a')
        wait_idle(page)
        links = page.locator('[data-testid="stSidebarNav"] a:visible')
        assert links.count() == len(nav.PAGES)  # Lessons, last, is one click away like the rest
        assert page.get_by_text(re.compile(r"View \d+ more")).count() == 0
