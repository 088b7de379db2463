"""Real browser, projector mode (`?big=1`) at 1920 x 1080: the sizes a teacher's class sees (issue #30, point 5).

/attention's heatmap starts in the top half of the screen and its plot area is >= 700 px; /compare's A and B are
>= 550 px each and A - B as large as A; /contributions' two squares >= 540 px with every token labelled apart;
/convolution's grid 3 panels a row; /compress' colour-bar tick labels do not overlap."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from browser_util import CHROMIUM, browser, screenshot, wait_for_plot, wait_idle

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
pytestmark = pytest.mark.skipif(
    not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists(), reason="Chromium not installed"
)
VIEWPORT = {"width": 1920, "height": 1080}
COREF = "The animal didn't cross the street because it was too tired."

# per figure on the page (Plotly figures and canvas heatmaps, in page order): its bounding box, and per subplot /
# panel (xy, x2y2, ...) the drawn plot area's width and height
PLOTS = """() => [...document.querySelectorAll(".js-plotly-plot, [data-testid='bv-heatmap-root']")].map(el => {
    if (!el.classList.contains('js-plotly-plot')) {
        const box = el.querySelector("[data-testid='bv-heatmap']").getBoundingClientRect();
        const areas = JSON.parse(el.dataset.plot).map(b => ({w: b[2], h: b[3]}));
        return {top: box.top, left: box.left, width: box.width, areas: areas};
    }
    const box = el.getBoundingClientRect();
    const areas = [...el.querySelectorAll('.nsewdrag')].map(r => {
        const b = r.getBoundingClientRect(); return {w: b.width, h: b.height}; });
    return {top: box.top, left: box.left, width: box.width, areas: areas};
})"""

# every colour bar's tick labels: their bounding boxes
COLORBAR_TICKS = """() => [...document.querySelectorAll('.js-plotly-plot .colorbar')].map(bar =>
    [...bar.querySelectorAll('.cbaxis text, .ytick text, text.ytick')].map(t => {
        const b = t.getBoundingClientRect();
        return {text: t.textContent, top: b.top, bottom: b.bottom, left: b.left, right: b.right}; }))"""


def _open(b, url: str, count: int = 1):
    page = b.new_page(viewport=VIEWPORT)
    page.goto(url)
    wait_for_plot(page, count=count)
    wait_idle(page)
    page.wait_for_timeout(500)  # the last layout pass of the figures
    return page


def _overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    return [
        (a["text"], b["text"])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a["top"] < b["bottom"] and b["top"] < a["bottom"] and a["left"] < b["right"] and b["left"] < a["right"]
    ]


def test_attention_heatmap_starts_in_the_top_half_and_is_large(app_server):
    ARTIFACTS.mkdir(exist_ok=True)
    with browser() as b:
        page = _open(b, f"{app_server}/attention?big=1&layer=3&head=1&text={quote(COREF)}")
        plot = page.evaluate(PLOTS)[0]
        screenshot(page, ARTIFACTS / "projector-attention.png", full_page=False)
        assert plot["top"] < 540, plot
        assert plot["areas"][0]["w"] >= 700, plot


def test_compare_a_b_and_difference_are_large(app_server):
    with browser() as b:
        page = _open(b, f"{app_server}/compare?big=1&layer=3&head=1&text={quote(COREF)}", count=2)
        plots = page.evaluate(PLOTS)
        screenshot(page, ARTIFACTS / "projector-compare.png")
        pair = next(p for p in plots if len(p["areas"]) == 2)  # A and B in one figure
        diff = max((p for p in plots if len(p["areas"]) == 1), key=lambda p: p["top"])  # A - B below them
        a, b_ = pair["areas"][0], pair["areas"][1]
        assert a["w"] >= 550 and b_["w"] >= 550, pair
        assert diff["areas"][0]["w"] >= a["w"] - 1, (diff, pair)


# a canvas heatmap's grid, tick-label font and label step (every k-th label drawn), rows, and its box in the window
CANVAS = """() => [...document.querySelectorAll("[data-testid='bv-heatmap-root']")].map(el => {
    const box = el.querySelector("[data-testid='bv-heatmap']").getBoundingClientRect();
    return {grid: JSON.parse(el.dataset.grid), tick: +el.dataset.tickFont, step: JSON.parse(el.dataset.labelStep),
            rows: +el.dataset.rows, right: box.right,
            areas: JSON.parse(el.dataset.plot).map(b => ({y: b[1], w: b[2], h: b[3]}))};
})"""


def test_contributions_squares_are_large_with_every_label_apart(app_server):
    with browser() as b:
        page = _open(b, f"{app_server}/contributions?big=1&model=bert-minilm-l6&text={quote(COREF)}")
        (pair,) = page.evaluate(CANVAS)
        screenshot(page, ARTIFACTS / "projector-contributions.png")
        assert pair["grid"] == [1, 2] and all(a["w"] >= 540 for a in pair["areas"]), pair  # was 563 px with Plotly
        assert pair["step"] == [1, 1] and pair["tick"] >= 16, pair  # every token labelled at a projector font ...
        assert pair["areas"][0]["h"] / pair["rows"] >= pair["tick"] + 4, pair  # ... one label per row, apart
        assert pair["right"] <= VIEWPORT["width"], pair


def test_convolution_grid_has_three_large_panels_a_row(app_server):
    with browser() as b:
        page = _open(b, f"{app_server}/convolution?big=1&text={quote(COREF)}", count=2)
        (grid,) = page.evaluate(CANVAS)
        screenshot(page, ARTIFACTS / "projector-convolution.png")
        assert grid["grid"] == [4, 3], grid  # 6 attention heads above 6 convolution heads, 3 a row
        assert all(a["w"] >= 380 for a in grid["areas"]) and grid["right"] <= VIEWPORT["width"], grid
        first, second = grid["areas"][0], grid["areas"][3]  # each panel's title between the rows (Panels.title_each)
        assert second["y"] - (first["y"] + first["h"]) >= 20 + 12, grid


def test_compress_colour_bar_ticks_do_not_overlap(app_server):
    with browser() as b:
        page = _open(b, f"{app_server}/compress?big=1&text={quote(COREF)}")
        bars = page.evaluate(COLORBAR_TICKS)
        screenshot(page, ARTIFACTS / "projector-compress.png")
        assert bars and any(len(ticks) >= 2 for ticks in bars), bars
        for ticks in bars:
            assert not _overlapping(ticks), ticks
