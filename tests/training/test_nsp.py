"""The next-sentence training code: pairs (consecutive vs random from another document), documents from CoNLL-U
`# newdoc id`, the refusal of test sets, features equal to the encoder's own [CLS] states, a fit that learns a
separable rule, and a stored head that transformers' BertForNextSentencePrediction loads under the same names."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import tiny_config

from bertviz_core.analysis.next_sentence import HEAD_KEYS, NspHead, load_head_file
from bertviz_core.training import nsp


def numbered_docs(sizes):
    return [[f"doc {d} sentence {i}." for i in range(n)] for d, n in enumerate(sizes)]


def test_pairs_are_half_successors_and_half_sentences_of_other_documents():
    docs = numbered_docs([5, 8, 3, 6, 4])
    pairs = nsp.make_pairs(docs, seed=1)
    where = {s: (d, i) for d, doc in enumerate(docs) for i, s in enumerate(doc)}
    assert len(pairs) == sum(n - 1 for n in (5, 8, 3, 6, 4))  # every sentence with a successor, once
    assert abs(sum(p.is_next for p in pairs) - len(pairs) / 2) <= 0.5
    for p in pairs:
        (da, ia), (db, ib) = where[p.a], where[p.b]
        assert p.doc == da
        if p.is_next:
            assert (db, ib) == (da, ia + 1)
        else:
            assert db != da


def test_a_random_b_is_never_the_successor_even_when_another_document_repeats_it():
    # every document's successors are written like sentences of other documents ("Thanks." everywhere)
    docs = [["Hello there.", "Thanks.", "Bye."], ["Good morning.", "Thanks.", "See you."], ["Thanks.", "Bye."]]
    for seed in range(30):
        for p in nsp.make_pairs(docs, seed=seed):
            successor = docs[p.doc][docs[p.doc].index(p.a) + 1]
            if not p.is_next:
                assert p.b != successor and p.b != p.a


def test_pairs_need_two_documents():
    with pytest.raises(ValueError, match="two documents"):
        nsp.make_pairs([["One.", "Two.", "Three."]], seed=0)


def test_pairs_limit_keeps_that_many():
    assert len(nsp.make_pairs(numbered_docs([30, 30]), seed=0, limit=10)) == 10


CONLLU = """# newdoc id = doc-a
# sent_id = a-1
# text = Hello world.
1	Hello	hello	INTJ	UH	_	0	root	_	_
2	world	world	NOUN	NN	_	1	vocative	_	SpaceAfter=No
3	.	.	PUNCT	.	_	1	punct	_	_

# sent_id = a-2
# text = Bye.
1	Bye	bye	INTJ	UH	_	0	root	_	SpaceAfter=No
2	.	.	PUNCT	.	_	1	punct	_	_

# newdoc id = doc-b
# sent_id = b-1
# text = Another one.
1	Another	another	DET	DT	_	2	det	_	_
2	one	one	NOUN	NN	_	0	root	_	SpaceAfter=No
3	.	.	PUNCT	.	_	2	punct	_	_
"""


def test_conllu_documents_start_at_each_newdoc_comment():
    assert nsp.conllu_documents(CONLLU) == [["Hello world.", "Bye."], ["Another one."]]


def test_text_documents_are_one_per_file(tmp_path):
    (tmp_path / "a.txt").write_text("First speech opens here. It goes on a while.\n")
    (tmp_path / "b.txt").write_text("Second speech opens here.")
    assert nsp.text_documents(tmp_path) == [
        ["First speech opens here.", "It goes on a while."],
        ["Second speech opens here."],
    ]


@pytest.mark.parametrize("name", ["en_ewt-ud-test.conllu", "TEST.conllu", "my_test_docs.conllu"])
def test_training_refuses_a_test_set_before_reading_it(tmp_path, name):
    path = tmp_path / name  # never created: the refusal comes before any read
    with pytest.raises(SystemExit, match="test set"):
        nsp.training_documents(None, [str(path)])
    with pytest.raises(SystemExit, match="test set"):
        nsp.main(["--conllu", str(path), "--out", str(tmp_path / "run")])


def test_training_reads_a_dev_file(tmp_path):
    path = tmp_path / "en_ewt-ud-dev.conllu"
    path.write_text(CONLLU)
    assert nsp.training_documents(None, [str(path)]) == [["Hello world.", "Bye."], ["Another one."]]


@pytest.fixture(scope="module")
def tiny_encoder():
    from transformers import AutoTokenizer, BertModel

    from bertviz_core.models import student

    torch.manual_seed(0)
    return BertModel(tiny_config("bert")).eval(), AutoTokenizer.from_pretrained(student.teacher_path())


def test_features_are_the_encoders_cls_state_of_each_pair_in_the_pairs_order(tiny_encoder):
    model, tokenizer = tiny_encoder
    pairs = nsp.make_pairs(numbered_docs([4, 6, 3]), seed=2)
    features = nsp.extract(model, tokenizer, pairs, max_len=64, batch=3)  # batches mix lengths and padding
    for k, p in enumerate(pairs):
        with torch.no_grad():
            alone = model(**tokenizer(p.a, p.b, return_tensors="pt")).last_hidden_state[0, 0].numpy()
        np.testing.assert_allclose(features[k], alone, atol=1e-5)


def test_fit_learns_a_separable_rule_and_keeps_the_best_dev_step():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(800, 16)).astype(np.float32)
    y = x[:, 0] + 0.5 * x[:, 1] > 0
    init = NspHead(
        torch.randn(16, 16) * 0.02, torch.zeros(16), torch.randn(2, 16) * 0.02, torch.zeros(2)
    )  # chance at the start
    settings = nsp.Settings(steps=400, eval_every=50, lr=3e-3)
    head, log = nsp.fit(x[:600], y[:600], x[600:], y[600:], init, settings)
    probability = head.probability(torch.from_numpy(x[600:])).detach().numpy()
    assert ((probability > 0.5) == y[600:]).mean() >= 0.9
    assert log["dev_accuracy"] == max(c["dev_acc"] for c in log["curve"])


def test_a_saved_head_loads_into_bert_for_next_sentence_prediction_with_the_same_logits(tmp_path, tiny_encoder):
    from transformers import AutoTokenizer, BertForNextSentencePrediction

    from bertviz_core.models import student

    hidden = tiny_config("bert").hidden_size
    g = torch.Generator().manual_seed(4)
    head = NspHead(*(torch.randn(*shape, generator=g) for shape in ((hidden, hidden), (hidden,), (2, hidden), (2,))))
    path = tmp_path / "nsp-tiny.safetensors"
    nsp.save_head(head, path, {"model": "tiny"})
    loaded, card = load_head_file(path)
    assert card == {"model": "tiny"}
    torch.manual_seed(0)
    model = BertForNextSentencePrediction(tiny_config("bert")).eval()
    from safetensors.torch import load_file

    missing, unexpected = model.load_state_dict(load_file(str(path)), strict=False)
    assert not unexpected and not set(HEAD_KEYS) & set(missing)
    enc = AutoTokenizer.from_pretrained(student.teacher_path())("A first one.", "A second one.", return_tensors="pt")
    with torch.no_grad():
        expected = model(**enc).logits
        first = model.bert(**enc).last_hidden_state[:, 0]
        np.testing.assert_allclose(loaded.logits(first).numpy(), expected.numpy(), atol=1e-5)
