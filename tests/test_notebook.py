"""The example notebook runs top to bottom in a fresh kernel (outputs in the file are never trusted)."""
from __future__ import annotations

import json
import os
import time

import nbformat
from nbclient import NotebookClient

from conftest import ROOT

NOTEBOOK = ROOT / "examples" / "bertviz_core_tour.ipynb"


def test_notebook_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
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
    plots = [json.loads(o.data["application/vnd.plotly.v1+json"]) if isinstance(o.data["application/vnd.plotly.v1+json"], str)
             else o.data["application/vnd.plotly.v1+json"]
             for o in outputs if o.output_type in ("display_data", "execute_result")
             and "application/vnd.plotly.v1+json" in o.data]
    # head view, model view, convolution (bc.show), layer view, comparison
    assert len(plots) == 5, [o.output_type for o in outputs]
    assert all(p["data"] and p["data"][0]["type"] == "heatmap" for p in plots)
    # the head view's axes are the sentence's tokens
    assert any("animal" in "".join(map(str, p["data"][0].get("y", []))) for p in plots)
    exported = {p.name for p in (tmp_path / "exports").iterdir()}
    assert exported == {"head-L3-H1.svg", "head-L3-H1.png", "head-L3-H1.html", "trace.npz"}
    assert (tmp_path / "exports" / "head-L3-H1.svg").read_bytes().lstrip().startswith(b"<svg")
    print(f"notebook executed in {elapsed:.1f} s")
