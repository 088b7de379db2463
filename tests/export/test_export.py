"""Export: images (kaleido on Debian's Chromium), offline HTML and lesson packs, traces, tables, CLI."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib

import numpy as np
import pytest
from conftest import ROOT

import bertviz_core as bc
from bertviz_core import figures
from bertviz_core.export import core as export
from bertviz_core.export import lesson_pack

SENTENCE = "Seven quiet foxes jumped over lazy brown dogs"  # no repeated tokens: every label is the bare token
ARRAYS = ("attentions", "hidden_states", "position_embeddings", "token_type_embeddings", "conv_kernels")
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def trace(bert):
    return bc.capture(bert, SENTENCE)


@pytest.fixture(scope="module")
def convbert():
    return bc.load_model("convbert-minilm-l6")


@pytest.fixture(scope="module")
def head_fig(trace):
    return figures.head_view(trace, 3, 1)


def png_info(data: bytes) -> tuple[int, int, float | None]:
    """Width, height and dpi read from the PNG chunks directly (independent of the exporter)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, dpi, size = 8, None, None
    while pos < len(data):
        n = int.from_bytes(data[pos : pos + 4], "big")
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + n]
        crc = int.from_bytes(data[pos + 8 + n : pos + 12 + n], "big")
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, kind  # every chunk intact
        if kind == b"IHDR":
            size = int.from_bytes(body[:4], "big"), int.from_bytes(body[4:8], "big")
        elif kind == b"pHYs" and body[8] == 1:
            dpi = int.from_bytes(body[:4], "big") * 0.0254
        elif kind == b"IEND":
            break
        pos += 12 + n
    return size[0], size[1], dpi


# ------------------------------------------------------------------ images


def test_png_projector_fits_1920x1080_and_print_is_300_dpi(head_fig):
    from PIL import Image

    w, h = head_fig.layout.width, head_fig.layout.height
    assert w and h  # the head view has a fixed size
    png = export.to_png(head_fig, "projector")
    pw, ph, _ = png_info(png)
    # by hand: the figure scaled until one side meets the 1920 x 1080 box
    s = min(1920 / w, 1080 / h)
    assert (pw, ph) == (int(w * s + 1e-6), int(h * s + 1e-6)) and (pw == 1920 or ph == 1080)
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    assert img.shape == (ph, pw, 3)
    # the heatmap is drawn: Plotly's "Blues" runs from near-white to dark navy
    assert (img.sum(-1) < 200).sum() > 1000 and (img.sum(-1) > 740).sum() > 1000

    pw2, ph2, dpi = png_info(export.to_png(head_fig, "print"))
    assert (pw2, ph2) == (int(w * 300 / 96), int(h * 300 / 96))
    assert dpi == pytest.approx(300, abs=0.1)


def test_svg_is_valid_has_the_figure_size_and_the_tokens_as_text(head_fig, trace):
    svg = export.to_svg(head_fig)
    root = ET.fromstring(svg)  # well-formed XML
    assert root.tag == SVG_NS + "svg"
    assert (float(root.get("width")), float(root.get("height"))) == (head_fig.layout.width, head_fig.layout.height)
    labels = {"".join(t.itertext()) for t in root.iter(SVG_NS + "text")}
    for token in trace.tokens:  # every token is a tick label (as text, so it is searchable in a paper)
        assert token in labels, token
    assert "Layer 3, H1" in "".join(labels)


def test_svg_escapes_user_text(bert):
    t = bc.capture(bert, "a <b>bold</b> & odd sentence")
    svg = export.to_svg(figures.head_view(t, 0, 0, title="<script>x</script> & co"))
    root = ET.fromstring(svg)
    text = "".join("".join(e.itertext()) for e in root.iter(SVG_NS + "text"))
    assert "<script>x</script> & co" in text and "<" in trace_tokens(t) and "<" in text
    assert root.find(f".//{SVG_NS}script") is None


def trace_tokens(t) -> str:
    return "".join(t.tokens)


def test_pdf_is_a_one_page_pdf(head_fig):
    pdf = export.to_pdf(head_fig)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1


