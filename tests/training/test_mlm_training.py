"""Continued MLM pretraining (bertviz_core.training.mlm), the masked-word evaluation
(bertviz_core.analysis.masked_words) and the "mlm" student kind (models.student, models.mlm)."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
import torch
from conftest import tiny_config

from bertviz_core.analysis.masked_words import frequent_pieces, masked_word_accuracy
from bertviz_core.models import mlm as mlm_heads
from bertviz_core.models import registry, student
from bertviz_core.models.loading import finish_loaded
from bertviz_core.training import mlm


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(student.teacher_path())


@pytest.fixture(scope="module")
def vocab(tokenizer):
    return mlm.vocab_tables(tokenizer)


def random_batch(vocab, rows=256, length=128, seed=0):
    """[CLS] random ordinary pieces [SEP] then padding, rows of random lengths: (ids, attention mask)."""
    gen = torch.Generator().manual_seed(seed)
    ids = vocab.random_pool[torch.randint(len(vocab.random_pool), (rows, length), generator=gen)]
    mask = torch.ones(rows, length, dtype=torch.long)
    for r, n in enumerate(torch.randint(length // 2, length + 1, (rows,), generator=gen).tolist()):
        ids[r, 0], ids[r, n - 1] = 101, 102  # [CLS], [SEP]
        ids[r, n:], mask[r, n:] = 0, 0
    return ids, mask


def test_masking_proportions_are_bert_s(vocab):
    ids, mask = random_batch(vocab)
    inputs, labels = mlm.mask_tokens(ids, mask, vocab, torch.Generator().manual_seed(1))
    candidates = mask.bool() & (ids != 101) & (ids != 102)
    chosen = labels != mlm.IGNORE
    assert abs(chosen.sum() / candidates.sum() - 0.15) < 0.01  # ~24,000 candidates
    assert torch.equal(labels[chosen], ids[chosen])  # the original piece is the label
    masked = (inputs == vocab.mask_id) & chosen
    kept = (inputs == ids) & chosen
    randomised = chosen & ~masked & ~kept
    n = chosen.sum()
    assert abs(masked.sum() / n - 0.8) < 0.03
    assert abs(randomised.sum() / n - 0.1) < 0.02
    assert abs(kept.sum() / n - 0.1) < 0.02
    assert torch.equal(inputs[~chosen], ids[~chosen])  # nothing else changes
    assert not vocab.special[inputs[randomised]].any()  # a random piece is never a special token


def test_special_tokens_and_padding_are_never_masked(vocab, tokenizer):
    ids, mask = random_batch(vocab, rows=64)
    ids[:, 5], ids[:, 9] = tokenizer.unk_token_id, tokenizer.mask_token_id  # special tokens inside the text
    specials = (ids == 101) | (ids == 102) | (ids == 0) | (ids == tokenizer.unk_token_id) | (ids == vocab.mask_id)
    for whole_word in (False, True):  # every candidate chosen: only the special positions can stay out
        inputs, labels = mlm.mask_tokens(ids, mask, vocab, torch.Generator().manual_seed(2), 1.0, whole_word)
        assert (labels[specials] == mlm.IGNORE).all() and torch.equal(inputs[specials], ids[specials])
        assert (labels[~specials] != mlm.IGNORE).all()


def words_of(tokens: list[str]) -> list[list[int]]:
    """Positions of each word: a piece and its following ## pieces."""
    words: list[list[int]] = []
    for pos, token in enumerate(tokens):
        if token.startswith("##") and words:
            words[-1].append(pos)
        else:
            words.append([pos])
    return words


def test_whole_word_masking_never_splits_a_word(vocab, tokenizer):
    text = "Tokenization of unbelievably hyperparameterized transformers: preprocessing, detokenizing, embeddings."
    enc = tokenizer([text] * 200, return_tensors="pt")
    ids, mask = enc["input_ids"], enc["attention_mask"]
    words = [[p + 1 for p in w] for w in words_of(tokenizer.convert_ids_to_tokens(ids[0])[1:-1])]  # after [CLS]
    assert sum(len(w) > 1 for w in words) >= 5
    inputs, labels = mlm.mask_tokens(ids, mask, vocab, torch.Generator().manual_seed(3), whole_word=True)
    chosen = labels != mlm.IGNORE
    for w in words:
        per_row = chosen[:, w]
        assert (per_row.all(1) | ~per_row.any(1)).all(), w  # all pieces of a word, or none
        whole = per_row.all(1)
        masked = inputs[:, w] == vocab.mask_id
        assert (masked.all(1) | ~masked.any(1))[whole].all()  # one decision per word
    multi = [w for w in words if len(w) > 1]
    assert any(chosen[:, w].all(1).any() for w in multi)  # multi-piece words were chosen
    assert abs(chosen.sum() / (mask.sum() - 2 * len(ids)) - 0.15) < 0.03
    # the same batch masked piece by piece does split words: the check above can see a split
    _, labels = mlm.mask_tokens(ids, mask, vocab, torch.Generator().manual_seed(3), whole_word=False)
    split = [((labels[:, w] != mlm.IGNORE).any(1) & ~(labels[:, w] != mlm.IGNORE).all(1)).any() for w in multi]
    assert any(split)


