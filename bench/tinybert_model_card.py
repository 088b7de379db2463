"""Write the model card and loss-curve plot of `tinybert-minilm-l4` from its training log, the numbers
bench/bench_students.py measured (held-out cosine with its interval, the transfer losses per mapped layer, trained
and at initialisation) and a measurement of how close its heads are to the teacher layer's heads they learned.

    .venv/bin/python bench/bench_students.py          # first: the shipped numbers
    .venv/bin/python bench/tinybert_model_card.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import make_model_card

from bertviz_core.analysis import students
from bertviz_core.models import tinybert

MODEL_ID = students.TINYBERT_ID


def plot(log: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    one = [s for s in log["steps"] if s.get("stage", 1) == 1]
    two = [s for s in log["steps"] if s.get("stage") == 2]
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.2), dpi=90)
    for part, label in (
        ("embedding", "embedding MSE (W_e)"),
        ("hidden", "hidden MSE (W_h), sum of 4"),
        ("attn", "attention-score MSE, sum of 4"),
    ):
        ax[0].plot([s["step"] for s in one], [s[part] for s in one], lw=0.8, label=label)
    if two:
        ax[0].plot([s["step"] for s in two], [s["loss"] for s in two], lw=0.8, label="stage 2: 5 x (1 - cos)")
    ax[0].set_yscale("log")
    ax[0].set_xlabel("step")
    ax[0].set_title("training loss by part")
    ax[0].legend(fontsize=7)
    ax[1].plot([e["step"] for e in log["evals"]], [e["heldout_cosine"] for e in log["evals"]], "o-", ms=3)
    if two:
        ax[1].axvline(two[0]["step"], color="grey", ls="--", lw=0.8)
        ax[1].text(two[0]["step"], ax[1].get_ylim()[0], " output stage", fontsize=7, va="bottom")
    ax[1].set_xlabel("step")
    ax[1].set_title("held-out cosine (EWT dev, through W_h)")
    fig.tight_layout()
    fig.savefig(path)


def transfer_table(row: dict) -> str:
    tr, first = row["transfer"], row["transfer_initial"]
    lines = [
        "| student layer | teacher layer | hidden MSE | at start | attention-score MSE | at start |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| embeddings (W_e) | embeddings | {tr['embedding']:.4f} | {first['embedding']:.4f} | | |",
    ]
    for r, f in zip(tr["layers"], first["layers"], strict=True):
        lines.append(
            f"| L{r['student']} | L{r['teacher']} | {r['hidden']:.4f} | {f['hidden']:.4f} | {r['attention']:.4f} | "
            f"{f['attention']:.4f} |"
        )
    return "\n".join(lines)


def main() -> None:
    folder = students.folder(MODEL_ID)
    log = json.loads((folder / "training_log.json").read_text())
    res = students.results() or {}
    row = res.get("students", {}).get(MODEL_ID)
    if row is None or "transfer" not in row:
        raise SystemExit("run bench/bench_students.py first: no measured numbers for " + MODEL_ID)
    plot(log, folder / "loss_curve.png")
    similarity = make_model_card.head_similarity(MODEL_ID)
    (folder / "head_similarity.json").write_text(json.dumps(similarity, indent=1) + "\n")
    cfg, last = log["config"], log["phases"][-1]
    stage2 = next((s["step"] for s in log["steps"] if s.get("stage") == 2), None)
    evals = "\n".join(
        f"| {e['step']} | {e['heldout_cosine']:.4f} |" for e in log["evals"][:: max(1, len(log["evals"]) // 12)]
    )
    card = f"""# {MODEL_ID}

TinyBERT-4's shape distilled in this project from the bundled BERT (all-MiniLM-L6-v2) by TinyBERT's layer-to-layer
transfer (Jiao et al., Findings of EMNLP 2020), the TinyBERT part of the compression chapter (/compress).

## Architecture
A transformers `BertModel` (`model_type` `bert`): **4 layers x 12 heads, hidden 312, feed-forward 1200**, GELU;
the teacher's uncased WordPiece tokenizer (30,522 words, 512 positions, two token types). {row["params"]:,}
parameters ({row["size_mb"]} MB in fp32) against the teacher's {res["teacher"]["params"]:,}. Beside it ship
TinyBERT's learned projections 312 -> 384 (`projections.safetensors`: W_e for the embeddings, W_h for the hidden
states; {row["projections_params"]:,} parameters), since its sentence embedding is compared with the teacher's
through W_h. `bertviz_core.models.student.load_student` rebuilds the model, `tinybert.load_projections` the
projections.

