"""Results folders of the corpus command (issue #14): written by a tiny CLI run, read back by
bertviz_core.corpus.results.load_results, refused with a specific reason when they are wrong or outside the
results root, and shown on /compare ("over many sentences") and /syntax.

Oracles: the library's single-sentence capture() + trace_metrics / uniform_baseline for every
head metric (conv heads on their kernels, as /compare), syntax.head_accuracy for the syntax table, and
compare_traces on those captures (what compare_many does) for the A-vs-B summaries.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

import bertviz_core as bc
from bertviz_core.analysis import syntax
from bertviz_core.analysis.compare import compare_traces, summary_rows
from bertviz_core.analysis.metrics import METRICS, slot_names, trace_metrics, uniform_baseline
from bertviz_core.corpus import results as corpus
from bertviz_core.corpus import run as corpus_cli

# four short sentences written by hand (one with a split word, punctuation, an iobj)
TREEBANK = """# text = The old dog barks.
1\tThe\tthe\tDET\tDT\t_\t3\tdet\t_\t_
2\told\told\tADJ\tJJ\t_\t3\tamod\t_\t_
3\tdog\tdog\tNOUN\tNN\t_\t4\tnsubj\t_\t_
4\tbarks\tbark\tVERB\tVBZ\t_\t0\troot\t_\t_
5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_

# text = Walruses chase penguins
1\tWalruses\twalrus\tNOUN\tNNS\t_\t2\tnsubj\t_\t_
2\tchase\tchase\tVERB\tVBP\t_\t0\troot\t_\t_
3\tpenguins\tpenguin\tNOUN\tNNS\t_\t2\tobj\t_\t_

# text = She gave him a book.
1\tShe\tshe\tPRON\tPRP\t_\t2\tnsubj\t_\t_
2\tgave\tgive\tVERB\tVBD\t_\t0\troot\t_\t_
3\thim\the\tPRON\tPRP\t_\t2\tiobj\t_\t_
4\ta\ta\tDET\tDT\t_\t5\tdet\t_\t_
5\tbook\tbook\tNOUN\tNN\t_\t2\tobj\t_\t_
6\t.\t.\tPUNCT\t.\t_\t2\tpunct\t_\t_

# text = Birds sing in the morning
1\tBirds\tbird\tNOUN\tNNS\t_\t2\tnsubj\t_\t_
2\tsing\tsing\tVERB\tVBP\t_\t0\troot\t_\t_
3\tin\tin\tADP\tIN\t_\t5\tcase\t_\t_
4\tthe\tthe\tDET\tDT\t_\t5\tdet\t_\t_
5\tmorning\tmorning\tNOUN\tNN\t_\t2\tobl\t_\t_

