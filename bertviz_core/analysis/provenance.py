"""How the in-house students were made, and what that means for comparing them with their teacher."""

from __future__ import annotations

# How the in-house students were made (bertviz_core.models.student, bertviz_core.training.distill). What a
# comparison with the teacher can and cannot show follows from it.
PROVENANCE = {
    "convbert": (
        "Distilled from {teacher} with attention transfer (as in TinyBERT): its attention heads H0-H5 "
        "started as copies of {teacher}'s heads H0-H5 (query, key and value) and were trained to "
        "reproduce their attention (a KL loss); its conv heads' values started from heads H6-H11. "
        "So H0-H5 matching {teacher}'s H0-H5 is the training target, not a finding."
    ),
    "convbert-free": (
        "Distilled from {teacher} on hidden states and the pooled output only: no attention loss, "
        "and its attention heads' query and key were NOT copied (random start; value copied from "
        "{teacher}'s heads H0-H5, conv values from H6-H11). What its attention heads attend to, "
        "they learned by themselves."
    ),
    "distilbert3": (
        "A 3-layer DistilBERT initialised from {teacher}'s layers 0, 3 and 5 (every weight copied) and trained on "
        "hidden states: its heads start as exact copies of those layers' heads, so matches to them are "
        "inherited, not found."
    ),
    "distilbert2": (
        "A 2-layer DistilBERT initialised from {teacher}'s layers 0 and 5 (every weight copied) and trained on hidden "
        "states: its heads start as exact copies of those layers' heads, so matches to them are inherited, not found."
    ),
    "distilbert4": (
        "A 4-layer DistilBERT initialised from {teacher}'s layers 0, 2, 3 and 5 (every weight copied) and trained on "
        "hidden states: its heads start as exact copies of those layers' heads, so matches to them are inherited, "
        "not found."
    ),
    "tinybert4": (
        "TinyBERT-4's shape (4 layers, hidden 312) distilled from {teacher} layer to layer (as in TinyBERT): student "
        "layers 1-4 were trained to reproduce {teacher}'s layers 2, 3, 5 and 6 (hidden states through a learned "
        "projection, and attention scores head by head), then its pooled output. Its layers started random, so where "
        "its head Hk matches {teacher}'s Hk of the mapped layer, the attention loss put it there: a training target, "
        "not a finding."
    ),
    "deberta": (
        "A DeBERTa-v2 distilled from {teacher} on outputs only (hidden states and the mean-pooled output; no "
        "attention loss). Its query, key and value projections started as {teacher}'s, but its scores add two "
        "relative-position terms (c2p, p2c) that BERT does not have, and it has no absolute position embedding: "
        "where its heads match {teacher}'s, the copied projections may be why; where they differ, position moved them."
    ),
    "mlm": (
        "{teacher} itself, retrained with masked-word prediction (continued pretraining with an MLM head; the "
        "embeddings frozen and read from {teacher}). Not distilled (no loss towards {teacher}'s outputs or "
        "attention), but every weight started as {teacher}'s, so its heads are {teacher}'s heads as far as the new "
        "training moved them (per-head JS in its model card's attention_movement.json)."
    ),
    "electra": (
        "An ELECTRA discriminator started from {teacher} (every encoder weight copied; word embeddings frozen) and "
        "trained with replaced-token detection: a masked-word model (bert-minilm-l6-mlm) replaced some words and it "
        "learned to tell which. Its heads are {teacher}'s heads as far as that training moved them; its head "
        "(replaced or original, per token) is new."
    ),
}


def provenance(model_id: str) -> tuple[str, str] | None:
    """(student kind, teacher id) for an in-house student (see PROVENANCE), else None."""
    from bertviz_core.models import student

    for kind, student_id in student.REGISTRY_IDS.items():
        if model_id == student_id:
            return kind, "bert-minilm-l6"
    return None


def comparison_provenance(model_a: str, model_b: str) -> list[dict]:
    """For each in-house student among A and B: {"side", "model", "kind", "teacher", "relation"} with
    relation "teacher" (the other model is its teacher), "sibling" (another student of the same
    teacher), "same" or "other"."""
    out = []
    for side, model, other in (("A", model_a, model_b), ("B", model_b, model_a)):
        p = provenance(model)
        if p is None:
            continue
        kind, teacher = p
        other_p = provenance(other)
        relation = (
            "same"
            if other == model
            else "teacher"
            if other == teacher
            else "sibling"
            if other_p and other_p[1] == teacher
            else "other"
        )
        out.append({"side": side, "model": model, "kind": kind, "teacher": teacher, "relation": relation})
    return out
