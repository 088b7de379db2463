"""Server memory of /compare "Over many sentences" (issue #19 item 1): RSS growth while the
many-sentence path compares N sentences of 512 tokens, in-process, with the app's settings.

The app calls compare.compare_many with an uncached capture (each sentence's two traces are reduced
to per-sentence statistics and dropped) and JS over at most state.JS_MAX_ROWS query rows. Before
this path existed every trace was kept until the end: ~200 MB per 512-token sentence pair (10
sentences: peak 3.2 GB; 200 would need ~40 GB).

    python bench/bench_many_memory.py --sentences 200      # the target case (long on a busy 2-core CPU)
    python bench/bench_many_memory.py --sentences 40       # and extrapolate from the per-sentence curve

Writes bench/out/many_memory.json: RSS before, peak and final growth, RSS after each sentence, time.
"""

from __future__ import annotations

import argparse
import threading
import time

import common


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class PeakSampler(threading.Thread):
    """Samples RSS every `every` seconds; `peak` is the highest seen."""

    def __init__(self, every: float = 0.02):
        super().__init__(daemon=True)
        self.every, self.peak, self.running = every, rss_mb(), True

    def run(self):
        while self.running:
            self.peak = max(self.peak, rss_mb())
            time.sleep(self.every)


def long_texts(tokenizer, count: int, n_tokens: int = 512) -> list[str]:
    """`count` different passages of real prose, each at least n_tokens long (capture keeps the first
    512 tokens, [CLS]/[SEP] included)."""
    from bertviz_core.inputs import text as text_input

    words = []
    for path in sorted((common.SHARED / "corpora").rglob("*.txt")):
        words += text_input.decode_text(path.read_bytes()).split()
        if len(words) > count * 200 + 2000:
            break
    texts, start, step = [], 0, max(1, (len(words) - 600) // max(count, 1))
    for _ in range(count):
        n = 420
        while len(tokenizer(" ".join(words[start : start + n]))["input_ids"]) < n_tokens + 2:
            n += 40
        texts.append(" ".join(words[start : start + n]))
        start += step
    return texts


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import torch

    import bertviz_core as bc
    from bertviz_core.analysis import compare

    torch.set_num_threads(args.threads)
    JS_MAX_ROWS = 128  # app.state.JS_MAX_ROWS (not imported: app.state imports streamlit)
    a, b = bc.load_model("bert-minilm-l6"), bc.load_model("convbert-minilm-l6")
    texts = long_texts(a.tokenizer, args.sentences)
    # warm-up: one sentence through the whole path, so lazy imports and first allocations are not counted
    compare.compare_many(a, b, texts[:1], max_rows=JS_MAX_ROWS)
    before = rss_mb()
    per_sentence, tokens = [], []

    def capture(lm, text):  # the app's capture: no trace cache
        trace = bc.capture(lm, text)
        if lm is a:
            tokens.append(len(trace))
        return trace

    def progress(i, done):
        per_sentence.append(round(rss_mb() - before, 1))
        if (i + 1) % 10 == 0:
            print(
                f"sentence {i + 1}: RSS growth {per_sentence[-1]:.0f} MB, peak {sampler.peak - before:.0f} MB, "
                f"{time.time() - t0:.0f} s",
                flush=True,
            )

    sampler = PeakSampler()
    sampler.start()
    t0 = time.time()
    result = compare.compare_many(a, b, (t for t in texts), max_rows=JS_MAX_ROWS, capture=capture, progress=progress)
    seconds = time.time() - t0
    sampler.running = False
    sampler.join()
    out = {
        "machine": common.machine(),
        "sentences": result["n_sentences"],
        "tokens_each": sorted(set(tokens)),
        "rss_before_mb": round(before, 1),
        "peak_growth_mb": round(sampler.peak - before, 1),
        "final_growth_mb": round(rss_mb() - before, 1),
        "growth_after_each_mb": per_sentence,
        "seconds": round(seconds, 1),
        "seconds_per_sentence": round(seconds / max(1, result["n_sentences"]), 2),
        "threads": args.threads,
    }
    print({k: v for k, v in out.items() if k not in ("growth_after_each_mb", "machine")})
    common.save("many_memory", out)


if __name__ == "__main__":
    main()
