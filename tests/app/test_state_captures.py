"""The captures of app/state/captures.py: load errors as messages, the cached traces and comparisons, the
capture slots, and trace_or_stop's messages (a one-line Streamlit script per case, expected texts from the
i18n table)."""

from __future__ import annotations

import threading

import pytest
from streamlit.testing.v1 import AppTest

import bertviz_core as bc
from app import i18n, state
from app.state import caches, captures
from bertviz_core.models import loading

EN = {k: v["en"] for k, v in i18n.TEXT.items()}


# ---------------------------------------------------------------- load errors as messages
def test_load_error_text_for_each_kind_of_failure():
    exc = bc.ModelLoadError("x", "offline", "m", "")
    assert state.load_error_text("  m  ", exc) == EN["model_failed"].format(
        model="m", reason=EN["hard_load_offline"].format(detail=EN["hard_detail_none"])
    )
    long = bc.ModelLoadError("x", "load_failed", "m", "d" * 400)
    assert state.load_error_text("m", long) == EN["model_failed"].format(
        model="m", reason=EN["hard_load_load_failed"].format(detail="d" * 300 + "…")
    )
    other = TypeError(f"bad at {loading.models_dir()}/m/x")
    assert state.load_error_text("m", other) == EN["model_failed"].format(
        model="m", reason=EN["hard_load_load_failed"].format(detail="TypeError\\: bad at m/x")
    )


def test_load_error_text_of_an_unknown_reason_and_the_300_character_cut():
    exc = bc.ModelLoadError("Something new went wrong.", "load_failed", "m", "ignored")
    exc.reason = "brand_new_reason"  # a reason added to loading.py without a UI text yet
    assert state.load_error_text("m", exc) == EN["model_failed"].format(
        model="m", reason=EN["hard_load_other"].format(detail="Something new went wrong\\.")
    )
    for n, shown in ((300, "d" * 300), (301, "d" * 300 + "…")):
        e = bc.ModelLoadError("x", "load_failed", "m", "d" * n)
        assert state.load_error_text("m", e) == EN["model_failed"].format(
            model="m", reason=EN["hard_load_load_failed"].format(detail=shown)
        ), n


# ---------------------------------------------------------------- caches
def test_traces_are_cached_by_cleaned_text_and_only_when_small(bert, monkeypatch):
    a = state.cached_trace("bert-minilm-l6", "Cache  me\tplease.")
    assert state.cached_trace("bert-minilm-l6", " Cache me please. ") is a
    assert a.text == "Cache me please." and a.text_b is None
    pair = state.cached_trace("bert-minilm-l6", "Cache me please.", "  ")  # an empty second sentence: none
    assert pair is a
    monkeypatch.setattr(caches, "traces", caches.BoundedCache(10, getsizeof=caches.nbytes))  # larger: not kept
    big = state.cached_trace("bert-minilm-l6", "Too big to keep here.")
    assert state.cached_trace("bert-minilm-l6", "Too big to keep here.") is not big


def test_a_cached_pair_is_captured_with_its_second_sentence(bert):
    import uuid

    second = f"Good dogs {uuid.uuid4().hex[:6]}."
    t = state.cached_trace("bert-minilm-l6", "Hi there", second)
    assert (t.text, t.text_b, t.b_start) == ("Hi there", second, 4)
    assert t.tokens[:5] == ["[CLS]", "hi", "there", "[SEP]", "good"]


def test_comparisons_are_cached_per_models_text_and_switch(monkeypatch):
    calls = []

    def fake_compare(pairs, matching, max_rows, exclude_special, metrics):
        calls.append((matching, max_rows, metrics))
        return {"n": len(calls)}

    monkeypatch.setattr(captures.compare, "compare_traces", fake_compare)
    import uuid

    text = f"Compare  these words {uuid.uuid4().hex}."
    first = state.cached_comparison("bert-minilm-l6", "convbert-minilm-l6", text, True)
    assert state.cached_comparison("bert-minilm-l6", "convbert-minilm-l6", " " + text.replace("  ", " "), True) is first
    other = state.cached_comparison("bert-minilm-l6", "convbert-minilm-l6", text, False)
    assert other is not first and calls == [(True, state.JS_MAX_ROWS, False), (False, state.JS_MAX_ROWS, True)]
    assert state.capture_slots.free == state.MAX_CONCURRENT_CAPTURES


