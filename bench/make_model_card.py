"""Write the model card and loss-curve plot of an in-house ConvBERT student from its training log,
the quality benchmark (bench/out/quality.json for convbert-minilm-l6, quality-<model>.json for
others) and a measurement of how close its attention heads are to the teacher's.

    python bench/make_model_card.py                                   # convbert-minilm-l6
    python bench/make_model_card.py --model convbert-minilm-l6-free   # the free student
    python bench/make_model_card.py --provenance-only                 # only (re)write the card's
                                                                      # "Provenance" section
"""

from __future__ import annotations

import argparse
import json
import re

import common

from bertviz_core.models.registry import WEIGHTS_DIR
from bertviz_core.models.student import DISTIL_LAYERS

DISTIL_KINDS = tuple(DISTIL_LAYERS)

TEACHER = "bert-minilm-l6"
PROVENANCE_SENTENCES = 100  # UD EWT test sentences for the head-similarity measurement


def plot(log, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [s["step"] for s in log["steps"]]
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.2), dpi=90)
    ax[0].plot(steps, [s["loss"] for s in log["steps"]], lw=0.8, label="total")
    ax[0].plot(steps, [s["hidden"] for s in log["steps"]], lw=0.8, label="hidden MSE")
    if any(s.get("attn", 0) for s in log["steps"]):
        ax[0].plot(steps, [s["attn"] for s in log["steps"]], lw=0.8, label="attention KL")
    ax[0].set_xlabel("step")
    ax[0].set_title("training loss")
    ax[0].legend()
    ax[0].set_yscale("log")
    ax[1].plot(steps, [s["cos"] for s in log["steps"]], lw=0.6, alpha=0.5, label="train batch")
    ax[1].plot(
        [e["step"] for e in log["evals"]], [e["heldout_cosine"] for e in log["evals"]], "o-", label="EWT dev (held out)"
    )
    ax[1].set_xlabel("step")
    ax[1].set_title("mean-pooled cosine to the teacher")
    ax[1].legend()
    ax[1].set_ylim(0.6, 1.0)
    fig.tight_layout()
    fig.savefig(path)


def student_kind_of(model_id: str) -> str:
    from bertviz_core.models import student

    return student.student_kind(WEIGHTS_DIR / model_id)


def head_similarity(model_id: str, n_sentences: int = PROVENANCE_SENTENCES) -> dict:
    """JS divergence between the student's attention head Hk and the teacher's Hk (same layer, same
    index) against the teacher's other heads of that layer, averaged over UD EWT test sentences."""
    import numpy as np
    import torch

    import bertviz_core as bc
    from bertviz_core.analysis import compare
    from bertviz_core.inputs import conllu
    from bertviz_core.models import student as student_mod

    torch.set_num_threads(1)  # a busy shared CPU: more threads spin and slow everyone down
    path = common.SHARED / "ud-english-ewt" / "en_ewt-ud-test.conllu"
    sentences = conllu.conllu_sentences(path.read_text(encoding="utf-8"))[:n_sentences]
    teacher, student = bc.load_model(TEACHER), bc.load_model(model_id)
    same, other = [], []
    for s in sentences:
        a, b = bc.capture(teacher, s), bc.capture(student, s)
        kind = student_kind_of(model_id)
        for layer in range(b.n_layers):
            t_layer = student_mod.teacher_layer_of(kind, layer)  # distilbert3: layers 0, 1, 2 imitate 0, 3, 5
            js = compare.head_js_matrix(b.attentions[layer], a.attentions[t_layer])  # [student heads, teacher heads]
            k = np.arange(b.n_heads)
            same.append(js[k, k].mean())
            mask = np.ones_like(js, bool)
            mask[k, k] = False
            other.append(js[mask].mean())
    return {"sentences": len(sentences), "same_index_js": float(np.mean(same)), "other_heads_js": float(np.mean(other))}


