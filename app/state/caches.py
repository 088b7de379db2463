"""Every process-wide cache of the app, created here with its bound (Streamlit glue, shared by all sessions).

One helper, `BoundedCache`: a least-recently-used cache bounded in entries (each counts 1) or in bytes
(`getsizeof`, e.g. `nbytes`), with its own lock. `get_or_compute(key, fn)` returns the cached value or
computes it OUTSIDE the lock (a slow computation never blocks readers of other keys; two sessions asking
for the same missing key may both compute it, the last result is kept). A value larger than the whole
cache is returned but not kept; an exception is never cached; None is a value like any other.

Cached values are shared read-only by every session, so keys hold everything the value depends on
(model id, cleaned text, method, switches) and nothing of a session: no cross-talk between sessions.
Traces are frozen; arrays are made read-only before they are stored. Heavy computations take one of
`app.state.captures.capture_slots` inside `fn` (at most two at once on 2 cores).

The caches and their bounds (models have their own LRU in bertviz_core.models.loading):

| cache                   | key -> value                                        | bound                                 |
|-------------------------|-----------------------------------------------------|---------------------------------------|
| traces                  | (model, text, text_b) -> bc.Trace                   | TRACE_CACHE_BYTES (~80 MB a 512-token trace) |
| comparisons             | (model_a, model_b, text, matching, exclude) -> dict | 64 (a few hundred KB each at most)    |
| norms                   | (model, text, text_b) -> [L, H, T, T] array         | NORM_CACHE_BYTES                      |
| mixing                  | (model, text, text_b, method, ...) -> [L, T, T]     | MIXING_CACHE_BYTES (6 MB at 512 tokens) |
| attributions            | (model, text, method, target, other) -> dict        | 32 (a few KB each)                    |
| outcomes                | (model, text, text_b, ablate, replace) -> Outcome   | 16                                    |
| results_tables          | (folder, file signature) -> loaded results          | 16 (a few MB each at most)            |
| results_metas           | (folder, mtime) -> meta.json                        | 512                                   |
| syntax_shipped_tables   | model -> shipped EWT table or None                  | 32                                    |
| syntax_disk_tables      | (model, treebank digest) -> table or None           | 32                                    |
| treebank_sentences      | () -> the picker's UD EWT sentences                 | 1                                     |
| lesson_packs            | (lessons, language, font size) -> (html, figures)   | 24                                    |
| term_traces             | (model, text, text_b) -> bc.Trace with DeBERTa's terms | TERM_CACHE_BYTES (~310 MB at 512 tokens) |
| term_summaries          | (model, text) -> shares, ablation JS, ranked heads  | 64 (a few KB each)                    |
| tokenizers              | (model, where its files are) -> tokenizer           | 16 (a few MB each)                    |
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Hashable, Iterator
from typing import Any

import cachetools

TRACE_CACHE_BYTES = int(float(os.environ.get("BERTVIZ_TRACE_CACHE_MB", "1024")) * 2**20)
NORM_CACHE_BYTES = 128 * 2**20  # norm_attention of two 512-token traces of the bundled models
MIXING_CACHE_BYTES = 128 * 2**20  # a 512-token [6, 512, 512] float32 result is 6 MB
TERM_CACHE_BYTES = 512 * 2**20  # /deberta's captures keep c2c, c2p, p2c: 3x the attention (310 MB at 512 tokens)

_MISSING = object()


def nbytes(value) -> int:
    """The size of an array or a Trace in bytes (its `nbytes`): the getsizeof of the byte-bounded caches."""
    return int(value.nbytes)


class BoundedCache:
    """A process-wide LRU cache with its lock: at most `maxsize` entries, or `maxsize` bytes when
    `getsizeof(value)` gives each value's size."""

    def __init__(self, maxsize: int, getsizeof: Callable[[Any], int] | None = None):
        self.maxsize = int(maxsize)
        self.getsizeof = getsizeof
        self._lru: cachetools.LRUCache = cachetools.LRUCache(maxsize=self.maxsize, getsizeof=getsizeof)
        self._lock = threading.Lock()

    def get(self, key: Hashable, default=None):
        """The cached value (now the most recently used), or `default`."""
        with self._lock:
            return self._lru.get(key, default)

    def put(self, key: Hashable, value) -> bool:
        """Keep `value` (evicting the least recently used); False, keeping nothing, if it is larger than the cache."""
        size = self.getsizeof(value) if self.getsizeof else 1
        if size > self.maxsize:
            return False
        with self._lock:
            self._lru[key] = value
        return True

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]):
        """The cached value of `key`, or `compute()` (run outside the lock), kept if it fits."""
        value = self.get(key, _MISSING)
        if value is _MISSING:
            value = compute()
            self.put(key, value)
        return value

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._lru

    def __len__(self) -> int:
        with self._lock:
            return len(self._lru)

    def __iter__(self) -> Iterator[Hashable]:
        """The keys held now, from a copy: other threads may add or evict while the caller iterates."""
        return iter(self.keys())

    @property
    def currsize(self) -> int:
        """Entries held, or bytes held when the cache is bounded in bytes."""
        with self._lock:
            return int(self._lru.currsize)

    def keys(self) -> list:
        """The keys held now (a copy)."""
        with self._lock:
            return list(self._lru.keys())

    def pop(self, key: Hashable, default=None):
        """Drop `key`, returning its value (or `default` when absent)."""
        with self._lock:
            return self._lru.pop(key, default)

    def clear(self) -> None:
        with self._lock:
            self._lru.clear()


# ---------------------------------------------------------------- the caches (see the table above)
traces = BoundedCache(TRACE_CACHE_BYTES, getsizeof=nbytes)
comparisons = BoundedCache(64)
norms = BoundedCache(NORM_CACHE_BYTES, getsizeof=nbytes)
mixing = BoundedCache(MIXING_CACHE_BYTES, getsizeof=nbytes)
attributions = BoundedCache(32)
outcomes = BoundedCache(16)
results_tables = BoundedCache(16)
results_metas = BoundedCache(512)
syntax_shipped_tables = BoundedCache(32)
syntax_disk_tables = BoundedCache(32)
treebank_sentences = BoundedCache(1)
lesson_packs = BoundedCache(24)
term_traces = BoundedCache(TERM_CACHE_BYTES, getsizeof=nbytes)
term_summaries = BoundedCache(64)
tokenizers = BoundedCache(16)
