"""Beyond attention weights (bertviz_core.analysis.contributions) against independent references (the
/contributions page: tests/app/test_contributions_page.py).

Oracles: the model's own outputs captured with our own hooks here (output projection, LayerNorm),
explicit matrix products, hand-computed max-flows, networkx run here on a graph built here, and
f(input) - f(baseline) computed by running the model directly."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import torch
from conftest import FAMILIES

import bertviz_core as bc
from bertviz_core.analysis import contributions as C
from bertviz_core.models import mlm

TEXT = "The cat sat on the mat."

# family -> (output projection, LayerNorm after the residual), found here independently of the library
BLOCK = "encoder.layer.{l}.attention.output"
MODULES = {
    "bert": (f"{BLOCK}.dense", f"{BLOCK}.LayerNorm"),
    "roberta": (f"{BLOCK}.dense", f"{BLOCK}.LayerNorm"),
    "electra": (f"{BLOCK}.dense", f"{BLOCK}.LayerNorm"),
    "convbert": (f"{BLOCK}.dense", f"{BLOCK}.LayerNorm"),
    "deberta-v2": (f"{BLOCK}.dense", f"{BLOCK}.LayerNorm"),
    "distilbert": ("transformer.layer.{l}.attention.out_lin", "transformer.layer.{l}.sa_layer_norm"),
    # one shared module, called once per layer
    "albert": (
        "encoder.albert_layer_groups.0.albert_layers.0.attention.dense",
        "encoder.albert_layer_groups.0.albert_layers.0.attention.LayerNorm",
    ),
}


def block_outputs(lm, text: str) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """The output projection's output and the post-residual LayerNorm's output of every layer ([T, D] each),
    recorded by forward hooks registered here on an ordinary forward pass."""
    proj_path, norm_path = MODULES[lm.family]
    named = dict(lm.model.named_modules())
    L = lm.model.config.num_hidden_layers
    paths = {proj_path.format(l=l) for l in range(L)}, {norm_path.format(l=l) for l in range(L)}
    got: tuple[list, list] = ([], [])
    handles = []
    for k, group in enumerate(paths):
        for path in sorted(group, key=lambda p: [int(s) if s.isdigit() else s for s in p.split(".")]):
            handles.append(named[path].register_forward_hook(lambda m, a, out, k=k: got[k].append(out[0].detach())))
    try:
        with lm.lock, torch.no_grad():
            lm.model(**lm.tokenizer(text, return_tensors="pt"))
    finally:
        for h in handles:
            h.remove()
    assert len(got[0]) == len(got[1]) == L
    return got


def check_block_oracles(lm, trace, text):
    """sum_h sum_j a^h_ij f_h(x_j) + b_O == output projection; ALTI's vectors + e_i == LayerNorm output (1e-5)."""
    projections, norms = block_outputs(lm, text)
    for layer in range(trace.n_layers):
        f, alpha, bias, _, _ = C.head_vectors(lm, trace, layer)
        assert f.shape[0] == trace.n_heads + trace.n_conv_heads
        recomposed = torch.einsum("hij,hjd->id", alpha, f) + bias
        np.testing.assert_allclose(recomposed.numpy(), projections[layer].numpy(), atol=1e-5)
        t_vec, e, _ = C.alti_vectors(lm, trace, layer)
        np.testing.assert_allclose((t_vec.sum(1) + e).numpy(), norms[layer].numpy(), atol=1e-5)


# ---------------------------------------------------------------- oracles on the bundled models
def test_norm_decomposition_reproduces_output_projection_bert(bert):
    trace = bc.capture(bert, TEXT)
    check_block_oracles(bert, trace, TEXT)


def test_norm_decomposition_includes_conv_heads_convbert():
    lm = bc.load_model("convbert-minilm-l6")
    trace = bc.capture(lm, TEXT)
    assert trace.n_conv_heads == 6
    check_block_oracles(lm, trace, TEXT)  # would miss by far without the conv heads' value path
    norms = bc.norm_attention(lm, trace)
    assert norms.shape == (6, 12, len(trace), len(trace)) and norms.dtype == np.float32
    band = np.abs(np.arange(len(trace))[:, None] - np.arange(len(trace))[None]) > 4
    assert np.all(norms[:, 6:, band] == 0)  # conv heads reach 4 tokens either side only