@pytest.fixture(scope="module")
def tiny_mlm():
    from transformers import BertForMaskedLM

    torch.manual_seed(0)
    return BertForMaskedLM(tiny_config("bert")).eval()


def test_the_loss_is_taken_at_the_masked_positions_only(vocab, tiny_mlm):
    import copy

    ids, mask = random_batch(vocab, rows=8, length=40)
    inputs, labels = mlm.mask_tokens(ids, mask, vocab, torch.Generator().manual_seed(4))
    chosen = labels != mlm.IGNORE
    assert torch.equal(inputs[~chosen], ids[~chosen])
    model = copy.deepcopy(tiny_mlm)  # the pieces left in place become easy guesses: their loss is near 0
    with torch.no_grad():
        easy = set(ids[~chosen & mask.bool()].tolist()) - set(ids[chosen].tolist())
        model.cls.predictions.bias[list(easy)] += 20.0
        loss, hits, n = mlm.masked_lm_loss(model, inputs, mask, labels)
        total, _, _ = mlm.masked_lm_loss(model, inputs, mask, labels, reduction="sum")
        out = model(input_ids=inputs, attention_mask=mask, labels=labels)
        by_hand = torch.nn.functional.cross_entropy(out.logits[chosen], ids[chosen])
        everywhere = torch.nn.functional.cross_entropy(out.logits[mask.bool()], ids[mask.bool()])
    assert n == int(chosen.sum()) > 0
    torch.testing.assert_close(loss, out.loss)  # transformers' own masked-LM loss, -100 ignored
    torch.testing.assert_close(loss, by_hand)
    torch.testing.assert_close(total, by_hand * n)
    assert loss - everywhere > 5  # not the loss over every position
    assert hits == int((out.logits[chosen].argmax(-1) == ids[chosen]).sum())


def test_a_batch_in_chunks_gets_the_gradient_of_the_whole_batch(tokenizer, vocab, tmp_path):
    """Rows sorted by length and run in pieces (less padding) must give the same step as one piece."""
    from transformers import BertForMaskedLM

    texts = [f"Sentence {i} is {'very ' * (i % 7)}long." for i in range(20)]
    examples = tokenizer(texts, add_special_tokens=False)["input_ids"]
    config = tiny_config("bert")
    config.hidden_dropout_prob = config.attention_probs_dropout_prob = 0.0
    after = []
    for chunks in (1, 4):
        torch.manual_seed(0)
        model = BertForMaskedLM(config)
        before = {k: v.clone() for k, v in model.state_dict().items()}
        settings = mlm.Settings(steps=2, batch=8, lr=1e-2, head_lr=1e-2, warmup=1, chunks=chunks)
        trainable, optimizer, scheduler = mlm.make_optimizer(model, settings)
        log = {"config": {}, "steps": []}
        session = mlm.Session(tmp_path, tokenizer, model, trainable, optimizer, scheduler, examples, vocab, log)
        parts = mlm.train_step(session, settings, 0)
        after.append((parts, {n: p.grad for n, p in model.named_parameters()}, model.state_dict()))
    (one, one_grads, one_state), (four, four_grads, _) = after
    assert one["masked"] == four["masked"] > 0 and abs(one["loss"] - four["loss"]) < 1e-5
    assert one_grads.keys() == four_grads.keys() and sum(g is not None for g in one_grads.values()) > 30
    for k, g in one_grads.items():  # (Adam's first step is about sign(gradient): compare the gradients)
        assert (g is None) == (four_grads[k] is None), k
        if g is not None:
            torch.testing.assert_close(four_grads[k], g, atol=1e-6, rtol=1e-4, msg=k)
    k = "bert.encoder.layer.0.intermediate.dense.weight"
    assert not torch.equal(one_state[k], before[k])  # the step did move the encoder
    k = "bert.embeddings.word_embeddings.weight"
    assert one_grads[k] is None and torch.equal(one_state[k], before[k])  # and not the frozen embeddings


