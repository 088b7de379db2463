"""Write the model card of the masked-word student `bert-minilm-l6-mlm` (bertviz_core.training.mlm) from its training
log, bench/mlm_quality.py's figures (bench/out/quality-bert-minilm-l6-mlm.json) and a measurement of how far its
attention moved from the original `bert-minilm-l6`: the Jensen-Shannon divergence between each of its heads and the
same head of the original, per layer x head, on UD English EWT test sentences.

    python bench/mlm_model_card.py                 # bertviz_core/weights/bert-minilm-l6-mlm
    python bench/mlm_model_card.py --sentences 50  # a quicker measurement
"""

from __future__ import annotations

import argparse
import json

import common

from bertviz_core.models.registry import WEIGHTS_DIR

MODEL = "bert-minilm-l6-mlm"
TEACHER = "bert-minilm-l6"


def head_movement(model_id: str, n_sentences: int) -> dict:
    """Mean JS divergence (nats) between head (l, h) of `model_id` and head (l, h) of the original, per head, with
    the same for the original's other heads of that layer as the scale (0 = identical rows, log 2 = disjoint)."""
    import numpy as np
    import torch

    import bertviz_core as bc
    from bertviz_core.analysis import compare
    from bertviz_core.inputs import conllu

    torch.set_num_threads(2)
    path = common.SHARED / "ud-english-ewt" / "en_ewt-ud-test.conllu"
    sentences = conllu.conllu_sentences(path.read_text(encoding="utf-8"))[:n_sentences]
    original, moved = bc.load_model(TEACHER), bc.load_model(model_id)
    same, other = [], []
    for s in sentences:
        a, b = bc.capture(original, s), bc.capture(moved, s)
        js = np.stack([compare.head_js_matrix(b.attentions[i], a.attentions[i]) for i in range(b.n_layers)])
        k = np.arange(b.n_heads)
        same.append(js[:, k, k])  # [layers, heads]
        mask = ~np.eye(b.n_heads, dtype=bool)
        other.append(js[:, mask].mean())
    per_head = np.mean(same, axis=0)
    return {
        "sentences": len(sentences),
        "per_head": per_head.round(4).tolist(),
        "mean": float(per_head.mean()),
        "max": float(per_head.max()),
        "other_heads_js": float(np.mean(other)),
    }


def plot(log: dict, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [s["step"] for s in log["steps"]]
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.2), dpi=90)
    ax[0].plot(steps, [s["loss"] for s in log["steps"]], lw=0.6, alpha=0.7)
    ax[0].set_xlabel("step")
    ax[0].set_title("masked-word cross-entropy (train batches)")
    for stage in log.get("stages", [])[1:]:  # where a new schedule starts
        for a in ax:
            a.axvline(stage["first_step"] - 1, color="grey", lw=0.8, ls=":")
    evals = [e for e in log["evals"]]
    ax[1].plot([e["step"] for e in evals], [e["top1"] for e in evals], "o-", label="top-1")
    ax[1].plot([e["step"] for e in evals], [e["top5"] for e in evals], "o-", label="top-5")
    ax[1].axhline(evals[0]["baseline_top1"], color="grey", ls="--", lw=0.8, label="unigram baseline")
    ax[1].set_xlabel("step")
    ax[1].set_title("single masked words, EWT dev (held out)")
    ax[1].legend()
    fig.tight_layout()
    fig.savefig(path)


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def quality_lines(q: dict) -> str:
    single, base = q["single"], q["baseline"]
    lo1, hi1 = single["top1_ci95"]
    lo5, hi5 = single["top5_ci95"]
    rows = [
        "| | masks | top-1 | top-5 |",
        "| --- | --- | --- | --- |",
        (
            f"| single-piece words | {single['n']:,} | **{pct(single['top1'])}** ({pct(lo1)}-{pct(hi1)}) | "
            f"**{pct(single['top5'])}** ({pct(lo5)}-{pct(hi5)}) |"
        ),
        (
            f"| words of several pieces (all pieces right) | {q['multi']['n']:,} | {pct(q['multi']['top1'])} | "
            f"{pct(q['multi']['top5'])} |"
        ),
        (
            f"| unigram baseline ({', '.join(q['baseline_pieces'])}) | {base['n']:,} | {pct(base['top1'])} | "
            f"{pct(base['top5'])} |"
        ),
    ]
    pos = q.get("by_upos") or {}
    if pos:
        rows += [
            "",
            "By part of speech (single-piece words, UPOS of the treebank):",
            "",
            "| UPOS | masks | top-1 | top-5 |",
        ]
        rows += ["| --- | --- | --- | --- |"]
        for tag, r in sorted(pos.items(), key=lambda kv: -kv[1]["n"]):
            rows.append(f"| {tag} | {r['n']:,} | {pct(r['top1'])} | {pct(r['top5'])} |")
    return "\n".join(rows)


