"""Corpus-scale statistics: `python -m bertviz_core.corpus --model ID --input FILE --stats ... --out DIR`.

Input: a `.conllu` treebank or a `.txt` file (one sentence per non-empty line).
Stats (comma-separated):
    head-metrics  per sentence, layer and head: metrics.METRICS (entropy, distance, local, cls,
                  sep, punct, self, prev, next) over every head, ConvBERT's conv heads after the
                  attention heads and measured on their kernels, exactly as /compare does
                  (metrics.trace_metrics) -> head_metrics.parquet; plus sentences.parquet (each
                  sentence's text, token count and uniform-attention baseline per head kind)
    syntax        Clark et al.'s head accuracy per relation (bertviz_core.analysis.syntax; CoNLL-U only)
                  -> syntax.parquet
Also meta.json (model, input and its digest, counts, seconds, engine). Parquet is written with
pyarrow; read a whole folder back, checked, with bertviz_core.corpus.results.load_results(DIR) (the app's
/compare and /syntax list the folders under its results folder, BERTVIZ_RESULTS_DIR).

For CoNLL-U input the model reads the annotated words (is_split_into_words), once for both stats.
For text input, each line is tokenized as capture() does.

Engines: the plain batched loop in this process (default), or Ray with `--workers N` (N >= 1):
one actor per worker holds the model and takes chunks of sentences; `ray.init()` starts a local
Ray on this machine (nothing to set up), `--address ray://host:10001` (or `auto`) joins a cluster
whose nodes have this package installed. Both engines cut the input into the same chunks, so
their results agree (up to float rounding between thread counts). Ray is an optional extra:
`pip install ray==2.60.0` (it is in requirements-dev.txt).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np

if TYPE_CHECKING:
    from tqdm import tqdm

    from bertviz_core.inputs.conllu import Sentence
    from bertviz_core.models.loading import LoadedModel

    Item = Sentence | str  # one input sentence: a treebank sentence (CoNLL-U input) or a line of text

T = TypeVar("T")

STATS = ("head-metrics", "syntax")
DEFAULT_CHUNK = 128
RESULTS_FORMAT = 2  # meta.json "format": 2 = conv heads measured on their kernels, sentences.parquet written


# ---------------------------------------------------------------- input
def read_input(path: str | Path, max_sentences: int | None = None) -> list[Sentence] | list[str]:
    """Sentences of a .conllu (inputs.conllu.Sentence objects) or .txt (strings, one per non-empty line)."""
    from bertviz_core.inputs.conllu import read_conllu
    from bertviz_core.inputs.text import decode_text

    path = Path(path)
    if not path.is_file():
        raise ValueError(f"No such input file: {path}")
    if path.suffix.lower() in (".conllu", ".conll"):
        return read_conllu(path, max_sentences)
    if path.suffix.lower() != ".txt":
        raise ValueError(f"Input must be .conllu or .txt, not '{path.suffix or path.name}'.")
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise ValueError(f"{path.name} looks binary; give a plain-text file (one sentence per line).")
    lines = [" ".join(line.split()) for line in decode_text(raw).splitlines()]
    lines = [line for line in lines if line]
    if max_sentences is not None:
        lines = lines[:max_sentences]
    if not lines:
        raise ValueError(f"No sentences found in {path.name}.")
    return lines


def parse_stats(text: str) -> tuple[str, ...]:
    stats = tuple(s.strip() for s in text.split(",") if s.strip())
    unknown = [s for s in stats if s not in STATS]
    if unknown or not stats:
        raise ValueError(f"Unknown stats {', '.join(unknown) or '(none)'}; choose from {', '.join(STATS)}.")
    return stats


# ---------------------------------------------------------------- one chunk (a worker's unit)
def _encode(
    lm: LoadedModel, item: Item
) -> tuple[dict[str, list[int]], list[str], tuple[bool, ...], list[int | None] | None]:
    """(model inputs, tokens, special mask, word_ids or None) for a Sentence or a text line."""
    from bertviz_core.analysis import syntax
    from bertviz_core.tracing.capture import tokenize

    if isinstance(item, syntax.Sentence):
        inputs, word_ids = syntax.encode_words(lm, item.words)
    else:
        enc, _ = tokenize(lm, item)
        inputs = {k: enc[k][0].tolist() for k in ("input_ids", "token_type_ids") if k in enc}
        word_ids = None
    ids = inputs["input_ids"]
    tokens = cast("list[str]", lm.tokenizer.convert_ids_to_tokens(ids))  # a list of ids: a list of tokens
    special = tuple(bool(x) for x in lm.tokenizer.get_special_tokens_mask(ids, already_has_special_tokens=True))
    return inputs, tokens, special, word_ids


def _item_text(item: Item) -> str:
    """The text of a sentence as the model read it (a treebank sentence: its words joined by spaces)."""
    return " ".join(item.words) if hasattr(item, "words") else str(item)


def sentence_metrics(
    result: dict[str, Any], tokens: list[str], special: tuple[bool, ...], exclude_special: bool = False
) -> dict[str, np.ndarray]:
    """Every metric of every head of one batch.run result, [L, N] each: attention heads from their
    softmax rows, ConvBERT's conv heads from their kernels (as metrics.trace_metrics on a Trace)."""
    from bertviz_core.analysis.metrics import head_metrics, kernel_metrics

    out = head_metrics(result["attentions"], tokens, special, exclude_special)
    kernels = result.get("conv_kernels")
    if kernels is not None:
        conv = kernel_metrics(kernels, tokens, special, exclude_special)
        out = {k: np.concatenate([out[k], conv[k]], axis=1) for k in out}
    return out