"""
WORDS = [
    ["The", "old", "dog", "barks", "."],
    ["Walruses", "chase", "penguins"],
    ["She", "gave", "him", "a", "book", "."],
    ["Birds", "sing", "in", "the", "morning"],
]
MODELS = ("bert-minilm-l6", "convbert-minilm-l6")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """A results root with one tiny CLI run per bundled model on TREEBANK, plus the treebank file."""
    import torch

    root = tmp_path_factory.mktemp("results")
    conllu = tmp_path_factory.mktemp("input") / "tiny.conllu"
    conllu.write_text(TREEBANK, encoding="utf-8")
    threads = torch.get_num_threads()
    try:
        for model in MODELS:
            code = corpus_cli.main(
                [
                    "--model",
                    model,
                    "--input",
                    str(conllu),
                    "--stats",
                    "head-metrics,syntax",
                    "--out",
                    str(root / f"tiny-{model}"),
                    "--batch-size",
                    "2",
                    "--chunk-size",
                    "3",
                    "--threads",
                    "1",
                    "--quiet",
                ]
            )
            assert code == 0
    finally:
        torch.set_num_threads(threads)  # the CLI sets torch's threads for its run
    return root, conllu


@pytest.fixture(scope="module")
def traces():
    """Each sentence captured alone by each model (the oracle's input, shared by the tests below)."""
    return {m: [bc.capture(bc.load_model(m), " ".join(w)) for w in WORDS] for m in MODELS}


@pytest.fixture
def root_env(results, monkeypatch):
    root, _ = results
    monkeypatch.setenv(corpus.RESULTS_ENV, str(root))
    return root


def copy_run(results, tmp_path, model="bert-minilm-l6", name="run"):
    """A writable copy of one run inside a fresh results root (for damaging it)."""
    root, _ = results
    new_root = tmp_path / "root"
    shutil.copytree(root / f"tiny-{model}", new_root / name)
    return new_root, new_root / name


# ---------------------------------------------------------------- the library
@pytest.mark.parametrize("model", MODELS)
def test_cli_run_round_trips_through_load_results(results, traces, model):
    root, conllu = results
    res = corpus.load_results(root / f"tiny-{model}", root)
    assert res["name"] == f"tiny-{model}"
    assert res["meta"]["model"] == model and res["meta"]["sentences"] == 4 and res["meta"]["format"] == 2
    lm = bc.load_model(model)
    metrics, sentences = res["head_metrics"], res["sentences"]
    assert sentences["text"].tolist() == [" ".join(w) for w in WORDS]
    for k, trace in enumerate(traces[model]):  # one sentence, no batching, no word split
        expected = trace_metrics(trace)  # ConvBERT: conv heads on their kernels, as /compare
        rows = metrics[metrics.sentence == k].sort_values(["layer", "head"])
        L, N = expected["entropy"].shape
        assert len(rows) == L * N and rows["n_tokens"].iloc[0] == len(trace)
        assert rows["head_name"].tolist()[:N] == slot_names(trace)
        for m in METRICS:
            np.testing.assert_allclose(rows[m].to_numpy().reshape(L, N), expected[m], atol=1e-5, err_msg=m)
        baseline = uniform_baseline(trace)
        row = sentences[sentences.sentence == k].iloc[0]
        for m in METRICS:
            assert row[f"uniform_attn_{m}"] == pytest.approx(baseline["attn"][m], abs=1e-6)
            if "conv" in baseline:
                assert row[f"uniform_conv_{m}"] == pytest.approx(baseline["conv"][m], abs=1e-6)
            else:
                assert np.isnan(row[f"uniform_conv_{m}"])
    library = syntax.head_accuracy(lm, str(conllu))
    pd.testing.assert_frame_equal(res["syntax"].reset_index(drop=True), library.reset_index(drop=True))


def test_results_comparison_equals_compare_traces(results, traces):
    root, _ = results
    a, b = (corpus.load_results(root / f"tiny-{m}", root) for m in MODELS)
    got = corpus.results_comparison(a, b)
    # what /compare computes over many sentences (compare_many = compare_traces on one capture per sentence)
    ref = compare_traces(zip(*(traces[m] for m in MODELS)), matching=False)
    assert got["names_a"] == ref["names_a"] and got["names_b"] == ref["names_b"]
    assert got["kinds_b"] == ref["kinds_b"] and got["model_b"] == "convbert-minilm-l6"
    assert got["sentences"] == ref["sentences"]
    np.testing.assert_array_equal(got["lengths_a"], ref["lengths_a"])
    for side in "ab":
        for m in METRICS:
            np.testing.assert_allclose(
                got["per_sentence"][f"metrics_{side}"][m],
                ref["per_sentence"][f"metrics_{side}"][m],
                atol=1e-5,
                err_msg=m,
            )
            np.testing.assert_allclose(
                got["per_sentence"][f"baseline_{side}"][m],
                ref["per_sentence"][f"baseline_{side}"][m],
                atol=1e-6,
                err_msg=m,
            )
    rows_got = pd.DataFrame(summary_rows(got, ["entropy", "local"]))
    rows_ref = pd.DataFrame(summary_rows(ref, ["entropy", "local"]))
    pd.testing.assert_frame_equal(rows_got, rows_ref, atol=1e-5, rtol=1e-4)  # p-values of 4 sentences are touchy


def test_find_results_lists_folders_inside_the_root_only(results, tmp_path):
    new_root, run = copy_run(results, tmp_path)
    (new_root / "group").mkdir()
    shutil.copytree(run, new_root / "group" / "nested")
    shutil.copytree(run, new_root / ".hidden")
    outside = tmp_path / "elsewhere"
    shutil.copytree(run, outside)
    (new_root / "link-out").symlink_to(outside, target_is_directory=True)
    (new_root / "link-in").symlink_to(run, target_is_directory=True)
    (new_root / "empty").mkdir()
    assert corpus.find_results(new_root) == ["group/nested", "link-in", "run"]
    assert corpus.find_results(tmp_path / "no-such-root") == []


@pytest.mark.parametrize("name", ["../elsewhere", "link-out", "/etc", "run/../../elsewhere"])
def test_a_folder_outside_the_root_is_refused(results, tmp_path, name):
    new_root, run = copy_run(results, tmp_path)
    shutil.copytree(run, tmp_path / "elsewhere")
    (new_root / "link-out").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(corpus.ResultsError) as err:
        corpus.results_folder(name, new_root)
    assert err.value.code == "outside_root"
    assert str(tmp_path) not in str(err.value)  # no server path in the message
    with pytest.raises(corpus.ResultsError) as err:
        corpus.load_results(new_root / name, new_root)
    assert err.value.code == "outside_root"


def test_a_file_linked_outside_the_root_is_refused(results, tmp_path):
    new_root, run = copy_run(results, tmp_path)
    secret = tmp_path / "secret.parquet"
    shutil.move(run / "syntax.parquet", secret)
    (run / "syntax.parquet").symlink_to(secret)
    with pytest.raises(corpus.ResultsError) as err:
        corpus.load_results(run, new_root)
    assert err.value.code == "outside_root" and err.value.params == {"name": "syntax.parquet"}
    assert corpus.load_results(run)["syntax"] is not None  # without a root (the library, a notebook) it reads


def test_wrong_and_partial_folders_give_their_reasons(results, tmp_path, monkeypatch):
    new_root, run = copy_run(results, tmp_path)

    def reason(folder=run):
        with pytest.raises(corpus.ResultsError) as err:
            corpus.load_results(folder, new_root)
        return err.value.code, err.value.params

    good = pd.read_parquet(run / "head_metrics.parquet")
    good.drop(columns=["entropy", "local"]).to_parquet(run / "head_metrics.parquet")
    assert reason() == ("bad_columns", {"file": "head_metrics.parquet", "columns": "entropy, local"})
    good[good.sentence != 2].to_parquet(run / "head_metrics.parquet")  # a sentence missing: meta says 4
    assert reason()[0] == "incomplete"
    good.iloc[:-5].to_parquet(run / "head_metrics.parquet")  # a run cut mid-sentence
    assert reason() == ("incomplete", {"file": "head_metrics.parquet", "rows": len(good) - 5, "expected": len(good)})
    good.assign(layer=good.layer.astype(str)).to_parquet(run / "head_metrics.parquet")
    assert reason() == ("bad_values", {"file": "head_metrics.parquet", "column": "layer"})
    (run / "head_metrics.parquet").write_bytes(b"PAR1 this is not parquet")
    assert reason() == ("not_parquet", {"file": "head_metrics.parquet"})
    (run / "head_metrics.parquet").unlink()  # meta.json lists head-metrics
    assert reason() == ("incomplete", {"name": "run", "file": "head_metrics.parquet"})
    good.to_parquet(run / "head_metrics.parquet")
    assert corpus.load_results(run, new_root)["head_metrics"] is not None
    monkeypatch.setattr(corpus, "MAX_RESULT_FILE_BYTES", 1000)
    code, params = reason()
    assert code == "too_large" and params["file"] == "head_metrics.parquet"
    monkeypatch.undo()
    (run / "meta.json").write_text("[1, 2]")
    assert reason() == ("bad_meta", {"name": "run"})
    (run / "meta.json").unlink()
    assert reason() == ("no_meta", {"name": "run"})


def test_two_runs_on_different_inputs_are_not_compared(results, tmp_path):
    root, _ = results
    a = corpus.load_results(root / "tiny-bert-minilm-l6", root)
    b = corpus.load_results(root / "tiny-convbert-minilm-l6", root)
    other = {**b, "meta": {**b["meta"], "input_sha256": "0" * 16}}
    with pytest.raises(corpus.ResultsError) as err:
        corpus.results_comparison(a, other)
    assert err.value.code == "different_input"
    fewer = {**b, "head_metrics": b["head_metrics"][b["head_metrics"].sentence < 3], "sentences": None}
    with pytest.raises(corpus.ResultsError) as err:
        corpus.results_comparison(a, fewer)
    assert err.value.code == "different_sentences" and (err.value.params["na"], err.value.params["nb"]) == (4, 3)
    only_syntax = {**b, "head_metrics": None}
    with pytest.raises(corpus.ResultsError) as err:
        corpus.results_comparison(a, only_syntax)
    assert err.value.code == "no_head_metrics" and err.value.params["side"] == "B"


# ---------------------------------------------------------------- the pages
def _many_results(at, **picks):
    """Open the "over many sentences" tab with results folders (through session state: AppTest cannot
    re-send widgets whose labels the language switch translated)."""
    at.session_state["compare_tab"] = at.tabs[3].label
    at.session_state["many_mode"] = "results"
    for key, value in picks.items():
        at.session_state[key] = value
    at.run()
    return at


def test_compare_page_shows_two_results_folders(root_env):
    from apptest_util import charts, decode, open_page, texts

    at = _many_results(open_page("compare", text="A short sentence."))
    assert not at.exception
    # the picker proposes each model's own folder, run on the same input
    assert at.selectbox(key="res_a").value == "tiny-bert-minilm-l6"
    assert at.selectbox(key="res_b").value == "tiny-convbert-minilm-l6"
    assert "4 sentences of tiny\\.conllu" in texts(at)  # markdown-escaped
    assert str(root_env) not in texts(at)  # folder names only, never the server path
    maps = [c for c in charts(at) if c["data"][0]["type"] == "heatmap"]
    assert len(maps) == 2  # per-head mean of A and of B
    # results_comparison is checked against capture() + trace_metrics above; here: the page draws its means
    compared = corpus.results_comparison(*(corpus.load_results(root_env / f"tiny-{m}") for m in MODELS))
    for spec, side in zip(maps, "ab"):
        expected = compared["per_sentence"][f"metrics_{side}"]["entropy"].mean(0)
        np.testing.assert_allclose(decode(spec["data"][0]["z"]), expected, atol=1e-6)
    assert any("Head matching (JS divergence) and CKA need" in c.value for c in at.caption)


def test_compare_page_explains_a_bad_folder(root_env, results, tmp_path, monkeypatch):
    from apptest_util import open_page

    new_root, run = copy_run(results, tmp_path, name="bert-run")
    shutil.copytree(results[0] / "tiny-convbert-minilm-l6", new_root / "convbert-run")
    secret = tmp_path / "outside.parquet"
    shutil.move(new_root / "convbert-run" / "head_metrics.parquet", secret)
    (new_root / "convbert-run" / "head_metrics.parquet").symlink_to(secret)
    shutil.copytree(run, new_root / "damaged")
    pd.read_parquet(run / "head_metrics.parquet").drop(columns=["entropy"]).to_parquet(
        new_root / "damaged" / "head_metrics.parquet"
    )
    monkeypatch.setenv(corpus.RESULTS_ENV, str(new_root))
    at = _many_results(open_page("compare", text="A short sentence."), res_a="bert-run", res_b="convbert-run")
    assert not at.exception
    assert at.error[0].value == (
        "Cannot use these results: 'head\\_metrics\\.parquet' is outside the results "
        "folder; only folders inside it are read."
    )
    at.session_state["res_b"] = "damaged"
    at.run()
    assert not at.exception
    assert at.error[0].value == (
        "Cannot use these results: head\\_metrics\\.parquet lacks the columns entropy: "
        "it is not the table the corpus command writes."
    )
    assert str(tmp_path) not in at.error[0].value


def open_with_state(page: str, session: dict, **query):
    """Like apptest_util.open_page, with session state set before the first run (a page in Chinese cannot
    be re-run by AppTest once widgets with translated labels exist)."""
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=120)
    at.query_params.update(query)
    for key, value in session.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(f"../pages/{page}.py")
    at.run()
    return at