def test_missing_chromium_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("BERTVIZ_CHROMIUM", str(tmp_path / "nope"))
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "nope"))
    monkeypatch.setattr(export.shutil, "which", lambda name: None)
    monkeypatch.setattr(export, "DEFAULT_CHROMIUM", str(tmp_path / "nope"))
    with pytest.raises(export.ExportError, match="apt-get install chromium"):
        export.chromium_path()


def test_unknown_resolution_and_format_say_what_is_allowed(head_fig):
    with pytest.raises(ValueError, match="projector, print"):
        export.png_scale(head_fig, "poster")
    with pytest.raises(ValueError, match="png, svg, pdf, html"):
        export.figure_bytes(head_fig, "gif")


# ------------------------------------------------------------------ traces


@pytest.mark.parametrize("pair", [False, True])
def test_npz_round_trips_to_the_arrays_of_capture(bert, tmp_path, pair):
    text_b = "And then they slept." if pair else None
    original = bc.capture(bert, SENTENCE, text_b)
    path = export.save_trace(original, tmp_path / "t.npz")
    again = export.load_trace(path)
    fresh = bc.capture(bert, SENTENCE, text_b)  # capture is deterministic: the file holds what capture() gives
    for name in ARRAYS:
        a, b = getattr(fresh, name), getattr(again, name)
        assert (a is None and b is None) or (a.dtype == b.dtype == np.float32 and np.array_equal(a, b)), name
    for name in (
        "tokens",
        "token_ids",
        "text",
        "text_b",
        "model_id",
        "family",
        "b_start",
        "special",
        "offsets",
        "dropped_tokens",
    ):
        assert getattr(again, name) == getattr(fresh, name), name
    assert not again.attentions.flags.writeable
    # plain numpy reads it without pickle
    with np.load(path, allow_pickle=False) as z:
        assert np.array_equal(z["attentions"], fresh.attentions)
        assert json.loads(str(z["meta"]))["tokens"] == fresh.tokens


def test_convbert_trace_round_trips_with_kernels(convbert, tmp_path):
    t = bc.capture(convbert, SENTENCE)
    again = export.trace_from_npz(export.trace_to_npz(t, compress=True))
    assert np.array_equal(again.conv_kernels, t.conv_kernels)
    assert np.array_equal(again.conv_matrices(1), t.conv_matrices(1))


def test_json_round_trips_exactly_and_refuses_long_inputs(trace, bert):
    text = export.trace_to_json(trace)
    doc = json.loads(text)
    assert doc["tokens"] == trace.tokens
    assert np.asarray(doc["attentions"]["data"]).shape == trace.attentions.shape
    again = export.trace_from_json(text)
    for name in ARRAYS:
        a, b = getattr(trace, name), getattr(again, name)
        assert (a is None and b is None) or np.array_equal(a, b), name
    long = bc.capture(bert, " ".join(["word"] * 80))
    with pytest.raises(export.ExportError, match="short inputs"):
        export.trace_to_json(long)


def test_not_a_trace_file_is_a_clear_error(tmp_path):
    with pytest.raises(export.ExportError, match="Not a bertviz trace"):
        export.trace_from_npz(b"not a zip file")
    p = tmp_path / "other.npz"
    np.savez(p, meta=np.array('{"format": "something-else"}'))
    with pytest.raises(export.ExportError, match="Not a bertviz trace"):
        export.load_trace(p)
    with pytest.raises(export.ExportError, match=r"\.npz or \.json"):
        export.save_trace(None, tmp_path / "t.pickle")


# ------------------------------------------------------------------ tables


def test_csv_reads_back_with_chinese_text():
    import pandas as pd

    df = pd.DataFrame({"head": ["L0 H1", "L2 C3"], "token": ["我", "cat"], "entropy": [0.5, 1.25]})
    data = export.table_to_csv(df)
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read it as UTF-8
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back.equals(df)
    assert export.table_to_csv([{"a": 1, "b": "x"}]).decode("utf-8-sig").splitlines() == ["a,b", "1,x"]


# ------------------------------------------------------------------ one-liners


