"""Translation table completeness, both languages on every page, and URL round trips."""

from __future__ import annotations

import re

import pytest
from apptest_util import charts, open_page
from conftest import ROOT

from app import i18n, nav
from app.lessons import LESSONS

PAGES = [name for name in nav.PAGES if nav.exists(name)]


def test_every_key_has_both_languages_and_same_placeholders():
    for key, entry in i18n.TEXT.items():
        assert set(entry) == set(i18n.LANGUAGES), key
        for lang, text in entry.items():
            assert text.strip(), (key, lang)
        placeholders = {lang: sorted(re.findall(r"{(\w+)", text)) for lang, text in entry.items()}
        assert placeholders["en"] == placeholders["zh"], key


def test_every_key_used_in_code_exists():
    used = set()
    for path in list((ROOT / "pages").glob("*.py")) + list((ROOT / "app").glob("*.py")):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_]+)["']\s*[,)]""", path.read_text()))
    missing = used - set(i18n.TEXT)
    assert not missing, missing
    from bertviz_core.analysis.metrics import METRICS

    assert all(f"metric_{m}" in i18n.TEXT for m in METRICS)
    for lesson in LESSONS:
        assert f"lesson_{lesson.key}_title" in i18n.TEXT and f"lesson_{lesson.key}_text" in i18n.TEXT
    for name in PAGES:
        assert nav.PAGES[name][0] in i18n.TEXT
        if name != "home":
            assert f"home_{name}" in i18n.TEXT


def test_pages_have_no_hard_coded_titles():
    for path in (ROOT / "pages").glob("*.py"):
        text = path.read_text()
        for call in re.findall(r"st\.(?:title|header|subheader|button|info|warning|error)\(\s*([\"'f])", text):
            pytest.fail(f"{path.name}: literal text in a UI call")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_in_chinese(page):
    at = open_page(page, lang="zh", text="The cat sat on the mat.")
    assert not at.exception
    title = at.title[0].value
    assert re.search(r"[\u4e00-\u9fff]", title), title


def _params(at) -> dict:
    return {k: (v[0] if isinstance(v, list) else v) for k, v in dict(at.query_params).items()}


@pytest.mark.parametrize(
    "page, query",
    [
        (
            "attention",
            {
                "model": "bert-minilm-l6",
                "text": "The cat sat.",
                "text_b": "It purred.",
                "layer": "4",
                "head": "7",
                "scale": "fixed",
                "hide_special": "1",
            },
        ),
        (
            "compare",
            {
                "model_a": "bert-minilm-l6",
                "model_b": "convbert-minilm-l6",
                "text": "The cat sat.",
                "layer": "2",
                "head": "9",
            },
        ),
        ("convolution", {"model": "convbert-minilm-l6", "text": "The cat sat on the mat.", "layer": "3"}),
        (
            "step_by_step",
            {
                "model": "convbert-minilm-l6",
                "text": "The cat sat on the mat.",
                "layer": "1",
                "head": "c2",
                "query": "3",
            },
        ),
    ],
)
def test_url_opens_the_view(page, query):
    """Opening a view's URL reproduces it: the layer drawn is the URL's, and reopening gives the same figures."""
    at = open_page(page, **query)
    assert not at.exception
    assert at.session_state["layer"] == int(query["layer"])
    first = [spec["data"][0].get("z") for spec in charts(at)]
    assert first
    again = open_page(page, **_params(at))
    assert [spec["data"][0].get("z") for spec in charts(again)] == first


@pytest.mark.parametrize(
    "page, base",
    [
        ("attention", {"model": "bert-minilm-l6"}),
        ("compare", {"model_a": "bert-minilm-l6", "model_b": "convbert-minilm-l6"}),
        ("convolution", {"model": "convbert-minilm-l6"}),
        ("step_by_step", {"model": "bert-minilm-l6"}),
    ],
)
def test_changed_widgets_are_written_to_the_url(page, base):
    """The page writes what the user changes into the URL (state.sync_url), and that URL reopens it."""
    at = open_page(page, text="The cat sat on the mat.", **base)
    assert not at.exception
    at.slider(key="layer").set_value(3).run()
    assert not at.exception
    assert _params(at)["layer"] == "3"
    at.text_input(key="text").input("A dog barked at the mailman.").run()
    assert not at.exception
    params = _params(at)
    assert params["layer"] == "3" and params["text"] == "A dog barked at the mailman."
    for key, value in base.items():
        assert params[key] == value
    reopened = open_page(page, **params)
    assert reopened.session_state["layer"] == 3
    assert reopened.session_state["text"] == "A dog barked at the mailman."


def test_attention_head_and_toggles_reach_the_url():
    at = open_page("attention", model="bert-minilm-l6", text="The cat sat.")
    assert "hide_special" not in _params(at)
    at.selectbox(key="head").set_value("7").run()
    at.toggle(key="hide_special").set_value(True).run()
    at.text_input(key="text_b").input("It purred.").run()
    assert not at.exception
    params = _params(at)
    assert params["head"] == "7" and params["hide_special"] == "1" and params["text_b"] == "It purred."
    at.toggle(key="hide_special").set_value(False).run()
    assert "hide_special" not in _params(at)  # off is the default: left out of the link


def test_lessons_open_their_views():
    at = open_page("lessons")
    assert not at.exception
    for lesson in LESSONS:
        assert at.button(key=f"open_{lesson.key}")
    at.button(key="open_coref").click().run()
    assert not at.exception
    assert at.session_state["layer"] == 3 and at.session_state["head"] == "1"
    assert "Layer 3, Head 1" in charts(at)[0]["layout"]["title"]["text"]


def test_an_opened_lesson_keeps_its_explanation_in_the_sidebar_until_the_sentence_changes():
    def lesson_text_shown(at):
        return any("0.68 to 0.28" in m.value for m in at.sidebar.markdown)

    def rerun_attention(at, text):  # AppTest forgets a switch_page on the next run: stay on /attention
        at.session_state["text"] = text
        at.switch_page("../pages/attention.py")
        at.run()
        assert not at.exception and at.text_input(key="text").value == text
        return at

    at = open_page("lessons")
    assert not lesson_text_shown(at)
    at.button(key="open_coref2").click().run()
    assert not at.exception
    sidebar = " ".join(m.value for m in at.sidebar.markdown)
    assert "Change one word" in sidebar and "0.68 to 0.28" in sidebar  # the lesson's own title and text
    assert not lesson_text_shown(rerun_attention(at, "A different sentence."))  # gone with its sentence
    assert lesson_text_shown(rerun_attention(at, "The animal didn't cross the street because it was too wide."))
    at.button(key="lesson_hide").click()
    at.switch_page("../pages/attention.py")
    at.run()
    assert not lesson_text_shown(at) and not at.exception
