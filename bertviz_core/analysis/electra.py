"""Replaced-token detection (ELECTRA): the discriminator's probability, per token, that it was replaced.

`replaced_token_scores(lm, text_or_ids)` loads the checkpoint's discriminator (transformers'
`ElectraForPreTraining`) once per loaded model and puts `lm.model` inside it in place of its own copy of the
encoder (as bertviz_core.models.mlm does for masked-LM heads): one encoder in memory, and the head runs on exactly
the weights every page captures. The in-house student `electra-minilm-l6` (kind "electra", models.student) brings
its head from its compact folder; hub `google/electra-*-discriminator` checkpoints from their own weights. A model
without a discriminator head raises `NoDiscriminator` (a ValueError with a `code`, one of NO_HEAD_CODES); input
it cannot score raises `ReplacedTokenError` (its base class) with a code of INPUT_CODES.

`roc_auc(scores, labels)` is how well scores rank the replaced tokens above the original ones (the bench and the
training monitor report it).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from bertviz_core.models import families, registry, student
from bertviz_core.models.loading import LoadedModel, models_dir

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedModel

NO_HEAD_CODES = (
    "family",  # the model's family has no replaced-token-detection head (only ELECTRA has)
    "student",  # an in-house student of a kind without one
    "bundled",  # a bundled model without one
    "no_head",  # an ELECTRA checkpoint without the discriminator's weights (a generator, a bare encoder)
    "load_failed",  # the checkpoint's discriminator could not be loaded
)
INPUT_CODES = (
    "too_long",  # more tokens than the model takes
    "bad_ids",  # no ids, or an id outside the vocabulary
)
HEAD_PREFIX = "discriminator_predictions."  # the head's tensors in an ElectraForPreTraining


class ReplacedTokenError(ValueError):
    """Replaced-token scores cannot be computed; the message is for the user, `code` (NO_HEAD_CODES, INPUT_CODES)
    for the UI's own."""

    def __init__(self, message: str, code: str) -> None:
        assert code in NO_HEAD_CODES + INPUT_CODES, code
        super().__init__(message)
        self.code = code


class NoDiscriminator(ReplacedTokenError):
    """`model` has no replaced-token-detection head; `code` says why (NO_HEAD_CODES), `detail` adds what is known
    (the missing tensor, the loader's message)."""

    def __init__(self, model: str, code: str, detail: str = "") -> None:
        assert code in NO_HEAD_CODES, code
        text = f"{model} has no replaced-token-detection (ELECTRA discriminator) head"
        super().__init__(f"{text} ({detail})." if detail else f"{text}.", code)
        self.model, self.detail = model, detail


@dataclass(frozen=True)
class ReplacedTokenScores:
    """Per token of the input ([CLS] and [SEP] included): its id, its text and the discriminator's probability
    that it was replaced (sigmoid of the logit)."""

    ids: list[int]
    tokens: list[str]
    probs: list[float]
    logits: list[float]

    def to_dict(self) -> dict[str, list]:
        return {"ids": self.ids, "tokens": self.tokens, "probs": self.probs, "logits": self.logits}


# ---------------------------------------------------------------- the ranking measure
def roc_auc(scores: object, labels: object) -> float:
    """Area under the ROC curve of `scores` for binary `labels` (1 = replaced): the probability that a random
    replaced token scores above a random original one, ties counting one half (the Mann-Whitney U / n1 n0).
    NaN when either class is empty."""
    s = np.asarray(scores, dtype=np.float64).ravel()
    y = np.asarray(labels).ravel().astype(bool)
    n1, n0 = int(y.sum()), int((~y).sum())
    if not n1 or not n0:
        return float("nan")
    _, group, counts = np.unique(s, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)  # 1-based rank of each distinct score's last copy
    ranks = (ends - (counts - 1) / 2)[group]  # ties share their average rank
    u = ranks[y].sum() - n1 * (n1 + 1) / 2
    return float(u / (n1 * n0))


# ---------------------------------------------------------------- the discriminator of a loaded model
@dataclass(frozen=True)
class Discriminator:
    """The discriminator wrapped around a loaded model's encoder, or why there is none (`error`)."""

    model: PreTrainedModel | None = None
    error: NoDiscriminator | None = None


_heads: weakref.WeakKeyDictionary[LoadedModel, Discriminator] = weakref.WeakKeyDictionary()
_heads_lock = threading.Lock()


def discriminator_source(model_id: str) -> tuple[str | Path | None, str]:
    """Where the discriminator of `model_id` lives (a student folder, a registry location, a folder of the models
    folder or a hub id), or (None, code) when there is none: "bundled", "student". A variant (<id>@int8) looks in
    its original's checkpoint."""
    base = model_id.split("@", 1)[0]
    entry = registry.entry(base)
    if entry is not None and entry.source == "bundled":
        bundled = registry.WEIGHTS_DIR / entry.id
        return (bundled, "") if has_student_discriminator(bundled) else (None, "bundled")
    if entry is not None:
        return entry.location, ""
    folder = (models_dir() / base).resolve()
    if folder.is_dir() and (folder == models_dir() or models_dir() in folder.parents):
        if student.is_student_folder(folder):
            return (folder, "") if has_student_discriminator(folder) else (None, "student")
        return folder, ""
    return base, ""


