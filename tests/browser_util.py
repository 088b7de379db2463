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


@contextlib.contextmanager
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def wait_for_plot(page, timeout: float = 60_000, count: int = 1):
    page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot').length >= {count} && "
        "[...document.querySelectorAll('.js-plotly-plot')].every(el => el._fullData && el._fullData.length)",
        timeout=timeout)
    page.wait_for_timeout(300)


def wait_idle(page, timeout: float = 60_000):
    """Wait until Streamlit says it is no longer running the script."""
    page.wait_for_function(
        "!document.querySelector('[data-testid=\"stStatusWidget\"]') || "
        "!document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=timeout)


def heatmap_labels(page, index: int = 0) -> dict:
    return page.evaluate(
        "(i) => { const el = document.querySelectorAll('.js-plotly-plot')[i];"
        " const d = el._fullData[0]; return {x: Array.from(d.x || []), y: Array.from(d.y || []),"
        " z00: d.z && d.z[0] ? d.z[0][0] : null}; }", index)