def uniform_baselines(
    tokens: list[str], special: tuple[bool, ...], kernel_size: int | None, exclude_special: bool = False
) -> dict[str, float]:
    """metrics.uniform_baseline without a Trace: {"uniform_attn_<metric>": value, "uniform_conv_<metric>":
    value (nan without conv heads)}."""
    from bertviz_core.analysis.metrics import METRICS, head_metrics, kernel_metrics

    T = len(tokens)
    attn = head_metrics(np.full((T, T), 1.0 / T, np.float32), tokens, special, exclude_special)
    conv = (
        kernel_metrics(np.full((T, kernel_size), 1.0 / kernel_size, np.float32), tokens, special, exclude_special)
        if kernel_size
        else {}
    )
    out = {f"uniform_attn_{m}": float(attn[m]) for m in METRICS}
    out.update({f"uniform_conv_{m}": float(conv[m]) if m in conv else float("nan") for m in METRICS})
    return out


def process_chunk(
    lm: LoadedModel,
    items: Sequence[Item],
    stats: tuple[str, ...],
    *,
    start: int = 0,
    conv_heads: bool = True,
    batch_size: int = 32,
    progress: Callable[[int], None] | None = None,
    exclude_special: bool = False,
) -> dict[str, Any]:
    """Statistics of one chunk of sentences (numbered from `start`):
    {"syntax": SyntaxCounts or None, "head_metrics": {column: numpy array} or None,
    "sentences": {column: numpy array} or None (with head metrics)}."""
    from bertviz_core.analysis import syntax
    from bertviz_core.analysis.metrics import METRICS
    from bertviz_core.tracing import batch

    encoded = [_encode(lm, item) for item in items]
    counts = syntax.SyntaxCounts() if "syntax" in stats else None
    want_metrics = "head-metrics" in stats
    metric_parts: list[dict[str, np.ndarray]] = []
    sentence_rows: list[dict[str, Any]] = []
    results = batch.run(lm, [e[0] for e in encoded], batch_size=batch_size, conv=conv_heads or want_metrics)
    for k, (i, result) in enumerate(results):
        _, tokens, special, word_ids = encoded[i]
        if counts is not None:
            sentence = items[i]
            if not isinstance(sentence, syntax.Sentence) or word_ids is None:
                raise ValueError("--stats syntax needs a CoNLL-U treebank (gold heads); this input is plain text.")
            predictions, has = syntax.sentence_predictions(lm, result, word_ids, len(sentence), conv_heads)
            counts.add(sentence, predictions, has)
            counts.attention_heads = result["attentions"].shape[1]
        if want_metrics:
            values = sentence_metrics(result, tokens, special, exclude_special)  # [L, N] each
            L, N = values["entropy"].shape
            n_attn = result["attentions"].shape[1]
            kernels = result.get("conv_kernels")
            sentence_rows.append(
                {
                    "sentence": start + i,
                    "text": _item_text(items[i]),
                    "n_tokens": len(tokens),
                    **uniform_baselines(
                        tokens, special, kernels.shape[-1] if kernels is not None else None, exclude_special
                    ),
                }
            )
            names = [f"H{h}" if h < n_attn else f"C{h - n_attn}" for h in range(N)]
            part = {
                "sentence": np.full(L * N, start + i, np.int64),
                "layer": np.repeat(np.arange(L), N),
                "head": np.tile(np.arange(N), L),
                "head_name": np.tile(np.array(names, dtype=object), L),
                "n_tokens": np.full(L * N, len(tokens), np.int64),
            }
            part.update({m: np.asarray(values[m], dtype=np.float64).ravel() for m in METRICS})
            metric_parts.append(part)
        if progress is not None:
            progress(k + 1)
    metrics = sentences = None
    if want_metrics and metric_parts:
        metrics = {col: np.concatenate([p[col] for p in metric_parts]) for col in metric_parts[0]}
        sentences = {
            col: np.array([r[col] for r in sentence_rows], dtype=object if col == "text" else None)
            for col in sentence_rows[0]
        }
    return {"syntax": counts, "head_metrics": metrics, "sentences": sentences}


