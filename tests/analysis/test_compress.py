"""Compressed variants (bertviz_core.analysis.compress): ids, int8, head pruning, importance (the /compress
page: tests/app/test_compress_page.py).

Oracles: module types and qschemes of torch.ao's quantized Linear; parameter counts by hand;
attention recomputed by hand from the original model's weights; finite differences for the
importance gradient; random orders for the importance order."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import FAMILIES, SHARED

import bertviz_core as bc
from bertviz_core.analysis import compress, compress_measure
from bertviz_core.analysis import interventions as iv
from bertviz_core.models import families, pooling

EWT = SHARED / "ud-english-ewt"

TEXT = "The animal didn't cross the street because it was too tired."


def test_variant_ids_parse_and_refuse():
    assert compress.parse_variant("bert-minilm-l6@int8") == ("bert-minilm-l6", "int8", None)
    assert compress.parse_variant("bert-minilm-l6@prune=30%") == ("bert-minilm-l6", "prune", 0.3)
    assert compress.parse_variant("owner/name@prune=12.5") == ("owner/name", "prune", 0.125)
    for bad in (
        "bert-minilm-l6@int4",
        "bert-minilm-l6@prune=100%",
        "bert-minilm-l6@prune=0%",
        "@int8",
        "bert-minilm-l6@prune=-3%",
        "a@int8@int8",
    ):
        with pytest.raises(bc.ModelLoadError) as err:
            bc.load_model(bad)
        assert err.value.reason == "invalid_id", bad


@pytest.fixture
def one_thread():
    """Many small forward passes: one thread avoids oversubscribing a shared 2-core machine (10x here)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def int8():
    return bc.load_model("bert-minilm-l6@int8")


@pytest.fixture(scope="module")
def pruned():
    return bc.load_model("bert-minilm-l6@prune=30%")


@pytest.fixture(scope="module")
def held_out():
    if not (EWT / "en_ewt-ud-test.conllu").is_file():
        pytest.skip("shared UD EWT data not present")  # as the syntax tests: CI and this machine have it
    return compress.ewt_sample("test", 48, EWT)


def test_int8_linear_layers_are_really_quantized(bert, int8):
    from torch.ao.nn.quantized.dynamic import Linear as QLinear

    assert int8.id == "bert-minilm-l6@int8" and int8.model is not bert.model
    quantized = {n: m for n, m in int8.model.named_modules() if isinstance(m, QLinear)}
    plain = {n for n, m in int8.model.named_modules() if type(m) is torch.nn.Linear}
    ffn_out = {f"encoder.layer.{i}.output.dense" for i in range(6)}
    assert plain == ffn_out  # only the FFN output projections stay fp32
    assert len(quantized) == 6 * 5 + 1  # q, k, v, attention output, FFN in; pooler
    for m in quantized.values():
        w = m.weight()
        assert w.dtype == torch.qint8 and w.qscheme() == torch.per_channel_affine
        assert w.q_per_channel_scales().numel() == w.shape[0]  # one scale per output row
    assert all(
        type(m) is torch.nn.Linear for m in bert.model.modules() if isinstance(m, torch.nn.Linear)
    )  # original intact


def test_int8_cosine_meets_the_stated_threshold(bert, int8, held_out):
    cosine = compress_measure.quality(int8.model, bert.model, bert.tokenizer, held_out)
    assert cosine >= compress.INT8_MIN_COSINE, cosine
    assert cosine < 1.0
    trace = bc.capture(int8, TEXT)  # capture works on the variant
    assert trace.model_id == "bert-minilm-l6@int8" and trace.attentions.shape[:2] == (6, 12)


def test_pruned_variant_has_fewer_parameters(bert, pruned):
    kept = iv.kept_heads(pruned.model)
    removed = sum(12 - len(k) for k in kept.values())
    assert removed == round(0.3 * 72) and all(len(k) >= 1 for k in kept.values())
    per_head = 3 * (384 * 32 + 32) + 32 * 384  # q, k, v rows (+ bias) and output-projection columns
    assert compress_measure.n_parameters(bert.model) - compress_measure.n_parameters(pruned.model) == removed * per_head
    assert pruned.model.encoder.layer[0].attention.self.query.out_features == 32 * len(kept[0])


