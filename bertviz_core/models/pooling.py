"""Sentence embeddings by mean pooling, and how close two models' embeddings are.

The sentence-transformers pooling of the bundled MiniLM: the mean of the last hidden states over
the real tokens (special tokens included, padding left out). Distillation trains on it
(bertviz_core.training.distill), compression measures quality with it (bertviz_core.analysis.compress).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedTokenizerBase


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """hidden [B, T, D], mask [B, T] (1 for real tokens) -> [B, D] mean over real tokens (torch tensors)."""
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1)


def pooled_cosines(
    student: torch.nn.Module,
    teacher: torch.nn.Module,
    tokenizer: PreTrainedTokenizerBase,
    sentences: list[str],
    batch: int = 64,
) -> list[float]:
    """Per sentence: cosine between teacher and student mean-pooled sentence embeddings
    (both models called on the same padded batches, inputs cut at 128 tokens)."""
    import torch

    out: list[float] = []
    with torch.no_grad():
        for i in range(0, len(sentences), batch):
            enc = tokenizer(
                sentences[i : i + batch], padding=True, truncation=True, max_length=128, return_tensors="pt"
            )
            inputs = {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]}  # one segment: no types
            s = mean_pool(student(**inputs).last_hidden_state, enc["attention_mask"])
            t = mean_pool(teacher(**inputs).last_hidden_state, enc["attention_mask"])
            out += torch.nn.functional.cosine_similarity(s, t).tolist()
    return out
