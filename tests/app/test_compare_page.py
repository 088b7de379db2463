"""/compare in the app (AppTest): its tabs with the special-token switch and click-to-picture, and the
many-sentence tab's messages, sampling and downloads (the comparison itself: tests/analysis/test_research.py)."""

from __future__ import annotations

import numpy as np
from apptest_util import charts, decode, open_page, texts

import bertviz_core as bc
from bertviz_core.analysis import metrics, stats


def test_compare_tabs_with_switches_and_click_to_picture():
    sentence = "The keys to the old cabinet are on the kitchen table."
    at = open_page("compare", model_a="bert-minilm-l6", model_b="convbert-minilm-l6", text=sentence)
    assert not at.exception
    assert any("attention transfer" in w.value and "training target" in w.value for w in at.warning)

    at.session_state["compare_tab"] = "Head metrics"
    at.toggle(key="compare_exclude").set_value(True).run()
    assert not at.exception
    metric_box = at.selectbox(key="one_metric")
    assert "cls" not in metric_box.options and "sep" not in metric_box.options  # undefined once excluded
    metric_box.set_value("local").run()
    b = bc.capture(bc.load_model("convbert-minilm-l6"), sentence)
    local_b = decode(charts(at)[1]["data"][0]["z"])
    np.testing.assert_allclose(local_b, metrics.trace_metrics(b, exclude_special=True)["local"], atol=1e-5)
    np.testing.assert_allclose(local_b[:, b.n_heads :], 1.0, atol=1e-5)  # conv heads on their kernels
    assert "Uniform-attention baseline" in texts(at) and "log 9" in texts(at)
    marks = charts(at)[1]["data"][1]  # the click targets over B's cells
    assert len(marks["customdata"]) == b.n_layers * 12

    at.session_state["compare_tab"] = "Matching heads"
    at.run()
    assert not at.exception
    assert len(at.dataframe) == 3  # A -> B, B -> A, one-to-one
    assert "Conv heads enter head matching" in texts(at)  # B is a ConvBERT
    at.toggle(key="one_same_layer").set_value(True).run()
    assert not at.exception
    one_to_one = at.dataframe[2].value
    assert all(a.split()[0] == p.split()[0] for a, p in zip(one_to_one.iloc[:, 0], one_to_one.iloc[:, 1]))
    # open B's head of the picked pair in /attention
    at.selectbox(key="one_pair_a").set_value(7).run()  # A L0 H7
    at.selectbox(key="one_pair_b").set_value(7).run()  # B L0 C1
    next(x for x in at.button if x.key == "one_open_pair_b").click().run()
    assert not at.exception
    assert (at.session_state["model"], at.session_state["layer"], at.session_state["head"]) == (
        "convbert-minilm-l6",
        0,
        "c1",
    )
    assert at.session_state["text"] == sentence
    assert at.title[0].value != "Compare two models"  # now on /attention


def test_compare_many_sentences_messages_sampling_and_downloads():
    at = open_page("compare", text="A short sentence.")
    at.session_state["compare_tab"] = "Over many sentences"
    at.run()
    assert not at.exception
    run = lambda: next(b for b in at.button if b.label.startswith("Compare over")).click().run()
    run()  # empty box: says so, and never blames a file
    assert "The box is empty" in texts(at) and "Could not use this file" not in texts(at)
    at.radio(key="many_source").set_value("file").run()
    run()  # "the uploaded file" chosen, none kept (e.g. refused by the uploader): not "Type a sentence above"
    assert "No file is loaded" in texts(at) and "Type a sentence above" not in texts(at)

    at.radio(key="many_source").set_value("box").run()
    next(b for b in at.button if b.label == "Load the example set").click().run()
    at.selectbox(key="many_method").set_value("stratified").run()
    at.number_input(key="many_max").set_value(6).run()
    run()
    assert not at.exception
    notice = texts(at)
    assert "Used 6 of 30 sentences" in notice and "stratified by length" in notice and "24 were dropped" in notice
    result = at.session_state["many_summary"]["result"]
    lengths = result["lengths_a"]
    assert len(set(stats.length_strata(lengths))) >= 3  # several length bands, not the first six lines
    # traces of the many sentences did not go into the shared trace cache
    from app import state

    assert not any(key[1] in result["sentences"] for key in state.caches.traces)
    assert any(c.proto.language == "python" and "compare_many" in c.value for c in at.code)
    assert {b.label for b in at.get("download_button")} >= {"CSV", "Download NPZ (per sentence)"}
    # open the picked head on the sentence where its value is lowest
    low = next(b for b in at.button if b.key == "many_open_research_open_low")
    low.click().run()
    assert not at.exception
    assert at.session_state["text"] in result["sentences"] and at.session_state["model"] == "bert-minilm-l6"


def test_compare_page_opens_a_variant():
    at = open_page("compare", model_a="bert-minilm-l6", model_b="bert-minilm-l6@int8", text="The cat sat.")
    assert not at.exception
    assert charts(at)


def test_a_links_tab_parameter_opens_head_matching_and_a_bad_one_is_refused_with_a_note():
    at = open_page(
        "compare", model_a="bert-minilm-l6", model_b="distilbert-minilm-l3", text="The cat sat.", tab="matching"
    )
    assert not at.exception
    assert at.session_state["compare_tab"] == "Matching heads"
    assert len(at.dataframe) == 3  # the matching tab ran: A -> B, B -> A, one-to-one
    assert "Conv heads" not in texts(at)  # no ConvBERT here: its caption stays away
    at = open_page("compare", text="The cat sat.", tab="everything")
    assert not at.exception
    assert at.session_state["compare_tab"] == "Head by head"  # the first tab, as without the parameter
    assert any("tab" in w.value and "everything" in w.value for w in at.warning)
