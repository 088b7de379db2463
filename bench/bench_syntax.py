"""Syntax heads (issue #14): the full UD EWT test tables, throughput of the engines, and the report.

    .venv/bin/python bench/bench_syntax.py --tables          # full EWT test table per bundled model (timed),
                                                             # written to bertviz_core/data/ (shipped)
    .venv/bin/python bench/bench_syntax.py --tables --only deberta-minilm-l6   # one model's table
    .venv/bin/python bench/bench_syntax.py --throughput 240  # sentences/s: single, batched, Ray x1, Ray x2
    .venv/bin/python bench/bench_syntax.py --report          # markdown section from bench/out/syntax.json

Short runs on a shared 2-core machine: numbers are indicative (other jobs were running).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from functools import partial

from common import OUT, ROOT, SHARED  # noqa: F401  (common puts the project on sys.path)

EWT_TEST = SHARED / "ud-english-ewt" / "en_ewt-ud-test.conllu"
MODELS = ("bert-minilm-l6", "convbert-minilm-l6", "deberta-minilm-l6", "bert-minilm-l6-mlm")
SAMPLE_SENTENCES = 40  # the shipped sample table, recomputed by tests/test_syntax.py
RESULTS = OUT / "syntax.json"


def _load() -> dict:
    return json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}


def _save(data: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(data, indent=2))


def tables(threads: int, only: str | None = None) -> None:
    import torch

    import bertviz_core as bc
    from bertviz_core.analysis import syntax

    torch.set_num_threads(threads)
    digest = syntax.file_digest(EWT_TEST)
    sentences = syntax.read_conllu(EWT_TEST)
    data = _load()
    for model_id in [m for m in MODELS if only in (None, m)]:
        lm = bc.load_model(model_id)
        t0 = time.perf_counter()
        frame = syntax.count(lm, sentences).to_frame()
        seconds = time.perf_counter() - t0
        meta = {"model": model_id, "treebank": EWT_TEST.name, "treebank_sha256": digest}
        path = syntax.shipped_table_path(model_id)
        syntax.write_table(frame, path, **meta)
        sample = syntax.head_accuracy(lm, EWT_TEST, max_sentences=SAMPLE_SENTENCES)
        syntax.write_table(sample, path.with_suffix(".sample.parquet"), **meta)
        best = syntax.best_heads(frame, syntax.MAIN_RELATIONS)
        data.setdefault("tables", {})[model_id] = {
            "seconds": round(seconds, 1),
            "sentences": len(sentences),
            "threads": threads,
            "bytes": path.stat().st_size,
            "skipped_arcs": frame.attrs["skipped_arcs"],
            "best": [
                {
                    "relation": r.relation,
                    "layer": int(r.layer),
                    "head": syntax.head_name(frame, r.head),
                    "accuracy": round(float(r.accuracy), 4),
                    "n": int(r.n),
                    "offset": int(r.best_offset),
                    "baseline": round(float(r.offset_accuracy), 4),
                }
                for r in best.itertuples()
            ],
            "best_attention_only": [
                {
                    "relation": r.relation,
                    "layer": int(r.layer),
                    "head": syntax.head_name(frame, r.head),
                    "accuracy": round(float(r.accuracy), 4),
                }
                for r in syntax.best_heads(
                    frame[frame["head"] < frame.attrs["attention_heads"]], syntax.MAIN_RELATIONS
                ).itertuples()
            ],
        }
        print(
            f"{model_id}: {len(sentences)} sentences in {seconds:.1f} s -> {path} ({path.stat().st_size} bytes)",
            flush=True,
        )
        _save(data)


def throughput(n: int, model_id: str) -> None:
    import torch

    import bertviz_core as bc
    from bertviz_core.analysis import syntax
    from bertviz_core.corpus import run as corpus_cli

    items = syntax.read_conllu(EWT_TEST, n)
    stats = ("head-metrics", "syntax")
    cores = os.cpu_count() or 1
    runs = {}
    torch.set_num_threads(cores)
    lm = bc.load_model(model_id)
    corpus_cli.run_local(lm, items[:8], stats)  # warm-up
    for name, batch_size in (("single", 1), ("batched", 32)):
        t0 = time.perf_counter()
        out = corpus_cli.run_local(lm, items, stats, batch_size=batch_size)
        runs[name] = time.perf_counter() - t0
        print(f"{name}: {n / runs[name]:.1f} sentences/s", flush=True)
    reference = out["syntax"].to_frame()
    for workers in (1, 2):
        timing = {}
        t0 = time.perf_counter()
        try:
            got = corpus_cli.run_ray(
                model_id, items, stats, workers=workers, threads=max(1, cores // workers), timings=timing
            )
        except Exception as exc:  # noqa: BLE001 - Ray's start-up fails with bare Exceptions: the report says so
            # e.g. Ray's fixed 30 s raylet start-up wait missed on a busy machine (ray._private.node raises Exception)
            runs[f"ray{workers}_error"] = f"{type(exc).__name__}: {str(exc)[:160]}"
            print(f"ray x{workers}: {runs[f'ray{workers}_error']}", flush=True)
            continue
        runs[f"ray{workers}"] = time.perf_counter() - t0
        runs[f"ray{workers}_startup"] = timing.get("startup", 0.0)
        same = got["syntax"].to_frame()["accuracy"].sub(reference["accuracy"]).abs().max()
        print(
            f"ray x{workers}: {n / runs[f'ray{workers}']:.1f} sentences/s (start-up {timing.get('startup', 0):.1f} s; "
            f"max accuracy difference to the plain loop {same:.2g})",
            flush=True,
        )
    data = _load()
    data.setdefault("throughput", {})[model_id] = {
        "sentences": n,
        "cores": cores,
        "load": os.getloadavg(),
        "seconds": {k: round(v, 2) for k, v in runs.items() if not isinstance(v, str)},
        "errors": {k: v for k, v in runs.items() if isinstance(v, str)},
    }
    _save(data)


def sentences_per_second(throughput: dict, engine: str) -> float:
    """Sentences per second of one engine ("single", "batched", "ray1", ...) in a throughput record."""
    return throughput["sentences"] / throughput["seconds"][engine]


def report() -> str:
    data = _load()
    lines = [
        "## Syntax heads (Clark et al. 2019) on UD English EWT test",
        "",
        (
            "`bench/bench_syntax.py`. The machine is a shared 2-core VM: other jobs (a distillation run, other "
            "helpers' tests) ran at the same time (load average in the table), so times are indicative only."
        ),
        "",
    ]
    for model_id, th in data.get("throughput", {}).items():
        s, n = th["seconds"], th["sentences"]
        rate = partial(sentences_per_second, th)
        lines += [
            (
                f"Throughput, {model_id}, {n} EWT test sentences, head-metrics + syntax (load average "
                f"{th['load'][0]:.1f}):"
            ),
            "",
            "| engine | sentences/s | wall | note |",
            "| --- | --- | --- | --- |",
            f"| single (batch of 1) | {rate('single'):.1f} | {s['single']:.1f} s | |",
            (
                f"| batched (32, padded) | {rate('batched'):.1f} | {s['batched']:.1f} s | "
                f"{s['single'] / s['batched']:.1f}x single |"
            ),
        ]
        for w in (1, 2):
            k = f"ray{w}"
            if f"{k}_error" in th.get("errors", {}):
                lines.append(
                    f"| Ray, {w} worker{'s' if w > 1 else ''} | - | - | did not start: "
                    f"{th['errors'][k + '_error'][:90]} |"
                )
            if k in s:
                lines.append(
                    f"| Ray, {w} worker{'s' if w > 1 else ''} | {rate(k):.1f} | {s[k]:.1f} s | start-up "
                    f"{s[k + '_startup']:.1f} s; {s[k] / s['batched']:.2f}x the batched loop's time |"
                )
        lines.append("")
    for model_id, tb in data.get("tables", {}).items():
        lines += [
            (
                f"Full table, {model_id}: {tb['sentences']} sentences in {tb['seconds']:.0f} s "
                f"({tb['threads']} threads), {tb['bytes'] / 1024:.0f} KB Parquet shipped in bertviz_core/data/."
            ),
            "",
        ]
    if data.get("tables"):
        models = list(data["tables"])
        head = (
            "| relation | arcs | " + " | ".join(f"{m}: best head | acc" for m in models) + " | best offset | baseline |"
        )
        lines += [
            "Best head per relation against the best fixed offset (-5..+5):",
            "",
            head,
            "| --- | --- | " + " | ".join("--- | ---" for _ in models) + " | --- | --- |",
        ]
        by_rel = {m: {b["relation"]: b for b in data["tables"][m]["best"]} for m in models}
        for rel in by_rel[models[0]]:
            b0 = by_rel[models[0]][rel]
            cells = " | ".join(
                f"L{by_rel[m][rel]['layer']} {by_rel[m][rel]['head']} | {by_rel[m][rel]['accuracy']:.1%}"
                for m in models
            )
            lines.append(f"| {rel} | {b0['n']} | {cells} | {b0['offset']:+d} | {b0['baseline']:.1%} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--tables", action="store_true")
    p.add_argument("--throughput", type=int, default=0)
    p.add_argument("--model", default="bert-minilm-l6")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--report", action="store_true")
    p.add_argument("--only", choices=MODELS, help="with --tables: this model's table only")
    args = p.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.tables:
        tables(args.threads, args.only)
    if args.throughput:
        throughput(args.throughput, args.model)
    if args.report:
        print(report())


if __name__ == "__main__":
    sys.exit(main())
