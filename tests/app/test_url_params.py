"""URL parameters on every page: one reader (app.state.parse_url), ranges checked against the model
(app.state.checked_*), and one-layer models (a slider whose min equals its max cannot be drawn)."""

from __future__ import annotations

import pytest
from apptest_util import charts, open_page

from app import i18n, nav, state

GOOD = "The cat sat on the mat."
LAYER_PAGES = ("attention", "convolution", "compare", "step_by_step")


def fragment(key: str, lang: str = "en") -> str:
    return i18n.TEXT[key][lang].split("{")[0].strip()


def shown(at) -> str:
    return "\n".join(str(e.value) for kind in ("warning", "info", "error", "caption", "markdown") for e in at.get(kind))


# ---------------------------------------------------------------- the pure parts
def test_parse_url_rules():
    values, notes = state.parse_url(
        {
            "layer": ["-1", "5"],
            "head": ["zz"],
            "query": ["3"],
            "lang": ["fr"],
            "big": ["1"],
            "scale": ["fixed"],
            "hide_special": ["maybe"],
            "text": ["<b>x</b>"],
            "unknown": ["x"],
        }
    )
    assert values == {"layer": -1, "query": 3, "big": True, "scale": "fixed", "text": "<b>x</b>"}
    assert [(k, m) for k, m, _ in notes] == [
        ("layer", "hard_url_repeated"),
        ("head", "hard_url_bad"),
        ("hide_special", "hard_url_bad"),
        ("lang", "hard_url_bad"),
    ]
    assert notes[0][2]["value"] == "\\-1" and notes[0][2]["n"] == 2  # first value, markdown-escaped


def test_method_choices_are_the_library_registry():
    """/compare takes every method of bertviz_core.analysis.contributions.METHODS, /contributions every one
    but raw attention (always on its left); a name the registry lacks is refused."""
    from bertviz_core.analysis import contributions as C

    for name in C.METHODS:
        assert state.parse_url({"compare_method": [name]}) == ({"compare_method": name}, [])
        contrib = state.parse_url({"contrib_method": [name]})[0]
        assert contrib == ({} if name == "attention" else {"contrib_method": name})
    assert list(state.COMPARE_METHODS) == list(C.METHODS) and "attention" not in state.CONTRIB_METHODS
    for key in ("compare_method", "contrib_method"):
        assert [m for _, m, _ in state.parse_url({key: ["softmax"]})[1]] == ["hard_url_bad"]


@pytest.mark.parametrize("raw,expected", [("3", "3"), ("H3", "3"), ("c1", "c1"), ("C1", "c1"), ("mean", "mean")])
def test_head_param_normalised(raw, expected):
    assert state.parse_url({"head": [raw]})[0] == {"head": expected}


@pytest.mark.parametrize("raw", ["1.5", "1e3", "0x10", "١", "", "999999999999", "1_0"])
def test_int_params_refused(raw):
    values, notes = state.parse_url({"layer": [raw], "query": [raw]})
    assert values == {} and [m for _, m, _ in notes] == ["hard_url_bad", "hard_url_bad"]


def test_checked_ranges():
    assert state.checked_layer(-1, 6) == (0, {"value": -1, "last": 5, "shown": 0})
    assert state.checked_layer(99, 6) == (5, {"value": 99, "last": 5, "shown": 5})
    assert state.checked_layer(5, 6) == (5, None) and state.checked_layer(0, 1) == (0, None)
    assert state.checked_layer(-1, 1)[0] == 0 and state.checked_layer(3, 1)[0] == 0
    assert state.checked_layer("abc", 6)[0] == 0
    assert state.checked_query(-5, 10) == (0, {"value": -5, "last": 9, "shown": 0})
    assert state.checked_query(None, 10) == (1, None) and state.checked_query(None, 1) == (0, None)
    assert state.checked_query(10, 10)[0] == 9
    assert state.checked_head("c1", 6, 6) == ("c1", None)
    assert state.checked_head("c1", 12, 0)[0] == "mean"
    assert state.checked_head("12", 12, 0, mean=False, default="0") == ("0", {"value": "H12", "shown": "0"})
    assert state.checked_head("mean", 12, 0, mean=False, default="0") == ("0", None)  # quiet fallback


def test_md_escape_breaks_every_autolink():
    import re

    for hostile in [
        "http://evil.example/m",
        "HTTPS://evil.example",
        "www.evil.example",
        "WWW.evil.example",
        "[x](http://evil.example)",
        "mail me: a@evil.example",
        "<http://evil.example>",
    ]:
        out = state.md_escape(hostile)
        plain = out.replace("\\", "")
        # GFM autolink literals (remark-gfm): scheme://, www., e-mail: none may survive the escaping
        assert not re.search(r"https?://|www\.|[\w.+-]@[\w-]+\.", plain, re.IGNORECASE), out
        assert plain.replace("\u2060", "") == hostile  # only invisible joiners were added


