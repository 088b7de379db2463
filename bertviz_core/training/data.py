"""What every training run here shares (bertviz_core.training.distill, .mlm): its folder and seed, an atomic
checkpoint, and its text: sentences packed into examples, short crops, augmented variants of CoNLL-U sentences,
and padded batches."""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import torch


def start_run(out: str | Path, seed: int, threads: int | None = None) -> Path:
    """The run's folder (made if missing), with torch's threads (when given) and seed set: a run's first step."""
    if threads:
        torch.set_num_threads(threads)
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    return out_dir


def save_atomically(state: dict[str, Any], path: Path) -> None:
    """torch.save to a temporary file beside `path`, then renamed over it: a run killed mid-write keeps its last
    whole checkpoint."""
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def make_examples(token_ids: list[list[int]], max_len: int, seed: int) -> list[list[int]]:
    """Runs of 1-4 consecutive sentences, each run at most max_len - 2 word pieces."""
    rng = random.Random(seed)
    examples: list[list[int]] = []
    i = 0
    while i < len(token_ids):
        want = rng.randint(1, 4)
        run: list[int] = []
        while i < len(token_ids) and want > 0 and len(run) + len(token_ids[i]) <= max_len - 2:
            run += token_ids[i]
            i, want = i + 1, want - 1
        if not run:  # one sentence longer than max_len: keep its start
            run, i = token_ids[i][: max_len - 2], i + 1
        examples.append(run)
    return examples


def crop_short(example: list[int], rng: random.Random, longest: int = 12) -> list[int]:
    """A random window of 1..longest word pieces: short inputs ("Thanks!", "my bad.") need practice too."""
    size = rng.randint(1, min(longest, len(example)))
    start = rng.randint(0, len(example) - size)
    return example[start : start + size]


CONTENT_UPOS = ("NOUN", "PROPN", "VERB", "ADJ", "ADV", "NUM")


def augment_sentences(
    sentences: list[list[tuple[str, str, bool]]], copies: int, seed: int, p: float = 0.3
) -> list[str]:
    """TinyBERT-style data augmentation without a language model: `copies` variants of each sentence in
    which every content word (CONTENT_UPOS) is, with probability p, replaced by a random word of the same
    part of speech drawn from these sentences. The teacher labels whatever text it is shown, so variants
    need not be true, only varied; they stay in the register of their source (web text for UD EWT)."""
    rng = random.Random(seed)
    pool: dict[str, list[str]] = {}
    for words in sentences:
        for form, upos, _ in words:
            if upos in CONTENT_UPOS:
                pool.setdefault(upos, []).append(form)
    out = []
    for _ in range(copies):
        for words in sentences:
            text = ""
            for form, upos, space in words:
                if upos in pool and rng.random() < p:
                    form = rng.choice(pool[upos])
                text += form + (" " if space else "")
            out.append(text.strip())
    return out


def collate(examples: list[list[int]], cls_id: int, sep_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """[CLS] example [SEP] rows, right-padded with 0: (input ids [B, T], attention mask [B, T])."""
    longest = max(len(e) for e in examples) + 2
    ids = torch.zeros(len(examples), longest, dtype=torch.long)
    mask = torch.zeros(len(examples), longest, dtype=torch.long)
    for row, e in enumerate(examples):
        seq = [cls_id, *e, sep_id]
        ids[row, : len(seq)] = torch.tensor(seq)
        mask[row, : len(seq)] = 1
    return ids, mask