WORDS = [
    [("The", "DET"), ("cat", "NOUN"), ("sat", "VERB"), ("on", "ADP"), ("the", "DET"), ("mat", "NOUN"), (".", "PUNCT")],
    [("Tokenization", "NOUN"), ("is", "AUX"), ("the", "DET"), ("dog", "NOUN"), ("!", "PUNCT")],
]


def test_masked_word_accuracy_of_a_model_whose_answer_is_known(tiny_mlm, tokenizer):
    """The decoder bias makes 'the' the first guess whatever the input, then cat, sat, on, mat."""
    import copy

    model = copy.deepcopy(tiny_mlm)
    favourites = tokenizer.convert_tokens_to_ids(["the", "cat", "sat", "on", "mat"])
    with torch.no_grad():
        model.cls.predictions.bias.zero_()
        model.cls.predictions.bias[favourites] = torch.tensor([100.0, 90.0, 80.0, 70.0, 60.0])
    assert len(tokenizer.tokenize("Tokenization")) > 1
    baseline = tokenizer.convert_tokens_to_ids(["the", ".", ",", "to", "and"])
    r = masked_word_accuracy(model, tokenizer, WORDS, baseline_ids=baseline)
    assert r.sentences == 2 and r.single.n == 11 and r.multi.n == 1
    assert (r.single.top1, r.single.top5) == (3, 7)  # The, the, the; and cat, sat, on, mat
    assert (r.multi.top1, r.multi.top5) == (0, 0)
    assert (r.baseline.top1, r.baseline.top5) == (3, 4)  # "the" x3; "." too among the baseline's five
    d = r.to_dict()
    assert d["by_upos"]["DET"] == {"n": 3, "top1": 1.0, "top5": 1.0}
    assert d["by_upos"]["NOUN"] == {"n": 3, "top1": 0.0, "top5": 2 / 3}  # cat, mat; not dog
    assert d["by_upos"]["PUNCT"]["top5"] == 0.0
    assert d["single"]["top1"] == 3 / 11
    capped = masked_word_accuracy(model, tokenizer, WORDS, max_masks=4)
    assert capped.masks == 4 and capped.sentences == 1 and (capped.single.top1, capped.single.top5) == (1, 4)
    assert masked_word_accuracy(model, tokenizer, WORDS, max_sentences=1).masks == 7
    plain = masked_word_accuracy(model, tokenizer, [[w for w, _ in s] for s in WORDS])  # bare forms: no UPOS
    assert plain.by_upos == {} and plain.single.top1 == 3


def test_each_row_masks_exactly_one_word(tiny_mlm, tokenizer):
    seen = []
    hook = tiny_mlm.bert.register_forward_pre_hook(
        lambda module, args, kwargs: seen.append(kwargs["input_ids"].clone()), with_kwargs=True
    )
    try:
        masked_word_accuracy(tiny_mlm, tokenizer, WORDS)
    finally:
        hook.remove()
    assert len(seen) == 2  # one batch per sentence
    rows = seen[1]  # the second sentence: one row per word
    ids = tokenizer([w for w, _ in WORDS[1]], is_split_into_words=True, return_tensors="pt")["input_ids"][0]
    masked = rows == tokenizer.mask_token_id
    assert masked.sum(1).tolist() == [len(tokenizer.tokenize("Tokenization")), 1, 1, 1, 1]
    assert torch.equal(rows[~masked], ids.repeat(len(rows), 1)[~masked])  # nothing else changed


