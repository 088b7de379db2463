"""/compare's three matrices (A, B and A - B) at n tokens: Enter-to-painted with the canvas heatmap against the Plotly
figures, side by side in one run (issue #29: <= 1.0 s at 512 tokens).

    python bench/bench_heatmap_compare.py [tokens [runs]]

Two servers (the default canvas path and BERTVIZ_HEATMAP=plotly), one Chromium page on each (1400 x 1000, the heads
tab, bert-minilm-l6 against convbert-minilm-l6); each sentence is typed into the canvas page, then into the Plotly
page (alternating, so the machine's load drifts over both alike). *painted*: Enter to the first frame after BOTH
figures (A and B in one, A - B in the other) show the new sentence; the load average is read at every Enter, and a
bare capture() of both models at n tokens is timed after the run to show what the load does to the server's part.
Results in bench/out/heatmap_compare_<n>.json.
"""

from __future__ import annotations

import os
import statistics
import time
import urllib.parse

import common
from bench_app import PAGES, TIMELINE_JS, peak_rss_mb, texts_of
from local_app import browser, streamlit_server, wait_for_plot

PLOTLY_CELLS = 192  # pages/compare.py's COMPARE_CELLS: the Plotly figures' rows at most (block-averaged above)
FIGURES = 2  # the A | B figure and the A - B figure


def expected_rows(tokens: list[str], mode: str) -> list[str]:
    """The row labels each path's figures show for this sentence (how the timeline tells the new figure from the old)."""
    import numpy as np

    from app.heatmap import token_labels as canvas_labels
    from bertviz_core.figures.deberta import fit_cells
    from bertviz_core.figures.labels import token_labels

    if mode == "canvas":
        return canvas_labels(tokens)
    n = len(tokens)
    return fit_cells(np.zeros((1, n, n), np.float32), token_labels(tokens), PLOTLY_CELLS)[1]


def open_compare(b, base: str, text: str):
    ctx = b.new_context(viewport={"width": 1400, "height": 1000})
    ctx.add_init_script(TIMELINE_JS)
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    cdp.send("Performance.enable")
    page.goto(f"{base}/compare?{PAGES['compare'][0]}&text={urllib.parse.quote(text)}", timeout=300_000)
    wait_for_plot(page, timeout=300_000, count=FIGURES)
    page.wait_for_timeout(500)
    return ctx, page, cdp


def one_enter(page, cdp, text: str, want: list[str]) -> dict:
    """Type `text`, press Enter; seconds from Enter until every figure painted the new sentence, and more."""

    def busy() -> float:
        return next(m["value"] for m in cdp.send("Performance.getMetrics")["metrics"] if m["name"] == "TaskDuration")

    box = page.get_by_label("Sentence", exact=True)
    page.evaluate("(w) => { window.__want = w; window.__marks.length = 0; }", want)
    box.fill(text)
    page.evaluate("() => { window.__marks.length = 0; }")
    load = os.getloadavg()[0]
    busy0 = busy()
    box.press("Enter")
    page.wait_for_function(
        "(n) => new Set(window.__marks.filter(m => m.name === 'painted' && m.mine).map(m => m.fig)).size >= n",
        arg=FIGURES,
        timeout=300_000,
        polling=50,
    )
    busy_s = busy() - busy0
    page.wait_for_timeout(300)
    marks = page.evaluate("() => window.__marks")
    t0 = next(m["t"] for m in marks if m["name"] == "enter")
    after = [m for m in marks if m["t"] >= t0]
    firsts: dict[str, float] = {}
    for m in after:
        if m["name"] == "painted" and m["mine"]:
            firsts.setdefault(m["fig"], (m["t"] - t0) / 1000)
    received = [m for m in after if m["name"] == "recv"]
    big = max(received, key=lambda m: m["size"], default=None)
    painted = max(firsts.values())
    return {
        "painted_s": painted,
        "first_figure_s": min(firsts.values()),
        "chart_msg_s": None if big is None else (big["t"] - t0) / 1000,
        "browser_s": None if big is None else painted - (big["t"] - t0) / 1000,
        "bytes_in": sum(m["size"] for m in received),
        "main_thread_busy_s": busy_s,
        "loadavg_1min": load,
    }


def bare_capture_s(text: str, repeats: int = 3) -> dict:
    """Median seconds of capture() per model on this text, in this process, after the run (the load's effect)."""
    import bertviz_core as bc

    out = {}
    for model_id in ("bert-minilm-l6", "convbert-minilm-l6"):
        lm = bc.load_model(model_id)
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            bc.capture(lm, text)
            times.append(time.perf_counter() - t0)
        out[model_id] = statistics.median(times)
    return out


def compare_main(n: int = 512, runs: int = 5) -> dict:
    from transformers import AutoTokenizer

    from bertviz_core.models import student

    tokenizer = AutoTokenizer.from_pretrained(student.teacher_path())
    texts = texts_of(tokenizer, n, runs + 1)
    out: dict = {"machine": common.machine(), "tokens": n, "loadavg_before": os.getloadavg(), "rows": []}
    runs_of: dict[str, list[dict]] = {"canvas": [], "plotly": []}
    with (
        streamlit_server(timeout=300) as canvas,
        streamlit_server(env={"BERTVIZ_HEATMAP": "plotly"}, timeout=300) as plotly,
        browser() as b,
    ):
        servers = {"canvas": canvas, "plotly": plotly}
        pages = {mode: open_compare(b, server.base_url, texts[0]) for mode, server in servers.items()}
        for text in texts[1:]:
            tokens = tokenizer.convert_ids_to_tokens(tokenizer(text)["input_ids"])
            for mode, (_, page, cdp) in pages.items():
                r = one_enter(page, cdp, text, expected_rows(tokens, mode))
                runs_of[mode].append({"tokens": len(tokens), **r})
                print(mode, {k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()}, flush=True)
        for ctx, _, _ in pages.values():
            ctx.close()
        out["server_peak_rss_mb"] = {mode: peak_rss_mb(server.pid) for mode, server in servers.items()}
    for mode, rs in runs_of.items():
        keys = [k for k in rs[0] if k != "tokens"]
        med = {k: statistics.median([r[k] for r in rs if r[k] is not None]) for k in keys}
        out["rows"].append({"mode": mode, **med, "runs": rs})
        print(mode, "median", {k: round(v, 3) for k, v in med.items()}, flush=True)
    out["loadavg_after"] = os.getloadavg()
    out["bare_capture_s"] = bare_capture_s(texts[-1])
    print("load", out["loadavg_before"], "->", out["loadavg_after"], "bare capture()", out["bare_capture_s"])
    common.save(f"heatmap_compare_{n}", out)
    return out


if __name__ == "__main__":
    import sys

    args = [x for x in sys.argv[1:] if not x.startswith("--")]
    compare_main(n=int(args[0]) if args else 512, runs=int(args[1]) if len(args) > 1 else 5)
