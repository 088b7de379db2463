"""Replaced-token detection training (bertviz_core.training.electra, .rtd) and the "electra" student it writes.
Oracles: generators whose output distribution is set by hand (the decoder bias), transformers' own
ElectraForPreTraining loss, BCE by hand, and a run interrupted and resumed against one run straight through."""

from __future__ import annotations

import json
import math
import types

import pytest
import torch
from conftest import tiny_config

from bertviz_core.models import student
from bertviz_core.training import electra, mlm, rtd


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(student.teacher_path())


@pytest.fixture(scope="module")
def vocab(tokenizer):
    return mlm.vocab_tables(tokenizer)


def sentences_batch(tokenizer, rows=64):
    texts = [f"Sentence number {i} tells of {'many ' * (i % 9)}unbelievable tokenization." for i in range(rows)]
    enc = tokenizer(texts, padding=True, return_tensors="pt")
    return enc["input_ids"], enc["attention_mask"]


def biased_generator(tokenizer, logits: dict[str, float]):
    """A tiny BertForMaskedLM whose logits are exactly its decoder bias: `logits` for the given pieces, -100
    elsewhere (so its softmax is known whatever the input)."""
    from transformers import BertForMaskedLM

    torch.manual_seed(0)
    model = BertForMaskedLM(tiny_config("bert")).eval()
    with torch.no_grad():
        model.cls.predictions.decoder.weight.zero_()  # tied to the word embeddings: the input no longer matters
        model.cls.predictions.bias.fill_(-100.0)
        for piece, value in logits.items():
            model.cls.predictions.bias[tokenizer.convert_tokens_to_ids(piece)] = value
    return model


def test_about_15_percent_of_ordinary_pieces_are_chosen_never_special_ones(tokenizer, vocab):
    ids, mask = sentences_batch(tokenizer, rows=512)
    candidates, chosen = rtd.choose_positions(ids, mask, vocab, torch.Generator().manual_seed(0))
    ordinary = mask.bool() & (ids != tokenizer.cls_token_id) & (ids != tokenizer.sep_token_id)
    assert torch.equal(candidates, ordinary)
    assert abs(chosen.sum() / candidates.sum() - 0.15) < 0.01
    assert not chosen[~ordinary].any()
    _, words = rtd.choose_positions(ids, mask, vocab, torch.Generator().manual_seed(0), whole_word=True)
    follows = candidates & vocab.continuation[ids]  # a ## piece goes with the piece before it
    follows[:, 0] = False
    assert follows.sum() > 500
    before = torch.roll(follows, -1, dims=1)
    assert torch.equal(words[follows], words[before]) and words[follows].any()


def test_replacements_are_sampled_from_the_generator_s_softmax(tokenizer, vocab):
    model = biased_generator(tokenizer, {"cat": math.log(0.7), "dog": math.log(0.3), "[SEP]": 50.0})
    ids, mask = sentences_batch(tokenizer, rows=256)
    _, chosen = rtd.choose_positions(ids, mask, vocab, torch.Generator().manual_seed(1), prob=0.5)
    cat, dog = tokenizer.convert_tokens_to_ids(["cat", "dog"])
    for temperature, p_cat in ((1.0, 0.7), (2.0, 0.7**0.5 / (0.7**0.5 + 0.3**0.5))):
        out = rtd.sample_replacements(model, ids, mask, chosen, vocab, torch.Generator().manual_seed(2), temperature)
        drawn = out[chosen]
        assert set(drawn.unique().tolist()) == {cat, dog}  # never [SEP], though the generator likes it best
        n = len(drawn)
        assert n > 1500 and abs(float((drawn == cat).float().mean()) - p_cat) < 3 * math.sqrt(0.25 / n)
        assert torch.equal(out[~chosen], ids[~chosen])  # nothing else changes


