"""Imported once by mutmut's fork server (bench/mutate.py, forkserver_warmup = "import"), so each
mutant's forked test run finds in memory what every run would otherwise redo (seconds per mutant on a
busy 2-core machine):

- the heavy imports (torch, transformers and the model classes of every tiny family, streamlit);
- the test modules and conftest, collected once (`pytest --collect-only` on the module's selection,
  as mutmut's own "collect" warm-up does);
- the bundled models. For loading.py (models = "warm" in mutmut_warm.json) they are loaded and then
  dropped from bertviz_core's cache, so each test still loads through the mutated code, only with
  the imports warm.

Settings come from mutmut_warm.json in the work folder (written by bench/mutate.py)."""

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy  # noqa: F401
import streamlit  # noqa: F401
import torch
import transformers  # noqa: F401
from streamlit.testing.v1 import AppTest  # noqa: F401

torch.set_num_threads(1)

_settings_file = Path("mutmut_warm.json")
SETTINGS = json.loads(_settings_file.read_text()) if _settings_file.exists() else {}


def _collect(selection: list[str], extra: list[str]) -> None:
    import pytest

    here = os.getcwd()
    os.chdir("mutants")
    try:
        pytest.main(["--rootdir=.", "--tb=native", "--collect-only", "-qqq", *selection, *extra])
    finally:
        os.chdir(here)


def _warm_families() -> None:
    """Save and reload one tiny checkpoint per family (conftest's), so their classes are imported."""
    try:
        import conftest  # imported by the collection above
    except ImportError:
        return
    from transformers import AutoModel

    tmp = Path(tempfile.mkdtemp(prefix="mutmut-warm-"))
    try:
        for family in conftest.FAMILIES:
            AutoModel.from_config(conftest.tiny_config(family)).save_pretrained(tmp / family)
            AutoModel.from_pretrained(tmp / family)
        conftest.tiny_bpe_tokenizer()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if Path("mutants").is_dir() and SETTINGS.get("selection"):
    try:  # a speed-up only: if it fails, each run collects and imports for itself
        _collect(SETTINGS["selection"], SETTINGS.get("pytest_args", []))
        _warm_families()
    except Exception as exc:  # noqa: BLE001 - a failed warm-up is reported and skipped, never fatal
        print("mutmut_warm: warm-up skipped:", repr(exc), file=sys.__stderr__)

import bertviz_core as bc

_models = SETTINGS.get("models", "keep")
if _models in ("keep", "warm"):
    for _name in ("bert-minilm-l6", "convbert-minilm-l6"):
        bc.load_model(_name)
    if _models == "warm":
        from bertviz_core.models import loading

        with loading._cache_lock:
            loading._cache.clear()

# Everything above lives as long as the fork server: out of the garbage collector's sight, so the full
# collections pytest runs at the end of every session (unraisable-exception check) scan only what the
# mutant's own run created (2 s -> 0.05 s per mutant here).
import gc

gc.collect()
gc.freeze()
