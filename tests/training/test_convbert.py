"""ConvBERT: captured kernels are the model's own; the student format and distillation command work."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import bertviz_core as bc
from bertviz_core.analysis import steps
from bertviz_core.inputs import conllu
from bertviz_core.models import student
from bertviz_core.training import distill


def check_kernels_reproduce_module(lm, text):
    trace = bc.capture(lm, text)
    T = len(trace)
    for layer, block in enumerate(lm.model.encoder.layer):
        x = trace.hidden_states[layer]  # input of this layer, [T, D]
        with torch.no_grad():
            context, probs = block.attention.self(torch.tensor(x)[None])
        n_attn = probs.shape[1] * block.attention.self.attention_head_size
        recomputed = steps.conv_branch_from_kernels(block.attention.self, x, trace.conv_kernels[layer])
        np.testing.assert_allclose(recomputed, context[0, :, n_attn:].numpy(), atol=1e-5)
        np.testing.assert_allclose(probs[0].numpy(), trace.attentions[layer], atol=1e-6)
    banded = trace.conv_matrices(1)
    assert banded.shape == (trace.n_conv_heads, T, T)
    # row i holds kernel i at columns i-4..i+4
    np.testing.assert_allclose(banded[0, 5, 1:10], trace.conv_kernels[1, 0, 5])
    assert banded[0, 5, 0] == 0 and banded[0, 5, 10:].sum() == 0
    return trace


def test_kernel_reconstruction_tiny_convbert(models_root):
    check_kernels_reproduce_module(bc.load_model("tiny-convbert"), "A short sentence for the tiny ConvBERT model.")


def test_kernel_reconstruction_bundled_student():
    lm = bc.load_model("convbert-minilm-l6")
    trace = check_kernels_reproduce_module(lm, "The animal didn't cross the street because it was too tired.")
    assert trace.n_heads == 6 and trace.n_conv_heads == 6 and trace.conv_kernels.shape[-1] == 9
    # trained kernels are not uniform (a random init gives ~1/9 everywhere)
    assert trace.conv_kernels.max() > 0.5


def test_student_token_ids_mean_what_they_mean_for_the_teacher():
    """Same tokens is only half of it: the student's word, position and type embeddings must be the
    teacher's own tensors (from_base), so token id k means the same thing in both models."""
    bert, conv = bc.load_model("bert-minilm-l6"), bc.load_model("convbert-minilm-l6")
    teacher = student.teacher_state()
    for name in ("word_embeddings", "position_embeddings", "token_type_embeddings"):
        ours = getattr(conv.model.embeddings, name).weight.detach().numpy()
        np.testing.assert_array_equal(ours, teacher[f"embeddings.{name}.weight"].numpy(), err_msg=name)
    assert conv.tokenizer.vocab_size == conv.model.embeddings.word_embeddings.num_embeddings
    text = "Tokenization should match exactly, shouldn't it?"
    assert conv.tokenizer(text)["input_ids"] == bert.tokenizer(text)["input_ids"]


def test_save_and_load_student_roundtrip(tmp_path):
    torch.manual_seed(0)
    model = student.new_student()
    done = student.init_from_teacher(model, student.teacher_state())
    assert "encoder.layer.0.attention.self.conv_out_layer.weight" in done
    teacher = student.teacher_state()
    np.testing.assert_array_equal(
        model.state_dict()["encoder.layer.3.attention.self.query.weight"].numpy(),
        teacher["encoder.layer.3.attention.self.query.weight"][:192].numpy(),
    )
    student.save_student(model, tmp_path)
    stored = json.loads((tmp_path / student.BASE_FILE).read_text())
    assert all(k.startswith("embeddings.") for k in stored["from_base"])
    loaded = student.load_student(tmp_path)
    for k, v in model.state_dict().items():
        tol = 0 if k.startswith("embeddings.") else 2e-3  # fp16 storage
        np.testing.assert_allclose(loaded.state_dict()[k].numpy(), v.numpy(), atol=tol, rtol=tol)