def provenance_section(kind: str, measured: dict | None) -> str:
    if kind == "convbert":
        how = (
            "The six attention heads H0-H5 started as **copies of the teacher's heads H0-H5** (query, key and "
            "value) and were trained with a KL loss to reproduce those heads' attention (attention transfer, "
            "as in TinyBERT, Jiao et al. 2020). The six convolution heads' values started from the teacher's "
            "heads H6-H11; their kernel generator started random and learned only through the hidden-state and "
            "cosine losses."
        )
        implication = (
            "So when `/compare` shows this model's H0-H5 matching BERT's H0-H5 (JS near 0), that is the "
            "**training target, not a finding** about ConvBERT: do not read it as \"ConvBERT keeps BERT's "
            'heads". What the conv heads do, and which BERT heads they resemble, was not trained directly '
            "(though their values start from heads 6-11). To see what ConvBERT's attention heads learn by "
            "themselves, compare with `convbert-minilm-l6-free`. `/compare` states this beside the teacher."
        )
    elif kind in DISTIL_KINDS:
        n, layers = len(DISTIL_LAYERS[kind]), words(DISTIL_LAYERS[kind])
        how = (
            f"A {n}-layer DistilBERT whose layers {words(range(n))} started as **copies of the teacher's layers "
            f"{layers}** (all 12 heads each, DistilBERT-style initialisation from teacher layers, Sanh et al. 2019), "
            f"trained on hidden states (student layer l against the output of the l-th of teacher layers {layers}) and the pooled "
            "output; no attention loss."
        )
        implication = (
            "So its heads start as the teacher's heads of those layers; where they still match (JS near 0), "
            "that is inherited, not rediscovered. `/compress` and `/compare` show how far training moved them."
        )
    elif kind == "deberta":
        how = (
            "No attention loss: the student learned from the teacher's hidden states and mean-pooled output only. "
            "Its query, key and value projections **started as the teacher's** (same 12-head layout), but its "
            "scores are not BERT's: BERT's learned absolute positions are gone (no position embedding is added), "
            "and two relative-position terms (c2p, p2c, over a new, randomly initialised table of 256 log "
            "buckets) join the content term from the first step."
        )
        implication = (
            "So where a head still resembles the teacher's head of the same index (JS near 0), that is partly "
            "inherited from the copied projections; where it differs, DeBERTa's own position terms moved it. "
            "`/deberta` shows, head by head, how much of each score comes from c2c, c2p and p2c."
        )
    else:
        how = (
            "No attention loss: the student learned from hidden states and the pooled output only. Its attention "
            "heads' **query and key were not copied** (random start); their value projections were copied from "
            "the teacher's heads H0-H5, and the convolution heads' values from heads H6-H11."
        )
        implication = (
            "So a match between this model's attention heads and BERT's is learned, not copied (a head's "
            "value projection does start from BERT's head of the same index, which may bias the role it "
            "takes). Compare it with `convbert-minilm-l6` (attention transfer) to separate what training "
            "imposed from what ConvBERT's mixed attention learns by itself."
        )
    lines = ["## Provenance: what comparisons with the teacher can show", "", how, "", implication]
    if measured:
        lines += [
            "",
            (
                f"Measured on {measured['sentences']} UD English EWT test sentences "
                "(`bench/make_model_card.py`): mean Jensen-Shannon divergence between this model's attention "
                f"head Hk and the teacher's Hk of the same layer **{measured['same_index_js']:.4f}**, against "
                f"{measured['other_heads_js']:.4f} to the teacher's other heads of that layer (0 = identical "
                "rows, log 2 = 0.693 = disjoint)."
            ),
        ]
    return "\n".join(lines) + "\n"


def write_provenance_only(folder, kind: str, measured: dict) -> None:
    """Insert or replace the Provenance section of an existing card (after Initialisation)."""
    path = folder / "MODEL_CARD.md"
    card = path.read_text()
    section = provenance_section(kind, measured)
    existing = re.search(r"^## Provenance.*?(?=^## )", card, flags=re.DOTALL | re.MULTILINE)
    if existing:
        card = card[: existing.start()] + section + "\n" + card[existing.end() :]
    else:
        at = card.index("\n## Training")
        card = card[:at] + "\n" + section.rstrip("\n") + "\n" + card[at:]
    path.write_text(card)
    print("updated", path)


