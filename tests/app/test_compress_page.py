"""The /compress page (AppTest): the variants table, the pruning curve and the attention change, in Chinese
and for a ConvBERT, the distilled students once they ship (the depth curve, TinyBERT-4's layer map and losses) and
Q-BERT (the variants themselves: tests/analysis/test_compress.py, tests/analysis/test_students.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from apptest_util import charts, decode, open_page, texts

from bertviz_core.analysis import compress, students
from bertviz_core.models.registry import WEIGHTS_DIR as SHIPPED_WEIGHTS

DISTILLED_ID = "distilbert-minilm-l3"


def test_compress_page_shows_variants_curve_and_head_change():
    at = open_page("compress", text="The cat sat on the mat.")
    assert not at.exception
    table = at.dataframe[0].value
    ids = list(table.iloc[:, 0])
    assert ids[:4] == ["bert-minilm-l6", "bert-minilm-l6@int8", "bert-minilm-l6@prune=30%", "bert-minilm-l6@prune=50%"]
    assert table.iloc[1, 6] >= compress.INT8_MIN_COSINE and table.iloc[1, 2] < table.iloc[0, 2]
    # the link opens the pair on the page's sentence
    assert "/compare?model_a=bert-minilm-l6&model_b=bert-minilm-l6%40int8&text=The+cat+sat+on+the+mat." in list(
        table.iloc[:, 8]
    )
    # the original model has no /compare link: the grid shows a dash there, not the word None
    assert pd.isna(table.iloc[0, 8]) and at.dataframe[0].proto.placeholder == "—"
    page_text = texts(at)
    assert "Measured on" in page_text and "Michel et al." in page_text and "Q-BERT" in page_text
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


def own_entry(weights, model_id: str):
    """`weights / model_id` in a stand-in weights folder, its link to the shipped folder removed first: a fixture
    that saves there must never write through the link into the shipped weights (one did, and TinyBERT-4 shipped
    untrained)."""
    assert weights.resolve() != SHIPPED_WEIGHTS.resolve(), "a stand-in weights folder, never the shipped one"
    entry = weights / model_id
    if entry.is_symlink():
        entry.unlink()
    return entry


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
    model = student.new_student(kind="distilbert3")
    student.init_from_teacher(model, student.teacher_state(), kind="distilbert3")
    student.save_student(model, own_entry(weights, DISTILLED_ID), kind="distilbert3")
    monkeypatch.setattr(registry, "WEIGHTS_DIR", weights)

    def forget():
        with loading._cache_lock:
            loading._cache.pop(("registry", DISTILLED_ID), None)
        for key in [k for k in state.caches.traces if k[0] == DISTILLED_ID]:
            state.caches.traces.pop(key)

    forget()
    yield
    forget()


def test_compress_page_includes_the_distilled_student_when_shipped(fake_distilled):
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    assert DISTILLED_ID in students.shipped()
    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=300)
    at.query_params["text"] = "The cat sat on the mat."
    at.session_state["cz_variant"] = DISTILLED_ID
    at.run()
    at.switch_page("../pages/compress.py")
    at.run()
    assert not at.exception
    assert DISTILLED_ID in list(at.dataframe[0].value.iloc[:, 0])
    spec = next(s for s in charts(at) if s["layout"]["title"]["text"].startswith("Attention change"))
    assert decode(spec["data"][0]["z"]).shape == (3, 12)
    assert spec["data"][0]["y"] == ["L0 (teacher L0)", "L1 (teacher L3)", "L2 (teacher L5)"]
    # an untrained copy of teacher layers 0, 3, 5: student layer 0 IS teacher layer 0 (same input, same weights)
    assert np.allclose(decode(spec["data"][0]["z"])[0], 0, atol=1e-5)


def qbert_files():
    """The shipped bits curve and eigenvalues, read straight from their JSON files."""
    import json

    from bertviz_core.analysis import qbert

    res = json.loads(qbert.RESULTS_FILE.read_text())
    record = json.loads(qbert.hessian_file("bert-minilm-l6").read_text())
    return res, record


def test_compress_page_shows_the_qbert_bits_curve_eigenvalues_and_verdict():
    res, record = qbert_files()
    at = open_page("compress", text="The cat sat on the mat.")
    assert not at.exception
    page_text = texts(at)
    assert "Q-BERT: Hessian-aware mixed precision" in page_text
    assert "Simulated, not real low-bit kernels" in page_text and "Shen et al." in page_text
    # the verdict at 3 bits, against uniform 3-bit and against the reverse order: the measured paired differences,
    # worded by where their 95% interval lies
    comp = next(c for c in res["comparisons"] if c["target"] == 3)
    for d, other in ((comp["vs_uniform"], "@q=3"), (comp["vs_reverse"], "the reverse order")):
        if d["low"] > 0:
            expected = f"@qbert=3 beats {other} by {d['diff']:+.4f}"
        elif d["high"] < 0:
            expected = f"@qbert=3 does not beat {other}: its cosine is lower by {-d['diff']:.4f}"
        else:
            expected = f"@qbert=3 and {other} cannot be told apart: difference {d['diff']:+.4f}"
        assert expected in page_text
    specs = {s["layout"]["title"]["text"]: s for s in charts(at)}
    curve = specs["Quality vs mean bits per layer: three allocations"]
    assert [tr["name"] for tr in curve["data"]] == [
        "uniform (@q=N)",
        "Hessian order (@qbert=B)",
        "reverse order (control)",
    ]
    for trace, key in zip(curve["data"], ("uniform", "hessian", "reverse")):
        rows = sorted(res[key], key=lambda r: r["mean_bits"])
        assert list(decode(trace["x"])) == [r["mean_bits"] for r in rows]
        assert list(decode(trace["y"])) == [r["cosine"] for r in rows]
    bars = next(s for k, s in specs.items() if k.startswith("Top Hessian eigenvalue per layer"))
    assert list(decode(bars["data"][0]["y"])) == pytest.approx([layer["omega"] for layer in record["layers"]])
    assert len(decode(bars["data"][1]["y"])) == 6 * record["settings"]["batches"]  # one mark per layer and batch
    # the variants table lists the simulated variants with their packed size and held-out cosine
    table = at.dataframe[0].value
    q4 = table[table.iloc[:, 0] == "bert-minilm-l6@q=4"].iloc[0]
    uniform4 = next(r for r in res["uniform"] if r["bits"] == [4] * 6)
    assert q4.iloc[2] == uniform4["packed_mb"] and q4.iloc[6] == uniform4["cosine"]
    assert "bert-minilm-l6@qbert=4" in list(table.iloc[:, 0])
    # per layer: iterations and convergence as measured
    layers = next(df.value for df in at.dataframe if "iterations per batch" in df.value.columns)
    assert list(layers["iterations per batch"]) == [", ".join(map(str, la["iterations"])) for la in record["layers"]]
    assert list(layers[f"cosine, only this layer at {res['probe_bits']} bits"]) == res["probe"]  # the check column


def test_compress_page_qbert_section_in_chinese_and_for_an_unmeasured_model():
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    at = open_page("compress", text="The cat sat.", lang="zh")
    assert not at.exception
    page_text = texts(at)
    assert "Q-BERT：基于 Hessian 的混合精度与分组量化" in page_text and "这是模拟，不是真正的低比特计算核" in page_text
    titles = [s["layout"]["title"]["text"] for s in charts(at)]
    assert "质量与每层平均比特数：三种分配方式" in titles
    assert any(title.startswith("每层 Hessian 最大特征值") for title in titles)
    assert (
        "与全精度模型平均池化最后一层隐藏状态的余弦相似度" in page_text
        and "32 个 UD English EWT 开发集句子" in page_text
    )

    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=300)
    at.query_params["text"] = "The cat sat."
    at.session_state["cz_base"] = "convbert-minilm-l6"
    at.run()
    at.switch_page("../pages/compress.py")
    at.run()
    assert not at.exception
    assert "measured for bert-minilm-l6 only" in texts(at)
    assert not any(s["layout"]["title"]["text"].startswith("Quality vs mean bits") for s in charts(at))


@pytest.fixture
def fake_tinybert(fake_distilled, tmp_path, monkeypatch):
    """An untrained TinyBERT-4 (with its projections) shipped and registered in the stand-in weights folder, and a
    students results file of hand-written numbers; caches that saw it emptied after."""
    import json

    from app import state
    from bertviz_core.models import loading, registry, student, tinybert

    sid = students.TINYBERT_ID
    model = student.new_student(kind=tinybert.KIND)
    _, projections = tinybert.init_from_teacher(model, student.teacher_state())
    folder = student.save_student(model, own_entry(registry.WEIGHTS_DIR, sid), kind=tinybert.KIND)
    tinybert.save_projections(projections, folder)
    entry = registry.ModelEntry(sid, "TinyBERT-4 (test)", "bert", "bundled", "")
    monkeypatch.setattr(registry, "REGISTRY", (*registry.REGISTRY, entry))
    layers = [
        {"student": m, "teacher": g, "hidden": 0.1 * (m + 1), "attention": 1.5 + m} for m, g in enumerate((1, 2, 4, 5))
    ]
    first = [{"student": m, "teacher": g, "hidden": 0.9, "attention": 9.0} for m, g in enumerate((1, 2, 4, 5))]
    row = {"layers": 3, "hidden": 384, "params": 17_000_000, "size_mb": 65.8, "ms16": 17.8, "ms128": 66.4}
    results = {
        "measured": "2026-12-06",
        "quality_sentences": 500,
        "teacher": {
            "id": "bert-minilm-l6",
            "layers": 6,
            "hidden": 384,
            "params": 34_000_000,
            "ms16": 36.2,
            "ms128": 135.0,
        },
        "students": {
            DISTILLED_ID: row | {"kind": "distilbert3", "cosine": 0.8626, "low": 0.857, "high": 0.8683, "n": 500},
            sid: row
            | {"kind": "tinybert4", "layers": 4, "hidden": 312, "cosine": 0.8111, "low": 0.80, "high": 0.82, "n": 500}
            | {
                "transfer": {"embedding": 0.0123, "layers": layers, "sentences": 500},
                "transfer_initial": {"embedding": 0.02, "layers": first, "sentences": 500},
            },
        },
    }
    results_file = tmp_path / "students_results.json"
    results_file.write_text(json.dumps(results))
    monkeypatch.setattr(students, "RESULTS_FILE", results_file)
    yield results
    with loading._cache_lock:
        loading._cache.pop(("registry", sid), None)
    for key in [k for k in state.caches.traces if k[0] == sid]:
        state.caches.traces.pop(key)


def test_compress_page_shows_the_depth_curve_and_tinybert_layer_map_from_measured_numbers(fake_tinybert):
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    sid = students.TINYBERT_ID
    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=300)
    at.query_params["text"] = "The cat sat on the mat."
    at.session_state["cz_variant"] = sid
    at.run()
    at.switch_page("../pages/compress.py")
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    tiny = table[table.iloc[:, 0] == sid].iloc[0]
    assert tiny.iloc[1] == "distillation: TinyBERT-4 (4 layers, hidden 312)"
    assert tiny.iloc[6] == 0.8111 and tiny.iloc[7] == "[0.8000, 0.8200]"
    specs = {s["layout"]["title"]["text"]: s for s in charts(at)}
    depth, teacher = specs["Held-out cosine to the teacher by depth"]["data"]
    assert list(decode(depth["x"])) == [3] and list(decode(depth["y"])) == [0.8626]
    assert decode(depth["error_y"]["arrayminus"])[0] == pytest.approx(0.8626 - 0.857)
    assert list(decode(teacher["x"])) == [6] and list(decode(teacher["y"])) == [1.0]
    page_text = texts(at)
    # the curve claims only what was measured
    assert "still in training with the same recipe): the 2-layer student and the 4-layer student" in page_text
    layer_map = specs["Which teacher layer each student layer learned (line: hidden-state MSE after training)"]
    labels = [a["text"] for a in layer_map["layout"]["annotations"]]
    assert labels[:5] == ["0.012", "0.100", "0.200", "0.300", "0.400"]  # W_e, then student layers 1-4
    losses = next(df.value for df in at.dataframe if "hidden MSE (trained)" in df.value.columns)
    assert list(losses["teacher layer"]) == ["L1", "L2", "L4", "L5"]  # 0-based, as /compare names heads
    assert list(losses["attention-score MSE (at start)"]) == [9.0] * 4
    assert (
        f"model_b={sid}&text=The+cat+sat+on+the+mat.&tab=matching" in page_text
        and "**0.8111** [0.8000, 0.8200]" in page_text
    )
    # the paper's result beside ours: 34 M / 17 M parameters, 135.0 / 66.4 ms at 128 tokens
    assert "held-out cosine 0.811 to the teacher (through W_h), 2.0× fewer parameters, 2.0× faster" in page_text
    # its heads beside the heads of the teacher layer each student layer learned from
    js = next(s for title, s in specs.items() if title.startswith("Attention change"))
    assert js["data"][0]["y"] == ["L0 (teacher L1)", "L1 (teacher L2)", "L2 (teacher L4)", "L3 (teacher L5)"]
