"""Time of each contribution method (bertviz_core.contributions) at 16, 128 and 512 tokens on the bundled BERT,
attention flow at its token cap, and the per-layer flow times that set the cap.

    .venv/bin/python bench/bench_contributions.py [--quick]

Writes bench/out/contributions.json and prints a Markdown section for bench/RESULTS.md.
"""
from __future__ import annotations

import statistics
import sys
import time

import common

import bertviz_core as bc
from bertviz_core import contributions as C


def timed(fn, repeats: int) -> float:
    fn()  # warm-up (first call builds caches, loads Captum)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(quick: bool = False):
    lm, inputs = common.bert_inputs()
    rows = []
    for n, text, _ in inputs:
        trace = bc.capture(lm, text)
        assert len(trace) == n, (len(trace), n)
        repeats = 1 if n == 512 or quick else 3
        row = {"tokens": n}
        row["norm_attention"] = timed(lambda: C.norm_attention(lm, trace), repeats)
        for method in ("attention", "norm", "rollout", "alti"):
            row[method] = timed(lambda: C.mixing(lm, trace, method), repeats)
        row["alti_accumulated"] = timed(lambda: C.mixing(lm, trace, "alti", accumulate=True), repeats)
        for method in C.ATTRIBUTION_METHODS:
            row[method] = timed(lambda: C.attribution(lm, text, method), 1 if method == "integrated_gradients" and n > 16 else repeats)
        row["ig_steps"] = C._steps_for(n)
        rows.append(row)
        print(row, flush=True)

    # attention flow: one row block (the deepest layer, the page's worst case) at a few lengths, then all layers at the cap
    flow = []
    for n in ((8, 12, C.FLOW_MAX_TOKENS) if quick else (8, 12, C.FLOW_MAX_TOKENS, 20)):
        text = common.text_of_tokens(lm.tokenizer, n)
        trace = bc.capture(lm, text)
        t0 = time.perf_counter()
        C.mixing(lm, trace, "flow", layers=[trace.n_layers - 1]) if n <= C.FLOW_MAX_TOKENS else \
            C.attention_flow(C.with_residual(C.attention_mean(trace)), layers=[trace.n_layers - 1])
        flow.append({"tokens": n, "deepest_layer_s": time.perf_counter() - t0})
        print(flow[-1], flush=True)
    text = common.text_of_tokens(lm.tokenizer, C.FLOW_MAX_TOKENS)
    trace = bc.capture(lm, text)
    t0 = time.perf_counter()
    C.mixing(lm, trace, "flow")
    flow_all = {"tokens": C.FLOW_MAX_TOKENS, "all_layers_s": time.perf_counter() - t0}
    print(flow_all, flush=True)
    common.save("contributions", {"machine": common.machine(), "rows": rows, "flow": flow, "flow_all": flow_all})
    print(markdown(rows, flow, flow_all))


def markdown(rows, flow, flow_all) -> str:
    names = [("norm_attention", "norm_attention (per head)"), ("attention", "mixing attention"),
             ("norm", "mixing norm"), ("rollout", "mixing rollout"), ("alti", "mixing alti"),
             ("alti_accumulated", "mixing alti, accumulated"), ("integrated_gradients", "attribution IG"),
             ("gradient_x_input", "attribution gradient x input")]
    fmt = lambda s: f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"  # noqa: E731
    lines = ["| method | " + " | ".join(f"{r['tokens']} tokens" for r in rows) + " |",
             "| --- |" + " --- |" * len(rows)]
    for key, label in names:
        lines.append(f"| {label} | " + " | ".join(fmt(r[key]) for r in rows) + " |")
    lines.append("")
    lines.append("Attention flow (networkx max-flow, every token pair), one row block for the deepest layer: "
                 + ", ".join(f"{f['tokens']} tokens {fmt(f['deepest_layer_s'])}" for f in flow)
                 + f"; all 6 layers at the cap ({flow_all['tokens']} tokens): {fmt(flow_all['all_layers_s'])}.")
    return "\n".join(lines)


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
