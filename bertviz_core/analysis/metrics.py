"""Per-head metrics of attention (Clark et al. 2019) on a Trace, and the heads of a trace in one order.

METRICS names and explains each metric; head_metrics measures softmax rows, kernel_metrics ConvBERT's
convolution kernels, trace_metrics every head of a trace (attention heads, then conv heads: the order of
all_heads, slot_names and head_names), uniform_baseline what uniform weights would score. Pure numpy.
"""

from __future__ import annotations

import string

import numpy as np

from bertviz_core.analysis.stats import quiet_nan_mean
from bertviz_core.models import heads
from bertviz_core.models.heads import ATTN, CONV
from bertviz_core.tracing.capture import Trace

# ---------------------------------------------------------------- head metrics
PUNCTUATION = set(string.punctuation) | {"。", "，", "、", "！", "？", "；", "：", "…"}
LOCAL_SPAN = 4  # "local" = within 4 positions: ConvBERT's span (kernel 9)

METRICS = {
    "entropy": "Entropy of each row in nats, averaged over query tokens. Its maximum (uniform weights) is "
    "log T for an attention head over T keys and log 9 for a convolution kernel (9 offsets).",
    "entropy_norm": "Entropy divided by the row's maximum (log of the number of keys it can weigh): 0 = all "
    "weight on one key, 1 = uniform; comparable across head kinds and sentence lengths (a row "
    "that can weigh only one key is left out).",
    "distance": "Mean |i - j| between a token and the tokens it attends to.",
    "local": "Attention mass within 4 positions (|i - j| <= 4), ConvBERT's span.",
    "cls": "Attention mass on the first special token ([CLS] / <s>).",
    "sep": "Attention mass on separator tokens ([SEP] / </s>).",
    "punct": "Attention mass on punctuation tokens.",
    "self": "Attention mass on the token itself.",
    "prev": "Attention mass on the previous token.",
    "next": "Attention mass on the next token.",
}
_SPECIAL_METRICS = ("cls", "sep")
_CHUNK = 12  # heads per step: bounds the temporaries (12 x 512 x 512 float32 = 12 MB each)


def is_punct(token: str) -> bool:
    core = token.lstrip("#").lstrip("Ġ▁")
    return bool(core) and all(ch in PUNCTUATION for ch in core)


