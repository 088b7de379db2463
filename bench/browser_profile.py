"""Where the browser's part of Enter-to-heatmap goes: Chromium's own JS profiler (CDP) around
one typed sentence on a page, summed by function (self time), plus the timeline marks of
bench_app.TIMELINE_JS.

    python bench/browser_profile.py [page] [tokens] [--no-post-gc]     # default: attention 512

Prints the top functions by self time (ms) and the share of the profile spent in the
Streamlit bundle, Plotly and the browser's own work (garbage collection, idle, program).
"""

from __future__ import annotations

import collections
import json
import os
import sys
import urllib.parse

import common
from bench_app import PAGES, TIMELINE_JS, texts_of
from local_app import browser, streamlit_server, wait_for_plot


def summarise(profile: dict, top: int = 25) -> tuple[list, dict]:
    nodes = {n["id"]: n for n in profile["nodes"]}
    dt = collections.Counter()
    samples, deltas = profile.get("samples", []), profile.get("timeDeltas", [])
    for sid, d in zip(samples, deltas):
        dt[sid] += d / 1000.0  # microseconds -> ms
    by_fn, by_src = collections.Counter(), collections.Counter()
    for sid, ms in dt.items():
        cf = nodes[sid]["callFrame"]
        url = cf.get("url", "")
        src = (
            "plotly"
            if "plotly" in url.lower() or "PlotlyChart" in url
            else "streamlit bundle"
            if "/static/js/" in url
            else cf["functionName"] or "(anonymous)"
            if not url
            else os.path.basename(url)
        )
        by_src[src] += ms
        # minified bundles reuse short names: line AND column (0-based, as CDP gives them) tell them apart
        by_fn[
            f"{cf['functionName'] or '(anonymous)'} [{os.path.basename(url) or '-'}:{cf.get('lineNumber', 0)}"
            f":{cf.get('columnNumber', 0)}]"
        ] += ms
    return by_fn.most_common(top), dict(by_src.most_common(12))


def main(page="attention", n=512, env=None, tag=""):
    from transformers import AutoTokenizer

    from bertviz_core.models import student

    tokenizer = AutoTokenizer.from_pretrained(student.teacher_path())
    texts = texts_of(tokenizer, n, 3)
    query, n_plots = PAGES[page]
    out = {"page": page, "tokens": n, "loadavg_before": os.getloadavg()}
    out["server_env"] = env or {}
    with streamlit_server(timeout=300, env=env) as server, browser() as b:
        ctx = b.new_context(viewport={"width": 1400, "height": 1000})
        ctx.add_init_script(TIMELINE_JS)
        p = ctx.new_page()
        p.goto(f"{server.base_url}/{page}?{query}&text={urllib.parse.quote(texts[0])}", timeout=300_000)
        wait_for_plot(p, timeout=300_000, count=n_plots)
        box = p.get_by_label("Sentence", exact=True)
        box.fill(texts[1])  # one unprofiled warm rerun
        box.press("Enter")
        p.wait_for_function("() => window.__marks.some(m => m.name === 'painted')", timeout=120_000)
        p.wait_for_timeout(1000)
        cdp = ctx.new_cdp_session(p)
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 1000})  # microseconds; finer slows the page
        p.evaluate("() => { window.__want = null; }")
        box.fill(texts[2])
        p.evaluate("() => { window.__marks.length = 0; }")
        cdp.send("Profiler.start")
        box.press("Enter")
        p.wait_for_function("() => window.__marks.some(m => m.name === 'painted')", timeout=120_000, polling=50)
        p.wait_for_timeout(200)
        prof = cdp.send("Profiler.stop")["profile"]
        marks = p.evaluate("() => window.__marks")
        ctx.close()
    t0 = next(m["t"] for m in marks if m["name"] == "enter")
    out["marks"] = [
        {"name": m["name"], "s": round((m["t"] - t0) / 1000, 3), **({"size": m["size"]} if "size" in m else {})}
        for m in marks
        if m["name"] != "recv" or m.get("size", 0) > 10_000
    ]
    top, by_src = summarise(prof)
    out["by_source_ms"] = by_src
    out["top_self_ms"] = top
    out["loadavg_after"] = os.getloadavg()
    common.save(f"browser_profile_{page}_{n}{tag}", out)
    print(json.dumps(out["marks"]))
    print("by source (ms):", json.dumps({k: round(v) for k, v in by_src.items()}))
    for name, ms in top:
        print(f"{ms:8.1f} ms  {name}")


if __name__ == "__main__":
    no_gc = "--no-post-gc" in sys.argv  # the server without Streamlit's gc after every run
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(
        args[0] if args else "attention",
        int(args[1]) if len(args) > 1 else 512,
        env={"STREAMLIT_RUNNER_POST_SCRIPT_GC": "false"} if no_gc else None,
        tag="_no_post_gc" if no_gc else "",
    )
