"""AppTest smoke and content tests for every page."""

from __future__ import annotations

import numpy as np
import pytest
from apptest_util import charts, decode, open_page, texts

import bertviz_core as bc
from app.heatmap import encode
from bertviz_core.analysis import compare, metrics
from bertviz_core.figures.labels import token_labels

TEXT = "The cat sat on the mat."


@pytest.fixture(scope="module")
def tokens():
    return bc.capture(bc.load_model("bert-minilm-l6"), TEXT).tokens


def test_home_links_every_view():
    at = open_page("home")
    assert not at.exception
    labels = [e.proto.label for e in at.get("page_link")]
    assert "Attention" in labels and "Model view" in labels


def heatmaps(at) -> list[tuple[dict, np.ndarray]]:
    """The canvas heatmaps on the page (app/heatmap): (header, cells as the browser reads them)."""
    return [encode.unpack(el.proto.bytes) for el in at.get("bidi_component")]


def test_attention_page_draws_labelled_heatmap(tokens):
    at = open_page("attention", model="bert-minilm-l6", text=TEXT, layer="2", head="3")
    assert not at.exception
    ((header, cells),) = heatmaps(at)
    # "the" occurs twice: each carries its position
    assert header["x_labels"] == ["[CLS]", "the₁", "cat", "sat", "on", "the₅", "mat", ".", "[SEP]"]
    assert header["y_labels"] == header["x_labels"] and len(tokens) == 9
    z = (header["base"] + cells.reshape(header["rows"], header["cols"])) * header["step"]
    expected = bc.capture(bc.load_model("bert-minilm-l6"), TEXT).attentions[2, 3]
    np.testing.assert_allclose(z, expected, atol=5e-5)  # uint16 steps of 1e-4: half a step at most
    assert "Layer 2" in header["title"]
    assert not at.get("plotly_chart")  # the Plotly figure is built only for the Download buttons


def test_attention_mean_and_hidden_special_columns(tokens):
    at = open_page("attention", model="bert-minilm-l6", text=TEXT, head="mean", hide_special="1")
    assert not at.exception
    ((header, cells),) = heatmaps(at)
    assert "[CLS]" not in header["x_labels"] and "[SEP]" not in header["x_labels"]
    assert header["y_labels"][0] == "[CLS]"
    assert (header["rows"], header["cols"]) == (len(tokens), len(tokens) - 2)
    z = (header["base"] + cells.reshape(header["rows"], header["cols"])) * header["step"]
    mean = bc.capture(bc.load_model("bert-minilm-l6"), TEXT).attentions[0].mean(0)
    np.testing.assert_allclose(z, mean[:, 1:-1], atol=5e-5)  # [CLS] first, [SEP] last: the middle columns


def test_model_view_draws_every_head():
    at = open_page("model-view".replace("-", "_"), model="bert-minilm-l6", text=TEXT)
    assert not at.exception
    ((header, cells),) = heatmaps(at)
    assert header["grid"] == [6, 12] and header["panels"] == 6 * 12
    assert header["dtype"] == "u8" and cells.dtype == np.uint8
    trace = bc.capture(bc.load_model("bert-minilm-l6"), TEXT)
    tile = cells.reshape(72, header["rows"], header["cols"])[3 * 12 + 5]  # layer 3, head 5, scaled to its maximum
    np.testing.assert_allclose(tile / 254, trace.attentions[3, 5] / trace.attentions[3, 5].max(), atol=0.5 / 254)


def test_empty_sentence_gets_a_prompt_not_an_error():
    at = open_page("attention", text="   ")
    assert not at.exception
    assert not at.get("plotly_chart") and not at.get("bidi_component")
    assert any("Type a sentence" in e.value for e in at.info)


def test_unknown_model_shows_error_and_bundled_still_works():
    at = open_page("attention", model="no-such-model-xyz", text=TEXT)
    assert not at.exception
    assert at.error and "no-such-model-xyz" in at.error[0].value.replace("\\", "")  # markdown-escaped
    at.selectbox(key="model").set_value("bert-minilm-l6").run()
    assert not at.exception and at.get("bidi_component")


def test_too_long_input_is_truncated_with_notice():
    at = open_page("attention", text="word " * 700)
    assert not at.exception
    assert any("dropped" in w.value for w in at.warning)


def test_convolution_page_shows_kernels_and_banded_heads():
    sentence = "The animal didn't cross the street because it was too tired."
    at = open_page("convolution", text=sentence, layer="1")
    assert not at.exception
    kernels, grid = charts(at)
    trace = bc.capture(bc.load_model("convbert-minilm-l6"), sentence)
    assert len(kernels["data"]) == trace.n_conv_heads
    np.testing.assert_allclose(decode(kernels["data"][0]["z"]), trace.conv_kernels[1, 0], atol=1e-6)
    assert kernels["data"][0]["y"] == token_labels(trace.tokens)
    assert grid["header"]["panels"] == trace.n_heads + trace.n_conv_heads  # the banded view: one canvas
    np.testing.assert_allclose(np.asarray(grid["data"][0]["z"])[-1], trace.conv_matrices(1)[-1], atol=5e-5)
    assert "in parallel" in texts(at)