INIT = {
    "convbert": (
        "From the teacher wherever shapes match: embeddings, LayerNorms, feed-forward, attention output\n"
        "projection; query/key/value of the 6 attention heads = the teacher's heads 0-5; the convolution\n"
        "heads' value projection (`conv_out_layer`) = the teacher's value rows of heads 6-11. The kernel\n"
        "generator (`key_conv_attn_layer`, `conv_kernel_layer`) starts random."
    ),
    "convbert-free": (
        "From the teacher wherever shapes match: embeddings, LayerNorms, feed-forward, attention output\n"
        "projection; the value of the 6 attention heads = the teacher's heads 0-5, their **query and key\n"
        "random** (not copied); the convolution heads' value projection (`conv_out_layer`) = the\n"
        "teacher's value rows of heads 6-11. The kernel generator starts random."
    ),
    "deberta": (
        "Every tensor with a same-shaped counterpart in the teacher: the word embeddings and their LayerNorm,\n"
        "each layer's query/key/value (`query_proj`, `key_proj`, `value_proj`), attention output, feed-forward and\n"
        "LayerNorms (99 of 102 tensors). New and random: the relative-position table (`encoder.rel_embeddings`,\n"
        "2 x 256 buckets) and its LayerNorm. No absolute position table (`position_biased_input` off), no token types."
    ),
}
LOSS = {
    "convbert": (
        "per-layer hidden-state MSE (layers 1-6) + KL(teacher heads 0-5 || student attention heads)\n"
        "  + w x (1 - cosine of the mean-pooled last layer), w = 2 (phases 1-3) then 5 (phases 4-5)."
    ),
    "convbert-free": (
        "per-layer hidden-state MSE (layers 1-6) + w x (1 - cosine of the mean-pooled last layer);\n"
        "  **no attention loss**."
    ),
    "deberta": (
        "per-layer hidden-state MSE (layers 1-6) + w x (1 - cosine of the mean-pooled last layer), w = 5;\n"
        "  **no attention loss**: its heads find their own patterns."
    ),
}
CONV_INTRO = """A ConvBERT encoder distilled in this project from the bundled BERT (all-MiniLM-L6-v2), so that
BERT's attention heads and ConvBERT's convolution heads can be compared token by token offline.

## Architecture
ConvBERT (transformers `ConvBertModel`): 6 layers, hidden 384, `num_attention_heads=12` with
`head_ratio=2`, i.e. **6 self-attention heads + 6 span-based dynamic convolution heads** per layer
(head size 32, kernel 9), feed-forward 1536, `embedding_size=384`, `pad_token_id=0`. Same uncased
WordPiece tokenizer as the teacher: both models split every sentence identically."""
INTRO = {
    "convbert": CONV_INTRO,
    "convbert-free": CONV_INTRO,
    "deberta": """A DeBERTa-v2 encoder distilled in this project from the bundled BERT (all-MiniLM-L6-v2), so that
DeBERTa's disentangled attention (He et al., 2021) can be seen term by term offline: every score is the sum of
content-to-content, content-to-position and position-to-content terms over relative positions.

## Architecture
DeBERTa-v2 (transformers `DebertaV2Model`, `model_type` `deberta-v2`): 6 layers x 12 heads, hidden 384,
feed-forward 1536; relative attention with `pos_att_type` c2p and p2c, `position_buckets` 256 (exact up to
distance 128, logarithmic beyond), `share_att_key` on (positions are projected by the content query/key
projections), **no absolute position embedding** (`position_biased_input` off), `norm_rel_ebd` layer_norm.
The teacher's uncased WordPiece tokenizer: both models split every sentence identically.""",
}
TARGET_NOTE = """

**Below the project's 0.95 target: an interim student.** Its training text is formal speeches, and the
test sentences are web text (reviews, e-mails, short lines); the dev cosine was still rising slowly at the
last step. The next phase adds the UD EWT *dev* sentences to the training text (`--extra-conllu`, the
monitored ones left out) and resumes from these weights (`--init-from`)."""
# The shipped convbert-minilm-l6 run, told in words (later runs are listed from their log's phases).
CONVBERT_RUN = """- How the run went (one run, resumed from its checkpoint; every flag is in the command below):
  1. `--steps 1500`, stopped at step 250 to shorten the schedule to the session's CPU budget;
  2. resumed with `--steps 1000` to step 1000: held-out *test* cosine 0.9328, with short inputs
     the weak spot (sentences of at most 6 word pieces: 0.889; "Thanks!", "my bad.");
  3. resumed with `--steps 1500 --short-frac 0.35`: 35% of examples cropped to a random window of
     1-12 word pieces of a speech sentence (the learning rate continues the cosine schedule):
     test cosine 0.9441;
  4. resumed with `--steps 2100 --short-frac 0.4 --cos-weight 5`: test cosine 0.9492;
  5. resumed with `--steps 3000` and the same flags: the cosine schedule, stretched to 3000 steps,
     restarts at 0.21 x the peak learning rate and decays to 0 again: test cosine as below.
- Command (final phase): `python -m bertviz_core.training.distill --corpus ../shared/data/corpora --out runs/convbert
  --steps 3000 --short-frac 0.4 --cos-weight 5 --threads 2 --eval-conllu ../shared/data/ud-english-ewt/en_ewt-ud-dev.conllu`"""


