"""DeBERTa's disentangled attention, term by term (pure functions on a Trace's `deberta_terms`).

DeBERTa's score for query i and key j is the sum of three terms (He et al., 2021), each already divided
by the model's scale: c2c (content to content), c2p (content to position: i's content against the
relative position i - j) and p2c (position to content). `terms` below is [..., 3, T, T] in that order
(Trace.deberta_terms: [layers, heads, 3, T, T]). Relative distances are bucketed: exact up to half the
bucket count, logarithmic beyond, clipped to the table (relative_position_bucket).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bertviz_core.analysis.compare import js_divergence
from bertviz_core.models.families import TERM_NAMES

# the attentions a student recomputes without some terms: name -> which of (c2c, c2p, p2c) are kept
ABLATIONS: dict[str, tuple[bool, bool, bool]] = {
    "c2c_only": (True, False, False),
    "no_c2p": (True, False, True),
    "no_p2c": (True, True, False),
}
SHARE_NOTE = "share = mean |term| over all query-key pairs, divided by the sum of the three terms' means"


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax in float64."""
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def attention_from_terms(terms: np.ndarray, keep: tuple[bool, ...] = (True, True, True)) -> np.ndarray:
    """softmax over keys of the sum of the kept terms: [..., 3, T, T] -> [..., T, T] (float64).
    With every term kept this is the model's attention (one unpadded sentence: no mask)."""
    if len(keep) != len(TERM_NAMES) or not any(keep):
        raise ValueError(f"keep needs {len(TERM_NAMES)} flags, at least one True.")
    terms = np.asarray(terms, dtype=np.float64)
    return softmax(terms[..., np.flatnonzero(keep), :, :].sum(axis=-3))


def term_shares(terms: np.ndarray) -> np.ndarray:
    """Each term's share of the score, [..., 3, T, T] -> [..., 3] (sums to 1; see SHARE_NOTE)."""
    terms = np.asarray(terms)
    if terms.ndim > 4:  # one leading slice (a layer) at a time: no float64 copy of the whole array
        return np.stack([term_shares(part) for part in terms])
    size = np.abs(terms.astype(np.float64)).mean(axis=(-2, -1))
    return size / np.clip(size.sum(axis=-1, keepdims=True), 1e-12, None)


def ablation_divergence(terms: np.ndarray) -> dict[str, np.ndarray]:
    """For each ABLATIONS entry, the mean over query rows of the JS divergence (nats) between the attention
    with all terms and the attention recomputed with only the kept ones: [..., 3, T, T] -> [...] each.
    Works one leading slice (a layer) at a time: a 512-token layer needs ~0.1 GB of float64, not ~1 GB for all."""
    terms = np.asarray(terms)
    if terms.ndim > 4:
        parts = [ablation_divergence(part) for part in terms]
        return {name: np.stack([p[name] for p in parts]) for name in ABLATIONS}
    full = attention_from_terms(terms)
    return {
        name: js_divergence(full, attention_from_terms(terms, keep)).mean(axis=-1) for name, keep in ABLATIONS.items()
    }


@dataclass(frozen=True)
class PositionalHead:
    layer: int
    head: int
    js_c2c_only: float  # how far attention moves when both position terms are taken out
    js_no_c2p: float
    js_no_p2c: float

    @property
    def main_term(self) -> str:
        """The position term whose removal moves this head's attention most ("c2p" or "p2c")."""
        return "c2p" if self.js_no_c2p >= self.js_no_p2c else "p2c"


def positional_heads(terms: np.ndarray | None = None, js: dict[str, np.ndarray] | None = None) -> list[PositionalHead]:
    """Every head of [layers, heads, 3, T, T] terms, most positional first: ranked by how far its attention
    moves when the two position terms are removed (JS of "c2c only" against the full attention).
    js: ablation_divergence(terms) when already computed (then terms may be None)."""
    if js is None:
        if terms is None:
            raise ValueError("positional_heads needs the terms or their ablation_divergence.")
        js = ablation_divergence(terms)
    L, H = js["c2c_only"].shape
    heads = [
        PositionalHead(l, h, float(js["c2c_only"][l, h]), float(js["no_c2p"][l, h]), float(js["no_p2c"][l, h]))
        for l in range(L)
        for h in range(H)
    ]
    return sorted(heads, key=lambda p: -p.js_c2c_only)


def relative_position_bucket(distance: np.ndarray, buckets: int, max_position: int) -> np.ndarray:
    """DeBERTa's bucket of each relative distance (query position - key position): the distance itself
    while |d| <= buckets // 2, then logarithmic steps up to max_position; buckets <= 0: no bucketing."""
    d = np.asarray(distance, dtype=np.float64)
    if buckets <= 0 or max_position <= 0:
        return d.astype(np.int64)
    mid = buckets // 2
    sign = np.sign(d)
    abs_pos = np.where((d < mid) & (d > -mid), mid - 1, np.abs(d))
    log_pos = np.ceil(np.log(abs_pos / mid) / np.log((max_position - 1) / mid) * (mid - 1)) + mid
    return np.where(abs_pos <= mid, d, log_pos * sign).astype(np.int64)


def embedding_row(bucket: np.ndarray, span: int) -> np.ndarray:
    """The row of the relative-position table a bucket reads, counted from the middle: clipped to
    [-span, span - 1] (span = position_buckets, or max_relative_positions without buckets)."""
    return np.clip(np.asarray(bucket), -span, span - 1)