def movement_lines(m: dict) -> str:
    head = "| layer | " + " | ".join(f"H{h}" for h in range(len(m["per_head"][0]))) + " |"
    rows = [head, "|" + " --- |" * (len(m["per_head"][0]) + 1)]
    rows += [f"| {i} | " + " | ".join(f"{v:.3f}" for v in layer) + " |" for i, layer in enumerate(m["per_head"])]
    return "\n".join(rows)


CARD = """# {model}

`bert-minilm-l6` (the bundled all-MiniLM-L6-v2) **retrained with BERT's masked-word objective**, so that the app
can fill in a `[MASK]` offline. all-MiniLM-L6-v2 was trained for sentence embeddings and ships without an MLM
head, and a head trained on its frozen last layer guessed worse than always saying "the" (top-1 1.1%); so the whole
encoder continued pretraining with masked words, as BERT was pretrained (Devlin et al. 2019).

## Architecture
transformers `BertForMaskedLM`: the original's 6 layers x 12 heads, hidden 384, uncased WordPiece tokenizer, plus
BERT's MLM head (dense 384 -> 384, GELU, LayerNorm, decoder **tied to the word embeddings**, bias per token).

## Initialisation
Every encoder tensor from `bert-minilm-l6`; the MLM head's transform and bias new (random, bias zero); the decoder is
the frozen word-embedding matrix.

## Training
- Data: the public-domain US presidential speeches in `shared/data/corpora` ({speeches:,} sentences) and the UD
  English EWT **dev** sentences ({extra:,}; {monitor} of them kept apart as the monitor), packed into {examples:,}
  examples of at most {max_len} word pieces. UD EWT **test** is never read in training.
- Masking: {mask_prob:.0%} of word pieces per example, 80% `[MASK]` / 10% random token / 10% unchanged (BERT's
  rule), {whole}.
- Loss: cross-entropy at the masked positions (BERT's MLM loss); nothing copied from a teacher's outputs: the
  starting weights are the only thing taken from `bert-minilm-l6`.
- Kept from `bert-minilm-l6`, frozen: the whole embedding layer (word, position and token-type embeddings and
  their LayerNorm), and so the decoder tied to the word embeddings: they are read from `bert-minilm-l6` at load
  time and not stored. Trained: the 6 encoder layers and the head's transform and bias.
- Two stages, AdamW, batch {batch}, {hours:.2f} h in all on a 2-core CPU shared with other work:
{stages}

![loss curve](loss_curve.png)

Held-out monitor during training (single masked words of the {monitor} EWT dev sentences kept apart):

| step | top-1 | top-5 |
| --- | --- | --- |
{evals}

## Quality
Every word of {sentences:,} UD English EWT **test** sentences ({sample}; held out: never read in training) masked in
turn (all its pieces), measured on the shipped fp16 weights by `bench/mlm_quality.py` (95% Wilson intervals, masks
counted as independent). Targets: top-1 >= 25% and >= 5x the unigram baseline, top-5 >= 45%. {verdict}

{quality}

## How far its attention moved
Mean Jensen-Shannon divergence between each head of this model and the same head of `bert-minilm-l6`, on
{js_sentences} UD EWT test sentences (`bench/mlm_model_card.py`; 0 = identical rows, log 2 = 0.693 = disjoint; the
original's heads differ from its *other* heads of the same layer by {other:.3f} on average). Mean {js_mean:.3f},
largest {js_max:.3f}. {moved_verdict}

{movement}

## Storage
`student.safetensors` holds the encoder layers and the head in fp16 (about {size_mb:.0f} MB); the frozen embeddings
are read from the bundled `bert-minilm-l6` at load time (`bertviz_base.json` lists them).
`bertviz_core.models.student.load_student` rebuilds the `BertForMaskedLM`; `bc.load_model("{model}")` gives its
encoder to every page, and fill-mask uses its head.

## Limits
A small model retrained briefly on formal English (speeches) and web text: its guesses are plausible more often than
they are right, and it knows the vocabulary of speeches best. License: derived from all-MiniLM-L6-v2 (Apache-2.0).
"""


