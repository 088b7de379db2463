"""Real browser: a link made while the UI is in Chinese opens in Chinese (issue #30, point 6)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from browser_util import CHROMIUM, browser, wait_for_plot, wait_idle

pytestmark = pytest.mark.skipif(
    not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists(), reason="Chromium not installed"
)


def test_switching_to_chinese_puts_the_language_in_the_link_and_the_link_opens_in_chinese(app_server):
    with browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{app_server}/attention?layer=3&head=1")
        wait_for_plot(page)
        assert "lang=" not in page.url  # English, the default, is not written
        page.locator('[data-testid="stSidebar"] label', has_text="中文").click()
        page.wait_for_function("location.search.includes('lang=zh')")
        wait_idle(page)
        shared = page.url
        assert "layer=3" in shared and "head=1" in shared
        other = b.new_page(viewport={"width": 1400, "height": 1000})  # a student opening the shared link
        other.goto(shared)
        wait_for_plot(other)
        assert other.locator("h1").first.inner_text() == "注意力"