def test_one_liners_draw_the_trace(trace, convbert):
    fig = figures.head_view(trace, 3, 1)
    z = np.asarray(fig.data[0].z)
    assert np.allclose(z, trace.attentions[3, 1])
    assert np.allclose(np.asarray(figures.head_view(trace, 2, "mean").data[0].z), trace.attentions[2].mean(0))
    hidden = figures.head_view(trace, 0, 0, hide_special=True)
    assert len(hidden.data[0].x) == len(trace) - 2  # [CLS] and [SEP] columns dropped
    c = bc.capture(convbert, SENTENCE)
    banded = np.asarray(figures.head_view(c, 1, "c2").data[0].z)
    k = c.conv_kernels[1, 2]  # row i holds kernel i at columns i-4..i+4
    assert np.allclose(banded[3, 0:8], k[3, 1:9]) and banded[3, 8:].sum() == 0
    assert figures.view(trace, "model").data[0].type == "heatmap"
    assert len(figures.layer_view(c, 1).data) == c.n_heads + c.n_conv_heads
    assert len(figures.conv_view(c, 1).data) == c.n_conv_heads
    assert np.allclose(np.asarray(figures.positions_view(trace).data[0].z), trace.position_embeddings[:, :64])
    pair = figures.compare_view(trace, c, 1, "mean")
    assert np.allclose(np.asarray(pair.data[0].z), trace.attentions[1].mean(0))


def test_one_liners_reject_bad_layer_head_and_view(trace):
    with pytest.raises(ValueError, match="layers 0..5"):
        figures.head_view(trace, 6, 0)
    with pytest.raises(ValueError, match="heads 0..11"):
        figures.head_view(trace, 0, 12)
    with pytest.raises(ValueError, match="no convolution heads"):
        figures.conv_view(trace)
    with pytest.raises(ValueError, match="Unknown view 'heads'"):
        figures.view(trace, "heads")


def test_show_renders_without_the_app(trace, capsys):
    import ast

    bc.show(trace, "attention", 3, 1, renderer="json")  # prints the mime bundle a notebook front end receives
    bundle = ast.literal_eval(capsys.readouterr().out.strip())
    fig = bundle["application/json"]
    assert fig["data"][0]["type"] == "heatmap" and "Layer 3, H1" in fig["layout"]["title"]["text"]


# ------------------------------------------------------------------ offline HTML and lesson packs


def test_single_figure_html_is_self_contained(head_fig):
    html = export.to_html(head_fig)
    assert "<script src" not in html and 'rel="stylesheet"' not in html
    assert "Plotly.newPlot" in html and len(html) > 3_000_000  # plotly.js itself is inside
    assert "Layer 3, H1" in html


def test_user_text_in_packs_is_escaped():
    import plotly.graph_objects as go

    html = export.document_html(
        "<img src=x onerror=alert(1)>",
        [export.Section("<b>t</b>", "a <script>alert(2)</script>\n\nsecond", [go.Figure()], ["<i>c</i>"])],
    )
    body = html.split("</head>", 1)[1]
    assert "<img src=x" not in body and "<script>alert" not in body and "<b>t</b>" not in body
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in body and "<p>second</p>" in body


def _app_text():
    from app.i18n import TEXT

    return TEXT


def test_pack_labels_exist_in_the_app_text():
    text = _app_text()
    assert set(lesson_pack.LABEL_KEYS) <= set(text)
    for key in lesson_pack.LABEL_KEYS:
        assert text[key]["en"] and text[key]["zh"], key


@pytest.fixture(scope="module")
def all_lessons_pack(bert, convbert, tmp_path_factory):
    from app.lessons import LESSONS

    t = lesson_pack.translator(_app_text(), "en")
    sources = lesson_pack.Sources()
    sections = [
        lesson_pack.lesson_section(
            t(f"lesson_{ls.key}_title"), t(f"lesson_{ls.key}_text"), ls.page, ls.state, t=t, sources=sources
        )
        for ls in LESSONS
    ]
    path = tmp_path_factory.mktemp("pack") / "lessons.html"
    path.write_text(lesson_pack.build_pack("All lessons", sections), encoding="utf-8")
    return path, sections