def _merge(parts: list[dict[str, Any]], stats: tuple[str, ...]) -> dict[str, Any]:
    from bertviz_core.analysis import syntax

    out: dict[str, Any] = {"syntax": None, "head_metrics": None, "sentences": None}
    if "syntax" in stats:
        total = syntax.SyntaxCounts()
        for p in parts:
            total.merge(p["syntax"])
        out["syntax"] = total
    if "head-metrics" in stats:
        cols = [p["head_metrics"] for p in parts if p["head_metrics"] is not None]
        if cols:
            merged = {c: np.concatenate([m[c] for m in cols]) for c in cols[0]}
            order = np.lexsort((merged["head"], merged["layer"], merged["sentence"]))
            out["head_metrics"] = {c: v[order] for c, v in merged.items()}
        rows = [p["sentences"] for p in parts if p.get("sentences") is not None]
        if rows:
            merged = {c: np.concatenate([r[c] for r in rows]) for c in rows[0]}
            order = np.argsort(merged["sentence"], kind="stable")
            out["sentences"] = {c: v[order] for c, v in merged.items()}
    return out


def _chunks(items: Sequence[T], size: int) -> list[tuple[int, Sequence[T]]]:
    return [(s, items[s : s + size]) for s in range(0, len(items), size)]


# ---------------------------------------------------------------- engines
def run_local(
    lm: LoadedModel,
    items: Sequence[Item],
    stats: tuple[str, ...],
    *,
    conv_heads: bool = True,
    batch_size: int = 32,
    chunk_size: int = DEFAULT_CHUNK,
    bar: tqdm | None = None,
    exclude_special: bool = False,
) -> dict[str, Any]:
    """The plain batched loop, chunk by chunk (the same chunks Ray's workers get)."""
    parts = []
    for start, chunk in _chunks(items, chunk_size):
        done = [0]

        def tick(k: int, done: list[int] = done) -> None:
            if bar is not None:
                bar.update(k - done[0])
            done[0] = k

        parts.append(
            process_chunk(
                lm,
                chunk,
                stats,
                start=start,
                conv_heads=conv_heads,
                batch_size=batch_size,
                progress=tick,
                exclude_special=exclude_special,
            )
        )
    return _merge(parts, stats)


class Worker:
    """A Ray actor's body: loads the model once, then processes chunks."""

    def __init__(self, model_id: str, threads: int = 1) -> None:
        import torch

        import bertviz_core as bc

        torch.set_num_threads(max(1, threads))
        self.lm = bc.load_model(model_id)

    def ready(self) -> bool:
        return True

    def process(
        self,
        start: int,
        chunk: Sequence[Item],
        stats: tuple[str, ...],
        conv_heads: bool,
        batch_size: int,
        exclude_special: bool = False,
    ) -> dict[str, Any]:
        return process_chunk(
            self.lm,
            chunk,
            stats,
            start=start,
            conv_heads=conv_heads,
            batch_size=batch_size,
            exclude_special=exclude_special,
        )


