"""Bounded, process-wide caches of /contributions' results (Streamlit glue, shared by all sessions).

Keyed by (model, text, method, ...) like the trace cache in app.state; the heavy work takes one of
app.state's capture slots (2 cores: more at once only makes everyone slower)."""
from __future__ import annotations

import contextlib
import threading

import cachetools
import numpy as np

from app import state
from bertviz_core.analysis import contributions as C

MIXING_CACHE_BYTES = 128 * 2**20   # a 512-token [6, 512, 512] float32 result is 6 MB
_mixing = cachetools.LRUCache(maxsize=MIXING_CACHE_BYTES, getsizeof=lambda a: a.nbytes)
_attributions = cachetools.LRUCache(maxsize=32)  # each a few KB
_lock = threading.Lock()


def _slot():
    slots = getattr(state, "_capture_slots", None)
    return slots if slots is not None else contextlib.nullcontext()


def mixing(lm, trace, method: str, accumulate: bool = False, layer: int | None = None) -> np.ndarray:
    """contributions.mixing through the cache; flow is computed for `layer` only (its other blocks are NaN)."""
    layers = [layer] if method == "flow" and layer is not None else None
    key = (lm.id, trace.text, trace.text_b, method, bool(accumulate) and method not in C.ACCUMULATED,
           tuple(layers) if layers else None)
    with _lock:
        result = _mixing.get(key)
    if result is None:
        with _slot():
            result = C.mixing(lm, trace, method, accumulate=accumulate, layers=layers)
        result.setflags(write=False)
        with _lock:
            _mixing[key] = result
    return result


def _attribution_key(lm, text, method, target, other) -> tuple:
    return (lm.id, text, method, target, other if target == "similarity" else None)


def has_attribution(lm, text: str, method: str, target: str, other: str | None) -> bool:
    with _lock:
        return _attribution_key(lm, text, method, target, other) in _attributions


def attribution(lm, text: str, method: str, target: str, other: str | None) -> dict:
    """contributions.attribution_report through the cache."""
    key = _attribution_key(lm, text, method, target, other)
    with _lock:
        report = _attributions.get(key)
    if report is None:
        with _slot():
            report = C.attribution_report(lm, text, method, target, other=other)
        with _lock:
            _attributions[key] = report
    return report