def test_a_sample_equal_to_the_original_counts_as_original(tokenizer, vocab):
    """A generator sure of "the": chosen positions holding "the" stay original, every other chosen one is replaced."""
    import dataclasses

    ids, mask = sentences_batch(tokenizer, rows=8)
    the = tokenizer.convert_tokens_to_ids("the")
    ids[:, 3:6] = the
    examples = [row[m.bool()][1:-1].tolist() for row, m in zip(ids, mask)]
    generator = biased_generator(tokenizer, {"the": 10.0})
    session = types.SimpleNamespace(examples=examples, tokenizer=tokenizer, vocab=vocab, generator=generator)
    settings = electra.Settings(batch=8, mask_prob=0.6)
    inputs, batch_mask, replaced, positions = electra.make_batch(session, settings, 0)
    originals = electra.make_batch(session, dataclasses.replace(settings, mask_prob=0.0), 0)[0]  # same rows
    seed = mlm.step_seed(electra.mlm_settings(settings), 0)
    _, chosen = rtd.choose_positions(originals, batch_mask, vocab, torch.Generator().manual_seed(seed), 0.6)
    assert torch.equal(inputs[chosen], torch.full_like(inputs[chosen], the))  # the generator's only answer
    kept = chosen & (originals == the)
    assert kept.sum() >= 5 and not replaced[kept].any()
    assert replaced[chosen & (originals != the)].all() and not replaced[~chosen].any()
    assert torch.equal(positions, batch_mask.bool() & ~vocab.special[originals])


def test_the_loss_is_bce_at_the_scored_positions_only(tokenizer, vocab):
    from transformers import ElectraForPreTraining

    torch.manual_seed(0)
    model = ElectraForPreTraining(tiny_config("electra")).eval()
    with torch.no_grad():
        model.discriminator_predictions.dense_prediction.bias.fill_(2.0)  # leaning to "replaced" everywhere
    ids, mask = sentences_batch(tokenizer, rows=6)
    gen = torch.Generator().manual_seed(3)
    candidates, chosen = rtd.choose_positions(ids, mask, vocab, gen, prob=0.3)
    inputs = rtd.random_replacements(ids, chosen, vocab, gen)
    replaced = inputs != ids
    loss, hits, n = rtd.rtd_loss(model, inputs, mask, replaced, candidates)
    out = model(input_ids=inputs, attention_mask=mask, labels=replaced.long())
    logits = out.logits[candidates]
    by_hand = -(
        replaced[candidates] * torch.log(torch.sigmoid(logits))
        + (~replaced[candidates]) * torch.log(1 - torch.sigmoid(logits))
    ).mean()
    torch.testing.assert_close(loss, by_hand)
    assert n == int(candidates.sum()) and hits == int(((logits > 0) == replaced[candidates]).sum())
    # transformers' own loss covers [CLS] and [SEP] too: with those positions scored, the two agree
    everything, _, _ = rtd.rtd_loss(model, inputs, mask, replaced, mask.bool())
    torch.testing.assert_close(everything, out.loss)
    assert everything.item() - loss.item() > 0.1  # so the special tokens (original: a high loss) are left out above


# ---------------------------------------------------------------- a tiny run
@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("electra_corpus")
    (folder / "a.txt").write_text("The first speech is short. It has several sentences in it! Does it work?\n" * 20)
    (folder / "b.txt").write_text("We the people of the United States form a more perfect union.\n" * 20)
    return folder


@pytest.fixture(scope="module")
def generator_folder(tmp_path_factory):
    """An untrained "mlm" student (the bundled encoder, a fresh head): a generator in the form --generator reads."""
    torch.manual_seed(0)
    model = student.new_student(kind="mlm")
    student.init_from_teacher(model, student.teacher_state(), kind="mlm")
    return student.save_student(model, tmp_path_factory.mktemp("gen") / "bert-minilm-l6-mlm", kind="mlm")


MONITOR = ["The people spoke.", "A cat sat on the old mat near the door."]
SETTINGS = electra.Settings(steps=3, batch=4, max_len=32, lr=1e-3, head_lr=1e-2, warmup=1, save_every=10, eval_every=2)


def checkpoint_model(out):
    saved = torch.load(out / electra.CHECKPOINT, weights_only=False)
    model = student.new_student(kind="electra")
    model.load_state_dict(saved["model"])
    return model.eval(), saved


