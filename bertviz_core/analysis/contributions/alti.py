"""ALTI (Ferrando et al. 2022): the attention block with its residual and LayerNorm, split exactly into one
vector per input token; a token's contribution is how much closer it brings the output."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from bertviz_core.analysis.contributions.base import head_vectors, mixed_vectors, normalise_rows, rollout, row_chunks
from bertviz_core.tracing.capture import Trace

if TYPE_CHECKING:
    import torch

    from bertviz_core.models.loading import LoadedModel


def alti_vectors(
    lm: LoadedModel, trace: Trace, layer: int, rows: slice | None = None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """ALTI's decomposition of the attention block's output (after residual and LayerNorm).

    With y_i = sum_j z_ij + b_O,  z_ij = sum_h a^h_ij f_h(x_j) + [i == j] x_i  and the LayerNorm
    LN(y) = g * (y - mean y) / s_i + beta  (s_i = sqrt(var y_i + eps), fixed per token),
    LN(y_i) = sum_j T_i(x_j) + e_i  with T_i(x_j) = g * (z_ij - mean z_ij) / s_i and
    e_i = g * (b_O - mean b_O) / s_i + beta.
    Returns (T_vectors [R, T, D], e [R, D], resultant LN(y) [R, D]) as torch tensors for query rows `rows`."""
    f, alpha, bias, x, parts = head_vectors(lm, trace, layer)
    return alti_rows(f, alpha, bias, x, parts.norm, rows or slice(0, x.shape[0]))


def alti_rows(
    f: torch.Tensor, alpha: torch.Tensor, bias: torch.Tensor, x: torch.Tensor, norm: torch.nn.LayerNorm, rows: slice
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """alti_vectors for the query rows `rows`, from head_vectors' output and the block's LayerNorm `norm`."""
    import torch

    with torch.no_grad():
        z = mixed_vectors(alpha, f, rows)  # [R, T, D]
        idx = torch.arange(rows.start, rows.stop)
        z[torch.arange(len(idx)), idx] += x[idx]  # the residual: x_i joins z_ii
        y = z.sum(1) + bias  # [R, D] = LayerNorm's input
        s = torch.sqrt(y.var(-1, unbiased=False) + norm.eps)  # [R]
        gamma = norm.weight.detach().float() if norm.weight is not None else torch.ones(y.shape[-1])
        beta = norm.bias.detach().float() if norm.bias is not None else torch.zeros(y.shape[-1])
        t_vec = gamma * (z - z.mean(-1, keepdim=True)) / s[:, None, None]  # [R, T, D]
        e = gamma * (bias - bias.mean()) / s[:, None] + beta  # [R, D]
        resultant = gamma * (y - y.mean(-1, keepdim=True)) / s[:, None] + beta
    return t_vec, e, resultant


def alti_layer(lm: LoadedModel, trace: Trace, layer: int) -> np.ndarray:
    """ALTI contributions of one layer, [T, T]: c_ij = max(0, ||y~_i||_1 - ||y~_i - T_i(x_j)||_1), rows normalised."""
    import torch

    f, alpha, bias, x, parts = head_vectors(lm, trace, layer)
    T, D = x.shape
    out = np.empty((T, T), dtype=np.float32)
    for rows in row_chunks(T, D):
        t_vec, _, resultant = alti_rows(f, alpha, bias, x, parts.norm, rows)
        with torch.no_grad():
            dist = (resultant[:, None, :] - t_vec).abs().sum(-1)  # [R, T] L1 distances
            c = (resultant.abs().sum(-1, keepdim=True) - dist).clamp_min(0)
        out[rows] = c.numpy()
    return normalise_rows(out)


def alti_mixing(
    lm: LoadedModel, trace: Trace, accumulate: bool = False, layers: Iterable[int] | None = None
) -> np.ndarray:
    """The "alti" method per layer; accumulated, multiplied through the layers as in the ALTI paper (its
    matrices already hold the residual, so no 0.5 A + 0.5 I)."""
    per_layer = np.stack([alti_layer(lm, trace, l) for l in range(trace.n_layers)])
    return rollout(per_layer) if accumulate else per_layer
