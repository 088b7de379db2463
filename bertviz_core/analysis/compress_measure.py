"""Measurements of compressed variants (bertviz_core.analysis.compress): size, parameters, CPU speed,
quality (mean-pooled cosine to the original) and the pruning curve, importance order against random orders.

bench/bench_compress.py uses them to write the numbers /compress shows (bertviz_core/data/compress_results.json).
"""

from __future__ import annotations

import io
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from bertviz_core.analysis import interventions
from bertviz_core.analysis.compress import CURVE_FRACTIONS, prune_plan, random_scores
from bertviz_core.models.loading import LoadedModel
from bertviz_core.models.pooling import mean_pool, pooled_cosines

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedTokenizerBase


def size_mb(model: torch.nn.Module) -> float:
    """Serialized state_dict size (what saving the model would take), in MB (2**20 bytes)."""
    import torch

    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    return len(buf.getvalue()) / 2**20


def n_parameters(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def speed_inputs(tokenizer: PreTrainedTokenizerBase, n_tokens: int) -> dict[str, torch.Tensor]:
    """One input of exactly n_tokens tokens (EWT-like text; special tokens included)."""
    import torch

    text = (
        "The quick brown fox jumps over the lazy dog while the children watch from the old stone "
        "bridge near the river. "
    ) * 40
    ids = tokenizer(text, add_special_tokens=False)["input_ids"][: n_tokens - 2]
    ids = [tokenizer.cls_token_id] + ids + [tokenizer.sep_token_id]
    return {"input_ids": torch.tensor([ids])}


def speed_ms(
    models: dict[str, torch.nn.Module], tokenizer: PreTrainedTokenizerBase, n_tokens: int, repeats: int = 30
) -> dict[str, float]:
    """CPU ms per forward pass of one sentence of n_tokens (median of `repeats`), models interleaved.

    Measured with `time.thread_time` under `torch.set_num_threads(1)`: all the work runs in this
    thread, and time the CPU spends on other processes does not count, so the numbers hold on a
    shared machine (wall-clock time there measures the neighbours)."""
    import torch

    enc = speed_inputs(tokenizer, n_tokens)
    times: dict[str, list[float]] = {k: [] for k in models}
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with torch.inference_mode():
            for m in models.values():
                for _ in range(3):
                    m(**enc)
            for _ in range(repeats):
                for k, m in models.items():
                    start = time.thread_time()
                    m(**enc)
                    times[k].append(time.thread_time() - start)
    finally:
        torch.set_num_threads(threads)
    return {k: float(np.median(v) * 1000) for k, v in times.items()}


def quality(
    variant_model: torch.nn.Module,
    base_model: torch.nn.Module,
    tokenizer: PreTrainedTokenizerBase,
    sentences: list[str],
) -> float:
    """Mean cosine between mean-pooled sentence embeddings of variant and original."""
    return float(np.mean(pooled_cosines(variant_model, base_model, tokenizer, sentences)))


def gated_quality(
    lm: LoadedModel,
    plan: dict[int, list[int]],
    sentences: list[str],
    reference: list[torch.Tensor] | None = None,
    batch: int = 64,
) -> float:
    """Quality of pruning `plan` measured by ablating those heads (a pruned model computes the
    same function: see tests) -- no copy of the model needed. `reference`: the unpruned pooled
    outputs per batch, to reuse across plans."""
    import torch

    gates = {l: {h: 0.0 for h in hs} for l, hs in plan.items()}
    cos: list[float] = []
    with lm.lock, torch.inference_mode():
        for i, start in enumerate(range(0, len(sentences), batch)):
            enc = lm.tokenizer(
                sentences[start : start + batch], padding=True, truncation=True, max_length=128, return_tensors="pt"
            )
            ref = (
                reference[i]
                if reference is not None
                else mean_pool(lm.model(**enc).last_hidden_state, enc["attention_mask"])
            )
            with interventions.head_gates(lm.model, gates):
                out = mean_pool(lm.model(**enc).last_hidden_state, enc["attention_mask"])
            cos += torch.nn.functional.cosine_similarity(out, ref).tolist()
    return float(np.mean(cos))


def pooled_reference(lm: LoadedModel, sentences: list[str], batch: int = 64) -> list[torch.Tensor]:
    """The unpruned model's mean-pooled outputs per batch of `sentences` (gated_quality's `reference`)."""
    import torch

    out = []
    with lm.lock, torch.inference_mode():
        for start in range(0, len(sentences), batch):
            enc = lm.tokenizer(
                sentences[start : start + batch], padding=True, truncation=True, max_length=128, return_tensors="pt"
            )
            out.append(mean_pool(lm.model(**enc).last_hidden_state, enc["attention_mask"]))
    return out


def pruning_curve(
    lm: LoadedModel,
    importance: np.ndarray,
    sentences: list[str],
    fractions: Sequence[float] = CURVE_FRACTIONS,
    seeds: Sequence[int] = (0, 1, 2),
) -> dict[str, Any]:
    """Quality vs fraction of attention heads removed: importance order against random orders."""
    n_attn, _ = interventions.slot_counts(lm.model)
    L = lm.model.config.num_hidden_layers
    reference = pooled_reference(lm, sentences)
    curve: dict[str, Any] = {
        "fractions": list(fractions),
        "importance": [],
        "random": [[] for _ in seeds],
        "removed": [],
    }
    for f in fractions:
        plan = prune_plan(importance, f, n_attn)
        curve["removed"].append(sum(map(len, plan.values())))
        curve["importance"].append(gated_quality(lm, plan, sentences, reference))
        for i, seed in enumerate(seeds):
            curve["random"][i].append(
                gated_quality(lm, prune_plan(random_scores((L, n_attn), seed), f, n_attn), sentences, reference)
            )
    return curve
