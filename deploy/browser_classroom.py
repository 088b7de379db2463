"""Many students, one server, real browsers: N concurrent Chromium sessions against one `streamlit run`.

Each session opens /attention, then types its own sentences one after another and checks
that the heatmap shows exactly its own tokens (no cross-talk). Records Enter-to-heatmap
latency (p50/p95), errors, cross-talk and the server's peak memory. The browserless classroom,
for many more students, is ws_classroom.py beside this file.

    python bench/load_test.py --sessions 30 --rounds 3     # the command line, saving to bench/out/load.json
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "deploy"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from local_app import CHROMIUM, CHROMIUM_ARGS, streamlit_server
from ws_classroom import proc_stats

from app.heatmap import token_labels  # /attention's canvas heatmap: plain-text labels (app/heatmap)

Y_LABELS = (
    "(() => { const el = document.querySelector(\"[data-testid='bv-heatmap-root']\");"
    " return el ? JSON.parse(el.dataset.yLabels) : null; })()"
)

WORDS = [
    "river",
    "mountain",
    "teacher",
    "violin",
    "harbour",
    "garden",
    "engine",
    "candle",
    "forest",
    "winter",
    "lantern",
    "meadow",
    "pilot",
    "orchard",
    "canyon",
    "glacier",
    "compass",
    "harvest",
    "library",
    "marble",
]


def sentence(session: int, round_: int) -> str:
    """A sentence unique to (session, round), e.g. 'student 7 sees the harbour near the violin'."""
    a = WORDS[(session * 3 + round_) % len(WORDS)]
    b = WORDS[(session * 7 + round_ * 5 + 1) % len(WORDS)]
    return f"student {session} round {round_} sees the {a} near the {b}"


async def run_session(browser, base, tokenizer, session, rounds, results, timeout_ms, arrival_s):
    from playwright.async_api import Error as PlaywrightError

    await asyncio.sleep(session * arrival_s)  # students open the link one after another, not in the same ms
    ctx = await browser.new_context(viewport={"width": 1200, "height": 900})
    page = await ctx.new_page()
    try:
        text = sentence(session, 0)
        await page.goto(f"{base}/attention?model=bert-minilm-l6&text={quote(text)}", timeout=timeout_ms)
        for r in range(rounds):
            text = sentence(session, r)
            expected = token_labels(tokenizer.convert_ids_to_tokens(tokenizer(text)["input_ids"]))
            t0 = time.perf_counter()
            if r > 0:
                box = page.get_by_label("Sentence", exact=True)
                await box.fill(text)
                t0 = time.perf_counter()
                await box.press("Enter")
            try:
                await page.wait_for_function(
                    "(want) => { const el = document.querySelector(\"[data-testid='bv-heatmap-root']\");"
                    " return el && el.dataset.yLabels === JSON.stringify(want); }",
                    arg=expected,
                    timeout=timeout_ms,
                )
                latency = time.perf_counter() - t0
                shown = await page.evaluate(Y_LABELS)
                results["latency"].append(latency) if r > 0 else results["first"].append(latency)
                if shown != expected:
                    results["crosstalk"] += 1
            except PlaywrightError as exc:  # a timeout (or a closed page): the session never saw its own tokens
                shown = await page.evaluate(Y_LABELS)
                if shown and any(f"student {s} " in " ".join(shown) for s in range(1000) if s != session):
                    results["crosstalk"] += 1
                results["errors"].append(f"session {session} round {r}: {type(exc).__name__}")
            if "Traceback" in await page.inner_text("body"):
                results["errors"].append(f"session {session}: traceback on page")
    finally:
        await ctx.close()


async def main_async(sessions, rounds, timeout_s=300, arrival_s=1.0, base_url=None):
    """Run the sessions against a server of its own, or against `base_url` (then no server memory is reported)."""
    from playwright.async_api import async_playwright
    from transformers import AutoTokenizer

    from bertviz_core.models import student

    tokenizer = AutoTokenizer.from_pretrained(student.teacher_path())
    results = {"latency": [], "first": [], "errors": [], "crosstalk": 0}
    peak = None
    with contextlib.nullcontext() if base_url else streamlit_server() as server:
        url = base_url or server.base_url
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            t0 = time.perf_counter()
            await asyncio.gather(
                *(
                    run_session(browser, url, tokenizer, s, rounds, results, timeout_s * 1000, arrival_s)
                    for s in range(sessions)
                )
            )
            wall = time.perf_counter() - t0
            await browser.close()
        if server is not None:
            peak = proc_stats(server.pid).get("peak_rss_mb")
    lat = sorted(results["latency"])
    summary = {
        "sessions": sessions,
        "rounds": rounds,
        "arrival_s": arrival_s,
        "timeout_s": timeout_s,
        "typed_requests": len(lat) + len(results["errors"]),
        "p50_s": statistics.median(lat) if lat else None,
        "p95_s": lat[int(0.95 * (len(lat) - 1))] if lat else None,
        "max_s": lat[-1] if lat else None,
        "first_load_p50_s": statistics.median(results["first"]) if results["first"] else None,
        "errors": len(results["errors"]),
        "error_detail": results["errors"][:20],
        "crosstalk": results["crosstalk"],
        "wall_s": wall,
        "server_peak_rss_mb": peak,
    }
    return summary
