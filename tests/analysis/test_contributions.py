"""Beyond attention weights (bertviz_core.analysis.contributions) against independent references, and the /contributions page.

Oracles: the model's own outputs captured with our own hooks here (output projection, LayerNorm),
explicit matrix products, hand-computed max-flows, networkx run here on a graph built here, and
f(input) - f(baseline) computed by running the model directly."""
from __future__ import annotations

import shutil
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import torch

import bertviz_core as bc
from bertviz_core.analysis import contributions as C
from conftest import FAMILIES, tiny_config

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
    "albert": ("encoder.albert_layer_groups.0.albert_layers.0.attention.dense",
               "encoder.albert_layer_groups.0.albert_layers.0.attention.LayerNorm"),
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
        f = torch.stack([v[:, h] @ w[:, h].T for h in range(12)])         # [H, T, D]
    expected = trace.attentions[layer] * f.norm(dim=-1).numpy()[:, None, :]
    np.testing.assert_allclose(bc.norm_attention(bert, trace)[layer], expected, rtol=1e-4, atol=1e-6)
    layer_mix = torch.einsum("hij,hjd->ijd", torch.tensor(np.array(trace.attentions[layer])), f).norm(dim=-1).numpy()
    np.testing.assert_allclose(bc.mixing(bert, trace, "norm")[layer], layer_mix / layer_mix.sum(-1, keepdims=True),
                               rtol=1e-4, atol=1e-6)


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
    caps = np.array([[[0.5, 0.5], [0.1, 0.9]],     # layer 0
                     [[1.0, 0.0], [0.3, 0.7]],     # layer 1
                     [[0.6, 0.4], [0.2, 0.8]]])    # layer 2
    flow = C.attention_flow(caps)
    np.testing.assert_allclose(flow[0], caps[0], atol=1e-9)               # one layer: the edges themselves
    np.testing.assert_allclose(flow[1], [[0.5, 0.5], [0.4, 1.0]], atol=1e-9)
    np.testing.assert_allclose(flow[2], [[0.6, 0.9], [0.6, 1.0]], atol=1e-9)  # computed by hand (min cuts)


def test_flow_on_the_model_equals_networkx(bert):
    trace = bc.capture(bert, "The cat sat.")
    T, L = len(trace), trace.n_layers
    mixed = 0.5 * trace.attentions.astype(np.float64).mean(1) + 0.5 * np.eye(T)   # [L, T, T]
    graph = nx.DiGraph()
    for k in range(L):
        for i in range(T):
            for j in range(T):
                graph.add_edge(("layer", k + 1, i), ("layer", k, j), capacity=mixed[k, i, j])
    expected = np.array([[nx.maximum_flow_value(graph, ("layer", L, i), ("layer", 0, j)) for j in range(T)]
                         for i in range(T)])
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
    c = np.clip(np.abs(resultant.numpy()).sum(-1)[:, None] - np.abs(resultant.numpy()[:, None] - t_vec.numpy()).sum(-1), 0, None)
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
    cos = lambda v: float(torch.nn.functional.normalize(v, dim=-1) @ ref)  # noqa: E731
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
    with pytest.raises(C.MethodUnavailable, match="has no masked-language-model head") as info:
        bc.attribution(bert, "The [MASK] sat.", target="mask")
    assert info.value.code == "no_mlm"
    with pytest.raises(C.MethodUnavailable, match="Unknown target"):
        bc.attribution(bert, TEXT, target="logits")
    with pytest.raises(C.MethodUnavailable, match="Type a second sentence"):
        bc.attribution(bert, TEXT, target="similarity", other="  ")


@pytest.fixture(scope="module")
def tiny_mlm(models_root):
    """A tiny BertForMaskedLM (random, head included) saved with save_pretrained."""
    from transformers import AutoTokenizer, BertForMaskedLM

    from bertviz_core.models import student

    folder = models_root / "tiny-bert-mlm"
    if not folder.exists():
        torch.manual_seed(1)
        BertForMaskedLM(tiny_config("bert")).save_pretrained(folder)
        AutoTokenizer.from_pretrained(student.teacher_path()).save_pretrained(folder)
    return bc.load_model("tiny-bert-mlm"), folder


def test_masked_word_attribution_completeness(tiny_mlm):
    from transformers import AutoModelForMaskedLM

    lm, folder = tiny_mlm
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
    with pytest.raises(C.MethodUnavailable, match="has no masked-language-model head"):
        bc.attribution(lm, text, target="mask")  # saved with AutoModel: no head


