"""/compare's choice of what is compared (issue #12): raw attention, norm-based attention, rollout, flow
and ALTI, applied to both models on one colour scale.

Oracles: norms computed by hand from the model's own value and output projections
(‖α_ij (x_j W_V^h + b_V^h) W_O^h‖), rollout as the explicit product of 0.5 A + 0.5 I, and the property
any mixing method must show in the figure data: every row sums to 1.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from apptest_util import charts, open_page, texts

import bertviz_core as bc

SHORT = "The cat sat on the mat."  # 8 tokens: flow runs
LONG = "The animal didn't cross the wide street because it was far too tired."  # 18 tokens: above flow's cap
PAIR = {"model_a": "bert-minilm-l6", "model_b": "convbert-minilm-l6"}


def pair_z(at) -> tuple[np.ndarray, np.ndarray]:
    """A's and B's matrices as the browser reads them: two panels of one canvas (one colour scale)."""
    spec = charts(at)[0]
    assert spec["header"]["panels"] == 2, "both models' heatmaps on one canvas"
    z = np.asarray(spec["data"][0]["z"])
    return z[0], z[1]


def half_step(at) -> float:
    """The largest difference between a value the canvas shows and the float32 one: half its fixed-point step."""
    return charts(at)[0]["header"]["step"] / 2 + 1e-9


def hand_norms(model_id: str, text: str, layer: int, head: int) -> np.ndarray:
    """‖α^h_ij f_h(x_j)‖ for an ATTENTION head, from the trace's layer input and the model's own Linear
    layers: f_h(x) = (x W_V^h + b_V^h) W_O^h, W_O^h the head's columns of the attention output projection."""
    lm = bc.load_model(model_id)
    trace = bc.capture(lm, text)
    block = lm.model.encoder.layer[layer].attention
    value, dense = block.self.value, block.output.dense
    d = value.out_features // trace.n_heads
    with torch.no_grad():
        x = torch.tensor(np.asarray(trace.hidden_states[layer]))
        v = value(x)[:, head * d : (head + 1) * d]  # [T, d]
        f = v @ dense.weight[:, head * d : (head + 1) * d].T  # [T, D], no output bias (it is no token's)
    return trace.attentions[layer, head] * f.norm(dim=-1).numpy()[None, :]


def test_norm_per_head_on_bert_and_convbert():
    at = open_page("compare", **PAIR, text=SHORT, layer="1", head="3", compare_method="norm")
    assert not at.exception
    za, zb = pair_z(at)
    tol = half_step(at) + 1e-5
    np.testing.assert_allclose(za, hand_norms("bert-minilm-l6", SHORT, 1, 3), rtol=1e-4, atol=tol)
    np.testing.assert_allclose(zb, hand_norms("convbert-minilm-l6", SHORT, 1, 3), rtol=1e-4, atol=tol)
    assert np.abs(za.sum(1) - 1).max() > 0.1  # norms: rows do not sum to 1 ...
    assert any("not probabilities" in c.value for c in at.caption)  # ... and the caption says so
    header = charts(at)[0]["header"]  # one colour scale for both squares, up to the larger maximum
    assert header["zmin"] == 0 and header["zmax"] == pytest.approx(max(za.max(), zb.max()), abs=half_step(at))
    assert header["colorbar_title"] == "norm" and header["value_label"] == "norm"


def test_norm_of_a_convolution_head_slot():
    """Slot 7 is BERT's head 7 and ConvBERT's conv head C1: its norms are the banded kernel weights times
    ‖f‖ on the conv value path; the page shows them beside BERT's, whose own rows are checked by hand."""
    at = open_page("compare", **PAIR, text=SHORT, layer="2", head="7", compare_method="norm")
    assert not at.exception
    za, zb = pair_z(at)
    np.testing.assert_allclose(za, hand_norms("bert-minilm-l6", SHORT, 2, 7), rtol=1e-4, atol=half_step(at) + 1e-5)
    conv = bc.capture(bc.load_model("convbert-minilm-l6"), SHORT).conv_matrices(2)[1]
    assert ((zb > 0) == (conv > 0)).all()  # the conv head moves nothing outside its 9-token band
    assert zb.shape == za.shape


