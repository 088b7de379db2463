"""Where capture() spends the time a plain eager forward pass does not, at one length (default 512 tokens).

    python bench/profile_capture.py [TOKENS] [REPEATS]

Profiles REPEATS plain forward passes and REPEATS capture() calls of the bundled BERT on the same input with
torch.profiler (operators, CPU time), interleaved, and prints per operator the self CPU time per call in each and
the difference, largest first; then the wall time per call of each, and the part of capture() outside the model's
forward (tokenizing, the Trace). Writes bench/out/profile_capture_<TOKENS>.txt.
"""

from __future__ import annotations

import sys

import common
import torch
from bench_capture import interleaved_medians
from torch.profiler import ProfilerActivity, profile

import bertviz_core as bc


def main(tokens: int = 512, repeats: int = 10):
    lm, inputs = common.bert_inputs()
    n, text, enc = next(row for row in inputs if row[0] == tokens)

    def plain():
        with torch.inference_mode():
            lm.model(**enc)

    def cap():
        bc.capture(lm, text)

    for fn in (plain, cap, plain, cap):  # warm-up (and the attention pool's first buffer)
        fn()
    tables = {}
    for name, fn in (("plain", plain), ("capture", cap)):
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(repeats):
                fn()
        tables[name] = {e.key: e.self_cpu_time_total / repeats / 1000 for e in prof.key_averages()}
    clean = interleaved_medians({"plain": plain, "capture": cap}, 2 * repeats)  # wall times without the profiler
    keys = sorted(
        set(tables["plain"]) | set(tables["capture"]),
        key=lambda k: -abs(tables["capture"].get(k, 0) - tables["plain"].get(k, 0)),
    )
    lines = [
        (
            f"capture() vs plain eager forward, {n} tokens, {repeats} calls each under torch.profiler "
            f"(self CPU ms per call), torch threads {torch.get_num_threads()}"
        ),
        f"{'operator':48s} {'plain':>9s} {'capture':>9s} {'extra':>9s}",
    ]
    for k in keys[:25]:
        a, b = tables["plain"].get(k, 0.0), tables["capture"].get(k, 0.0)
        lines.append(f"{k[:48]:48s} {a:9.2f} {b:9.2f} {b - a:9.2f}")
    lines.append(
        f"total self CPU ms per call: plain {sum(tables['plain'].values()):.1f}, "
        f"capture {sum(tables['capture'].values()):.1f}"
    )
    p, c = clean["plain"], clean["capture"]
    lines.append(
        f"wall per call without the profiler (median of {2 * repeats}, interleaved): plain {p * 1000:.1f} ms, "
        f"capture {c * 1000:.1f} ms, ratio {c / p:.2f}x"
    )
    pool = sys.modules["bertviz_core.tracing.capture"].attention_pool
    lines.append(f"attention pool: reused {pool.reused}, allocated {pool.allocated}")
    out = "\n".join(lines)
    print(out)
    (common.OUT / f"profile_capture_{n}.txt").write_text(out + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
