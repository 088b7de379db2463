"""Lesson presets written for the project: each opens a page with the right settings."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Lesson:
    key: str  # i18n keys lesson_<key>_title / lesson_<key>_text
    page: str  # app.nav page name
    state: dict = field(default_factory=dict)  # session-state values (also the URL query)


CHINESE_MODELS = ("bert-base-chinese", "bert-base-multilingual-cased")
CHINESE_TEXT = "我爱自然语言处理。"


def _chinese_lesson() -> Lesson:
    """On a Chinese-capable model when one is at hand (models folder or hub cache); otherwise the
    honest lesson: the bundled English vocabulary turns these characters into [UNK]."""
    from bertviz_core.models import fetch

    model = fetch.first_available(list(CHINESE_MODELS))
    if model is not None:
        return Lesson("chinese", "attention", {"model": model, "layer": 0, "head": "mean", "text": CHINESE_TEXT})
    return Lesson(
        "chinese_unk", "attention", {"model": "bert-minilm-l6", "layer": 0, "head": "mean", "text": CHINESE_TEXT}
    )


LESSONS = (
    Lesson(
        "coref",
        "attention",
        {
            "model": "bert-minilm-l6",
            "layer": 3,
            "head": "1",
            "text": "The animal didn't cross the street because it was too tired.",
        },
    ),
    Lesson(
        "coref2",
        "attention",
        {
            "model": "bert-minilm-l6",
            "layer": 3,
            "head": "1",
            "text": "The animal didn't cross the street because it was too wide.",
        },
    ),
    Lesson(
        "pair",
        "attention",
        {
            "model": "bert-minilm-l6",
            "layer": 5,
            "head": "mean",
            "text": "The cat sat on the mat.",
            "text_b": "It was very comfortable there.",
        },
    ),
    Lesson(
        "local",
        "convolution",
        {
            "model": "convbert-minilm-l6",
            "layer": 1,
            "text": "In the beginning of the long winter the villagers gathered wood, stored grain "
            "and repaired the roofs of their small houses before the first snow fell on "
            "the quiet valley.",
        },
    ),
    Lesson(
        "compare",
        "compare",
        {
            "model_a": "bert-minilm-l6",
            "model_b": "convbert-minilm-l6",
            "layer": 1,
            "head": "8",
            "text": "The keys to the old cabinet are on the kitchen table.",
        },
    ),
    _chinese_lesson(),
    Lesson("positions", "positions", {"model": "bert-minilm-l6", "text": "The cat sat on the mat."}),
    Lesson(
        "deberta",
        "deberta",
        {
            "model": "deberta-minilm-l6",
            "layer": 0,
            "head": "2",
            "text": "The animal didn't cross the street because it was too tired.",
        },
    ),
    Lesson(
        "blanks",
        "pretraining",
        {
            "model": "bert-minilm-l6-mlm",
            "mask_text": "He went to the bank to [MASK] some money.",
            "layer": 3,
            "text": "He went to the bank to get some money.",
        },
    ),
    Lesson("small", "compress", {"text": "The keys to the old cabinet are on the kitchen table."}),
    Lesson(
        "steps",
        "step_by_step",
        {
            "model": "bert-minilm-l6",
            "layer": 3,
            "head": "1",
            "query": 10,
            "text": "The animal didn't cross the street because it was too tired.",
        },
    ),
)


def on_screen(session: dict, page_name: str) -> Lesson | None:
    """The lesson a teacher opened from /lessons, while its page shows its sentence (the sidebar then
    keeps its explanation in view); None once the sentence or the page is another."""
    key = session.get("lesson_active")
    lesson = next((ls for ls in LESSONS if ls.key == key), None)
    if lesson is None or lesson.page != page_name:
        return None
    return lesson if session.get("text") == lesson.state.get("text") else None
