"""The canvas heatmap's payload (app/heatmap/encode.py, component.payload) against numpy and hand-made cases."""

from __future__ import annotations

import numpy as np
import pytest

from app.heatmap import component, encode

WORDS = component.Words(reset="r", download_png="p", topk="{row}: {keys}", keys_help="k")


def softmax_rows(rng, t: int) -> np.ndarray:
    x = rng.normal(size=(t, t)) * 3
    e = np.exp(x - x.max(1, keepdims=True))
    return (e / e.sum(1, keepdims=True)).astype(np.float32)


def test_attention_weights_round_trip_within_half_a_fourth_decimal():
    m = softmax_rows(np.random.default_rng(0), 512)
    qz = encode.quantize_u16(m)
    assert qz.dtype == "u16" and qz.decimals == 4 and qz.cells.dtype == np.uint16
    err = np.abs(encode.dequantize(qz) - m.astype(np.float64))
    assert err.max() <= 5e-5 + 1e-12  # half of 1e-4
    assert err.max() > 1e-5  # it is a real quantization, not a float copy


def test_hover_text_is_the_float32_value_rounded_to_4_decimals():
    """What the tooltip shows (integer arithmetic, as the JS does) equals Python's own 4-decimal rounding of the
    float32 value, for every cell of an attention matrix and for negative differences (A - B)."""
    rng = np.random.default_rng(1)
    a, b = softmax_rows(rng, 64), softmax_rows(rng, 64)
    for m in (a, a - b):
        qz = encode.quantize_u16(m)
        shown = [encode.format_value(int(q), qz) for q in qz.cells.ravel()]
        expected = [f"{float(v):.4f}" for v in m.ravel()]
        assert [float(s) for s in shown] == [float(s) for s in expected]
        assert all(len(s.split(".")[1]) == 4 for s in shown)


def test_hand_made_values_and_their_codes():
    m = np.array([[0.0, 0.12344, 0.12346], [1.0, 0.5, 0.03125]], dtype=np.float32)
    qz = encode.quantize_u16(m)
    assert qz.base == 0.0
    # 0.03125 * 1e4 = 312.5 exactly: ties go to even (312), as Python's format does
    assert qz.cells.tolist() == [[0, 1234, 1235], [10000, 5000, 312]]
    assert [encode.format_value(int(q), qz) for q in qz.cells[1]] == ["1.0000", "0.5000", "0.0312"]
    assert f"{0.03125:.4f}" == "0.0312"


def test_a_wide_span_gets_fewer_decimals_never_a_wrong_fourth_one():
    m = np.array([[-40.0, 0.0], [12.3456, 100.0]], dtype=np.float32)  # span 140 > 6.5534
    qz = encode.quantize_u16(m)
    assert qz.decimals == 2  # 14000 steps of 0.01 fit in 65534 codes, 140000 steps of 0.001 do not
    assert np.abs(encode.dequantize(qz) - m).max() <= 0.005 + 1e-9
    assert encode.format_value(int(qz.cells[1, 0]), qz) == "12.35"


def test_missing_cells_survive_as_nan():
    m = np.array([[0.1, np.nan], [0.3, 0.4]], dtype=np.float32)
    qz = encode.quantize_u16(m)
    assert qz.cells[0, 1] == encode.U16_MISSING
    back = encode.dequantize(qz)
    assert np.isnan(back[0, 1]) and np.allclose(back[[0, 1, 1], [0, 0, 1]], [0.1, 0.3, 0.4], atol=5e-5)
    assert encode.format_value(encode.U16_MISSING, qz) == "–"


def test_uint8_thumbnail_codes_cover_zmin_to_zmax():
    m = np.array([[0.0, 0.5, 1.0, 2.0]], dtype=np.float32)
    qz = encode.quantize_u8(m, 0.0, 1.0)
    assert qz.cells.tolist() == [[0, 127, 254, 254]]  # 0.5 * 254 = 127; above zmax clipped
    assert np.allclose(encode.dequantize(qz), [[0.0, 0.5, 1.0, 1.0]])


@pytest.mark.parametrize("title", ["odd", "even!"])  # header lengths of both parities (padding)
def test_pack_unpack_round_trip(title):
    cells = np.arange(12, dtype=np.uint16).reshape(3, 4) * 5000
    header = {"dtype": "u16", "title": title + " 中文 <b>"}
    back_header, back = encode.unpack(encode.pack(header, cells))
    assert back_header == header
    assert back.tolist() == cells.ravel().tolist()


