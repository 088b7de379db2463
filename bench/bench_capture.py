"""capture() against a plain eager forward pass of the same model on the same input."""

from __future__ import annotations

import os
import statistics
import sys
import time
from functools import partial

import common
import torch

import bertviz_core as bc

REPEATS = {16: 60, 128: 40, 512: 20}


def interleaved_medians(fns: dict, repeats: int) -> dict:
    """Median time of each function, run in alternating order so drift on a shared machine
    (other processes, CPU frequency) hits all of them alike."""
    for fn in fns.values():
        fn()  # warm-up
    times = {name: [] for name in fns}
    order = list(fns.items())
    for r in range(repeats):
        for name, fn in order if r % 2 else order[::-1]:
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) for name, ts in times.items()}


def plain_forward(model, enc) -> None:
    """One eager forward pass of `model` on the encoded input, without autograd."""
    with torch.inference_mode():
        model(**enc)


def main():
    lm, inputs = common.bert_inputs()
    if os.environ.get("BENCH_THREADS"):  # e.g. 1 on a machine other jobs load (2 threads then spin-wait)
        torch.set_num_threads(int(os.environ["BENCH_THREADS"]))
    rows = []
    for n, text, enc in inputs:
        medians = interleaved_medians(
            {"plain": partial(plain_forward, lm.model, enc), "capture": partial(bc.capture, lm, text)}, REPEATS[n]
        )
        plain_s, capture_s = medians["plain"], medians["capture"]
        pool = sys.modules["bertviz_core.tracing.capture"].attention_pool  # recycles the buffers of dropped Traces
        rows.append(
            {
                "tokens": n,
                "plain_forward_s": plain_s,
                "capture_s": capture_s,
                "ratio": capture_s / plain_s,
                "pool_reused": pool.reused,
                "pool_allocated": pool.allocated,
            }
        )
        print(rows[-1])
    common.save(
        "capture",
        {
            "machine": common.machine(),
            "rows": rows,
            "loadavg_after": os.getloadavg(),
            "threads": torch.get_num_threads(),
        },
    )


if __name__ == "__main__":
    main()