def run_ray(
    model_id: str,
    items: Sequence[Item],
    stats: tuple[str, ...],
    *,
    workers: int = 1,
    address: str | None = None,
    threads: int = 1,
    conv_heads: bool = True,
    batch_size: int = 32,
    chunk_size: int = DEFAULT_CHUNK,
    bar: tqdm | None = None,
    timings: dict[str, float] | None = None,
    exclude_special: bool = False,
) -> dict[str, Any]:
    """Ray actors, each holding the model, take chunks of sentences; counts and rows are merged here.

    Starts a local Ray (`ray.init()`) unless one is running or `address` names a cluster; a Ray this
    call started is shut down before returning. `timings["startup"]`: seconds until every actor
    holds its model."""
    try:
        import ray
    except ImportError:
        raise ValueError("Ray is not installed: pip install ray==2.60.0 (or run without --workers).") from None
    if workers < 1:
        raise ValueError("--workers must be at least 1 for Ray.")
    started = False
    t0 = time.perf_counter()
    if not ray.is_initialized():
        root = str(Path(__file__).resolve().parents[2])
        env = {
            "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p),
            "TOKENIZERS_PARALLELISM": "false",
        }
        for key in ("HF_HUB_OFFLINE", "HF_HOME", "BERTVIZ_MODELS_DIR", "BERTVIZ_HUB_POLICY"):
            if key in os.environ:
                env[key] = os.environ[key]
        kwargs: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": False,
            "logging_level": "ERROR",
            "runtime_env": {"env_vars": env},
        }
        if not address:
            kwargs["num_cpus"] = max(workers * threads, 1)
            # Ray runs its workers at nice 15 by default; here they do all the work while this process waits,
            # so on a busy machine they would starve (minutes instead of seconds): run them at our priority
            kwargs["_system_config"] = {"worker_niceness": 0}
        for attempt in (1, 2):  # a busy machine can miss Ray's fixed 30 s raylet start-up wait: retry once
            try:
                ray.init(address=address, **kwargs)
                break
            except Exception as exc:
                ray.shutdown()
                if attempt == 2 or "timed out during startup" not in str(exc):
                    raise
        started = True
    try:
        actor = ray.remote(num_cpus=threads)(Worker)
        actors = [actor.remote(model_id, threads) for _ in range(workers)]
        # model loaded everywhere (a load error surfaces here). The ignores: ray types an actor's methods as plain
        # callables unless they are decorated with @ray.method (ray is optional here, so Worker's are not)
        ray.get([a.ready.remote() for a in actors])  # type: ignore[attr-defined]
        if timings is not None:
            timings["startup"] = time.perf_counter() - t0
        chunks = _chunks(items, chunk_size)
        pending: dict[Any, tuple[int, Any]] = {}  # ObjectRef of a chunk's result -> (chunk index, actor)
        queue = list(range(len(chunks)))
        results: dict[int, dict[str, Any]] = {}
        free = list(actors) * 2  # two chunks in flight per actor: no idle gap between chunks
        while queue or pending:
            while queue and free:
                a, c = free.pop(0), queue.pop(0)
                start, chunk = chunks[c]
                process = a.process.remote  # type: ignore[attr-defined]
                pending[process(start, chunk, stats, conv_heads, batch_size, exclude_special)] = (c, a)
            done, _ = ray.wait(list(pending), num_returns=1)
            c, a = pending.pop(done[0])
            results[c] = ray.get(done[0])
            free.append(a)
            if bar is not None:
                bar.update(len(chunks[c][1]))
        return _merge([results[c] for c in range(len(chunks))], stats)
    finally:
        if started:
            ray.shutdown()


# ---------------------------------------------------------------- writing
def write_outputs(out_dir: str | Path, merged: dict[str, Any], meta: dict[str, Any]) -> dict[str, Path]:
    """head_metrics.parquet and sentences.parquet, syntax.parquet (those computed) and meta.json in out_dir."""
    import pandas as pd

    from bertviz_core.analysis import syntax

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    if merged.get("syntax") is not None:
        frame = merged["syntax"].to_frame()
        syntax.write_table(frame, out / "syntax.parquet", **{k: meta[k] for k in ("model", "input", "input_sha256")})
        written["syntax"] = out / "syntax.parquet"
    if merged.get("head_metrics") is not None:
        frame = pd.DataFrame(merged["head_metrics"])
        frame["head_name"] = frame["head_name"].astype(str)
        frame.to_parquet(out / "head_metrics.parquet", engine="pyarrow", index=False)
        written["head_metrics"] = out / "head_metrics.parquet"
    if merged.get("sentences") is not None:
        frame = pd.DataFrame(merged["sentences"])
        frame["text"] = frame["text"].astype(str)
        frame.to_parquet(out / "sentences.parquet", engine="pyarrow", index=False)
        written["sentences"] = out / "sentences.parquet"
    (out / "meta.json").write_text(json.dumps(meta, indent=2))
    written["meta"] = out / "meta.json"
    return written


