"""The browserless load generator (deploy/ws_classroom.py) on a real server: a tiny classroom.

3 sessions open /attention through Streamlit's websocket protocol and type 2 sentences each:
every heatmap must carry the session's own tokens (0 errors, 0 cross-talk). A negative
control shows the cross-talk check does fire: a client shown another student's sentence
counts it."""

from __future__ import annotations

import asyncio
import sys

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "deploy"))
import ws_classroom
from browser_util import run_async, streamlit_server


@pytest.fixture(scope="module")
def tokenizer():
    return ws_classroom.load_tokenizer()


@pytest.fixture(scope="module")
def server(tokenizer):
    with streamlit_server(timeout=180) as s:
        # one session first loads the model (a cold load takes minutes on a loaded machine; the
        # tests below are about answers, not about three students waiting for the same load)
        warm = run_async(ws_classroom.warm_up(s.base_url, tokenizer))
        assert warm["errors"] == 0, warm["error_detail"]
        yield s.base_url


def test_three_sessions_two_sentences_no_errors_no_crosstalk(server, tokenizer):
    cfg = ws_classroom.Config(server, sessions=3, rounds=2, think=(0.1, 0.3), ramp_s=0.5, timeout_s=150, duration_s=600)
    s = run_async(ws_classroom.run_load(cfg, tokenizer))
    assert s["errors"] == 0, s["error_detail"]
    assert s["crosstalk"] == 0 and s["stale"] == 0
    assert s["typed_requests"] == 6 and s["answered"] == 6
    assert s["first_load_p50_s"] is not None and s["p50_s"] > 0 and s["p95_s"] >= s["p50_s"]
    assert 16 <= s["tokens_range"][0] and s["tokens_range"][1] <= 64
    assert s["sentences_sent"] == s["distinct_sentences"] == 9  # 3 opened + 6 typed, all different


def test_sentences_are_16_to_64_tokens_and_name_their_session(tokenizer):
    import random

    rng = random.Random(3)
    for i in range(20):
        text = ws_classroom.make_sentence(tokenizer, i, i % 4, rng)
        labels = ws_classroom.expected_labels(tokenizer, text)
        assert 16 <= len(labels) <= 64, (len(labels), text)
        assert ws_classroom.owner_of(labels) == i


def test_sentences_of_other_levels_and_runs_are_new_to_the_server(tokenizer):
    """The trace cache is shared by every session: a capacity level must not retype the sentences of
    an earlier level or run (they would be served without a forward pass)."""
    import random

    seen = {}
    for tag in ("class 10 run 1", "class 30 run 1", "class 10 run 2"):
        for i in range(10):
            rng = random.Random(f"0/10/{tag}/{i}")
            for r in range(4):
                text = ws_classroom.make_sentence(tokenizer, i, r, rng, tag=tag)
                assert text not in seen, (text, seen.get(text))
                seen[text] = tag
                assert tag in text and ws_classroom.owner_of(ws_classroom.expected_labels(tokenizer, text)) == i
    assert len(seen) == 120


def test_crosstalk_is_detected_when_a_session_sees_another_students_tokens(server, tokenizer):
    mine = "student 4 round 1 writes about the river and the violin."
    theirs = "student 5 round 1 writes about the garden and the candle."

    async def go():
        c = ws_classroom.StreamlitClient(server)
        await asyncio.to_thread(c.get_page, "/attention")
        await c.connect()
        try:  # the server is asked for student 5's sentence while the client expects its own
            return await c.open_page(
                "attention",
                {"model": ws_classroom.MODEL, "text": theirs},
                ws_classroom.expected_labels(tokenizer, mine),
                150,
            )
        finally:
            await c.close()

    res = run_async(go())
    assert res.chart_s is None and res.foreign, "the heatmap with foreign tokens was not noticed"
    out = {"errors": [], "crosstalk": 0, "crosstalk_detail": [], "stale": 0}
    ws_classroom.account(out, 4, 1, res, {tuple(ws_classroom.expected_labels(tokenizer, mine))})
    assert out["crosstalk"] == 1 and out["crosstalk_detail"][0]["owner"] == 5
    assert any("without this sentence's heatmap" in e for e in out["errors"])


def test_only_the_local_machine_and_bounded_runs():
    with pytest.raises(ValueError, match="local machine"):
        ws_classroom.StreamlitClient("http://192.0.2.1:8501")
    with pytest.raises(ValueError, match="sessions must be"):
        too_many = ws_classroom.Config("http://127.0.0.1:9", sessions=ws_classroom.MAX_SESSIONS + 1)
        run_async(ws_classroom.run_load(too_many, tokenizer=object()))
    with pytest.raises(ValueError, match="duration"):
        too_long = ws_classroom.Config("http://127.0.0.1:9", sessions=1, duration_s=10**6)
        run_async(ws_classroom.run_load(too_long, tokenizer=object()))
    with pytest.raises(SystemExit):
        ws_classroom.main(["--url", "http://10.0.0.1:8501"])
