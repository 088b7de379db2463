"""What the app sends to the browser and how fast it answers, measured in Chromium.

For each page and input size: bytes received over Streamlit's websocket for the page's
data (static JS/CSS, cached by the browser after the first visit, reported separately),
Enter-to-heatmap time (type a new sentence, press Enter, until the heatmap shows the new
tokens; warm server; median of several runs), and the server's peak memory.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import urllib.parse
from functools import partial

import common
from local_app import browser, streamlit_server, wait_for_plot

from bertviz_core.inputs.text import decode_text

RUNS = 4
PAGES = {  # page -> (query for the model(s), number of plotly charts to wait for)
    "attention": ("model=bert-minilm-l6", 1),
    "model-view": ("model=bert-minilm-l6", 1),
    "compare": ("model_a=bert-minilm-l6&model_b=convbert-minilm-l6", 2),
    "convolution": ("model=convbert-minilm-l6", 2),
}


def texts_of(tokenizer, n, count):
    """`count` different real texts of exactly n tokens (different speeches)."""
    every = sorted((common.SHARED / "corpora" / "state_union").glob("*.txt"))
    files = (every[::7] + [f for f in every if f not in every[::7]])[:count]  # every 7th speech first
    out = []
    for f in files:
        words = decode_text(f.read_bytes()).split()[100:]  # past the title lines, which repeat
        lo, hi = 1, len(words)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if len(tokenizer(" ".join(words[:mid]))["input_ids"]) <= n:
                lo = mid
            else:
                hi = mid - 1
        out.append(" ".join(words[:lo]))
    return out


def measure_page(b, base, page, query, n_plots, texts, tokenizer):
    from playwright.sync_api import Error as PlaywrightError

    ctx = b.new_context(viewport={"width": 1400, "height": 1000})
    p = ctx.new_page()
    ws_bytes = {"n": 0}
    http_bytes = {"n": 0}

    def on_ws(ws):
        ws.on("framereceived", lambda payload: ws_bytes.__setitem__("n", ws_bytes["n"] + len(payload)))

    def on_response(resp):
        try:
            http_bytes["n"] += len(resp.body())
        except PlaywrightError:  # no body: a redirect, or the page already moved on
            pass

    p.on("websocket", on_ws)
    p.on("response", on_response)
    url = f"{base}/{page}?{query}&text={urllib.parse.quote(texts[0])}"
    t0 = time.perf_counter()
    p.goto(url, timeout=300_000)
    wait_for_plot(p, timeout=300_000, count=n_plots)  # generous: a first page load on a shared machine
    first_load_s = time.perf_counter() - t0
    p.wait_for_timeout(500)
    page_bytes = ws_bytes["n"]
    static_bytes = http_bytes["n"]

    times, rerun_bytes = [], []
    box = p.get_by_label("Sentence", exact=True)
    for text in texts[1 : 1 + RUNS]:
        before = ws_bytes["n"]
        p.evaluate(
            "() => { window.__old = [...document.querySelectorAll('.js-plotly-plot')].map(el => el._fullData); }"
        )
        box.fill(text)
        t0 = time.perf_counter()
        box.press("Enter")
        p.wait_for_function(
            "(n) => { const els = [...document.querySelectorAll('.js-plotly-plot')].slice(0, n);"
            " return els.length === n && els.every((el, i) => el._fullData && el._fullData.length &&"
            " el._fullData !== window.__old[i]); }",
            arg=n_plots,
            timeout=120_000,
            polling=10,
        )
        p.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
        times.append(time.perf_counter() - t0)
        p.wait_for_timeout(300)
        rerun_bytes.append(ws_bytes["n"] - before)
    extra = {}
    if page == "compare":  # the head-matching tab is computed when opened: time its first opening
        t0 = time.perf_counter()
        p.get_by_role("tab", name="Matching heads").click()
        p.wait_for_function(
            "() => { const els = [...document.querySelectorAll('.js-plotly-plot')];"
            " return els.length >= 2 && els.every(el => el._fullData && el._fullData.length) &&"
            " els[0]._fullData[0].colorbar && els[0]._fullData[0].colorbar.title.text === 'JS'; }",
            timeout=300_000,
            polling=20,
        )
        extra["matching_tab_s"] = time.perf_counter() - t0
    ctx.close()
    return {
        "first_load_s": first_load_s,
        "page_payload_bytes": page_bytes,
        "static_http_bytes": static_bytes,
        "enter_to_heatmap_s": statistics.median(times),
        "enter_to_heatmap_all_s": times,
        "rerun_payload_bytes": statistics.median(rerun_bytes),
        **extra,
    }


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    return None


# Timeline of one Enter in the browser, all on the page's clock (performance.now()): the key,
# the BackMsg leaving on the websocket, the big chart message arriving, the new heatmap's data in
# the Plotly figure (_fullData), the heatmap's picture drawn into the DOM and the first
# frame after it (what the user sees: the heatmap's new <image> is in the DOM). Installed before the page loads.
TIMELINE_JS = """
(() => {
  const marks = window.__marks = [];
  const mark = (name, extra) => marks.push(Object.assign({name, t: performance.now()}, extra || {}));
  window.__mark = mark;
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const ws = new Native(...args);
    const send = ws.send.bind(ws);
    ws.send = (data) => { mark('send', {size: data.byteLength || data.size || data.length || 0}); return send(data); };
    ws.addEventListener('message', (ev) => mark('recv', {size: ev.data.byteLength || ev.data.size || 0}));
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  document.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') mark('enter'); }, true);
  // window.__want: the new sentence's row labels, or null to accept any new figure (thumbnails)
  const same = (y) => { const w = window.__want; if (w === null) return true;
                        if (!w || !y || y.length !== w.length) return false;
                        for (let i = 0; i < w.length; i++) if (String(y[i]) !== w[i]) return false; return true; };
  const loop = () => {
    // fig: which figure on the page (p0, p1, ... Plotly; c0, c1, ... canvas), in page order
    for (const [k, el] of [...document.querySelectorAll('.js-plotly-plot')].entries()) {
      const y = el._fullData && el._fullData[0] && el._fullData[0].y;
      const fig = 'p' + k;
      if (el._fullData && el._fullData !== el.__seen) {
        el.__seen = el._fullData;
        mark('data', {mine: same(y), fig});
      }
      // Plotly draws a heatmap as one <image> per trace: a new href is the new picture in the DOM,
      // painted in the frame this callback precedes
      const img = el.querySelector('g.hm image');
      const href = img && (img.getAttribute('href') || img.getAttribute('xlink:href'));
      if (href && href !== el.__href) {
        el.__href = href;
        const mine = same(y);
        mark('drawn', {mine, fig});
        requestAnimationFrame(() => setTimeout(() => mark('painted', {mine, fig}), 0));
      }
    }
    // the canvas heatmap (app/heatmap): a new data-painted count is a new picture on the canvas
    for (const [k, el] of [...document.querySelectorAll("[data-testid='bv-heatmap-root']")].entries()) {
      if (el.dataset.painted && el.dataset.painted !== el.__painted) {
        el.__painted = el.dataset.painted;
        const mine = same(JSON.parse(el.dataset.yLabels));
        const fig = 'c' + k;
        mark('data', {mine, fig});
        mark('drawn', {mine, fig});
        requestAnimationFrame(() => setTimeout(() => mark('painted', {mine, fig}), 0));
      }
    }
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
})();
"""


def seconds_to_first(marks, t_enter, name, cond=lambda m: True):
    """Seconds from Enter (t_enter, ms) to the first mark called `name` that meets `cond`, or None."""
    m = next((m for m in marks if m["name"] == name and cond(m)), None)
    return None if m is None else (m["t"] - t_enter) / 1000


def enter_to_heatmap_timeline(b, base, page, query, texts, tokenizer, viewport=(1400, 1000), labels=None):
    """Per typed sentence, the browser-side timeline of TIMELINE_JS, in seconds after Enter.

    'painted' is what a user feels: the first frame after Plotly has drawn the heatmap that shows
    the new tokens. 'data' is when those tokens are in the Plotly figure (_fullData), before
    it is drawn; 'old_bench' reproduces the first round's measurement (any change of _fullData,
    then one animation frame), timed from Python like measure_page."""
    from bertviz_core.figures.labels import token_labels

    token_labels = labels or token_labels  # the canvas heatmap's labels are plain text (app.heatmap.token_labels)
    ctx = b.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    ctx.add_init_script(TIMELINE_JS)
    p = ctx.new_page()
    cdp = ctx.new_cdp_session(p)  # the main thread's busy time: Chromium's TaskDuration (seconds, cumulative)
    cdp.send("Performance.enable")

    def busy() -> float:
        return next(m["value"] for m in cdp.send("Performance.getMetrics")["metrics"] if m["name"] == "TaskDuration")

    p.goto(f"{base}/{page}?{query}&text={urllib.parse.quote(texts[0])}")
    wait_for_plot(p, timeout=180_000)
    p.wait_for_timeout(500)
    box = p.get_by_label("Sentence", exact=True)
    runs = []
    for text in texts[1:]:
        want = (
            token_labels(tokenizer.convert_ids_to_tokens(tokenizer(text)["input_ids"])) if page == "attention" else None
        )
        p.evaluate("(w) => { window.__want = w; window.__marks.length = 0; }", want)
        box.fill(text)
        p.evaluate("() => { window.__marks.length = 0; }")  # keep only what follows Enter
        busy0 = busy()
        box.press("Enter")
        p.wait_for_function(
            "() => window.__marks.some(m => m.name === 'painted' && m.mine)", timeout=180_000, polling=50
        )
        busy_s = busy() - busy0  # Enter to painted (+ up to one 50 ms poll)
        p.wait_for_timeout(300)
        marks = p.evaluate("() => window.__marks")
        t_enter = next(m["t"] for m in marks if m["name"] == "enter")
        after = [m for m in marks if m["t"] >= t_enter]

        first = partial(seconds_to_first, after, t_enter)
        sent = first("send")
        big = max((m for m in after if m["name"] == "recv"), key=lambda m: m["size"], default=None)
        runs.append(
            {
                "tokens": len(tokenizer(text)["input_ids"]),
                "send_s": sent,
                "chart_msg_s": None if big is None else (big["t"] - t_enter) / 1000,
                "chart_msg_bytes": None if big is None else big["size"],
                "any_data_change_s": first("data"),
                "data_s": first("data", lambda m: m["mine"]),
                "drawn_s": first("drawn", lambda m: m["mine"]),
                "painted_s": first("painted", lambda m: m["mine"]),
                # Streamlit's PlotlyChart renders a new figure twice (mount, then a theme effect): count them
                "renders": sum(1 for m in after if m["name"] == "data" and m["mine"]),
                "last_data_s": max(
                    ((m["t"] - t_enter) / 1000 for m in after if m["name"] == "data" and m["mine"]), default=None
                ),
                "bytes_in": sum(m["size"] for m in after if m["name"] == "recv"),
                "main_thread_busy_s": busy_s,
            }
        )
        print({k: (round(v, 3) if isinstance(v, float) else v) for k, v in runs[-1].items()}, flush=True)
    ctx.close()
    keys = [k for k in runs[0] if k.endswith("_s") or k in ("renders", "bytes_in")]
    return {
        "runs": runs,
        "median": {k: statistics.median([r[k] for r in runs if r[k] is not None] or [float("nan")]) for k in keys},
    }


def timeline_main(pages=("attention", "model-view"), n=512, runs=RUNS, env=None, tag=""):
    """`python bench/bench_app.py --timeline`: the Enter-to-heatmap timeline at n tokens, and the
    first round's measurement (measure_page) of the same pages in the same run, for comparison."""
    from transformers import AutoTokenizer

    from bertviz_core.models import student

    tokenizer = AutoTokenizer.from_pretrained(student.teacher_path())
    out = {"machine": common.machine(), "loadavg_before": os.getloadavg(), "pages": {}}
    out["server_env"] = env or {}
    with streamlit_server(env=env, timeout=300) as server, browser() as b:
        texts = texts_of(tokenizer, n, 2 * runs + 2)
        for page in pages:
            query, n_plots = PAGES[page]
            warm = b.new_page()  # a warm server: models loaded, page imported, before any timing
            warm.goto(f"{server.base_url}/{page}?{query}&text=warm")
            wait_for_plot(warm, timeout=600_000, count=n_plots)
            warm.close()
            old = measure_page(b, server.base_url, page, query, n_plots, texts[: runs + 1], tokenizer)
            tl = enter_to_heatmap_timeline(b, server.base_url, page, query, texts[runs + 1 :], tokenizer)
            out["pages"][page] = {
                "old_bench": {
                    k: old[k] for k in ("enter_to_heatmap_s", "enter_to_heatmap_all_s", "rerun_payload_bytes")
                },
                "timeline": tl,
            }
            print(page, "old measurement", round(old["enter_to_heatmap_s"], 3), "timeline", tl["median"], flush=True)
        out["server_peak_rss_mb"] = peak_rss_mb(server.pid)
    out["loadavg_after"] = os.getloadavg()
    common.save(f"timeline_{n}{tag}", out)
    return out


