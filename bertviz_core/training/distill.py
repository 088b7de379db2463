"""Distil the bundled MiniLM BERT into a student (see bertviz_core.models.student for the kinds).

    python -m bertviz_core.training.distill --corpus ../shared/data/corpora --out runs/convbert
    python -m bertviz_core.training.distill --student distilbert3 --corpus ../shared/data/corpora --out runs/distilbert3

Seeded and resumable: a checkpoint is written every `--save-every` steps and
picked up again when the same command is run with the same `--out`. The
finished student is written to `--out` in the compact format of
`bertviz_core.models.student` together with `training_log.json` (loss curve, held-out
cosine, wall time).

Loss per batch (masks leave out padding):
    sum over student layers l of MSE(h_student[l], h_teacher[teacher_layer_of(l)])
  + KL(teacher heads 0-5 || student attention heads), the heads the student kept
    ("convbert" only: attention transfer; "convbert-free", "deberta" and the DistilBERT kinds have none)
  + cos_weight (1 - cos(mean-pooled student, mean-pooled teacher)), the quality metric itself
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from bertviz_core.inputs import conllu
from bertviz_core.inputs import text as text_input
from bertviz_core.models import student as st
from bertviz_core.models import tinybert
from bertviz_core.models.pooling import mean_pool, pooled_cosines
from bertviz_core.training import data as training_data
from bertviz_core.training import tinybert as tinybert_loss
from bertviz_core.training.data import augment_sentences, collate, crop_short, make_examples

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

CHECKPOINT = "checkpoint.pt"
LOG = "training_log.json"


def distillation_loss(
    s_out: Any,
    t_out: Any,
    mask: torch.Tensor,
    kept_heads: int,
    cos_weight: float = 2.0,
    teacher_layers: list[int] | None = None,
    attention: bool = True,
) -> tuple[torch.Tensor, dict[str, float]]:
    """(loss, its parts: hidden, attn, cos) of the student's outputs `s_out` against the teacher's `t_out`
    (model outputs with hidden_states, attentions when `attention`, last_hidden_state).
    teacher_layers[l]: the teacher layer student layer l imitates (default: the same index)."""
    m = mask.unsqueeze(-1).float()  # [B, T, 1]
    n = m.sum() * s_out.hidden_states[0].shape[-1]
    layers = teacher_layers or list(range(len(s_out.hidden_states) - 1))
    hidden = sum(
        ((s_out.hidden_states[l + 1] - t_out.hidden_states[tl + 1]) ** 2 * m).sum() / n for l, tl in enumerate(layers)
    )
    attn = torch.zeros(())
    if attention:
        rows = mask.float()[:, None, :, None]  # [B, 1, T, 1] valid query rows
        for s, t in zip(s_out.attentions, t_out.attentions):  # s [B, 6, T, T], t [B, 12, T, T]
            t = t[:, :kept_heads]
            kl = (t * (torch.log(t + 1e-9) - torch.log(s + 1e-9)) * rows).sum()
            attn = attn + kl / (rows.sum() * kept_heads)
        attn = attn / len(s_out.attentions)
    cos = torch.nn.functional.cosine_similarity(
        mean_pool(s_out.last_hidden_state, mask), mean_pool(t_out.last_hidden_state, mask)
    ).mean()
    total = hidden + attn + cos_weight * (1 - cos)
    return total, {"hidden": hidden.item(), "attn": attn.item(), "cos": cos.item()}


def pooled_cosine(
    student: torch.nn.Module,
    teacher: torch.nn.Module,
    tokenizer: PreTrainedTokenizerBase,
    sentences: list[str],
    batch: int = 64,
) -> float:
    """Mean cosine between teacher and student mean-pooled sentence embeddings."""
    return sum(pooled_cosines(student, teacher, tokenizer, sentences, batch)) / len(sentences)


@dataclass(frozen=True)
class Settings:
    """The hyperparameters of one invocation (see run)."""

    steps: int = 1500
    batch: int = 32
    max_len: int = 64
    lr: float = 3e-4
    warmup: int = 50
    seed: int = 0
    save_every: int = 50
    eval_every: int = 100
    cos_weight: float = 2.0
    short_frac: float = 0.0
    kind: str = "convbert"
    output_from: int | None = None  # "tinybert4": the step its output stage starts (None: never)


@dataclass
class Session:
    """What a run holds between steps: the models, the optimizer and its schedule, the examples and the log."""

    out_dir: Path
    tokenizer: PreTrainedTokenizerBase
    teacher: PreTrainedModel
    student: PreTrainedModel
    trainable: list[torch.nn.Parameter]
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    examples: list[list[int]]
    teacher_layers: list[int]
    attention_loss: bool  # "convbert" only: the others learn their attention by themselves
    log: dict[str, Any]
    start_step: int = 0
    projections: tinybert.Projections | None = None  # "tinybert4": W_e and W_h, trained with it


def load_models(
    kind: str, out_dir: Path, init_from: str | None = None
) -> tuple[PreTrainedTokenizerBase, PreTrainedModel, PreTrainedModel, bool]:
    """(tokenizer, teacher, student, attention_loss): the frozen teacher and a student initialised from it,
    or from the student folder `init_from` when `out_dir` holds no checkpoint yet."""
    from transformers import AutoTokenizer, BertModel

    config = st.student_config(kind)  # an unknown kind fails here, before any weights are read
    attention_loss = st.uses_attention_transfer(kind)  # the others learn their attention by themselves
    tokenizer = AutoTokenizer.from_pretrained(st.teacher_path())
    teacher = BertModel.from_pretrained(
        st.teacher_path(), attn_implementation="eager" if attention_loss else "sdpa"
    ).eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    student = st.new_student(config)
    st.init_from_teacher(student, st.teacher_state(), kind=kind)
    if init_from and not (out_dir / CHECKPOINT).exists():
        if st.student_kind(init_from) != kind:
            raise SystemExit(f"{init_from} holds a {st.student_kind(init_from)!r} student, not {kind!r}.")
        student.load_state_dict(st.load_student(init_from).state_dict())
    return tokenizer, teacher, student, attention_loss


def make_optimizer(
    student: torch.nn.Module, settings: Settings, extra: list[torch.nn.Parameter] | None = None
) -> tuple[list[torch.nn.Parameter], torch.optim.AdamW, torch.optim.lr_scheduler.LambdaLR]:
    """(trainable parameters: the student's unfrozen ones and `extra`, AdamW, its schedule: linear warm-up, then
    cosine decay to 0 at settings.steps)."""
    student.eval()  # dropout off; gradients still flow
    for n, p in student.named_parameters():
        p.requires_grad_(not st.is_frozen(student, n))
    trainable = [p for p in student.parameters() if p.requires_grad] + list(extra or [])
    optimizer = torch.optim.AdamW(trainable, lr=settings.lr, weight_decay=0.01)
    steps, warmup = settings.steps, settings.warmup

    def schedule(step: int) -> float:
        return min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(step, steps) / steps))

    return trainable, optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)


def resume(session: Session, kind: str) -> None:
    """Continue from the checkpoint in session.out_dir, if any: weights, optimizer, schedule, step and log."""
    ckpt = session.out_dir / CHECKPOINT
    if not ckpt.exists():
        return
    saved = torch.load(ckpt, weights_only=False)  # our own file, written by save_checkpoint
    session.student.load_state_dict(saved["student"])
    session.optimizer.load_state_dict(saved["optimizer"])
    session.scheduler.load_state_dict(saved["scheduler"])
    session.start_step, session.log = saved["step"], saved["log"]
    if session.projections is not None:
        session.projections.load_state_dict(saved["projections"])
    if session.log["config"].get("kind", "convbert") != kind:
        raise SystemExit(
            f"{session.out_dir} holds a {session.log['config'].get('kind', 'convbert')!r} run, not {kind!r}."
        )


def setup(
    corpus_dir: str,
    out: str,
    settings: Settings,
    *,
    threads: int | None = None,
    init_from: str | None = None,
    extra_sentences: list[str] | None = None,
    augmented: int = 0,
) -> Session:
    """Models, optimizer, examples and log of a run, resumed from its checkpoint when `out` holds one."""
    out_dir = training_data.start_run(out, settings.seed, threads)
    kind = settings.kind
    tokenizer, teacher, student, attention_loss = load_models(kind, out_dir, init_from)
    teacher_layers = [st.teacher_layer_of(kind, l) for l in range(student.config.num_hidden_layers)]
    projections = None
    if kind == tinybert.KIND:
        projections = tinybert.initial_projections(st.teacher_state())
        if init_from and not (out_dir / CHECKPOINT).exists():
            projections = tinybert.load_projections(init_from)
    trainable, optimizer, scheduler = make_optimizer(
        student, settings, list(projections.parameters()) if projections else None
    )

    sentences = text_input.read_text_folder(corpus_dir) + list(extra_sentences or [])
    token_ids = tokenizer(sentences, add_special_tokens=False)["input_ids"]
    examples = make_examples(token_ids, settings.max_len, settings.seed)
    log = {
        "config": {
            "kind": kind,
            "teacher_layers": teacher_layers,
            "corpus": str(corpus_dir),
            "sentences": len(sentences),
            "examples": len(examples),
            "steps": settings.steps,
            "batch": settings.batch,
            "max_len": settings.max_len,
            "lr": settings.lr,
            "seed": settings.seed,
            "threads": torch.get_num_threads(),
        },
        "steps": [],
        "evals": [],
        "wall_seconds": 0.0,
    }
    session = Session(
        out_dir,
        tokenizer,
        teacher,
        student,
        trainable,
        optimizer,
        scheduler,
        examples,
        teacher_layers,
        attention_loss,
        log,
        projections=projections,
    )
    resume(session, kind)
    # every invocation is recorded, so a resumed or extended run says how it was made
    session.log.setdefault("phases", []).append(
        {
            "from_step": session.start_step,
            "steps": settings.steps,
            "lr": settings.lr,
            "cos_weight": settings.cos_weight,
            "batch": settings.batch,
            "max_len": settings.max_len,
            "seed": settings.seed,
            "short_frac": settings.short_frac,
            "output_from": settings.output_from,
            "init_from": str(init_from) if init_from and session.start_step == 0 else None,
            "extra_sentences": len(extra_sentences or []),
            "augmented_sentences": augmented,
        }
    )
    return session


def train_step(session: Session, settings: Settings, step: int) -> tuple[float, dict]:
    """One optimizer step on the batch of (seed, step): (loss, its parts: hidden, attn, cos)."""
    rng = random.Random(settings.seed * 1_000_003 + step)  # batch depends only on (seed, step): resumable
    chosen = [
        crop_short(e, rng) if rng.random() < settings.short_frac else e
        for e in rng.sample(session.examples, settings.batch)
    ]
    ids, mask = collate(chosen, session.tokenizer.cls_token_id, session.tokenizer.sep_token_id)
    kwargs = {
        "input_ids": ids,
        "attention_mask": mask,
        "output_hidden_states": True,
        "output_attentions": session.attention_loss,
    }
    with torch.no_grad():
        t_out = session.teacher(**kwargs)
    s_out = session.student(**kwargs)
    if session.projections is not None:
        loss, parts = tinybert_loss.loss(
            session.student,
            session.teacher,
            session.projections,
            s_out,
            t_out,
            mask,
            output_stage=settings.output_from is not None and step >= settings.output_from,
            cos_weight=settings.cos_weight,
        )
    else:
        loss, parts = distillation_loss(
            s_out,
            t_out,
            mask,
            kept_heads=st.TEACHER_HEADS // 2,
            cos_weight=settings.cos_weight,
            teacher_layers=session.teacher_layers,
            attention=session.attention_loss,
        )
    session.optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(session.trainable, 1.0)
    session.optimizer.step()
    session.scheduler.step()
    return loss.item(), parts


def evaluate(session: Session, step: int, eval_sentences: list[str] | None) -> None:
    """Held-out cosine of the student to the teacher on `eval_sentences` (if any), into the log."""
    if eval_sentences:
        model: torch.nn.Module = session.student
        if session.projections is not None:  # a narrower student is compared through W_h
            model = tinybert.Projected(session.student, session.projections)
        cosine = pooled_cosine(model, session.teacher, session.tokenizer, eval_sentences)
        session.log["evals"].append({"step": step, "heldout_cosine": cosine})


def save_checkpoint(session: Session, step: int) -> None:
    """Weights, optimizer, schedule, step and log, written atomically to out_dir/CHECKPOINT."""
    state = {
        "student": session.student.state_dict(),
        "optimizer": session.optimizer.state_dict(),
        "scheduler": session.scheduler.state_dict(),
        "step": step,
        "log": session.log,
        "projections": session.projections.state_dict() if session.projections is not None else None,
    }
    training_data.save_atomically(state, session.out_dir / CHECKPOINT)


def run(
    corpus_dir: str,
    out: str,
    eval_sentences: list[str] | None = None,
    threads: int | None = None,
    progress: bool = True,
    init_from: str | None = None,
    extra_sentences: list[str] | None = None,
    augmented: int = 0,
    **settings: Any,
) -> Path:
    """Train (or go on training) a student into `out`; `settings`: the fields of Settings (steps, batch, kind, ...).
    `init_from`: a student folder (e.g. shipped interim weights) to start from instead of the
    teacher's weights, when `out` holds no checkpoint yet (the optimizer then starts afresh)."""
    from tqdm import tqdm

    config = Settings(**settings)
    steps, kind = config.steps, config.kind
    session = setup(
        corpus_dir,
        out,
        config,
        threads=threads,
        init_from=init_from,
        extra_sentences=extra_sentences,
        augmented=augmented,
    )
    log = session.log
    if session.start_step == 0:
        evaluate(session, 0, eval_sentences)
    bar = tqdm(
        range(session.start_step, steps),
        initial=session.start_step,
        total=steps,
        disable=not progress,
        desc="distilling",
    )
    t0 = time.time() - log["wall_seconds"]
    for step in bar:
        loss, parts = train_step(session, config, step)
        log["wall_seconds"] = time.time() - t0
        log["steps"].append({"step": step + 1, "loss": loss, **parts, "lr": session.scheduler.get_last_lr()[0]})
        bar.set_postfix(loss=f"{loss:.4f}", **{k: f"{v:.4f}" for k, v in parts.items() if k == "cos"})
        if (step + 1) % config.eval_every == 0 or step + 1 == steps:
            evaluate(session, step + 1, eval_sentences)
            if log["evals"]:
                bar.write(f"step {step + 1}: held-out cosine {log['evals'][-1]['heldout_cosine']:.4f}")
        if (step + 1) % config.save_every == 0 or step + 1 == steps:
            save_checkpoint(session, step + 1)

    st.save_student(session.student, session.out_dir, kind=kind)
    if session.projections is not None:
        tinybert.save_projections(session.projections, session.out_dir)
    (session.out_dir / LOG).write_text(json.dumps(log, indent=1))
    return session.out_dir


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--student",
        default="convbert",
        choices=[k for k in st.KINDS if not st.has_head(k)],  # a student with a head: training.mlm, .electra
        help="convbert: attention transfer from BERT heads 0-5 (convbert-minilm-l6); "
        "convbert-free: no attention loss, query/key not copied; "
        "distilbert3: 3-layer DistilBERT from teacher layers 0, 3, 5 (distilbert-minilm-l3); "
        "distilbert2, distilbert4: 2 and 4 layers, the depth curve (teacher layers 0, 5 and 0, 2, 3, 5); "
        "tinybert4: TinyBERT-4's shape (hidden 312), TinyBERT's layer-to-layer losses (tinybert-minilm-l4); "
        "deberta: DeBERTa-v2 with relative positions only, no attention loss (deberta-minilm-l6)",
    )
    ap.add_argument(
        "--init-from", help="student folder to start from (no checkpoint in --out yet), e.g. shipped interim weights"
    )
    ap.add_argument("--corpus", required=True, help="folder of .txt files (searched recursively)")
    ap.add_argument("--out", required=True, help="output folder (checkpoint + finished student)")
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--max-len", type=int, default=64)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--save-every", type=int, default=50)
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--eval-conllu", help="CoNLL-U file whose sentences monitor held-out cosine")
    ap.add_argument("--eval-n", type=int, default=256)
    ap.add_argument(
        "--extra-conllu",
        help="CoNLL-U file whose sentences join the training text; when it is the "
        "--eval-conllu file, its first --eval-n sentences (the monitor) are left out",
    )
    ap.add_argument(
        "--augment",
        type=int,
        default=0,
        help="also train on this many variants of each --extra-conllu sentence, content words "
        "swapped for others of the same part of speech (TinyBERT-style augmentation)",
    )
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--cos-weight", type=float, default=2.0, help="weight of 1 - cos(mean-pooled) in the loss")
    ap.add_argument(
        "--short-frac",
        type=float,
        default=0.0,
        help="fraction of examples cropped to a random window of 1-12 word pieces",
    )
    ap.add_argument(
        "--output-from",
        type=int,
        default=None,
        help="tinybert4: the step from which the loss is the output stage (pooled cosine) instead of the layers",
    )
    a = ap.parse_args(argv)
    eval_sentences = None
    if a.eval_conllu:
        eval_sentences = conllu.conllu_sentences(Path(a.eval_conllu).read_text(encoding="utf-8"))[: a.eval_n]
    extra, variants = None, []
    if a.extra_conllu:
        text = Path(a.extra_conllu).read_text(encoding="utf-8")
        extra = conllu.conllu_sentences(text)
        words = conllu.conllu_words(text)
        if a.eval_conllu and Path(a.extra_conllu).resolve() == Path(a.eval_conllu).resolve():
            extra, words = extra[a.eval_n :], words[a.eval_n :]  # the monitor is neither trained on nor a word source
        if a.augment:
            variants = augment_sentences(words, a.augment, seed=a.seed)
            extra += variants
    fields = ("steps", "batch", "max_len", "lr", "seed", "save_every", "eval_every", "cos_weight", "short_frac")
    run(
        a.corpus,
        a.out,
        eval_sentences=eval_sentences,
        threads=a.threads,
        init_from=a.init_from,
        extra_sentences=extra,
        augmented=len(variants),
        kind=a.student,
        output_from=a.output_from,
        **{f: getattr(a, f) for f in fields},
    )


if __name__ == "__main__":
    main()