def test_compare_page_without_results_folders_says_how_to_make_one(tmp_path, monkeypatch):
    monkeypatch.setenv(corpus.RESULTS_ENV, str(tmp_path / "none"))
    at = open_with_state(
        "compare", {"compare_tab": "多句统计", "many_mode": "results"}, text="A short sentence.", lang="zh"
    )
    assert not at.exception
    assert "没有找到结果文件夹" in at.info[-1].value


def test_syntax_page_reads_a_results_folder(root_env, results):
    from apptest_util import decode, open_page

    at = open_page("syntax", model="convbert-minilm-l6", text="Dogs bark.")
    at.session_state["syn_source"] = "results"
    at.run()
    assert not at.exception
    assert at.selectbox(key="syn_results_folder").value == "tiny-convbert-minilm-l6"  # the picked model's run
    bars = next(s for s in (json.loads(e.proto.spec) for e in at.get("plotly_chart")) if s["data"][0]["type"] == "bar")
    table = corpus.load_results(results[0] / "tiny-convbert-minilm-l6")["syntax"]
    best = syntax.best_heads(table, syntax.MAIN_RELATIONS)
    assert list(bars["data"][0]["x"]) == list(best["relation"])
    np.testing.assert_allclose(decode(bars["data"][0]["y"]), best["accuracy"], atol=1e-9)
    assert any("Results of convbert" in c.value for c in at.caption)


def test_syntax_page_folder_without_a_syntax_table(results, tmp_path, monkeypatch):
    new_root, run = copy_run(results, tmp_path, name="metrics-only")
    (run / "syntax.parquet").unlink()
    meta = json.loads((run / "meta.json").read_text())
    (run / "meta.json").write_text(json.dumps({**meta, "stats": ["head-metrics"]}))
    monkeypatch.setenv(corpus.RESULTS_ENV, str(new_root))
    at = open_with_state("syntax", {"syn_source": "results"}, model="bert-minilm-l6", text="Dogs bark.", lang="zh")
    assert not at.exception
    assert "“metrics\\-only”中只有注意力头指标" in at.warning[0].value
    assert not [e for e in at.get("plotly_chart") if json.loads(e.proto.spec)["data"][0]["type"] == "bar"]