def test_comparison_cache_keys_on_the_text_and_compares_that_texts_traces(bert, monkeypatch):
    import uuid

    seen = []

    def fake_compare(pairs, matching, max_rows, exclude_special, metrics):
        seen.append([(a.model_id, a.text, b.model_id, b.text) for a, b in pairs])
        return {"n": len(seen)}

    monkeypatch.setattr(captures.compare, "compare_traces", fake_compare)
    t1, t2 = f"First words {uuid.uuid4().hex}.", f"Other words {uuid.uuid4().hex}."
    m = "bert-minilm-l6"  # one model on both sides: only the text tells the two apart
    r1, r2 = state.cached_comparison(m, m, t1, True), state.cached_comparison(m, m, t2, True)
    assert (r1, r2) == ({"n": 1}, {"n": 2})
    assert seen == [[(m, t1, m, t1)], [(m, t2, m, t2)]]


# ---------------------------------------------------------------- trace_or_stop, one script per case
def _page(model_id, text, text_b):
    import streamlit as st

    from app import state as s

    lm, trace = s.trace_or_stop(model_id, text, text_b)
    st.markdown(f"TRACE {len(trace)} {trace.dropped_tokens} {lm.id}")


def _run(model_id="bert-minilm-l6", text="The cat sat.", text_b=None):
    at = AppTest.from_function(_page, args=(model_id, text, text_b), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def _values(at, kind):
    return [str(e.value) for e in at.get(kind)]


def test_trace_or_stop_empty_text_asks_for_a_sentence(bert):
    at = _run(text=" \x00\t ")
    assert _values(at, "info") == [EN["empty_sentence"]] and not any("TRACE" in m for m in _values(at, "markdown"))


def test_trace_or_stop_load_failure_shows_the_reason(bert):
    at = _run(model_id="no/such-model")
    exc = pytest.raises(bc.ModelLoadError, bc.load_model, "no/such-model").value
    assert _values(at, "error") == [state.load_error_text("no/such-model", exc)]
    assert not any("TRACE" in m for m in _values(at, "markdown"))


def test_trace_or_stop_capture_failure_is_a_message(bert, monkeypatch):
    def broken(lm, text, text_b=None):
        raise RuntimeError(f"boom in {loading.models_dir()}/secret " + "z" * 400)

    monkeypatch.setattr(captures.bc, "capture", broken)
    at = _run(text="A sentence nobody cached before, for the broken capture.")
    reason = state.md_escape(("RuntimeError: boom in secret " + "z" * 400)[:300])
    assert _values(at, "error") == [EN["capture_failed"].format(reason=reason)]


def test_trace_or_stop_warns_about_every_cut(bert):
    text, text_b = "word " * 1100, "other " * 1100  # over MAX_CHARS each, and over 512 tokens
    at = _run(text=text, text_b=text_b)
    trace = state.cached_trace("bert-minilm-l6", text, text_b)
    assert trace.dropped_tokens > 0
    assert _values(at, "warning") == [
        EN["truncated"].format(kept=len(trace), dropped=trace.dropped_tokens),
        EN["chars_cut"].format(n=state.MAX_CHARS),
        EN["hard_text_b_cut"].format(n=state.MAX_CHARS),
    ]
    assert f"TRACE {len(trace)} {trace.dropped_tokens} bert-minilm-l6" in _values(at, "markdown")
    quiet = _run(text="x" * state.MAX_CHARS)  # exactly the limit: nothing cut
    assert not any(EN["chars_cut"].format(n=state.MAX_CHARS) == w for w in _values(quiet, "warning"))


def test_trace_or_stop_says_it_waits_only_when_every_slot_is_busy(bert):
    text = "Waiting is said only when both slots are taken."
    assert EN["waiting"] not in _values(_run(text=text), "caption")  # free slots (and now cached)
    slots = state.capture_slots
    assert slots.acquire(timeout=10)
    try:
        assert EN["waiting"] not in _values(_run(text=text), "caption")  # one slot still free
        assert slots.acquire(timeout=10)
        try:
            at = _run(text=text)  # cached: returns without a slot, but says it waits
            assert EN["waiting"] in _values(at, "caption")
        finally:
            slots.release()
    finally:
        slots.release()
    assert slots.free == state.MAX_CONCURRENT_CAPTURES


def test_capture_slots_are_given_back_after_a_failed_capture(monkeypatch):
    def broken(lm, text, text_b=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(captures.bc, "capture", broken)
    monkeypatch.setattr(captures, "get_model", lambda model_id: object())
    for _ in range(3):
        with pytest.raises(RuntimeError):
            state.cached_trace("fake-model", f"fails {threading.get_ident()}")
    assert state.capture_slots.free == state.MAX_CONCURRENT_CAPTURES
