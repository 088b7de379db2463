"""Clark et al.'s head accuracy (bertviz_core.analysis.syntax), the corpus CLI and its Ray engine.

Oracles: a hand-made sentence with a hand-made attention and hand-computed accuracies and
baselines; the tokenizer's own pieces; arcs counted straight from the CoNLL-U text; the
library's single-sentence capture() for the CLI's head metrics; the plain loop for Ray.
"""

from __future__ import annotations

import types

import numpy as np
import pandas as pd
import pytest
from conftest import SHARED

import bertviz_core as bc
from bertviz_core.analysis import syntax
from bertviz_core.analysis.metrics import METRICS, trace_metrics
from bertviz_core.corpus import run as corpus_cli
from bertviz_core.tracing import batch

EWT_TEST = SHARED / "ud-english-ewt" / "en_ewt-ud-test.conllu"
needs_ewt = pytest.mark.skipif(not EWT_TEST.is_file(), reason="shared UD EWT data not present")

# Walruses(1) <-nsubj- chase(2, root) -obj-> penguins(3); the subtype of nsubj:outer is dropped
HAND = """# sent_id = hand-1
# text = Walruses chase penguins
1\tWalruses\twalrus\tNOUN\tNNS\t_\t2\tnsubj:outer\t_\t_
2\tchase\tchase\tVERB\tVBP\t_\t0\troot\t_\t_
3\tpenguins\tpenguin\tNOUN\tNNS\t_\t2\tobj\t_\t_

"""
# the bundled WordPiece splits it: [CLS] wal ##rus ##es chase penguins [SEP]
HAND_PIECES = ["[CLS]", "wal", "##rus", "##es", "chase", "penguins", "[SEP]"]


def hand_attention() -> np.ndarray:
    """[1 layer, 2 heads, 7, 7] rows over the pieces above (each row sums to 1).

    Head 0: Walruses' pieces give chase (0.5 + 0.1 + 0.3) / 3 = 0.300 and penguins
    (0.2 + 0.6 + 0.3) / 3 = 0.367 -> penguins (wrong; its first piece alone would say chase).
    penguins gives Walruses 0.2 * 3 = 0.6 summed over pieces vs chase 0.35 -> Walruses (wrong;
    any single piece would lose to chase).
    Head 1: Walruses' pieces put 0.5 on [SEP] (ignored) and 0.3 on chase vs 0.1 on penguins ->
    chase (right). penguins puts 0.7 on itself (ignored), chase 0.2 vs Walruses 0.1 -> chase (right).
    """
    a = np.zeros((1, 2, 7, 7), dtype=np.float32)
    CLS, WAL, RUS, ES, CHASE, PENG, SEP = range(7)
    h0 = a[0, 0]
    h0[WAL, [CHASE, PENG, CLS]] = [0.5, 0.2, 0.3]
    h0[RUS, [CHASE, PENG, SEP]] = [0.1, 0.6, 0.3]
    h0[ES, [CHASE, PENG, CLS]] = [0.3, 0.3, 0.4]
    h0[PENG, [WAL, RUS, ES, CHASE, PENG]] = [0.2, 0.2, 0.2, 0.35, 0.05]
    h1 = a[0, 1]
    for piece in (WAL, RUS, ES):
        h1[piece, [CLS, SEP, CHASE, PENG]] = [0.1, 0.5, 0.3, 0.1]
    h1[PENG, [PENG, CHASE, WAL, RUS]] = [0.7, 0.2, 0.05, 0.05]
    for m in (h0, h1):  # rows not used by the test (specials, chase): uniform
        for r in (CLS, CHASE, SEP):
            m[r] = 1 / 7
    np.testing.assert_allclose(a.sum(-1), 1, atol=1e-6)
    return a


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from bertviz_core.models import student

    return AutoTokenizer.from_pretrained(student.teacher_path())


@pytest.fixture
def fake_lm(tokenizer, monkeypatch):
    """A model stand-in whose forward pass returns hand_attention() for every sentence."""
    seen = []

    def fake_run(lm, encodings, **kwargs):
        for i, enc in enumerate(encodings):
            seen.append(lm.tokenizer.convert_ids_to_tokens(enc["input_ids"]))
            yield i, {"attentions": hand_attention()}

    monkeypatch.setattr(batch, "run", fake_run)
    lm = types.SimpleNamespace(id="fake", label="fake", family="bert", tokenizer=tokenizer, max_tokens=512)
    lm.seen = seen
    return lm