## Initialisation
Word, position and token-type embeddings: the teacher's, projected on the top 312 principal directions of its word
embeddings (W_e and W_h start as that basis, so a student embedding maps back near the teacher's); embedding
LayerNorm identity; the four transformer layers random (seed {cfg["seed"]}), as TinyBERT's.

## What each student layer learned from
TinyBERT's uniform map g(m) = ceil(m x 6/4): student layers 1-4 learn teacher layers 2, 3, 5, 6 counting from 1 as
the paper does (**L0, L1, L2, L3 <- L{tinybert.LAYER_MAP[0]}, L{tinybert.LAYER_MAP[1]}, L{tinybert.LAYER_MAP[2]},
L{tinybert.LAYER_MAP[3]}** in the app's 0-based names).

## Training
- Data: the public-domain US presidential speeches in `shared/data/corpora` (State of the Union 1945-2006 and
  inaugural addresses 1789-2021): {cfg["sentences"]:,} sentences, packed into {cfg["examples"]:,} examples of 1-4
  consecutive sentences, at most {cfg["max_len"]} word pieces; {round(last["short_frac"] * 100)}% of each batch cropped to
  short windows.
- Stage 1 (steps 1-{(stage2 or len(log["steps"]) + 1) - 1}): TinyBERT's intermediate-layer loss, the sum of the
  embedding MSE through W_e, the hidden-state MSE of each student layer through W_h against its teacher layer, and
  the attention-score MSE (scores before the softmax, over real query-key pairs, head by head) of each student
  layer against its teacher layer. What it copied from its teacher: those targets, and nothing else (no weight of
  a layer; the embeddings only through the PCA start).
- Stage 2 (from step {stage2}): TinyBERT's prediction-layer stage. The teacher is a sentence encoder with no
  prediction layer, so the target is its output: {last["cos_weight"]:g} x (1 - cosine of the mean-pooled last layer
  through W_h to the teacher's).
- AdamW, lr {last["lr"]}, 50 warm-up steps, cosine decay; batch {cfg["batch"]}; {len(log["steps"])} steps;
  {cfg["threads"]} CPU threads; wall time {log["wall_seconds"] / 3600:.2f} h on a 2-core CPU.
- Command: `python -m bertviz_core.training.distill --student tinybert4 --corpus ../shared/data/corpora --out
  runs/tinybert4 --steps {last["steps"]} --output-from {last["output_from"]} --lr {last["lr"]} --cos-weight
  {last["cos_weight"]:g} --short-frac {last["short_frac"]} --seed {last["seed"]} --threads 2 --eval-conllu
  ../shared/data/ud-english-ewt/en_ewt-ud-dev.conllu --eval-n 256 --save-every 50`

![loss curve](loss_curve.png)

Held-out cosine during training (256 UD English EWT *dev* sentences, through W_h):

| step | cosine |
| --- | --- |
{evals}

## Held-out quality
On {row["n"]} UD English EWT **test** sentences (never trained on; `bench/bench_students.py`, {res["measured"]}):
mean cosine of its mean-pooled sentence embedding (through W_h) to the teacher's **{row["cosine"]:.4f}**, 95%
t-interval [{row["low"]:.4f}, {row["high"]:.4f}].

TinyBERT's own losses per mapped layer on the same sentences, trained and at initialisation (MSE per element):

{transfer_table(row)}

## Provenance: what comparisons with the teacher can show
Its layers started random, so any likeness of its heads to the teacher's was put there by the attention-score
loss: a training target, not a finding. Measured on {similarity["sentences"]} UD EWT test sentences
(`bench/tinybert_model_card.py`): mean Jensen-Shannon divergence between its head Hk and the teacher's Hk of the
layer it learned from **{similarity["same_index_js"]:.4f}**, against {similarity["other_heads_js"]:.4f} to that
layer's other heads (0 = identical rows, log 2 = 0.693 = disjoint).

## Limits
A small distilled model for visualisation and teaching: it imitates one teacher on formal English, through a
projection; {len(log["steps"]):,} steps on speeches are far from TinyBERT's general distillation on Wikipedia, so it is a
picture of the method, not a replacement for the teacher. It has no masked-LM head and no task fine-tuning.
License: derived from all-MiniLM-L6-v2 (Apache-2.0).
"""
    (folder / "MODEL_CARD.md").write_text(card)
    print("wrote", folder / "MODEL_CARD.md")


if __name__ == "__main__":
    main()