@pytest.fixture(scope="module")
def tiny_corpus(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("corpus")
    (corpus / "a.txt").write_bytes(b"The first speech. It has several sentences in it! Does it work?\n" * 20)
    (corpus / "b.txt").write_bytes(
        "Caf\xe9 au lait is a drink. Latin-1 text must not crash the reader.\n".encode("latin-1") * 20
    )
    return corpus


TINY = {"steps": 2, "batch": 4, "max_len": 32, "progress": False}


def test_tiny_distillation_run_is_resumable(tmp_path, tiny_corpus):
    out = tmp_path / "run"
    distill.run(
        str(tiny_corpus), str(out), save_every=10, eval_every=2, eval_sentences=["A held-out sentence."], **TINY
    )  # a checkpoint at the last step only (each one holds ~270 MB of weights and Adam state)
    log = json.loads((out / distill.LOG).read_text())
    assert [s["step"] for s in log["steps"]] == [1, 2]
    assert log["evals"][0]["step"] == 0 and 0 < log["evals"][-1]["heldout_cosine"] <= 1
    teacher = student.teacher_state()
    trained = student.load_student(out).state_dict()
    # "convbert": attention heads start as the teacher's heads 0-5, and 2 warm-up steps barely move them
    q = "encoder.layer.2.attention.self.query.weight"
    np.testing.assert_allclose(trained[q].numpy(), teacher[q][:192].numpy(), atol=1e-2)

    # resume must start from the checkpoint's weights: perturb them, resume for 0 more steps,
    # and the student written is exactly the perturbed one (not a fresh initialisation)
    ckpt = torch.load(out / distill.CHECKPOINT, weights_only=False)
    gen = torch.Generator().manual_seed(7)
    perturbed = {
        k: (v + torch.randn(v.shape, generator=gen) * 0.05 if not k.startswith(student.FROZEN_PREFIXES) else v)
        for k, v in ckpt["student"].items()
    }
    ckpt["student"] = perturbed
    torch.save(ckpt, out / distill.CHECKPOINT)
    distill.run(str(tiny_corpus), str(out), save_every=1, eval_every=10, **TINY)
    resumed = student.load_student(out).state_dict()
    for k, v in perturbed.items():
        np.testing.assert_allclose(resumed[k].numpy(), v.numpy(), atol=2e-3, rtol=2e-3, err_msg=k)  # fp16 storage
    assert np.abs(resumed[q].numpy() - trained[q].numpy()).max() > 0.05  # the perturbation is visible

    # asking for 3 steps continues from step 2 instead of starting over
    distill.run(str(tiny_corpus), str(out), save_every=10, eval_every=10, **{**TINY, "steps": 3})
    log = json.loads((out / distill.LOG).read_text())
    assert [s["step"] for s in log["steps"]] == [1, 2, 3]
    assert bc.capture(_load_dir(out), "Works.").conv_kernels is not None


def test_tiny_distilbert3_run_is_a_three_layer_distilbert_from_teacher_layers_0_3_5(tmp_path, tiny_corpus):
    out = distill.run(
        str(tiny_corpus), str(tmp_path / "distilbert3"), save_every=10, eval_every=10, kind="distilbert3", **TINY
    )
    model = student.load_student(out)
    assert model.config.model_type == "distilbert" and len(model.transformer.layer) == 3
    assert student.student_kind(out) == "distilbert3"
    teacher = student.teacher_state()
    state = model.state_dict()
    for layer, source in enumerate((0, 3, 5)):
        ours = state[f"transformer.layer.{layer}.ffn.lin1.weight"].numpy()
        np.testing.assert_allclose(
            ours, teacher[f"encoder.layer.{source}.intermediate.dense.weight"].numpy(), atol=1e-2
        )
        if source != layer:  # not simply the teacher's layer of the same index
            assert np.abs(ours - teacher[f"encoder.layer.{layer}.intermediate.dense.weight"].numpy()).max() > 0.1
    # the position embeddings carry the teacher's token type 0 (folded in), so they are stored, not re-read
    folded = teacher["embeddings.position_embeddings.weight"] + teacher["embeddings.token_type_embeddings.weight"][0]
    np.testing.assert_allclose(state["embeddings.position_embeddings.weight"].numpy(), folded.numpy(), atol=1e-3)
    assert bc.capture(_load_dir(out), "Three layers.").attentions.shape[:2] == (3, 12)


def test_tiny_convbert_free_run_learns_its_own_query_and_key(tmp_path, tiny_corpus):
    out = distill.run(
        str(tiny_corpus), str(tmp_path / "free"), save_every=10, eval_every=10, kind="convbert-free", **TINY
    )
    state = student.load_student(out).state_dict()
    teacher = student.teacher_state()
    assert student.student_kind(out) == "convbert-free"
    for role in ("query", "key"):
        k = f"encoder.layer.2.attention.self.{role}.weight"
        assert np.abs(state[k].numpy() - teacher[k][:192].numpy()).max() > 0.1, role  # not copied
    v = "encoder.layer.2.attention.self.value.weight"
    np.testing.assert_allclose(state[v].numpy(), teacher[v][:192].numpy(), atol=1e-2)  # values still are
    log = json.loads((out / distill.LOG).read_text())
    assert all(s["attn"] == 0 for s in log["steps"])  # no attention loss


def _load_dir(folder):
    """A finished run's folder, loaded as the app would load it."""
    from transformers import AutoTokenizer

    from bertviz_core.models.loading import finish_loaded

    return finish_loaded(
        "run", "run", student.load_student(folder), AutoTokenizer.from_pretrained(student.teacher_path())
    )


def test_make_examples_keeps_sentences_whole_and_in_order():
    ids = [[1] * 10, [2] * 50, [3] * 5, [4] * 100, [5] * 7]
    ex = distill.make_examples(ids, max_len=32, seed=0)
    assert all(0 < len(e) <= 30 for e in ex)  # room for [CLS] and [SEP]
    # nothing lost, nothing repeated: short sentences whole, long ones cut to their first 30 pieces
    assert [x for e in ex for x in e] == [1] * 10 + [2] * 30 + [3] * 5 + [4] * 30 + [5] * 7
    # no example mixes a cut sentence with another one
    assert [2] * 30 in ex and [4] * 30 in ex


CONLLU = """# text = I didn't go, Bob.
1	I	I	PRON	PRP	_	3	nsubj	_	_
2-3	didn't	_	_	_	_	_	_	_	_
2	did	do	AUX	VBD	_	4	aux	_	_
3	n't	not	PART	RB	_	4	advmod	_	_
4	go	go	VERB	VB	_	0	root	_	SpaceAfter=No
5	,	,	PUNCT	,	_	6	punct	_	_
6	Bob	Bob	PROPN	NNP	_	4	vocative	_	SpaceAfter=No
7	.	.	PUNCT	.	_	4	punct	_	_

# text = Cats run fast.
1	Cats	cat	NOUN	NNS	_	2	nsubj	_	_
2	run	run	VERB	VBP	_	0	root	_	_
3	fast	fast	ADV	RB	_	2	advmod	_	SpaceAfter=No
4	.	.	PUNCT	.	_	2	punct	_	_

"""


def test_conllu_words_keep_contractions_whole_and_the_spacing():
    words = conllu.conllu_words(CONLLU)
    assert words[0] == [
        ("I", "PRON", True),
        ("didn't", "MWT", True),
        ("go", "VERB", False),
        (",", "PUNCT", True),
        ("Bob", "PROPN", False),
        (".", "PUNCT", True),
    ]
    # joined back, each sentence is its own text line
    assert ["".join(f + (" " if space else "") for f, _, space in s).strip() for s in words] == [
        "I didn't go, Bob.",
        "Cats run fast.",
    ]


def test_augmented_variants_swap_content_words_within_their_part_of_speech():
    words = conllu.conllu_words(CONLLU)
    assert distill.augment_sentences(words, 2, seed=0, p=0.0) == ["I didn't go, Bob.", "Cats run fast."] * 2
    every = distill.augment_sentences(words, 50, seed=1, p=1.0)
    # the only VERBs are go and run, the only NOUN cats, PROPN Bob, ADV fast: the function words never move
    first = {v for v in every[0::2]}
    assert first <= {"I didn't go, Bob.", "I didn't run, Bob."} and len(first) == 2
    second = {v for v in every[1::2]}
    assert second <= {"Cats go fast.", "Cats run fast."} and len(second) == 2
    assert distill.augment_sentences(words, 3, seed=7) == distill.augment_sentences(words, 3, seed=7)  # seeded


def test_cli_augments_without_the_monitored_sentences(tmp_path, monkeypatch):
    """--augment draws neither text nor words from the first --eval-n sentences of the monitor file."""
    doc = tmp_path / "dev.conllu"
    doc.write_text(CONLLU.replace("Bob", "Zed", 2) + CONLLU.replace("I didn't", "You didn't").replace("Cats", "Dogs"))
    seen = {}
    monkeypatch.setattr(distill, "run", lambda *a, **kw: seen.update(kw))
    distill.main(
        [
            "--student",
            "convbert-free",
            "--corpus",
            str(tmp_path),
            "--out",
            str(tmp_path / "o"),
            "--eval-conllu",
            str(doc),
            "--eval-n",
            "2",
            "--extra-conllu",
            str(doc),
            "--augment",
            "20",
        ]
    )
    extra = seen["extra_sentences"]
    assert extra[:2] == ["You didn't go, Bob.", "Dogs run fast."] and seen["augmented"] == 40 == len(extra) - 2
    assert not [s for s in extra if "Zed" in s or "Cats" in s]  # the monitor's words stay out