# ---------------------------------------------------------------- command line
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bertviz_core.corpus",
        description="Head metrics and Clark et al.'s syntax accuracy over a corpus, to Parquet.",
    )
    p.add_argument("--model", required=True, help="registry id, hub id or a folder in BERTVIZ_MODELS_DIR")
    p.add_argument("--input", required=True, help=".conllu treebank or .txt (one sentence per line)")
    p.add_argument("--stats", default="head-metrics,syntax", help=f"comma-separated: {', '.join(STATS)}")
    p.add_argument("--out", required=True, help="output folder (created)")
    p.add_argument("--max-sentences", type=int, default=None)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK, help="sentences per work unit")
    p.add_argument("--workers", type=int, default=0, help="Ray actors (0: no Ray, the plain batched loop)")
    p.add_argument("--address", default=None, help="Ray cluster address (default: a local Ray)")
    p.add_argument("--threads", type=int, default=None, help="torch threads per worker (default: cores / workers)")
    p.add_argument("--no-conv-heads", action="store_true", help="syntax: ConvBERT's attention heads only")
    p.add_argument(
        "--exclude-special",
        action="store_true",
        help="head metrics: drop [CLS]/[SEP] rows and renormalise (as /compare's switch)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def main(argv: list[str] | None = None) -> int:
    from tqdm import tqdm

    args = build_parser().parse_args(argv)
    try:
        stats = parse_stats(args.stats)
        items = read_input(args.input, args.max_sentences)
        if "syntax" in stats and not Path(args.input).suffix.lower().startswith(".conll"):
            raise ValueError("--stats syntax needs a CoNLL-U treebank (gold heads); this input is plain text.")
        if args.address and args.workers < 1:
            args.workers = 1
        import torch

        import bertviz_core as bc
        from bertviz_core.analysis import syntax

        cores = os.cpu_count() or 1
        threads = args.threads or max(1, cores // max(args.workers, 1))
        conv_heads = not args.no_conv_heads
        t0 = time.perf_counter()
        with tqdm(total=len(items), unit="sent", desc=args.model, disable=args.quiet, file=sys.stderr) as bar:
            if args.workers:
                merged = run_ray(
                    args.model,
                    items,
                    stats,
                    workers=args.workers,
                    address=args.address,
                    threads=threads,
                    conv_heads=conv_heads,
                    batch_size=args.batch_size,
                    chunk_size=args.chunk_size,
                    bar=bar,
                    exclude_special=args.exclude_special,
                )
            else:
                torch.set_num_threads(threads)
                lm = bc.load_model(args.model)
                merged = run_local(
                    lm,
                    items,
                    stats,
                    conv_heads=conv_heads,
                    batch_size=args.batch_size,
                    chunk_size=args.chunk_size,
                    bar=bar,
                    exclude_special=args.exclude_special,
                )
        seconds = time.perf_counter() - t0
        meta = {
            "model": args.model,
            "input": str(args.input),
            "input_sha256": syntax.file_digest(args.input),
            "stats": list(stats),
            "sentences": len(items),
            "seconds": round(seconds, 3),
            "sentences_per_second": round(len(items) / seconds, 3) if seconds else None,
            "engine": f"ray x{args.workers}" if args.workers else "local",
            "threads": threads,
            "conv_heads": conv_heads,
            "batch_size": args.batch_size,
            "chunk_size": args.chunk_size,
            "exclude_special": bool(args.exclude_special),
            "format": RESULTS_FORMAT,
        }
        written = write_outputs(args.out, merged, meta)
    except ValueError as exc:  # ModelLoadError too: a message, never a traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, path in written.items():
        print(f"{name}: {path}")
    return 0
