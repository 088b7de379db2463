"""capture() against a plain eager forward pass of the same model on the same input."""
from __future__ import annotations

import statistics
import time

import common  # noqa: F401  (sets sys.path)
import torch

import bertviz_core as bc


REPEATS = {16: 40, 128: 20, 512: 10}


def median_time(fn, repeats):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    lm, inputs = common.bert_inputs()
    rows = []
    for n, text, enc in inputs:

        def plain():
            with torch.inference_mode():
                lm.model(**enc)

        plain_s = median_time(plain, REPEATS[n])
        capture_s = median_time(lambda: bc.capture(lm, text), REPEATS[n])
        rows.append({"tokens": n, "plain_forward_s": plain_s, "capture_s": capture_s, "ratio": capture_s / plain_s})
        print(rows[-1])
    common.save("capture", {"machine": common.machine(), "rows": rows})


if __name__ == "__main__":
    main()