def heatmap_main(sizes=(16, 128, 512), runs=5, pages=("attention", "model-view")):
    """`python bench/bench_app.py --heatmap [16,128,512] [runs]`: issue #29's canvas heatmap against the Plotly
    figure, side by side in one run: two servers (the default canvas path, and BERTVIZ_HEATMAP=plotly), the same
    sentences typed into both, per page and size the median over `runs` of Enter-to-painted, websocket bytes per
    Enter and the browser main thread's busy time (Chromium's TaskDuration) from Enter to painted."""
    from transformers import AutoTokenizer

    from app.heatmap import token_labels as canvas_labels
    from bertviz_core.models import student

    tokenizer = AutoTokenizer.from_pretrained(student.teacher_path())
    out = {"machine": common.machine(), "loadavg_before": os.getloadavg(), "rows": []}
    modes = {"canvas": None, "plotly": {"BERTVIZ_HEATMAP": "plotly"}}
    with (
        streamlit_server(env=modes["canvas"], timeout=300) as canvas,
        streamlit_server(env=modes["plotly"], timeout=300) as plotly,
        browser() as b,
    ):
        servers = {"canvas": canvas, "plotly": plotly}
        for server in servers.values():  # warm: models loaded, pages imported, before any timing
            for page in pages:
                warm = b.new_page()
                warm.goto(f"{server.base_url}/{page}?{PAGES[page][0]}&text=warm")
                wait_for_plot(warm, timeout=600_000)
                warm.close()
        for n in sizes:
            texts = texts_of(tokenizer, n, len(pages) * (runs + 1))
            for k, page in enumerate(pages):
                mine = texts[k * (runs + 1) : (k + 1) * (runs + 1)]
                for mode, server in servers.items():
                    tl = enter_to_heatmap_timeline(
                        b,
                        server.base_url,
                        page,
                        PAGES[page][0],
                        mine,
                        tokenizer,
                        labels=canvas_labels if mode == "canvas" else None,
                    )
                    row = {"page": page, "tokens": n, "mode": mode, **tl["median"], "runs": tl["runs"]}
                    out["rows"].append(row)
                    print({k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items() if k != "runs"})
        out["server_peak_rss_mb"] = {mode: peak_rss_mb(server.pid) for mode, server in servers.items()}
    out["loadavg_after"] = os.getloadavg()
    common.save("heatmap" if tuple(sizes) == (16, 128, 512) else "heatmap_" + "_".join(map(str, sizes)), out)
    return out


