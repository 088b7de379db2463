"""The server warm-up (app/warmup.py): it fills the cache the first page reads, once per process, off by env."""

from __future__ import annotations

import importlib
import subprocess
import sys

from conftest import ROOT

from app import state, warmup


def test_warm_fills_the_trace_cache_the_first_page_reads(bert):
    key = (state.DEFAULT_MODEL, state.DEFAULT_TEXT, None)
    state.caches.traces.clear()
    warmup.warm()
    assert key in state.caches.traces and warmup.done.is_set()
    assert state.cached_trace(state.DEFAULT_MODEL, state.DEFAULT_TEXT) is state.caches.traces.get(key)


def test_start_runs_once_per_process_and_can_be_turned_off(monkeypatch):
    module = importlib.reload(warmup)  # a fresh process's state
    monkeypatch.setattr(module, "warm", lambda: None)
    monkeypatch.setenv("BERTVIZ_WARMUP", "0")
    assert module.start() is None and not module._started.is_set()
    monkeypatch.setenv("BERTVIZ_WARMUP", "1")
    first = module.start()
    assert first is not None and module.start() is None
    first.join(5)


def test_serve_hands_its_options_to_streamlit_run():
    out = subprocess.run(
        [sys.executable, str(ROOT / "app" / "serve.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
        env={"BERTVIZ_WARMUP": "0", "PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 0 and "streamlit run" in out.stdout.lower() and "--server.port" in out.stdout
