"""The corpus command's defaults and its early, clean failures (issue #30, points 2 and 3)."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest

from bertviz_core.cli import main as cli
from bertviz_core.corpus import run


@pytest.fixture
def txt(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("The cat sat.\nDogs bark loudly.\n")
    return path


def test_text_input_defaults_to_head_metrics_and_the_subcommand_runs_it(txt, tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(["corpus", "--model", "bert-minilm-l6", "--input", str(txt), "--out", str(out), "--quiet"]) == 0
    assert json.loads((out / "meta.json").read_text())["stats"] == ["head-metrics"]
    assert len(pd.read_parquet(out / "head_metrics.parquet")) == 2 * 6 * 12
    assert not (out / "syntax.parquet").exists()


def test_default_stats_follow_the_input_kind():
    assert run.default_stats("a.conllu") == "head-metrics,syntax"
    assert run.default_stats("a.CONLL") == "head-metrics,syntax"
    assert run.default_stats("a.txt") == "head-metrics"


def test_an_output_path_under_a_file_fails_before_any_work(txt, tmp_path, capsys, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setattr(run, "run_local", lambda *a, **k: pytest.fail("the corpus was processed"))
    code = run.main(["--model", "bert-minilm-l6", "--input", str(txt), "--out", str(blocker / "sub"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: Cannot write to --out") and "Traceback" not in err
    assert run.main(["--model", "bert-minilm-l6", "--input", str(txt), "--out", str(blocker), "--quiet"]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_output_folder_fails_before_any_work(txt, tmp_path, capsys, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    monkeypatch.setattr(run, "run_local", lambda *a, **k: pytest.fail("the corpus was processed"))
    try:
        assert run.main(["--model", "bert-minilm-l6", "--input", str(txt), "--out", str(locked / "o")]) == 2
    finally:
        locked.chmod(0o700)
    assert "Cannot write to --out" in capsys.readouterr().err


def test_existing_results_are_refused_unless_overwrite(txt, tmp_path, capsys):
    out = tmp_path / "run"
    args = ["--model", "bert-minilm-l6", "--input", str(txt), "--out", str(out), "--quiet"]
    assert run.main(args) == 0
    (out / "meta.json").write_text('{"mark": 1}')
    assert run.main(args) == 2
    assert "already holds results" in capsys.readouterr().err and json.loads((out / "meta.json").read_text()) == {
        "mark": 1
    }
    assert run.main([*args, "--overwrite"]) == 0
    assert "mark" not in json.loads((out / "meta.json").read_text())


def test_check_output_folder_makes_missing_folders(tmp_path):
    assert run.check_output_folder(tmp_path / "a" / "b").is_dir()
