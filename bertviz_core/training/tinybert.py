"""TinyBERT's two-stage transfer for the "tinybert4" student (bertviz_core.models.tinybert), run by
bertviz_core.training.distill (`--student tinybert4`; `--output-from N` starts the second stage at step N):

    python -m bertviz_core.training.distill --student tinybert4 --corpus ../shared/data/corpora \\
        --out runs/tinybert4 --steps 3000 --output-from 2400

1. Intermediate layers (Jiao et al. 2020, eq. 7-10), every student layer m against teacher layer g(m) =
   tinybert.LAYER_MAP[m]:
       MSE(E_s W_e, E_t)                       the embeddings, through the learned W_e
     + sum_m MSE(H_s[m] W_h, H_t[g(m)])         the hidden states, through the learned W_h
     + sum_m MSE(A_s[m], A_t[g(m)])             the attention scores before the softmax, head by head
   (masked to real tokens; the attention term over real query-key pairs).
2. The output stage (TinyBERT's prediction layer; the teacher here is a sentence encoder, so its prediction is
   the mean-pooled last layer): cos_weight x (1 - cos(mean-pooled H_s W_h, mean-pooled H_t)).
"""

from __future__ import annotations

from typing import Any

import torch

from bertviz_core.models import tinybert
from bertviz_core.models.pooling import mean_pool


def masked_mse(a: torch.Tensor, b: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean squared difference over the positions where `mask` (broadcast to a's shape) is 1."""
    m = mask.to(a.dtype).expand_as(a)
    return ((a - b) ** 2 * m).sum() / m.sum().clamp(min=1)


def intermediate_loss(
    student: torch.nn.Module,
    teacher: torch.nn.Module,
    projections: tinybert.Projections,
    s_out: Any,
    t_out: Any,
    mask: torch.Tensor,
) -> tuple[torch.Tensor, dict[str, float]]:
    """(loss, its parts: embedding, hidden, attn) of stage 1 for one batch (outputs with hidden_states)."""
    tokens = mask[:, :, None]  # [B, T, 1]
    pairs = (mask[:, None, :, None] * mask[:, None, None, :]).float()  # [B, 1, T, T] real query-key pairs
    embedding = masked_mse(projections.embeddings(s_out.hidden_states[0]), t_out.hidden_states[0], tokens)
    hidden = torch.zeros(())
    attn = torch.zeros(())
    for m, g in enumerate(tinybert.LAYER_MAP):
        hidden = hidden + masked_mse(projections.hidden(s_out.hidden_states[m + 1]), t_out.hidden_states[g + 1], tokens)
        with torch.no_grad():
            target = tinybert.attention_scores(teacher, t_out.hidden_states, g)
        attn = attn + masked_mse(tinybert.attention_scores(student, s_out.hidden_states, m), target, pairs)
    total = embedding + hidden + attn
    return total, {"embedding": embedding.item(), "hidden": hidden.item(), "attn": attn.item()}


def output_loss(
    projections: tinybert.Projections, s_out: Any, t_out: Any, mask: torch.Tensor, cos_weight: float
) -> tuple[torch.Tensor, dict[str, float]]:
    """(loss, its parts: cos) of stage 2: the mean-pooled last layer through W_h against the teacher's."""
    cos = torch.nn.functional.cosine_similarity(
        mean_pool(projections.hidden(s_out.last_hidden_state), mask), mean_pool(t_out.last_hidden_state, mask)
    ).mean()
    return cos_weight * (1 - cos), {"cos": cos.item()}


def loss(
    student: torch.nn.Module,
    teacher: torch.nn.Module,
    projections: tinybert.Projections,
    s_out: Any,
    t_out: Any,
    mask: torch.Tensor,
    *,
    output_stage: bool,
    cos_weight: float,
) -> tuple[torch.Tensor, dict[str, float]]:
    """The loss of the stage a step is in, with its parts and the stage (1 or 2) for the log."""
    if output_stage:
        total, parts = output_loss(projections, s_out, t_out, mask, cos_weight)
    else:
        total, parts = intermediate_loss(student, teacher, projections, s_out, t_out, mask)
    return total, {**parts, "stage": 2 if output_stage else 1}
