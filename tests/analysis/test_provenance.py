"""How the in-house students relate to their teacher and each other (bertviz_core.analysis.provenance)."""

from __future__ import annotations

from bertviz_core.analysis import provenance


def test_comparison_provenance_relations():
    teacher, student, free = "bert-minilm-l6", "convbert-minilm-l6", "convbert-minilm-l6-free"
    assert provenance.comparison_provenance(teacher, "some/other-model") == []
    assert provenance.comparison_provenance(student, teacher) == [
        {"side": "A", "model": student, "kind": "convbert", "teacher": teacher, "relation": "teacher"}
    ]
    assert provenance.comparison_provenance(teacher, free) == [
        {"side": "B", "model": free, "kind": "convbert-free", "teacher": teacher, "relation": "teacher"}
    ]
    both = provenance.comparison_provenance(student, free)
    assert [(r["side"], r["relation"]) for r in both] == [("A", "sibling"), ("B", "sibling")]
    assert [r["relation"] for r in provenance.comparison_provenance(student, student)] == ["same", "same"]
    assert [r["relation"] for r in provenance.comparison_provenance(student, "someone/model")] == ["other"]


def test_every_shipped_student_kind_says_how_it_was_made():
    from bertviz_core.models import student

    assert set(student.REGISTRY_IDS) <= set(provenance.PROVENANCE)
    assert provenance.provenance("deberta-minilm-l6") == ("deberta", "bert-minilm-l6")


def test_the_mlm_model_beside_bert_is_said_retrained_from_it_not_distilled():
    (row,) = provenance.comparison_provenance("bert-minilm-l6-mlm", "bert-minilm-l6")[:1]
    assert (row["kind"], row["teacher"], row["relation"]) == ("mlm", "bert-minilm-l6", "teacher")
    assert "Not distilled" in provenance.PROVENANCE["mlm"]
