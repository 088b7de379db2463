"""Cached results of bertviz_core.analysis.contributions for /contributions and /compare (Streamlit glue).

The caches are app.state.caches' (`mixing`, `norms`, `attributions`: process-wide, bounded, shared
read-only by all sessions), keyed by (model, text, method, ...) like the trace cache; the heavy work
takes one of app.state's capture slots (2 cores: more at once only makes everyone slower)."""

from __future__ import annotations

import numpy as np

import bertviz_core as bc
from app.state import caches, captures
from bertviz_core.analysis import contributions as C


def layer_only(method: str) -> bool:
    """A method capped in tokens (flow: one max-flow problem per token pair) is computed for the shown
    layer only; the others are computed for every layer at once and cached whole."""
    return C.METHODS[method].max_tokens is not None


def mixing(lm, trace, method: str, accumulate: bool = False, layer: int | None = None) -> np.ndarray:
    """contributions.mixing through the cache; flow is computed for `layer` only (its other blocks are NaN)."""
    spec = C.method_spec(method)
    layers = [layer] if layer_only(method) and layer is not None else None
    key = (
        lm.id,
        trace.text,
        trace.text_b,
        method,
        bool(accumulate) and not spec.accumulated,
        tuple(layers) if layers else None,
    )

    def compute() -> np.ndarray:
        with captures.capture_slots:
            result = C.mixing(lm, trace, method, accumulate=accumulate, layers=layers)
        result.setflags(write=False)
        return result

    return caches.mixing.get_or_compute(key, compute)


def norms(lm, trace) -> np.ndarray:
    """bc.norm_attention [L, H, T, T] (per head) through the cache, read-only, in a capture slot."""

    def compute() -> np.ndarray:
        with captures.capture_slots:
            result = bc.norm_attention(lm, trace)
        result.setflags(write=False)
        return result

    return caches.norms.get_or_compute((lm.id, trace.text, trace.text_b), compute)


def _attribution_key(lm, text, method, target, other) -> tuple:
    return (lm.id, text, method, target, other if target == "similarity" else None)


def has_attribution(lm, text: str, method: str, target: str, other: str | None) -> bool:
    return _attribution_key(lm, text, method, target, other) in caches.attributions


def attribution(lm, text: str, method: str, target: str, other: str | None) -> dict:
    """contributions.attribution_report through the cache."""

    def compute() -> dict:
        with captures.capture_slots:
            return C.attribution_report(lm, text, method, target, other=other)

    return caches.attributions.get_or_compute(_attribution_key(lm, text, method, target, other), compute)
