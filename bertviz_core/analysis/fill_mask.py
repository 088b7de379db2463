"""Fill-mask: what a masked-language model guesses for every [MASK] of a sentence.

    for guess in bc.fill_mask(m, "The cat sat on the [MASK].", top_k=5):
        guess.position, guess.candidates[0]     # (6, ('mat', 0.21)): token index, best guess and its probability

The model's MLM head comes from `mlm_model(lm)` (bertviz_core.models.mlm): a hub or local checkpoint with its own
head (BERT, DistilBERT, RoBERTa, ...) or the in-house `bert-minilm-l6-mlm`; it runs on `lm.model` itself. The
candidates are the top-k of the softmax of its logits at each mask position (interventions.top_k, the same
function /intervene uses), as (token, probability) with the token as the tokenizer writes it ("##ing", "Ġmat").

What counts as a mask: the tokenizer's own mask token, and "[MASK]" typed in any case ("[mask]", "[Mask]"): both
are matched case-insensitively (MASK_PATTERN) and become the tokenizer's mask token, so "[MASK]" works for RoBERTa's
`<mask>` too. The text between masks is tokenized as typed, with special tokens split (a typed "[SEP]" is text,
as everywhere in the app). At most MAX_MASKS masks; too many, none, a model without a head or a sentence longer
than the model takes raise `FillMaskError` with a `code` the UI turns into its message.

`mask_attention(lm, text)` is where each mask looks while the model guesses: the encoder's attention rows at the
mask positions, every layer and head, on the same input ids fill_mask builds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import numpy as np

from bertviz_core.analysis.interventions import top_k as top_candidates
from bertviz_core.models.loading import LoadedModel
from bertviz_core.models.mlm import mlm_status

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

MAX_MASKS = 8
TYPED_MASK = "[MASK]"  # accepted for every tokenizer, in any case
CODES = ("no_head", "no_mask", "too_many_masks", "too_long")


class FillMaskError(ValueError):
    """Fill-mask cannot run; the message is for the user. `code`: one of CODES; `count` the masks found (for
    "too_many_masks": "20 masks is too many"), `limit` the most allowed (MAX_MASKS; the model's token limit for
    "too_long")."""

    def __init__(self, message: str, code: str, count: int = 0, limit: int = MAX_MASKS) -> None:
        assert code in CODES, code
        super().__init__(message)
        self.code = code
        self.count = count
        self.limit = limit


@dataclass(frozen=True)
class MaskGuess:
    """The guesses at one mask: `mask` its number in the sentence (0 = first [MASK]), `position` its token index in
    the model's input (special tokens included), `candidates` the top-k (token, probability), best first, and the
    model that guessed (`model` its id, `label` its name)."""

    mask: int
    position: int
    candidates: tuple[tuple[str, float], ...]
    model: str
    label: str


def mask_pattern(tokenizer: PreTrainedTokenizerBase) -> re.Pattern[str]:
    """The tokenizer's mask token or "[MASK]", case-insensitive."""
    written = {TYPED_MASK, str(tokenizer.mask_token or TYPED_MASK)}
    return re.compile("|".join(re.escape(w) for w in sorted(written, key=len, reverse=True)), re.IGNORECASE)


def count_masks(tokenizer: PreTrainedTokenizerBase, text: str) -> int:
    """How many masks `text` holds (see the module: the tokenizer's mask token or "[MASK]", any case)."""
    return len(mask_pattern(tokenizer).findall(text))


def masked_ids(tokenizer: PreTrainedTokenizerBase, text: str) -> tuple[list[int], list[int]]:
    """(input ids with the special tokens, positions of the masks): the text between masks tokenized as typed."""
    pieces = mask_pattern(tokenizer).split(text)
    mask_id = tokenizer.mask_token_id
    ids: list[int] = []
    for k, piece in enumerate(pieces):
        if k:
            ids.append(mask_id)
        if piece.strip():
            # a piece after a mask starts a new word only when a space says so: RoBERTa's byte-level BPE keeps it
            ids += tokenizer(piece.rstrip(), add_special_tokens=False, split_special_tokens=True)["input_ids"]
    prefix, suffix = special_frame(tokenizer)
    full = prefix + ids + suffix
    return full, [i for i, x in enumerate(full) if x == mask_id]


