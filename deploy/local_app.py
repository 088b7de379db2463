"""One app server on 127.0.0.1 and the headless Chromium that visits it (Debian's, driven by Playwright).

Shared by what measures or checks a deployment: the classroom load generators beside this file
(ws_classroom.py, browser_classroom.py), the benchmarks in bench/ and the tests (tests/browser_util.py
re-exports these names). `streamlit_server()` starts `streamlit run app/main.py` and kills it by its own PID;
`browser()` lends one Chromium per process, a fresh context for each caller."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(port: int | None = None, env: dict | None = None, timeout: float = 60, serve: bool = False):
    """Start `streamlit run app/main.py` (or, with `serve`, `python app/serve.py`: the same, warmed as it starts)
    on 127.0.0.1; yield its base URL; kill it by its own PID."""
    port = port or free_port()
    entry = [str(ROOT / "app" / "serve.py")] if serve else ["-m", "streamlit", "run", str(ROOT / "app" / "main.py")]
    cmd = [
        sys.executable,
        *entry,
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while True:
            try:
                if urllib.request.urlopen(base + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("streamlit did not start: " + proc.stderr.read().decode()[-2000:])
            time.sleep(0.3)
        proc.base_url = base
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


_shared = {}  # one Playwright driver and one Chromium per process, started on first use


def _chromium():
    b = _shared.get("browser")
    if b is None or not b.is_connected():
        from playwright.sync_api import sync_playwright

        if "playwright" not in _shared:
            _shared["playwright"] = sync_playwright().start()
        b = _shared["browser"] = _shared["playwright"].chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    return b


def shutdown():
    """Close the shared Chromium and its driver (tests/conftest.py calls this at the end of a test session)."""
    if "browser" in _shared:
        with contextlib.suppress(Exception):
            _shared.pop("browser").close()
    if "playwright" in _shared:
        with contextlib.suppress(Exception):
            _shared.pop("playwright").stop()


class _Session:
    """The shared Chromium as a caller sees it: every page (and context) it opens is its own browser context, with
    no cookies or storage from other callers, and is closed when the caller's `with browser()` block ends."""

    def __init__(self, b):
        self._b, self._opened = b, []

    def new_page(self, **kw):
        page = self._b.new_page(**kw)
        self._opened.append(page)
        return page

    def new_context(self, **kw):
        context = self._b.new_context(**kw)
        self._opened.append(context)
        return context

    def close_all(self):
        for thing in reversed(self._opened):
            with contextlib.suppress(Exception):
                thing.close()


@contextlib.contextmanager
def browser():
    """Chromium for one test or benchmark: launching it costs a second or two of CPU, so the process keeps one
    running and each caller gets fresh contexts in it."""
    session = _Session(_chromium())
    try:
        yield session
    finally:
        session.close_all()


POLL_MS = 100  # check the page ten times a second, not on every animation frame


FIGURES = ".js-plotly-plot, [data-testid='bv-heatmap-root']"  # Plotly figures and canvas heatmaps (app/heatmap)


def wait_for_plot(page, timeout: float = 60_000, count: int = 1):
    """Until `count` figures are drawn: Plotly's with their data, canvas heatmaps painted at least once."""
    page.wait_for_function(
        f"document.querySelectorAll(`{FIGURES}`).length >= {count} && "
        f"[...document.querySelectorAll(`{FIGURES}`)].every(el => el.classList.contains('js-plotly-plot') ? "
        "(el._fullData && el._fullData.length) : +el.dataset.painted > 0)",
        timeout=timeout,
        polling=POLL_MS,
    )
    page.wait_for_timeout(300)


def wait_idle(page, timeout: float = 60_000):
    """Wait until Streamlit says it is no longer running the script."""
    page.wait_for_function(
        "!document.querySelector('[data-testid=\"stStatusWidget\"]') || "
        "!document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=timeout,
        polling=POLL_MS,
    )