def test_frequent_pieces_skip_special_and_continuation_pieces(tokenizer):
    pieces = [
        "the",
        "the",
        "the",
        "token",
        "token",
        "##ization",
        "##ization",
        "[SEP]",
        "[SEP]",
        "[SEP]",
        "[SEP]",
        "dog",
    ]
    ids = tokenizer.convert_tokens_to_ids(pieces)
    top = frequent_pieces([ids[:6], ids[6:]], tokenizer, k=2)
    assert tokenizer.convert_ids_to_tokens(top) == ["the", "token"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mlm_corpus")
    (folder / "a.txt").write_text("The first speech is short. It has several sentences in it! Does it work?\n" * 20)
    (folder / "b.txt").write_text("We the people of the United States form a more perfect union.\n" * 20)
    return folder


MONITOR = [[("The", "DET", True), ("people", "NOUN", True), ("spoke", "VERB", False), (".", "PUNCT", False)]]
SETTINGS = mlm.Settings(steps=3, batch=4, max_len=32, lr=1e-3, head_lr=1e-2, warmup=1, save_every=10, eval_every=2)


def checkpoint_model(out: Path):
    saved = torch.load(out / mlm.CHECKPOINT, weights_only=False)
    model = student.new_student(kind="mlm")
    model.load_state_dict(saved["model"])
    return model.eval(), saved


def test_a_tiny_run_resumes_exports_and_loads_back(tmp_path, corpus):
    from transformers import BertForMaskedLM

    out, export_dir = tmp_path / "run", tmp_path / "student"
    common = {"monitor": MONITOR, "progress": False}
    assert mlm.run(str(corpus), str(out), SETTINGS, stop_at=2, **common) == out  # "interrupted" after step 2
    assert not (out / student.WEIGHTS_FILE).exists() and checkpoint_model(out)[1]["step"] == 2
    mlm.run(str(corpus), str(out), SETTINGS, export_dir=export_dir, **common)  # the same command again
    log = json.loads((export_dir / mlm.LOG).read_text())
    assert [s["step"] for s in log["steps"]] == [1, 2, 3]
    assert [p["from_step"] for p in log["phases"]] == [0, 2]
    assert [e["step"] for e in log["evals"]] == [0, 2, 3] and 0 <= log["evals"][-1]["top5"] <= 1
    resumed, _ = checkpoint_model(out)
    mlm.run(str(corpus), str(tmp_path / "straight"), SETTINGS, **common)  # never interrupted
    straight, _ = checkpoint_model(tmp_path / "straight")
    changed = 0
    teacher = student.teacher_state()
    for k, v in straight.state_dict().items():
        torch.testing.assert_close(resumed.state_dict()[k], v, atol=1e-6, rtol=1e-5, msg=k)
        source = teacher.get(student.teacher_key(straight, k))
        if source is not None:
            changed += not torch.equal(source, v)
            if k.startswith("bert.embeddings."):
                assert torch.equal(source, v), k  # frozen
    assert changed > 50  # the encoder did train

    loaded = student.load_student(export_dir)
    assert isinstance(loaded, BertForMaskedLM) and loaded.config._attn_implementation == "eager"
    assert student.student_kind(export_dir) == "mlm" and loaded.config.architectures == ["BertForMaskedLM"]
    assert loaded.cls.predictions.decoder.weight is loaded.bert.embeddings.word_embeddings.weight
    for name in ("word_embeddings", "position_embeddings", "token_type_embeddings"):
        assert torch.equal(getattr(loaded.bert.embeddings, name).weight, teacher[f"embeddings.{name}.weight"])
    ids = torch.tensor([[101, 1996, 2111, 103, 2006, 1996, 2380, 1012, 102]])
    with torch.no_grad():
        ours, theirs = loaded(input_ids=ids).logits, resumed(input_ids=ids).logits
    torch.testing.assert_close(ours, theirs, atol=0.05, rtol=0.01)  # fp16 storage
    assert torch.equal(ours.argmax(-1), theirs.argmax(-1))

    full = sum(p.numel() * 4 for p in loaded.parameters())  # the fp32 model with its embeddings
    stored = sum(f.stat().st_size for f in export_dir.iterdir())
    assert stored < full / 3
    from safetensors import safe_open

    with safe_open(str(export_dir / student.WEIGHTS_FILE), "pt") as f:
        keys = set(f.keys())
    assert not any(k.startswith("bert.embeddings.") for k in keys) and "cls.predictions.decoder.weight" not in keys
    assert "cls.predictions.transform.dense.weight" in keys

    again = mlm.run(str(corpus), str(out), SETTINGS, export_only=True, export_dir=tmp_path / "again", **common)
    with torch.no_grad():
        torch.testing.assert_close(student.load_student(again)(input_ids=ids).logits, ours)


def test_init_from_starts_at_an_exported_students_weights_with_a_new_schedule(tmp_path, corpus):
    """--init-from continues a shipped student: the model before step 1 holds that student's weights (not the
    teacher's fresh head), and a folder of another kind is refused."""
    first = mlm.run(str(corpus), str(tmp_path / "first"), SETTINGS, export_dir=tmp_path / "shipped", progress=False)
    shipped = student.load_student(first).state_dict()
    settings = dataclasses.replace(SETTINGS, init_from=str(first))
    started = mlm.new_model(settings).state_dict()
    fresh = mlm.new_model(SETTINGS).state_dict()
    head = "cls.predictions.transform.dense.weight"
    assert torch.equal(started[head], shipped[head]) and not torch.equal(fresh[head], shipped[head])
    for k, v in shipped.items():
        assert torch.equal(started[k], v), k
    session = mlm.setup(str(corpus), str(tmp_path / "second"), settings, monitor=MONITOR)
    assert session.start_step == 0 and session.log["phases"][-1]["init_from"] == str(first)
    other = tmp_path / "other"
    other.mkdir()
    (other / student.BASE_FILE).write_text(json.dumps({"kind": "convbert", "from_base": []}))
    with pytest.raises(SystemExit, match="not an exported 'mlm' student"):
        mlm.new_model(dataclasses.replace(SETTINGS, init_from=str(other)))


def test_ewt_test_is_never_training_text(tmp_path):
    path = tmp_path / "en_ewt-ud-test.conllu"
    path.write_text(
        "# text = Held out.\n1\tHeld\t_\tVERB\t_\t_\t0\troot\t_\t_\n2\tout\t_\tADP\t_\t_\t1\tcompound\t_\t_\n\n"
    )
    with pytest.raises(SystemExit, match="held out"):
        mlm.read_conllu(str(path), 0)
    dev = tmp_path / "dev.conllu"
    dev.write_text(path.read_text() + path.read_text().replace("Held out.", "Second one."))
    assert mlm.read_conllu(str(dev), 1) == (["Second one."], [[("Held", "VERB", True), ("out", "ADP", True)]])


@pytest.fixture(scope="module")
def mlm_student_folder(tmp_path_factory):
    """An untrained "mlm" student (the bundled encoder, a fresh head) in its compact form."""
    model = student.new_student(kind="mlm")
    student.init_from_teacher(model, student.teacher_state(), kind="mlm")
    folder = tmp_path_factory.mktemp("models") / "tiny-mlm-student"  # not a bundled id: the models folder answers
    student.save_student(model, folder, kind="mlm")
    return folder


def check_head_wraps(lm, folder):
    status = mlm_heads.mlm_status(lm)
    assert status.reason is None and status.model is not None
    assert status.model.bert is lm.model  # one encoder: the one pages capture
    ids = lm.tokenizer("The cat [MASK] on the mat.", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        torch.testing.assert_close(
            status.model(input_ids=ids).logits, student.load_student(folder)(input_ids=ids).logits
        )


def test_the_head_of_an_mlm_student_is_found_in_the_models_folder(mlm_student_folder, tokenizer, monkeypatch):
    monkeypatch.setenv("BERTVIZ_MODELS_DIR", str(mlm_student_folder.parent))
    encoder = student.load_student(mlm_student_folder).bert
    check_head_wraps(finish_loaded(mlm_student_folder.name, "local", encoder, tokenizer), mlm_student_folder)


def test_the_head_of_the_bundled_mlm_student_is_found(mlm_student_folder, tokenizer, monkeypatch, tmp_path):
    entry = registry.ModelEntry("bert-minilm-l6-mlm", "BERT MLM", "bert", "bundled", "")
    monkeypatch.setattr(registry, "entry", lambda model_id: entry if model_id == entry.id else None)
    shutil.copytree(mlm_student_folder, tmp_path / entry.id)  # the bundled weights' folder, holding the test's head
    monkeypatch.setattr(registry, "WEIGHTS_DIR", tmp_path)
    assert student.REGISTRY_IDS["mlm"] == entry.id and "mlm" in student.KINDS
    encoder = student.load_student(mlm_student_folder).bert
    lm = finish_loaded(entry.id, entry.label, encoder, tokenizer)
    check_head_wraps(lm, mlm_student_folder)
    other = finish_loaded("bert-minilm-l6", "BERT", encoder, tokenizer)  # bundled, no student folder: no head
    monkeypatch.setattr(registry, "entry", lambda model_id: registry.ModelEntry(model_id, "x", "bert", "bundled", ""))
    assert mlm_heads.mlm_status(other).reason == "bundled"


def test_the_loader_gives_pages_the_encoder_and_fill_mask_its_head(mlm_student_folder, monkeypatch, fresh_cache):
    import bertviz_core as bc

    monkeypatch.setenv("BERTVIZ_MODELS_DIR", str(mlm_student_folder.parent))
    lm = bc.load_model(mlm_student_folder.name)
    assert type(lm.model).__name__ == "BertModel"  # what capture() hooks, as for every other model
    assert bc.capture(lm, "The cat sat.").attentions.shape[:2] == (6, 12)
    check_head_wraps(lm, mlm_student_folder)
