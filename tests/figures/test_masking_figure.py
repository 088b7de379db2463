"""The masking strategies drawn on tokens (bertviz_core.figures.masking): rows, hidden cells, escaping, and the
recovery bars read from a results dict written by hand."""

from __future__ import annotations

import json

import pytest

from bertviz_core.analysis import masking
from bertviz_core.figures import masking as fm

TOKENS = ["[CLS]", "the", "big", "dog", "saw", "new", "york", "[SEP]"]


def test_rows_mark_each_token_with_the_number_of_its_hidden_span():
    rows = fm.masking_rows(TOKENS, {"token": [[4]], "phrase": [[5, 6], [1, 2, 3]]}, columns=range(1, 7))
    assert rows == [
        ("token", [("the", None), ("big", None), ("dog", None), ("saw", 0), ("new", None), ("york", None)]),
        ("phrase", [("the", 0), ("big", 0), ("dog", 0), ("saw", None), ("new", 1), ("york", 1)]),
    ]


def test_rows_from_a_strategy_mask_use_its_chosen_spans_only():
    tags = ["DET", "ADJ", "NOUN", "VERB", "PROPN", "PROPN"]
    km = masking.mask_sentence(TOKENS, [None, 0, 1, 2, 3, 4, 5, None], tags=tags, seed=0)
    chosen = set(km.entity.hidden)
    assert chosen == {5, 6}  # one entity: new york
    [(name, cells)] = fm.masking_rows(TOKENS, {"entity": km.entity}, columns=km.content)
    assert name == "entity"
    assert [t for t, k in cells if k is not None] == ["new", "york"]
    # the phrase draw covers 15% of 6 pieces (0.9) with its first phrase: one of the two is hidden, not both
    [(_, cells)] = fm.masking_rows(TOKENS, {"phrase": km.phrase}, columns=km.content)
    assert [t for t, k in cells if k is not None] in (["the", "big", "dog"], ["new", "york"])


def test_figure_has_a_row_per_strategy_with_hidden_spans_in_alternating_shades():
    fig = fm.masking_figure(
        TOKENS,
        {"token": [[4]], "phrase": [[1, 2, 3], [5, 6]]},
        {"token": "BERT: token", "phrase": "ERNIE: phrase"},
        columns=range(1, 7),
        title="Masking",
    )
    heat = fig.data[0]
    assert list(heat.y) == ["BERT: token", "ERNIE: phrase"]
    assert [list(r) for r in heat.z] == [[0, 0, 0, 1, 0, 0], [1, 1, 1, 0, 2, 2]]
    assert [list(r) for r in heat.text][1] == ["the", "big", "dog", "saw", "new", "york"]
    assert fig.layout.title.text == "Masking"
    json.loads(fig.to_json())  # serialisable


def test_figure_escapes_tokens_and_labels():
    fig = fm.masking_figure(["<b>x</b>", "y"], {"a": [[0]]}, {"a": "<i>row</i>"})
    assert fig.data[0].text[0][0] == "&lt;b&gt;x&lt;/b&gt;"
    assert fig.data[0].y[0] == "&lt;i&gt;row&lt;/i&gt;"
    assert "<b>" not in fig.data[0].customdata[0][0]


RESULT = {
    "strategies": {
        "token": {
            "spans": 200,
            "exact": {"rate": 0.25, "ci95": [0.2, 0.31]},
            "piece_top5": {"rate": 0.5, "ci95": [0.45, 0.55]},
        },
        "phrase": {
            "spans": 40,
            "exact": {"rate": 0.05, "ci95": [0.01, 0.16]},
            "piece_top5": {"rate": 0.2, "ci95": [0.1, 0.3]},
        },
    }
}


def test_recovery_bars_in_percent_with_their_intervals():
    fig = fm.recovery_figure(
        RESULT, {"token": "token", "phrase": "phrase"}, metric_labels={"exact": "exact", "piece_top5": "top-5"}
    )
    exact, top5 = fig.data
    assert exact.name == "exact" and top5.name == "top-5"
    assert list(exact.y) == pytest.approx([25.0, 5.0])
    assert list(exact.error_y.array) == pytest.approx([6.0, 11.0])
    assert list(exact.error_y.arrayminus) == pytest.approx([5.0, 4.0])
    assert list(top5.y) == pytest.approx([50.0, 20.0])
    assert list(exact.customdata) == [200, 40]
    only = fm.recovery_figure(RESULT, strategies=["phrase", "entity"])  # a strategy not measured is left out
    assert list(only.data[0].x) == ["phrase"]
