"""TinyBERT-4 (kind "tinybert4"): its shape, its start (embeddings on the teacher's principal directions), the
attention scores its loss compares (checked against the teacher's own attention probabilities), the two stages of
its loss, and a tiny run that exports the student with its projections."""

from __future__ import annotations

import json

import pytest
import torch
from transformers import AutoTokenizer, BertModel

from bertviz_core.models import student, tinybert
from bertviz_core.training import distill
from bertviz_core.training import tinybert as tinybert_loss


@pytest.fixture(scope="module")
def teacher():
    return BertModel.from_pretrained(student.teacher_path(), attn_implementation="eager").eval()


@pytest.fixture(scope="module")
def batch():
    tokenizer = AutoTokenizer.from_pretrained(student.teacher_path())
    enc = tokenizer(["The cat sat on the mat.", "Words."], padding=True, return_tensors="pt")
    return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]}


@pytest.fixture(scope="module")
def fresh():
    torch.manual_seed(0)
    model = student.new_student(kind="tinybert4")
    done, projections = tinybert.init_from_teacher(model, student.teacher_state())
    return model.eval(), done, projections


def test_the_student_has_tinybert_4_s_shape(fresh):
    c = fresh[0].config
    assert (c.num_hidden_layers, c.hidden_size, c.num_attention_heads, c.intermediate_size) == (4, 312, 12, 1200)
    assert [student.teacher_layer_of("tinybert4", m) for m in range(4)] == [1, 2, 4, 5]


def test_the_embeddings_start_on_the_teacher_s_principal_directions(fresh):
    model, done, projections = fresh
    words = student.teacher_state()["embeddings.word_embeddings.weight"]
    basis = projections.embeddings.weight.detach()  # [384, 312]
    torch.testing.assert_close(basis.T @ basis, torch.eye(312), atol=1e-4, rtol=0)  # orthonormal columns
    ours = model.embeddings.word_embeddings.weight.detach()
    torch.testing.assert_close(ours, words @ basis, atol=1e-5, rtol=0)
    # the first direction is the one numpy finds as the top eigenvector of the covariance (up to its sign)
    centred = (words - words.mean(0)).double().numpy()
    import numpy as np

    _, vectors = np.linalg.eigh(centred.T @ centred)
    top = torch.from_numpy(vectors[:, -1]).float()
    assert abs(float(top @ basis[:, 0].detach())) == pytest.approx(1.0, abs=1e-3)
    assert "embeddings.word_embeddings.weight" in done and not student.is_frozen(
        model, "embeddings.word_embeddings.weight"
    )


def test_attention_scores_give_the_teacher_s_own_attention_after_the_mask_and_softmax(teacher, batch):
    with torch.no_grad():
        out = teacher(**batch, output_hidden_states=True, output_attentions=True)
        for layer in (0, 5):
            scores = tinybert.attention_scores(teacher, out.hidden_states, layer)
            masked = scores.masked_fill(batch["attention_mask"][:, None, None, :] == 0, float("-inf"))
            torch.testing.assert_close(masked.softmax(-1), out.attentions[layer], atol=1e-5, rtol=0)


def test_the_intermediate_loss_is_zero_for_a_teacher_against_itself_and_positive_for_the_student(teacher, batch, fresh):
    model, _, projections = fresh
    identity = tinybert.Projections(384, 384)
    with torch.no_grad():
        identity.embeddings.weight.copy_(torch.eye(384))
        identity.hidden.weight.copy_(torch.eye(384))
        t_out = teacher(**batch, output_hidden_states=True)
        # a "student" that is the teacher cut to layers g(m): the same embeddings, so W_e = I makes that term 0
        cut = BertModel.from_pretrained(student.teacher_path(), attn_implementation="eager").eval()
        cut.encoder.layer = torch.nn.ModuleList([cut.encoder.layer[g] for g in tinybert.LAYER_MAP])
        c_out = cut(**batch, output_hidden_states=True)
        _, parts = tinybert_loss.intermediate_loss(cut, teacher, identity, c_out, t_out, batch["attention_mask"])
        assert parts["embedding"] == pytest.approx(0.0, abs=1e-10)
        assert parts["attn"] > 0  # layer 1 of the cut model sees layer 0's output, not layer 1's input
        s_out = model(**batch, output_hidden_states=True)
        loss_s, parts_s = tinybert_loss.intermediate_loss(
            model, teacher, projections, s_out, t_out, batch["attention_mask"]
        )
    assert (
        parts_s["hidden"] > 0
        and parts_s["attn"] > 0
        and loss_s.item() == pytest.approx(sum(parts_s[k] for k in ("embedding", "hidden", "attn")), rel=1e-5)
    )


def test_masked_mse_ignores_padding():
    a, b = torch.tensor([[1.0, 5.0]]), torch.tensor([[0.0, 0.0]])
    assert tinybert_loss.masked_mse(a, b, torch.tensor([[1, 0]])).item() == pytest.approx(1.0)


def test_a_tiny_two_stage_run_exports_the_student_and_its_projections(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("The first speech is short. It has several sentences in it! Does it work?\n" * 20)
    out = distill.run(
        str(corpus),
        str(tmp_path / "run"),
        steps=3,
        batch=4,
        max_len=32,
        progress=False,
        save_every=10,
        eval_every=10,
        eval_sentences=["A held-out sentence."],
        kind="tinybert4",
        output_from=2,
    )
    log = json.loads((out / distill.LOG).read_text())
    assert [s["stage"] for s in log["steps"]] == [1, 1, 2]
    assert "attn" in log["steps"][0] and "cos" in log["steps"][2]
    assert 0 < log["evals"][-1]["heldout_cosine"] <= 1
    loaded = student.load_student(out)
    assert loaded.config.hidden_size == 312 and student.student_kind(out) == "tinybert4"
    projections = tinybert.load_projections(out)
    assert projections.hidden.weight.shape == (384, 312)
    base = json.loads((out / student.BASE_FILE).read_text())
    assert base["from_base"] == []  # narrower than the teacher: nothing is read back from it


def test_the_shipped_tinybert_minilm_l4_loads_as_tinybert_4_and_its_projection_maps_to_the_teacher():
    import numpy as np

    import bertviz_core as bc
    from bertviz_core.analysis import students

    lm = bc.load_model(students.TINYBERT_ID)
    config = lm.model.config
    assert (config.model_type, config.num_hidden_layers, config.hidden_size) == ("bert", 4, 312)
    assert (config.num_attention_heads, config.intermediate_size) == (12, 1200)
    trace = bc.capture(lm, "The cat sat on the mat.")
    assert trace.attentions.shape[:2] == (4, 12)
    np.testing.assert_allclose(trace.attentions.sum(-1), 1.0, atol=1e-4)
    projected = tinybert.Projected(lm.model, tinybert.load_projections(students.folder(students.TINYBERT_ID)))
    enc = lm.tokenizer("The cat sat on the mat.", return_tensors="pt")
    with torch.no_grad():
        assert projected(**enc).last_hidden_state.shape[-1] == 384  # the teacher's width, through W_h
