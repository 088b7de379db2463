"""Preparing a classroom offline: `python -m bertviz_core.models.fetch`, and models the models folder holds."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from conftest import ROOT, tiny_config

import bertviz_core as bc
from bertviz_core.models import fetch


def test_fetch_offline_fails_fast_with_a_clear_message(tmp_path):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "BERTVIZ_MODELS_DIR": str(tmp_path)}
    start = time.time()
    out = subprocess.run(
        [sys.executable, "-m", "bertviz_core.models.fetch", "bert-base-chinese"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,  # the exit status is the point
    )
    assert out.returncode == 2
    assert "offline" in out.stderr and "HF_ENDPOINT" in out.stderr
    assert time.time() - start < 30  # seconds, not a hang (includes the interpreter start)
    assert not any(tmp_path.iterdir())  # nothing half-written


def test_fetch_unreachable_mirror_fails_within_seconds(tmp_path, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "https://127.0.0.1:9")  # nothing listens there
    start = time.time()
    with pytest.raises(fetch.FetchError, match="Cannot reach https://127.0.0.1:9"):
        fetch.fetch("bert-base-chinese", tmp_path, timeout=2)
    assert time.time() - start < 10


def test_fetch_refuses_bundled_and_invalid_ids(tmp_path):
    with pytest.raises(fetch.FetchError, match="bundled"):
        fetch.fetch("bert-minilm-l6", tmp_path)
    with pytest.raises(fetch.FetchError, match="not a valid model id"):
        fetch.fetch("../../etc", tmp_path)
    assert fetch.target("google/electra-small-discriminator") == (
        "google/electra-small-discriminator",
        "google--electra-small-discriminator",
    )
    assert fetch.target("bert-base-chinese") == ("bert-base-chinese", "bert-base-chinese")


@pytest.fixture()
def prepared_chinese(tmp_path, monkeypatch):
    """A models folder where `fetch bert-base-chinese` has run (a tiny BERT stands in for the real one)."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from bertviz_core.models import loading, student

    torch.manual_seed(0)
    folder = tmp_path / "bert-base-chinese"
    AutoModel.from_config(tiny_config("bert")).save_pretrained(folder)
    AutoTokenizer.from_pretrained(student.teacher_path()).save_pretrained(folder)
    old = os.environ.get("BERTVIZ_MODELS_DIR")
    monkeypatch.setenv("BERTVIZ_MODELS_DIR", str(tmp_path))
    loading._cache.clear()
    yield folder
    loading._cache.clear()
    if old is not None:
        os.environ["BERTVIZ_MODELS_DIR"] = old


def test_a_fetched_registry_model_loads_offline_from_the_models_folder(prepared_chinese):
    lm = bc.load_model("bert-base-chinese")  # a hub entry; HF_HUB_OFFLINE=1 in the tests
    assert lm.id == "bert-base-chinese" and lm.model.config.hidden_size == 32  # the folder's model, not the hub's
    assert fetch.available_offline("bert-base-chinese")
    assert fetch.local_models() == ["bert-base-chinese"]
    t = bc.capture(lm, "The cat sat.")
    assert t.attentions.shape[:2] == (2, 4)


def test_chinese_lesson_uses_a_chinese_model_when_one_is_at_hand(prepared_chinese):
    import importlib

    from app import lessons

    with_model = importlib.reload(lessons)
    lesson = next(x for x in with_model.LESSONS if x.key.startswith("chinese"))
    assert lesson.key == "chinese" and lesson.state["model"] == "bert-base-chinese"


def test_chinese_lesson_without_a_chinese_model_is_about_unk(tmp_path, monkeypatch):
    import importlib

    from app import i18n, lessons

    monkeypatch.setenv("BERTVIZ_MODELS_DIR", str(tmp_path))  # empty models folder, offline hub cache
    lesson = next(x for x in importlib.reload(lessons).LESSONS if x.key.startswith("chinese"))
    assert lesson.key == "chinese_unk" and lesson.state["model"] == "bert-minilm-l6"
    tokens = bc.capture(bc.load_model("bert-minilm-l6"), lesson.state["text"]).tokens
    assert tokens.count("[UNK]") == 7  # what the lesson's text says
    assert "7 of these 8" in i18n.TEXT["lesson_chinese_unk_text"]["en"]
    assert "bertviz_core.models.fetch" in i18n.TEXT["lesson_chinese_unk_text"]["zh"]
    importlib.reload(lessons)