def test_every_lesson_has_its_figures(all_lessons_pack):
    from app.lessons import LESSONS

    _, sections = all_lessons_pack
    expected = {
        "attention": 1,
        "model_view": 1,
        "convolution": 2,
        "compare": 2,
        "step_by_step": 7,
        "deberta": 3,
        "pretraining": 3,
        "compress": 4,  # pruning curve, head importance, depth curve, Hessian eigenvalues
    }
    for lesson, section in zip(LESSONS, sections):
        if lesson.page == "positions":  # learned + sinusoidal (cosine, PCA, dims each) + added embeddings
            assert len(section.figures) >= 7
        else:
            assert len(section.figures) == expected[lesson.page], lesson.key
        assert section.text


def test_compress_lesson_draws_the_shipped_measurements_in_the_pack():
    """ "Making BERT small": the pack's figures hold the numbers bench/ shipped, read here from the JSON files."""
    import json

    from bertviz_core.analysis import compress, qbert, students

    t = lesson_pack.translator(_app_text(), "zh")
    section = lesson_pack.lesson_section("t", "x", "compress", {"text": "The cat sat."}, t=t)
    curve, importance, depth, eigen = section.figures
    shipped = json.loads(compress.RESULTS_FILE.read_text())["models"]["bert-minilm-l6"]
    assert list(curve.data[-1].y) == pytest.approx(shipped["curve"]["importance"])
    assert np.asarray(importance.data[0].z) == pytest.approx(np.asarray(shipped["importance"]), abs=1e-5)
    measured = json.loads(students.RESULTS_FILE.read_text())["students"]
    ladder = sorted((s for s in measured.values() if s["kind"] in students.DEPTH_KINDS), key=lambda s: s["layers"])
    assert list(depth.data[0].x) == [s["layers"] for s in ladder] and list(depth.data[1].x) == [6]  # the teacher
    assert list(depth.data[0].y) == [s["cosine"] for s in ladder] and list(depth.data[1].y) == [1.0]
    record = json.loads(qbert.hessian_file("bert-minilm-l6").read_text())
    assert list(eigen.data[0].y) == pytest.approx([layer["omega"] for layer in record["layers"]])
    assert eigen.layout.title.text.startswith("每层 Hessian 最大特征值")  # in the pack's language


@pytest.mark.e2e
def test_lesson_pack_opens_offline_in_chromium_interactive_and_silent(all_lessons_pack, tmp_path):
    from browser_util import browser

    from app.lessons import LESSONS

    # two lessons (coreference: one heatmap; ConvBERT's local heads: kernels and a grid of heads) keep
    # the browser's work small; the full pack is the same page with more sections
    _, sections = all_lessons_pack
    keys = [ls.key for ls in LESSONS]
    chosen = [sections[keys.index("coref")], sections[keys.index("local")]]
    path = tmp_path / "pack.html"
    path.write_text(lesson_pack.build_pack("Two lessons", chosen), encoding="utf-8")
    n = lesson_pack.figure_count(chosen)
    assert n == 3
    with browser() as b:
        page = b.new_page(viewport={"width": 1300, "height": 900})
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.route(
            "**/*", lambda route: route.continue_() if route.request.url.startswith("file://") else route.abort()
        )
        page.goto(path.as_uri(), wait_until="commit", timeout=120_000)  # 5 MB of inline script: slow on busy CPUs
        page.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot').length === {n} && "
            "[...document.querySelectorAll('.js-plotly-plot')].every(el => el._fullData && el._fullData.length)",
            timeout=240_000,
        )
        assert requests == [path.as_uri()]  # the file itself, nothing from the network
        # hover the first heatmap (coreference lesson): a tooltip with a weight appears
        page.evaluate("window.scrollTo(0, 0)")
        box = page.evaluate(
            "() => { const r = document.querySelector('.js-plotly-plot .nsewdrag')"
            ".getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; }"
        )
        page.mouse.move(box[0] + box[2] * 0.5, box[1] + box[3] * 0.5)
        page.wait_for_function("document.querySelector('.hoverlayer .hovertext') !== null", timeout=10_000)
        tip = page.evaluate("document.querySelector('.hoverlayer .hovertext').textContent")
        assert re.search(r"->.*weight \d\.\d{3}", tip), tip
        assert requests == [path.as_uri()]


# ------------------------------------------------------------------ command line


