"""Q-BERT's bits curve (issue #28): held-out cosine against average bits for three allocations.

For bert-minilm-l6 (bertviz_core.analysis.qbert): the per-layer top Hessian eigenvalues (power iteration,
shipped in bertviz_core/data/hessian-bert-minilm-l6.json so `@qbert` loads at once), then on UD EWT test
sentences the mean cosine of mean-pooled last hidden states to the full model for
- uniform: every encoder layer at N bits, N = 2..8 (`@q=N`);
- Hessian: `@qbert=B`, bits per layer from the eigenvalues, mean B in BUDGETS;
- reverse: the control, the same allocator given the eigenvalues in reverse rank order;
each with its 95% t-interval over sentences, and the paired differences Hessian - uniform and Hessian -
reverse (same sentences). Weights are simulated (quantized, dequantized to fp32); packed sizes as stored.
Writes bertviz_core/data/qbert_results.json (the /compress page reads it) and prints the markdown section
for bench/RESULTS.md.

    nice -n 10 .venv/bin/python bench/bench_qbert.py                 # ~5 min with shipped eigenvalues
    nice -n 10 .venv/bin/python bench/bench_qbert.py --recompute-eigen   # + ~5 min of Hessian-vector products
    nice -n 10 .venv/bin/python bench/bench_qbert.py --eigen MODEL    # only write hessian-MODEL.json
"""

from __future__ import annotations

import argparse
import copy
import datetime
import json
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import common

os.environ.setdefault("HF_HUB_OFFLINE", "1")

MODEL = "bert-minilm-l6"
BUDGETS = (2.5, 3, 3.5, 4, 5, 6)
EWT = common.SHARED / "ud-english-ewt"
RESULTS = ROOT / "bertviz_core" / "data" / "qbert_results.json"


def eigen(model_id: str) -> dict:
    """Compute and write the shipped eigenvalues of `model_id` (SHIPPED_SETTINGS on UD EWT dev)."""
    import bertviz_core as bc
    from bertviz_core.analysis import compress, qbert

    lm = bc.load_model(model_id)
    s = qbert.SHIPPED_SETTINGS
    n = s["batches"] * s["batch_size"]
    sentences = compress.ewt_sample("dev", n, EWT)
    record = qbert.compute_sensitivity(lm, sentences, f"{len(sentences)} UD English EWT dev sentences", s)
    qbert.hessian_file(model_id).write_text(json.dumps(record, indent=1) + "\n")
    print(f"eigenvalues of {model_id}: {record['seconds']} s", flush=True)
    for i, layer in enumerate(record["layers"]):
        print(f"  L{i}: {[round(e, 3) for e in layer['eigenvalues']]} iterations {layer['iterations']}", flush=True)
    return record


def measure(base, bits: list[int], sentences: list[str]) -> dict:
    """Quantize a copy of `base` at `bits` per layer; per-sentence cosines and their summary."""
    import numpy as np

    from bertviz_core.analysis import qbert, stats
    from bertviz_core.models.pooling import pooled_cosines

    model = copy.deepcopy(base.model)
    report = qbert.quantize_model(model, bits)
    cos = pooled_cosines(model, base.model, base.tokenizer, sentences)
    iv = stats.mean_interval(cos)
    return {
        "bits": report.bits,
        "mean_bits": round(report.mean_bits, 4),
        "cosine": round(float(iv.mean), 4),
        "low": round(float(iv.low), 4),
        "high": round(float(iv.high), 4),
        "packed_mb": round(report.packed_mb, 2),
        "per_sentence": np.round(cos, 5).tolist(),
    }


def layer_probe(base, sentences: list[str], bits: int = 3) -> list[float]:
    """Diagnostic, not used by any allocation: the cosine to the full model when only layer i is quantized to
    `bits` (the other layers, and the embeddings, kept as they are), for each encoder layer i."""
    import torch

    from bertviz_core.analysis import compress_measure, qbert

    out = []
    for i in range(len(qbert.layer_groups(base.model))):
        model = copy.deepcopy(base.model)
        with torch.no_grad():
            for lin, rows in qbert.layer_groups(model)[i]:
                lin.weight.copy_(qbert.quantize_groups(lin.weight, bits, rows)[0])
        out.append(round(compress_measure.quality(model, base.model, base.tokenizer, sentences), 4))
        print(f"probe L{i} alone at {bits} bits: {out[-1]}", flush=True)
    return out


def paired(a: dict, b: dict) -> dict:
    from bertviz_core.analysis import stats

    d = stats.paired_difference(a["per_sentence"], b["per_sentence"])
    return {
        "diff": round(float(d.mean), 4),
        "low": round(float(d.low), 4),
        "high": round(float(d.high), 4),
        "p": float(d.p_value),
    }