def test_norm_attention_is_weight_times_vector_norm(bert):
    """||a f(x)|| with f built here from the value and output weights of layer 1."""
    trace = bc.capture(bert, TEXT)
    layer = 1
    module = bert.model.encoder.layer[layer].attention
    x = torch.tensor(np.array(trace.hidden_states[layer]))
    with torch.no_grad():
        v = module.self.value(x).view(len(trace), 12, 32)
        w = module.output.dense.weight.view(384, 12, 32)
        f = torch.stack([v[:, h] @ w[:, h].T for h in range(12)])  # [H, T, D]
    expected = trace.attentions[layer] * f.norm(dim=-1).numpy()[:, None, :]
    np.testing.assert_allclose(bc.norm_attention(bert, trace)[layer], expected, rtol=1e-4, atol=1e-6)
    layer_mix = torch.einsum("hij,hjd->ijd", torch.tensor(np.array(trace.attentions[layer])), f).norm(dim=-1).numpy()
    np.testing.assert_allclose(
        bc.mixing(bert, trace, "norm")[layer], layer_mix / layer_mix.sum(-1, keepdims=True), rtol=1e-4, atol=1e-6
    )


def test_rollout_equals_explicit_product(bert):
    trace = bc.capture(bert, TEXT)
    T = len(trace)
    mixed = [0.5 * trace.attentions[l].astype(np.float64).mean(0) + 0.5 * np.eye(T) for l in range(trace.n_layers)]
    rolled = bc.mixing(bert, trace, "rollout")
    for layer in range(trace.n_layers):
        product = np.linalg.multi_dot(mixed[layer::-1]) if layer else mixed[0]
        np.testing.assert_allclose(rolled[layer], product, atol=1e-5)
    np.testing.assert_allclose(bc.mixing(bert, trace, "attention", accumulate=True), rolled, atol=1e-6)


def test_flow_on_a_hand_made_graph():
    caps = np.array(
        [
            [[0.5, 0.5], [0.1, 0.9]],  # layer 0
            [[1.0, 0.0], [0.3, 0.7]],  # layer 1
            [[0.6, 0.4], [0.2, 0.8]],
        ]
    )  # layer 2
    flow = C.attention_flow(caps)
    np.testing.assert_allclose(flow[0], caps[0], atol=1e-9)  # one layer: the edges themselves
    np.testing.assert_allclose(flow[1], [[0.5, 0.5], [0.4, 1.0]], atol=1e-9)
    np.testing.assert_allclose(flow[2], [[0.6, 0.9], [0.6, 1.0]], atol=1e-9)  # computed by hand (min cuts)


def test_flow_on_the_model_equals_networkx(bert):
    trace = bc.capture(bert, "The cat sat.")
    T, L = len(trace), trace.n_layers
    mixed = 0.5 * trace.attentions.astype(np.float64).mean(1) + 0.5 * np.eye(T)  # [L, T, T]
    graph = nx.DiGraph()
    for k in range(L):
        for i in range(T):
            for j in range(T):
                graph.add_edge(("layer", k + 1, i), ("layer", k, j), capacity=mixed[k, i, j])
    expected = np.array(
        [[nx.maximum_flow_value(graph, ("layer", L, i), ("layer", 0, j)) for j in range(T)] for i in range(T)]
    )
    flow = bc.mixing(bert, trace, "flow")
    np.testing.assert_allclose(flow[L - 1], expected / expected.sum(-1, keepdims=True), atol=1e-5)
    assert np.allclose(flow.sum(-1), 1, atol=1e-5)
    only = bc.mixing(bert, trace, "flow", layers=[L - 1])
    assert np.isnan(only[0]).all()
    np.testing.assert_allclose(only[L - 1], flow[L - 1])


def test_flow_is_capped(bert):
    trace = bc.capture(bert, " ".join(["word"] * (C.FLOW_MAX_TOKENS + 5)))
    with pytest.raises(C.MethodUnavailable, match=f"capped at {C.FLOW_MAX_TOKENS} tokens") as info:
        bc.mixing(bert, trace, "flow")
    assert info.value.code == "flow_cap" and info.value.params == {"cap": C.FLOW_MAX_TOKENS, "n": len(trace)}
    with pytest.raises(ValueError, match="Unknown method 'value'"):
        bc.mixing(bert, trace, "value")


