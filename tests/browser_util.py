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
    return page.evaluate(
        "(i) => { const el = document.querySelectorAll('.js-plotly-plot')[i];"
        " const d = el._fullData[0]; return {x: Array.from(d.x || []), y: Array.from(d.y || []),"
        " z00: d.z && d.z[0] ? d.z[0][0] : null}; }",
        index,
    )


def run_async(coro):
    """`asyncio.run(coro)` for tests: the shared Playwright driver keeps an event loop running in the test's
    thread once a browser test has run in this process, so the coroutine gets a thread (and loop) of its own;
    its exception is raised here."""
    import asyncio
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()
