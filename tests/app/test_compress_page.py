"""The /compress page (AppTest): the variants table, the pruning curve and the attention change, in Chinese
and for a ConvBERT, and the distilled student once it ships (the variants themselves:
tests/analysis/test_compress.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from apptest_util import charts, decode, open_page, texts

from bertviz_core.analysis import compress


def test_compress_page_shows_variants_curve_and_head_change():
    at = open_page("compress", text="The cat sat on the mat.")
    assert not at.exception
    table = at.dataframe[0].value
    ids = list(table.iloc[:, 0])
    assert ids[:4] == ["bert-minilm-l6", "bert-minilm-l6@int8", "bert-minilm-l6@prune=30%", "bert-minilm-l6@prune=50%"]
    assert table.iloc[1, 6] >= compress.INT8_MIN_COSINE and table.iloc[1, 2] < table.iloc[0, 2]
    assert "/compare?model_a=bert-minilm-l6&model_b=bert-minilm-l6%40int8" in list(table.iloc[:, 7])
    # the original model has no /compare link: the grid shows a dash there, not the word None
    assert pd.isna(table.iloc[0, 7]) and at.dataframe[0].proto.placeholder == "—"
    page_text = texts(at)
    assert "Measured on" in page_text and "Michel et al." in page_text and "Q-BERT" in page_text
    if not compress.distilled_available():
        assert "distilbert-minilm-l3" in page_text and "still being trained" in page_text
    specs = {s["layout"]["title"]["text"][:20]: s for s in charts(at)}
    curve = next(s for k, s in specs.items() if k.startswith("Pruning curve"))
    assert [tr.get("name") for tr in curve["data"]][1:] == [
        "random order (mean of 3; band: min-max)",
        "importance order (Michel et al.)",
    ]
    js = decode(next(s for k, s in specs.items() if k.startswith("Attention change"))["data"][0]["z"])
    assert js.shape == (6, 12) and js.max() < 0.05  # int8 barely moves attention


def test_compress_page_in_chinese_and_for_convbert():
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=300)
    at.query_params.update(text="The cat sat.", lang="zh")
    at.session_state["cz_base"] = "convbert-minilm-l6"
    at.run()
    at.switch_page("../pages/compress.py")
    at.run()
    assert not at.exception
    assert "ConvBERT" in texts(at) and "剪枝" in texts(at)
    assert list(at.dataframe[0].value.iloc[:, 0]) == ["convbert-minilm-l6", "convbert-minilm-l6@int8"]
    js = decode(next(s for s in charts(at) if "JS" in s["layout"]["title"]["text"])["data"][0]["z"])
    assert js.shape == (6, 12)  # 6 attention + 6 conv heads


@pytest.fixture
def fake_distilled(tmp_path, monkeypatch):
    """An untrained 3-layer student (teacher layers 0, 3, 5) in a stand-in weights folder, then every
    cache that saw it emptied, so the real distilbert-minilm-l3 is never shadowed."""
    from app import state
    from bertviz_core.models import loading, registry, student

    weights = tmp_path / "weights"
    weights.mkdir()
    for item in registry.WEIGHTS_DIR.iterdir():
        (weights / item.name).symlink_to(item)
    if (weights / compress.DISTILLED_ID).exists():
        (weights / compress.DISTILLED_ID).unlink()
    model = student.new_student(kind="bert3")
    student.init_from_teacher(model, student.teacher_state(), kind="bert3")
    student.save_student(model, weights / compress.DISTILLED_ID, kind="bert3")
    monkeypatch.setattr(registry, "WEIGHTS_DIR", weights)

    def forget():
        with loading._cache_lock:
            loading._cache.pop(("registry", compress.DISTILLED_ID), None)
        for key in [k for k in state.caches.traces if k[0] == compress.DISTILLED_ID]:
            state.caches.traces.pop(key)

    forget()
    yield
    forget()


def test_compress_page_includes_the_distilled_student_when_shipped(fake_distilled):
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    assert compress.distilled_available()
    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=300)
    at.query_params["text"] = "The cat sat on the mat."
    at.session_state["cz_variant"] = compress.DISTILLED_ID
    at.run()
    at.switch_page("../pages/compress.py")
    at.run()
    assert not at.exception
    assert compress.DISTILLED_ID in list(at.dataframe[0].value.iloc[:, 0])
    assert "still being trained" not in texts(at)
    spec = next(s for s in charts(at) if s["layout"]["title"]["text"].startswith("Attention change"))
    assert decode(spec["data"][0]["z"]).shape == (3, 12)
    assert spec["data"][0]["y"] == ["L0 (teacher L0)", "L1 (teacher L3)", "L2 (teacher L5)"]
    # an untrained copy of teacher layers 0, 3, 5: student layer 0 IS teacher layer 0 (same input, same weights)
    assert np.allclose(decode(spec["data"][0]["z"])[0], 0, atol=1e-5)