def run_cli(*args, cwd):
    """`python -m bertviz_core ...` in a new process (the entry point itself)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "bertviz_core", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,  # callers check the exit status
    )


def main_in_process(*args, cwd, capsys, monkeypatch):
    """The command's main() in this process (the model already loaded here): (exit status, stderr)."""
    from bertviz_core.__main__ import main

    monkeypatch.chdir(cwd)
    capsys.readouterr()
    code = main(list(args))
    return code, capsys.readouterr().err


def test_cli_outputs_equal_the_library(bert, tmp_path, trace, capsys, monkeypatch):
    code, err = main_in_process(
        "capture",
        SENTENCE,
        "--model",
        "bert-minilm-l6",
        "--out",
        "t.npz",
        cwd=tmp_path,
        capsys=capsys,
        monkeypatch=monkeypatch,
    )
    assert code == 0 and "wrote t.npz" in err, err
    cli = export.load_trace(tmp_path / "t.npz")
    for name in ARRAYS:
        a, b = getattr(trace, name), getattr(cli, name)
        assert (a is None and b is None) or np.array_equal(a, b), name
    assert cli.tokens == trace.tokens

    code, err = main_in_process(
        "export",
        "--model",
        "bert-minilm-l6",
        "--text",
        SENTENCE,
        "--view",
        "attention",
        "--layer",
        "3",
        "--head",
        "1",
        "--format",
        "svg",
        "--out",
        "head.svg",
        cwd=tmp_path,
        capsys=capsys,
        monkeypatch=monkeypatch,
    )
    assert code == 0 and "wrote head.svg" in err, err
    assert canonical_ids((tmp_path / "head.svg").read_text()) == canonical_ids(
        export.to_svg(figures.name_source(figures.head_view(trace, 3, 1), "bert-minilm-l6")).decode()
    )
    assert f"Layer 3, H1 · {len(trace)} tokens · bert-minilm-l6" in (tmp_path / "head.svg").read_text()  # the model


def canonical_ids(svg: str) -> str:
    """Plotly.js names clip paths, gradients and colour bars after random ids (the plot's and each colour
    bar's 6 hex digits): number them by first use."""
    uids = re.findall(r'id="defs-([0-9a-f]{6})"', svg) + re.findall(r'class="cb([0-9a-f]{6}) colorbar"', svg)
    for k, uid in enumerate(dict.fromkeys(uids)):
        svg = svg.replace(uid, f"U{k}")
    return svg


def test_cli_help_and_errors(tmp_path, capsys, monkeypatch):
    r = run_cli("export", "--help", cwd=tmp_path)  # through `python -m bertviz_core`
    assert r.returncode == 0
    for option in (
        "--text",
        "--text-b",
        "--model",
        "--trace",
        "--view",
        "--layer",
        "--head",
        "--model-b",
        "--hide-special",
        "--format",
        "--resolution",
        "--font-size",
        "--out",
    ):
        assert option in r.stdout
    code, err = main_in_process(
        "export", "--trace", "missing.npz", "--out", "x.svg", cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch
    )
    assert code == 2 and err.startswith("error: ") and "missing.npz" in err and err.count("\n") == 1, err
    code, err = main_in_process(
        "export", "--trace", "missing.npz", "--out", "x.gif", cwd=tmp_path, capsys=capsys, monkeypatch=monkeypatch
    )
    assert code == 2 and "cannot tell the format from 'x.gif'" in err, err


# ------------------------------------------------------------------ Streamlit glue


def test_download_widgets_render_without_computing_anything(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from bertviz_core import export

    for name in ("figure_bytes", "to_html", "trace_to_npz"):  # the script below replaces them: put them back after
        monkeypatch.setattr(export, name, getattr(export, name))
    script = tmp_path / "page.py"
    script.write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
        "import pandas as pd, plotly.graph_objects as go, streamlit as st\n"
        "from app import export_ui\nfrom bertviz_core import export\n"
        "def boom(*a, **k):\n    raise AssertionError('computed during the page run')\n"
        "export.figure_bytes = export.to_html = export.trace_to_npz = boom\n"
        "fig = go.Figure(go.Heatmap(z=[[1, 2], [3, 4]]))\n"
        "st.plotly_chart(fig)\nexport_ui.figure_downloads(fig, 'attention L3/H1')\n"
        "export_ui.table_download(pd.DataFrame({'a': [1]}), 'metrics')\n"
    )
    at = AppTest.from_file(str(script), default_timeout=60).run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == [
        "PNG · projector (1920×1080)",
        "PNG · print (300 dpi)",
        "SVG · vector (papers)",
        "PDF · vector",
        "HTML · interactive, offline",
        "CSV",
    ]


