"""The "electra" student kind (bertviz_core.models.student): an ElectraForPreTraining of the bundled BERT's shape,
started from the bundled BERT where names map, stored compactly and rebuilt by load_student / load_encoder.
Oracles: the bundled BERT's own tensors and outputs, and the model before saving."""

from __future__ import annotations

import pytest
import torch
from safetensors import safe_open

from bertviz_core.models import families, student


@pytest.fixture(scope="module")
def fresh():
    torch.manual_seed(0)
    model = student.new_student(kind="electra")
    done = student.init_from_teacher(model, student.teacher_state(), kind="electra")
    return model.eval(), done


def test_the_config_has_the_bundled_bert_s_shape_and_no_projection(fresh):
    from transformers import BertConfig

    model, _ = fresh
    teacher = BertConfig.from_pretrained(student.teacher_path())
    c = model.config
    assert type(model).__name__ == "ElectraForPreTraining" and c.model_type == "electra"
    assert c.architectures == ["ElectraForPreTraining"]
    assert c.embedding_size == c.hidden_size == teacher.hidden_size
    assert (c.num_hidden_layers, c.num_attention_heads, c.intermediate_size) == (6, 12, teacher.intermediate_size)
    assert (c.vocab_size, c.pad_token_id) == (teacher.vocab_size, teacher.pad_token_id)
    assert not hasattr(model.electra, "embeddings_project")
    assert families.family_spec(c).replaced_token_detection and families.is_student_family(c.model_type)


def test_every_encoder_tensor_starts_as_bert_s_and_only_the_head_is_new(fresh):
    model, done = fresh
    teacher = student.teacher_state()
    state = model.state_dict()
    new = sorted(set(state) - set(done))
    assert new == [f"discriminator_predictions.{n}" for n in ("dense.bias", "dense.weight")] + [
        f"discriminator_predictions.dense_prediction.{n}" for n in ("bias", "weight")
    ]
    for k in done:
        assert k.startswith("electra.") and torch.equal(state[k], teacher[k.removeprefix("electra.")]), k
    assert len(done) == len(
        [k for k in teacher if k.startswith(("embeddings.", "encoder.")) and "position_ids" not in k]
    )


def test_the_encoder_computes_what_bert_computes_before_training(fresh):
    from transformers import AutoModel

    model, _ = fresh
    bert = AutoModel.from_pretrained(student.teacher_path()).eval()
    ids = torch.tensor([[101, 1996, 4937, 2938, 2006, 1996, 13523, 1012, 102]])
    with torch.no_grad():
        torch.testing.assert_close(
            model.electra(input_ids=ids).last_hidden_state, bert(input_ids=ids).last_hidden_state
        )


def test_the_compact_folder_round_trips_with_the_head(fresh, tmp_path):
    model, _ = fresh
    folder = student.save_student(model, tmp_path / "electra-minilm-l6", kind="electra")
    assert student.student_kind(folder) == "electra"
    with safe_open(str(folder / student.WEIGHTS_FILE), "pt") as f:
        keys = set(f.keys())
        assert all(f.get_tensor(k).dtype == torch.float16 for k in keys)
    assert not any(k.startswith("electra.embeddings.") for k in keys)
    assert "discriminator_predictions.dense.weight" in keys and "electra.encoder.layer.5.output.dense.weight" in keys
    assert sum(p.stat().st_size for p in folder.iterdir()) < 25_000_000
    loaded = student.load_student(folder)
    assert type(loaded).__name__ == "ElectraForPreTraining" and loaded.config._attn_implementation == "eager"
    teacher = student.teacher_state()
    assert torch.equal(loaded.electra.embeddings.word_embeddings.weight, teacher["embeddings.word_embeddings.weight"])
    ids = torch.tensor([[101, 1996, 4937, 2938, 2006, 1996, 13523, 1012, 102]])
    with torch.no_grad():
        torch.testing.assert_close(loaded(input_ids=ids).logits, model(input_ids=ids).logits, atol=0.02, rtol=0.01)
    encoder = student.load_encoder(folder)
    assert type(encoder).__name__ == "ElectraModel"  # what pages capture (FamilySpec "electra")


def test_distillation_refuses_the_kinds_with_a_head(capsys):
    from bertviz_core.training import distill

    for kind in ("electra", "mlm"):  # trained by training.electra, training.mlm
        with pytest.raises(SystemExit):
            distill.main(["--student", kind, "--corpus", "x", "--out", "y"])
        assert "invalid choice" in capsys.readouterr().err
    assert student.has_head("electra") and student.has_head("mlm") and not student.has_head("deberta")
