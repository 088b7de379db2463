"""The example notebook runs top to bottom in a fresh kernel (outputs in the file are never trusted)."""

from __future__ import annotations

import json
import os
import time

import nbformat
import numpy as np
import pytest
from conftest import ROOT, SHARED
from nbclient import NotebookClient

NOTEBOOK = ROOT / "examples" / "bertviz_core_tour.ipynb"
RESEARCH = ROOT / "examples" / "research_question.ipynb"
EWT_TEST = SHARED / "ud-english-ewt" / "en_ewt-ud-test.conllu"


@pytest.mark.parametrize("path", [NOTEBOOK, RESEARCH], ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)


def test_notebook_executes_fresh_and_draws(tmp_path, monkeypatch):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:  # whatever the file holds, start from nothing
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    start = time.time()
    NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    elapsed = time.time() - start

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    plots = [
        json.loads(o.data["application/vnd.plotly.v1+json"])
        if isinstance(o.data["application/vnd.plotly.v1+json"], str)
        else o.data["application/vnd.plotly.v1+json"]
        for o in outputs
        if o.output_type in ("display_data", "execute_result") and "application/vnd.plotly.v1+json" in o.data
    ]
    # head view, model view, convolution (bc.show), layer view, comparison
    assert len(plots) == 5, [o.output_type for o in outputs]
    assert all(p["data"] and p["data"][0]["type"] == "heatmap" for p in plots)
    # the head view's axes are the sentence's tokens
    assert any("animal" in "".join(map(str, p["data"][0].get("y", []))) for p in plots)
    exported = {p.name for p in (tmp_path / "exports").iterdir()}
    assert exported == {"head-L3-H1.svg", "head-L3-H1.png", "head-L3-H1.html", "trace.npz"}
    assert (tmp_path / "exports" / "head-L3-H1.svg").read_bytes().lstrip().startswith(b"<svg")
    print(f"notebook executed in {elapsed:.1f} s")


# ---------------------------------------------------------------- the research question (issue 18)
def _local_and_distance(attn: np.ndarray, special: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """By hand, from a plain forward pass's attention [L, H, T, T]: drop the special tokens' rows and
    columns, renormalise each row, then per head the mean over rows of the weight within 4 positions and of
    the weighted |i - j|."""
    keep = np.flatnonzero(~special)
    p = attn[:, :, keep][:, :, :, keep].astype(np.float64)
    p /= p.sum(-1, keepdims=True)
    offset = np.abs(keep[:, None] - keep[None, :])
    return (p * (offset <= 4)).sum(-1).mean(-1), (p * offset).sum(-1).mean(-1)


def _by_hand(lm, sentences: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per sentence, local share and distance averaged over every attention head of every layer."""
    import torch

    local, distance = [], []
    for text in sentences:
        enc = lm.tokenizer(text, return_tensors="pt", return_special_tokens_mask=True)
        special = enc.pop("special_tokens_mask")[0].numpy().astype(bool)
        with torch.no_grad():
            out = lm.model(**enc, output_attentions=True)
        attn = torch.stack(out.attentions)[:, 0].numpy()  # [L, H, T, T]: attention heads only (ConvBERT too)
        lo, di = _local_and_distance(attn, special)
        local.append(lo.mean())
        distance.append(di.mean())
    return np.array(local), np.array(distance)


@pytest.mark.skipif(not EWT_TEST.is_file(), reason="shared UD EWT data not present")
def test_research_notebook_answers_with_intervals_checked_by_hand(tmp_path, monkeypatch, bert):
    """Executed fresh on 4 sentences: its summary (means, 95% intervals, paired differences) equals a
    computation from the models' own forward passes and scipy; both students are answered."""
    import scipy.stats

    import bertviz_core as bc

    nb = nbformat.read(RESEARCH, as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and "N_SENTENCES = 150" in params[0].source
    params[0].source += f"\nN_SENTENCES = 4\nCONLLU = {str(EWT_TEST)!r}\nOUT_DIR = {str(tmp_path / 'out')!r}\n"
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    # provenance from both model cards, and a verdict for each student
    assert "copies of the teacher's heads H0-H5" in text and "query and key were not copied" in text
    for model_id, role in (
        ("convbert-minilm-l6", "attention-transfer student"),
        ("convbert-minilm-l6-free", "free student"),
    ):
        assert f"{model_id} ({role}): " in text
    plots = [
        o
        for o in outputs
        if o.output_type in ("display_data", "execute_result") and "application/vnd.plotly.v1+json" in o.data
    ]
    assert len(plots) == 1

    saved = json.loads((tmp_path / "out" / "research_question.json").read_text(encoding="utf-8"))
    sentences = saved["sentences"]
    conllu = EWT_TEST.read_text(encoding="utf-8")
    assert len(sentences) == 4 and all(f"# text = {s}\n" in conllu for s in sentences)
    summary = {(r["metric"], r["layer"], r["heads"]): r for r in saved["summary"]}
    diffs = {(r["student"], r["minus"], r["metric"], r["layer"]): r for r in saved["paired_differences"]}

    local_bert, distance_bert = _by_hand(bert, sentences)
    free = bc.load_model("convbert-minilm-l6-free")
    local_free, _ = _by_hand(free, sentences)
    for values, key in (
        (local_bert, ("local", "all", "BERT attention heads (H0-H11)")),
        (distance_bert, ("distance", "all", "BERT attention heads (H0-H11)")),
        (local_free, ("local", "all", "convbert-minilm-l6-free: attention heads")),
    ):
        low, high = scipy.stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=scipy.stats.sem(values))
        row = summary[key]
        np.testing.assert_allclose(
            [row["mean"], row["low"], row["high"]], [values.mean(), low, high], rtol=1e-4, atol=1e-4, err_msg=str(key)
        )
    paired = scipy.stats.ttest_rel(local_free, local_bert)
    ci = paired.confidence_interval(0.95)
    row = diffs[("convbert-minilm-l6-free", "BERT H0-H11", "local", "all")]
    np.testing.assert_allclose(
        [row["diff"], row["low"], row["high"]],
        [(local_free - local_bert).mean(), ci.low, ci.high],
        rtol=1e-4,
        atol=1e-4,
    )
    assert row["p"] == pytest.approx(paired.pvalue, rel=1e-3, abs=1e-6)
    # conv heads are measured on their kernels: every weight within 4 positions
    for model_id in ("convbert-minilm-l6", "convbert-minilm-l6-free"):
        assert summary[("local", "all", f"{model_id}: conv heads")]["mean"] == pytest.approx(1.0, abs=1e-6)
