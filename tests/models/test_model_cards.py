"""Every model we ship has a model card that states its held-out quality with an interval, filled in."""

from __future__ import annotations

import re

import pytest

from bertviz_core.analysis import students
from bertviz_core.models.registry import WEIGHTS_DIR

SHIPPED = sorted(p.name for p in WEIGHTS_DIR.iterdir() if (p / "config.json").is_file())


def card(model_id: str) -> str:
    return (WEIGHTS_DIR / model_id / "MODEL_CARD.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("model_id", SHIPPED)
def test_every_shipped_model_has_a_card_with_an_interval_and_no_blanks(model_id):
    text = card(model_id)
    assert text.startswith(f"# {model_id}"), "the card names its model first"
    assert re.search(r"interval", text, flags=re.IGNORECASE), "held-out quality is stated with its interval"
    assert not re.search(r"\bnan\b", text), "a figure the card was written without shows as nan"
    assert not re.search(r"^\?|\s\?\s", text, flags=re.MULTILINE), "an unknown count shows as ?"


MEASURED = (students.results() or {}).get("students", {})


@pytest.mark.parametrize("model_id", [m for m in MEASURED if m in SHIPPED])
def test_a_students_card_states_the_cosine_bench_students_measured(model_id):
    row, text = MEASURED[model_id], card(model_id)
    assert f"**{row['cosine']:.4f}**" in text, "the card's held-out cosine is bench_students' figure, in bold"
    assert re.search(rf"{row['low']:.4f}\W+{row['high']:.4f}", text), "and its interval, low then high"