def test_a_tiny_run_resumes_exports_and_loads_back(tmp_path, corpus, generator_folder):
    from safetensors import safe_open
    from transformers import ElectraForPreTraining

    out, export_dir = tmp_path / "run", tmp_path / "student"
    common = {"monitor": MONITOR, "progress": False, "generator": generator_folder}
    assert electra.run(str(corpus), str(out), SETTINGS, stop_at=2, **common) == out  # "interrupted" after step 2
    assert not (out / student.WEIGHTS_FILE).exists() and checkpoint_model(out)[1]["step"] == 2
    electra.run(str(corpus), str(out), SETTINGS, export_dir=export_dir, **common)  # the same command again
    log = json.loads((export_dir / electra.LOG).read_text())
    assert [s["step"] for s in log["steps"]] == [1, 2, 3] and [p["from_step"] for p in log["phases"]] == [0, 2]
    assert [e["step"] for e in log["evals"]] == [0, 2, 3]
    first = log["evals"][0]
    assert first["cosine_to_bert"] == pytest.approx(1.0, abs=1e-5)  # the encoder starts as BERT's
    assert all(0 <= e[k] <= 1 for e in log["evals"] for k in ("auc_generator", "auc_random"))
    assert log["config"]["generator"] == str(generator_folder)
    resumed, _ = checkpoint_model(out)
    electra.run(str(corpus), str(tmp_path / "straight"), SETTINGS, **common)  # never interrupted
    straight, _ = checkpoint_model(tmp_path / "straight")
    teacher, changed = student.teacher_state(), 0
    for k, v in straight.state_dict().items():
        torch.testing.assert_close(resumed.state_dict()[k], v, atol=1e-6, rtol=1e-5, msg=k)
        source = teacher.get(student.teacher_key(straight, k))
        if source is not None:
            changed += not torch.equal(source, v)
            if k.startswith("electra.embeddings."):
                assert torch.equal(source, v), k  # frozen
    assert changed > 50  # the encoder did train

    loaded = student.load_student(export_dir)
    assert isinstance(loaded, ElectraForPreTraining) and student.student_kind(export_dir) == "electra"
    assert type(student.load_encoder(export_dir)).__name__ == "ElectraModel"
    ids = torch.tensor([[101, 1996, 2111, 2876, 2006, 1996, 2380, 1012, 102]])
    with torch.no_grad():
        ours, theirs = loaded(input_ids=ids).logits, resumed(input_ids=ids).logits
    torch.testing.assert_close(ours, theirs, atol=0.05, rtol=0.01)  # fp16 storage
    with safe_open(str(export_dir / student.WEIGHTS_FILE), "pt") as f:
        keys = set(f.keys())
    assert not any(k.startswith("electra.embeddings.") for k in keys)
    assert "discriminator_predictions.dense_prediction.weight" in keys


def test_ewt_test_is_never_training_text_and_the_monitor_is_text(tmp_path):
    path = tmp_path / "en_ewt-ud-test.conllu"
    path.write_text(
        "# text = Held out.\n1\tHeld\t_\tVERB\t_\t_\t0\troot\t_\t_\n2\tout\t_\tADP\t_\t_\t1\tcompound\t_\t_\n\n"
    )
    with pytest.raises(SystemExit, match="held out"):
        electra.read_conllu(str(path), 0)
    dev = tmp_path / "dev.conllu"
    dev.write_text(
        "1\tHeld\t_\tVERB\t_\t_\t0\troot\t_\t_\n2\tout\t_\tADP\t_\t_\t1\tcompound\t_\tSpaceAfter=No\n"
        "3\t.\t_\tPUNCT\t_\t_\t1\tpunct\t_\t_\n\n" + path.read_text().replace("Held out.", "Second one.")
    )
    assert electra.read_conllu(str(dev), 1) == (["Second one."], ["Held out."])


def test_the_generator_must_be_a_masked_lm(tmp_path):
    model = student.new_student(kind="electra")
    folder = student.save_student(model, tmp_path / "electra", kind="electra")
    with pytest.raises(SystemExit, match="not a masked-LM"):
        electra.load_generator(folder)
    with pytest.raises(SystemExit, match="no generator"):
        electra.load_generator(tmp_path / "missing")


def test_the_command_line_sets_every_setting():
    a = electra.arguments().parse_args(
        ["--corpus", "c", "--out", "o", "--steps", "7", "--head-lr", "0.5", "--temperature", "2", "--whole-word"]
    )
    settings = electra.Settings(**{f: getattr(a, f) for f in electra.Settings.__dataclass_fields__})
    assert (settings.steps, settings.head_lr, settings.temperature, settings.whole_word) == (7, 0.5, 2.0, True)
    assert settings.batch == electra.Settings().batch
