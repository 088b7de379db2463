"""Next-sentence prediction (BERT's second pretraining task): how likely sentence B is to follow sentence A.

    r = bc.next_sentence(m, "I went to the store.", "I bought milk.")
    r.probability   # P(B is the next sentence), 0..1

The head has transformers' `BertForNextSentencePrediction` layout: the pooler (`bert.pooler.dense`, then tanh) on
the last hidden state of the first token ([CLS]), then `cls.seq_relationship`, a Linear(hidden, 2) whose logit 0
means "B follows A" (IsNext) and logit 1 "B is a random sentence" (transformers' label convention). The encoder
is `lm.model` itself (the one every page captures, a compressed variant's too); only the head is added.

Where the head comes from (`nsp_status`, once per loaded model):
- a checkpoint with its own head (its config names a `*ForNextSentencePrediction` or `*ForPreTraining`
  architecture, e.g. hub `bert-base-uncased`): its pooler and `cls.seq_relationship`, loaded once;
- the bundled `bert-minilm-l6` (and its variants, `bert-minilm-l6@int8`, ...): a head trained here on its frozen
  encoder (bertviz_core.training.nsp; the checkpoint's own pooler is untrained: its bias is all zeros and its
  weights look like a fresh random draw), stored as BUNDLED_HEADS[id] with a JSON card beside it (data, pairs,
  held-out accuracy);
- anything else: `NextSentenceError` with code "no_head" (and the reason in the message).
"""

from __future__ import annotations

import json
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bertviz_core.models.loading import LoadedModel
from bertviz_core.models.mlm import has_student_head, mlm_source
from bertviz_core.tracing import capture as cap

if TYPE_CHECKING:
    import torch
    from transformers import PretrainedConfig

DATA_DIR = Path(__file__).resolve().parents[1] / "data"  # package data: bertviz_core/data
BUNDLED_HEADS = {"bert-minilm-l6": DATA_DIR / "nsp-bert-minilm-l6.safetensors"}  # model id -> head trained here
HEAD_KEYS = (  # names in a BertForNextSentencePrediction state dict
    "bert.pooler.dense.weight",
    "bert.pooler.dense.bias",
    "cls.seq_relationship.weight",
    "cls.seq_relationship.bias",
)
IS_NEXT = 0  # index of the "B follows A" logit (transformers: label 0 = continuation, 1 = random)
CODES = ("no_head", "no_a", "no_b")
NSP_ARCHITECTURES = ("ForNextSentencePrediction", "ForPreTraining")


class NextSentenceError(ValueError):
    """Next-sentence prediction cannot run; the message is for the user. `code`: one of CODES ("no_head": the
    model has no next-sentence head; "no_a" / "no_b": sentence A or B is empty)."""

    def __init__(self, message: str, code: str) -> None:
        assert code in CODES, code
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, eq=False)
class NspHead:
    """The pooler and the two-way classifier of BertForNextSentencePrediction, as tensors."""

    pooler_weight: torch.Tensor  # [H, H]
    pooler_bias: torch.Tensor  # [H]
    weight: torch.Tensor  # [2, H]
    bias: torch.Tensor  # [2]

    def logits(self, first_states: torch.Tensor) -> torch.Tensor:
        """[N, 2] logits (IsNext, random) from the last hidden states of the first token, [N, H]."""
        import torch

        x = first_states.to(self.weight.dtype)
        pooled = torch.tanh(x @ self.pooler_weight.T + self.pooler_bias)
        return pooled @ self.weight.T + self.bias

    def probability(self, first_states: torch.Tensor) -> torch.Tensor:
        """[N]: the probability that B follows A (softmax of the logits, IsNext)."""
        return self.logits(first_states).softmax(-1)[:, IS_NEXT]

    def state_dict(self) -> dict[str, torch.Tensor]:
        """The tensors under BertForNextSentencePrediction's names (HEAD_KEYS)."""
        tensors = (self.pooler_weight, self.pooler_bias, self.weight, self.bias)
        return {k: t.detach().contiguous() for k, t in zip(HEAD_KEYS, tensors)}

    @classmethod
    def from_state_dict(cls, tensors: dict[str, torch.Tensor]) -> NspHead:
        """From a state dict holding HEAD_KEYS (float32); KeyError names a missing key."""
        return cls(*(tensors[k].float() for k in HEAD_KEYS))


@dataclass(frozen=True)
class NspStatus:
    """The NSP head of a loaded model, or why there is none. `source`: "checkpoint" or "bundled"; `card`: the
    bundled head's card (what it was trained on, its held-out accuracy); `error`: why loading failed."""

    head: NspHead | None = None
    source: str = ""
    card: dict[str, Any] | None = None
    error: str = ""

    def message(self, label: str) -> str:
        """Why `label` has no head, as an English sentence ("" when it has one)."""
        if self.head is not None:
            return ""
        if self.error:
            return f"{label}: its next-sentence head could not be loaded ({self.error})."
        return f"{label} has no next-sentence-prediction head, so it cannot say whether B follows A."


@dataclass(frozen=True)
class NextSentence:
    """The answer of `next_sentence`: `probability` that B follows A, which model and head said so, and how many
    tokens were cut off when the pair was longer than the model takes (`dropped`)."""

    probability: float
    model: str  # the loaded model's id
    label: str
    source: str  # "checkpoint" (the model's own head) or "bundled" (trained here, see the card)
    dropped: int = 0