def test_pruned_remaining_heads_equal_manual_recomputation(bert, pruned):
    trace = bc.capture(pruned, TEXT)
    kept = iv.kept_heads(pruned.model)
    for layer, heads in kept.items():
        x = torch.from_numpy(np.array(trace.hidden_states[layer]))  # this layer's input, pruned model
        att = bert.model.encoder.layer[layer].attention.self  # the ORIGINAL weights
        for h in range(12):
            if h not in heads:
                assert not trace.attentions[layer, h].any()  # removed: all zero
                continue
            rows = slice(32 * h, 32 * (h + 1))
            with torch.no_grad():
                q = x @ att.query.weight[rows].T + att.query.bias[rows]
                k = x @ att.key.weight[rows].T + att.key.bias[rows]
                expected = torch.softmax(q @ k.T / 32**0.5, -1).numpy()
            np.testing.assert_allclose(trace.attentions[layer, h], expected, atol=2e-5)
    # the pruned model computes what the original computes with those heads switched off
    plan = {l: {h: 0.0 for h in range(12) if h not in k} for l, k in kept.items()}
    enc = bert.tokenizer(TEXT, return_tensors="pt")
    with torch.no_grad(), iv.head_gates(bert.model, plan):
        ablated = bert.model(**enc).last_hidden_state[0].numpy()
    np.testing.assert_allclose(trace.hidden_states[-1], ablated, atol=2e-5)


def test_importance_is_the_gate_gradient(models_root, one_thread):
    """Forward-mode AD against central finite differences of the pooled output, on a tiny BERT."""
    lm = bc.load_model("tiny-bert")
    sentences = ["The quick brown fox jumps.", "A dog sleeps under the old table today."]
    got = compress.compute_head_importance(lm, sentences, normalize=False)
    eps = 1e-3
    expected = np.zeros((2, 4))
    model64 = copy.deepcopy(lm.model).double()  # the finite differences in float64: no rounding noise
    for layer in range(2):
        for head in range(4):
            total = 0.0
            for s in sentences:
                enc = lm.tokenizer(s, return_tensors="pt")
                with torch.no_grad():
                    outs = []
                    for g in (1 + eps, 1 - eps):
                        with iv.head_gates(model64, {layer: {head: g}}):
                            outs.append(pooling.mean_pool(model64(**enc).last_hidden_state, enc["attention_mask"]))
                total += ((outs[0] - outs[1]) / (2 * eps)).norm().item()
            expected[layer, head] = total / len(sentences)
    np.testing.assert_allclose(got, expected, rtol=2e-3, atol=1e-6)
    normalised = compress.compute_head_importance(lm, sentences)
    np.testing.assert_allclose(np.linalg.norm(normalised, axis=1), 1.0, rtol=1e-6)


def test_importance_order_beats_random_order(bert, held_out, one_thread):
    importance = compress.head_importance(bert)  # shipped, computed on EWT dev
    sample = held_out[:24]
    reference = compress_measure.pooled_reference(bert, sample)
    for fraction in (0.3, 0.5):
        by_importance = compress_measure.gated_quality(
            bert, compress.prune_plan(importance, fraction, 12), sample, reference
        )
        by_chance = [
            compress_measure.gated_quality(
                bert, compress.prune_plan(compress.random_scores((6, 12), seed), fraction, 12), sample, reference
            )
            for seed in range(3)
        ]
        assert by_importance > np.mean(by_chance), (fraction, by_importance, by_chance)


def test_prune_plan_keeps_a_head_per_layer():
    scores = np.zeros((3, 4))
    scores[0] = [0.0, 0.1, 0.2, 0.3]  # layer 0 least important everywhere
    scores[1:] = 1.0
    plan = compress.prune_plan(scores, 0.5, 4)  # 6 heads: 3 from layer 0, then 3 more
    assert plan[0] == [0, 1, 2] and sum(map(len, plan.values())) == 6


def test_convbert_cannot_be_pruned_and_says_why():
    with pytest.raises(bc.ModelLoadError) as err:
        bc.load_model("convbert-minilm-l6@prune=30%")
    assert err.value.reason == "unsupported_family" and "convolution" in str(err.value)


def test_attention_change(bert, pruned):
    a = bc.capture(bert, TEXT)
    assert not compress.attention_change(a, a).any()
    js = compress.attention_change(a, bc.capture(pruned, TEXT))
    removed = [(l, h) for l, k in iv.kept_heads(pruned.model).items() for h in range(12) if h not in k]
    assert all(np.isnan(js[l, h]) for l, h in removed)
    assert np.isfinite(js).sum() == 72 - len(removed) and not js[0][np.isfinite(js[0])].any()  # layer 0 input same