# ---------------------------------------------------------------- the page
def test_contributions_page_draws_both_heatmaps(bert):
    from apptest_util import charts, decode, open_page, texts
    from bertviz_core.figures.core import token_labels

    at = open_page("contributions", model="bert-minilm-l6", text=TEXT, layer="2", contrib_method="alti")
    assert not at.exception
    trace = bc.capture(bert, TEXT)
    heat = charts(at)[0]["data"]
    assert [d["type"] for d in heat] == ["heatmap", "heatmap"]
    for d in heat:
        assert d["x"] == token_labels(trace.tokens) and d["y"] == token_labels(trace.tokens)
    np.testing.assert_allclose(decode(heat[0]["z"]), C.attention_mean(trace)[2], atol=1e-6)
    np.testing.assert_allclose(decode(heat[1]["z"]), bc.mixing(bert, trace, "alti")[2], atol=1e-6)
    kinds = [[d["type"] for d in spec["data"]] for spec in charts(at)]
    assert kinds[1:] == [["bar", "bar"], ["bar"]]  # what the output draws on; input attribution
    assert "Ferrando" in texts(at) and "completeness gap" in texts(at)


def test_contributions_page_convbert_and_flow_cap():
    from apptest_util import charts, open_page, texts

    long_text = "The animal didn't cross the busy street yesterday because it was far too tired."
    at = open_page("contributions", model="convbert-minilm-l6", text=long_text, contrib_method="flow", lang="zh")
    assert not at.exception
    assert f"上限为 {C.FLOW_MAX_TOKENS} 个词元" in texts(at)   # capped, said so, rollout shown instead
    assert "卷积头" in texts(at)
    assert [d["type"] for d in charts(at)[0]["data"]] == ["heatmap", "heatmap"]


def test_contributions_page_on_an_int8_model_says_why_norm_and_alti_do_not_apply():
    from apptest_util import charts, open_page

    def warnings(at):
        return [str(w.value) for w in at.warning]

    int8_reason = ("Its weights are stored as packed int8, and this method needs the float weights of the value and "
                   "output projections. Compare the original model (without @int8) instead.")
    at = open_page("contributions", model="bert-minilm-l6@int8", text=TEXT, layer="2", contrib_method="norm")
    assert not at.exception
    (w,) = warnings(at)
    assert w.startswith("Norm-based attention ‖αf(x)‖ does not apply to ") and int8_reason in w
    assert [d["type"] for d in charts(at)[0]["data"]] == ["bar"]  # no heatmaps; input attribution still drawn
    at.selectbox(key="contrib_method").set_value("alti").run()
    assert not at.exception
    (w,) = warnings(at)
    assert w.startswith("ALTI") and int8_reason in w
    at.selectbox(key="contrib_method").set_value("rollout").run()  # needs attention only: works on int8
    assert not at.exception and not warnings(at)
    assert [d["type"] for d in charts(at)[0]["data"]] == ["heatmap", "heatmap"]

    at = open_page("contributions", model="bert-minilm-l6@int8", text=TEXT, contrib_method="alti", lang="zh")
    assert not at.exception
    (w,) = warnings(at)
    assert "它的权重以压缩的 int8 形式存储" in w and "不适用于" in w


def test_contributions_method_from_the_link_is_validated_in_the_url_table():
    from apptest_util import charts, open_page

    from app import state

    assert state.parse_url({"contrib_method": ["rollout"]}) == ({"contrib_method": "rollout"}, [])
    at = open_page("contributions", model="bert-minilm-l6", text=TEXT, contrib_method="softmax")
    assert not at.exception
    assert "The link's value for 'contrib_method' cannot be used (softmax); the default is used instead." in [
        str(w.value) for w in at.warning]
    assert at.selectbox(key="contrib_method").value == "norm"
    at = open_page("contributions", model="bert-minilm-l6", text=TEXT, layer="1", contrib_method="rollout")
    assert not at.exception and not at.warning
    assert at.selectbox(key="contrib_method").value == "rollout"
    titles = [a["text"] for a in charts(at)[0]["layout"]["annotations"]]
    assert any(title.startswith("Attention rollout") for title in titles), titles


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.skipif(not Path(CHROMIUM).exists() and not shutil.which("chromium"), reason="Chromium not installed")
def test_contributions_in_chromium(app_server):
    from browser_util import browser, heatmap_labels, screenshot, wait_for_plot
    from bertviz_core.figures.core import token_labels

    artifacts = Path(__file__).resolve().parents[1] / "artifacts"
    artifacts.mkdir(exist_ok=True)
    with browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1800})
        page.goto(f"{app_server}/contributions?model=bert-minilm-l6&text=The%20cat%20sat.&contrib_method=norm")
        wait_for_plot(page, count=3, timeout=240_000)  # first page of a fresh server: model load, capture, IG
        labels = heatmap_labels(page)
        assert labels["x"] == token_labels(["[CLS]", "the", "cat", "sat", ".", "[SEP]"]) and labels["y"] == labels["x"]
        right = page.evaluate("document.querySelector('.js-plotly-plot')._fullData[1].x")
        assert right == labels["x"]
        assert "Traceback" not in page.inner_text("body")
        screenshot(page, artifacts / "contributions.png")