def has_student_discriminator(folder: Path) -> bool:
    """Whether `folder` holds an in-house student of a kind with a discriminator head (student.RTD_KINDS)."""
    return student.is_student_folder(folder) and student.student_kind(folder) in student.RTD_KINDS


def load_discriminator(source: str | Path, lm: LoadedModel) -> Discriminator:
    """The ElectraForPreTraining of the checkpoint at `source` (offline, no remote code) around `lm.model`."""
    from transformers import ElectraForPreTraining

    if isinstance(source, Path) and has_student_discriminator(source):
        try:
            return wrap(student.load_student(source), lm)
        except Exception as exc:  # noqa: BLE001 - a broken folder is the message
            return Discriminator(error=NoDiscriminator(lm.id, "load_failed", str(exc)))
    try:
        loaded = ElectraForPreTraining.from_pretrained(
            source,
            attn_implementation="eager",
            trust_remote_code=False,
            local_files_only=True,
            use_safetensors=True if isinstance(source, Path) else None,
            output_loading_info=True,
        )
    except Exception as exc:  # noqa: BLE001 - weights not cached, not a checkpoint...: the message
        return Discriminator(error=NoDiscriminator(lm.id, "load_failed", str(exc)))
    model, info = cast("tuple[PreTrainedModel, dict[str, Any]]", loaded)  # output_loading_info: (model, info)
    missing = [k for k in info.get("missing_keys", ()) if k.startswith(HEAD_PREFIX)]
    if missing:  # transformers initialised the head at random: a generator or a bare encoder
        return Discriminator(error=NoDiscriminator(lm.id, "no_head", f"missing {missing[0]}"))
    return wrap(model, lm)


def wrap(model: PreTrainedModel, lm: LoadedModel) -> Discriminator:
    """`model` with `lm.model` in place of its own encoder."""
    setattr(model, model.base_model_prefix, lm.model)  # one encoder: the one every page captures
    return Discriminator(model=model.eval())


def discriminator(lm: LoadedModel) -> PreTrainedModel:
    """The discriminator wrapped around `lm.model` (loaded once per loaded model); NoDiscriminator if none."""
    with _heads_lock:
        found = _heads.get(lm)
    if found is None:
        if not families.family_spec(lm.config).replaced_token_detection:
            found = Discriminator(error=NoDiscriminator(lm.id, "family", f"a {lm.family} model"))
        else:
            source, code = discriminator_source(lm.id)
            found = Discriminator(error=NoDiscriminator(lm.id, code)) if source is None else None
            found = found or load_discriminator(source or "", lm)
        with _heads_lock:
            found = _heads.setdefault(lm, found)
    if found.model is None:
        assert found.error is not None
        raise found.error
    return found.model


def input_ids(lm: LoadedModel, text_or_ids: str | list[int]) -> list[int]:
    """The ids of a string (special tokens added) or a list of ids as given; ReplacedTokenError when there are
    more than lm.max_tokens, none, or one outside the vocabulary."""
    if isinstance(text_or_ids, str):
        ids = list(lm.tokenizer(text_or_ids)["input_ids"])
    else:
        ids = [int(i) for i in text_or_ids]
    if len(ids) > lm.max_tokens:
        raise ReplacedTokenError(f"{len(ids)} tokens is more than {lm.id} takes ({lm.max_tokens}).", "too_long")
    if not ids or min(ids) < 0 or max(ids) >= lm.config.vocab_size:
        raise ReplacedTokenError(f"Give token ids between 0 and {lm.config.vocab_size - 1}.", "bad_ids")
    return ids


def replaced_token_scores(lm: LoadedModel, text_or_ids: str | list[int]) -> ReplacedTokenScores:
    """For a string, or a list of token ids with [CLS]/[SEP] as the model expects them, the discriminator's
    probability per token that it was replaced (sigmoid of its logit). NoDiscriminator for models without one,
    ReplacedTokenError for input it cannot score."""
    import torch

    model = discriminator(lm)
    ids = input_ids(lm, text_or_ids)
    with lm.lock, torch.no_grad():  # the encoder is shared with every page's hooks
        logits: torch.Tensor = model(input_ids=torch.tensor([ids])).logits[0]
    return ReplacedTokenScores(
        ids=ids,
        tokens=cast("list[str]", lm.tokenizer.convert_ids_to_tokens(ids)),
        probs=torch.sigmoid(logits).tolist(),
        logits=logits.tolist(),
    )