@pytest.mark.parametrize("method", ["rollout", "alti"])
def test_mixing_rows_sum_to_one_for_both_models(method):
    at = open_page("compare", **PAIR, text=LONG, layer="2", compare_method=method)
    assert not at.exception
    for z in pair_z(at):  # each of T cells within half a step of 1e-4
        np.testing.assert_allclose(z.sum(1), 1, atol=len(z) * half_step(at) + 1e-5)
    assert not [s for s in at.selectbox if s.key == "head"]  # a whole-layer method: no head slot offered
    assert any("each row sums to 1" in c.value for c in at.caption)
    if method == "rollout":  # the explicit product of 0.5 A + 0.5 I, layers 0..2, for BERT
        a = bc.capture(bc.load_model("bert-minilm-l6"), LONG).attentions.astype(np.float64)
        eye = np.eye(a.shape[-1])
        expected = eye
        for layer in range(3):
            expected = (0.5 * a[layer].mean(0) + 0.5 * eye) @ expected
        np.testing.assert_allclose(pair_z(at)[0], expected, atol=half_step(at) + 1e-5)


def test_flow_runs_on_a_short_sentence_and_falls_back_on_a_long_one():
    at = open_page("compare", **PAIR, text=SHORT, layer="1", compare_method="flow")
    assert not at.exception
    for z in pair_z(at):
        np.testing.assert_allclose(z.sum(1), 1, atol=len(z) * half_step(at) + 1e-5)
    assert any("capped at 16 tokens" in c.value for c in at.caption)
    at = open_page("compare", **PAIR, text=LONG, layer="1", compare_method="flow")
    assert not at.exception
    assert any("Attention flow is capped at 16 tokens" in i.value and "rollout for both" in i.value for i in at.info)
    assert "input → L1" in charts(at)[0]["header"]["panel_titles"][0]


def test_a_method_that_does_not_apply_is_explained_and_the_other_model_shown():
    at = open_page(
        "compare", model_a="bert-minilm-l6", model_b="bert-minilm-l6@int8", text=SHORT, layer="1", compare_method="alti"
    )
    assert not at.exception
    (warning,) = [w.value for w in at.warning if "does not apply" in w.value]
    assert warning.startswith("B (") and "packed int8" in warning
    (spec,) = charts(at)
    assert spec["header"]["panels"] == 1  # model A alone
    z = np.asarray(spec["data"][0]["z"])
    np.testing.assert_allclose(z.sum(1), 1, atol=len(z) * half_step(at) + 1e-5)


def test_bad_method_in_the_link_says_so_and_shows_raw_attention():
    at = open_page("compare", **PAIR, text=SHORT, layer="1", head="3", compare_method="softmax")
    assert not at.exception
    assert "The link's value for 'compare_method' cannot be used (softmax); the default is used instead." in [
        w.value for w in at.warning
    ]
    assert at.selectbox(key="compare_method").value == "attention"
    za, _ = pair_z(at)
    np.testing.assert_allclose(za, bc.capture(bc.load_model("bert-minilm-l6"), SHORT).attentions[1, 3], atol=5e-5)


def test_the_link_reproduces_the_method():
    at = open_page("compare", **PAIR, text=SHORT, layer="2", compare_method="alti")
    assert not at.exception
    params = {k: (v[0] if isinstance(v, list) else v) for k, v in dict(at.query_params).items()}
    assert params["compare_method"] == "alti"
    again = open_page("compare", **params)
    assert [d["z"] for d in charts(again)[0]["data"]] == [d["z"] for d in charts(at)[0]["data"]]
    raw = open_page("compare", **PAIR, text=SHORT)  # the default stays out of the link
    assert "compare_method" not in dict(raw.query_params)


def test_method_captions_in_chinese():
    at = open_page("compare", **PAIR, text=SHORT, layer="1", head="3", compare_method="norm", lang="zh")
    assert not at.exception
    assert "不是概率" in texts(at)
    assert at.selectbox(key="compare_method").label == "对比的内容"