def _token_columns(
    tokens: list[str], special: tuple[bool, ...] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(special, cls, sep, punct) boolean masks over a sentence's T positions."""
    T = len(tokens)
    is_special = np.asarray(tuple(special) if special else (False,) * T, dtype=bool)
    cls_cols = np.zeros(T, bool)
    cls_cols[0] = T > 0 and bool(is_special[0])
    sep_cols = is_special & (np.arange(T) > 0)
    punct_cols = np.array([is_punct(t) for t in tokens], dtype=bool)
    return is_special, cls_cols, sep_cols, punct_cols


def _entropy(p: np.ndarray) -> np.ndarray:
    return -(p * np.log(np.where(p > 0, p, 1.0))).sum(-1)


def _normalised(entropy: np.ndarray, n_keys: int | np.ndarray) -> np.ndarray:
    """Mean over rows of entropy / log(n_keys); a row that can weigh a single key (log 1 = 0) is
    left out (it is both one-hot and uniform); nan if every row is such a row."""
    log_n = np.log(np.maximum(np.asarray(n_keys, dtype=np.float64), 1.0))
    ratio = np.where(log_n > 0, entropy / np.where(log_n > 0, log_n, 1.0), np.nan)
    with quiet_nan_mean():
        return np.nanmean(np.broadcast_to(ratio, entropy.shape), axis=-1)


def _nan_metrics(lead: tuple[int, ...]) -> dict[str, np.ndarray]:
    return {k: np.full(lead, np.nan) for k in METRICS}


def head_metrics(
    attn: np.ndarray, tokens: list[str], special: tuple[bool, ...] | None = None, exclude_special: bool = False
) -> dict[str, np.ndarray]:
    """Per-head metrics (Clark et al. 2019) of attention rows [..., T, T], averaged over query rows.

    Returns each METRICS key -> array of shape attn.shape[:-2] (e.g. [layers, heads]). With
    `exclude_special`, the special tokens' rows are dropped, their columns removed and every row
    renormalised over the remaining tokens (cls and sep are then nan). Positions keep their
    original indices (distance, prev, next). Rows are expected to sum to 1 (softmax); see
    kernel_metrics for ConvBERT's convolution heads."""
    attn = np.asarray(attn, dtype=np.float32)
    T = attn.shape[-1]
    lead = attn.shape[:-2]
    is_special, cls_cols, sep_cols, punct_cols = _token_columns(tokens, special)
    keep = ~is_special if exclude_special else np.ones(T, bool)
    idx = np.flatnonzero(keep)
    if len(idx) == 0:
        return _nan_metrics(lead)
    i, j = idx[:, None], idx[None, :]
    weights = np.stack([np.abs(i - j), np.abs(i - j) <= LOCAL_SPAN, i == j, j == i - 1, j == i + 1]).astype(np.float32)
    columns = np.stack([cls_cols[idx], sep_cols[idx], punct_cols[idx]], axis=-1).astype(np.float32)  # [K, 3]
    flat = attn.reshape(-1, T, T)
    sums = {k: np.zeros(len(flat)) for k in METRICS}
    for start in range(0, len(flat), _CHUNK):
        p = flat[start : start + _CHUNK]
        if exclude_special:
            p = p[:, idx][:, :, idx]
            p = p / np.clip(p.sum(-1, keepdims=True), 1e-12, None)
        chunk = slice(start, start + len(p))
        entropy = _entropy(p)  # [n, R]
        sums["entropy"][chunk] = entropy.mean(-1, dtype=np.float64)
        sums["entropy_norm"][chunk] = _normalised(entropy, len(idx))
        per_row = np.einsum("nrk,wrk->wnr", p, weights)  # [5, n, R]
        for name, values in zip(("distance", "local", "self", "prev", "next"), per_row):
            sums[name][chunk] = values.mean(-1, dtype=np.float64)
        mass = p @ columns  # [n, R, 3]
        for c, name in enumerate(("cls", "sep", "punct")):
            sums[name][chunk] = mass[..., c].mean(-1, dtype=np.float64)
    out = {k: v.reshape(lead) for k, v in sums.items()}
    if exclude_special:
        for k in _SPECIAL_METRICS:
            out[k] = np.full(lead, np.nan)
    return out


def kernel_metrics(
    kernels: np.ndarray, tokens: list[str], special: tuple[bool, ...] | None = None, exclude_special: bool = False
) -> dict[str, np.ndarray]:
    """The same metrics for ConvBERT's convolution heads, computed on the kernels [..., T, K].

    Row i is token i's kernel: K weights (softmax, summing to 1) on positions i-K//2 .. i+K//2.
    Entropy is over the K weights (at most log K = log 9); distance and local use the offsets, so
    local is exactly 1 for K = 9; cls/sep/punct/self/prev/next count only weights that land on
    such a token (weight on zero padding past the ends lands on none). With `exclude_special`,
    special rows are dropped and each kernel is renormalised over the offsets that land on
    non-special tokens (padding excluded too)."""
    kernels = np.asarray(kernels, dtype=np.float32)
    T, K = kernels.shape[-2:]
    lead = kernels.shape[:-2]
    is_special, cls_cols, sep_cols, punct_cols = _token_columns(tokens, special)
    half = K // 2
    offsets = np.arange(K) - half
    pos = np.arange(T)[:, None] + offsets[None]  # [T, K] key position of each weight
    inside = (pos >= 0) & (pos < T)
    at = np.clip(pos, 0, T - 1)
    rows = ~is_special if exclude_special else np.ones(T, bool)
    allowed = inside & ~is_special[at] if exclude_special else np.ones((T, K), bool)
    if not rows.any():
        return _nan_metrics(lead)
    flat = kernels.reshape(-1, T, K)[:, rows] * allowed[rows]  # [n, R, K]
    if exclude_special:
        flat = flat / np.clip(flat.sum(-1, keepdims=True), 1e-12, None)
    lands = lambda cols: (inside & cols[at])[rows].astype(np.float32)
    entropy = _entropy(flat)
    out = {
        "entropy": entropy.mean(-1, dtype=np.float64),
        "entropy_norm": _normalised(entropy, allowed[rows].sum(-1)),
        "distance": (flat @ np.abs(offsets).astype(np.float32)).mean(-1, dtype=np.float64),
        "local": (flat @ (np.abs(offsets) <= LOCAL_SPAN).astype(np.float32)).mean(-1, dtype=np.float64),
        "cls": (flat * lands(cls_cols)).sum(-1).mean(-1, dtype=np.float64),
        "sep": (flat * lands(sep_cols)).sum(-1).mean(-1, dtype=np.float64),
        "punct": (flat * lands(punct_cols)).sum(-1).mean(-1, dtype=np.float64),
        "self": flat[..., half].mean(-1, dtype=np.float64),
        "prev": (flat[..., half - 1] * inside[rows, half - 1]).mean(-1, dtype=np.float64)
        if K > 1
        else np.zeros(len(flat)),
        "next": (flat[..., half + 1] * inside[rows, half + 1]).mean(-1, dtype=np.float64)
        if K > 1
        else np.zeros(len(flat)),
    }
    out = {k: np.asarray(v).reshape(lead) for k, v in out.items()}
    if exclude_special:
        for k in _SPECIAL_METRICS:
            out[k] = np.full(lead, np.nan)
    return out


def uniform_baseline(trace: Trace, exclude_special: bool = False) -> dict[str, dict[str, float]]:
    """What each metric would be for uniform weights on this sentence, per head kind:
    {"attn": {metric: value}} for rows uniform over the T tokens (or the non-special ones), and
    "conv": uniform kernels (1/9 per offset) for ConvBERT."""
    T = len(trace)
    out = {
        ATTN: {
            k: float(v)
            for k, v in head_metrics(
                np.full((T, T), 1.0 / T, np.float32), trace.tokens, trace.special, exclude_special
            ).items()
        }
    }
    if trace.conv_kernels is not None:
        K = trace.conv_kernels.shape[-1]
        out[CONV] = {
            k: float(v)
            for k, v in kernel_metrics(
                np.full((T, K), 1.0 / K, np.float32), trace.tokens, trace.special, exclude_special
            ).items()
        }
    return out


def slot_names(trace: Trace) -> list[str]:
    """Names of one layer's heads in all_heads order: 'H0'.. then ConvBERT's 'C0'.."""
    return heads.slot_names(trace.n_heads, trace.n_conv_heads)


def slot_kinds(trace: Trace) -> list[str]:
    """heads.ATTN or heads.CONV for each slot of a layer (all_heads order)."""
    return [h.kind for h in heads.layer_heads(trace.n_heads, trace.n_conv_heads)]


def all_heads(trace: Trace) -> tuple[np.ndarray, list[str]]:
    """Every head of a trace as [layers, heads + conv_heads, T, T] with names (see slot_names).

    ConvBERT's convolution heads join as banded matrices after the attention heads (their edge
    rows sum to less than 1: the weight on zero padding is not drawn)."""
    names = slot_names(trace)
    if trace.conv_kernels is None:
        return trace.attentions, names
    return np.concatenate([trace.attentions, trace.conv_matrices()], axis=1), names


def head_names(trace: Trace) -> list[str]:
    """'L0 H3' / 'L2 C1' for every head of every layer, in all_heads order (heads.qualified)."""
    return [
        heads.qualified(l, h)
        for l in range(trace.n_layers)
        for h in heads.layer_heads(trace.n_heads, trace.n_conv_heads)
    ]


def trace_metrics(trace: Trace, exclude_special: bool = False) -> dict[str, np.ndarray]:
    """Every metric for every head of a trace -> each [layers, heads + conv_heads] (all_heads order):
    attention heads from their softmax rows (head_metrics), convolution heads from their kernels
    (kernel_metrics)."""
    out = head_metrics(trace.attentions, trace.tokens, trace.special, exclude_special)
    if trace.conv_kernels is not None:
        conv = kernel_metrics(trace.conv_kernels, trace.tokens, trace.special, exclude_special)
        out = {k: np.concatenate([out[k], conv[k]], axis=1) for k in out}
    return out


def head_matrix(trace: Trace, layer: int, slot: int | np.integer | str | heads.HeadId) -> np.ndarray | None:
    """One head of `layer` as [T, T]; None if the model has no such head.

    slot: an int (or digit string) = position in all_heads order (conv heads after attention
    heads, as /compare's synchronised slots); a heads.HeadId or token such as "H3" / "c1"; or
    "mean" = the mean over the layer's ATTENTION heads only (softmax rows summing to 1; ConvBERT's
    conv heads are left out, since their banded rows do not sum to 1 at the sentence's ends)."""
    n_attn = trace.n_heads
    head: heads.HeadId | str
    if isinstance(slot, str) and slot.strip().lower() == heads.MEAN:
        return trace.attentions[layer].mean(0)
    if isinstance(slot, (int, np.integer)) or (isinstance(slot, str) and slot.strip().isdigit()):
        k = int(slot)
        if k < 0:
            return None
        head = heads.attn(k) if k < n_attn else heads.conv(k - n_attn)
    else:
        try:
            head = heads.parse(slot)
        except ValueError:
            return None
    if isinstance(head, str) or not heads.exists(head, trace.n_heads, trace.n_conv_heads):
        return None  # (heads.parse gives a str only for "mean", handled above)
    if head.is_conv:
        return trace.conv_matrices(layer)[head.index]
    return trace.attentions[layer, head.index]