def verdict(q: dict) -> str:
    """Whether the targets were met, from the numbers (a point estimate below a target whose interval reaches it
    is said so)."""
    single, base = q["single"], q["baseline"]
    parts = []
    for k, name in (("top1", "top-1"), ("top5", "top-5")):
        _, hi = single[f"{k}_ci95"]
        target = single[f"{k}_target"]
        state = (
            "met" if single[k] >= target else "within the interval, point estimate below" if hi >= target else "not met"
        )
        parts.append(f"{name} {pct(single[k])} against {pct(target)}: {state}")
    ratio = single["top1"] / max(base["top1"], 1e-9)
    parts.append(f"top-1 is {ratio:.1f}x the unigram baseline ({'met' if ratio >= 5 else 'not met'})")
    return "Result: " + "; ".join(parts) + "."


def movement_verdict(m: dict) -> str:
    """What the JS numbers say, from the numbers: the mean per layer, and how the heads compare with the gap between
    two different heads of the original (a head moved less than that is still recognisably that head)."""
    layers = ", ".join(f"L{i} {sum(row) / len(row):.3f}" for i, row in enumerate(m["per_head"]))
    gap = m["other_heads_js"]
    below = sum(v < gap / 2 for row in m["per_head"] for v in row)
    total = sum(len(row) for row in m["per_head"])
    return (
        f"Per layer: {layers}: the later the layer, the more it moved. {below} of {total} heads moved less than half "
        f"the gap between two different heads of the original ({gap / 2:.3f}); the most moved reach that gap: "
        "early heads are still the original's, the last layers' heads are partly new."
    )


def stage_lines(log: dict) -> str:
    """One item per training stage (a stage: one schedule; the second starts from the first's exported weights),
    from the training log; a log of one run without stages is one stage."""
    stages = log.get("stages") or [
        {"name": "pretraining", "first_step": 1, "last_step": log["steps"][-1]["step"], "config": log["config"]}
    ]
    lines = []
    for i, stage in enumerate(stages, 1):
        c = stage["config"]
        last = next(x for x in log["steps"] if x["step"] == stage["last_step"])
        done = stage["last_step"] - stage["first_step"] + 1
        start = (
            "from `bert-minilm-l6`" if i == 1 else f"from the weights exported after step {stage['first_step'] - 1:,}"
        )
        stopped = (
            "the schedule's end"
            if done >= c["steps"]
            else f"learning rate then {last['lr']:.1e}, not decayed: the checkpoint of that step exported"
        )
        lines.append(
            f"  {i}. **{stage['name']}**, steps {stage['first_step']:,}-{stage['last_step']:,} ({done:,} steps), "
            f"{start}: encoder lr {c['lr']}, head lr {c['head_lr']}, {c['warmup']} warm-up steps, then cosine decay "
            f"planned to reach 0 after {c['steps']:,} steps; seed {c['seed']}; stopped at {stopped} "
            f"({stage.get('wall_seconds', log['wall_seconds']) / 3600:.2f} h)."
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sentences", type=int, default=100)
    a = ap.parse_args()
    folder = WEIGHTS_DIR / MODEL
    log = json.loads((folder / "training_log.json").read_text())
    q = common.load(f"quality-{MODEL}")
    moved = head_movement(MODEL, a.sentences)
    plot(log, folder / "loss_curve.png")
    cfg = log["config"]
    stages = stage_lines(log)
    card = CARD.format(
        model=MODEL,
        speeches=cfg["sentences"] - cfg.get("extra_sentences", 0),
        extra=cfg.get("extra_sentences", 0),
        monitor=cfg["monitor_sentences"],
        examples=cfg["examples"],
        max_len=cfg["max_len"],
        mask_prob=cfg["mask_prob"],
        whole="whole-word masking (all pieces of a chosen word)" if cfg["whole_word"] else "piece by piece",
        batch=cfg["batch"],
        hours=log["wall_seconds"] / 3600,
        stages=stages,
        evals="\n".join(f"| {e['step']} | {pct(e['top1'])} | {pct(e['top5'])} |" for e in log["evals"]),
        sentences=q["sentences"],
        sample=q.get("sample", "all sentences"),
        verdict=verdict(q),
        moved_verdict=movement_verdict(moved),
        quality=quality_lines(q),
        js_sentences=moved["sentences"],
        js_mean=moved["mean"],
        js_max=moved["max"],
        other=moved["other_heads_js"],
        movement=movement_lines(moved),
        size_mb=(folder / "student.safetensors").stat().st_size / 1e6,
    )
    (folder / "MODEL_CARD.md").write_text(card)
    (folder / "attention_movement.json").write_text(json.dumps(moved, indent=1))
    print("wrote", folder / "MODEL_CARD.md", "mean JS", round(moved["mean"], 4))


if __name__ == "__main__":
    main()
