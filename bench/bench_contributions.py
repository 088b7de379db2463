"""Time of each contribution method (bertviz_core.analysis.contributions) at 16, 128 and 512 tokens on the bundled BERT,
attention flow at its token cap, and the per-layer flow times that set the cap.

Times are CPU seconds of this process with one torch thread (time.process_time): on a machine shared with
other jobs, wall time measures the neighbours as much as the method; wall time is recorded beside it.

    .venv/bin/python bench/bench_contributions.py [--quick]

Writes bench/out/contributions.json and prints a Markdown section for bench/RESULTS.md.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from functools import partial

import common

import bertviz_core as bc
from bertviz_core.analysis import contributions as C

WALL: dict = {}


def timed(fn, repeats: int, name: str = "") -> float:
    """Median CPU seconds of fn() (one thread); the median wall time goes to WALL[name]."""
    fn()  # warm-up (first call builds caches, loads Captum)
    cpu, wall = [], []
    for _ in range(repeats):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    WALL[name] = statistics.median(wall)
    return statistics.median(cpu)


def main(quick: bool = False):
    import torch

    lm, inputs = common.bert_inputs()
    torch.set_num_threads(1)
    rows = []
    for n, text, _ in inputs:
        trace = bc.capture(lm, text)
        assert len(trace) == n, (len(trace), n)
        repeats = 1 if n == 512 or quick else 3
        row = {"tokens": n}
        WALL.clear()
        row["norm_attention"] = timed(partial(C.norm_attention, lm, trace), repeats, "norm_attention")
        for method in ("attention", "norm", "rollout", "alti"):
            row[method] = timed(partial(C.mixing, lm, trace, method), repeats, method)
        row["alti_accumulated"] = timed(
            partial(C.mixing, lm, trace, "alti", accumulate=True), repeats, "alti_accumulated"
        )
        for method in C.ATTRIBUTION_METHODS:
            row[method] = timed(
                partial(C.attribution, lm, text, method),
                1 if method == "integrated_gradients" and n > 16 else repeats,
                method,
            )
        row["ig_steps"] = C.ig_steps(n)
        row["wall"] = dict(WALL)
        rows.append(row)
        print(row, flush=True)

    # attention flow: one row block (the deepest layer, the page's worst case) at a few lengths, then all layers at the cap
    flow = []
    for n in (8, 12, C.FLOW_MAX_TOKENS) if quick else (8, 12, C.FLOW_MAX_TOKENS, 20):
        text = common.text_of_tokens(lm.tokenizer, n)
        trace = bc.capture(lm, text)
        c0, w0 = time.process_time(), time.perf_counter()
        C.attention_flow(C.with_residual(C.attention_mean(trace)), layers=[trace.n_layers - 1])
        flow.append({"tokens": n, "deepest_layer_s": time.process_time() - c0, "wall_s": time.perf_counter() - w0})
        print(flow[-1], flush=True)
    text = common.text_of_tokens(lm.tokenizer, C.FLOW_MAX_TOKENS)
    trace = bc.capture(lm, text)
    c0, w0 = time.process_time(), time.perf_counter()
    C.mixing(lm, trace, "flow")
    flow_all = {
        "tokens": C.FLOW_MAX_TOKENS,
        "all_layers_s": time.process_time() - c0,
        "wall_s": time.perf_counter() - w0,
    }
    print(flow_all, flush=True)
    common.save(
        "contributions",
        {
            "machine": common.machine(),
            "load_average": os.getloadavg(),
            "rows": rows,
            "flow": flow,
            "flow_all": flow_all,
        },
    )
    print(markdown(rows, flow, flow_all))


def markdown(rows, flow, flow_all) -> str:
    names = [
        ("norm_attention", "norm_attention (per head)"),
        ("attention", "mixing attention"),
        ("norm", "mixing norm"),
        ("rollout", "mixing rollout"),
        ("alti", "mixing alti"),
        ("alti_accumulated", "mixing alti, accumulated"),
        ("integrated_gradients", "attribution IG"),
        ("gradient_x_input", "attribution gradient x input"),
    ]
    fmt = lambda s: f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"
    lines = [
        (
            "CPU time of one call, one torch thread (median of 3 at 16 and 128 tokens, one run at 512; "
            "Integrated Gradients once, 50 steps up to 128 tokens, 32 above)."
        ),
        "",
        "| method | " + " | ".join(f"{r['tokens']} tokens" for r in rows) + " |",
        "| --- |" + " --- |" * len(rows),
    ]
    for key, label in names:
        lines.append(f"| {label} | " + " | ".join(fmt(r[key]) for r in rows) + " |")
    lines.append("")
    lines.append(
        "Attention flow (networkx max-flow for every token pair), CPU time of one row block, the deepest layer "
        "(what the page computes for layer 5): "
        + ", ".join(f"{f['tokens']} tokens {fmt(f['deepest_layer_s'])}" for f in flow)
        + f"; all 6 layers at the cap ({flow_all['tokens']} tokens): {fmt(flow_all['all_layers_s'])}."
    )
    return "\n".join(lines)


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