def matching_main(sizes=(16, 128, 512), runs=2, env=None, tag="", repeat=1):
    """`python bench/bench_app.py --matching [16,128,512] [--repeat N] [--no-post-gc]`: /compare in Chromium per
    size (Enter-to-heatmap as measure_page, then the head-matching tab's first opening for the last sentence),
    `repeat` times on new sentences each time (a first opening every time: nothing cached); median reported."""
    from transformers import AutoTokenizer

    from bertviz_core.models import student

    tokenizer = AutoTokenizer.from_pretrained(student.teacher_path())
    out = {"machine": common.machine(), "loadavg_before": os.getloadavg(), "server_env": env or {}, "rows": []}
    query, n_plots = PAGES["compare"]
    with streamlit_server(env=env, timeout=300) as server, browser() as b:
        warm = b.new_page()
        warm.goto(f"{server.base_url}/compare?{query}&text=warm")
        wait_for_plot(warm, timeout=600_000, count=n_plots)
        warm.close()
        for n in sizes:
            texts = texts_of(tokenizer, n, (runs + 1) * repeat)
            if len(texts) < (runs + 1) * repeat:
                raise SystemExit(f"only {len(texts)} different speeches: lower --repeat")
            for rep in range(repeat):
                chunk = texts[rep * (runs + 1) : (rep + 1) * (runs + 1)]
                r = measure_page(b, server.base_url, "compare", query, n_plots, chunk, tokenizer)
                r.update(page="compare", tokens=n, repetition=rep)
                out["rows"].append(r)
                print(
                    {
                        k: (round(v, 3) if isinstance(v, float) else v)
                        for k, v in r.items()
                        if k != "enter_to_heatmap_all_s"
                    },
                    flush=True,
                )
            firsts = [r["matching_tab_s"] for r in out["rows"] if r["tokens"] == n]
            out.setdefault("matching_tab_median_s", {})[n] = statistics.median(firsts)
            print(f"{n} tokens: matching tab first opening, median of {len(firsts)}: {statistics.median(firsts):.3f} s")
        out["server_peak_rss_mb"] = peak_rss_mb(server.pid)
    out["loadavg_after"] = os.getloadavg()
    common.save(f"matching{tag}", out)
    return out


