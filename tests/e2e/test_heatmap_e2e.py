"""Real browser: the canvas heatmap (app/heatmap) on /attention and /model-view (issue #29).

Hover shows the captured weight to 4 decimals, a click on a /model-view thumbnail opens that head, zoom and reset,
the PNG of the view, thinned labels on a long input, projector mode and 中文."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest
from browser_util import CHROMIUM, browser, canvas_cell, canvas_tooltip, screenshot, wait_for_plot, wait_idle

import bertviz_core as bc
from app.heatmap import encode

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
pytestmark = pytest.mark.skipif(
    not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists(), reason="Chromium not installed"
)
TEXT = "The cat sat on the mat because it was tired."
ROOT = "[data-testid='bv-heatmap-root']"


@pytest.fixture(scope="module")
def trace():
    return bc.capture(bc.load_model("bert-minilm-l6"), TEXT)


def root_data(page, index: int = 0) -> dict:
    return page.evaluate(
        "([sel, i]) => Object.assign({}, document.querySelectorAll(sel)[i].dataset)",
        [ROOT, index],
    )


def open_view(b, url: str, viewport=(1400, 1000)):
    page = b.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    page.goto(url)
    wait_for_plot(page)
    wait_idle(page)
    return page


def test_hover_shows_the_captured_weight_to_4_decimals(app_server, trace):
    a = trace.attentions[2, 3]
    T = len(trace)
    labels = encode.token_labels(trace.tokens)
    with browser() as b:
        page = open_view(b, f"{app_server}/attention?model=bert-minilm-l6&layer=2&head=3&text={quote(TEXT)}")
        data = root_data(page)
        assert json.loads(data["xLabels"]) == labels and json.loads(data["yLabels"]) == labels
        assert (int(data["rows"]), int(data["cols"])) == (T, T)
        for row, col in [(0, 0), (1, 2), (3, 1), (T - 1, T - 1), (5, 0), (T - 2, 4)]:
            tip = canvas_tooltip(page, row, col)
            assert tip.splitlines() == [f"{labels[row]} → {labels[col]}", f"weight {float(a[row, col]):.4f}"], (
                row,
                col,
            )
        # the text alternative: the hovered row's three strongest keys, with their weights
        spoken = page.get_by_test_id("bv-heatmap-text").text_content()
        codes = np.rint(a[T - 2].astype(np.float64) * 1e4)  # ranked as shown (4 decimals), ties in column order
        top = sorted(range(T), key=lambda k: -codes[k])[:3]
        assert spoken.startswith(f"{labels[T - 2]} looks most at: ")
        assert [s.rsplit(" ", 1)[0] for s in spoken.split(": ", 1)[1].split(", ")] == [labels[k] for k in top]
        screenshot(page, ARTIFACTS / "heatmap-hover.png")


def test_zoom_into_a_region_and_back(app_server, trace):
    a = trace.attentions[0, 0]
    labels = encode.token_labels(trace.tokens)
    with browser() as b:
        page = open_view(b, f"{app_server}/attention?model=bert-minilm-l6&layer=0&head=0&text={quote(TEXT)}")
        full = [0, len(trace), 0, len(trace)]
        assert json.loads(root_data(page)["view"]) == full
        page.mouse.move(*canvas_cell(page, 2, 3))
        page.mouse.down()
        page.mouse.move(*canvas_cell(page, 4, 5), steps=4)
        page.mouse.move(*canvas_cell(page, 6, 7), steps=4)
        page.mouse.up()
        assert json.loads(root_data(page)["view"]) == [2, 7, 3, 8]  # rows 2..6, columns 3..7
        reset = page.get_by_test_id("bv-heatmap-reset")
        assert reset.is_visible()
        # a cell of the zoomed view still hovers to its own value
        assert canvas_tooltip(page, 5, 4).splitlines()[1] == f"weight {float(a[5, 4]):.4f}"
        assert canvas_tooltip(page, 5, 4).splitlines()[0] == f"{labels[5]} → {labels[4]}"
        reset.click()
        assert json.loads(root_data(page)["view"]) == full and not reset.is_visible()
        # double-click resets too, and so does Escape on the focused canvas
        for back in ("dblclick", "Escape"):
            page.mouse.move(*canvas_cell(page, 0, 0))
            page.mouse.down()
            page.mouse.move(*canvas_cell(page, 3, 3), steps=5)
            page.mouse.up()
            assert json.loads(root_data(page)["view"]) == [0, 4, 0, 4]
            if back == "dblclick":
                page.mouse.dblclick(*canvas_cell(page, 1, 1))
            else:
                page.get_by_test_id("bv-heatmap").focus()
                page.keyboard.press("Escape")
            assert json.loads(root_data(page)["view"]) == full, back


def test_keyboard_moves_between_cells(app_server, trace):
    a = trace.attentions[1, 2]
    with browser() as b:
        page = open_view(b, f"{app_server}/attention?model=bert-minilm-l6&layer=1&head=2&text={quote(TEXT)}")
        page.get_by_test_id("bv-heatmap").focus()
        for key in ("ArrowDown", "ArrowDown", "ArrowRight"):  # from the top-left cell: row 2, column 1
            page.keyboard.press(key)
        tip = page.get_by_test_id("bv-heatmap-tooltip").inner_text()
        assert tip.splitlines()[1] == f"weight {float(a[2, 1]):.4f}"


def test_png_of_the_view(app_server):
    with browser() as b:
        page = open_view(b, f"{app_server}/attention?model=bert-minilm-l6&text={quote(TEXT)}")
        with page.expect_download() as info:
            page.get_by_test_id("bv-heatmap-png").click()
        download = info.value
        assert download.suggested_filename == "attention-L0-mean.png"
        png = Path(download.path()).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width = int.from_bytes(png[16:20], "big")
        assert width >= 640  # the whole canvas: plot, labels and colour bar


def test_long_input_thins_its_labels_and_keeps_all_of_them(app_server):
    words = ("the quick brown fox jumps over the lazy dog and then " * 12).strip()
    with browser() as b:
        page = open_view(b, f"{app_server}/attention?model=bert-minilm-l6&text={quote(words)}")
        data = root_data(page)
        n = int(data["rows"])
        assert n > 100 and len(json.loads(data["yLabels"])) == n  # every label is there for tests / readers
        plot_h = json.loads(data["plot"])[0][3]
        step = encode.label_step(n, plot_h, int(data["tickFont"]))
        assert step > 1 and json.loads(data["labelStep"]) == [step, step]


def test_a_click_on_a_model_view_thumbnail_opens_that_head(app_server, trace):
    with browser() as b:
        page = open_view(b, f"{app_server}/model-view?model=bert-minilm-l6&text={quote(TEXT)}")
        data = root_data(page)
        assert json.loads(data["grid"]) == [6, 12]
        assert canvas_tooltip(page, 0, 0, panel=4 * 12 + 7).splitlines() == ["Layer 4 · Head 7", "click to open"]
        page.mouse.click(*canvas_cell(page, 0, 0, panel=4 * 12 + 7))
        page.wait_for_url(re.compile(r".*/attention\?.*layer=4.*head=7.*"), timeout=60_000)
        page.wait_for_function(
            "(sel) => { const el = document.querySelector(sel); return el && el.dataset.painted; }", arg=ROOT
        )
        page.wait_for_function(
            "() => document.querySelector(\"[data-testid='bv-heatmap']\").getAttribute('aria-label').includes('Layer 4')"
        )
        assert page.get_by_test_id("bv-heatmap").get_attribute("aria-label").startswith("BERT")


def test_projector_mode_in_chinese(app_server, trace):
    a = trace.attentions[3, 1]
    labels = encode.token_labels(trace.tokens)
    with browser() as b:
        page = open_view(
            b, f"{app_server}/attention?big=1&lang=zh&layer=3&head=1&text={quote(TEXT)}", viewport=(1920, 1080)
        )
        data = root_data(page)
        w = json.loads(data["plot"])[0][2]  # the plot area's width (CSS px)
        box = page.get_by_test_id("bv-heatmap").bounding_box()
        assert w >= 700 and box["y"] < 540  # large, and starting in the top half of the screen
        assert int(data["tickFont"]) >= 9
        assert "第 3 层" in page.get_by_test_id("bv-heatmap").get_attribute("aria-label")
        assert canvas_tooltip(page, 4, 2).splitlines() == [f"{labels[4]} → {labels[2]}", f"权重 {float(a[4, 2]):.4f}"]
        assert page.get_by_test_id("bv-heatmap-reset").text_content() == "重置缩放"
        screenshot(page, ARTIFACTS / "heatmap-projector-zh.png", full_page=False)


def test_the_figure_follows_its_column_when_the_window_narrows_and_widens(app_server):
    """Painted at 1920 px, the window narrowed to 900 px: the canvas shrinks to fit its column; widened again: it
    is back at its full size (a heatmap first laid out in a narrow moment must not stay small)."""
    width = f'document.querySelector("{ROOT} canvas").getBoundingClientRect().width'
    column = f'document.querySelector("{ROOT}").closest(\'[data-testid="stVerticalBlock"]\').clientWidth'
    with browser() as b:
        page = open_view(b, f"{app_server}/attention?model=bert-minilm-l6&text={quote(TEXT)}", viewport=(1920, 1080))
        full = page.evaluate(width)
        page.set_viewport_size({"width": 900, "height": 1080})
        page.wait_for_function(f"{width} < {full} - 50", timeout=10_000)
        assert page.evaluate(width) <= page.evaluate(column) + 1
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.wait_for_function(f"Math.abs({width} - {full}) < 2", timeout=10_000)
