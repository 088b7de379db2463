"""The masked-language-model head of a loaded model, when its checkpoint has one (fill-mask, masked-word attribution).

`mlm_model(lm)` loads the checkpoint's `AutoModelForMaskedLM` once per loaded model and puts `lm.model`
inside it in place of its own copy of the encoder (same checkpoint, so the same weights): one encoder in
memory, and the head runs on exactly the weights every page captures (a compressed variant's too). It
returns None when there is no head; `mlm_status(lm)` says why (REASONS, and a message for the library's errors).

The head counts as present only when none of its weights had to be newly initialised (a plain encoder
checkpoint loads with a random head: that is refused). The bundled models and the in-house students have
no MLM head, except a student of a kind with one (`student.HEAD_KINDS`: "mlm", `bert-minilm-l6-mlm`), bundled or
in the models folder: its head comes from `student.load_student` and wraps `lm.model` the same way.

`guesser(lm)` is the model that guesses masked words for `lm`: `lm` itself when it has a head; else the bundled
masked-word model (`GUESSER_ID`, bert-minilm-l6 retrained with MLM) when `lm` reads the same vocabulary (the same
token ids mean the same pieces, so it can guess at `lm`'s positions); else None. The pages say which model guessed.
"""

from __future__ import annotations

import json
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bertviz_core.models import registry, student
from bertviz_core.models.loading import LoadedModel, load_model, models_dir

if TYPE_CHECKING:
    from transformers import PretrainedConfig, PreTrainedModel

REASONS = ("bundled", "student", "no_head")  # why a model has no usable MLM head
GUESSER_ID = student.REGISTRY_IDS["mlm"]  # guesses for the models without a head that share its vocabulary


@dataclass(frozen=True)
class MlmStatus:
    """The MLM of a loaded model, or why there is none: `reason` one of REASONS; for "no_head", `missing` (a
    head weight the checkpoint lacks) or `error` (why loading failed) when known."""

    model: PreTrainedModel | None = None
    reason: str | None = None
    missing: str = ""
    error: str = ""

    def message(self, label: str) -> str:
        """The reason as an English sentence about the model called `label` ("" when the head is there)."""
        if self.model is not None:
            return ""
        if self.error:
            return f"{label}: its masked-language-model head could not be loaded ({self.error})."
        if self.missing:
            return f"{label} has no trained masked-language-model head (missing {self.missing})."
        return f"{label} has no masked-language-model head, so it cannot predict a masked word."


_status: weakref.WeakKeyDictionary[LoadedModel, MlmStatus] = weakref.WeakKeyDictionary()
_status_lock = threading.Lock()


def mlm_source(model_id: str) -> tuple[str | Path | None, str]:
    """Where the checkpoint of `model_id` lives (a registry location, a folder of the models folder or a hub
    id), or (None, reason) for models without a head: "bundled", "student". A variant (<id>@int8) looks in
    its original's checkpoint. A student folder with a head (HEAD_KINDS) is its own source."""
    base = model_id.split("@", 1)[0]
    entry = registry.entry(base)
    if entry is not None and entry.source == "bundled":
        bundled = registry.WEIGHTS_DIR / entry.id
        return (bundled, "") if has_student_head(bundled) else (None, "bundled")
    if entry is not None:
        return entry.location, ""
    folder = (models_dir() / base).resolve()
    if folder.is_dir() and (folder == models_dir() or models_dir() in folder.parents):
        if student.is_student_folder(folder):
            return (folder, "") if has_student_head(folder) else (None, "student")
        return folder, ""
    return base, ""


def has_student_head(folder: Path) -> bool:
    """Whether `folder` holds an in-house student of a kind with an MLM head (student.HEAD_KINDS)."""
    return student.is_student_folder(folder) and student.student_kind(folder) in student.HEAD_KINDS


def has_mlm_architecture(config: PretrainedConfig) -> bool | None:
    """True/False when the config names its architectures (an MLM or pre-training class among them or not);
    None when it names none (then only loading tells)."""
    architectures = getattr(config, "architectures", None) or []
    if not architectures:
        return None
    return any(a.endswith(("ForMaskedLM", "ForPreTraining")) for a in architectures)