def phases_text(log) -> str:
    def row(i, p):
        text = (
            f"  {i}. from step {p['from_step']} with `--steps {p['steps']}`, lr {p['lr']}, cos weight {p['cos_weight']}, "
            f"batch {p['batch']}, max length {p['max_len']}, short fraction {p['short_frac']}, seed {p['seed']}"
        )
        if p.get("note"):
            text += f"; {p['note']}"
        if p.get("extra_sentences"):
            own = p["extra_sentences"] - p.get("augmented_sentences", 0)
            text += f", plus {own:,} UD EWT dev sentences (`--extra-conllu`, the monitored ones left out)"
        if p.get("augmented_sentences"):
            text += (
                f" and {p['augmented_sentences']:,} variants of them (`--augment`: content words swapped for "
                "other words of the same part of speech)"
            )
        return text

    rows = [row(i, p) for i, p in enumerate(log.get("phases", []), 1)]
    return "- Phases, from the training log:\n" + "\n".join(rows)


def conversion_text(folder) -> str:
    """What bench/convert_bert3.py measured when it converted this folder's student (if it did)."""
    path = folder / "conversion.json"
    if not path.is_file():
        return ""
    c = json.loads(path.read_text())
    return (
        f"the two give the same last hidden states on the first {c['sentences']} UD EWT test sentences to "
        f"{c['max_abs_diff_last_hidden']:.1e} (largest absolute difference, `bench/convert_bert3.py`)."
    )