def test_hand_made_sentence_gives_hand_computed_accuracy_and_baseline(fake_lm):
    frame = syntax.head_accuracy(fake_lm, HAND)
    assert fake_lm.seen == [HAND_PIECES]  # the model saw the words as the tokenizer split them
    assert list(frame.columns) == ["relation", "layer", "head", "accuracy", "n", "best_offset", "offset_accuracy"]
    got = {
        (r.relation, r.layer, r.head): (r.accuracy, r.n, r.best_offset, r.offset_accuracy) for r in frame.itertuples()
    }
    assert got == {  # root is left out; nsubj:outer counts as nsubj
        ("nsubj", 0, 0): (0.0, 1, 1, 1.0),
        ("nsubj", 0, 1): (1.0, 1, 1, 1.0),
        ("obj", 0, 0): (0.0, 1, -1, 1.0),
        ("obj", 0, 1): (1.0, 1, -1, 1.0),
    }
    assert frame.attrs == {"sentences": 1, "skipped_arcs": 0, "attention_heads": 2}


def test_offset_baseline_on_two_arcs_of_one_relation(fake_lm):
    """Both dependents of 'dogs': 'old' at offset +2 and 'grey' at +1. Offsets +1 and +2 each get
    one of two right (0.5); the tie goes to the nearer offset, +1."""
    text = (
        "1\told\told\tADJ\tJJ\t_\t3\tamod\t_\t_\n2\tgrey\tgrey\tADJ\tJJ\t_\t3\tamod\t_\t_\n"
        "3\tdogs\tdog\tNOUN\tNNS\t_\t0\troot\t_\t_\n\n"
    )
    counts = syntax.SyntaxCounts()
    sentence = syntax.read_conllu(text)[0]
    # head 0 predicts 'dogs' for both (2/2), head 1 predicts 'grey' for 'old' and 'old' for 'grey' (0/2)
    predictions = np.array([[[2, 2, 0], [1, 0, 0]]])
    counts.add(sentence, predictions, np.ones(3, bool))
    frame = counts.to_frame()
    assert frame["accuracy"].tolist() == [1.0, 0.0]
    assert frame["best_offset"].tolist() == [1, 1] and frame["offset_accuracy"].tolist() == [0.5, 0.5]


def test_word_attention_sums_to_and_averages_from(tokenizer):
    lm = types.SimpleNamespace(label="t", tokenizer=tokenizer, max_tokens=512)
    inputs, word_ids = syntax.encode_words(lm, ["Walruses", "chase", "penguins"])
    assert tokenizer.convert_ids_to_tokens(inputs["input_ids"]) == HAND_PIECES
    assert word_ids == [None, 0, 0, 0, 1, 2, None]
    words, has = syntax.word_attention(hand_attention(), word_ids, 3)
    assert has.tolist() == [True, True, True]
    h0 = hand_attention()[0, 0]
    expected_walruses_row = [h0[1:4, 1:4].sum(1).mean(), h0[1:4, 4].mean(), h0[1:4, 5].mean()]
    np.testing.assert_allclose(words[0, 0, 0], expected_walruses_row, atol=1e-6)
    np.testing.assert_allclose(words[0, 0, 2], [0.6, 0.35, 0.05], atol=1e-6)
    assert syntax.predicted_heads(words, has)[0].tolist() == [[2, 0, 0], [1, 0, 1]]


def test_alignment_pieces_spell_their_words(bert):
    words = ["Unbelievably", ",", "the", "hippopotamuses", "outswam", "Kim", "'s", "e-mail"]
    inputs, word_ids = syntax.encode_words(bert, words)
    pieces = bert.tokenizer.convert_ids_to_tokens(inputs["input_ids"])
    assert word_ids[0] is None and word_ids[-1] is None  # [CLS], [SEP]
    for w, word in enumerate(words):
        mine = [p for p, i in zip(pieces, word_ids) if i == w]
        assert len(mine) >= 1
        assert "".join(p.removeprefix("##") for p in mine) == word.lower()
    assert sum(1 for w in range(len(words)) if word_ids.count(w) > 1) >= 3  # several words really split


def test_multiword_token_ranges_and_empty_nodes_are_skipped():
    text = (
        "# text = Google's walruses left\n"
        "1-2\tGoogle's\t_\t_\t_\t_\t_\t_\t_\t_\n"
        "1\tGoogle\tGoogle\tPROPN\tNNP\t_\t3\tnmod:poss\t_\t_\n"
        "2\t's\t's\tPART\tPOS\t_\t1\tcase\t_\t_\n"
        "3\twalruses\twalrus\tNOUN\tNNS\t_\t4\tnsubj\t_\t_\n"
        "3.1\tleft\tleave\tVERB\tVBD\t_\t_\t_\t4:conj\t_\n"
        "4\tleft\tleave\tVERB\tVBD\t_\t0\troot\t_\t_\n\n"
    )
    (s,) = syntax.read_conllu(text)
    assert s.words == ("Google", "'s", "walruses", "left")
    assert s.heads == (3, 1, 4, 0)
    assert s.universal == ("nmod", "case", "nsubj", "root")
    assert s.text == "Google's walruses left"