# ---------------------------------------------------------------- every family, through its spec
@pytest.mark.parametrize("family", [f for f in FAMILIES if f in families.PRUNABLE])
def test_pruning_a_family_computes_what_ablating_the_same_heads_computes(models_root, family):
    lm = bc.load_model(f"tiny-{family}")
    plan = {0: [1], 1: [0, 3]}
    model = compress.prune_heads(copy.deepcopy(lm.model), plan)
    assert iv.kept_heads(model) == {0: [0, 2, 3], 1: [1, 2]} and iv.kept_heads(lm.model) is None
    size, hidden = iv.head_size(lm.model), 32  # tiny_config: hidden 32, 4 heads of 8
    per_head = 3 * (hidden * size + size) + size * hidden  # q, k, v rows (+ bias) and output-projection columns
    assert compress_measure.n_parameters(lm.model) - compress_measure.n_parameters(model) == 3 * per_head
    enc = lm.tokenizer("The quick brown fox jumps over the dog.", return_tensors="pt")
    with torch.no_grad():
        pruned_out = model(**enc).last_hidden_state
        with iv.head_gates(lm.model, {l: {h: 0.0 for h in hs} for l, hs in plan.items()}):
            gated_out = lm.model(**enc).last_hidden_state
    torch.testing.assert_close(pruned_out, gated_out, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("family", [f for f in FAMILIES if f not in families.PRUNABLE])
def test_families_that_cannot_be_pruned_say_why(models_root, family):
    lm = bc.load_model(f"tiny-{family}")
    with pytest.raises(bc.ModelLoadError) as info:
        compress.prune_heads(copy.deepcopy(lm.model), {0: [0]})
    why = " (its query feeds both its attention heads and its convolution heads)" if family == "convbert" else ""
    assert info.value.reason == "unsupported_family" and str(info.value) == (
        f"Head pruning is not available for {family} models{why}; "
        "it works for bert, roberta, xlm-roberta, electra, distilbert."
    )


# ---------------------------------------------------------------- the sentences head importance is measured on
def test_importance_sentences_come_from_the_package_unless_ewt_is_given(monkeypatch):
    monkeypatch.delenv(compress.EWT_ENV, raising=False)
    assert compress.ewt_dir() is None
    sentences, source = compress.importance_sentences(8)
    shipped = (Path(compress.__file__).parents[1] / "data" / "example_sentences.txt").read_text().splitlines()
    assert len(sentences) == 8 and set(sentences) <= {s.strip() for s in shipped}
    assert sentences == [shipped[i * len(shipped) // 8].strip() for i in range(8)]  # every line has 5-40 words
    assert "example sentences shipped with bertviz_core" in source and compress.EWT_ENV in source
    with pytest.raises(ValueError, match="BERTVIZ_EWT_DIR"):
        compress.ewt_sample("dev", 4)


def test_importance_sentences_read_ewt_from_the_folder_given_or_the_environment(tmp_path, monkeypatch):
    words = ["w"] * 6
    lines = []
    for i in range(10):
        lines += [f"{j + 1}\t{w}{i}\t_\t_\t_\t_\t0\troot\t_\t_" for j, w in enumerate(words)] + [""]
    (tmp_path / "en_ewt-ud-dev.conllu").write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.delenv(compress.EWT_ENV, raising=False)
    given, source = compress.importance_sentences(5, tmp_path)
    assert given == [" ".join(f"w{i}" for _ in words) for i in (0, 2, 4, 6, 8)] and "UD English EWT" in source
    monkeypatch.setenv(compress.EWT_ENV, str(tmp_path))
    assert compress.importance_sentences(5) == (given, source)
    monkeypatch.setenv(compress.EWT_ENV, str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="UD English EWT is not at"):
        compress.importance_sentences(5)


def test_a_pruned_hub_style_model_states_what_its_importance_was_measured_on(models_root, fresh_cache, monkeypatch):
    monkeypatch.delenv(compress.EWT_ENV, raising=False)
    lm = bc.load_model("tiny-bert@prune=25%")
    assert lm.id == "tiny-bert@prune=25%" and sum(4 - len(k) for k in iv.kept_heads(lm.model).values()) == 2  # of 8
    assert "importance measured on the 30 example sentences shipped with bertviz_core" in lm.note
    assert "int8" in bc.load_model("tiny-bert@int8").note
