"""Corpus-scale statistics: `python -m bertviz_core corpus --model ID --input FILE --out DIR [--stats ...]`
(`python -m bertviz_core.corpus ...` works the same).

Input: a `.conllu` treebank or a `.txt` file (one sentence per non-empty line).
Stats (comma-separated; default by input: head-metrics,syntax for CoNLL-U, head-metrics for text):
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
`pip install ray==2.60.0` (it is in requirements-dev.txt). A chunk's work is bertviz_core.corpus.chunks,
the Ray engine bertviz_core.corpus.ray_engine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bertviz_core.corpus.chunks import DEFAULT_CHUNK, merge_chunks, process_chunk, split_chunks
from bertviz_core.corpus.ray_engine import run_ray

if TYPE_CHECKING:
    from tqdm import tqdm

    from bertviz_core.corpus.chunks import Item
    from bertviz_core.inputs.conllu import Sentence
    from bertviz_core.models.loading import LoadedModel

STATS = ("head-metrics", "syntax")
RESULT_FILES = ("meta.json", "head_metrics.parquet", "sentences.parquet", "syntax.parquet")
RESULTS_FORMAT = 2  # meta.json "format": 2 = conv heads measured on their kernels, sentences.parquet written


# ---------------------------------------------------------------- input
def read_input(path: str | Path, max_sentences: int | None = None) -> list[Sentence] | list[str]:
    """Sentences of a .conllu (inputs.conllu.Sentence objects) or .txt (strings, one per non-empty line)."""
    from bertviz_core.inputs.conllu import read_conllu
    from bertviz_core.inputs.text import decode_text

    path = Path(path)
    if not path.is_file():
        raise ValueError(f"No such input file: {path}")
    if is_treebank(path):
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


def is_treebank(path: str | Path) -> bool:
    return Path(path).suffix.lower() in (".conllu", ".conll")


def default_stats(path: str | Path) -> str:
    """What a run computes when --stats is not given: syntax too when the input has gold heads."""
    return "head-metrics,syntax" if is_treebank(path) else "head-metrics"


def check_output_folder(out: str | Path, overwrite: bool = False) -> Path:
    """The output folder, made and checked writable before any work; ValueError with one clear line when it
    cannot be written, or when it already holds results and `overwrite` is off."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file, not a folder.")
    if out.is_dir() and not overwrite and any((out / name).exists() for name in RESULT_FILES):
        raise ValueError(f"{out} already holds results; choose another --out, or pass --overwrite to replace them.")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".bertviz-write-check"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ValueError(f"Cannot write to --out {out}: {exc.strerror or exc}.") from None
    return out


def parse_stats(text: str) -> tuple[str, ...]:
    stats = tuple(s.strip() for s in text.split(",") if s.strip())
    unknown = [s for s in stats if s not in STATS]
    if unknown or not stats:
        raise ValueError(f"Unknown stats {', '.join(unknown) or '(none)'}; choose from {', '.join(STATS)}.")
    return stats


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
    for start, chunk in split_chunks(items, chunk_size):
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
    return merge_chunks(parts, stats)


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
        prog="python -m bertviz_core corpus",
        description="Head metrics and Clark et al.'s syntax accuracy over a corpus, to Parquet.",
    )
    p.add_argument("--model", required=True, help="registry id, hub id or a folder in BERTVIZ_MODELS_DIR")
    p.add_argument("--input", required=True, help=".conllu treebank or .txt (one sentence per line)")
    p.add_argument(
        "--stats",
        default=None,
        help=f"comma-separated: {', '.join(STATS)} (default: both for CoNLL-U input, head-metrics for .txt)",
    )
    p.add_argument("--out", required=True, help="output folder (created; checked before any work)")
    p.add_argument("--overwrite", action="store_true", help="replace the results already in --out")
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
        stats = parse_stats(args.stats or default_stats(args.input))
        if "syntax" in stats and not is_treebank(args.input):
            raise ValueError("--stats syntax needs a CoNLL-U treebank (gold heads); this input is plain text.")
        items = read_input(args.input, args.max_sentences)
        check_output_folder(args.out, args.overwrite)
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