def words(numbers) -> str:
    """0, 3, 5 -> "0, 3 and 5"."""
    items = [str(x) for x in numbers]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def distil_texts(kind: str, folder, log) -> dict[str, str]:
    """The card's words for a DistilBERT student of kind `kind` (distilbert2, -3, -4): intro, init, loss."""
    n, layers = len(DISTIL_LAYERS[kind]), DISTIL_LAYERS[kind]
    converted = (folder / "conversion.json").is_file()
    how_built = (
        f"It was trained as a {n}-layer `BertModel` (kind `bert{n}`, the training log's name) and converted **exactly** "
        "to `DistilBertModel` afterwards (`bertviz_core.models.student.bert_to_distilbert`: layers renamed, token "
        f"type 0 folded into the position embeddings, the unused pooler dropped); {conversion_text(folder)}"
        if converted
        else "It was built and trained as a `DistilBertModel` from the start (`bertviz_core.models.student."
        "bert_to_distilbert` copies the teacher's tensors into it: layers renamed, token type 0 folded into the "
        "position embeddings)."
    )
    others = [len(v) for k, v in DISTIL_LAYERS.items() if k != kind]
    siblings = f"its {words(others)}-layer siblings".replace(" and ", "- and ")
    role = {2: "the shallow end of the depth curve", 3: "half the layers", 4: "two thirds of the layers"}[n]
    intro = f"""A {n}-layer DistilBERT distilled in this project from the bundled BERT (all-MiniLM-L6-v2), for the
distillation chapter of the compression lesson (DistilBERT, Sanh et al. 2019): {role}, what does it keep?
With {siblings} (same data, steps and loss) it draws /compress's depth curve.

## Architecture
DistilBERT (transformers `DistilBertModel`, `model_type` `distilbert`): **{n} layers** x 12 heads, hidden 384,
feed-forward 1536, GELU; like DistilBERT, no token-type embeddings and no pooler. The teacher's embeddings and
uncased WordPiece tokenizer (both models split every sentence identically).

{how_built} The folded position embeddings are stored with the student (fp32, 0.8 MB); the word embeddings and
their LayerNorm are still read from the teacher."""
    evals = log.get("evals") or [{}]
    if evals[0].get("step") != 0:
        raise SystemExit("the training log has no held-out cosine at step 0 (the copied, untrained layers)")
    start = evals[0]["heldout_cosine"]
    weights = sorted({p["cos_weight"] for p in log.get("phases", [])}) or [log["config"].get("cos_weight")]
    init = (
        "Embeddings from the teacher, its token-type embedding of type 0 added to the position embeddings\n"
        "(DistilBERT has no token types: the sum is what BERT adds for a one-segment input, so nothing is lost);\n"
        f"student layer {words(range(n))} = teacher layer {words(layers)} (every tensor: attention, feed-forward, "
        f"LayerNorms).\nCopied without training, these {n} layers give a mean-pooled cosine of {start:.2f} to the "
        "full teacher (EWT dev, step 0 below)."
    )
    loss = (
        f"hidden-state MSE of student layer l's output against the output of the l-th of teacher layers "
        f"{words(layers)} + w x (1 - cosine of the\n  mean-pooled last layer), w = {words(weights)}; no attention loss "
        "(DistilBERT's recipe without its MLM terms: the\n  teacher has no MLM head)."
    )
    return {"intro": intro, "init": init, "loss": loss}


def distil_quality(model_id: str) -> dict:
    """Held-out quality of a DistilBERT student as bench/bench_students.py measured it, in the card's keys."""
    from bertviz_core.analysis import students

    row = ((students.results() or {}).get("students") or {}).get(model_id)
    if not row:
        raise SystemExit(f"{model_id}: no held-out quality measured yet; run bench/bench_students.py first.")
    return {"sentences": row["n"], "heldout_cosine": row["cosine"], "ci95": [row["low"], row["high"]]}


def quality_section(quality: dict, distil: bool, by_length: str) -> str:
    """The card's Quality section: held-out cosine with its interval, and by sentence length when measured."""
    ci = quality.get("ci95")
    interval = f", 95% interval {ci[0]:.4f}-{ci[1]:.4f} (Student's t over sentences)" if ci else ""
    cosine = quality.get("heldout_cosine", float("nan"))
    bench = "bench/bench_students.py" if distil else "bench/convbert_quality.py"
    text = f"""## Quality
Mean cosine similarity between teacher and student mean-pooled sentence embeddings on
{quality.get("sentences", "?")} UD English EWT **test** sentences (never seen in training), measured on
the shipped fp16 weights by `{bench}`:

**{cosine:.4f}**{interval}"""
    if distil:
        return text + (
            ". /compress draws it beside the other DistilBERT depths and TinyBERT-4 (`bench/RESULTS.md`, "
            '"Distilled students").'
        )
    text += f" (the same student before training: {quality.get('untrained_cosine', float('nan')):.4f})."
    text += TARGET_NOTE if cosine < 0.95 else ""
    return (
        text
        + f"""

By sentence length (word pieces, [CLS] and [SEP] included): where the student is weaker, its heads
are a looser picture of what the teacher does.

| tokens | sentences | cosine |
| --- | --- | --- |
{by_length}"""
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="convbert-minilm-l6")
    parser.add_argument("--provenance-only", action="store_true")
    parser.add_argument("--sentences", type=int, default=PROVENANCE_SENTENCES)
    args = parser.parse_args()
    from bertviz_core.models import student

    folder = WEIGHTS_DIR / args.model
    kind = student.student_kind(folder)
    measured = head_similarity(args.model, args.sentences)
    print(measured)
    if args.provenance_only:
        write_provenance_only(folder, kind, measured)
        return
    write_card(args.model, folder, kind, measured)