def test_convolution_default_does_not_change_the_other_pages(tokens):
    """/convolution shows ConvBERT on its own; the user's BERT stays on every other page (issue #11.2)."""
    at = open_page("convolution", model="bert-minilm-l6", text=TEXT)
    assert not at.exception
    kernels, _ = charts(at)
    conv = bc.capture(bc.load_model("convbert-minilm-l6"), TEXT)
    np.testing.assert_allclose(decode(kernels["data"][0]["z"]), conv.conv_kernels[0, 0], atol=1e-6)
    assert at.session_state["model"] == "bert-minilm-l6"
    assert "stays BERT" in texts(at)  # the page says the other pages keep the user's model
    at.switch_page("../pages/attention.py")
    at.run()
    ((header, cells),) = heatmaps(at)
    bert = bc.capture(bc.load_model("bert-minilm-l6"), TEXT)
    z = (header["base"] + cells.reshape(header["rows"], header["cols"])) * header["step"]
    np.testing.assert_allclose(z, bert.attentions[0].mean(0), atol=5e-5)
    assert header["title"].startswith("BERT · MiniLM-L6")  # the model is named on the figure


def test_a_model_picked_on_convolution_carries_over(models_root):
    at = open_page("convolution", model="bert-minilm-l6", text=TEXT)
    assert "tiny-convbert · local" in at.selectbox(key="conv_model").options  # models-folder checkpoints listed
    at.selectbox(key="conv_model").set_value("tiny-convbert").run()
    assert not at.exception
    assert at.session_state["model"] == "tiny-convbert"


def test_compare_page_bert_vs_convbert():
    sentence = "The animal didn't cross the street because it was too tired."
    at = open_page(
        "compare", model_a="bert-minilm-l6", model_b="convbert-minilm-l6", text=sentence, layer="1", head="7"
    )
    assert not at.exception
    specs = charts(at)
    pair, diff = specs  # A | B on one canvas (two panels), A - B on another
    heat_a, heat_b = np.asarray(pair["data"][0]["z"])
    a = bc.capture(bc.load_model("bert-minilm-l6"), sentence)
    b = bc.capture(bc.load_model("convbert-minilm-l6"), sentence)
    np.testing.assert_allclose(heat_a, a.attentions[1, 7], atol=5e-5)  # uint16 steps of 1e-4
    # slot 7 of ConvBERT is its conv head C1, drawn as a banded matrix
    np.testing.assert_allclose(heat_b, b.conv_matrices(1)[1], atol=5e-5)
    np.testing.assert_allclose(np.asarray(diff["data"][0]["z"]), a.attentions[1, 7] - b.conv_matrices(1)[1], atol=5e-5)
    # one colour scale: both panels of one canvas, up to the larger maximum
    assert pair["header"]["panels"] == 2 and pair["header"]["zmin"] == 0
    assert pair["header"]["zmax"] == pytest.approx(max(a.attentions[1, 7].max(), b.conv_matrices(1)[1].max()), abs=1e-6)
    assert "token by token" in texts(at)
    assert len(specs) == 2 and len(at.dataframe) == 0  # only the open tab ("Head by head") runs

    at.session_state["compare_tab"] = "Head metrics"
    at.run()
    assert not at.exception
    assert len(at.dataframe) == 1  # the metrics table
    metrics_a = decode(charts(at)[0]["data"][0]["z"])  # entropy per head of A, [layers, heads]
    np.testing.assert_allclose(metrics_a, metrics.trace_metrics(a)["entropy"], atol=1e-5)

    at.session_state["compare_tab"] = "Matching heads"
    at.run()
    assert not at.exception
    js_spec = [c for c in charts(at) if c["data"][0]["colorbar"]["title"]["text"] == "JS"]
    assert len(js_spec) == 1 and len(at.dataframe) == 3  # JS heatmap; nearest partners A->B and B->A; one-to-one
    flat_a = metrics.all_heads(a)[0].reshape(-1, len(a), len(a))
    flat_b = metrics.all_heads(b)[0].reshape(-1, len(b), len(b))
    np.testing.assert_allclose(decode(js_spec[0]["data"][0]["z"]), compare.head_js_matrix(flat_a, flat_b), atol=1e-5)


def test_compare_many_sentences_with_example_set():
    at = open_page("compare", text="A short sentence.")
    assert not at.exception
    at.session_state["compare_tab"] = "Over many sentences"
    at.run()
    at.button[0].click().run()  # load the example set
    at.button[1].click().run()  # compare over it
    assert not at.exception
    assert any("Averaged over 30 sentences" in s.value for s in at.success)