def main():
    from transformers import AutoTokenizer

    from bertviz_core.models import student

    tokenizer = AutoTokenizer.from_pretrained(student.teacher_path())
    rows = []
    with streamlit_server() as server, browser() as b:
        for n in common.SIZES:
            texts = texts_of(tokenizer, n, RUNS + 1)
            for page, (query, n_plots) in PAGES.items():
                r = measure_page(b, server.base_url, page, query, n_plots, texts, tokenizer)
                r.update(page=page, tokens=n)
                rows.append(r)
                print(
                    {
                        k: (round(v, 3) if isinstance(v, float) else v)
                        for k, v in r.items()
                        if k != "enter_to_heatmap_all_s"
                    }
                )
        peak = peak_rss_mb(server.pid)
    common.save("app", {"machine": common.machine(), "rows": rows, "server_peak_rss_mb": peak})
    print("server peak RSS MB", peak)


if __name__ == "__main__":
    threads = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--server-threads=")), None)
    if "--heatmap" in sys.argv:  # --heatmap [16,128,512] [runs]
        args = [x for x in sys.argv[sys.argv.index("--heatmap") + 1 :] if not x.startswith("--")]
        heatmap_main(
            sizes=tuple(int(x) for x in args[0].split(",")) if args else (16, 128, 512),
            runs=int(args[1]) if len(args) > 1 else 5,
        )
    elif "--matching" in sys.argv:  # --matching [16,128,512] [--no-post-gc]
        no_gc = "--no-post-gc" in sys.argv
        rest = sys.argv[sys.argv.index("--matching") + 1 :]
        repeat = int(rest[rest.index("--repeat") + 1]) if "--repeat" in rest else 1
        args = [x for i, x in enumerate(rest) if not x.startswith("--") and (i == 0 or rest[i - 1] != "--repeat")]
        matching_main(
            sizes=tuple(int(x) for x in args[0].split(",")) if args else (16, 128, 512),
            runs=2 if repeat == 1 else 1,  # texts_of has 10 different speeches: 2 per repetition
            env={"STREAMLIT_RUNNER_POST_SCRIPT_GC": "false"} if no_gc else None,
            tag="_no_post_gc" if no_gc else "",
            repeat=repeat,
        )
    elif "--timeline" in sys.argv:  # --timeline [tokens [runs [page,page]]] [--no-post-gc] [--server-threads=N]
        no_gc = "--no-post-gc" in sys.argv
        args = [x for x in sys.argv[sys.argv.index("--timeline") + 1 :] if not x.startswith("--")]
        env = {
            **({"STREAMLIT_RUNNER_POST_SCRIPT_GC": "false"} if no_gc else {}),
            **({"OMP_NUM_THREADS": threads} if threads else {}),
        }  # torch's intra-op threads in the server
        timeline_main(
            n=int(args[0]) if args else 512,
            runs=int(args[1]) if len(args) > 1 else RUNS,
            pages=tuple(args[2].split(",")) if len(args) > 2 else ("attention", "model-view"),
            env=env or None,
            tag=("_no_post_gc" if no_gc else "") + (f"_threads{threads}" if threads else ""),
        )
    else:
        main()
