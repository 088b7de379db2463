"""app/state/caches.py's BoundedCache (the one LRU helper of the app's process-wide caches) and
app/state/captures.py's CaptureSlots, against hand-computed cases."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from app.state import caches
from app.state.captures import CaptureSlots


def test_count_bounded_cache_evicts_the_least_recently_used():
    cache = caches.BoundedCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recently used: "b" goes first
    cache.put("c", 3)
    assert sorted(cache.keys()) == ["a", "c"] and "b" not in cache
    assert cache.get("b", "absent") == "absent" and len(cache) == 2 and cache.currsize == 2


def test_iterating_a_cache_gives_a_snapshot_of_its_keys():
    cache = caches.BoundedCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert sorted(cache) == ["a", "b"]
    for key in cache:  # a live view of the LRU would fail here: each put evicts one key
        cache.put(key + "!", 0)
    assert sorted(cache) == ["a!", "b!"]


def test_byte_bounded_cache_counts_bytes_and_keeps_nothing_larger_than_itself():
    cache = caches.BoundedCache(100, getsizeof=caches.nbytes)
    arrays = {k: np.zeros(10, dtype=np.float32) for k in "xyz"}  # 40 bytes each
    assert cache.put("x", arrays["x"]) and cache.put("y", arrays["y"])
    assert cache.currsize == 80
    cache.put("z", arrays["z"])  # 120 > 100: the oldest ("x") goes
    assert sorted(cache.keys()) == ["y", "z"] and cache.currsize == 80
    big = np.zeros(26, dtype=np.float32)  # 104 bytes: larger than the whole cache
    assert cache.put("big", big) is False and "big" not in cache and sorted(cache.keys()) == ["y", "z"]
    assert cache.get_or_compute("big", lambda: big) is big  # returned, still not kept
    assert "big" not in cache


def test_get_or_compute_computes_once_and_never_caches_an_exception():
    cache = caches.BoundedCache(4)
    calls = []

    def compute():
        calls.append(1)
        # None is a value like any other (a missing table is remembered as missing)

    assert cache.get_or_compute("k", compute) is None and cache.get_or_compute("k", compute) is None
    assert calls == [1] and "k" in cache

    def broken():
        calls.append(2)
        raise RuntimeError("boom")

    for _ in range(2):
        with pytest.raises(RuntimeError):
            cache.get_or_compute("e", broken)
    assert calls == [1, 2, 2] and "e" not in cache


def test_compute_runs_outside_the_lock():
    """A computation that reads the same cache (the lock is not re-entrant) would block forever inside it."""
    cache = caches.BoundedCache(4)
    cache.put("inner", 7)
    done = []
    worker = threading.Thread(target=lambda: done.append(cache.get_or_compute("outer", lambda: cache.get("inner") + 1)))
    worker.start()
    worker.join(timeout=5)
    assert done == [8] and cache.get("outer") == 8


def test_pop_and_clear():
    cache = caches.BoundedCache(4)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.pop("a") == 1 and cache.pop("a", "gone") == "gone" and cache.keys() == ["b"]
    cache.clear()
    assert len(cache) == 0 and cache.keys() == []


def test_every_process_wide_cache_is_a_bounded_cache_listed_in_the_table():
    """The bounds are listed in one place: caches.py's table names every cache it creates."""
    made = {name for name, value in vars(caches).items() if isinstance(value, caches.BoundedCache)}
    assert made >= {
        "traces",
        "comparisons",
        "norms",
        "mixing",
        "attributions",
        "outcomes",
        "results_tables",
        "results_metas",
        "syntax_shipped_tables",
        "syntax_disk_tables",
        "treebank_sentences",
        "lesson_packs",
    }
    listed = {line.split("|")[1].strip() for line in caches.__doc__.splitlines() if line.startswith("| ")}
    assert made <= listed
    assert caches.traces.maxsize == caches.TRACE_CACHE_BYTES and caches.traces.getsizeof is caches.nbytes


def test_capture_slots_count_what_is_free_and_who_waits():
    slots = CaptureSlots(2)
    assert (slots.free, slots.waiting) == (2, 0)
    with slots:
        assert slots.free == 1
        assert slots.acquire(timeout=1) and slots.free == 0
        assert slots.acquire(timeout=0.05) is False and slots.waiting == 0  # timed out: not waiting any more
        got = []
        waiter = threading.Thread(target=lambda: got.append(slots.acquire(timeout=10)))
        waiter.start()
        deadline = time.monotonic() + 5
        while slots.waiting == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert slots.waiting == 1 and got == []
        slots.release()  # the waiter takes the freed slot
        waiter.join(timeout=5)
        assert got == [True] and (slots.free, slots.waiting) == (0, 0)
        slots.release()
    assert slots.free == 2
    with pytest.raises(ValueError):
        slots.release()  # never more free slots than the limit
    assert slots.free == 2