def test_lessons_page_states_the_pack_size_before_download():
    from apptest_util import open_page

    at = open_page("lessons")
    assert not at.exception
    at.button(key="pack_coref").click().run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert len(labels) == 1 and re.fullmatch(r"Download pack · \d+\.\d MB · charts: 1", labels[0]), labels


# ------------------------------------------------------------------ figure downloads on every page
FIGURE_FILES = (
    ("{}.png", "image/png"),
    ("{}-print.png", "image/png"),
    ("{}.svg", "image/svg+xml"),
    ("{}.pdf", "application/pdf"),
    ("{}.html", "text/html"),
)
# pages another helper is still wiring (figure export not yet on them); none left
EXPORT_PENDING: set[str] = set()


@pytest.fixture
def deferred(monkeypatch):
    """Records what each download button registers with Streamlit (file name, mime, data callable): what
    a click would serve. AppTest drops its runtime after a run, so the registry is read as it is filled."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    seen: dict[str, dict] = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        file_id = original(self, data_callable, mimetype, coordinates, file_name, **kwargs)
        seen[file_id] = {"mime": mimetype, "filename": file_name, "data": data_callable}
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return seen


def _downloads(at, deferred: dict) -> dict[str, dict]:
    """file name -> mime, label and data callable of every download button on the page's last run."""
    out = {}
    for button in at.get("download_button"):
        entry = deferred[button.proto.deferred_file_id]
        out[entry["filename"]] = {**entry, "label": button.proto.label}
    return out


def _assert_figure_downloads(files: dict, stem: str, title_words: str | None = None) -> None:
    for pattern, mime in FIGURE_FILES:
        name = pattern.format(stem)
        assert name in files, (name, sorted(files))
        assert files[name]["mime"] == mime, name
    if title_words is not None:  # the offline HTML carries this figure (its title), built on click only
        html = files[f"{stem}.html"]["data"]()
        html = html.decode("utf-8") if isinstance(html, bytes) else html
        assert "<script" in html and title_words in html


@pytest.mark.parametrize(
    "path", sorted(str(p.relative_to(ROOT)) for p in [*ROOT.glob("pages/*.py"), *ROOT.glob("app/*_view.py")])
)
def test_every_chart_on_a_page_has_a_download_menu(path):
    """Static audit: each st.plotly_chart / x.plotly_chart call is followed by export_ui.figure_downloads
    within a few lines (the Download menu sits under its chart)."""
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    missing = [
        i + 1
        for i, line in enumerate(lines)
        if "plotly_chart(" in line
        and not line.lstrip().startswith("#")
        and not any("figure_downloads(" in later for later in lines[i : i + 10])
    ]
    if missing and path in EXPORT_PENDING:
        pytest.xfail(f"figure export pending on {path} (lines {missing})")
    assert not missing, f"{path}: charts without a Download menu at lines {missing}"


def test_contributions_page_offers_every_figure_for_download(deferred):
    from apptest_util import charts, open_page

    at = open_page(
        "contributions", model="bert-minilm-l6", text="The cat sat on the mat.", layer="2", contrib_method="norm"
    )
    assert not at.exception
    files = _downloads(at, deferred)
    specs = charts(at)  # Plotly first (the output mean, the attribution), then the canvas (raw | method)
    assert len(specs) == 3 and specs[2]["data"][0]["type"] == "canvas"
    _assert_figure_downloads(files, "contributions-norm-L2")
    _assert_figure_downloads(files, "contributions-norm-L2-output-mean", specs[0]["layout"]["title"]["text"][:20])
    _assert_figure_downloads(files, "attribution-integrated_gradients-norm")
    assert len(files) == 3 * len(FIGURE_FILES)