def write_card(model_id: str, folder, kind: str, measured: dict) -> None:
    """Write the folder's MODEL_CARD.md and loss_curve.png from its training log and the quality benchmark."""
    log = json.loads((folder / "training_log.json").read_text())
    distil = kind in DISTIL_KINDS
    if distil:
        quality, texts = distil_quality(model_id), distil_texts(kind, folder, log)
        intro, init, loss = texts["intro"], texts["init"], texts["loss"]
    else:
        quality = common.load("quality" if model_id == "convbert-minilm-l6" else f"quality-{model_id}") or {}
        intro, init, loss = INTRO[kind].replace("{conversion}", conversion_text(folder)), INIT[kind], LOSS[kind]
    plot(log, folder / "loss_curve.png")
    cfg = log["config"]
    hours = log["wall_seconds"] / 3600
    evals = "\n".join(f"| {e['step']} | {e['heldout_cosine']:.4f} |" for e in log["evals"])
    by_length = "\n".join(
        f"| {b['tokens']} | {b['sentences']} | {b['cosine']:.4f} |" for b in quality.get("by_length", [])
    )
    run = CONVBERT_RUN if kind == "convbert" else phases_text(log)
    last = (log.get("phases") or [{}])[-1]
    speeches = cfg["sentences"] - last.get("extra_sentences", 0)
    added = (
        (
            f", with {last['extra_sentences']:,} more in the last phase (UD EWT dev sentences and their variants, "
            f"below): {cfg['sentences']:,} in all"
        )
        if last.get("extra_sentences")
        else ""
    )
    card = f"""# {model_id}

{intro}

## Initialisation
{init}

{provenance_section(kind, measured).rstrip()}

## Training
- Data: the public-domain US presidential speeches in `shared/data/corpora` (State of the Union
  1945-2006 and inaugural addresses 1789-2021): {speeches:,} sentences{added}; packed into
  {cfg["examples"]:,} examples of 1-4 consecutive sentences, at most {cfg["max_len"]} word pieces.
- Loss: {loss} Embeddings frozen (so they are not stored).
- AdamW, {"peak lr per phase (below)" if len({p["lr"] for p in log.get("phases", [])}) > 1 else f"lr {cfg['lr']}"}, 50 warm-up steps, cosine decay; batch {cfg["batch"]}; seed {cfg["seed"]};
  {len(log["steps"])} steps; {cfg["threads"]} CPU threads; wall time {hours:.2f} h on a 2-core CPU
  (shared with other work).
{run}

![loss curve](loss_curve.png)

Held-out cosine during training (256 UD English EWT *dev* sentences):

| step | cosine |
| --- | --- |
{evals}

{quality_section(quality, distil, by_length)}

## Storage
`student.safetensors` holds only the tensors that differ from the teacher, in fp16
(about {(folder / "student.safetensors").stat().st_size / 1e6:.0f} MB); the frozen embeddings are read from the bundled teacher package at load time
(`bertviz_base.json` lists them). `bertviz_core.models.student.load_student` rebuilds the full model.

## Limits
A small distilled model for visualisation and teaching: it imitates one teacher's outputs on formal English
(its heads are whatever served that goal); it has no masked-LM head and no task fine-tuning.
License: derived from all-MiniLM-L6-v2 (Apache-2.0).
"""
    (folder / "MODEL_CARD.md").write_text(card)
    print("wrote", folder / "MODEL_CARD.md")


if __name__ == "__main__":
    main()
