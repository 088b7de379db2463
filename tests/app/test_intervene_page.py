"""The /intervene page (AppTest): the layers x heads grid that picks the heads to switch off (one cell = one head;
a whole layer, one head across layers, clear; the selection in the link and back), the ablation's outcome and the
fill-mask note, and masking with a local masked-LM checkpoint (conftest's mlm_folder).
The same grid in Chromium: tests/e2e/test_intervene_e2e.py; the interventions themselves:
tests/analysis/test_interventions.py."""

from __future__ import annotations

import re

import pytest
from apptest_util import charts, decode, open_page, texts
from streamlit.testing.v1 import AppTest

from app import i18n, state
from app.state import url

SENTENCE = "The cat sat on the mat."


def ablated(at) -> list[str]:
    """The heads the outcome switched off, as its chart marks them (one ✕ per entry of Outcome.ablated)."""
    specs = charts(at)
    if not specs:  # nothing chosen: no outcome
        return []
    (spec,) = specs
    return [f"{a['y']} {a['x']}" for a in spec["layout"].get("annotations", []) if a["text"] == "✕"]


def grid(at):
    (editor,) = at.data_editor
    return editor


def ticked(at) -> list[str]:
    """The cells of the grid as the page draws them (its base, before cell edits)."""
    frame = grid(at).value
    return [f"{row} {col}" for row in frame.index for col in frame.columns if frame.at[row, col]]


def edit(at, cells: dict[int, dict[str, bool]]):
    """What the browser sends when cells are clicked: the editor's edit state (rows by position)."""
    at.session_state[grid(at).key] = {"edited_rows": cells, "added_rows": [], "deleted_rows": []}
    return at.run()


def helper(at, label_key: str):
    (box,) = [s for s in at.selectbox if s.label == i18n.TEXT[label_key]["en"]]
    return box


def link(at) -> dict:
    return {k: (v[0] if isinstance(v, list) else v) for k, v in dict(at.query_params).items()}


@pytest.mark.parametrize("cell, row, col", [("L3 H1", 3, "H1"), ("L3 H10", 3, "H10"), ("L0 H11", 0, "H11")])
def test_one_cell_switches_off_exactly_that_head(cell, row, col):
    """Issue #30: typing 'L3 H1' in the old multiselect took 'Select 3 matches' (H1, H10, H11)."""
    at = open_page("intervene", model="bert-minilm-l6", text=SENTENCE)
    assert not at.exception
    assert grid(at).editing_mode == "fixed" and list(grid(at).value.columns) == [f"H{h}" for h in range(12)]
    assert list(grid(at).value.index) == [f"L{layer}" for layer in range(6)] and ticked(at) == []
    edit(at, {row: {col: True}})
    assert not at.exception
    assert ablated(at) == [cell]
    shown = texts(at)
    assert "**1 head off:** " + f":red-badge[{cell}]" in shown and not re.search(r"\d heads off", shown)
    assert link(at)["heads"] == cell.replace(" ", "")


def test_two_cells_and_the_outcome():
    at = open_page("intervene", model="bert-minilm-l6", text=SENTENCE)
    assert "no masked-language-model head" in texts(at)
    edit(at, {0: {"H3": True}, 1: {"H2": True}})
    assert not at.exception
    assert ablated(at) == ["L0 H3", "L1 H2"] and "2 heads off" in texts(at)
    assert 0.9 < float(at.metric[0].value) < 1.0
    (spec,) = charts(at)
    js = decode(spec["data"][0]["z"])
    assert js.shape == (6, 12) and js[0].max() < 1e-9 and js[2:].max() > 1e-4  # layer 0 is upstream of the gates
    edit(at, {0: {"H3": True}, 1: {"H2": False}})  # unticking a cell switches that head back on
    assert ablated(at) == ["L0 H3"] and link(at)["heads"] == "L0H3"


@pytest.mark.parametrize("value", ["L3H1", "l3 h1", "L3H1,L3H1"])
def test_a_link_with_one_head_opens_with_exactly_that_head_off(value):
    at = open_page("intervene", model="bert-minilm-l6", text=SENTENCE, heads=value)
    assert not at.exception
    assert ticked(at) == ["L3 H1"] and ablated(at) == ["L3 H1"] and "1 head off" in texts(at)
    assert link(at)["heads"] == "L3H1"  # written back in one form
    again = open_page("intervene", **link(at))
    assert ablated(again) == ["L3 H1"]


def test_convbert_conv_heads_are_columns_after_the_attention_heads():
    at = open_page("intervene", model="convbert-minilm-l6", text=SENTENCE, heads="L2C1 L2H9")
    assert not at.exception
    assert list(grid(at).value.columns) == [f"H{h}" for h in range(6)] + [f"C{c}" for c in range(6)]
    assert ablated(at) == ["L2 C1"]  # the conv head is kept; the model has no attention head 9
    assert "Left out, as this model does not have them: L2 H9." in texts(at)
    edit(at, {4: {"C0": True}})
    assert ablated(at) == ["L2 C1", "L4 C0"] and link(at)["heads"] == "L2C1 L4C0"


