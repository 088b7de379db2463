"""Compression numbers shipped with the app (bertviz_core/data/compress_results.json) for /compress.

For the bundled BERT: Michel et al. head importance (UD EWT dev sample), then for each variant
(`@int8`, `@prune=30%`, `@prune=50%`) its size,
parameters, speed (ms per sentence at 16 and 128 tokens, models interleaved) and quality (mean
cosine of mean-pooled embeddings to the original on a UD EWT test sample); the pruning curve
(10-60% of heads, importance order vs 3 random orders). For the bundled ConvBERT: int8 only. The distilled
students are measured by bench/bench_students.py.

    .venv/bin/python bench/bench_compress.py            # everything (~10-20 min on 2 busy cores)
    .venv/bin/python bench/bench_compress.py --reuse-importance   # keep the shipped importances

Prints a markdown section for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import common

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main(argv=None) -> None:
    import numpy as np
    import torch

    import bertviz_core as bc
    from bertviz_core.analysis import compress, compress_measure
    from bertviz_core.analysis import interventions as iv

    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reuse-importance", action="store_true")
    ap.add_argument("--importance-sentences", type=int, default=compress.IMPORTANCE_SENTENCES)
    ap.add_argument("--quality-sentences", type=int, default=compress.QUALITY_SENTENCES)
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--speed-only", action="store_true", help="remeasure speed into the shipped results")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.speed_only:
        res = compress.results()
        for base_id, entry in res["models"].items():
            base = bc.load_model(base_id)
            if base_id == "bert-minilm-l6":
                compress.remember_importance(base_id, entry["importance"])
            models = {base_id: base.model}
            for vid in entry["variants"]:
                models[vid] = bc.load_model(vid).model
            for n in (16, 128):
                for k, ms in compress_measure.speed_ms(models, base.tokenizer, n, args.repeats).items():
                    (entry if k == base_id else entry["variants"][k])[f"ms{n}"] = round(ms, 2)
        res["speed_measured"] = datetime.date.today().isoformat()
        res["speed_threads"] = args.threads
        compress.RESULTS_FILE.write_text(json.dumps(res, indent=1) + "\n")
        print(markdown(res))
        return

    old = compress.results() or {}
    held_out = compress.ewt_sample("test", args.quality_sentences, common.SHARED / "ud-english-ewt")
    out = {
        "measured": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "threads": args.threads,
        "torch": torch.__version__,
        "quality_sentences": len(held_out),
        "quality_split": "UD English EWT test (evenly spaced, 5-40 words)",
        "importance_sentences": args.importance_sentences,
        "importance_split": "UD English EWT dev (evenly spaced, 5-40 words)",
        "models": {},
    }

    def describe(lm_or_model, base_model, tokenizer) -> dict:
        model = getattr(lm_or_model, "model", lm_or_model)
        # int8 Linear weights are packed buffers, not Parameters: count them as the original's
        params = compress_measure.n_parameters(
            base_model if getattr(lm_or_model, "id", "").endswith("@int8") else model
        )
        return {
            "size_mb": round(compress_measure.size_mb(model), 2),
            "params": params,
            "cosine": round(compress_measure.quality(model, base_model, tokenizer, held_out), 4),
        }

    # ---- bundled BERT
    base = bc.load_model("bert-minilm-l6")
    t0 = time.time()
    shipped = old.get("models", {}).get(base.id, {}).get("importance")
    if args.reuse_importance and shipped is not None:
        importance = np.asarray(shipped)
        seconds = old["models"][base.id].get("importance_seconds")
    else:
        importance = compress.compute_head_importance(
            base, compress.ewt_sample("dev", args.importance_sentences, common.SHARED / "ud-english-ewt")
        )
        seconds = round(time.time() - t0, 1)
    compress.remember_importance(base.id, importance)
    print(f"importance: {seconds} s", flush=True)
    entry = {
        "importance": np.round(importance, 5).tolist(),
        "importance_seconds": seconds,
        "size_mb": round(compress_measure.size_mb(base.model), 2),
        "params": compress_measure.n_parameters(base.model),
        "variants": {},
    }
    models = {base.id: base.model}
    for vid in (f"{base.id}@int8", f"{base.id}@prune=30%", f"{base.id}@prune=50%"):
        lm = bc.load_model(vid)
        entry["variants"][vid] = describe(lm, base.model, base.tokenizer)
        if vid.endswith("@int8"):
            entry["variants"][vid]["fp32_layers"] = compress.ffn_output_names(base.model)
        if "prune" in vid:
            entry["variants"][vid]["removed"] = {
                str(l): [h for h in range(12) if h not in k] for l, k in iv.kept_heads(lm.model).items()
            }
        models[vid] = lm.model
        print(vid, entry["variants"][vid], flush=True)
    for n in (16, 128):
        for k, ms in compress_measure.speed_ms(models, base.tokenizer, n, args.repeats).items():
            (entry if k == base.id else entry["variants"][k])[f"ms{n}"] = round(ms, 2)
    t0 = time.time()
    entry["curve"] = compress_measure.pruning_curve(base, importance, held_out)
    entry["curve_seconds"] = round(time.time() - t0, 1)
    out["models"][base.id] = entry

    # ---- bundled ConvBERT: int8 only (pruning does not apply)
    conv = bc.load_model("convbert-minilm-l6")
    q = bc.load_model("convbert-minilm-l6@int8")
    centry = {
        "size_mb": round(compress_measure.size_mb(conv.model), 2),
        "params": compress_measure.n_parameters(conv.model),
        "variants": {q.id: describe(q, conv.model, conv.tokenizer)},
    }
    centry["variants"][q.id]["fp32_layers"] = compress.ffn_output_names(conv.model)
    for n in (16, 128):
        ms = compress_measure.speed_ms({conv.id: conv.model, q.id: q.model}, conv.tokenizer, n, args.repeats)
        centry[f"ms{n}"] = round(ms[conv.id], 2)
        centry["variants"][q.id][f"ms{n}"] = round(ms[q.id], 2)
    out["models"][conv.id] = centry

    compress.RESULTS_FILE.write_text(json.dumps(out, indent=1) + "\n")
    print(markdown(out))


def markdown(res: dict) -> str:
    lines = [
        f"## Compression (bench/bench_compress.py, {res['measured']})",
        "",
        (
            f"Quality: mean cosine of mean-pooled sentence embeddings to the original model on {res['quality_sentences']} "
            f"held-out sentences ({res['quality_split']}). Speed: CPU time of one forward pass of one sentence "
            "(median of 30, one thread, `time.thread_time`: work of other processes on this shared machine does not "
            "count), models interleaved. Size: serialized state_dict; int8 weights are packed buffers, so "
            "the parameter count is the original's."
        ),
        "",
        "| model | size MB | parameters | ms @16 | ms @128 | cosine to original |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for mid, e in res["models"].items():
        lines.append(f"| {mid} | {e['size_mb']} | {e['params']:,} | {e.get('ms16', '')} | {e.get('ms128', '')} | 1 |")
        for vid, v in e["variants"].items():
            lines.append(
                f"| {vid} | {v['size_mb']} | {v['params']:,} | {v.get('ms16', '')} | {v.get('ms128', '')} | "
                f"{v['cosine']:.4f} |"
            )
    bert = res["models"].get("bert-minilm-l6", {})
    curve = bert.get("curve")
    if curve:
        lines += [
            "",
            (
                f"Pruning curve (bert-minilm-l6; heads removed by Michel et al. importance, computed on "
                f"{res['importance_sentences']} EWT dev sentences in {bert.get('importance_seconds')} s, vs 3 random "
                "orders; at least one head kept per layer):"
            ),
            "",
            "| heads removed | importance order | random order (mean of 3) |",
            "| --- | --- | --- |",
        ]
        for i, f in enumerate(curve["fractions"]):
            rnd = sum(r[i] for r in curve["random"]) / len(curve["random"])
            lines.append(f"| {round(f * 100)}% ({curve['removed'][i]}) | {curve['importance'][i]:.4f} | {rnd:.4f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
