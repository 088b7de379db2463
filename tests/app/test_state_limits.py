"""app/state/captures.py's capture limit: at most MAX_CONCURRENT_CAPTURES forward passes at once, and the waiting note."""

from __future__ import annotations

import threading
import time
import types
import uuid

import pytest
from apptest_util import charts, open_page, texts

from app import state
from app.i18n import TEXT
from app.state import caches, captures


@pytest.fixture
def slow_capture(monkeypatch):
    """bc.capture replaced by a 0.3 s sleep that counts how many run at the same time."""
    counter = {"now": 0, "max": 0}
    lock = threading.Lock()

    def fake_capture(lm, text, text_b=None):
        with lock:
            counter["now"] += 1
            counter["max"] = max(counter["max"], counter["now"])
        time.sleep(0.3)
        with lock:
            counter["now"] -= 1
        return types.SimpleNamespace(nbytes=1, text=text)

    monkeypatch.setattr(captures.bc, "capture", fake_capture)
    monkeypatch.setattr(captures, "get_model", lambda model_id: object())
    yield counter
    for key in [k for k in caches.traces if k[0] == "fake-model"]:  # drop the fake traces
        caches.traces.pop(key)


def test_at_most_two_captures_run_at_once(slow_capture):
    """Six users at once (distinct sentences, so no cache hits): exactly two forward passes overlap."""
    failures = []

    def user(i):
        try:
            state.cached_trace("fake-model", f"sentence {i} {uuid.uuid4()}")
        except BaseException as exc:  # noqa: BLE001 - a worker's failure goes to the main thread's assert
            failures.append(exc)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(6)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=30)
    elapsed = time.perf_counter() - t0
    assert failures == []
    assert state.MAX_CONCURRENT_CAPTURES == 2
    assert slow_capture["max"] == 2  # never more than the limit, and the limit is not 1
    assert elapsed >= 3 * 0.3 - 0.05  # six 0.3 s captures, two at a time: three rounds
    assert state.capture_slots.free == 2  # every slot given back


def test_comparison_takes_a_slot_too(slow_capture, monkeypatch):
    """cached_comparison's heavy JS step waits for a capture slot like a forward pass."""
    inside = []

    def fake_compare(pairs, matching, max_rows, exclude_special, metrics):
        inside.append(state.capture_slots.free)
        return {"ok": True}

    monkeypatch.setattr(captures.compare, "compare_traces", fake_compare)
    text = f"compare {uuid.uuid4()}"
    assert state.cached_comparison("fake-model", "fake-model", text, True) == {"ok": True}
    assert inside == [1]  # one of the two slots was held while comparing
    caches.comparisons.pop(("fake-model", "fake-model", text, True, False))


def test_waiting_note_shown_while_every_slot_is_busy():
    """Both slots held by 'other users': the page says it is waiting, blocks, then draws once a slot frees."""
    waiting = TEXT["waiting"]["en"]
    open_page("attention", model="bert-minilm-l6", text="Warm the model cache.")  # model load is not the wait
    slots = state.capture_slots
    for _ in range(state.MAX_CONCURRENT_CAPTURES):
        assert slots.acquire(timeout=10)
    saw_waiter = []

    def release_when_someone_waits():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not slots.waiting:  # the page blocked on a slot
            time.sleep(0.02)
        saw_waiter.append(bool(slots.waiting))
        for _ in range(state.MAX_CONCURRENT_CAPTURES):
            slots.release()

    releaser = threading.Thread(target=release_when_someone_waits)
    releaser.start()
    try:
        at = open_page("attention", model="bert-minilm-l6", text=f"Busy server {uuid.uuid4().hex[:8]} test.")
    finally:
        releaser.join()
    assert saw_waiter == [True]  # the capture really waited for a slot
    assert not at.exception
    assert waiting in texts(at)
    assert charts(at)  # and ran once the slots were free
    # the same page with free slots: no waiting note
    at = open_page("attention", model="bert-minilm-l6", text=f"Quiet server {uuid.uuid4().hex[:8]}.")
    assert not at.exception and waiting not in texts(at) and charts(at)