def test_bad_treebanks_give_reasons(tmp_path):
    with pytest.raises(ValueError, match="No such CoNLL-U file"):
        syntax.read_conllu(str(tmp_path / "missing.conllu"))
    with pytest.raises(ValueError, match="Line 1 is not CoNLL-U"):
        syntax.read_conllu("1\tonly\tthree\n\n")
    with pytest.raises(ValueError, match="No sentences"):
        syntax.read_conllu("# just a comment\n\n")
    for empty in ("", "  \n"):  # an empty upload's text is no path: "No sentences", not "No such CoNLL-U file: ."
        with pytest.raises(ValueError, match="No sentences found in this treebank"):
            syntax.read_conllu(empty)


@needs_ewt
def test_ewt_word_attention_matches_the_page_path(bert):
    """is_split_into_words + word_ids (the corpus path) and capture() + character offsets (the page
    path) give the same word-level attention on a treebank sentence with split words."""
    sentence = next(s for s in syntax.read_conllu(EWT_TEST, 40) if len(s) > 12)
    inputs, word_ids = syntax.encode_words(bert, sentence.words)
    ((_, result),) = batch.run(bert, [inputs])
    words_corpus, has = syntax.word_attention(result["attentions"], word_ids, len(sentence))
    assert has.all() and len(word_ids) > len(sentence) + 2  # some words split into pieces
    trace = bc.capture(bert, " ".join(sentence.words))
    groups, labels = syntax.trace_word_groups(trace)
    assert labels == list(sentence.words)
    np.testing.assert_allclose(syntax.word_matrix(trace.attentions, groups), words_corpus, atol=1e-5)


@needs_ewt
def test_real_model_table_is_consistent(bert):
    frame = syntax.head_accuracy(bert, EWT_TEST, max_sentences=20)
    assert set(frame.groupby("relation").size()) == {72}  # 6 layers x 12 heads per relation
    assert frame["accuracy"].between(0, 1).all() and frame["offset_accuracy"].between(0, 1).all()
    best = syntax.best_heads(frame, ["det", "nsubj"])
    assert best["relation"].tolist() == ["det", "nsubj"]
    det = frame[frame.relation == "det"]
    assert best.loc[0, "accuracy"] == det["accuracy"].max()


def ewt_arc_counts(path, max_sentences=None) -> dict[str, int]:
    """Non-root arcs per universal relation, counted straight from the CoNLL-U text."""
    counts: dict[str, int] = {}
    sentences = 0
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [l for l in block.splitlines() if l and not l.startswith("#")]
        if not lines:
            continue
        sentences += 1
        if max_sentences and sentences > max_sentences:
            break
        for line in lines:
            cols = line.split("\t")
            if "-" in cols[0] or "." in cols[0] or cols[6] in ("0", "_"):
                continue
            rel = cols[7].split(":")[0]
            counts[rel] = counts.get(rel, 0) + 1
    return counts


@needs_ewt
@pytest.mark.parametrize(
    "model_id", ["bert-minilm-l6", "convbert-minilm-l6", "deberta-minilm-l6", "bert-minilm-l6-mlm"]
)
def test_shipped_tables_agree_with_a_fresh_computation(model_id):
    path = syntax.shipped_table_path(model_id)
    assert path.is_file() and path.stat().st_size < 1_000_000
    shipped = syntax.read_table(path)
    assert shipped.attrs["treebank_sha256"] == syntax.file_digest(EWT_TEST)
    assert shipped.attrs["sentences"] == 2077
    n = shipped.groupby("relation")["n"].first().to_dict()
    assert n == ewt_arc_counts(EWT_TEST)  # every non-root arc of the test set was counted
    # the first sentences, recomputed now, give the table shipped for them
    sample = syntax.read_table(path.with_suffix(".sample.parquet"))
    k = sample.attrs["sentences"]
    fresh = syntax.head_accuracy(bc.load_model(model_id), EWT_TEST, max_sentences=k)
    pd.testing.assert_frame_equal(fresh.reset_index(drop=True), sample.reset_index(drop=True), atol=1e-9)


# ---------------------------------------------------------------- the CLI and Ray
@needs_ewt
def test_cli_writes_parquet_equal_to_the_library(bert, tmp_path, capsys):
    out = tmp_path / "run"
    code = corpus_cli.main(
        [
            "--model",
            "bert-minilm-l6",
            "--input",
            str(EWT_TEST),
            "--stats",
            "head-metrics,syntax",
            "--out",
            str(out),
            "--max-sentences",
            "5",
            "--batch-size",
            "2",
        ]
    )
    assert code == 0
    assert "5/5" in capsys.readouterr().err  # the progress bar
    table = pd.read_parquet(out / "syntax.parquet")
    library = syntax.head_accuracy(bert, EWT_TEST, max_sentences=5)
    pd.testing.assert_frame_equal(table, library, check_like=False)
    metrics = pd.read_parquet(out / "head_metrics.parquet")
    assert len(metrics) == 5 * 6 * 12
    for k, sentence in enumerate(syntax.read_conllu(EWT_TEST, 5)):
        expected = trace_metrics(bc.capture(bert, " ".join(sentence.words)))  # one capture, no batching
        rows = metrics[metrics.sentence == k].sort_values(["layer", "head"])
        for m in METRICS:
            np.testing.assert_allclose(rows[m].to_numpy().reshape(6, 12), expected[m], atol=1e-5, err_msg=m)


