"""Step by step (bertviz_core.analysis.steps): every step of a head's computation for one token against the
self-attention module run forward by transformers, softmaxes that must not overflow, and the refusals."""

from __future__ import annotations

import copy
import types

import numpy as np
import pytest
import torch

import bertviz_core as bc
from bertviz_core.analysis import steps
from bertviz_core.models.loading import LoadedModel

SENTENCE = "The quick brown fox jumps over the lazy dog."


def test_attention_walk_steps_equal_the_modules_own_forward(bert):
    """Every step the page draws, against the self-attention module run forward by transformers."""
    trace = bc.capture(bert, SENTENCE)
    layer, head, query = 2, 5, 3
    module = steps.attention_module(bert, layer)
    x = torch.tensor(trace.hidden_states[layer])
    with torch.no_grad():
        context, probs = module(x[None])[:2]  # [1, T, D], [1, H, T, T]
        q_all, k_all, v_all = module.query(x), module.key(x), module.value(x)
    d = 384 // 12
    cut = slice(head * d, (head + 1) * d)
    walk = steps.attention_walk(bert, trace, layer, head, query)
    assert walk["d_head"] == d
    np.testing.assert_array_equal(walk["X"], trace.hidden_states[layer])
    for name, full in (("Q", q_all), ("K", k_all), ("V", v_all)):
        np.testing.assert_allclose(walk[name], full[:, cut].numpy(), atol=1e-6)
    expected_scores = (k_all[:, cut] @ q_all[query, cut]).numpy() / np.sqrt(d)
    np.testing.assert_allclose(walk["scores"], expected_scores, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(walk["probs"], probs[0, head, query].numpy(), atol=1e-6)
    np.testing.assert_allclose(walk["context"], context[0, query, cut].numpy(), atol=1e-5)
    np.testing.assert_array_equal(walk["captured"], trace.attentions[layer, head, query])
    assert walk["max_diff"] == pytest.approx(float(np.abs(walk["probs"] - walk["captured"]).max()))
    assert walk["max_diff"] < 1e-5


def test_attention_steps_softmax_does_not_overflow():
    """Scores in the hundreds (a sharp head): the softmax must still be finite and equal torch's."""
    module = types.SimpleNamespace(attention_head_size=2)
    for name in ("query", "key", "value"):
        lin = torch.nn.Linear(4, 4, bias=False)
        with torch.no_grad():
            lin.weight.copy_(torch.eye(4) * 30)
        setattr(module, name, lin)
    x = np.array([[1.0, 0.5, 0, 0], [0.9, 0.7, 0, 0], [-1.0, 0.2, 0, 0]], dtype=np.float32)
    walk = steps.attention_steps(module, x, head=0, query=1)
    assert walk["scores"].max() > 700  # exp() of it overflows float32 and float64 alike
    expected = torch.softmax(torch.tensor(walk["scores"], dtype=torch.float64), -1).numpy()
    assert np.isfinite(walk["probs"]).all()
    np.testing.assert_allclose(walk["probs"], expected, atol=1e-6)


@pytest.mark.parametrize("query", [0, 6])
def test_conv_walk_steps_equal_the_modules_own_forward(convbert, query):
    """The conv head's output is the module's own output slice (conv heads after the attention heads)."""
    trace = bc.capture(convbert, SENTENCE)
    T = len(trace)
    layer, c = 2, 3
    module = steps.attention_module(convbert, layer)
    x = torch.tensor(trace.hidden_states[layer])
    with torch.no_grad():
        out = module(x[None])[0][0]  # [T, 6 attention heads * 32 + 6 conv heads * 32]
        key_conv = module.key_conv_attn_layer(x.T[None])[0].T
        values = module.conv_out_layer(x).numpy()
    d = 32
    cut = slice(c * d, (c + 1) * d)
    walk = steps.conv_walk(convbert, trace, layer, c, query)
    assert walk["d_head"] == d
    np.testing.assert_array_equal(walk["X"], trace.hidden_states[layer])
    np.testing.assert_allclose(walk["output"], out[query, 6 * d + c * d : 6 * d + (c + 1) * d].numpy(), atol=1e-5)
    np.testing.assert_allclose(walk["key_conv"], key_conv[:, cut].numpy(), atol=1e-5)
    np.testing.assert_array_equal(walk["captured"], trace.conv_kernels[layer, c, query])
    np.testing.assert_allclose(np.exp(walk["logits"]) / np.exp(walk["logits"]).sum(), walk["captured"], atol=1e-5)
    np.testing.assert_allclose(walk["kernel"], walk["captured"], atol=1e-5)
    np.testing.assert_array_equal(walk["positions"], np.arange(query - 4, query + 5))
    np.testing.assert_array_equal(walk["inside"], (walk["positions"] >= 0) & (walk["positions"] < T))
    for k, p in enumerate(walk["positions"]):
        want = values[p, cut] if 0 <= p < T else np.zeros(d)
        np.testing.assert_allclose(walk["span"][k], want, atol=1e-6)
    assert walk["max_diff"] < 1e-5 and walk["output_diff"] < 1e-5
    assert walk["max_diff"] == pytest.approx(float(np.abs(walk["kernel"] - walk["captured"]).max()))


def test_conv_walk_softmax_does_not_overflow(models_root):
    """A conv head with logits in the thousands: captured kernels are finite (torch's softmax), so the
    walk's kernel must be too."""
    tiny = bc.load_model("tiny-convbert")
    model = copy.deepcopy(tiny.model)
    for m in model.modules():
        if type(m).__name__ == "ConvBertSelfAttention":
            with torch.no_grad():
                bias = m.conv_kernel_layer.bias
                bias.copy_(torch.linspace(-3000, 3000, len(bias)) * torch.tensor([1.0, -1.0]).repeat(len(bias) // 2))
    hot = LoadedModel(
        id="tiny-convbert-hot",
        label="hot",
        family="convbert",
        model=model,
        tokenizer=tiny.tokenizer,
        max_tokens=tiny.max_tokens,
    )
    trace = bc.capture(hot, "the cat sat on the mat")
    walk = steps.conv_walk(hot, trace, 0, 1, 2)
    assert np.abs(walk["logits"]).max() > 1000
    assert np.isfinite(walk["kernel"]).all()
    np.testing.assert_allclose(walk["kernel"], trace.conv_kernels[0, 1, 2], atol=1e-5)


def test_walks_say_why_they_refuse(models_root, bert):
    distil = bc.load_model("tiny-distilbert")
    with pytest.raises(ValueError) as info:
        steps.attention_walk(distil, bc.capture(distil, "a b c"), 0, 0, 0)
    assert "distilbert" in str(info.value) and "query/key/value" in str(info.value)
    with pytest.raises(ValueError) as info:
        steps.conv_walk(bert, bc.capture(bert, "a b c"), 0, 0, 0)
    assert str(info.value) == f"{bert.label} has no convolution heads."


def test_albert_walk_uses_its_one_shared_module_for_every_layer(models_root):
    albert = bc.load_model("tiny-albert")
    trace = bc.capture(albert, "the cat sat on the mat")
    walk = steps.attention_walk(albert, trace, 1, 0, 2)  # layer 1: the same (only) module as layer 0
    np.testing.assert_allclose(walk["probs"], trace.attentions[1, 0, 2], atol=1e-5)