def test_intervene_page_offers_the_attention_change_for_download(deferred):
    from apptest_util import open_page

    at = open_page("intervene", model="bert-minilm-l6", text="The cat sat on the mat.")
    assert not at.exception and not at.get("download_button")  # nothing switched off yet: no figure
    at = open_page("intervene", model="bert-minilm-l6", text="The cat sat on the mat.", heads="L0H3")  # one head off
    assert not at.exception
    files = _downloads(at, deferred)
    _assert_figure_downloads(files, "intervene-attention-change", "Attention change")
    assert len(files) == len(FIGURE_FILES)


def test_compress_page_offers_its_figures_and_table_for_download(deferred):
    from apptest_util import open_page

    from bertviz_core.analysis import compress, students

    at = open_page("compress", text="The cat sat on the mat.")
    assert not at.exception
    files = _downloads(at, deferred)
    stems = ["compress-attention-change-bert-minilm-l6-int8"]
    if (compress.results() or {}).get("models", {}).get("bert-minilm-l6", {}).get("curve"):
        stems += ["compress-pruning-curve-bert-minilm-l6", "compress-head-importance-bert-minilm-l6"]
    stems += ["compress-qbert-eigenvalues-bert-minilm-l6", "compress-qbert-bits-bert-minilm-l6"]  # Q-BERT's section
    tables = 2  # the variants, Q-BERT's allocations
    if students.depth_points(students.results() or {}):
        stems.append("compress-depth-curve")
    if students.TINYBERT_ID in (students.results() or {}).get("students", {}):
        stems.append("compress-tinybert-layer-map")
        tables += 1  # TinyBERT's transfer losses
        assert files["compress-tinybert-transfer.csv"]["mime"] == "text/csv"
    for stem in stems:
        _assert_figure_downloads(files, stem)
    csv = files["compress-bert-minilm-l6.csv"]
    assert csv["mime"] == "text/csv"
    table = at.dataframe[0].value
    text = csv["data"]().decode("utf-8-sig")
    assert text.splitlines()[0].split(",")[0] == table.columns[0]
    assert [line.split(",")[0] for line in text.splitlines()[1:]] == list(table.iloc[:, 0])
    assert files["compress-qbert-bert-minilm-l6.csv"]["mime"] == "text/csv"  # Q-BERT's table
    assert len(files) == len(stems) * len(FIGURE_FILES) + tables


def _html_of(files: dict, stem: str) -> str:
    html = files[f"{stem}.html"]["data"]()
    return html.decode("utf-8") if isinstance(html, bytes) else html


def test_compare_head_by_head_offers_every_figure_for_download(deferred):
    from apptest_util import charts, open_page

    at = open_page(
        "compare",
        model_a="bert-minilm-l6",
        model_b="convbert-minilm-l6",
        text="The cat sat on the mat.",
        layer="3",
        head="1",
    )
    assert not at.exception
    files = _downloads(at, deferred)
    pair, diff = charts(at)  # A | B on one canvas, then A - B
    _assert_figure_downloads(files, "compare-L3-H1-pair")
    _assert_figure_downloads(files, "compare-L3-H1-difference", "Difference A - B")
    assert diff["layout"]["title"]["text"] == "Difference A - B"
    html = _html_of(files, "compare-L3-H1-pair")  # both squares' titles are in the downloaded file
    for title in pair["header"]["panel_titles"]:
        assert title.split(" · ")[-1] in html  # the head's name (H1 on both sides)
    assert len(files) == 2 * len(FIGURE_FILES)

    at.session_state["compare_method"] = "norm"  # another method: its name is in the file names
    at.run()
    assert not at.exception
    files = _downloads(at, deferred)
    _assert_figure_downloads(files, "compare-norm-L3-H1-pair")
    _assert_figure_downloads(files, "compare-norm-L3-H1-difference", "Difference A - B")


