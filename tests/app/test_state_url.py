"""The URL query parameters of app/state/url.py: each value parser, parse_url, how a bad value is shown,
the model-dependent range checks at their edges, and sync_url (a one-line Streamlit script)."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from app import state
from app.state import url


# ---------------------------------------------------------------- URL value parsers
@pytest.mark.parametrize("raw,value", [(" 7 ", 7), ("+3", 3), ("-0", 0), ("123456789", 123456789), ("-12", -12)])
def test_int_param_accepts(raw, value):
    assert url.int_param(raw) == value


@pytest.mark.parametrize("raw", ["1234567890", "1 2", "--1", "", " ", "7a"])
def test_int_param_refuses(raw):
    with pytest.raises(ValueError):
        url.int_param(raw)


def test_flag_and_choice_params():
    for raw in ("1", "true", " TRUE ", "yes", "On"):
        assert url.flag_param(raw) is True, raw
    for raw in ("0", "false", "No", " off", ""):
        assert url.flag_param(raw) is False, raw
    with pytest.raises(ValueError):
        url.flag_param("maybe")
    parse = url.choice_param("fixed", "auto")
    assert parse(" auto ") == "auto"
    with pytest.raises(ValueError):
        parse("Auto")
    assert url.str_param(5) == "5"


def test_url_values_through_parse_url():
    values, notes = state.parse_url(
        {
            "hide_special": ["YES"],
            "big": ["0"],
            "lang": ["zh"],
            "compare_method": ["alti"],
            "model": ["m"],
            "query": [" 4 "],
        }
    )
    assert (
        values == {"hide_special": True, "big": False, "lang": "zh", "compare_method": "alti", "model": "m", "query": 4}
        and notes == []
    )
    values, notes = state.parse_url({"head": ["x" * 50]})
    assert values == {} and notes == [("head", "hard_url_bad", {"param": "head", "value": "x" * 40 + "…"})]


def test_shown_value_cuts_at_40_and_escapes():
    assert state.shown_value("a" * 40) == "a" * 40
    assert state.shown_value("a" * 41) == "a" * 40 + "…"
    assert state.shown_value("*x*", limit=2) == "\\*x…"
    assert state.shown_value(12) == "12"


# ---------------------------------------------------------------- range checks against the model
def test_checked_values_refuse_booleans_and_text():
    assert state.checked_layer(True, 6) == (0, {"value": "True", "last": 5, "shown": 0})
    assert state.checked_layer("4", 6) == (4, None)
    assert state.checked_layer(4.0, 6)[1] is not None  # not an integer string
    assert state.checked_query("x", 10) == (1, {"value": "x", "last": 9, "shown": 1})
    assert state.checked_query("x", 1, default=3) == (0, {"value": "x", "last": 0, "shown": 0})
    assert state.checked_query(3, 10) == (3, None) and state.checked_query(0, 10) == (0, None)
    assert state.checked_layer(0, 0) == (0, None)  # a model reporting no layers still gets layer 0
    assert state.checked_head(None, 12) == ("mean", None)
    assert state.checked_head("zz", 12) == ("mean", {"value": "zz", "shown": "mean"})
    assert state.checked_head("3", 12) == ("3", None) and state.checked_head("H11", 12) == ("11", None)


def test_checked_values_at_their_edges():
    assert state.checked_query(4, 5) == (4, None)  # the last token is in range: no note
    assert state.checked_query(5, 5) == (4, {"value": 5, "last": 4, "shown": 4})
    assert state.checked_head("mean", 12, default="0") == ("mean", None)  # a page with a mean keeps it
    assert state.checked_head("mean", 12, mean=False, default="0") == ("0", None)
    head, note = state.checked_head("c0", 12)  # no conv heads unless the page says so
    assert head == "mean" and note is not None and note["shown"] == "mean"
    assert state.checked_head("c0", 12, n_conv=1) == ("c0", None)


# ---------------------------------------------------------------- writing the URL
def _sync_page():
    import streamlit as st

    from app import state as s

    st.session_state.update(text="Hi", text_b="", layer=0, head=None, hide_special=False, big=True)
    s.sync_url("text", "text_b", "layer", "head", "hide_special", "big")


def test_sync_url_leaves_out_empty_values_and_writes_flags_as_1():
    at = AppTest.from_function(_sync_page, default_timeout=60)
    at.run()
    assert not at.exception
    assert {k: at.query_params[k] for k in at.query_params} == {"text": "Hi", "layer": "0", "big": "1"}


def _sync_page_in_chinese():
    import streamlit as st

    from app import state as s

    st.session_state.update(text="Hi", lang="zh")
    s.sync_url("text")
    st.write(s.with_language({"model": "m"}))


def test_links_keep_the_language_they_were_made_in():
    at = AppTest.from_function(_sync_page_in_chinese, default_timeout=60)
    at.run()
    assert not at.exception
    assert {k: at.query_params[k] for k in at.query_params} == {"text": "Hi", "lang": "zh"}
    assert json.loads(at.json[0].value) == {"model": "m", "lang": "zh"}


def test_lesson_links_carry_the_language():
    from apptest_util import open_page

    at = open_page("lessons", lang="zh")
    assert not at.exception
    links = [c.value for c in at.code]
    assert links and all("lang=zh" in link for link in links)
    english = open_page("lessons")
    assert not any("lang=" in c.value for c in english.code)
