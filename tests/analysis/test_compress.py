"""Compressed variants (bertviz_core.analysis.compress): ids, int8, head pruning, importance, the /compress page.

Oracles: module types and qschemes of torch.ao's quantized Linear; parameter counts by hand;
attention recomputed by hand from the original model's weights; finite differences for the
importance gradient; random orders for the importance order."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

import bertviz_core as bc
from apptest_util import charts, decode, open_page, texts
from bertviz_core.analysis import compress
from bertviz_core.analysis import interventions as iv

TEXT = "The animal didn't cross the street because it was too tired."


def test_variant_ids_parse_and_refuse():
    assert compress.parse_variant("bert-minilm-l6@int8") == ("bert-minilm-l6", "int8", None)
    assert compress.parse_variant("bert-minilm-l6@prune=30%") == ("bert-minilm-l6", "prune", 0.3)
    assert compress.parse_variant("owner/name@prune=12.5") == ("owner/name", "prune", 0.125)
    for bad in ("bert-minilm-l6@int4", "bert-minilm-l6@prune=100%", "bert-minilm-l6@prune=0%", "@int8",
                "bert-minilm-l6@prune=-3%", "a@int8@int8"):
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
    if not (compress.ewt_dir() / "en_ewt-ud-test.conllu").is_file():
        pytest.skip("shared UD EWT data not present")  # as the syntax tests: CI and this machine have it
    return compress.ewt_sample("test", 48)


def test_int8_linear_layers_are_really_quantized(bert, int8):
    from torch.ao.nn.quantized.dynamic import Linear as QLinear

    assert int8.id == "bert-minilm-l6@int8" and int8.model is not bert.model
    quantized = {n: m for n, m in int8.model.named_modules() if isinstance(m, QLinear)}
    plain = {n for n, m in int8.model.named_modules() if type(m) is torch.nn.Linear}
    ffn_out = {f"encoder.layer.{i}.output.dense" for i in range(6)}
    assert plain == ffn_out                                   # only the FFN output projections stay fp32
    assert len(quantized) == 6 * 5 + 1                        # q, k, v, attention output, FFN in; pooler
    for m in quantized.values():
        w = m.weight()
        assert w.dtype == torch.qint8 and w.qscheme() == torch.per_channel_affine
        assert w.q_per_channel_scales().numel() == w.shape[0]  # one scale per output row
    assert all(type(m) is torch.nn.Linear for m in bert.model.modules() if isinstance(m, torch.nn.Linear))  # original intact


def test_int8_cosine_meets_the_stated_threshold(bert, int8, held_out):
    cosine = compress.quality(int8.model, bert.model, bert.tokenizer, held_out)
    assert cosine >= compress.INT8_MIN_COSINE, cosine
    assert cosine < 1.0
    trace = bc.capture(int8, TEXT)                            # capture works on the variant
    assert trace.model_id == "bert-minilm-l6@int8" and trace.attentions.shape[:2] == (6, 12)


def test_pruned_variant_has_fewer_parameters(bert, pruned):
    kept = pruned.model._bertviz_kept
    removed = sum(12 - len(k) for k in kept.values())
    assert removed == round(0.3 * 72) and all(len(k) >= 1 for k in kept.values())
    per_head = 3 * (384 * 32 + 32) + 32 * 384                 # q, k, v rows (+ bias) and output-projection columns
    assert compress.n_parameters(bert.model) - compress.n_parameters(pruned.model) == removed * per_head
    assert pruned.model.encoder.layer[0].attention.self.query.out_features == 32 * len(kept[0])


def test_pruned_remaining_heads_equal_manual_recomputation(bert, pruned):
    trace = bc.capture(pruned, TEXT)
    kept = pruned.model._bertviz_kept
    for layer, heads in kept.items():
        x = torch.from_numpy(np.array(trace.hidden_states[layer]))         # this layer's input, pruned model
        att = bert.model.encoder.layer[layer].attention.self               # the ORIGINAL weights
        for h in range(12):
            if h not in heads:
                assert not trace.attentions[layer, h].any()                # removed: all zero
                continue
            rows = slice(32 * h, 32 * (h + 1))
            with torch.no_grad():
                q = x @ att.query.weight[rows].T + att.query.bias[rows]
                k = x @ att.key.weight[rows].T + att.key.bias[rows]
                expected = torch.softmax(q @ k.T / 32 ** 0.5, -1).numpy()
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
                            outs.append(compress.mean_pool(model64(**enc).last_hidden_state, enc["attention_mask"]))
                total += ((outs[0] - outs[1]) / (2 * eps)).norm().item()
            expected[layer, head] = total / len(sentences)
    np.testing.assert_allclose(got, expected, rtol=2e-3, atol=1e-6)
    normalised = compress.compute_head_importance(lm, sentences)
    np.testing.assert_allclose(np.linalg.norm(normalised, axis=1), 1.0, rtol=1e-6)


def test_importance_order_beats_random_order(bert, held_out, one_thread):
    importance = compress.head_importance(bert)                 # shipped, computed on EWT dev
    sample = held_out[:24]
    reference = compress.pooled_reference(bert, sample)
    for fraction in (0.3, 0.5):
        by_importance = compress.gated_quality(bert, compress.prune_plan(importance, fraction, 12), sample, reference)
        by_chance = [compress.gated_quality(bert, compress.prune_plan(compress.random_scores((6, 12), seed), fraction, 12),
                                            sample, reference) for seed in range(3)]
        assert by_importance > np.mean(by_chance), (fraction, by_importance, by_chance)


def test_prune_plan_keeps_a_head_per_layer():
    scores = np.zeros((3, 4))
    scores[0] = [0.0, 0.1, 0.2, 0.3]                           # layer 0 least important everywhere
    scores[1:] = 1.0
    plan = compress.prune_plan(scores, 0.5, 4)                 # 6 heads: 3 from layer 0, then 3 more
    assert plan[0] == [0, 1, 2] and sum(map(len, plan.values())) == 6


def test_convbert_cannot_be_pruned_and_says_why():
    with pytest.raises(bc.ModelLoadError) as err:
        bc.load_model("convbert-minilm-l6@prune=30%")
    assert err.value.reason == "unsupported_family" and "convolution" in str(err.value)


def test_attention_change(bert, pruned):
    a = bc.capture(bert, TEXT)
    assert not compress.attention_change(a, a).any()
    js = compress.attention_change(a, bc.capture(pruned, TEXT))
    removed = [(l, h) for l, k in pruned.model._bertviz_kept.items() for h in range(12) if h not in k]
    assert all(np.isnan(js[l, h]) for l, h in removed)
    assert np.isfinite(js).sum() == 72 - len(removed) and not js[0][np.isfinite(js[0])].any()  # layer 0 input same


def test_compress_page_shows_variants_curve_and_head_change():
    at = open_page("compress", text="The cat sat on the mat.")
    assert not at.exception
    table = at.dataframe[0].value
    ids = list(table.iloc[:, 0])
    assert ids[:4] == ["bert-minilm-l6", "bert-minilm-l6@int8", "bert-minilm-l6@prune=30%", "bert-minilm-l6@prune=50%"]
    assert table.iloc[1, 6] >= compress.INT8_MIN_COSINE and table.iloc[1, 2] < table.iloc[0, 2]
    assert "/compare?model_a=bert-minilm-l6&model_b=bert-minilm-l6%40int8" in list(table.iloc[:, 7])
    page_text = texts(at)
    assert "Measured on" in page_text and "Michel et al." in page_text and "Q-BERT" in page_text
    if not compress.distilled_available():
        assert "distilbert-minilm-l3" in page_text and "still being trained" in page_text
    specs = {s["layout"]["title"]["text"][:20]: s for s in charts(at)}
    curve = next(s for k, s in specs.items() if k.startswith("Pruning curve"))
    assert [tr.get("name") for tr in curve["data"]][1:] == ["random order (mean of 3; band: min-max)",
                                                            "importance order (Michel et al.)"]
    js = decode(next(s for k, s in specs.items() if k.startswith("Attention change"))["data"][0]["z"])
    assert js.shape == (6, 12) and js.max() < 0.05          # int8 barely moves attention


def test_compress_page_in_chinese_and_for_convbert():
    from streamlit.testing.v1 import AppTest

    from conftest import ROOT

    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=300)
    at.query_params.update(text="The cat sat.", lang="zh")
    at.session_state["cz_base"] = "convbert-minilm-l6"
    at.run()
    at.switch_page("../pages/compress.py")
    at.run()
    assert not at.exception
    assert "ConvBERT" in texts(at) and "剪枝" in texts(at)
    assert list(at.dataframe[0].value.iloc[:, 0]) == ["convbert-minilm-l6", "convbert-minilm-l6@int8"]
    js = decode(next(s for s in charts(at) if "JS" in s["layout"]["title"]["text"])["data"][0]["z"])
    assert js.shape == (6, 12)                               # 6 attention + 6 conv heads


def test_compare_page_opens_a_variant():
    at = open_page("compare", model_a="bert-minilm-l6", model_b="bert-minilm-l6@int8", text="The cat sat.")
    assert not at.exception
    assert charts(at)


@pytest.fixture
def fake_distilled(tmp_path, monkeypatch):
    """An untrained 3-layer student (teacher layers 0, 3, 5) in a stand-in weights folder, then every
    cache that saw it emptied, so the real distilbert-minilm-l3 is never shadowed."""
    from app import state
    from bertviz_core.models import loading
    from bertviz_core.models import registry
    from bertviz_core.models import student

    weights = tmp_path / "weights"
    weights.mkdir()
    for item in registry.WEIGHTS_DIR.iterdir():
        (weights / item.name).symlink_to(item)
    if (weights / compress.DISTILLED_ID).exists():
        (weights / compress.DISTILLED_ID).unlink()
    model = student.new_student(kind="bert3")
    student.init_from_teacher(model, student.teacher_state(), kind="bert3")
    student.save_student(model, weights / compress.DISTILLED_ID, kind="bert3")
    monkeypatch.setattr(registry, "WEIGHTS_DIR", weights)

    def forget():
        with loading._cache_lock:
            loading._cache.pop(("registry", compress.DISTILLED_ID), None)
        with state._traces_lock:
            for key in [k for k in state._traces if k[0] == compress.DISTILLED_ID]:
                del state._traces[key]
    forget()
    yield
    forget()


def test_compress_page_includes_the_distilled_student_when_shipped(fake_distilled):
    from streamlit.testing.v1 import AppTest

    from conftest import ROOT

    assert compress.distilled_available()
    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=300)
    at.query_params["text"] = "The cat sat on the mat."
    at.session_state["cz_variant"] = compress.DISTILLED_ID
    at.run()
    at.switch_page("../pages/compress.py")
    at.run()
    assert not at.exception
    assert compress.DISTILLED_ID in list(at.dataframe[0].value.iloc[:, 0])
    assert "still being trained" not in texts(at)
    spec = next(s for s in charts(at) if s["layout"]["title"]["text"].startswith("Attention change"))
    assert decode(spec["data"][0]["z"]).shape == (3, 12)
    assert spec["data"][0]["y"] == ["L0 (teacher L0)", "L1 (teacher L3)", "L2 (teacher L5)"]
    # an untrained copy of teacher layers 0, 3, 5: student layer 0 IS teacher layer 0 (same input, same weights)
    assert np.allclose(decode(spec["data"][0]["z"])[0], 0, atol=1e-5)
