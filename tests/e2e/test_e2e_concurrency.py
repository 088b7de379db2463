"""A small version of the classroom load test: concurrent sessions never see each other's tokens."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from browser_util import CHROMIUM, run_async

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "deploy"))
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium not installed")


def test_four_sessions_no_crosstalk(app_server):
    import browser_classroom

    summary = run_async(browser_classroom.main_async(sessions=4, rounds=2, timeout_s=90, base_url=app_server))
    assert summary["crosstalk"] == 0
    assert summary["errors"] == 0, summary["error_detail"]
    assert summary["typed_requests"] == 4
