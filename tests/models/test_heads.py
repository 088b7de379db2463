"""bertviz_core.models.heads: the one naming of heads (hand-written expectations)."""

import pytest

from bertviz_core.models import heads


@pytest.mark.parametrize(
    "text,kind,index",
    [
        ("3", "attn", 3),
        ("H3", "attn", 3),
        ("h3", "attn", 3),
        (" 11 ", "attn", 11),
        ("c1", "conv", 1),
        ("C1", "conv", 1),
        ("c0", "conv", 0),
    ],
)
def test_parse_accepts_token_and_display(text, kind, index):
    assert heads.parse(text) == heads.HeadId(kind, index)


@pytest.mark.parametrize("text", ["zz", "-1", "c-1", "3.0", "c", "", "H", "x3", "1e3", "c1 ", "L0 H1", "１"])
def test_parse_refuses(text):
    if text == "c1 ":  # surrounding spaces are allowed
        assert heads.parse(text) == heads.conv(1)
        return
    with pytest.raises(ValueError):
        heads.parse(text)


def test_mean_and_round_trip():
    assert heads.parse("mean") == heads.MEAN and heads.parse("MEAN") == heads.MEAN
    assert heads.to_token(heads.conv(2)) == "c2" and heads.to_token(heads.attn(5)) == "5"
    assert heads.display(heads.conv(2)) == "C2" and heads.display(heads.attn(5)) == "H5"
    assert heads.qualified(4, heads.conv(1)) == "L4 C1"
    assert heads.parse_qualified("L4 C1") == (4, heads.conv(1))
    assert heads.parse_qualified("L10 H11") == (10, heads.attn(11))
    with pytest.raises(ValueError):
        heads.parse_qualified("L1 mean")
    for tok in ["mean", "0", "5", "c0", "c5"]:
        assert heads.to_token(heads.parse(tok)) == tok


def test_slots_bert_vs_convbert():
    # ConvBERT-minilm: 6 attention + 6 conv heads: slot 7 is C1; BERT 12 heads: slot 7 is H7
    assert heads.from_slot(7, 6, 6) == heads.conv(1)
    assert heads.from_slot(7, 12, 0) == heads.attn(7)
    assert heads.to_slot(heads.conv(1), 6) == 7
    with pytest.raises(ValueError):
        heads.from_slot(12, 6, 6)
    with pytest.raises(ValueError):
        heads.from_slot(-1, 6, 6)
    assert heads.options(2, 1) == ["mean", "0", "1", "c0"]
    assert heads.slot_names(2, 2) == ["H0", "H1", "C0", "C1"]


def test_exists():
    assert heads.exists(heads.attn(5), 6, 6) and not heads.exists(heads.attn(6), 6, 6)
    assert heads.exists(heads.conv(5), 6, 6) and not heads.exists(heads.conv(0), 12, 0)
    assert heads.exists(heads.MEAN, 1)
