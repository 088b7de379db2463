"""Real browser: /tokenizers in Chromium, opened by its link (English) and reached through the sidebar (中文)."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from browser_util import CHROMIUM, browser, screenshot, wait_for_plot, wait_idle

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
pytestmark = pytest.mark.skipif(
    not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists(), reason="Chromium not installed"
)
SENTENCE = "The patient took acetaminophen for her [headache](http://evil.example)."


def test_the_page_opened_by_its_link_shows_the_pieces_as_text(app_server):
    ARTIFACTS.mkdir(exist_ok=True)
    with browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1400})
        page.goto(f"{app_server}/tokenizers?text={quote(SENTENCE)}")
        page.get_by_text("not downloaded on this server").first.wait_for(timeout=60_000)
        wait_idle(page)
        main = page.locator('[data-testid="stMain"]')
        text = main.inner_text()
        # the server may also hold the suite's tiny checkpoints (their tokenizers are listed too): what must hold is
        # the bundled tokenizer's split, drawn as text
        assert "acetaminophen" in text and "BERT · MiniLM-L6 (bundled)" in text
        assert "Traceback" not in text and page.locator('[data-testid="stException"]').count() == 0
        assert main.get_by_text("##tam", exact=True).count() >= 1  # chips (the tables draw on a canvas)
        assert main.get_by_text("[headache](http://evil.example)").count() == 0  # the brackets are chips, as text
        hrefs = page.evaluate("[...document.querySelectorAll('[data-testid=\"stMain\"] a')].map(a => a.href)")
        assert not [h for h in hrefs if urlparse(h).hostname != "127.0.0.1"]  # only the headings' own anchors
        page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=30_000)  # its code loads on demand
        assert page.locator('[data-testid="stDataFrame"]').count() >= 1  # the side-by-side table
        screenshot(page, ARTIFACTS / "tokenizers-en.png")


def test_reached_from_the_sidebar_in_chinese_it_keeps_the_sentence(app_server):
    with browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(f"{app_server}/attention?lang=zh&text={quote('The cat took acetaminophen.')}")
        wait_for_plot(page)
        page.locator('[data-testid="stSidebarNav"] a', has_text="分词器").first.click()
        page.wait_for_function("location.pathname.endsWith('/tokenizers')")
        page.get_by_text("本服务器尚未下载").first.wait_for(timeout=60_000)
        wait_idle(page)
        text = page.locator('[data-testid="stMain"]').inner_text()
        assert "模型如何切分你的句子" in text and "把它切成 5 片（ace ##tam ##ino ##ph ##en）" in text
        assert page.locator('[data-testid="stTextInput"] input').first.input_value() == "The cat took acetaminophen."
        assert "text=The" in page.url and "lang=zh" in page.url
        screenshot(page, ARTIFACTS / "tokenizers-zh.png")