def test_repeated_tokens_carry_their_position_and_hidden_columns_keep_theirs():
    assert encode.token_labels(["[CLS]", "the", "cat", "the", "[SEP]"]) == ["[CLS]", "the₁", "cat", "the₃", "[SEP]"]
    assert encode.token_labels(["the", "the", "mat"], [1, 12, 13]) == ["the₁", "the₁₂", "mat"]
    assert encode.token_labels(["<img src=x>"]) == ["<img src=x>"]  # plain text: the canvas never parses HTML


@pytest.mark.parametrize(
    "n, px, font, step",
    [
        (16, 640, 13, 1),
        (37, 640, 13, 1),
        (38, 640, 13, 2),
        (49, 640, 9, 1),
        (50, 640, 9, 2),
        (512, 640, 9, 11),
        (512, 820, 20, 16),
    ],
)
def test_labels_thin_out_only_when_they_would_touch(n, px, font, step):
    # hand-computed: px // (font + 4) labels fit; 640 // 17 = 37, 640 // 13 = 49, 820 // 24 = 34 (512 / 34 -> 16)
    assert encode.label_step(n, px, font) == step


def test_colour_scales_are_plotlys():
    blues = encode.colour_stops("Blues")
    assert blues[0] == [0.0, "#f7fbff"] and blues[-1] == [1.0, "#08306b"]  # colorbrewer Blues, its two ends
    rdbu = encode.colour_stops("RdBu_r")
    assert rdbu[0][1] == "#053061" and rdbu[-1][1] == "#67001f"
    assert encode.colour_stops([[0, "rgb(255, 0, 0)"], [1, "#00ff00"]]) == [[0.0, "#ff0000"], [1.0, "#00ff00"]]


def test_thumbnails_are_block_means_scaled_to_their_own_maximum():
    tiles = np.arange(2 * 1 * 4 * 4, dtype=np.float32).reshape(2, 1, 4, 4)
    out = encode.thumbnails(tiles, size=2)
    assert out.shape == (2, 2, 2)
    for k in range(2):
        t = tiles[k, 0]
        means = np.array([[t[i : i + 2, j : j + 2].mean() for j in (0, 2)] for i in (0, 2)])
        np.testing.assert_allclose(out[k], means / means.max(), rtol=1e-6)
    small = encode.thumbnails(tiles, size=48)  # T below size: the tile itself
    np.testing.assert_allclose(small[1], tiles[1, 0] / tiles[1, 0].max(), rtol=1e-6)


def test_payload_carries_labels_scale_and_cells():
    m = np.array([[0.25, 0.75], [0.5, 0.5]], dtype=np.float32)
    data = component.payload(
        m[None],
        ["a", "b"],
        ["c", "d"],
        panels=None,
        zmin=0.0,
        zmax=1.0,
        colorscale="Blues",
        plot_px=640,
        words=WORDS,
        title="T",
    )
    header, cells = encode.unpack(data)
    assert (header["rows"], header["cols"], header["panels"], header["grid"]) == (2, 2, 1, [1, 1])
    assert header["x_labels"] == ["c", "d"] and header["y_labels"] == ["a", "b"]
    assert header["zmax"] == 1.0 and header["decimals"] == 4 and header["words"]["reset"] == "r"
    assert (header["base"] + cells).tolist() == [2500, 7500, 5000, 5000]  # in steps of 1e-4
    assert len(data) < 1000  # 4 cells: the header (labels, colour stops, words) is most of it


def test_payload_refuses_labels_that_do_not_match_the_matrix():
    with pytest.raises(ValueError, match="labels"):
        component.payload(
            np.zeros((1, 2, 3)),
            ["a", "b"],
            ["c"],
            panels=None,
            zmin=0,
            zmax=1,
            colorscale="Blues",
            plot_px=100,
            words=WORDS,
        )


def test_512_token_payload_is_two_bytes_a_cell():
    m = softmax_rows(np.random.default_rng(2), 512)
    labels = [f"tok{i}" for i in range(512)]
    data = component.payload(
        m[None], labels, labels, panels=None, zmin=0, zmax=None, colorscale="Blues", plot_px=640, words=WORDS
    )
    assert 512 * 512 * 2 < len(data) < 0.55e6


@pytest.mark.parametrize(
    "value, click",
    [
        ({"panel": 3, "row": 0, "col": 7}, component.Click(3, 0, 7)),
        ({"panel": "2", "row": 1, "col": 1}, component.Click(2, 1, 1)),
        ({"panel": 1}, None),
        ({"panel": "x", "row": 0, "col": 0}, None),
        (None, None),
        ("click", None),
    ],
)
def test_click_payloads_from_the_browser(value, click):
    assert component.as_click(value) == click
