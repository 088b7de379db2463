"""The family specs (bertviz_core.models.families) against the models themselves.

Oracles: each tiny random checkpoint's own modules, outputs and position ids (read by a hook of
our own on its position embedding), scipy's softmax for the attention recomputation and the
conv kernels, and transformers' own XLM-RoBERTa (built from its config, no checkpoint needed)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import FAMILIES, tiny_config
from scipy.special import softmax

import bertviz_core as bc
from bertviz_core.models import families, registry
from bertviz_core.models.families import FamilySpec, UnsupportedFamily, family_spec

TEXT = "The quick brown fox jumps over the lazy dog."


@pytest.fixture(scope="module")
def tiny(models_root):
    return {family: bc.load_model(f"tiny-{family}") for family in FAMILIES}


def attention_modules(model, spec):
    """By class name, walking the model here (not through bertviz_core's cached hook targets)."""
    return [(n, m) for n, m in model.named_modules() if type(m).__name__ == spec.attention_class]


def test_every_family_the_app_lists_or_tests_has_a_spec():
    assert set(FAMILIES) | {e.family for e in registry.REGISTRY} | {"xlm-roberta"} == set(families.SPECS)
    assert families.SUPPORTED == tuple(sorted(families.SPECS))
    for family, spec in families.SPECS.items():
        assert spec.model_type == family and spec.position_scheme in (
            families.LEARNED,
            families.LEARNED_OFFSET,
            families.RELATIVE,
        )
        assert spec.position_description


def test_lookup_by_name_config_model_or_loaded_model(tiny):
    lm = tiny["distilbert"]
    spec = families.SPECS["distilbert"]
    assert family_spec("distilbert") is spec
    assert family_spec(lm) is spec and family_spec(lm.model) is spec and family_spec(lm.model.config) is spec


@pytest.mark.parametrize("unknown", ["gpt2", "", "BERT", None])
def test_an_unknown_family_is_refused_with_the_supported_list(unknown):
    with pytest.raises(UnsupportedFamily) as info:
        family_spec(unknown)
    assert str(info.value) == f"Model type '{unknown}' is not supported (supported: {', '.join(families.SUPPORTED)})."
    assert info.value.family == unknown and not families.is_supported(unknown)


def test_an_unknown_model_or_config_is_refused_by_its_model_type():
    from transformers import GPT2Config

    with pytest.raises(UnsupportedFamily, match="Model type 'gpt2' is not supported"):
        family_spec(GPT2Config())
    assert not families.is_supported(["bert"]) and not families.is_supported({"bert": 1})  # JSON may hold anything


@pytest.mark.parametrize("family", FAMILIES)
def test_attention_modules_exist_and_return_the_probabilities_as_the_spec_says(tiny, family):
    lm = tiny[family]
    spec = family_spec(family)
    found = attention_modules(lm.model, spec)
    layers = lm.model.config.num_hidden_layers
    assert len(found) == (1 if spec.shared_attention else layers)
    seen = []
    handle = found[0][1].register_forward_hook(lambda m, a, out: seen.append(out[1] if len(out) > 1 else None))
    try:
        with torch.no_grad():
            lm.model(**lm.tokenizer(TEXT, return_tensors="pt"))  # not asked for attentions
    finally:
        handle.remove()
    assert (seen[0] is None) == spec.needs_output_attentions


@pytest.mark.parametrize("family", FAMILIES)
def test_output_projection_takes_every_slot_and_the_slots_match_the_captured_heads(tiny, family):
    lm = tiny[family]
    spec = family_spec(family)
    config = lm.model.config
    name, module = attention_modules(lm.model, spec)[0]
    projection = spec.output_projection_of(lm.model, name, module)
    n_attn, n_conv = spec.slot_counts(config)
    size = module.attention_head_size
    hidden = getattr(config, "hidden_size", None) or config.dim
    assert isinstance(projection, torch.nn.Linear)
    assert projection.in_features == (n_attn + n_conv) * size and projection.out_features == hidden
    trace = bc.capture(lm, TEXT)
    assert trace.n_heads == n_attn and trace.n_conv_heads == n_conv
    for proj in spec.qkv:
        assert getattr(module, proj).out_features == n_attn * size
    assert getattr(module, spec.heads_attr) == n_attn


def test_resolve_parent_climbs_and_descends():
    lm_model = torch.nn.Module()
    lm_model.encoder = torch.nn.Module()
    lm_model.encoder.attention = torch.nn.Module()
    lm_model.encoder.attention.self = torch.nn.Linear(2, 2)
    lm_model.encoder.attention.output = torch.nn.Module()
    lm_model.encoder.attention.output.dense = torch.nn.Linear(2, 2)
    owner, attr = families.resolve_parent(
        lm_model, "encoder.attention.self", lm_model.encoder.attention.self, "../output.dense"
    )
    assert owner is lm_model.encoder.attention.output and attr == "dense"
    owner, attr = families.resolve_parent(lm_model, "encoder", lm_model.encoder, "attention.self")
    assert owner is lm_model.encoder.attention and attr == "self"
    owner, attr = families.resolve_parent(lm_model, "encoder", lm_model.encoder, "../encoder")
    assert owner is lm_model and attr == "encoder"


def position_ids_used(model, enc):
    """The position ids the model's own embeddings look up (a hook of our own on its table)."""
    seen = []
    table = model.embeddings.position_embeddings
    handle = table.register_forward_hook(lambda m, args, out: seen.append(args[0]))
    try:
        with torch.no_grad():
            model(**enc)
    finally:
        handle.remove()
    return seen[0][0].tolist()


@pytest.mark.parametrize("family", [f for f in FAMILIES if f != "deberta-v2"])
def test_position_offset_reproduces_the_models_own_position_ids(tiny, family):
    lm = tiny[family]
    spec = family_spec(family)
    enc = lm.tokenizer(TEXT, return_tensors="pt")
    T = enc["input_ids"].shape[1]
    offset = spec.position_offset(lm.model.config)
    assert position_ids_used(lm.model, enc) == list(range(offset, offset + T))
    assert spec.has_absolute_positions(lm.model.config)
    assert offset == (lm.model.config.pad_token_id + 1 if family == "roberta" else 0)


def test_xlm_roberta_positions_start_after_padding_too():
    from transformers import XLMRobertaConfig, XLMRobertaModel

    config = XLMRobertaConfig(
        vocab_size=100,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=4,
        intermediate_size=37,
        max_position_embeddings=40,
        pad_token_id=1,
    )
    model = XLMRobertaModel(config).eval()
    spec = family_spec(model)
    assert attention_modules(model, spec)
    ids = torch.tensor([[0, 5, 6, 7, 2]])
    assert (
        position_ids_used(model, {"input_ids": ids})
        == [2, 3, 4, 5, 6]
        == [spec.position_offset(config) + i for i in range(5)]
    )


def test_deberta_has_absolute_positions_only_when_its_config_says_so():
    from transformers import DebertaV2Model

    spec = family_spec("deberta-v2")
    off = tiny_config("deberta-v2")
    assert not off.position_biased_input and not spec.has_absolute_positions(off)
    assert getattr(DebertaV2Model(off).embeddings, "position_embeddings", None) is None
    on = tiny_config("deberta-v2")
    on.position_biased_input = True
    assert spec.has_absolute_positions(on)
    assert isinstance(DebertaV2Model(on).embeddings.position_embeddings, torch.nn.Embedding)


def test_the_input_limit_follows_the_position_table_or_the_tokenizer(tiny):
    for family, lm in tiny.items():
        spec = family_spec(family)
        if spec.max_tokens_from_tokenizer:
            assert lm.max_tokens == min(lm.tokenizer.model_max_length, 512)
        else:
            table = lm.model.embeddings.position_embeddings.num_embeddings
            assert lm.max_tokens == table - spec.position_offset(lm.model.config), family
    assert tiny["roberta"].max_tokens == 66 - 2  # padding_idx 1: rows 0 and 1 are never used


@pytest.mark.parametrize("family", FAMILIES)
def test_plain_scores_are_reproduced_from_the_query_and_key_layers(tiny, family):
    """softmax(q k^T / sqrt(d)) from the spec's query/key layers on layer 0's input equals the captured
    attention exactly where the spec says the scores are plain (not for DeBERTa's relative terms)."""
    lm = tiny[family]
    spec = family_spec(family)
    trace = bc.capture(lm, TEXT)
    _, module = attention_modules(lm.model, spec)[0]
    x = torch.from_numpy(np.array(trace.hidden_states[0]))
    d = module.attention_head_size
    with torch.no_grad():
        q = getattr(module, spec.qkv[0])(x).numpy().reshape(len(trace), -1, d).transpose(1, 0, 2)
        k = getattr(module, spec.qkv[1])(x).numpy().reshape(len(trace), -1, d).transpose(1, 0, 2)
    recomputed = softmax(q @ k.transpose(0, 2, 1) / np.sqrt(d), axis=-1)
    matches = np.allclose(recomputed, trace.attentions[0], atol=1e-5)
    assert matches == spec.plain_scores


def test_conv_kernels_are_head_major_softmaxes_by_hand():
    conv = families.ConvHeads()
    T, C, K = 3, 2, 4
    logits = np.arange(T * C * K, dtype=np.float32).reshape(T, C * K) / 7.0
    logits[1, 5] = 3.0
    got = conv.kernels(torch.from_numpy(logits), K).numpy()
    assert got.shape == (C, T, K)
    for t in range(T):
        for c in range(C):
            np.testing.assert_allclose(got[c, t], softmax(logits[t, c * K : (c + 1) * K]), rtol=1e-6)


def test_convbert_conv_heads_from_the_config_and_the_captured_kernels(tiny):
    lm = tiny["convbert"]
    spec = family_spec("convbert")
    config = lm.model.config
    assert spec.conv_heads and spec.conv.kernel_size(config) == config.conv_kernel_size == 9
    assert spec.slot_counts(config) == (2, 2)  # 4 heads, head_ratio 2
    _, module = attention_modules(lm.model, spec)[0]
    kernel_layer = getattr(module, spec.conv.kernel_layer)
    assert kernel_layer.out_features == 2 * 9
    assert isinstance(getattr(module, spec.conv.value_layer), torch.nn.Linear)
    trace = bc.capture(lm, TEXT)
    assert trace.conv_kernels.shape == (2, 2, len(trace), 9)
    assert not any(family_spec(f).conv_heads for f in FAMILIES if f != "convbert")


def test_only_the_families_whose_heads_can_be_cut_are_prunable():
    assert families.PRUNABLE == ("bert", "roberta", "xlm-roberta", "electra", "distilbert")
    assert family_spec("convbert").prune_note and not family_spec("convbert").prunable


def test_student_folders_hold_a_convbert_a_bert_a_distilbert_a_deberta_or_an_electra():
    assert [f for f in families.SUPPORTED if families.is_student_family(f)] == [
        "bert",
        "convbert",
        "deberta-v2",
        "distilbert",
        "electra",
    ]


def test_a_spec_is_frozen():
    with pytest.raises(AttributeError):
        family_spec("bert").prunable = False  # type: ignore[misc]
    assert FamilySpec("x", "X").position_offset(tiny_config("bert")) == 0
