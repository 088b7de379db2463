"""What the app sends to the browser and how fast it answers, measured in Chromium.

For each page and input size: bytes received over Streamlit's websocket for the page's
data (static JS/CSS, cached by the browser after the first visit, reported separately),
Enter-to-heatmap time (type a new sentence, press Enter, until the heatmap shows the new
tokens; warm server; median of several runs), and the server's peak memory.
"""
from __future__ import annotations

import statistics
import time
import urllib.parse

import common
from browser_util import browser, streamlit_server, wait_for_plot

from bertviz_core.corpus import decode_text

RUNS = 4
PAGES = {  # page -> (query for the model(s), number of plotly charts to wait for)
    "attention": ("model=bert-minilm-l6", 1),
    "model-view": ("model=bert-minilm-l6", 1),
    "compare": ("model_a=bert-minilm-l6&model_b=convbert-minilm-l6", 2),
    "convolution": ("model=convbert-minilm-l6", 2),
}


def texts_of(tokenizer, n, count):
    """`count` different real texts of exactly n tokens (different speeches)."""
    files = sorted((common.SHARED / "corpora" / "state_union").glob("*.txt"))[::7][:count]
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
    ctx = b.new_context(viewport={"width": 1400, "height": 1000})
    p = ctx.new_page()
    ws_bytes = {"n": 0}
    http_bytes = {"n": 0}

    def on_ws(ws):
        ws.on("framereceived", lambda payload: ws_bytes.__setitem__("n", ws_bytes["n"] + len(payload)))

    def on_response(resp):
        try:
            http_bytes["n"] += len(resp.body())
        except Exception:
            pass

    p.on("websocket", on_ws)
    p.on("response", on_response)
    url = f"{base}/{page}?{query}&text={urllib.parse.quote(texts[0])}"
    t0 = time.perf_counter()
    p.goto(url)
    wait_for_plot(p, timeout=120_000, count=n_plots)
    first_load_s = time.perf_counter() - t0
    p.wait_for_timeout(500)
    page_bytes = ws_bytes["n"]
    static_bytes = http_bytes["n"]

    times, rerun_bytes = [], []
    box = p.get_by_label("Sentence", exact=True)
    for text in texts[1: 1 + RUNS]:
        before = ws_bytes["n"]
        p.evaluate("() => { window.__old = [...document.querySelectorAll('.js-plotly-plot')].map(el => el._fullData); }")
        box.fill(text)
        t0 = time.perf_counter()
        box.press("Enter")
        p.wait_for_function(
            "(n) => { const els = [...document.querySelectorAll('.js-plotly-plot')].slice(0, n);"
            " return els.length === n && els.every((el, i) => el._fullData && el._fullData.length &&"
            " el._fullData !== window.__old[i]); }", arg=n_plots, timeout=120_000, polling=10)
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
            timeout=300_000, polling=20)
        extra["matching_tab_s"] = time.perf_counter() - t0
    ctx.close()
    return {"first_load_s": first_load_s, "page_payload_bytes": page_bytes, "static_http_bytes": static_bytes,
            "enter_to_heatmap_s": statistics.median(times), "enter_to_heatmap_all_s": times,
            "rerun_payload_bytes": statistics.median(rerun_bytes), **extra}


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    return None


def main():
    from transformers import AutoTokenizer

    from bertviz_core import student

    tokenizer = AutoTokenizer.from_pretrained(student.teacher_path())
    rows = []
    with streamlit_server() as server, browser() as b:
        for n in common.SIZES:
            texts = texts_of(tokenizer, n, RUNS + 1)
            for page, (query, n_plots) in PAGES.items():
                r = measure_page(b, server.base_url, page, query, n_plots, texts, tokenizer)
                r.update(page=page, tokens=n)
                rows.append(r)
                print({k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items() if k != "enter_to_heatmap_all_s"})
        peak = peak_rss_mb(server.pid)
    common.save("app", {"machine": common.machine(), "rows": rows, "server_peak_rss_mb": peak})
    print("server peak RSS MB", peak)


if __name__ == "__main__":
    main()