def test_alti_rows_and_accumulation(bert):
    trace = bc.capture(bert, TEXT)
    alti = bc.mixing(bert, trace, "alti")
    assert alti.shape == (6, len(trace), len(trace)) and alti.min() >= 0
    np.testing.assert_allclose(alti.sum(-1), 1, atol=1e-5)
    t_vec, _, resultant = C.alti_vectors(bert, trace, 3)  # the contribution formula, written out here
    c = np.clip(
        np.abs(resultant.numpy()).sum(-1)[:, None] - np.abs(resultant.numpy()[:, None] - t_vec.numpy()).sum(-1), 0, None
    )
    np.testing.assert_allclose(alti[3], c / c.sum(-1, keepdims=True), atol=1e-5)
    acc = bc.mixing(bert, trace, "alti", accumulate=True)
    np.testing.assert_allclose(acc[2], alti[2] @ alti[1] @ alti[0], atol=1e-5)


# ---------------------------------------------------------------- input attribution
def mean_pooled(model, **inputs) -> torch.Tensor:
    with torch.no_grad():
        return model(**inputs).last_hidden_state.mean(1)[0]


def baseline_of(tokenizer, ids: torch.Tensor) -> torch.Tensor:
    special = torch.tensor([i in tokenizer.all_special_ids for i in ids.tolist()])
    return torch.where(special, ids, torch.tensor(tokenizer.mask_token_id))


def test_integrated_gradients_completeness(bert):
    text = "The animal didn't cross the street because it was too tired."
    enc = bert.tokenizer(text, return_tensors="pt")
    base = dict(enc, input_ids=baseline_of(bert.tokenizer, enc["input_ids"][0])[None])
    f_x, f_b = mean_pooled(bert.model, **enc).norm(), mean_pooled(bert.model, **base).norm()
    scores = bc.attribution(bert, text, "integrated_gradients", target="norm")
    assert scores.shape == (enc["input_ids"].shape[1],) and scores.dtype == np.float32
    assert abs(scores.sum() - float(f_x - f_b)) <= 0.02 * abs(float(f_x - f_b))
    other = "A tired dog stayed at home."
    ref = torch.nn.functional.normalize(mean_pooled(bert.model, **bert.tokenizer(other, return_tensors="pt")), dim=-1)
    cos = lambda v: float(torch.nn.functional.normalize(v, dim=-1) @ ref)
    scores = bc.attribution(bert, text, target="similarity", other=other)
    change = cos(mean_pooled(bert.model, **enc)) - cos(mean_pooled(bert.model, **base))
    assert abs(scores.sum() - change) <= 0.02 * abs(change)


def test_gradient_x_input_matches_autograd(bert):
    enc = bert.tokenizer(TEXT, return_tensors="pt")
    emb = bert.model.embeddings.word_embeddings(enc["input_ids"]).detach().requires_grad_(True)
    out = bert.model(inputs_embeds=emb, token_type_ids=enc["token_type_ids"]).last_hidden_state.mean(1).norm()
    (grad,) = torch.autograd.grad(out, emb)
    expected = (grad * emb).sum(-1)[0].detach().numpy()
    np.testing.assert_allclose(bc.attribution(bert, TEXT, "gradient_x_input"), expected, rtol=1e-4, atol=1e-6)


def test_mask_target_needs_an_mlm_head_and_a_mask(bert, models_root):
    roberta = bc.load_model("tiny-roberta")  # no head, and a vocabulary the bundled masked-word model cannot read
    with pytest.raises(C.MethodUnavailable, match="has no masked-language-model head") as info:
        bc.attribution(roberta, "The <mask> sat.", target="mask")
    assert info.value.code == "no_mlm"
    with pytest.raises(C.MethodUnavailable, match="Unknown target"):
        bc.attribution(bert, TEXT, target="logits")
    with pytest.raises(C.MethodUnavailable, match="Type a second sentence"):
        bc.attribution(bert, TEXT, target="similarity", other="  ")