def test_compare_metrics_and_matching_offer_their_figures_and_keep_click_to_select(deferred):
    from apptest_util import open_page

    at = open_page("compare", model_a="bert-minilm-l6", model_b="bert-minilm-l6", text="The cat sat.")
    at.session_state["compare_tab"] = "Head metrics"
    at.run()
    assert not at.exception
    files = _downloads(at, deferred)
    _assert_figure_downloads(files, "compare-metric-entropy-A", "A: ")
    _assert_figure_downloads(files, "compare-metric-entropy-B", "B: ")
    assert len(files) == 2 * len(FIGURE_FILES)
    # the charts still select a head on click (Streamlit sends a selection mode only when on_select is set)
    assert [list(c.proto.selection_mode) for c in at.get("plotly_chart")] == [[0], [0]]  # 0: points

    at.session_state["compare_tab"] = "Matching heads"
    at.run()
    assert not at.exception
    files = _downloads(at, deferred)
    _assert_figure_downloads(files, "compare-head-matching-js", '"JS"')
    _assert_figure_downloads(files, "compare-layer-cka", '"CKA"')
    assert len(files) == 2 * len(FIGURE_FILES)


def test_syntax_page_offers_every_figure_for_download(deferred):
    from apptest_util import open_page

    at = open_page("syntax", model="convbert-minilm-l6", text="Dogs chase the small cats", layer="2", head="c1")
    assert not at.exception
    files = _downloads(at, deferred)
    _assert_figure_downloads(files, "syntax-best-heads-main-relations", "Best head per relation against its baseline")
    relation = at.session_state["syn_rel"]
    _assert_figure_downloads(files, f"syntax-accuracy-map-{relation}", f"{relation}: accuracy per layer and head")
    _assert_figure_downloads(files, "syntax-arcs-L2-c1", "layer 2")
    assert len(files) == 3 * len(FIGURE_FILES)


def test_interval_plot_title_and_legend_have_their_own_room():
    from bertviz_core.figures import research as rfig

    # by hand: 10 half-em units per line, words kept whole; CJK breaks anywhere, 2 units a character
    assert rfig.wrap_title("mean and 95% interval", 10) == ["mean and", "95%", "interval"]
    assert rfig.wrap_title("各层的归一化熵", 6) == ["各层的", "归一化", "熵"]
    assert rfig.wrap_title("unbreakable", 4) == ["unbreakable"]
    title = "normalised entropy by layer: mean and 95% interval across sentences (dotted: uniform baseline)"
    series = [
        {"name": f"{s} · {g}", "mean": np.array([0.5, 0.6]), "low": np.array([0.4, 0.5]), "high": np.array([0.6, 0.7])}
        for s in "AB"
        for g in ("attention heads", "conv heads")
    ]
    fig = rfig.interval_plot(["L0", "L1"], series, title=title, x_title="Layer", y_title="entropy", font_size=14)
    lines = fig.layout.title.text.split("<br>")
    assert len(lines) == 2 and " ".join(lines) == title
    # the legend is at the bottom of the figure (below the axis title), not beside the title
    assert (fig.layout.legend.yref, fig.layout.legend.y, fig.layout.legend.yanchor) == ("container", 0, "bottom")
    # the title's lines sit inside the top margin, above the plot area
    px = fig.layout.title.font.size
    centre = (1 - fig.layout.title.y) * fig.layout.height
    assert fig.layout.title.yref == "container" and centre + 1.3 * px * len(lines) / 2 < fig.layout.margin.t


def test_pack_figures_name_their_model_and_speak_the_packs_language(convbert):
    from app.lessons import LESSONS

    lesson = next(ls for ls in LESSONS if ls.page == "convolution")
    t = lesson_pack.translator(_app_text(), "zh")
    section = lesson_pack.lesson_section("t", "x", lesson.page, lesson.state, t=t, sources=lesson_pack.Sources())
    for fig in section.figures:
        assert fig.layout.title.text.split(" · ")[-1] == lesson.state["model"]  # titled, or the model alone
        bars = [tr.colorbar.title.text for tr in fig.data if getattr(tr, "colorbar", None) and tr.colorbar.title.text]
        bars += [ax.colorbar.title.text for ax in (fig.layout.coloraxis,) if ax.colorbar.title.text]
        assert bars and all(b == "权重" for b in bars), bars
    assert " · " in section.captions[1]  # the grid's title and its note are two sentences, not one run-on