def test_cli_refuses_syntax_on_plain_text(tmp_path, capsys):
    txt = tmp_path / "s.txt"
    txt.write_text("The cat sat.\nDogs bark.\n")
    code = corpus_cli.main(
        ["--model", "bert-minilm-l6", "--input", str(txt), "--stats", "syntax", "--out", str(tmp_path / "o")]
    )
    assert code == 2
    assert "needs a CoNLL-U treebank" in capsys.readouterr().err
    assert (
        corpus_cli.main(
            ["--model", "bert-minilm-l6", "--input", str(txt), "--stats", "nonsense", "--out", str(tmp_path / "o")]
        )
        == 2
    )
    assert "Unknown stats nonsense" in capsys.readouterr().err


# a small sample that needs no shared data (CI runs it): HAND plus two sentences, 3 chunks of 1-2 sentences
SMALL = (
    HAND
    + """# text = She gave him a book.
1\tShe\tshe\tPRON\tPRP\t_\t2\tnsubj\t_\t_
2\tgave\tgive\tVERB\tVBD\t_\t0\troot\t_\t_
3\thim\the\tPRON\tPRP\t_\t2\tiobj\t_\t_
4\ta\ta\tDET\tDT\t_\t5\tdet\t_\t_
5\tbook\tbook\tNOUN\tNN\t_\t2\tobj\t_\t_
6\t.\t.\tPUNCT\t.\t_\t2\tpunct\t_\t_

# text = The old dog barks.
1\tThe\tthe\tDET\tDT\t_\t3\tdet\t_\t_
2\told\told\tADJ\tJJ\t_\t3\tamod\t_\t_
3\tdog\tdog\tNOUN\tNN\t_\t4\tnsubj\t_\t_
4\tbarks\tbark\tVERB\tVBZ\t_\t0\troot\t_\t_
5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_

"""
)


def test_cli_through_ray_equals_the_plain_loop(tmp_path):
    """The corpus command with --workers 1 (a local Ray actor holding the model, chunks of 2 sentences)
    writes the same folder as the plain batched loop, and both read back through corpus.load_results."""
    pytest.importorskip("ray")
    import torch

    from bertviz_core.corpus import results as corpus

    conllu = tmp_path / "small.conllu"
    conllu.write_text(SMALL, encoding="utf-8")
    args = [
        "--model",
        "bert-minilm-l6",
        "--input",
        str(conllu),
        "--stats",
        "head-metrics,syntax",
        "--chunk-size",
        "2",
        "--batch-size",
        "2",
        "--threads",
        "1",
        "--quiet",
    ]
    threads = torch.get_num_threads()
    try:
        assert corpus_cli.main(args + ["--out", str(tmp_path / "loop")]) == 0
        assert corpus_cli.main(args + ["--out", str(tmp_path / "ray"), "--workers", "1"]) == 0
    finally:
        torch.set_num_threads(threads)
    loop, ray_out = (corpus.load_results(tmp_path / name, tmp_path) for name in ("loop", "ray"))
    assert (loop["meta"]["engine"], ray_out["meta"]["engine"]) == ("local", "ray x1")
    assert loop["meta"]["sentences"] == ray_out["meta"]["sentences"] == 3
    pd.testing.assert_frame_equal(ray_out["syntax"], loop["syntax"])
    pd.testing.assert_frame_equal(ray_out["sentences"], loop["sentences"], rtol=1e-6)
    # both ran torch on one thread; batches are cut the same way, so the floats agree closely
    pd.testing.assert_frame_equal(ray_out["head_metrics"], loop["head_metrics"], rtol=1e-5, atol=1e-6)
    assert len(loop["head_metrics"]) == 3 * 6 * 12


def test_head_accuracy_on_a_tiny_bpe_model(models_root):
    """RoBERTa's byte-level BPE splits words unlike WordPiece; every arc still finds its pieces."""
    lm = bc.load_model("tiny-roberta")
    frame = syntax.head_accuracy(lm, HAND)
    assert set(frame["relation"]) == {"nsubj", "obj"}
    assert len(frame) == 2 * 2 * 4 and frame.attrs["skipped_arcs"] == 0  # 2 relations x 2 layers x 4 heads
