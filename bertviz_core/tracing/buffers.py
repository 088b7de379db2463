"""Reusable, aligned buffers for captured attention (the capture hooks write each layer's probabilities here)."""

from __future__ import annotations

import os
import threading
import weakref

import numpy as np

ALIGN = 64  # bytes: what torch's own CPU allocator gives every tensor


def aligned_empty(nbytes: int) -> np.ndarray:
    """An uninitialised uint8 array of `nbytes` starting on an ALIGN-byte boundary (its .base
    holds the block). numpy's large arrays start 16 bytes past a page: the model's softmax
    output, which capture() may replace by a slice of such a buffer, is ALIGN-aligned."""
    block = np.empty(nbytes + ALIGN, dtype=np.uint8)
    start = -block.ctypes.data % ALIGN
    return block[start : start + nbytes]


class _Lease:
    """One loan of a pooled buffer, seen by numpy as a float32 array (`np.asarray(lease)`).

    Every array cut from it keeps the lease alive (numpy's `.base` chain ends here), so the
    lease dies only when the last view of it is gone: only then does the buffer go back."""

    __slots__ = ("__array_interface__", "__weakref__", "raw")

    def __init__(self, raw: np.ndarray, n_floats: int):
        self.raw = raw
        self.__array_interface__ = {
            "shape": (n_floats,),
            "typestr": "<f4",
            "version": 3,
            "data": (raw.ctypes.data, False),
        }


class BufferPool:
    """Attention buffers of dropped Traces, kept for the next large capture.

    A 512-token capture of the bundled BERT writes 75 MB of attention. Fresh memory of that
    size comes from the kernel as untouched pages (malloc maps anything above 32 MB anew, and
    unmaps it on free), and first-touching it costs 40-60 ms here, a third of the forward
    pass. A buffer that was touched before costs only the copy. So when the last array of a
    Trace's attention is garbage (the Trace and every view of it dropped: an LRU cache
    evicting it, a benchmark loop), its buffer comes back here, and the next capture needing
    as much (up to `slack` times more) takes it instead of fresh memory.

    Bounded: at most `max_bytes` of idle buffers are kept (BERTVIZ_CAPTURE_POOL_MB, default
    160, i.e. two 512-token buffers; 0 turns the pool off); buffers under `min_bytes` are not
    pooled (small ones are cheap). A buffer on loan is never handed out twice: it returns only
    when no array can see it any more."""

    def __init__(self, max_bytes: int, min_bytes: int = 8 << 20, slack: float = 1.25):
        self.max_bytes, self.min_bytes, self.slack = max_bytes, min_bytes, slack
        self._idle: list[np.ndarray] = []
        self._lock = threading.RLock()  # RLock: a finalizer may run inside take() in the same thread
        self.reused = 0  # counters, for tests and benchmarks
        self.allocated = 0

    @property
    def idle_bytes(self) -> int:
        with self._lock:
            return sum(r.nbytes for r in self._idle)

    def take(self, shape: tuple[int, ...]) -> np.ndarray:
        """An uninitialised float32 array of `shape` (contiguous, ALIGN-aligned), recycled when possible."""
        n = int(np.prod(shape))
        nbytes = 4 * n
        if nbytes < self.min_bytes or self.max_bytes <= 0:
            return aligned_empty(nbytes).view(np.float32).reshape(shape)
        raw = None
        with self._lock:
            fits = [i for i, r in enumerate(self._idle) if nbytes <= r.nbytes <= nbytes * self.slack]
            if fits:
                raw = self._idle.pop(min(fits, key=lambda i: self._idle[i].nbytes))
                self.reused += 1
        if raw is None:
            raw = aligned_empty(nbytes)
            self.allocated += 1
        lease = _Lease(raw, n)
        done = weakref.finalize(lease, self._give_back, raw)
        done.atexit = False
        return np.asarray(lease).reshape(shape)

    def _give_back(self, raw: np.ndarray) -> None:
        with self._lock:
            self._idle.append(raw)
            total = sum(r.nbytes for r in self._idle)
            while self._idle and total > self.max_bytes:  # over the bound: drop the oldest
                total -= self._idle.pop(0).nbytes

    def clear(self) -> None:
        with self._lock:
            self._idle.clear()


attention_pool = BufferPool(int(float(os.environ.get("BERTVIZ_CAPTURE_POOL_MB", "160")) * 2**20))
