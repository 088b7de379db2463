"""Real browser: nothing a user typed becomes a link (markdown autolinks included)."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from browser_util import CHROMIUM, browser

pytestmark = pytest.mark.skipif(
    not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists(), reason="Chromium not installed"
)

HOSTILE_IDS = [
    "http://evil.example/m",
    "www.evil.example",
    "[x](http://evil.example)",
    "x@evil.example",
    "HTTPS://EVIL.EXAMPLE",
    "<http://evil.example>",
]


def test_no_link_from_model_ids_or_url_values(app_server):
    with browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        for k, model_id in enumerate(HOSTILE_IDS):
            path = ("attention", "step-by-step")[k % 2]  # both show load errors through the same code: one each
            page.goto(f"{app_server}/{path}?model={quote(model_id)}&head={quote(model_id)}&text=Hi.")
            page.wait_for_function("document.querySelectorAll('[data-testid=\"stAlert\"]').length >= 2", timeout=60_000)
            page.wait_for_timeout(300)
            alerts = page.locator("[data-testid='stAlert']")
            text = " ".join(alerts.all_inner_texts())
            assert "evil.example" in text.lower().replace("\u2060", ""), text  # shown, as text
            hrefs = page.evaluate(
                '[...document.querySelectorAll(\'[data-testid="stAlert"] a, [data-testid="stMain"] a\')]'
                ".map(a => a.getAttribute('href'))"
            )
            assert not [h for h in hrefs if h and "evil" in h.lower()], (model_id, hrefs)
