"""Helpers to start the app on 127.0.0.1 and drive it in Debian's Chromium via Playwright.

The server and the shared Chromium are deploy/local_app.py's (the load generators and the benchmarks use them
too; bench/ never imports this tests helper): re-exported here, beside what only the tests need."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "deploy") not in sys.path:
    sys.path.insert(0, str(ROOT / "deploy"))
from local_app import (
    CHROMIUM,
    CHROMIUM_ARGS,
    POLL_MS,
    browser,
    free_port,
    shutdown,
    streamlit_server,
    wait_for_plot,
    wait_idle,
)

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "POLL_MS",
    "ROOT",
    "browser",
    "canvas_cell",
    "canvas_tooltip",
    "free_port",
    "heatmap_labels",
    "run_async",
    "screenshot",
    "shutdown",
    "streamlit_server",
    "wait_for_plot",
    "wait_idle",
]


def screenshot(page, path, **kw):
    """Screenshots for people to look at, not assertions: taken only with BERTVIZ_TEST_SCREENSHOTS=1 (software
    rendering of a tall page costs seconds); `../shared/tools/walkthrough.py` takes the full set."""
    if os.environ.get("BERTVIZ_TEST_SCREENSHOTS") == "1":
        page.screenshot(path=str(path), **{"full_page": True, **kw})


def heatmap_labels(page, index: int = 0) -> dict:
    """Axis labels of the index-th figure on the page (Plotly figures and canvas heatmaps, in page order); z00 is
    the top-left value of a Plotly heatmap (None for a canvas, whose values are read by hovering)."""
    return page.evaluate(
        "(i) => { const el = document.querySelectorAll(\".js-plotly-plot, [data-testid='bv-heatmap-root']\")[i];"
        " if (!el.classList.contains('js-plotly-plot')) return {x: JSON.parse(el.dataset.xLabels),"
        " y: JSON.parse(el.dataset.yLabels), z00: null};"
        " const d = el._fullData[0]; return {x: Array.from(d.x || []), y: Array.from(d.y || []),"
        " z00: d.z && d.z[0] ? d.z[0][0] : null}; }",
        index,
    )


def canvas_cell(page, row: int, col: int, panel: int = 0, index: int = 0) -> tuple[float, float]:
    """Viewport coordinates of the centre of cell (row, col) of a canvas heatmap's panel, in its current (zoomed)
    view; the page is scrolled first if that cell is outside the window (a mouse outside it reaches nothing)."""
    return page.evaluate(
        "([row, col, panel, i]) => { const root = document.querySelectorAll(\"[data-testid='bv-heatmap-root']\")[i];"
        " const canvas = root.querySelector(\"[data-testid='bv-heatmap']\");"
        " const [x, y, w, h] = JSON.parse(root.dataset.plot)[panel]; const [r0, r1, c0, c1] = JSON.parse(root.dataset.view);"
        " const at = () => { const box = canvas.getBoundingClientRect();"
        " return [box.left + x + (col - c0 + 0.5) * w / (c1 - c0), box.top + y + (row - r0 + 0.5) * h / (r1 - r0)]; };"
        " let [cx, cy] = at(); if (cy < 40 || cy > window.innerHeight - 40) {"
        " const main = document.querySelector('[data-testid=\"stMain\"]') || document.scrollingElement;"
        " main.scrollBy(0, cy - window.innerHeight / 2); window.scrollBy(0, cy - window.innerHeight / 2); }"
        " return at(); }",
        [row, col, panel, index],
    )


def canvas_tooltip(page, row: int, col: int, panel: int = 0, index: int = 0) -> str:
    """Hover a canvas heatmap's cell and return its tooltip's text."""
    page.mouse.move(*canvas_cell(page, row, col, panel, index))
    tip = page.get_by_test_id("bv-heatmap-tooltip").nth(index)
    tip.wait_for(state="visible", timeout=5_000)
    return tip.inner_text()


def run_async(coro):
    """`asyncio.run(coro)` for tests: the shared Playwright driver keeps an event loop running in the test's
    thread once a browser test has run in this process, so the coroutine gets a thread (and loop) of its own;
    its exception is raised here."""
    import asyncio
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()