def special_frame(tokenizer: PreTrainedTokenizerBase) -> tuple[list[int], list[int]]:
    """(ids before, ids after) one sentence in the tokenizer's template ([CLS] ... [SEP], <s> ... </s>), read off
    a probe, since transformers 5 tokenizers no longer build inputs from ids."""
    plain = tokenizer("a", add_special_tokens=False)["input_ids"]
    framed = tokenizer("a")["input_ids"]
    for start in range(len(framed) - len(plain) + 1):
        if framed[start : start + len(plain)] == plain:
            return list(framed[:start]), list(framed[start + len(plain) :])
    return [], []


def fill_mask(lm: LoadedModel, text: str, top_k: int = 10) -> list[MaskGuess]:
    """For every mask of `text`, in order, the model's `top_k` candidates with their probabilities.

    Raises FillMaskError: "no_head" (the model has no MLM head; the message says why), "no_mask", "too_many_masks"
    (more than MAX_MASKS), "too_long" (more tokens than the model takes)."""
    import torch

    status = mlm_status(lm)
    tokenizer = lm.tokenizer
    if status.model is None or tokenizer.mask_token_id is None:
        raise FillMaskError(status.message(lm.label) or f"{lm.label} has no mask token.", "no_head")
    count = count_masks(tokenizer, text)
    if count == 0:
        raise FillMaskError(f"The sentence has no mask: write {TYPED_MASK} where a word should be guessed.", "no_mask")
    if count > MAX_MASKS:
        raise FillMaskError(
            f"{count} masks is too many: at most {MAX_MASKS} can be guessed at once.", "too_many_masks", count
        )
    ids, positions = masked_ids(tokenizer, text)
    if len(ids) > lm.max_tokens:
        raise FillMaskError(
            f"The sentence is {len(ids)} tokens; {lm.label} takes at most {lm.max_tokens}.",
            "too_long",
            count,
            lm.max_tokens,
        )
    with lm.lock, torch.no_grad():  # no hooks of another user's capture may see this pass
        logits = status.model(input_ids=torch.tensor([ids])).logits[0]
    k = max(1, min(int(top_k), logits.shape[-1]))
    found = top_candidates(logits, positions, tokenizer, k)
    return [
        MaskGuess(n, p, tuple((str(tok), prob) for tok, prob in found[p]), lm.id, lm.label)
        for n, p in enumerate(positions)
    ]


@dataclass(frozen=True)
class MaskAttention:
    """Where the masks look: `tokens` of the model's input (special tokens included), `positions` the masks' token
    indices, `rows` the attention from each mask, [layers, heads, masks, T] (rows of the capture's attention)."""

    tokens: tuple[str, ...]
    positions: tuple[int, ...]
    rows: np.ndarray


def mask_attention(lm: LoadedModel, text: str) -> MaskAttention:
    """The attention of every mask of `text` (masks as fill_mask reads them), from the model's encoder with the
    capture hooks: what the model looked at while guessing. FillMaskError "no_mask", "too_many_masks", "too_long"
    as fill_mask (no head is needed: the attention is the encoder's)."""
    import torch

    from bertviz_core.tracing.capture import forward

    tokenizer = lm.tokenizer
    count = count_masks(tokenizer, text) if tokenizer.mask_token_id is not None else 0
    if count == 0:
        raise FillMaskError(f"The sentence has no mask: write {TYPED_MASK} where a word should be guessed.", "no_mask")
    if count > MAX_MASKS:
        raise FillMaskError(f"{count} masks is too many: at most {MAX_MASKS}.", "too_many_masks", count)
    ids, positions = masked_ids(tokenizer, text)
    if len(ids) > lm.max_tokens:
        raise FillMaskError(f"The sentence is {len(ids)} tokens.", "too_long", count, lm.max_tokens)
    run = forward(lm, {"input_ids": torch.tensor([ids])})
    tokens = cast("list[str]", tokenizer.convert_ids_to_tokens(ids))
    return MaskAttention(tuple(tokens), tuple(positions), np.ascontiguousarray(run.attentions[:, :, positions, :]))
