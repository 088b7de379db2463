"""Where a page's time goes on the server: py-spy samples the Streamlit process while a
websocket client (deploy/ws_classroom.py's protocol client) repeats one user action.

Scenarios (bundled models, n tokens, default 512):
    attention      type a new n-token sentence on /attention (Enter -> heatmap message)
    model-view     the same on /model-view
    matching       /compare: type a new sentence, then open the "Matching heads" tab (first opening)
    compare        /compare: type a new sentence (Enter -> A, B and A - B)

    python bench/profile_server.py attention --runs 4
    python bench/profile_server.py matching --runs 2 --tokens 512
    python bench/profile_server.py split --runs 4     # no sampling: new sentence vs the same from the cache

Prints, per run, the time from the BackMsg to the chart message and to the end of the run,
then the profile: the share of samples (wall-clock, non-idle threads) under each of our
functions and the libraries they call, and the top functions by inclusive and by own time.
Raw collapsed stacks go to bench/out/profile_<scenario>_<n>.txt (load them in speedscope).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import common
import ws_classroom
from bench_app import texts_of
from local_app import streamlit_server
from streamlit.proto.BackMsg_pb2 import BackMsg

PAGES = {
    "attention": ("attention", {"model": "bert-minilm-l6"}),
    "model-view": ("model-view", {"model": "bert-minilm-l6"}),
    "matching": ("compare", {"model_a": "bert-minilm-l6", "model_b": "convbert-minilm-l6"}),
    "compare": ("compare", {"model_a": "bert-minilm-l6", "model_b": "convbert-minilm-l6"}),
}
FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def py_spy() -> str:
    exe = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not os.path.exists(exe):
        raise SystemExit("py-spy is needed: .venv/bin/pip install py-spy==0.4.3")
    return exe


class Sampler:
    """py-spy record on a pid, started and stopped around the timed actions."""

    def __init__(self, pid: int, out: Path, rate: int = 200):
        self.out = out
        self.proc = subprocess.Popen(
            [
                py_spy(),
                "record",
                "-p",
                str(pid),
                "-r",
                str(rate),
                "--format",
                "raw",
                "-o",
                str(out),
                "--nonblocking",
                "-t",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(1.0)

    def stop(self) -> list[tuple[list[str], int]]:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        stacks = []
        for line in self.out.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if stack and count.isdigit():
                stacks.append((stack.split(";"), int(count)))
        return stacks


def where(frame: str) -> tuple[str, str]:
    m = FRAME.match(frame)
    if not m:
        return frame, ""
    f = m["file"]
    short = re.sub(r".*/site-packages/", "", f)
    short = re.sub(r".*/work/main/", "", short)
    return m["func"], short


# our functions worth naming, then the libraries they lean on
BUCKETS = [
    (
        "capture() (bertviz_core/tracing/capture.py)",
        lambda fn, f: f.endswith("bertviz_core/tracing/capture.py") and fn == "capture",
    ),
    (
        "compare_traces (bertviz_core/analysis/compare.py)",
        lambda fn, f: f.endswith("bertviz_core/analysis/compare.py") and fn == "compare_traces",
    ),
    ("figures (bertviz_core/figures*.py)", lambda fn, f: "bertviz_core/figures" in f),
    ("app/compare/", lambda fn, f: "/app/compare/" in f),
    ("st.plotly_chart (streamlit/elements/plotly_chart.py)", lambda fn, f: f.endswith("elements/plotly_chart.py")),
]
LIBS = [
    ("bertviz_core", "bertviz_core/"),
    ("app", "app/"),
    ("torch", "torch/"),
    ("transformers", "transformers/"),
    ("plotly", "plotly/"),
    ("numpy", "numpy/"),
    ("scipy", "scipy/"),
    ("json", "json/"),
    ("streamlit", "streamlit/"),
    ("tokenizers", "tokenizers/"),
]


def summarise(stacks, top: int = 18) -> str:
    total = sum(c for _, c in stacks) or 1
    bucket, incl, own, lib_own = (collections.Counter() for _ in range(4))
    for frames, c in stacks:
        parsed = [where(fr) for fr in frames[1:]]  # frames[0]: the thread
        seen_b, seen_f = set(), set()
        for fn, f in parsed:
            for name, test in BUCKETS:
                if name not in seen_b and test(fn, f):
                    bucket[name] += c
                    seen_b.add(name)
            key = f"{fn} ({f})"
            if key not in seen_f:
                incl[key] += c
                seen_f.add(key)
        if parsed:
            fn, f = parsed[-1]
            own[f"{fn} ({f})"] += c
            lib = next((name for name, prefix in LIBS if f.startswith(prefix)), "other")
            lib_own[lib] += c
    pct = lambda c: f"{100 * c / total:5.1f}%"
    lines = [f"{total} samples (non-idle threads)", "", "Under our functions (inclusive):"]
    lines += [f"  {pct(c)}  {name}" for name, c in bucket.most_common()]
    lines += ["", "Own time by library (leaf frame):"] + [f"  {pct(c)}  {name}" for name, c in lib_own.most_common()]
    lines += ["", "Top inclusive:"] + [f"  {pct(c)}  {k}" for k, c in incl.most_common(top)]
    lines += ["", "Top own:"] + [f"  {pct(c)}  {k}" for k, c in own.most_common(top)]
    return "\n".join(lines)


async def scenario(base, name, texts, tokenizer, sampler_factory):
    """Open the page, then per text: the timed action, sampled by py-spy (only that action)."""
    page, query = PAGES[name]
    c = ws_classroom.StreamlitClient(base)
    await asyncio.to_thread(c.get_page, f"/{page}")
    await c.connect(timeout=120)
    timings, stacks = [], []

    def tab(label):
        msg = BackMsg()
        msg.rerun_script.query_string = c.query
        msg.rerun_script.page_script_hash = c.page_hash
        w = msg.rerun_script.widget_states.widgets.add()
        w.id, w.string_value = c.tab_widget_id, label
        return msg

    try:
        want = ws_classroom.expected_labels(tokenizer, texts[0])
        r = await c.open_page(page, {**query, "text": texts[0]}, want, 600)
        print("opened", page, "first run", round(r.finished_s or -1, 2), "s", flush=True)
        for i, text in enumerate(texts[1:]):
            want = ws_classroom.expected_labels(tokenizer, text)
            if name == "matching":  # a new sentence on the first tab, then the matching tab's first opening
                await c.type_sentence(text, want, 600)
                sampler = sampler_factory(i)
                r = await c._run(tab("Matching heads"), want, 600)
                stacks += sampler.stop()
                await c._run(tab("Head by head"), want, 600)  # back, for the next sentence
                timings.append(
                    {
                        "tab_finished_s": r.finished_s,
                        "bytes": r.bytes_in,
                        "problems": [x for x in r.problems if "heatmap" not in x][:2],
                    }
                )
            else:
                sampler = sampler_factory(i)
                r = await c.type_sentence(text, want, 600)
                stacks += sampler.stop()
                timings.append(
                    {"chart_s": r.chart_s, "finished_s": r.finished_s, "problems": r.problems[:2], "bytes": r.bytes_in}
                )
            print(timings[-1], flush=True)
        return timings, stacks
    finally:
        await c.close()


async def split_scenario(base, texts, tokenizer) -> list[dict]:
    """/attention over the protocol, no sampling: each new sentence, then the same sentence again
    (its trace now comes from the trace cache). new - cached = what capture() costs in the server."""
    page, query = PAGES["attention"]
    c = ws_classroom.StreamlitClient(base)
    await asyncio.to_thread(c.get_page, f"/{page}")
    await c.connect(timeout=120)
    out = []
    try:
        await c.open_page(page, {**query, "text": texts[0]}, ws_classroom.expected_labels(tokenizer, texts[0]), 600)
        for prev, text in itertools.pairwise(texts):
            want = ws_classroom.expected_labels(tokenizer, text)
            new = await c.type_sentence(text, want, 600)
            await c.type_sentence(prev, ws_classroom.expected_labels(tokenizer, prev), 600)  # away, then back
            cached = await c.type_sentence(text, want, 600)
            out.append(
                {
                    "new_chart_s": new.chart_s,
                    "cached_chart_s": cached.chart_s,
                    "new_finished_s": new.finished_s,
                    "cached_finished_s": cached.finished_s,
                }
            )
            print(out[-1], flush=True)
    finally:
        await c.close()
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenario", choices=sorted(PAGES) + ["split"])
    ap.add_argument("--tokens", type=int, default=512)
    ap.add_argument("--runs", type=int, default=4)
    ap.add_argument("--url", help="profile an already running server (needs --pid)")
    ap.add_argument("--pid", type=int)
    a = ap.parse_args(argv)
    tokenizer = ws_classroom.load_tokenizer()
    texts = texts_of(tokenizer, a.tokens, a.runs + 1)
    if a.scenario == "split":  # no py-spy: chart time of a new sentence vs the same one from the trace cache
        import statistics

        with streamlit_server(timeout=300) as server:
            rows = asyncio.run(split_scenario(server.base_url, texts, tokenizer))
        med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        print("median", {k: round(v, 3) for k, v in med.items()})
        common.save(
            f"split_attention_{a.tokens}",
            {
                "machine": common.machine(),
                "loadavg": os.getloadavg(),
                "server_env": {k: v for k, v in os.environ.items() if k.startswith(("STREAMLIT_", "OMP_"))},
                "rows": rows,
                "median": med,
            },
        )
        return
    out = common.OUT / f"profile_{a.scenario}_{a.tokens}.txt"
    common.OUT.mkdir(parents=True, exist_ok=True)
    load0 = os.getloadavg()

    def run(base, pid):
        factory = lambda i: Sampler(pid, out.with_name(f"{out.stem}_{i}.txt"))
        timings, stacks = asyncio.run(scenario(base, a.scenario, texts, tokenizer, factory))
        out.write_text("\n".join(f"{';'.join(frames)} {c}" for frames, c in stacks))
        return timings, stacks

    if a.url:
        _timings, stacks = run(a.url, a.pid)
    else:
        with streamlit_server(timeout=300) as server:
            _timings, stacks = run(server.base_url, server.pid)
    print(f"\n{a.scenario} at {a.tokens} tokens, load average before {load0}, after {os.getloadavg()}")
    print(summarise(stacks))
    print(f"\ncollapsed stacks: {out}")


if __name__ == "__main__":
    main()
