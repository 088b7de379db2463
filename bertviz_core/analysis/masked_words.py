"""How well a masked-language model fills in a masked word: one word of a sentence at a time, all of its word
pieces replaced by [MASK], the model's top-5 at each masked position against the original pieces.

Single-piece words give the headline figure (top-1 and top-5: the original piece is the model's first guess, or
among its five first); words of several pieces are counted apart (a hit when every piece is right at its own
position). Beside them: the unigram baseline (always guessing the training text's most frequent pieces, see
`frequent_pieces`) and, when the words carry their UD part of speech (CoNLL-U UPOS), the same per part of speech.
A word is a token as written (a CoNLL-U form, "didn't" included); words are counted, not sentences, so an
interval over them treats masks as independent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import torch

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

Word = str | tuple[Any, ...]  # a form, or (form, UPOS, ...) as bertviz_core.inputs.conllu.conllu_words gives
TOP_K = 5


@dataclass
class Hits:
    """Masked words counted, and how many the model got right first (top-1) or among its TOP_K guesses."""

    n: int = 0
    top1: int = 0
    top5: int = 0

    def add(self, first: bool, among: bool) -> None:
        self.n, self.top1, self.top5 = self.n + 1, self.top1 + first, self.top5 + among

    def rates(self) -> dict[str, float | int]:
        n = max(self.n, 1)
        return {"n": self.n, "top1": self.top1 / n, "top5": self.top5 / n}


@dataclass
class MaskedWordAccuracy:
    """single: single-piece words (the headline); multi: words of several pieces; baseline: the unigram guess on
    the single-piece words; by_upos: single-piece words per part of speech (when given); sentences: how many
    sentences were used."""

    single: Hits = field(default_factory=Hits)
    multi: Hits = field(default_factory=Hits)
    baseline: Hits = field(default_factory=Hits)
    by_upos: dict[str, Hits] = field(default_factory=dict)
    sentences: int = 0

    @property
    def masks(self) -> int:
        return self.single.n + self.multi.n

    def to_dict(self) -> dict[str, Any]:
        return {
            "sentences": self.sentences,
            "single": self.single.rates(),
            "multi": self.multi.rates(),
            "baseline": self.baseline.rates(),
            "by_upos": {u: h.rates() for u, h in sorted(self.by_upos.items())},
        }


def frequent_pieces(
    token_ids: Sequence[Sequence[int]], tokenizer: PreTrainedTokenizerBase, k: int = TOP_K
) -> list[int]:
    """The k most frequent word-initial pieces of a tokenized text, most frequent first: what a model that
    always guesses the training text's most frequent words would answer (no special tokens, no ## pieces)."""
    counts = Counter(i for ids in token_ids for i in ids)
    special = set(tokenizer.all_special_ids)
    tokens = tokenizer.convert_ids_to_tokens(list(counts))
    for i, token in zip(list(counts), tokens):
        if i in special or token.startswith("##"):
            del counts[i]
    return [i for i, _ in counts.most_common(k)]


def word_pieces(tokenizer: PreTrainedTokenizerBase, forms: list[str]) -> tuple[list[int], list[list[int]]]:
    """(input ids with [CLS]/[SEP], the positions of each word's pieces); a word of no piece has none."""
    enc = tokenizer(forms, is_split_into_words=True, truncation=True, max_length=512)
    positions: list[list[int]] = [[] for _ in forms]
    for pos, w in enumerate(enc.word_ids()):
        if w is not None:
            positions[w].append(pos)
    return list(enc["input_ids"]), positions


def masked_logits(model: PreTrainedModel, ids: torch.Tensor, rows: torch.Tensor, cols: torch.Tensor) -> torch.Tensor:
    """The model's logits [P, vocab] at positions (rows[p], cols[p]) of the batch `ids` [B, T] (no padding).
    A BERT-style model (`cls` head) runs its head on those positions only."""
    head = getattr(model, "cls", None)
    if head is None:
        return model(input_ids=ids).logits[rows, cols]
    hidden = getattr(model, model.base_model_prefix)(input_ids=ids)[0]
    return head(hidden[rows, cols])


def _score_sentence(
    model: PreTrainedModel,
    ids: list[int],
    targets: list[list[int]],
    mask_id: int,
    batch: int,
) -> list[tuple[bool, bool]]:
    """(top-1 hit, top-k hit) for each masked word of one sentence: one row per word, its pieces masked."""
    out: list[tuple[bool, bool]] = []
    for start in range(0, len(targets), batch):
        chunk = targets[start : start + batch]
        rows_ids = torch.tensor(ids).repeat(len(chunk), 1)
        rows, cols = [], []
        for r, positions in enumerate(chunk):
            rows_ids[r, positions] = mask_id
            rows += [r] * len(positions)
            cols += positions
        top = masked_logits(model, rows_ids, torch.tensor(rows), torch.tensor(cols)).topk(TOP_K, dim=-1).indices
        original = torch.tensor(ids)[torch.tensor(cols)]
        first = (top[:, 0] == original).tolist()
        among = (top == original[:, None]).any(-1).tolist()
        p = 0
        for positions in chunk:
            n = len(positions)
            out.append((all(first[p : p + n]), all(among[p : p + n])))
            p += n
    return out


@torch.no_grad()
def masked_word_accuracy(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    sentences_words: Sequence[Sequence[Word]],
    *,
    baseline_ids: Sequence[int] = (),
    max_sentences: int | None = None,
    max_masks: int | None = None,
    batch: int = 64,
) -> MaskedWordAccuracy:
    """Mask each word of each sentence in turn (all its pieces) and count the model's hits (see the module).

    sentences_words: per sentence its words as forms, or (form, UPOS, ...) tuples (then by_upos is filled).
    baseline_ids: the training text's most frequent pieces, most frequent first (`frequent_pieces`).
    max_sentences / max_masks: stop after that many sentences / masked words."""
    training = model.training
    model.eval()
    result = MaskedWordAccuracy()
    try:
        for words in sentences_words[:max_sentences]:
            if max_masks is not None and result.masks >= max_masks:
                break
            forms = [w if isinstance(w, str) else w[0] for w in words]
            upos = [None if isinstance(w, str) or len(w) < 2 else w[1] for w in words]
            ids, positions = word_pieces(tokenizer, forms)
            chosen = [k for k, p in enumerate(positions) if p]
            if max_masks is not None:
                chosen = chosen[: max_masks - result.masks]
            if not chosen:
                continue
            hits = _score_sentence(model, ids, [positions[k] for k in chosen], tokenizer.mask_token_id, batch)
            for k, (first, among) in zip(chosen, hits):
                _count(result, ids, positions[k], upos[k], first, among, baseline_ids)
            result.sentences += 1
    finally:
        model.train(training)
    return result


def _count(
    result: MaskedWordAccuracy,
    ids: list[int],
    positions: list[int],
    upos: str | None,
    first: bool,
    among: bool,
    baseline_ids: Sequence[int],
) -> None:
    """One masked word into the tallies: single- or multi-piece, its part of speech, the baseline's guess."""
    if len(positions) > 1:
        result.multi.add(first, among)
        return
    result.single.add(first, among)
    if upos is not None:
        result.by_upos.setdefault(upos, Hits()).add(first, among)
    if baseline_ids:
        original = ids[positions[0]]
        result.baseline.add(original == baseline_ids[0], original in baseline_ids[:TOP_K])