def load_mlm(source: str | Path, lm: LoadedModel) -> MlmStatus:
    """Load the MLM of the checkpoint at `source` (offline, no remote code) around `lm.model`."""
    from transformers import AutoModelForMaskedLM

    if has_mlm_architecture(lm.config) is False:
        return MlmStatus(reason="no_head")
    local = isinstance(source, Path)
    if isinstance(source, Path) and has_student_head(source):  # a compact student: no checkpoint transformers can read
        try:
            return wrap(student.load_student(source), lm)
        except Exception as exc:  # noqa: BLE001 - a broken folder is the message, as below
            return MlmStatus(reason="no_head", error=str(exc))
    try:
        mlm, info = AutoModelForMaskedLM.from_pretrained(
            source,
            attn_implementation="eager",
            trust_remote_code=False,
            local_files_only=True,
            use_safetensors=True if local else None,
            output_loading_info=True,
        )
    except Exception as exc:  # noqa: BLE001 - any failure (no MLM class, weights not cached...) is the message
        return MlmStatus(reason="no_head", error=str(exc))
    prefix = mlm.base_model_prefix
    head_missing = [k for k in info.get("missing_keys", ()) if not k.startswith(prefix + ".")]
    if head_missing:
        return MlmStatus(reason="no_head", missing=head_missing[0])
    return wrap(mlm, lm)


def wrap(mlm: PreTrainedModel, lm: LoadedModel) -> MlmStatus:
    """`mlm` with `lm.model` in place of its own encoder."""
    prefix = mlm.base_model_prefix
    if not hasattr(mlm, prefix):
        return MlmStatus(reason="no_head")
    setattr(mlm, prefix, lm.model)  # one encoder: the one every page captures (and any variant of it)
    return MlmStatus(model=mlm.eval())


def mlm_status(lm: LoadedModel) -> MlmStatus:
    """The MLM of `lm` or why there is none; computed once per loaded model (and dropped with it)."""
    with _status_lock:
        if lm in _status:
            return _status[lm]
    source, reason = mlm_source(lm.id)
    status = MlmStatus(reason=reason) if source is None else load_mlm(source, lm)
    with _status_lock:
        return _status.setdefault(lm, status)


def mlm_model(lm: LoadedModel) -> PreTrainedModel | None:
    """The checkpoint's masked-LM model wrapped around `lm.model`, or None if it has no MLM head."""
    return mlm_status(lm).model


def no_mlm_reason(lm: LoadedModel) -> str | None:
    """'bundled', 'student' or 'no_head' when fill-mask is unavailable; None when it works."""
    return mlm_status(lm).reason


_guessers: weakref.WeakKeyDictionary[LoadedModel, LoadedModel | None] = weakref.WeakKeyDictionary()


def same_vocabulary(a: LoadedModel, b: LoadedModel) -> bool:
    """Whether token id i is the same piece for both tokenizers (and both have the same mask token)."""
    ta, tb = a.tokenizer, b.tokenizer
    return len(ta) == len(tb) and ta.mask_token_id == tb.mask_token_id and ta.get_vocab() == tb.get_vocab()


def guesser(lm: LoadedModel) -> LoadedModel | None:
    """The model whose MLM head guesses masked words for `lm` (see the module): `lm`, the bundled GUESSER_ID, or
    None (no head, and a vocabulary of its own). Decided once per loaded model."""
    with _status_lock:
        if lm in _guessers:
            return _guessers[lm]
    found: LoadedModel | None = lm
    if mlm_model(lm) is None:
        found = None
        if lm.id.split("@", 1)[0] != GUESSER_ID and (registry.WEIGHTS_DIR / GUESSER_ID).is_dir():
            fallback = load_model(GUESSER_ID)
            if mlm_model(fallback) is not None and same_vocabulary(lm, fallback):
                found = fallback
    with _status_lock:
        return _guessers.setdefault(lm, found)


def guesser_origin() -> str | None:
    """The model GUESSER_ID was retrained from (its bertviz_base.json "base": bert-minilm-l6), or None."""
    folder = registry.WEIGHTS_DIR / GUESSER_ID
    if not student.is_student_folder(folder):
        return None
    return str(json.loads((folder / student.BASE_FILE).read_text()).get("base") or "") or None
