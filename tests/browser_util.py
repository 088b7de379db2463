"""Helpers to start the app on 127.0.0.1 and drive it in Debian's Chromium via Playwright."""
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
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(port: int | None = None, env: dict | None = None, timeout: float = 60):
    """Start `streamlit run app/main.py` on 127.0.0.1; yield its base URL; kill it by its own PID."""
    port = port or free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app" / "main.py"),
           "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
           "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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


_shared = {}  # one Playwright driver and one Chromium per test process, started on first use


def _chromium():
    b = _shared.get("browser")
    if b is None or not b.is_connected():
        from playwright.sync_api import sync_playwright

        if "playwright" not in _shared:
            _shared["playwright"] = sync_playwright().start()
        b = _shared["browser"] = _shared["playwright"].chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    return b


def shutdown():
    """Close the shared Chromium and its driver (conftest calls this at the end of the session)."""
    if "browser" in _shared:
        with contextlib.suppress(Exception):
            _shared.pop("browser").close()
    if "playwright" in _shared:
        with contextlib.suppress(Exception):
            _shared.pop("playwright").stop()


class _Session:
    """The shared Chromium as a test sees it: every page (and context) it opens is its own browser context, with
    no cookies or storage from other tests, and is closed when the test's `with browser()` block ends."""

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
    """Chromium for one test: launching it costs a second or two of CPU, so the process keeps one running and each
    test gets fresh contexts in it."""
    session = _Session(_chromium())
    try:
        yield session
    finally:
        session.close_all()


def screenshot(page, path, **kw):
    """Screenshots for people to look at, not assertions: taken only with BERTVIZ_TEST_SCREENSHOTS=1 (software
    rendering of a tall page costs seconds); `../shared/tools/walkthrough.py` takes the full set."""
    if os.environ.get("BERTVIZ_TEST_SCREENSHOTS") == "1":
        page.screenshot(path=str(path), **{"full_page": True, **kw})


POLL_MS = 100  # check the page ten times a second, not on every animation frame


def wait_for_plot(page, timeout: float = 60_000, count: int = 1):
    page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot').length >= {count} && "
        "[...document.querySelectorAll('.js-plotly-plot')].every(el => el._fullData && el._fullData.length)",
        timeout=timeout, polling=POLL_MS)
    page.wait_for_timeout(300)


def wait_idle(page, timeout: float = 60_000):
    """Wait until Streamlit says it is no longer running the script."""
    page.wait_for_function(
        "!document.querySelector('[data-testid=\"stStatusWidget\"]') || "
        "!document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=timeout, polling=POLL_MS)


def heatmap_labels(page, index: int = 0) -> dict:
    return page.evaluate(
        "(i) => { const el = document.querySelectorAll('.js-plotly-plot')[i];"
        " const d = el._fullData[0]; return {x: Array.from(d.x || []), y: Array.from(d.y || []),"
        " z00: d.z && d.z[0] ? d.z[0][0] : null}; }", index)


def run_async(coro):
    """`asyncio.run(coro)` for tests: the shared Playwright driver keeps an event loop running in the test's
    thread once a browser test has run in this process, so the coroutine gets a thread (and loop) of its own;
    its exception is raised here."""
    import asyncio
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()
