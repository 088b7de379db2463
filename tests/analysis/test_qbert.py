"""Q-BERT variants (bertviz_core.analysis.qbert): group-wise quantization, the bit allocation, `@q=N` and
`@qbert=B` ids (the eigenvalues themselves: tests/analysis/test_hessian.py).

Oracles: quantized values and packed sizes computed by hand; brute force over every bit assignment; the
full-precision model's own outputs (8 bits nearly lossless); the weights of the original model."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
import torch
from conftest import FAMILIES, SHARED

import bertviz_core as bc
from bertviz_core.analysis import compress, compress_measure, qbert

EWT = SHARED / "ud-english-ewt"


def test_quantize_groups_matches_a_hand_computed_two_bit_case():
    w = torch.tensor([[-1.0, 0.3], [2.0, 1.2], [0.12, 0.2], [0.35, 0.6]])
    q, groups = qbert.quantize_groups(w, bits=2, group_rows=2)
    # group 0: range [-1, 2], 4 levels a step of 1 apart: -1, 0, 1, 2
    # group 1: range [0, 0.6] (widened to hold 0), step 0.2: 0, 0.2, 0.4, 0.6
    expected = torch.tensor([[-1.0, 0.0], [2.0, 1.0], [0.2, 0.2], [0.4, 0.6]])
    assert groups == 2 and torch.allclose(q, expected, atol=1e-6)


def test_quantize_groups_gives_a_short_last_group_its_own_range():
    w = torch.tensor([[-2.0, 4.0], [1.2, -0.6], [0.5, 0.2]])  # 3 rows, groups of 2: rows 0-1 and row 2
    q, groups = qbert.quantize_groups(w, bits=2, group_rows=2)
    assert groups == 2
    assert torch.allclose(q[:2], torch.tensor([[-2.0, 4.0], [2.0, 0.0]]))  # step 2, zero on the grid: -2, 0, 2, 4
    assert torch.allclose(q[2], torch.tensor([0.5, 0.1667]), atol=1e-4)  # range [0, 0.5], step 1/6


def test_query_is_quantized_one_head_at_a_time(bert):
    query = bert.model.encoder.layer[0].attention.self.query.weight.detach()
    rows = qbert.head_rows(bert.model)
    assert rows == 32  # 384 / 12 heads
    whole, groups = qbert.quantize_groups(query, 3, rows)
    assert groups == 12
    for h in range(12):  # each head's slice quantized alone gives the same values: one range per head
        alone, _ = qbert.quantize_groups(query[h * rows : (h + 1) * rows], 3, rows)
        assert torch.equal(whole[h * rows : (h + 1) * rows], alone)
        assert len(torch.unique(whole[h * rows : (h + 1) * rows])) <= 2**3


def test_allocation_on_a_hand_computed_two_layer_case():
    errors = np.array([[4.0**-b for b in qbert.BITS]] * 2)
    # mean 3 bits over 2 layers: (2, 4) costs 10/16 + 1/256, (3, 3) 11/64, (4, 2) 10/256 + 1/16 = 0.102: cheapest
    assert qbert.allocate(np.array([10.0, 1.0]), errors, 3) == [4, 2]
    assert qbert.allocate(np.array([10.0, 1.0]), errors, 3, reverse=True) == [2, 4]
    assert qbert.allocate(np.array([1.0, 1.0]), errors, 8) == [8, 8]


def test_allocation_is_the_cheapest_of_every_assignment_within_the_budget():
    rng = np.random.default_rng(0)
    for _ in range(5):
        sens = rng.uniform(0.5, 20, 4)
        errors = np.sort(rng.uniform(0, 1, (4, len(qbert.BITS))), axis=1)[:, ::-1] * rng.uniform(0.5, 2, (4, 1))
        for mean in (2.5, 3, 4.25, 6):
            brute = min(
                (c for c in itertools.product(qbert.BITS, repeat=4) if sum(c) <= mean * 4),
                key=lambda c: sum(sens[i] * errors[i, c[i] - 2] for i in range(4)),
            )
            got = qbert.allocate(sens, errors, mean)
            assert sum(got) <= mean * 4
            cost = sum(sens[i] * errors[i, got[i] - 2] for i in range(4))
            assert cost == pytest.approx(sum(sens[i] * errors[i, brute[i] - 2] for i in range(4)))


def test_reversed_ranks_swap_the_most_and_least_sensitive():
    assert qbert.reversed_ranks(np.array([5.0, 1.0, 3.0, 9.0])).tolist() == [3.0, 9.0, 5.0, 1.0]


def test_variant_ids_parse_and_refuse():
    assert compress.parse_variant("bert-minilm-l6@q=4") == ("bert-minilm-l6", "q", 4)
    assert compress.parse_variant("bert-minilm-l6@qbert=3") == ("bert-minilm-l6", "qbert", 3.0)
    assert compress.parse_variant("owner/name@qbert=3.5") == ("owner/name", "qbert", 3.5)
    for bad in ("x@q=1", "x@q=9", "x@q=10", "x@q=4.5", "x@qbert=1.5", "x@qbert=9", "x@qbert=", "x@qbert=3.12345"):
        with pytest.raises(bc.ModelLoadError) as err:
            bc.load_model(bad)
        assert err.value.reason == "invalid_id", bad


@pytest.fixture(scope="module")
def held_out():
    if not (EWT / "en_ewt-ud-test.conllu").is_file():
        pytest.skip("shared UD EWT data not present")
    return compress.ewt_sample("test", 48, EWT)


def test_eight_bits_are_nearly_lossless_and_fewer_bits_cost_more(bert, held_out):
    cos = {
        n: compress_measure.quality(bc.load_model(f"bert-minilm-l6@q={n}").model, bert.model, bert.tokenizer, held_out)
        for n in (2, 4, 8)
    }
    assert cos[8] > 0.995
    assert cos[2] < cos[4] < cos[8]


def test_q4_quantizes_every_encoder_linear_and_embedding_and_nothing_else(bert):
    q4 = bc.load_model("bert-minilm-l6@q=4")
    assert q4.id == "bert-minilm-l6@q=4" and q4.model is not bert.model and "simulated" in q4.note
    original = dict(bert.model.named_parameters())
    for name, p in q4.model.named_parameters():
        changed = not torch.equal(p, original[name])
        quantized = (
            name.startswith("encoder.layer.")
            and name.endswith("dense.weight")
            or any(name.endswith(f"{k}.weight") for k in ("query", "key", "value", *qbert.EMBEDDINGS))
        )
        assert changed == quantized, name
        if name.startswith("encoder.layer.") and name.endswith(".weight") and "LayerNorm" not in name:
            w = p.detach()
            rows = 32 if name.rsplit(".", 2)[-2] in ("query", "key", "value") else 1
            for g in range(0, w.shape[0], rows * max(1, w.shape[0] // rows // 8)):  # a few groups: <= 16 values each
                assert len(torch.unique(w[g : g + rows])) <= 16, name
    assert torch.equal(q4.model.pooler.dense.weight, bert.model.pooler.dense.weight)


def tiny_bert():
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=20,
        hidden_size=8,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=16,
        max_position_embeddings=16,
        type_vocab_size=2,
    )
    return BertModel(config, add_pooling_layer=False)


def test_packed_size_counted_by_hand():
    model = tiny_bert()
    total = sum(p.numel() for p in model.parameters())
    report = qbert.quantize_model(model, [4, 4])
    # per layer: Q, K, V 8x8 in groups of one head (4 rows): 2 groups each; attention output 8x8, FFN in 16x8,
    # FFN out 8x16: one group per row (8 + 16 + 8). 512 weights at 4 bits; 38 groups of a 32-bit scale + 4-bit zero
    layer = 4 * 512 + 38 * (32 + 4)
    # embeddings at 8 bits, one group per row: word 20x8, position 16x8, token type 2x8
    embeddings = 8 * (160 + 128 + 16) + (20 + 16 + 2) * (32 + 8)
    rest = 32 * (total - 2 * 512 - 304)  # biases, LayerNorms
    assert report.quantized_params == 2 * 512 + 304 and report.groups == 2 * 38 + 38
    assert report.packed_mb * 8 * 2**20 == pytest.approx(2 * layer + embeddings + rest)
    assert report.fp32_mb == pytest.approx(total * 4 / 2**20) and report.mean_bits == 4


@pytest.mark.parametrize("family", FAMILIES)
def test_q3_loads_for_every_family(models_root, family):
    lm = bc.load_model(f"tiny-{family}@q=3")
    report = qbert.quant_report(lm.model)
    assert report is not None and report.bits == [3] * len(qbert.encoder_layers(lm.model))
    trace = bc.capture(lm, "The cat sat.")
    assert np.isfinite(trace.attentions).all()


def test_qbert_uses_the_shipped_eigenvalues_of_the_bundled_bert(bert):
    record = json.loads(qbert.hessian_file("bert-minilm-l6").read_text())
    assert record["model"] == "bert-minilm-l6" and record["loss"] == "distillation"
    assert len(record["layers"]) == 6 and all(layer["omega"] > 0 for layer in record["layers"])
    for layer in record["layers"]:  # each batch's power iteration: its iterations and its estimate after each
        assert [len(h) for h in layer["history"]] == layer["iterations"]
        assert [h[-1] for h in layer["history"]] == layer["eigenvalues"]
    q = bc.load_model("bert-minilm-l6@qbert=3.5")
    bits = qbert.quant_report(q.model).bits
    assert sum(bits) == 21 and len(set(bits)) > 1  # the whole budget, mixed precision
    assert "Hessian" in q.note and "simulated" in q.note


def test_qbert_on_a_model_with_an_mlm_head_uses_the_mlm_loss(mlm_folder):
    lm = bc.load_model("tiny-bert-mlm")
    record = qbert.compute_sensitivity(lm, compress.example_sample(4), "example", qbert.RUNTIME_SETTINGS)
    assert record["loss"] == "mlm" and len(record["layers"]) == 2
    assert all(np.isfinite(layer["eigenvalues"]).all() for layer in record["layers"])
    assert all(p.grad is None for p in lm.model.parameters())  # computed on a copy: the shared model untouched


def test_qbert_computes_small_models_on_first_load_and_refuses_large_ones(models_root, monkeypatch):
    lm = bc.load_model("tiny-electra@qbert=3")
    record = qbert.sensitivity(bc.load_model("tiny-electra"))  # computed by the load above, remembered
    assert record["settings"] == qbert.RUNTIME_SETTINGS and record["loss"] == "distillation"
    assert record["loss_text"] in lm.note and len(record["layers"]) == 2
    assert sum(qbert.quant_report(lm.model).bits) == 6
    monkeypatch.setattr(qbert, "MAX_COMPUTE_PARAMS", 10)
    with pytest.raises(bc.ModelLoadError) as err:
        bc.load_model("tiny-roberta@qbert=3")
    assert "bench/bench_qbert.py --eigen tiny-roberta" in str(err.value)