def main(argv=None) -> None:
    import torch

    import bertviz_core as bc
    from bertviz_core.analysis import compress, qbert

    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--quality-sentences", type=int, default=compress.QUALITY_SENTENCES)
    ap.add_argument("--recompute-eigen", action="store_true")
    ap.add_argument("--eigen", metavar="MODEL", help="only compute and ship the eigenvalues of MODEL")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.eigen:
        eigen(args.eigen)
        return
    record = eigen(MODEL) if args.recompute_eigen else qbert.shipped_sensitivity(MODEL)
    if record is None:
        record = eigen(MODEL)
    base = bc.load_model(MODEL)
    held_out = compress.ewt_sample("test", args.quality_sentences, EWT)
    omega = qbert.omegas(record)
    errors = qbert.layer_errors(base.model)
    out = {
        "measured": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "threads": args.threads,
        "torch": torch.__version__,
        "model": MODEL,
        "quality_sentences": len(held_out),
        "quality_split": "UD English EWT test (evenly spaced, 5-40 words)",
        "kernels": "simulated: weights quantized and dequantized to float32 (fp32 speed and memory)",
        "group_rows": {"qkv": qbert.head_rows(base.model), "other": qbert.ROW_GROUP},
        "embedding_bits": qbert.EMBEDDING_BITS,
        "fp32_mb": round(sum(p.numel() for p in base.model.parameters()) * 4 / 2**20, 2),
        "eigen": {
            "loss": record["loss_text"],
            "sentences": record["sentences"],
            "settings": record["settings"],
            "seconds": record["seconds"],
            "omega": [round(float(o), 4) for o in omega],
        },
        "uniform": [],
        "hessian": [],
        "reverse": [],
    }
    for n in qbert.BITS:
        out["uniform"].append(measure(base, [n] * len(omega), held_out))
        print("uniform", n, out["uniform"][-1]["cosine"], flush=True)
    for b in BUDGETS:
        for name, rev in (("hessian", False), ("reverse", True)):
            row = measure(base, qbert.allocate(omega, errors, b, reverse=rev), held_out)
            row["target"] = b
            out[name].append(row)
            print(name, b, row["bits"], row["cosine"], flush=True)
    out["probe_bits"] = 2
    out["probe"] = layer_probe(base, held_out, out["probe_bits"])
    uniform = {u["bits"][0]: u for u in out["uniform"]}
    out["comparisons"] = [
        {
            "target": h["target"],
            "vs_reverse": paired(h, r),
            "vs_uniform": paired(h, uniform[int(h["target"])]) if float(h["target"]).is_integer() else None,
        }
        for h, r in zip(out["hessian"], out["reverse"], strict=True)
    ]
    RESULTS.write_text(json.dumps(out, indent=1) + "\n")
    print(markdown(out, record))


def markdown(res: dict, record: dict) -> str:
    e = res["eigen"]
    lines = [
        f"## Q-BERT (issue #28) (bench/bench_qbert.py, {res['measured']})",
        "",
        (
            f"{res['model']}, weights {res['kernels']}. Group-wise: one range per head ({res['group_rows']['qkv']} "
            f"rows) for Q, K, V, one per output row elsewhere; embeddings {res['embedding_bits']}-bit; biases, "
            "LayerNorms and activations fp32. Quality: mean cosine of mean-pooled last hidden states to the full "
            f"model on {res['quality_sentences']} {res['quality_split']} sentences, 95% t-interval."
        ),
        "",
        (
            f"Top Hessian eigenvalue per encoder layer (power iteration with Hessian-vector products, loss: "
            f"{e['loss']}; {e['sentences']}, {e['settings']['batches']} batches of {e['settings']['batch_size']}, "
            f"tol {e['settings']['tol']}, at most {e['settings']['max_iter']} iterations; {e['seconds']} s):"
        ),
        "",
        "| layer | eigenvalue per batch | Omega = abs(mean) + std | iterations | last relative change |",
        "| --- | --- | --- | --- | --- |",
    ]
    for i, layer in enumerate(record["layers"]):
        lines.append(
            f"| L{i} | {', '.join(f'{x:.3f}' for x in layer['eigenvalues'])} | {layer['omega']:.3f} | "
            f"{', '.join(map(str, layer['iterations']))} | {', '.join(f'{x:.1e}' for x in layer['rel_change'])} |"
        )
    lines += [
        "",
        f"| allocation | target mean bits | bits per layer | packed MB (fp32 {res['fp32_mb']}) | cosine [95% CI] |",
        "| --- | --- | --- | --- | --- |",
    ]
    for u in res["uniform"]:
        lines.append(
            f"| uniform `@q={u['bits'][0]}` | {u['bits'][0]} | {u['bits']} | {u['packed_mb']} | "
            f"{u['cosine']:.4f} [{u['low']:.4f}, {u['high']:.4f}] |"
        )
    for name, label in (("hessian", "Hessian `@qbert={t:g}`"), ("reverse", "reverse (control)")):
        for r in res[name]:
            lines.append(
                f"| {label.format(t=r['target'])} | {r['target']:g} | {r['bits']} | {r['packed_mb']} | "
                f"{r['cosine']:.4f} [{r['low']:.4f}, {r['high']:.4f}] |"
            )
    if res.get("probe"):
        lines += [
            "",
            (
                f"Diagnostic (not used to allocate): cosine when only that layer is at {res['probe_bits']} bits, the "
                "rest fp32, same sentences: "
                + ", ".join(f"L{i} {c:.4f}" for i, c in enumerate(res["probe"]))
                + "; Omega per layer: "
                + ", ".join(f"L{i} {o:.2f}" for i, o in enumerate(res["eigen"]["omega"]))
                + "."
            ),
        ]
    lines += ["", "| target | Hessian - reverse [95% CI] | Hessian - uniform [95% CI] |", "| --- | --- | --- |"]
    for c in res["comparisons"]:
        cells = [
            "—" if d is None else f"{d['diff']:+.4f} [{d['low']:+.4f}, {d['high']:+.4f}]"
            for d in (c["vs_reverse"], c["vs_uniform"])
        ]
        lines.append(f"| {c['target']:g} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
