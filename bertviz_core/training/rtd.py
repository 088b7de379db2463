"""Replaced-token detection's batches (ELECTRA, Clark et al., 2020), for bertviz_core.training.electra: which
positions are replaced, the generator's sampled replacements (or uniform random ones), and the discriminator's
binary cross-entropy over the scored positions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from bertviz_core.training import mlm

if TYPE_CHECKING:
    from transformers import PreTrainedModel


def choose_positions(
    ids: torch.Tensor,
    attention_mask: torch.Tensor,
    vocab: mlm.Vocab,
    generator: torch.Generator,
    prob: float = 0.15,
    whole_word: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(candidates, chosen) [B, T] booleans: the non-special, non-padding positions, and those of them chosen for
    replacement: each unit (a piece, or with whole_word a word) with probability `prob`."""
    candidates = attention_mask.bool() & ~vocab.special[ids]
    unit = mlm.word_index(ids, candidates, vocab, whole_word)
    rows, length = ids.shape
    pick = torch.rand(rows, length + 1, generator=generator).gather(1, unit)  # one draw per unit
    return candidates, candidates & (pick < prob)


def generator_logits(
    model: PreTrainedModel, inputs: torch.Tensor, mask: torch.Tensor, at: torch.Tensor
) -> torch.Tensor:
    """The masked-LM's logits [N, V] at the positions `at` ([B, T] booleans) of `inputs`: a BERT-style head
    (`cls`) runs on those positions only; any other masked-LM model on all of them."""
    if hasattr(model, "cls"):
        hidden = getattr(model, model.base_model_prefix)(input_ids=inputs, attention_mask=mask)[0]
        return model.get_submodule("cls")(hidden[at])
    return model(input_ids=inputs, attention_mask=mask).logits[at]


@torch.no_grad()
def sample_replacements(
    model: PreTrainedModel,
    ids: torch.Tensor,
    attention_mask: torch.Tensor,
    chosen: torch.Tensor,
    vocab: mlm.Vocab,
    generator: torch.Generator,
    temperature: float = 1.0,
) -> torch.Tensor:
    """`ids` with every chosen position replaced by a piece sampled from the masked-LM `model`'s softmax (at
    `temperature`, special tokens excluded) given `ids` with all chosen positions [MASK]ed. A sample may be the
    original piece: the caller's labels (`replaced != ids`) then say "original"."""
    out = ids.clone()
    if not chosen.any():
        return out
    masked = ids.masked_fill(chosen, vocab.mask_id)
    logits = generator_logits(model, masked, attention_mask, chosen).float() / max(temperature, 1e-6)
    special = vocab.special[: logits.shape[-1]]
    logits[:, special] = float("-inf")
    draws = torch.multinomial(torch.softmax(logits, -1), 1, generator=generator).squeeze(1)
    out[chosen] = draws
    return out


def random_replacements(
    ids: torch.Tensor, chosen: torch.Tensor, vocab: mlm.Vocab, generator: torch.Generator
) -> torch.Tensor:
    """`ids` with every chosen position replaced by a uniformly drawn ordinary piece (vocab.random_pool)."""
    out = ids.clone()
    draws = vocab.random_pool[torch.randint(len(vocab.random_pool), ids.shape, generator=generator)]
    out[chosen] = draws[chosen]
    return out


def rtd_loss(
    model: PreTrainedModel,
    inputs: torch.Tensor,
    attention_mask: torch.Tensor,
    replaced: torch.Tensor,
    positions: torch.Tensor,
    reduction: str = "mean",
) -> tuple[torch.Tensor, int, int]:
    """(binary cross-entropy of the discriminator's logits against `replaced` at `positions` ([B, T] booleans),
    its mean or sum; how many of those positions it gets right at probability 0.5; how many)."""
    logits = model(input_ids=inputs, attention_mask=attention_mask).logits
    target = replaced[positions].float()
    chosen = logits[positions]
    loss = torch.nn.functional.binary_cross_entropy_with_logits(chosen, target, reduction=reduction)
    return loss, int(((chosen > 0) == replaced[positions]).sum()), len(target)