# ---------------------------------------------------------------- every page, hostile values
HOSTILE_URLS = {
    "negative-repeated": {"layer": ["-1", "3"], "head": "zz", "query": "-5"},
    "too-large": {"layer": "99", "head": "c99", "query": "99999"},
}


@pytest.mark.parametrize("page", [p for p in nav.PAGES if nav.exists(p)])
@pytest.mark.parametrize("case", list(HOSTILE_URLS))
def test_every_page_survives_bad_view_parameters(page, case):
    at = open_page(page, text=GOOD, **HOSTILE_URLS[case])
    assert not at.exception, at.exception
    body = shown(at)
    if case == "negative-repeated":
        assert fragment("hard_url_repeated") in body, body  # the first value is used, and the page says so
        assert fragment("hard_url_bad") in body  # head=zz
    if page in LAYER_PAGES:
        assert fragment("hard_layer_range") in body, body
        assert charts(at)
    if page == "step_by_step":
        assert fragment("hard_query_range") in body
        assert fragment("hard_head_missing") in body or case == "negative-repeated"
        assert at.session_state["layer"] == (0 if case == "negative-repeated" else 5)
        assert at.session_state["query"] == 0 if case == "negative-repeated" else at.session_state["query"] > 0
    if page == "attention" and case == "too-large":
        assert fragment("hard_head_missing") in body
        assert at.session_state["head"] == "mean" and at.session_state["layer"] == 5


def test_layer_clamp_survives_a_page_change():
    """/model-view?layer=-1, then another page: the stored -1 is checked there too."""
    at = open_page("model_view", text=GOOD, layer="-1")
    assert not at.exception
    at.switch_page("../pages/convolution.py")
    at.run()
    assert not at.exception, at.exception
    assert fragment("hard_layer_range") in shown(at)
    assert at.session_state["layer"] == 0


# ---------------------------------------------------------------- one-layer models
@pytest.fixture(scope="module")
def one_layer_models(models_root):
    import torch
    from conftest import tiny_config
    from transformers import AutoModel, AutoTokenizer

    from bertviz_core.models import student

    tokenizer = AutoTokenizer.from_pretrained(student.teacher_path())
    for family in ("bert", "convbert"):
        folder = models_root / f"tiny1-{family}"
        if not folder.exists():
            config = tiny_config(family)
            config.num_hidden_layers = 1
            torch.manual_seed(0)
            AutoModel.from_config(config).save_pretrained(folder)
            tokenizer.save_pretrained(folder)
    return models_root


@pytest.mark.parametrize(
    "page,query",
    [
        ("step_by_step", {"model": "tiny1-bert"}),
        ("step_by_step", {"model": "tiny1-convbert", "head": "c1"}),
        ("convolution", {"model": "tiny1-convbert"}),
        ("compare", {"model_a": "tiny1-bert", "model_b": "tiny1-convbert"}),
        ("compare", {"model_a": "bert-minilm-l6", "model_b": "tiny1-convbert"}),
        ("attention", {"model": "tiny1-convbert", "head": "c0"}),
    ],
)
def test_one_layer_models(one_layer_models, page, query):
    at = open_page(page, text=GOOD, layer="-1", **query)
    assert not at.exception, at.exception
    assert charts(at)
    body = shown(at)
    assert fragment("hard_one_layer") in body and fragment("hard_layer_range") in body
    assert not at.get("slider") or all(s.label != i18n.TEXT["layer"]["en"] for s in at.get("slider"))
    assert at.session_state["layer"] == 0


def test_every_load_refusal_has_a_message_in_both_languages():
    from bertviz_core.models import loading

    for reason in loading.REASONS:
        entry = i18n.TEXT[f"hard_load_{reason}"]
        assert entry["en"] and entry["zh"] and entry["en"] != entry["zh"]


def test_load_error_text_cuts_and_relativises():
    import bertviz_core as bc
    from bertviz_core.models import loading

    exc = bc.ModelLoadError("x", "load_failed", "m", f"{loading.models_dir()}/m/config.json is broken")
    text = state.load_error_text("z" * 10_000, exc)
    assert text.count("z" * 80) == 1 and "z" * 81 not in text  # cut to 80 characters, printed once
    assert str(loading.models_dir()) not in text and "m/config.json" in text.replace("\\", "")
