"""The distilled students of the bundled BERT, the compression chapter's depth curve and TinyBERT.

- DistilBERT students of 2, 3 and 4 layers at the teacher's width (kinds "distilbert2/3/4",
  registry ids `distilbert-minilm-l2/l3/l4`): where quality falls as layers go.
- TinyBERT-4 (`tinybert-minilm-l4`, kind "tinybert4"): narrower and shallower, distilled layer to layer.

`shipped()` lists the ones whose weights are in the package and whose registry entry exists (a student still in
training is simply absent); `layer_map` is the teacher layer each student layer learned from; `transfer_losses`
measures TinyBERT's own losses per mapped layer on held-out sentences, and `pooled_quality` the held-out cosine
of a student's sentence embedding to the teacher's (through W_h for TinyBERT: its width is not the teacher's).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from bertviz_core.analysis import stats
from bertviz_core.models import registry, student, tinybert
from bertviz_core.models.pooling import pooled_cosines

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedTokenizerBase

TEACHER_ID = "bert-minilm-l6"
DEPTH_KINDS = ("distilbert2", "distilbert3", "distilbert4")  # the depth curve: 2, 3, 4 layers at width 384
KINDS = (*DEPTH_KINDS, tinybert.KIND)  # every distilled student, in the order /compress lists them
TINYBERT_ID = student.REGISTRY_IDS[tinybert.KIND]  # "tinybert-minilm-l4"


def folder(model_id: str) -> Path:
    return registry.WEIGHTS_DIR / model_id


def shipped() -> list[str]:
    """Registry ids of the distilled students that can be opened now (weights shipped and registered), in KINDS
    order."""
    ids = [student.REGISTRY_IDS[k] for k in KINDS if k in student.REGISTRY_IDS]
    return [i for i in ids if student.is_student_folder(folder(i)) and registry.entry(i) is not None]


def kind_of(model_id: str) -> str | None:
    """The student kind of a distilled student's id, None for any other model."""
    return next((k for k in KINDS if student.REGISTRY_IDS.get(k) == model_id), None)


def n_layers(kind: str) -> int:
    return tinybert.LAYERS if kind == tinybert.KIND else len(student.DISTIL_LAYERS[kind])


def layer_map(kind: str) -> list[int]:
    """Teacher layer (0-based) that each student layer learned from (and, for DistilBERT, started as)."""
    return [student.teacher_layer_of(kind, i) for i in range(n_layers(kind))]


def comparable(model_id: str) -> Any:
    """The module whose last hidden state is compared with the teacher's: the student itself, or for TinyBERT the
    student followed by its learned W_h (tinybert.Projected)."""
    model = student.load_student(folder(model_id))
    if kind_of(model_id) == tinybert.KIND:
        return tinybert.Projected(model, tinybert.load_projections(folder(model_id)))
    return model


def pooled_quality(
    model: torch.nn.Module, teacher: torch.nn.Module, tokenizer: PreTrainedTokenizerBase, sentences: list[str]
) -> dict[str, float]:
    """Mean cosine of mean-pooled sentence embeddings to the teacher's, with its 95% t-interval over sentences."""
    iv = stats.mean_interval(pooled_cosines(model, teacher, tokenizer, sentences))
    return {
        "cosine": round(float(iv.mean), 4),
        "low": round(float(iv.low), 4),
        "high": round(float(iv.high), 4),
        "n": int(iv.n),
    }


def transfer_losses(
    model: torch.nn.Module,
    projections: tinybert.Projections,
    teacher: torch.nn.Module,
    tokenizer: PreTrainedTokenizerBase,
    sentences: list[str],
    batch: int = 32,
) -> dict[str, Any]:
    """TinyBERT's stage-1 losses of a trained tinybert4 student on `sentences`, per mapped layer: the embedding MSE
    through W_e, and for student layer m against teacher layer LAYER_MAP[m] the hidden-state MSE through W_h and the
    attention-score MSE (scores before the softmax, over real query-key pairs). Each is a mean over every element
    of every sentence (batches weighted by their element counts), so a number does not depend on `batch`."""
    import torch

    totals: dict[str, list[float]] = {}  # name -> [sum of squared errors, number of elements]

    def add(name: str, diff: torch.Tensor, weight: torch.Tensor) -> None:
        total = totals.setdefault(name, [0.0, 0.0])
        total[0] += float((diff**2 * weight).sum())
        total[1] += float(weight.sum())

    with torch.no_grad():
        for i in range(0, len(sentences), batch):
            enc = tokenizer(
                sentences[i : i + batch], padding=True, truncation=True, max_length=128, return_tensors="pt"
            )
            inputs = {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]}
            s = model(**inputs, output_hidden_states=True)
            t = teacher(**inputs, output_hidden_states=True)
            mask = enc["attention_mask"].float()
            tokens = mask[:, :, None].expand_as(t.hidden_states[0])
            pairs = mask[:, None, :, None] * mask[:, None, None, :]  # real query-key pairs, every head
            add("embedding", projections.embeddings(s.hidden_states[0]) - t.hidden_states[0], tokens)
            for m, g in enumerate(tinybert.LAYER_MAP):
                add(f"hidden{m}", projections.hidden(s.hidden_states[m + 1]) - t.hidden_states[g + 1], tokens)
                scores = tinybert.attention_scores(model, s.hidden_states, m)
                target = tinybert.attention_scores(teacher, t.hidden_states, g)
                add(f"attention{m}", scores - target, pairs.expand_as(target))

    def mean(name: str) -> float:
        return round(totals[name][0] / totals[name][1], 5)

    return {
        "embedding": mean("embedding"),
        "layers": [
            {"student": m, "teacher": g, "hidden": mean(f"hidden{m}"), "attention": mean(f"attention{m}")}
            for m, g in enumerate(tinybert.LAYER_MAP)
        ],
        "sentences": len(sentences),
    }


RESULTS_FILE = Path(__file__).resolve().parents[1] / "data" / "students_results.json"  # bench/bench_students.py


def results() -> dict[str, Any] | None:
    """The numbers bench/bench_students.py measured (bertviz_core/data/students_results.json), None before it ran."""
    import json

    return json.loads(RESULTS_FILE.read_text()) if RESULTS_FILE.is_file() else None


def depth_points(res: dict[str, Any]) -> list[dict[str, Any]]:
    """The depth curve's points from a results dict (students.results()): each measured DistilBERT student's
    layers, cosine and interval and speeds, then the teacher at its own depth (cosine 1); [] when none was
    measured."""
    shipped_ids = set(shipped())
    points = [
        _point(s, s["cosine"], s["low"], s["high"])
        for sid, s in res.get("students", {}).items()
        if s.get("kind") in DEPTH_KINDS and sid in shipped_ids
    ]
    return [*points, _point(res["teacher"], 1.0, 1.0, 1.0)] if points else []


def _point(numbers: dict[str, Any], cosine: float, low: float, high: float) -> dict[str, Any]:
    speeds = {k: numbers.get(k, "—") for k in ("ms16", "ms128")}
    return {"layers": numbers["layers"], "cosine": cosine, "low": low, "high": high, **speeds}
