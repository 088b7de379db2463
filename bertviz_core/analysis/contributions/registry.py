"""The registry of mixing methods: what each one is (MethodSpec) and `mixing`, which dispatches through it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bertviz_core.analysis.contributions.alti import alti_mixing
from bertviz_core.analysis.contributions.attention import attention_mixing
from bertviz_core.analysis.contributions.base import MethodUnavailable
from bertviz_core.analysis.contributions.flow import FLOW_MAX_TOKENS, flow_mixing
from bertviz_core.analysis.contributions.norm import norm_mixing
from bertviz_core.analysis.contributions.rollout import rollout_mixing
from bertviz_core.tracing.capture import Trace

if TYPE_CHECKING:
    from bertviz_core.models.loading import LoadedModel


@dataclass(frozen=True)
class MethodSpec:
    """One token-to-token mixing method.

    name           its key in METHODS (and in URLs, caches and the UI catalogues)
    per_head       a single head has its own matrix (a head slot can be chosen); otherwise it mixes a whole layer
    accumulated    row block l is always accumulated up to layer l's output (accumulate= changes nothing)
    needs_weights  computed from the model's value and output projections, not from the captured weights alone
                   (so not for compressed variants whose float weights per head are gone)
    max_tokens     the longest input it runs on (None: no cap); longer inputs raise MethodUnavailable "flow_cap"
    compute        compute(lm, trace, accumulate, layers) -> float32 [layers, T, T]; `layers` is honoured
                   by flow only (other row blocks NaN)
    """

    name: str
    per_head: bool
    accumulated: bool
    needs_weights: bool
    max_tokens: int | None
    compute: Callable[[LoadedModel, Trace, bool, Iterable[int] | None], np.ndarray]


METHODS: dict[str, MethodSpec] = {
    spec.name: spec
    for spec in (
        MethodSpec(
            "attention",
            per_head=True,
            accumulated=False,
            needs_weights=False,
            max_tokens=None,
            compute=attention_mixing,
        ),
        MethodSpec("norm", per_head=True, accumulated=False, needs_weights=True, max_tokens=None, compute=norm_mixing),
        MethodSpec(
            "rollout", per_head=False, accumulated=True, needs_weights=False, max_tokens=None, compute=rollout_mixing
        ),
        MethodSpec(
            "flow",
            per_head=False,
            accumulated=True,
            needs_weights=False,
            max_tokens=FLOW_MAX_TOKENS,
            compute=flow_mixing,
        ),
        MethodSpec("alti", per_head=False, accumulated=False, needs_weights=True, max_tokens=None, compute=alti_mixing),
    )
}
ACCUMULATED = tuple(name for name, spec in METHODS.items() if spec.accumulated)  # ("rollout", "flow")


def method_spec(method: str) -> MethodSpec:
    """The MethodSpec of `method`; MethodUnavailable "unknown_method" for a name not in METHODS."""
    if method not in METHODS:
        raise MethodUnavailable(
            "unknown_method", f"Unknown method '{method}' (choose from {', '.join(METHODS)}).", method=method
        )
    return METHODS[method]


def mixing(
    lm: LoadedModel, trace: Trace, method: str, accumulate: bool = False, layers: Iterable[int] | None = None
) -> np.ndarray:
    """Token-to-token mixing, float32 [layers, T, T], each row summing to 1 (see METHODS).

    rollout and flow: row block l is the mixing accumulated up to layer l's output. With
    accumulate=True the per-layer methods are accumulated too ("attention" then equals "rollout").
    `layers` (flow only) computes just those row blocks; the others are NaN. Raises MethodUnavailable."""
    spec = method_spec(method)
    if spec.max_tokens is not None and len(trace) > spec.max_tokens:
        raise MethodUnavailable(
            "flow_cap",
            f"Attention flow is capped at {spec.max_tokens} tokens (networkx "
            f"max-flow for every token pair gets slow); this input has {len(trace)}.",
            cap=spec.max_tokens,
            n=len(trace),
        )
    return spec.compute(lm, trace, accumulate, layers)
