"""Export benchmark: PNG/SVG time at 16/128/512 tokens, trace files, lesson-pack sizes, page overhead.

    .venv/bin/python bench/bench_export.py [--repeat 3] [--no-pages]

Prints a markdown section (paste into bench/RESULTS.md) and writes bench/out/export.json.
Exports go through one warm kaleido browser (its start is timed separately): the app keeps one per
process. Figures are the app's own: /attention's head heatmap and /model-view's grid.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from common import OUT, ROOT, SIZES, bert_inputs


def timed(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def figure_exports(repeat):
    import bertviz_core as bc
    from bertviz_core import export, figures

    lm, inputs = bert_inputs()
    rows = []
    t = time.perf_counter()
    export.to_svg(figures.head_view(bc.capture(lm, "warm up"), 0, 0))
    start = time.perf_counter() - t
    exporters = (  # format -> figure to bytes
        ("png", lambda fig: export.to_png(fig, "projector")),
        ("png_print", lambda fig: export.to_png(fig, "print")),
        ("svg", export.to_svg),
        ("pdf", export.to_pdf),
        ("html", lambda fig: export.to_html(fig).encode()),
    )

    def trace_json_bytes(trace):
        return export.trace_to_json(trace).encode()

    for n, text, _ in inputs:
        trace = bc.capture(lm, text)
        assert len(trace) == n, (len(trace), n)
        for view, fig in (("attention", figures.head_view(trace, 3, 1)), ("model view", figures.model_view(trace))):
            row = {"tokens": n, "view": view}
            for fmt, fn in exporters:
                sec, data = timed(partial(fn, fig), repeat)
                row[fmt] = {"s": round(sec, 3), "bytes": len(data)}
            rows.append(row)
        npz_s, npz = timed(partial(export.trace_to_npz, trace), repeat)
        rows.append({"tokens": n, "view": "trace", "npz": {"s": round(npz_s, 3), "bytes": len(npz)}})
        if n <= export.JSON_MAX_TOKENS:
            js, data = timed(partial(trace_json_bytes, trace), 1)
            rows[-1]["json"] = {"s": round(js, 3), "bytes": len(data)}
    export.close_browser()
    return start, rows


def lesson_packs():
    from app.i18n import TEXT
    from app.lessons import LESSONS
    from bertviz_core.export import lesson_pack

    t = lesson_pack.translator(TEXT, "en")
    sources = lesson_pack.Sources()
    rows, sections = [], []
    for ls in LESSONS:
        start = time.perf_counter()
        section = lesson_pack.lesson_section(
            t(f"lesson_{ls.key}_title"), t(f"lesson_{ls.key}_text"), ls.page, ls.state, t=t, sources=sources
        )
        html = lesson_pack.build_pack(section.title, [section]).encode()
        rows.append(
            {
                "lesson": ls.key,
                "figures": len(section.figures),
                "bytes": len(html),
                "s": round(time.perf_counter() - start, 2),
            }
        )
        sections.append(section)
    start = time.perf_counter()
    html = lesson_pack.build_pack("All lessons", sections).encode()
    rows.append(
        {
            "lesson": "all",
            "figures": lesson_pack.figure_count(sections),
            "bytes": len(html),
            "s": round(time.perf_counter() - start, 2),
        }
    )
    from bertviz_core import export

    return len(export.plotly_js().encode()), rows


PAGE = """
import sys, time
sys.path.insert(0, {root!r})
import numpy as np, streamlit as st
from bertviz_core import figures
from app import export_ui
rng = np.random.default_rng(0)
tokens = [f"t{{i}}" for i in range(128)]
fig = figures.matrix_heatmap(rng.random((128, 128), dtype=np.float32), tokens, tokens, title="x")
st.plotly_chart(fig)
start = time.perf_counter()
export_ui.figure_downloads(fig, "attention")
with open({log!r}, "a") as f:
    f.write(f"{{time.perf_counter() - start}}\\n")
