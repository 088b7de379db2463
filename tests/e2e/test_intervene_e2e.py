"""Real browser: /intervene's head grid in Chromium, English and 中文. One click on one cell of the layers x heads
grid switches off exactly that head: the page says "1 head off", the link carries it, and the outcome's map marks
that one head (issue #30: the old multiselect took "Select 3 matches" for `L3 H1`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from browser_util import CHROMIUM, browser, screenshot, wait_for_plot, wait_idle

from app import intervene_view

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
pytestmark = pytest.mark.skipif(
    not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists(), reason="Chromium not installed"
)
SENTENCE = "The%20cat%20sat%20on%20the%20mat."
N_HEADS = 12  # bert-minilm-l6
MARKS = """(() => { const el = document.querySelector('.js-plotly-plot');
  return {marks: (el._fullLayout.annotations || []).filter(a => a.text === '✕').map(a => a.y + ' ' + a.x),
          z: el._fullData[0].z}; })()"""


def click_cell(page, layer: int, slot: int) -> None:
    """Click the checkbox of one head in the grid (a canvas): columns counted from the grid's right edge, as the
    index column's width depends on the font; the header row is as tall as a row."""
    box = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
    cell, row = intervene_view.CELL_PX[False], intervene_view.ROW_PX[False]
    x = box["x"] + box["width"] - 1 - (N_HEADS - slot - 0.5) * cell
    y = box["y"] + 1 + row + (layer + 0.5) * row
    page.mouse.click(x, y)


@pytest.mark.parametrize(
    "lang, label, one_off, none_off",
    [
        ("en", "Heads to ablate (switch off)", "1 head off", "No head is switched off."),
        ("zh", "要消融（关闭）的头", "关闭了 1 个头", "没有关闭任何头。"),
    ],
)
def test_one_click_on_the_grid_switches_off_one_head(app_server, lang, label, one_off, none_off):
    ARTIFACTS.mkdir(exist_ok=True)
    with browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1400})
        page.goto(f"{app_server}/intervene?model=bert-minilm-l6&text={SENTENCE}&lang={lang}")
        page.get_by_text(label, exact=True).wait_for(timeout=240_000)  # generous: a shared 2-core machine
        page.locator('[data-testid="stDataFrame"] canvas').first.wait_for()
        wait_idle(page)
        main = page.locator('[data-testid="stMain"]')
        assert none_off in main.inner_text()
        click_cell(page, 3, 1)  # L3 H1, in the row that also holds H10 and H11
        wait_for_plot(page, timeout=240_000)
        wait_idle(page)
        text = main.inner_text()
        assert one_off in text and "L3 H1" in text and "Traceback" not in text
        page.wait_for_function("location.search.includes('heads=L3H1')", timeout=30_000)  # the link carries it
        drawn = page.evaluate(MARKS)
        assert drawn["marks"] == ["L3 H1"]  # the outcome ablated exactly that head
        z = drawn["z"]
        assert len(z) == 6 and max(max(r) for r in z[:4]) < 1e-9 and max(max(r) for r in z[4:]) > 0
        screenshot(page, ARTIFACTS / f"intervene-grid-{lang}.png")
        click_cell(page, 3, 1)  # the same cell again: that head is back on
        page.get_by_text(none_off, exact=True).wait_for(timeout=120_000)
        page.wait_for_function("!location.search.includes('heads=')", timeout=30_000)