def test_masked_word_attribution_completeness(mlm_folder):
    from transformers import AutoModelForMaskedLM

    lm, folder = bc.load_model("tiny-bert-mlm"), mlm_folder
    text = "The cat [MASK] on the mat."
    with pytest.raises(C.MethodUnavailable, match=r"Put \[MASK\] in the sentence"):
        bc.attribution(lm, TEXT, target="mask")
    report = C.attribution_report(lm, text, target="mask")
    reference = AutoModelForMaskedLM.from_pretrained(folder, attn_implementation="eager").eval()  # its own copy
    enc = lm.tokenizer(text, return_tensors="pt")
    pos = int((enc["input_ids"][0] == lm.tokenizer.mask_token_id).nonzero()[0])
    with torch.no_grad():
        logits = reference(**enc).logits[0, pos]
        base = reference(**dict(enc, input_ids=baseline_of(lm.tokenizer, enc["input_ids"][0])[None])).logits[0, pos]
    word = int(logits.argmax())
    assert report["predicted"] == lm.tokenizer.convert_ids_to_tokens([word])[0]
    assert report["mask_position"] == pos
    change = float(logits[word] - base[word])
    assert abs(report["f_input"] - float(logits[word])) < 1e-4
    assert abs(report["scores"].sum() - change) <= 0.02 * abs(change)


def test_masked_word_attribution_of_a_model_without_a_head_is_the_bundled_mlm_models(bert):
    """bert-minilm-l6 has no head: the word is guessed, and explained, by bert-minilm-l6-mlm on its own weights."""
    text = "The cat sat on the [MASK]."
    report = C.attribution_report(bert, text, "gradient_x_input", "mask")
    guess = bc.load_model(mlm.GUESSER_ID)
    own = C.attribution_report(guess, text, "gradient_x_input", "mask")
    assert report["model"] == own["model"] == mlm.GUESSER_ID and report["predicted"] == own["predicted"]
    np.testing.assert_allclose(report["scores"], own["scores"], rtol=1e-5, atol=1e-7)
    assert C.attribution_report(bert, text, "gradient_x_input")["model"] == bert.id  # other targets: the model itself


# ---------------------------------------------------------------- every family
@pytest.mark.parametrize("family", FAMILIES)
def test_every_method_on_every_family(models_root, family):
    lm = bc.load_model(f"tiny-{family}")
    text = "The lazy dog." if family == "roberta" else TEXT  # the tiny BPE splits words finely
    trace = bc.capture(lm, text)
    T = len(trace)
    assert T <= C.FLOW_MAX_TOKENS
    check_block_oracles(lm, trace, text)
    norms = bc.norm_attention(lm, trace)
    assert norms.shape == (trace.n_layers, trace.n_heads + trace.n_conv_heads, T, T)
    for method in C.METHODS:
        m = bc.mixing(lm, trace, method)
        assert m.shape == (trace.n_layers, T, T) and m.dtype == np.float32, method
        assert np.isfinite(m).all() and m.min() >= 0, method
        np.testing.assert_allclose(m.sum(-1), 1, atol=1e-5, err_msg=method)
    scores = bc.attribution(lm, text, "integrated_gradients")
    assert scores.shape == (T,) and np.isfinite(scores).all()
    assert bc.attribution(lm, text, "gradient_x_input").shape == (T,)
    if family == "roberta":  # saved with AutoModel (no head), with a vocabulary of its own
        with pytest.raises(C.MethodUnavailable, match="has no masked-language-model head"):
            bc.attribution(lm, text, target="mask")
    else:  # no head, the bundled vocabulary: the bundled masked-word model guesses
        assert C.attribution_report(lm, "The [MASK] sat.", "gradient_x_input", "mask")["model"] == mlm.GUESSER_ID


# ---------------------------------------------------------------- the registry: flags against behaviour
def per_head_matrices(lm, trace, method):
    """The per-head matrices [L, N, T, T] of the methods that have them, built here from the trace or the
    norm decomposition checked above; None for methods that mix a whole layer."""
    if method == "attention":
        return np.stack(
            [
                np.concatenate([trace.attentions[l]] + ([trace.conv_matrices(l)] if trace.n_conv_heads else []))
                for l in range(trace.n_layers)
            ]
        )
    if method == "norm":
        return bc.norm_attention(lm, trace)
    return None