def test_compare_many_sentences_rejects_binary_upload():
    from bertviz_core.inputs import text as text_input

    with pytest.raises(ValueError, match="binary"):
        text_input.parse_sentence_upload("x.txt", b"\x00\x01\x02garbage")
    with pytest.raises(ValueError):
        text_input.parse_sentence_upload("x.conllu", b"1\tThe\n2\tbad line without enough columns\n\n")
    assert text_input.parse_sentence_upload(
        "x.conllu",
        (
            b"# text = The cat sat.\n1\tThe\tthe\tDET\tDT\t_\t2\tdet\t_\t_\n2\tcat\tcat\tNOUN\tNN\t_\t3\tnsubj\t_\t_\n"
            b"3\tsat\tsit\tVERB\tVBD\t_\t0\troot\t_\t_\n\n"
        ),
    ) == ["The cat sat."]


def test_positions_page_learned_vs_sinusoidal_and_sentence_pair():
    at = open_page("positions", text="The cat sat.", text_b="It purred.")
    assert not at.exception
    specs = charts(at)
    # learned: cosine, PCA, dims; sinusoidal: the same three; then added position + token-type embeddings
    assert len(specs) == 8
    lm = bc.load_model("bert-minilm-l6")
    from bertviz_core.analysis import positions

    table, _ = positions.learned_table(lm)
    np.testing.assert_allclose(
        decode(specs[0]["data"][0]["z"]), positions.cosine_similarity_matrix(table[:128]), atol=1e-5
    )
    np.testing.assert_allclose(
        decode(specs[3]["data"][0]["z"]), positions.cosine_similarity_matrix(positions.sinusoidal(128, 384)), atol=1e-5
    )
    assert "learns its position embeddings" in texts(at)


def test_positions_page_model_without_absolute_positions(models_root):
    at = open_page("positions", model="tiny-deberta-v2", text="The cat sat.")
    assert not at.exception
    assert sum("adds no absolute position" in i.value for i in at.info) == 1  # said once, not per section
    # and it says where DeBERTa's positions are instead
    assert [link.proto.page for link in at.get("page_link")] == ["deberta"]


@pytest.mark.parametrize(
    "model_id, head", [("bert-minilm-l6", "3"), ("convbert-minilm-l6", "2"), ("convbert-minilm-l6", "c1")]
)
def test_step_by_step_recomputes_the_captured_row(model_id, head):
    sentence = "The animal didn't cross the street because it was too tired."
    at = open_page("step_by_step", model=model_id, text=sentence, layer="2", head=head, query="10")
    assert not at.exception
    trace = bc.capture(bc.load_model(model_id), sentence)
    by_title = {s["layout"]["title"]["text"]: s for s in charts(at)}
    if head.startswith("c"):
        spec = by_title["kernel"]
        expected = trace.conv_kernels[2, int(head[1:]), 10]
    else:
        spec = by_title["weight"]
        expected = trace.attentions[2, int(head), 10]
    np.testing.assert_allclose(decode(spec["data"][0]["y"]), expected, atol=1e-5)  # recomputed bars
    np.testing.assert_allclose(decode(spec["data"][1]["y"]), expected, atol=1e-6)  # captured crosses
    assert "Largest difference" in texts(at)


def test_other_model_box_loads_a_local_convbert_on_the_convolution_page(models_root):
    """The path a hub ConvBERT (YituTech/conv-bert-base) takes, on a small ConvBERT saved locally."""
    at = open_page("convolution", text=TEXT)
    assert not at.exception
    at.text_input(key="conv_model_other").set_value("tiny-convbert").run()
    assert not at.exception
    assert at.session_state["model"] == "tiny-convbert"
    kernels, grid = charts(at)
    assert len(kernels["data"]) == 2  # the tiny model's 2 conv heads
    assert grid["header"]["panels"] == 4  # 2 attention + 2 conv heads


def test_compare_slot_only_one_model_has(models_root):
    """tiny-bert has 4 heads; slot 7 exists only in the bundled BERT: its heatmap alone, and a note."""
    at = open_page("compare", model_a="bert-minilm-l6", model_b="tiny-bert", text="The cat sat.", layer="1", head="7")
    assert not at.exception
    specs = charts(at)
    assert len(specs) == 1 and specs[0]["header"]["panels"] == 1
    a = bc.capture(bc.load_model("bert-minilm-l6"), "The cat sat.")
    np.testing.assert_allclose(np.asarray(specs[0]["data"][0]["z"]), a.attentions[1, 7], atol=5e-5)
    assert any("Model B has no head in slot 7" in str(m.value) for m in at.info)


def test_attention_buttons_sit_on_one_line_under_the_figure():
    at = open_page("attention", text="The cat sat.")
    assert not at.exception

    def kind(node) -> str:  # a layout block's kind ("flex_container", "popover", ...), "" for a plain element
        proto = getattr(node, "proto", None)
        return proto.WhichOneof("type") if proto is not None and "type" in proto.DESCRIPTOR.oneofs_by_name else ""

    rows = [
        block
        for block in at.main.children.values()
        if kind(block) == "flex_container"
        and block.proto.flex_container.direction == block.proto.flex_container.HORIZONTAL
    ]
    per_row = [sum(kind(child) == "popover" for child in row.children.values()) for row in rows]
    assert 3 in per_row  # Download, Data and Link side by side in one horizontal row, not stacked
