"""Top Hessian eigenvalues by power iteration with Hessian-vector products (Q-BERT's sensitivity measure).

Q-BERT (Shen et al. 2020) gives each encoder layer bits according to the top eigenvalue of the Hessian of
the loss with respect to that layer's weights: a sharp layer (large eigenvalue) moves the loss more when its
weights are perturbed by quantization. The eigenvalue comes from the power iteration PyHessian uses
(Yao et al. 2020): take the gradient g = dL/d theta once with `create_graph=True`, then repeat
v <- H v / ||H v||, with H v = d(g . v)/d theta (double backward: `torch.autograd.grad` with
`grad_outputs=v`, the graph kept), and the Rayleigh quotient v . H v as the estimate. It stops when the
estimate's relative change |lambda_k - lambda_{k-1}| / |lambda_{k-1}| falls below `tol`, or after
`max_iter` products; both and the whole sequence are returned, so a page can show the convergence.

Losses (`distillation_loss`, `mlm_loss`): where the checkpoint has a masked-LM head, the MLM loss on
sentences with a fixed 15% of their words masked; else the distillation loss to the full-precision model,
1 - cosine between the mean-pooled last hidden states of the model and of its unquantized self (computed
once, held fixed). At the full-precision weights that loss is 0 and its gradient too, so its Hessian is
positive semi-definite (the Gauss-Newton matrix) and the top eigenvalue measures how fast the output moves
away. Per-batch eigenvalues are summarised as Q-BERT did: Omega = |mean| + std over the batches.

Pure functions of torch objects; no model registry here (bertviz_core.analysis.qbert uses them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from bertviz_core.models.pooling import mean_pool

if TYPE_CHECKING:
    import torch

MAX_ITER = 30
TOL = 1e-3  # relative change of the estimate between two iterations
MASK_SHARE = 0.15  # MLM loss: share of (non-special) tokens masked


@dataclass
class PowerResult:
    """One power iteration: the top eigenvalue estimate, how many Hessian-vector products it took, the
    estimate after each product (`history`), the last relative change and whether it fell below tol."""

    eigenvalue: float
    iterations: int
    history: list[float] = field(default_factory=list)
    rel_change: float = float("nan")
    converged: bool = False


def dot(a: Sequence[torch.Tensor], b: Sequence[torch.Tensor]) -> torch.Tensor:
    """Sum of the elementwise products of two lists of tensors (one vector cut into parameter shapes)."""
    return sum(((x * y).sum() for x, y in zip(a, b, strict=True)), start=a[0].new_zeros(()))


def normalize(v: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    norm = dot(v, v).sqrt().clamp(min=1e-30)
    return [x / norm for x in v]


def power_iteration(
    hvp: Callable[[list[torch.Tensor]], Sequence[torch.Tensor]],
    like: Sequence[torch.Tensor],
    max_iter: int = MAX_ITER,
    tol: float = TOL,
    seed: int = 0,
) -> PowerResult:
    """Top eigenvalue (largest in magnitude) of the symmetric operator `hvp` acting on lists of tensors
    shaped like `like`, from a fixed random start (`seed`)."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    v = normalize([torch.randn(p.shape, generator=gen, dtype=p.dtype) for p in like])
    history: list[float] = []
    rel = float("nan")
    for _ in range(max_iter):
        hv = [h.detach() for h in hvp(v)]
        estimate = float(dot(hv, v))
        if history:
            rel = abs(estimate - history[-1]) / max(abs(history[-1]), 1e-30)
        history.append(estimate)
        if history[1:] and rel < tol:
            break
        v = normalize(hv)
    return PowerResult(history[-1], len(history), history, rel, bool(len(history) > 1 and rel < tol))