def test_whole_layer_one_head_across_layers_and_clear():
    at = open_page("intervene", model="bert-minilm-l6", text=SENTENCE)
    edit(at, {0: {"H3": True}})  # a ticked cell survives the helpers
    helper(at, "iv_layer_all").set_value(2).run()
    assert not at.exception
    assert ablated(at) == ["L0 H3"] + [f"L2 H{h}" for h in range(12)]
    assert ticked(at) == ablated(at) and helper(at, "iv_layer_all").value is None  # the box empties again
    assert "13 heads off" in texts(at) and ":red-badge[L2: all 12]" in texts(at)
    helper(at, "iv_head_all").set_value("H5").run()
    assert not at.exception
    expected = ["L0 H3", "L0 H5", "L1 H5"] + [f"L2 H{h}" for h in range(12)] + ["L3 H5", "L4 H5", "L5 H5"]
    assert ablated(at) == expected and "18 heads off" in texts(at)
    (clear,) = at.button
    clear.click().run()
    assert not at.exception
    assert ticked(at) == [] and not charts(at) and "heads" not in link(at)
    assert "No head is switched off." in texts(at) and at.button[0].disabled
    edit(at, {5: {"H0": True}})  # the fresh grid works like the first one
    assert ablated(at) == ["L5 H0"]


def test_bad_heads_in_a_link_are_refused_with_a_note():
    at = open_page("intervene", model="bert-minilm-l6", text=SENTENCE, heads="L3H1 zz")
    assert not at.exception
    assert "The link's value for 'heads' cannot be used (L3H1 zz)" in texts(at)
    assert ticked(at) == [] and not charts(at)
    at = open_page("intervene", model="bert-minilm-l6", text=SENTENCE, heads="L9H0 L3H12 L1H0")
    assert ablated(at) == ["L1 H0"] and "L3 H12, L9 H0" in texts(at)


def test_heads_parameter_rules():
    assert url.heads_param("L3H1") == "L3H1"
    assert url.heads_param(" l3 h1 ; L0C2,L3H1 ") == "L0C2 L3H1"
    assert url.heads_param("L3H1L4H10") == "L3H1 L4H10" and url.heads_param("") == ""
    for bad in ("zz", "L3", "H1", "3", "L3 mean", "L-1H1", "L3H1x", "L3H"):
        with pytest.raises(ValueError):
            url.heads_param(bad)
    assert url.checked_heads("L3H1 L9H0 L0C2", 6, 12) == (["L3 H1"], ["L0 C2", "L9 H0"])
    assert url.checked_heads("L0C2", 6, 6, 6) == (["L0 C2"], []) and url.checked_heads(None, 6, 12) == ([], [])
    assert url.heads_value(["L3 H1", "L0 C2"]) == "L0C2 L3H1"
    assert url.parse_url({"heads": ["L3 H1"]}) == ({"heads": "L3H1"}, [])


def _preselecting_page():
    from app import intervene_view, state

    lm, trace = state.trace_or_stop("bert-minilm-l6", "The cat sat on the mat.")
    intervene_view.section(lm, trace, heads=["L3 H1", "L9 H0"])  # e.g. tiles clicked on /model-view


def test_the_heads_argument_preselects_the_grid():
    at = AppTest.from_function(_preselecting_page, default_timeout=120).run()
    assert not at.exception
    assert ticked(at) == ["L3 H1"] and ablated(at) == ["L3 H1"]
    edit(at, {3: {"H1": False}, 4: {"H0": True}})  # the preselection is a start, not a lock
    assert ablated(at) == ["L4 H0"]


def test_chinese_texts():
    at = open_page("intervene", model="bert-minilm-l6", text=SENTENCE, heads="L3H1", lang="zh")
    assert not at.exception
    assert "关闭了 1 个头" in texts(at) and "要消融（关闭）的头" in texts(at)
    assert ablated(at) == ["L3 H1"]


def test_intervene_page_masking_with_a_local_mlm(mlm_folder):
    at = open_page("intervene", model="tiny-bert-mlm", text=SENTENCE)
    assert not at.exception
    at.button_group[0].set_value([3]).run()
    assert not at.exception
    tables = [table for table in at.dataframe if table.editing_mode == "read_only"]  # not the head grid
    assert len(tables) == 1 and len(tables[0].value) == 5
    assert "Token 3" in texts(at)


def test_bundled_bert_masks_are_guessed_by_the_mlm_model_and_the_page_says_so():
    at = open_page("intervene", model="bert-minilm-l6", text=SENTENCE, heads="L5H3")
    assert not at.exception
    assert "masked tokens are guessed by" in texts(at) and "bert-minilm-l6-mlm" in texts(at)  # before any mask
    at.button_group[0].set_value([6]).run()  # "mat"
    assert not at.exception
    tables = [table for table in at.dataframe if table.editing_mode == "read_only"]  # not the head grid
    assert len(tables) == 1 and len(tables[0].value) == 5
    assert tables[0].value.shape[1] == 3  # beside the guesses: their probability without the ablation
    assert i18n.TEXT["iv_fill_by"]["en"].format(guesser="bert-minilm-l6-mlm") in texts(at)
    same_heads = i18n.TEXT["iv_fill_guesser_ablated"]["en"].format(
        model=state.md_escape("bert-minilm-l6"), guesser="bert-minilm-l6-mlm"
    )
    assert same_heads in texts(at)


def test_the_guessing_model_is_named_in_chinese_too():
    at = open_page("intervene", model="bert-minilm-l6", text=SENTENCE, lang="zh")
    assert not at.exception
    note = i18n.TEXT["iv_fill_guesser"]["zh"].format(
        model=state.md_escape("bert-minilm-l6"), guesser="bert-minilm-l6-mlm", origin="bert-minilm-l6"
    )
    assert note in texts(at)
