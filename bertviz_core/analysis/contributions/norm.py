"""Norm-based attention (Kobayashi et al. 2020): how much each token's transformed vector, not just its
weight, adds to an output."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from bertviz_core.analysis.contributions.base import (
    accumulated,
    head_vectors,
    mixed_vectors,
    normalise_rows,
    row_chunks,
)
from bertviz_core.tracing.capture import Trace

if TYPE_CHECKING:
    from bertviz_core.models.loading import LoadedModel


def norm_attention(lm: LoadedModel, trace: Trace) -> np.ndarray:
    """||a^h_ij f_h(x_j)|| = a^h_ij ||f_h(x_j)|| for every head (Kobayashi et al. 2020):
    float32 [layers, heads (+ conv heads), T, T]."""
    out = []
    for layer in range(trace.n_layers):
        f, alpha, *_ = head_vectors(lm, trace, layer)
        out.append((alpha * f.norm(dim=-1)[:, None, :]).numpy())
    return np.stack(out).astype(np.float32)


def layer_norm_mixing(lm: LoadedModel, trace: Trace, layer: int) -> np.ndarray:
    """||sum_h a^h_ij f_h(x_j)||, [T, T] (not normalised)."""
    f, alpha, *_ = head_vectors(lm, trace, layer)
    T, D = f.shape[1], f.shape[2]
    out = np.empty((T, T), dtype=np.float32)
    for rows in row_chunks(T, D):
        out[rows] = mixed_vectors(alpha, f, rows).norm(dim=-1).numpy()
    return out


def norm_mixing(
    lm: LoadedModel, trace: Trace, accumulate: bool = False, layers: Iterable[int] | None = None
) -> np.ndarray:
    """The "norm" method: ||sum_h a^h_ij f_h(x_j)|| per layer, rows normalised (or rolled out with the residual)."""
    per_layer = normalise_rows(np.stack([layer_norm_mixing(lm, trace, l) for l in range(trace.n_layers)]))
    return accumulated(per_layer, accumulate)
