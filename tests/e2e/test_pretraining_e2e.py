"""Real browser: /pretraining in Chromium, English and 中文, at 1400 px and in projector mode at 1920 px: the fill-mask
bars and where the mask looks, a candidate clicked into the sentence, next-sentence prediction on a pair, the
ELECTRA discriminator's replaced-token bars and table, ERNIE's masking; bad input gets its message."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from browser_util import CHROMIUM, browser, screenshot, wait_for_plot, wait_idle
from playwright.sync_api import expect

from app.i18n import TEXT

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
pytestmark = pytest.mark.skipif(
    not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists(), reason="Chromium not installed"
)
CAT = quote("The cat sat on the [MASK].")
A = quote("The animal didn't cross the street because it was too tired.")
B = quote("It had walked all day.")
N_PLOTS = (
    5  # fill-mask bars, where the mask looks, ELECTRA's replaced-token bars, the masking strategies, their recovery
)
BARS = "document.querySelectorAll('.js-plotly-plot')[0]._fullData[0]"


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def wait_for_text(page, text: str, timeout: float = 60_000) -> None:
    page.wait_for_function(
        "(t) => document.querySelector('[data-testid=\"stMain\"]').innerText.includes(t)", arg=text, timeout=timeout
    )


@pytest.mark.parametrize(
    "lang, width, big",
    [("en", 1400, False), ("zh", 1920, True)],  # both languages, both screens, projector off and on
)
def test_pretraining_page_in_chromium(app_server, lang, width, big):
    ARTIFACTS.mkdir(exist_ok=True)
    with browser() as b:
        page = b.new_page(viewport={"width": width, "height": 1080})
        extra = "&big=1" if big else ""
        page.goto(f"{app_server}/pretraining?lang={lang}&mask_text={CAT}&text={A}&text_b={B}{extra}")
        wait_for_plot(page, count=N_PLOTS)
        wait_idle(page)
        assert page.locator("h1").first.inner_text().strip() == TEXT["pre_title"][lang]
        bars = page.evaluate(f"({{y: Array.from({BARS}.y), x: Array.from({BARS}.x)}})")
        assert len(bars["y"]) == 10 and bars["x"] == sorted(bars["x"], reverse=True)  # best guess on top
        assert bars["y"][0] in {"bottom", "box", "floor", "ground", "table", "bed", "mat"}
        wait_for_text(page, TEXT["pre_nsp_metric"][lang])  # the pair's probability (fails after 60 s if absent)
        text = main_text(page)
        assert TEXT["pre_nsp_metric"][lang] in text and re.search(r"\d+%", text), text
        assert TEXT["pre_el_missing"][lang].split("{")[0] not in text  # the bundled discriminator is installed
        titles = page.evaluate("[...document.querySelectorAll('.js-plotly-plot')].map(e => e._fullLayout.title.text)")
        electra = TEXT["pre_el_fig_title"][lang].format(model="ELECTRA")
        assert any(electra.split("ELECTRA")[1] in (t or "") for t in titles), titles  # its bars are drawn
        summary = TEXT["pre_el_summary"][lang].split("{")[1].split("}")[1]  # words between the first two numbers
        assert summary in text
        assert "Traceback" not in text
        if lang == "zh":
            assert any(re.search(r"[\u4e00-\u9fff]", t or "") for t in titles)
        screenshot(page, ARTIFACTS / f"pretraining-{lang}-{width}.png")


def test_a_clicked_candidate_goes_into_the_sentence_and_bad_input_gets_its_message(app_server):
    with browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1080})
        page.goto(f"{app_server}/pretraining?mask_text={CAT}&text={A}")
        wait_for_plot(page, count=N_PLOTS)
        wait_idle(page)
        best = page.evaluate(f"{BARS}.y[0]")
        page.get_by_role("button", name=re.compile(rf"^{re.escape(best)} · \d+%$")).first.click()
        wait_for_text(page, "The sentence has no [MASK]")
        box = page.get_by_role("textbox", name="Sentence with [MASK]")
        try:  # the box shows the filled-in sentence (its element may arrive a moment after the run's message)
            expect(box).to_have_value(f"The cat sat on the {best}.", timeout=15_000)
        finally:
            screenshot(page, ARTIFACTS / "pretraining-clicked-candidate.png")
        page.wait_for_function(  # the link holds the new sentence
            "(s) => decodeURIComponent(location.search.replace(/\\+/g, ' ')).includes(s)",
            arg=f"mask_text=The cat sat on the {best}.",
        )

        box.fill(" ".join(["[MASK]"] * 20))
        box.press("Enter")
        wait_for_text(page, "20 masks is too many: the model guesses at most 8 at once.")
        assert TEXT["pre_nsp_need_b"]["en"] in main_text(page)  # no sentence B: NSP says what it needs
        assert "Traceback" not in main_text(page)