def graph_hvp(
    loss: torch.Tensor, params: Sequence[torch.Tensor]
) -> Callable[[list[torch.Tensor]], Sequence[torch.Tensor]]:
    """v -> H v for the Hessian of `loss` with respect to `params` (PyHessian's double backward: the
    gradient is taken once with its graph, each product is one more backward through it)."""
    import torch

    grads = torch.autograd.grad(loss, list(params), create_graph=True)

    def hvp(v: list[torch.Tensor]) -> Sequence[torch.Tensor]:
        return torch.autograd.grad(grads, list(params), grad_outputs=v, retain_graph=True)

    return hvp


def top_eigenvalues(
    loss: torch.Tensor,
    groups: Sequence[Sequence[torch.Tensor]],
    max_iter: int = MAX_ITER,
    tol: float = TOL,
    seed: int = 0,
) -> list[PowerResult]:
    """For each group of parameters (e.g. one encoder layer's weights), the top eigenvalue of the Hessian
    block of `loss` with respect to that group (the other groups held fixed): one gradient with its graph
    for all groups, then a power iteration per group."""
    import torch

    flat = [p for g in groups for p in g]
    grads = torch.autograd.grad(loss, flat, create_graph=True)
    out, start = [], 0
    for group in groups:
        g_grads = grads[start : start + len(group)]
        start += len(group)

        def hvp(v: list[torch.Tensor], g_grads: Sequence[torch.Tensor] = g_grads, group: Any = group) -> Any:
            return torch.autograd.grad(g_grads, list(group), grad_outputs=v, retain_graph=True)

        out.append(power_iteration(hvp, group, max_iter, tol, seed))
    return out


def omega(eigenvalues: Sequence[float]) -> float:
    """Q-BERT's sensitivity of a layer from its per-batch top eigenvalues: |mean| + std."""
    x = np.asarray(eigenvalues, dtype=np.float64)
    return float(abs(x.mean()) + x.std())


# ---------------------------------------------------------------- losses


def distillation_loss(model: torch.nn.Module, enc: dict[str, torch.Tensor], reference: torch.Tensor) -> torch.Tensor:
    """1 - cosine between the mean-pooled last hidden states of `model` on `enc` and `reference` [B, D]
    (the full-precision model's, computed beforehand), averaged over the batch."""
    import torch

    pooled = mean_pool(model(**enc).last_hidden_state, enc["attention_mask"])
    return (1 - torch.nn.functional.cosine_similarity(pooled, reference, dim=-1)).mean()


def pooled_reference(model: torch.nn.Module, enc: dict[str, torch.Tensor]) -> torch.Tensor:
    """The mean-pooled last hidden states of `model` on `enc`, without a graph (distillation_loss's target)."""
    import torch

    with torch.no_grad():
        return mean_pool(model(**enc).last_hidden_state, enc["attention_mask"]).detach()


def masked_batch(
    enc: dict[str, torch.Tensor], mask_id: int, special: torch.Tensor, share: float = MASK_SHARE, seed: int = 0
) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """(inputs with a fixed `share` of their real, non-special tokens replaced by `mask_id`, labels: the
    original ids there and -100 elsewhere). `special` [B, T] is True at special tokens; at least one token
    per sentence is masked."""
    import torch

    ids, real = enc["input_ids"], enc["attention_mask"].bool() & ~special.bool()
    gen = torch.Generator().manual_seed(seed)
    pick = (torch.rand(ids.shape, generator=gen) < share) & real
    for row in range(ids.shape[0]):  # never a sentence without a masked word
        if not pick[row].any() and real[row].any():
            pick[row, int(real[row].nonzero()[0])] = True
    labels = torch.where(pick, ids, torch.full_like(ids, -100))
    return {**enc, "input_ids": torch.where(pick, torch.full_like(ids, mask_id), ids)}, labels


def mlm_loss(mlm: torch.nn.Module, enc: dict[str, torch.Tensor], labels: torch.Tensor) -> torch.Tensor:
    """The masked-LM cross-entropy of `mlm` (a transformers *ForMaskedLM) at the positions `labels` marks."""
    return mlm(**enc, labels=labels).loss
