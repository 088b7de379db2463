"""The DistilBERT students (distilbert2/3/4): transformers' DistilBertModel, started as exact copies of teacher
layers (the teacher's token type 0 folded into the position embeddings), stored compactly."""

from __future__ import annotations

import pytest
import torch
from transformers import AutoTokenizer, BertModel

from bertviz_core.models import student

SENTENCES = ["The cat sat on the mat.", "Attention is what we pay to words."]


@pytest.fixture(scope="module")
def batch():
    tokenizer = AutoTokenizer.from_pretrained(student.teacher_path())
    enc = tokenizer(SENTENCES, padding=True, return_tensors="pt")
    return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]}


def teacher_cut_to(layers: tuple[int, ...]) -> BertModel:
    """The reference: transformers' BertModel of the bundled BERT keeping only `layers`, in that order."""
    bert = BertModel.from_pretrained(student.teacher_path(), attn_implementation="eager").eval()
    bert.encoder.layer = torch.nn.ModuleList([bert.encoder.layer[i] for i in layers])
    bert.config.num_hidden_layers = len(layers)
    return bert


@pytest.mark.parametrize("kind", ["distilbert2", "distilbert3", "distilbert4"])
def test_an_untrained_distilbert_student_computes_what_bert_cut_to_its_teacher_layers_computes(kind, batch):
    model = student.new_student(kind=kind)
    student.init_from_teacher(model, student.teacher_state(), kind=kind)
    assert type(model).__name__ == "DistilBertModel" and model.config.n_layers == len(student.DISTIL_LAYERS[kind])
    reference = teacher_cut_to(student.DISTIL_LAYERS[kind])
    with torch.no_grad():
        ours = model.eval()(**batch, output_hidden_states=True).hidden_states
        theirs = reference(**batch, output_hidden_states=True).hidden_states  # token types 0 by default
    assert len(ours) == len(theirs)
    for layer, (a, b) in enumerate(zip(ours, theirs)):
        real = batch["attention_mask"].bool()
        torch.testing.assert_close(a[real], b[real], atol=1e-4, rtol=0, msg=f"hidden state {layer}")


def test_the_folded_position_embeddings_are_stored_and_the_teacher_s_own_tensors_are_not(tmp_path):
    model = student.new_student(kind="distilbert2")
    student.init_from_teacher(model, student.teacher_state(), kind="distilbert2")
    out = student.save_student(model, tmp_path / "s", kind="distilbert2")
    import json

    from safetensors.torch import load_file

    base = json.loads((out / student.BASE_FILE).read_text())["from_base"]
    stored = load_file(str(out / student.WEIGHTS_FILE))
    assert "embeddings.position_embeddings.weight" in stored
    assert "embeddings.position_embeddings.weight" not in base
    assert "embeddings.word_embeddings.weight" in base and "embeddings.word_embeddings.weight" not in stored
    again = student.load_student(out)
    torch.testing.assert_close(
        again.embeddings.position_embeddings.weight, model.embeddings.position_embeddings.weight, atol=2e-3, rtol=0
    )


def test_the_shipped_distilbert_minilm_l3_loads_as_a_three_layer_distilbert_and_is_captured():
    import bertviz_core as bc

    lm = bc.load_model("distilbert-minilm-l3")
    assert lm.model.config.model_type == "distilbert" and lm.model.config.n_layers == 3
    trace = bc.capture(lm, "The cat sat on the mat.")
    assert trace.attentions.shape[:2] == (3, 12)
    np_rows = trace.attentions.sum(-1)
    torch.testing.assert_close(torch.as_tensor(np_rows), torch.ones_like(torch.as_tensor(np_rows)), atol=1e-4, rtol=0)
