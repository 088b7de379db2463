"""The distilled students (bertviz_core.analysis.students): which are shipped, the layer maps against the papers'
rules, TinyBERT's transfer losses against a hand computation from hooked projections, the held-out cosine's
interval against scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import bertviz_core as bc
from bertviz_core.analysis import students
from bertviz_core.models import registry, student, tinybert

SENTENCES = ["The cat sat on the mat.", "A much longer sentence about the river bank and its birds.", "Hi."]


@pytest.fixture(scope="module")
def teacher():
    return bc.load_model(students.TEACHER_ID)


@pytest.fixture(scope="module")
def untrained_tiny():
    torch.manual_seed(0)
    model = student.new_student(kind=tinybert.KIND)
    _, projections = tinybert.init_from_teacher(model, student.teacher_state())
    return model.eval(), projections


def test_layer_maps_follow_distilbert_every_other_layer_and_tinyberts_uniform_rule():
    assert students.layer_map("distilbert3") == [0, 3, 5]
    assert students.layer_map("distilbert2") == [0, 5]
    # TinyBERT's g(m) = ceil(m x N/M) for student layer m = 1..M (1-based), here N = 6 teacher layers, M = 4
    assert students.layer_map(tinybert.KIND) == [math.ceil(m * 6 / 4) - 1 for m in range(1, 5)]


def test_shipped_lists_only_students_whose_weights_are_in_the_package(tmp_path, monkeypatch):
    assert "distilbert-minilm-l3" in students.shipped()  # its weights ship with the package
    monkeypatch.setattr(registry, "WEIGHTS_DIR", tmp_path)  # an empty weights folder: nothing can be opened
    assert students.shipped() == []
    assert students.kind_of("distilbert-minilm-l3") == "distilbert3" and students.kind_of("bert-minilm-l6") is None


def hand_losses(model, projections, teacher_model, tokenizer, sentence):
    """The same losses for one sentence from the models' own hidden states and their query/key Linear outputs caught
    by forward hooks (scores = q k^T / sqrt(head size), per head), in numpy."""
    captured = {}

    def catch(name):
        return lambda module, args, out: captured.__setitem__(name, out.detach().numpy()[0])

    handles = []
    for who, m, layers in (("s", model, range(4)), ("t", teacher_model, tinybert.LAYER_MAP)):
        for layer in layers:
            attention = m.encoder.layer[layer].attention.self
            handles.append(attention.query.register_forward_hook(catch(f"{who}q{layer}")))
            handles.append(attention.key.register_forward_hook(catch(f"{who}k{layer}")))
    enc = tokenizer(sentence, return_tensors="pt")
    inputs = {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]}
    with torch.no_grad():
        s = model(**inputs, output_hidden_states=True)
        t = teacher_model(**inputs, output_hidden_states=True)
        we = projections.embeddings.weight.numpy()
        wh = projections.hidden.weight.numpy()
    for h in handles:
        h.remove()

    def scores(q, k, width):
        n, size = q.shape[0], width // 12
        q, k = q.reshape(n, 12, size).transpose(1, 0, 2), k.reshape(n, 12, size).transpose(1, 0, 2)
        return q @ k.transpose(0, 2, 1) / np.sqrt(size)

    sh = [x.numpy()[0] for x in s.hidden_states]
    th = [x.numpy()[0] for x in t.hidden_states]
    out = {"embedding": float(np.mean((sh[0] @ we.T - th[0]) ** 2)), "hidden": [], "attention": []}
    for m, g in enumerate(tinybert.LAYER_MAP):
        out["hidden"].append(float(np.mean((sh[m + 1] @ wh.T - th[g + 1]) ** 2)))
        a = scores(captured[f"sq{m}"], captured[f"sk{m}"], 312)
        b = scores(captured[f"tq{g}"], captured[f"tk{g}"], 384)
        out["attention"].append(float(np.mean((a - b) ** 2)))
    return out


def test_transfer_losses_equal_a_hand_computation_from_hooked_queries_and_keys(teacher, untrained_tiny):
    model, projections = untrained_tiny
    got = students.transfer_losses(model, projections, teacher.model, teacher.tokenizer, SENTENCES[:1])
    want = hand_losses(model, projections, teacher.model, teacher.tokenizer, SENTENCES[0])
    assert got["embedding"] == pytest.approx(want["embedding"], rel=1e-3, abs=1e-5)
    assert [r["teacher"] for r in got["layers"]] == [1, 2, 4, 5]
    assert [r["hidden"] for r in got["layers"]] == pytest.approx(want["hidden"], rel=1e-3)
    assert [r["attention"] for r in got["layers"]] == pytest.approx(want["attention"], rel=1e-3)


def test_transfer_losses_ignore_padding_so_the_batch_size_does_not_change_them(teacher, untrained_tiny):
    model, projections = untrained_tiny
    args = (model, projections, teacher.model, teacher.tokenizer, SENTENCES)
    one, padded = students.transfer_losses(*args, batch=1), students.transfer_losses(*args, batch=3)
    assert one["embedding"] == pytest.approx(padded["embedding"], rel=1e-4)
    for a, b in zip(one["layers"], padded["layers"], strict=True):
        assert a["hidden"] == pytest.approx(b["hidden"], rel=1e-4)
        assert a["attention"] == pytest.approx(b["attention"], rel=1e-4)


def test_pooled_quality_is_the_mean_cosine_with_scipys_t_interval(teacher, untrained_tiny):
    from scipy import stats as sstats

    model, projections = untrained_tiny
    projected = tinybert.Projected(model, projections)
    got = students.pooled_quality(projected, teacher.model, teacher.tokenizer, SENTENCES)
    cosines = []
    for sentence in SENTENCES:
        enc = teacher.tokenizer(sentence, return_tensors="pt")
        with torch.no_grad():
            a = projections.hidden(model(**enc).last_hidden_state)[0].mean(0)
            b = teacher.model(**enc).last_hidden_state[0].mean(0)
        cosines.append(float(torch.nn.functional.cosine_similarity(a, b, dim=0)))
    low, high = sstats.t.interval(0.95, len(cosines) - 1, loc=np.mean(cosines), scale=sstats.sem(cosines))
    assert got["cosine"] == pytest.approx(np.mean(cosines), abs=1e-4) and got["n"] == 3
    assert (got["low"], got["high"]) == pytest.approx((low, high), abs=1e-4)


@pytest.mark.parametrize("model_id", students.shipped())
def test_each_shipped_student_still_scores_what_bench_students_measured(model_id):
    """The shipped weights are the ones that were measured: on 20 of bench_students' 500 held-out sentences the
    pooled cosine to the teacher is near its published figure (untrained students score far lower: TinyBERT-4 0.09
    against 0.59, the 3-layer DistilBERT 0.65 against 0.86)."""
    from conftest import SHARED

    from bertviz_core.analysis import compress

    ewt = SHARED / "ud-english-ewt"
    if not (ewt / "en_ewt-ud-test.conllu").is_file():
        pytest.skip("shared UD EWT data not present")
    published = students.results()["students"].get(model_id)
    assert published, f"{model_id} ships but bench/bench_students.py has not measured it"
    sentences = compress.ewt_sample("test", published["n"], ewt)[::25]
    teacher = bc.load_model(students.TEACHER_ID)
    torch.manual_seed(0)
    measured = students.pooled_quality(students.comparable(model_id), teacher.model, teacher.tokenizer, sentences)
    assert measured["cosine"] == pytest.approx(published["cosine"], abs=0.05)
