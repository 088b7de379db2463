"""What is compared on /compare (issue #12), and the method helpers /contributions shares with it:
raw attention or a method of bertviz_core.analysis.contributions, by the library's own names.

Which methods exist, and what each can do (a head slot or only a whole layer, accumulated over layers,
computed from the model's value and output projections, a cap on the tokens), is read from the library;
the app keeps no list of method names.
"""

from __future__ import annotations

import numpy as np

from app import contrib_cache, i18n, state
from app.i18n import t
from bertviz_core.analysis import compress, metrics
from bertviz_core.analysis import contributions as C
from bertviz_core.models import heads
from bertviz_core.models.loading import scrub_paths

RAW = state.RAW_ATTENTION  # the attention weights themselves
METHODS = state.COMPARE_METHODS  # "attention" (raw weights), then /contributions' methods, same names


def per_head(method: str) -> bool:
    """A head slot can be chosen (else the method mixes a whole layer)."""
    return C.METHODS[method].per_head


def accumulated(method: str) -> bool:
    """Always accumulated up to the layer's output (over the layers below)."""
    return C.METHODS[method].accumulated


def needs_weights(method: str) -> bool:
    """Computed from the model's value and output projections (not from the attention weights alone)."""
    return C.METHODS[method].needs_weights


def max_tokens(method: str) -> int | None:
    """The longest input the method runs on (None: any the model takes)."""
    return C.METHODS[method].max_tokens


def fallback(method: str) -> str:
    """What is shown instead of `method` on an input longer than its max_tokens: the uncapped method
    accumulated the same way (flow -> rollout, which walks the same graph)."""
    spec = C.METHODS[method]
    return next(
        name
        for name, other in C.METHODS.items()
        if other.max_tokens is None and other.accumulated == spec.accumulated and not other.per_head
    )


def method_label(method: str) -> str:
    return t("cmpm_m_attention") if method == RAW else t(f"contrib_m_{method}")


def unavailable_reason(lm, method: str) -> str | None:
    """Why `method` cannot run on this model, known before trying (compressed variants), translated."""
    if not needs_weights(method) or "@" not in lm.id:
        return None
    try:
        _, kind, _ = compress.parse_variant(lm.id)
    except ValueError:
        return None
    if kind not in ("int8", "prune"):  # @q=N, @qbert=B: simulated weights, plain float32 Linear layers
        return None
    return t("cmpm_na_int8") if kind == "int8" else t("cmpm_na_prune")


def error_reason(exc: Exception) -> str:
    """A library error in the page's language (as /contributions translates them), user values escaped."""
    key = f"contrib_err_{getattr(exc, 'code', '')}"
    if isinstance(exc, C.MethodUnavailable) and key in i18n.TEXT:
        return t(key, **{k: state.md_escape(v) if isinstance(v, str) else v for k, v in exc.params.items()})
    return t("cmpm_na_other", detail=state.md_escape(scrub_paths(f"{type(exc).__name__}: {exc}")[:300]))


def method_matrix(lm, trace, method: str, layer: int, slot: str) -> np.ndarray | None:
    """[T, T] of `method` for one layer: a head slot (raw attention, norm) or the whole layer; None when the
    model has no head in this slot. Raises (MethodUnavailable, ...) when the method does not apply."""
    if method == RAW:
        return metrics.head_matrix(trace, layer, slot)
    if per_head(method) and slot != heads.MEAN:
        norms = contrib_cache.norms(lm, trace)
        return norms[layer, int(slot)] if int(slot) < norms.shape[1] else None
    return contrib_cache.mixing(lm, trace, method, False, layer)[layer]


def method_caption(method: str, slot: str, layer: int) -> str:
    if method == RAW:
        return t("cmpm_cap_attention_mean" if slot == heads.MEAN else "cmpm_cap_attention_head")
    if per_head(method):
        return t("cmpm_cap_norm_layer" if slot == heads.MEAN else "cmpm_cap_norm_head")
    return t(f"cmpm_cap_{method}", layer=layer, cap=max_tokens(method))