"""


def page_overhead(runs=15):
    """What figure_downloads adds to a page run: the call itself, timed inside the script (AppTest,
    one 128-token heatmap on the page), median of `runs` reruns after a warm-up."""
    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory() as tmp:
        path, log = os.path.join(tmp, "page.py"), os.path.join(tmp, "times.txt")
        with open(path, "w") as f:
            f.write(PAGE.format(root=str(ROOT), log=log))
        at = AppTest.from_file(path, default_timeout=120).run()
        for _ in range(runs):
            at.run()
        assert not at.exception
        times = [float(x) for x in Path(log).read_text().split()][1:]
    return {"call_ms": round(statistics.median(times) * 1000, 2), "max_ms": round(max(times) * 1000, 2)}


def mb(n):
    return f"{n / 1e6:.2f} MB" if n >= 1e5 else f"{n / 1e3:.0f} KB"


def time_and_size(row, fmt):
    """One table cell: the export time and the file size of format `fmt` in a row of figure_exports."""
    return f"{row[fmt]['s']:.2f} s, {mb(row[fmt]['bytes'])}"


def report(start, rows, js_bytes, packs, pages, load=None):
    lines = [
        "## Export (figures, traces, lesson packs)",
        "",
        *(
            [f"Load average (1 min) at start / end: {load[0]:.2f} / {load[1]:.2f} on {os.cpu_count()} cores.", ""]
            if load
            else []
        ),
        (
            f"kaleido 1.5 driving Debian's Chromium; one browser per process, started once in {start:.1f} s "
            "(first export); times below are medians with the browser warm. PNG projector = fits 1920x1080, "
            "print = 300 dpi at the figure's size."
        ),
        "",
        "| tokens | view | PNG projector | PNG print | SVG | PDF | offline HTML |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        if r["view"] == "trace":
            continue
        cell = partial(time_and_size, r)
        lines.append(
            f"| {r['tokens']} | {r['view']} | {cell('png')} | {cell('png_print')} | {cell('svg')} | "
            f"{cell('pdf')} | {cell('html')} |"
        )
    lines += ["", "| tokens | trace NPZ | trace JSON |", "| --- | --- | --- |"]
    for r in rows:
        if r["view"] == "trace":
            j = f"{r['json']['s']:.2f} s, {mb(r['json']['bytes'])}" if "json" in r else "refused (> 64 tokens)"
            lines.append(f"| {r['tokens']} | {r['npz']['s']:.3f} s, {mb(r['npz']['bytes'])} | {j} |")
    lines += [
        "",
        f"Lesson packs (English; plotly.js inlined once: {mb(js_bytes)} of each file):",
        "",
        "| lesson | figures | pack size | build |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {p['lesson']} | {p['figures']} | {mb(p['bytes'])} | {p['s']:.2f} s |" for p in packs]
    if pages:
        lines += [
            "",
            (
                f"Page cost of `export_ui.figure_downloads` (the call timed inside an AppTest page run beside a "
                f"128-token heatmap, median of 15 reruns): {pages['call_ms']} ms (max {pages['max_ms']} ms); "
                "no file is built until a button is clicked."
            ),
        ]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-pages", action="store_true", help="skip the AppTest page-overhead measurement")
    args = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    load_start = os.getloadavg()[0]
    start, rows = figure_exports(args.repeat)
    js_bytes, packs = lesson_packs()
    pages = None if args.no_pages else page_overhead()
    load = (load_start, os.getloadavg()[0])
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "export.json").write_text(
        json.dumps(
            {
                "browser_start_s": start,
                "figures": rows,
                "plotly_js_bytes": js_bytes,
                "packs": packs,
                "page_ms": pages,
                "sizes": SIZES,
                "load_average": load,
            },
            indent=1,
        )
    )
    print(report(start, rows, js_bytes, packs, pages, load))


if __name__ == "__main__":
    main()