def explicit_product(per_layer, layer, residual):
    """M_layer ... M_0 written out, with M_k = 0.5 A_k + 0.5 I when `residual` (the rollout model)."""
    T = per_layer.shape[-1]
    mats = [
        0.5 * per_layer[k].astype(np.float64) + 0.5 * np.eye(T) if residual else per_layer[k].astype(np.float64)
        for k in range(layer + 1)
    ]
    return np.linalg.multi_dot(mats[::-1]) if layer else mats[0]


def test_registry_lists_every_method_once_in_order():
    assert list(C.METHODS) == ["attention", "norm", "rollout", "flow", "alti"]
    assert all(isinstance(spec, C.MethodSpec) and spec.name == name for name, spec in C.METHODS.items())
    assert C.ACCUMULATED == ("rollout", "flow")
    with pytest.raises(C.MethodUnavailable, match="Unknown method 'softmax'") as info:
        C.method_spec("softmax")
    assert info.value.code == "unknown_method"


@pytest.mark.parametrize("family", ["bert", "convbert"])
def test_registered_flags_agree_with_behaviour(models_root, family):
    lm = bc.load_model(f"tiny-{family}")
    trace = bc.capture(lm, TEXT)
    L, T = trace.n_layers, len(trace)
    for name, spec in C.METHODS.items():
        plain = bc.mixing(lm, trace, name)
        accumulated = bc.mixing(lm, trace, name, accumulate=True)
        if spec.accumulated:  # already accumulated: the switch changes nothing; one layer of flow is its edges
            np.testing.assert_array_equal(accumulated, plain, err_msg=name)
            one_layer = 0.5 * C.attention_mean(trace)[0] + 0.5 * np.eye(T)
            np.testing.assert_allclose(plain[0], one_layer / one_layer.sum(-1, keepdims=True), atol=1e-5, err_msg=name)
        else:  # per layer: accumulating composes layers <= l (ALTI's matrices already hold the residual)
            for layer in range(L):
                np.testing.assert_allclose(
                    accumulated[layer], explicit_product(plain, layer, residual=name != "alti"), atol=1e-5, err_msg=name
                )
        matrices = per_head_matrices(lm, trace, name)
        assert (matrices is not None) == spec.per_head, name
        if spec.per_head:
            assert matrices.shape == (L, trace.n_heads + trace.n_conv_heads, T, T)
        if spec.needs_weights:  # the model's weights are needed: without a model there is nothing to compute
            with pytest.raises(AttributeError):
                bc.mixing(None, trace, name)
        else:  # the captured weights are enough
            np.testing.assert_array_equal(bc.mixing(None, trace, name), plain, err_msg=name)


def test_max_tokens_caps_only_the_methods_that_declare_it(models_root):
    lm = bc.load_model("tiny-bert")
    trace = bc.capture(lm, " ".join(["word"] * (C.FLOW_MAX_TOKENS + 3)))
    capped = [name for name, spec in C.METHODS.items() if spec.max_tokens is not None]
    assert capped == ["flow"] and C.METHODS["flow"].max_tokens == C.FLOW_MAX_TOKENS
    for name, spec in C.METHODS.items():
        if spec.max_tokens is not None and len(trace) > spec.max_tokens:
            with pytest.raises(C.MethodUnavailable) as info:
                bc.mixing(lm, trace, name)
            assert info.value.code == "flow_cap" and info.value.params == {"cap": spec.max_tokens, "n": len(trace)}
        else:
            np.testing.assert_allclose(bc.mixing(lm, trace, name).sum(-1), 1, atol=1e-5, err_msg=name)


def test_attributions_through_int8_kernels_are_flagged_and_float_ones_are_not(bert):
    import bertviz_core as bc
    from bertviz_core.analysis.contributions import attribution_report

    plain = attribution_report(bert, "The cat sat.", "gradient_x_input", "norm")
    assert plain["quantized_layers"] == 0
    int8 = bc.load_model("bert-minilm-l6@int8")
    import torch

    expected = sum(isinstance(m, torch.ao.nn.quantized.dynamic.Linear) for m in int8.model.modules())
    report = attribution_report(int8, "The cat sat.", "gradient_x_input", "norm")
    assert expected > 0 and report["quantized_layers"] == expected