_status: weakref.WeakKeyDictionary[LoadedModel, NspStatus] = weakref.WeakKeyDictionary()
_status_lock = threading.Lock()


def bundled_head_file(model_id: str) -> Path | None:
    """The head trained here for `model_id` (or the model it is a variant of), None if there is none."""
    return BUNDLED_HEADS.get(model_id.split("@", 1)[0])


def load_head_file(path: Path) -> tuple[NspHead, dict[str, Any]]:
    """A head stored by bertviz_core.training.nsp, and its card (the .json beside it; {} when missing)."""
    from safetensors.torch import load_file

    card_path = path.with_suffix(".json")
    card = json.loads(card_path.read_text(encoding="utf-8")) if card_path.is_file() else {}
    return NspHead.from_state_dict(load_file(str(path))), card


def has_nsp_architecture(config: PretrainedConfig) -> bool | None:
    """True/False when the config names its architectures (one with an NSP head among them or not); None when it
    names none (then only loading tells)."""
    architectures = getattr(config, "architectures", None) or []
    if not architectures:
        return None
    return any(a.endswith(NSP_ARCHITECTURES) for a in architectures)


def checkpoint_head(source: str | Path) -> NspStatus:
    """The pooler and seq_relationship of the checkpoint at `source` (offline, no remote code), or why not."""
    from transformers import AutoModelForNextSentencePrediction

    local = isinstance(source, Path)
    try:
        model, info = AutoModelForNextSentencePrediction.from_pretrained(
            source,
            trust_remote_code=False,
            local_files_only=True,
            use_safetensors=True if local else None,
            output_loading_info=True,
        )
    except Exception as exc:  # noqa: BLE001 - any failure (no NSP class for the family, not cached...) is the message
        return NspStatus(error=cap_error(exc))
    missing = [k for k in info.get("missing_keys", ()) if "pooler" in k or "seq_relationship" in k]
    base = getattr(model, model.base_model_prefix, None)
    pooler = getattr(base, "pooler", None)
    relation = getattr(getattr(model, "cls", None), "seq_relationship", None)
    if missing or pooler is None or relation is None or not hasattr(pooler, "dense"):
        return NspStatus(error=f"missing {missing[0]}" if missing else "")
    tensors = (pooler.dense.weight, pooler.dense.bias, relation.weight, relation.bias)
    return NspStatus(head=NspHead(*(t.detach().float().clone() for t in tensors)), source="checkpoint")


def cap_error(exc: Exception, limit: int = 200) -> str:
    """An exception as one short line."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[:limit] + "…"


def find_head(lm: LoadedModel) -> NspStatus:
    """Where the NSP head of `lm` comes from (see the module); not cached (nsp_status is)."""
    bundled = bundled_head_file(lm.id)
    if bundled is not None:
        if not bundled.is_file():
            return NspStatus(error=f"its head file {bundled.name} is missing from the package")
        head, card = load_head_file(bundled)
        return NspStatus(head=head, source="bundled", card=card)
    source, _reason = mlm_source(lm.id)  # the same checkpoint lookup as the MLM head's
    if source is None or (isinstance(source, Path) and has_student_head(source)):
        return NspStatus()  # bundled students and in-house students: no NSP head
    if has_nsp_architecture(lm.config) is False:
        return NspStatus()
    return checkpoint_head(source)


def nsp_status(lm: LoadedModel) -> NspStatus:
    """The NSP head of `lm` or why there is none; computed once per loaded model (and dropped with it)."""
    with _status_lock:
        if lm in _status:
            return _status[lm]
    status = find_head(lm)
    with _status_lock:
        return _status.setdefault(lm, status)


def first_token_states(lm: LoadedModel, text_a: str, text_b: str) -> tuple[torch.Tensor, int]:
    """([1, H] last hidden state of the first token of the pair, tokens dropped to fit the model)."""
    import torch

    enc, dropped = cap.tokenize(lm, text_a, text_b)
    enc.pop("offset_mapping", None)
    with lm.lock, torch.no_grad():  # no hooks of another user's capture may see this pass
        out = lm.model(**enc)
    return out.last_hidden_state[:, 0], dropped


def next_sentence(lm: LoadedModel, text_a: str, text_b: str) -> NextSentence:
    """The probability that `text_b` is the sentence after `text_a`, from the model's NSP head (see the module).

    Raises NextSentenceError: code "no_a" / "no_b" for an empty sentence, "no_head" for a model without a head.
    A pair longer than the model takes is cut (the longer sentence first); `dropped` says by how much."""
    if not (text_a or "").strip():
        raise NextSentenceError("Sentence A is empty: type the first sentence.", "no_a")
    if not (text_b or "").strip():
        raise NextSentenceError("Sentence B is empty: type the sentence that might follow A.", "no_b")
    status = nsp_status(lm)
    if status.head is None:
        raise NextSentenceError(status.message(lm.label), "no_head")
    states, dropped = first_token_states(lm, text_a, text_b)
    probability = float(status.head.probability(states.float())[0])
    return NextSentence(probability, lm.id, lm.label, status.source, dropped)
