"""bc.next_sentence against transformers' own BertForNextSentencePrediction / BertForPreTraining holding the same
weights: a checkpoint's own head, and the head bundled for bert-minilm-l6; the errors the page shows."""

from __future__ import annotations

import json

import pytest
from conftest import tiny_config

import bertviz_core as bc
from bertviz_core.analysis import next_sentence as ns

A, B = "The cat sat on the mat.", "Then it fell asleep in the sun."


def save_tiny(models_root, name, cls, seed):
    import torch
    from transformers import AutoTokenizer

    from bertviz_core.models import student

    folder = models_root / name
    if not folder.exists():
        torch.manual_seed(seed)
        cls(tiny_config("bert")).save_pretrained(folder)
        AutoTokenizer.from_pretrained(student.teacher_path()).save_pretrained(folder)
    return folder


def reference_probability(model, tokenizer, a, b, logits_of=lambda out: out.logits):
    """P(IsNext) from the transformers model itself: softmax of its logits, index 0 (label 0 = continuation)."""
    import torch

    enc = tokenizer(a, b, return_tensors="pt")
    with torch.no_grad():
        return float(logits_of(model.eval()(**enc)).softmax(-1)[0, 0])


def test_next_sentence_equals_softmax_of_bert_for_next_sentence_prediction_logits(models_root):
    from transformers import AutoTokenizer, BertForNextSentencePrediction

    folder = save_tiny(models_root, "tiny-bert-nsp", BertForNextSentencePrediction, seed=5)
    lm = bc.load_model("tiny-bert-nsp")
    reference = BertForNextSentencePrediction.from_pretrained(folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    for a, b in ((A, B), (B, A), ("Short.", "A much longer second sentence that goes on and on.")):
        result = bc.next_sentence(lm, a, b)
        assert result.probability == pytest.approx(reference_probability(reference, tokenizer, a, b), abs=1e-6)
        assert (result.source, result.model, result.dropped) == ("checkpoint", "tiny-bert-nsp", 0)


def test_next_sentence_uses_the_nsp_head_of_a_bert_for_pretraining_checkpoint(models_root):
    from transformers import AutoTokenizer, BertForPreTraining

    folder = save_tiny(models_root, "tiny-bert-pretraining", BertForPreTraining, seed=6)
    lm = bc.load_model("tiny-bert-pretraining")
    reference = BertForPreTraining.from_pretrained(folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    expected = reference_probability(reference, tokenizer, A, B, lambda out: out.seq_relationship_logits)
    assert bc.next_sentence(lm, A, B).probability == pytest.approx(expected, abs=1e-6)


def test_bundled_head_equals_bert_for_next_sentence_prediction_loaded_with_it(bert):
    from safetensors.torch import load_file
    from transformers import AutoTokenizer, BertForNextSentencePrediction

    from bertviz_core.models import student

    path = ns.BUNDLED_HEADS["bert-minilm-l6"]
    reference = BertForNextSentencePrediction.from_pretrained(student.teacher_path(), attn_implementation="eager")
    missing, unexpected = reference.load_state_dict(load_file(str(path)), strict=False)
    assert not unexpected and not [k for k in missing if "pooler" in k or "seq_relationship" in k]
    tokenizer = AutoTokenizer.from_pretrained(student.teacher_path())
    for a, b in ((A, B), ("I bought a new phone yesterday.", "The treaty was signed in 1794.")):
        result = bc.next_sentence(bert, a, b)
        assert result.probability == pytest.approx(reference_probability(reference, tokenizer, a, b), abs=1e-5)
        assert result.source == "bundled"


def test_bundled_head_card_states_held_out_ewt_test_accuracy_above_chance():
    card = json.loads(ns.BUNDLED_HEADS["bert-minilm-l6"].with_suffix(".json").read_text())
    held_out = card["held_out"]
    assert "test" in held_out["data"] and held_out["chance"] == 0.5
    assert held_out["wilson95"][0] > held_out["chance"]  # the interval's lower end beats chance
    assert held_out["wilson95"][0] <= held_out["accuracy"] <= held_out["wilson95"][1]


@pytest.mark.parametrize("name", ["tiny-bert", "tiny-bert-mlm", "tiny-distilbert"])
def test_models_without_an_nsp_head_raise_no_head(models_root, mlm_folder, name):
    lm = bc.load_model(name)
    with pytest.raises(bc.NextSentenceError) as info:
        bc.next_sentence(lm, A, B)
    assert info.value.code == "no_head"
    assert "next-sentence" in str(info.value)


def test_in_house_student_without_nsp_head_raises_no_head(convbert):
    with pytest.raises(bc.NextSentenceError) as info:
        bc.next_sentence(convbert, A, B)
    assert info.value.code == "no_head"


@pytest.mark.parametrize(("a", "b", "code"), [("", B, "no_a"), (A, "", "no_b"), (A, "   ", "no_b")])
def test_an_empty_sentence_raises_its_code_before_any_model_work(bert, a, b, code):
    with pytest.raises(bc.NextSentenceError) as info:
        bc.next_sentence(bert, a, b)
    assert info.value.code == code and isinstance(info.value, ValueError)


def test_a_pair_longer_than_the_model_takes_is_cut_and_says_by_how_much(models_root):
    from transformers import BertForNextSentencePrediction

    save_tiny(models_root, "tiny-bert-nsp", BertForNextSentencePrediction, seed=5)
    lm = bc.load_model("tiny-bert-nsp")  # 64 positions
    result = bc.next_sentence(lm, "word " * 60, "other " * 30)
    assert result.dropped == 60 + 30 + 3 - lm.max_tokens
    assert 0.0 <= result.probability <= 1.0
