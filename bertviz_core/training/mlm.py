"""Continued masked-language-model pretraining of the bundled BERT: `bert-minilm-l6-mlm` (student kind "mlm").

    python -m bertviz_core.training.mlm --corpus ../shared/data/corpora \\
        --extra-conllu ../shared/data/ud-english-ewt/en_ewt-ud-dev.conllu --out runs/mlm --steps 2000

The model is a `BertForMaskedLM` started from the bundled BERT (all-MiniLM-L6-v2, which has no MLM head): every
encoder weight copied, the head's transform (dense + LayerNorm) freshly initialised as BERT's, its decoder tied
to the word embeddings. The embeddings (`bert.embeddings.*`, so the decoder too) stay frozen: the student
keeps only what differs from the teacher (bertviz_core.models.student). The head's own tensors learn at
`--head-lr`, the encoder at `--lr`; linear warm-up, then cosine decay to 0 at `--steps`.

Masking (BERT): 15% of the word pieces ([CLS], [SEP], padding and other special tokens never), of which 80% are
replaced by [MASK], 10% by a random piece and 10% kept; `--whole-word` chooses words instead (a piece and its
following ## pieces, all masked together; 15% of the words, so about 15% of the pieces). The loss is the
cross-entropy of the original pieces at the chosen positions only: the head runs on those positions alone.

Data: the sentences of every `.txt` below `--corpus`, plus those of `--extra-conllu` except its first
`--eval-n` (the monitor: never trained on), packed into examples of 1-4 sentences (training.data.make_examples).
Every `--eval-every` steps the monitor's single masked words are scored (analysis.masked_words: top-1, top-5).

Seeded and resumable like distill: the batch, its masks and the dropout of step s depend only on (seed, s); a
checkpoint (weights, optimizer, schedule, step, log) is written atomically every `--save-every` steps and picked up
again by the same command with the same `--out`; every invocation is appended to log["phases"]. At the end (or
with `--export-only`) the compact student goes to `--export` (default `--out`): config.json, student.safetensors,
bertviz_base.json and training_log.json. Never train on UD EWT test: it is the held-out evaluation
(bench/mlm_quality.py).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from bertviz_core.analysis.masked_words import frequent_pieces, masked_word_accuracy
from bertviz_core.inputs import conllu
from bertviz_core.inputs import text as text_input
from bertviz_core.models import student as st
from bertviz_core.training import data as training_data
from bertviz_core.training.data import collate, make_examples

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

KIND = "mlm"
CHECKPOINT = "checkpoint.pt"
LOG = "training_log.json"
IGNORE = -100  # the label of a position that is not predicted (transformers' convention)
MASK_FRAC, RANDOM_FRAC = 0.8, 0.1  # of the chosen positions: [MASK], a random piece; the rest is kept


@dataclass(frozen=True)
class Settings:
    """The hyperparameters of one invocation (see the module and main's options)."""

    steps: int = 2000
    batch: int = 32
    max_len: int = 128
    lr: float = 1e-4
    head_lr: float = 1e-3
    warmup: int = 100
    weight_decay: float = 0.01
    dropout: float = 0.1
    mask_prob: float = 0.15
    whole_word: bool = False
    seed: int = 0
    save_every: int = 50
    eval_every: int = 200
    eval_max_masks: int | None = None
    chunks: int = 4  # a batch runs as this many pieces of similar length (less padding; the same gradient)
    init_from: str | None = None  # an exported mlm student folder to start from (a new optimizer and schedule)


# ---------------------------------------------------------------- masking
@dataclass(frozen=True)
class Vocab:
    """What masking needs to know of the tokenizer's pieces (boolean tables indexed by piece id)."""

    mask_id: int
    special: torch.Tensor  # [V] never chosen: [CLS], [SEP], [PAD], [UNK], [MASK]
    continuation: torch.Tensor  # [V] "##" pieces: they continue the word before them
    random_pool: torch.Tensor  # the ids a random replacement is drawn from (no special token)


def vocab_tables(tokenizer: PreTrainedTokenizerBase) -> Vocab:
    size = len(tokenizer)
    tokens = tokenizer.convert_ids_to_tokens(list(range(size)))
    special = torch.zeros(size, dtype=torch.bool)
    special[list(tokenizer.all_special_ids)] = True
    continuation = torch.tensor([t.startswith("##") for t in tokens])
    return Vocab(int(tokenizer.mask_token_id), special, continuation, (~special).nonzero().squeeze(1))


def word_index(ids: torch.Tensor, candidates: torch.Tensor, vocab: Vocab, whole_word: bool) -> torch.Tensor:
    """[B, T]: the number (1, 2, ...) of the unit each candidate position belongs to, 0 elsewhere; a unit is a
    piece, or with whole_word a piece and its following ## pieces."""
    starts = candidates
    if whole_word:
        before = torch.nn.functional.pad(candidates[:, :-1], (1, 0), value=False)
        starts = candidates & (~vocab.continuation[ids] | ~before)
    return torch.cumsum(starts.long(), dim=1) * candidates


def mask_tokens(
    ids: torch.Tensor,
    attention_mask: torch.Tensor,
    vocab: Vocab,
    generator: torch.Generator,
    prob: float = 0.15,
    whole_word: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(inputs, labels) for a batch of ids [B, T]: each unit (word_index) chosen with probability `prob`; a chosen
    unit is [MASK] (80%), random pieces (10%) or kept (10%); labels hold the original piece at chosen positions
    and IGNORE elsewhere."""
    candidates = attention_mask.bool() & ~vocab.special[ids]
    unit = word_index(ids, candidates, vocab, whole_word)
    rows, length = ids.shape
    pick = torch.rand(rows, length + 1, generator=generator).gather(1, unit)  # one draw per unit
    how = torch.rand(rows, length + 1, generator=generator).gather(1, unit)
    chosen = candidates & (pick < prob)
    labels = torch.where(chosen, ids, torch.full_like(ids, IGNORE))
    inputs = ids.clone()
    inputs[chosen & (how < MASK_FRAC)] = vocab.mask_id
    randomised = chosen & (how >= MASK_FRAC) & (how < MASK_FRAC + RANDOM_FRAC)
    draws = vocab.random_pool[torch.randint(len(vocab.random_pool), (rows, length), generator=generator)]
    inputs[randomised] = draws[randomised]
    return inputs, labels


def masked_lm_loss(
    model: PreTrainedModel,
    inputs: torch.Tensor,
    attention_mask: torch.Tensor,
    labels: torch.Tensor,
    reduction: str = "mean",
) -> tuple[torch.Tensor, int, int]:
    """(cross-entropy at the labelled positions only, its mean or sum; how many of them the model's first guess
    got; how many): the encoder runs on the whole batch, the head on the labelled positions alone."""
    hidden = getattr(model, model.base_model_prefix)(input_ids=inputs, attention_mask=attention_mask)[0]
    chosen = labels != IGNORE
    target = labels[chosen]
    if not len(target):
        return hidden.sum() * 0.0, 0, 0
    logits = model.get_submodule("cls")(hidden[chosen])  # a BertForMaskedLM's head
    loss = torch.nn.functional.cross_entropy(logits, target, reduction=reduction)
    return loss, int((logits.argmax(-1) == target).sum()), len(target)


# ---------------------------------------------------------------- a run
@dataclass
class Session:
    """What a run holds between steps."""

    out_dir: Path
    tokenizer: PreTrainedTokenizerBase
    model: PreTrainedModel
    trainable: list[torch.nn.Parameter]
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    examples: list[list[int]]
    vocab: Vocab
    log: dict[str, Any]
    start_step: int = 0
    monitor: list[list[tuple[str, str, bool]]] = field(default_factory=list)


def new_model(settings: Settings) -> PreTrainedModel:
    """The bundled BERT's encoder under a fresh MLM head (decoder tied to its word embeddings), or, with
    settings.init_from, every weight of that exported mlm student (to continue its training)."""
    config = st.student_config(KIND)
    config.hidden_dropout_prob = config.attention_probs_dropout_prob = settings.dropout
    model = st.new_student(config, kind=KIND)
    if settings.init_from:
        if not st.is_student_folder(settings.init_from) or st.student_kind(settings.init_from) != KIND:
            raise SystemExit(f"{settings.init_from} is not an exported {KIND!r} student.")
        model.load_state_dict(st.load_student(settings.init_from).state_dict())
    else:
        st.init_from_teacher(model, st.teacher_state(), kind=KIND)
    return model


def make_optimizer(
    model: PreTrainedModel, settings: Settings
) -> tuple[list[torch.nn.Parameter], torch.optim.AdamW, torch.optim.lr_scheduler.LambdaLR]:
    """(trainable parameters, AdamW: the encoder at settings.lr, the head at settings.head_lr, its schedule: linear
    warm-up, then cosine decay to 0 at settings.steps). The embeddings (and the tied decoder) are frozen."""
    encoder: list[torch.nn.Parameter] = []
    head: list[torch.nn.Parameter] = []
    for name, p in model.named_parameters():
        frozen = st.is_frozen(model, name)
        p.requires_grad_(not frozen)
        if not frozen:
            (encoder if name.startswith(model.base_model_prefix + ".") else head).append(p)
    groups = [{"params": encoder, "lr": settings.lr}, {"params": head, "lr": settings.head_lr}]
    optimizer = torch.optim.AdamW(groups, weight_decay=settings.weight_decay)
    steps, warmup = settings.steps, max(settings.warmup, 1)

    def schedule(step: int) -> float:
        return min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(step, steps) / steps))

    return encoder + head, optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)


def read_examples(
    tokenizer: PreTrainedTokenizerBase, corpus_dir: str, extra: list[str], settings: Settings
) -> tuple[list[list[int]], dict[str, Any]]:
    """(examples, what the log says of the data: sizes and the unigram baseline's pieces)."""
    sentences = text_input.read_text_folder(corpus_dir) + extra
    token_ids = tokenizer(sentences, add_special_tokens=False)["input_ids"]
    examples = make_examples(token_ids, settings.max_len, settings.seed)
    top = frequent_pieces(token_ids, tokenizer)
    facts = {
        "corpus": str(corpus_dir),
        "sentences": len(sentences),
        "extra_sentences": len(extra),
        "word_pieces": sum(len(t) for t in token_ids),
        "examples": len(examples),
        "unigram_top": top,
        "unigram_top_tokens": tokenizer.convert_ids_to_tokens(top),
    }
    return examples, facts


def resume(session: Session) -> None:
    """Continue from the checkpoint in session.out_dir, if any: weights, optimizer, schedule, step and log."""
    ckpt = session.out_dir / CHECKPOINT
    if not ckpt.exists():
        return
    saved = torch.load(ckpt, weights_only=False)  # our own file, written by save_checkpoint
    if saved["log"]["config"].get("kind") != KIND:
        raise SystemExit(f"{session.out_dir} holds a {saved['log']['config'].get('kind')!r} run, not {KIND!r}.")
    session.model.load_state_dict(saved["model"])
    session.optimizer.load_state_dict(saved["optimizer"])
    session.scheduler.load_state_dict(saved["scheduler"])
    session.start_step, session.log = saved["step"], saved["log"]


def setup(
    corpus_dir: str,
    out: str,
    settings: Settings,
    *,
    extra: list[str] | None = None,
    monitor: list[list[tuple[str, str, bool]]] | None = None,
    threads: int | None = None,
) -> Session:
    """Model, optimizer, examples and log of a run, resumed from its checkpoint when `out` holds one."""
    from transformers import AutoTokenizer

    out_dir = training_data.start_run(out, settings.seed, threads)
    tokenizer = AutoTokenizer.from_pretrained(st.teacher_path())
    model = new_model(settings)
    model.train()  # dropout on (settings.dropout)
    trainable, optimizer, scheduler = make_optimizer(model, settings)
    examples, facts = read_examples(tokenizer, corpus_dir, list(extra or []), settings)
    log: dict[str, Any] = {
        "config": {"kind": KIND, **facts, "monitor_sentences": len(monitor or []), **asdict(settings)},
        "steps": [],
        "evals": [],
        "wall_seconds": 0.0,
    }
    log["config"]["threads"] = torch.get_num_threads()
    session = Session(
        out_dir, tokenizer, model, trainable, optimizer, scheduler, examples, vocab_tables(tokenizer), log
    )
    session.monitor = list(monitor or [])
    resume(session)
    # every invocation is recorded, so a resumed or extended run says how it was made
    session.log.setdefault("phases", []).append(
        {"from_step": session.start_step, **asdict(settings), "examples": len(examples), "corpus": str(corpus_dir)}
    )
    return session


def step_seed(settings: Settings, step: int) -> int:
    return settings.seed * 1_000_003 + step


def train_step(session: Session, settings: Settings, step: int) -> dict[str, float]:
    """One optimizer step on the batch of (seed, step), masked and dropped out as (seed, step) say."""
    rng = random.Random(step_seed(settings, step))  # batch depends only on (seed, step): resumable
    chosen = sorted(rng.sample(session.examples, min(settings.batch, len(session.examples))), key=len)
    ids, mask = collate(chosen, session.tokenizer.cls_token_id, session.tokenizer.sep_token_id)
    generator = torch.Generator().manual_seed(step_seed(settings, step))
    inputs, labels = mask_tokens(ids, mask, session.vocab, generator, settings.mask_prob, settings.whole_word)
    torch.manual_seed(step_seed(settings, step))  # dropout
    session.optimizer.zero_grad(set_to_none=True)
    n = int((labels != IGNORE).sum())
    total, loss_sum, hits = max(n, 1), 0.0, 0
    for rows in torch.arange(len(chosen)).chunk(max(settings.chunks, 1)):  # rows sorted by length: trim padding
        width = int(mask[rows].sum(1).max())
        part, part_hits, _ = masked_lm_loss(
            session.model, inputs[rows, :width], mask[rows, :width], labels[rows, :width], reduction="sum"
        )
        (part / total).backward()  # gradients add up to those of the mean over the whole batch
        loss_sum, hits = loss_sum + part.item(), hits + part_hits
    torch.nn.utils.clip_grad_norm_(session.trainable, 1.0)
    session.optimizer.step()
    session.scheduler.step()
    return {"loss": loss_sum / total, "masked": n, "acc": hits / total, "lr": float(session.scheduler.get_last_lr()[0])}


def evaluate(session: Session, step: int, max_masks: int | None = None) -> dict[str, Any] | None:
    """Single masked words of the monitor sentences (top-1, top-5; multi-piece words apart), into the log."""
    if not session.monitor:
        return None
    result = masked_word_accuracy(
        session.model,
        session.tokenizer,
        session.monitor,
        baseline_ids=session.log["config"]["unigram_top"],
        max_masks=max_masks,
    ).to_dict()
    entry = {
        "step": step,
        "top1": result["single"]["top1"],
        "top5": result["single"]["top5"],
        "masks": result["single"]["n"],
        "multi_top1": result["multi"]["top1"],
        "multi_top5": result["multi"]["top5"],
        "baseline_top1": result["baseline"]["top1"],
    }
    session.log["evals"].append(entry)
    return entry


def save_checkpoint(session: Session, step: int) -> None:
    """Weights, optimizer, schedule, step and log, written atomically to out_dir/CHECKPOINT."""
    state = {
        "model": session.model.state_dict(),
        "optimizer": session.optimizer.state_dict(),
        "scheduler": session.scheduler.state_dict(),
        "step": step,
        "log": session.log,
    }
    training_data.save_atomically(state, session.out_dir / CHECKPOINT)


def export(session: Session, folder: str | Path | None = None) -> Path:
    """The compact student (fp16, without the frozen embeddings and the tied decoder) and its training log."""
    out = Path(folder or session.out_dir)
    st.save_student(session.model, out, kind=KIND)
    (out / LOG).write_text(json.dumps(session.log, indent=1))
    return out


def train(session: Session, settings: Settings, progress: bool = True, stop_at: int | None = None) -> int:
    """Steps from session.start_step up to settings.steps (or stop_at, as if interrupted): the step reached."""
    from tqdm import tqdm

    log, last = session.log, min(settings.steps, stop_at or settings.steps)
    if session.start_step == 0 and not log["evals"]:
        evaluate(session, 0, settings.eval_max_masks)
    bar = tqdm(range(session.start_step, last), initial=session.start_step, total=settings.steps, disable=not progress)
    bar.set_description("MLM")
    t0 = time.time() - log["wall_seconds"]
    reached = session.start_step
    for step in bar:
        parts = train_step(session, settings, step)
        log["wall_seconds"] = time.time() - t0
        log["steps"].append({"step": step + 1, **parts})
        bar.set_postfix(loss=f"{parts['loss']:.3f}", acc=f"{parts['acc']:.3f}")
        if (step + 1) % settings.eval_every == 0 or step + 1 == settings.steps:
            entry = evaluate(session, step + 1, settings.eval_max_masks)
            if entry:
                bar.write(f"step {step + 1}: monitor top-1 {entry['top1']:.3f}, top-5 {entry['top5']:.3f}")
        if (step + 1) % settings.save_every == 0 or step + 1 == last:
            save_checkpoint(session, step + 1)
        reached = step + 1
    return reached


def run(
    corpus_dir: str,
    out: str,
    settings: Settings | None = None,
    *,
    extra: list[str] | None = None,
    monitor: list[list[tuple[str, str, bool]]] | None = None,
    threads: int | None = None,
    progress: bool = True,
    stop_at: int | None = None,
    export_dir: str | Path | None = None,
    export_only: bool = False,
) -> Path:
    """Train (or resume) and write the compact student to `export_dir` (default `out`): the folder written.
    stop_at: stop after that step with a checkpoint and no student (as an interrupted run would).
    export_only: write the student of the checkpoint in `out` without training."""
    settings = settings or Settings()
    session = setup(corpus_dir, out, settings, extra=extra, monitor=monitor, threads=threads)
    if export_only:
        if not session.start_step:
            raise SystemExit(f"{out} holds no checkpoint to export.")
        session.log["phases"][-1]["export_only"] = True
        return export(session, export_dir)
    reached = train(session, settings, progress, stop_at)
    if reached < settings.steps:
        return session.out_dir
    return export(session, export_dir)


def read_conllu(path: str, eval_n: int) -> tuple[list[str], list[list[tuple[str, str, bool]]]]:
    """(training sentences, monitor): the sentences of a CoNLL-U file after its first eval_n, and the words
    (form, UPOS, space after) of those first eval_n. UD EWT test is refused: it is the held-out evaluation."""
    if "test" in Path(path).name.lower():
        raise SystemExit(f"{path} looks like a test set: held out, never trained on (bench/mlm_quality.py).")
    sentences = [s for s in conllu.parse(Path(path).read_text(encoding="utf-8")) if s.text.strip() and s.written]
    return [s.text.strip() for s in sentences[eval_n:]], [list(s.written) for s in sentences[:eval_n]]


def arguments() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    d = Settings()
    ap.add_argument("--corpus", required=True, help="folder of .txt files (searched recursively)")
    ap.add_argument("--extra-conllu", help="CoNLL-U file (e.g. UD EWT dev) whose sentences join the training text")
    ap.add_argument("--eval-n", type=int, default=256, help="first sentences of --extra-conllu: the monitor")
    ap.add_argument("--eval-max-masks", type=int, default=d.eval_max_masks, help="cap on the monitor's masks")
    ap.add_argument("--out", required=True, help="output folder (checkpoint, log, and the student by default)")
    ap.add_argument("--export", help="folder for the compact student (default --out)")
    ap.add_argument("--export-only", action="store_true", help="write the student of --out's checkpoint and stop")
    ap.add_argument("--stop-at", type=int, help="stop after this step with a checkpoint (resume later)")
    ap.add_argument("--steps", type=int, default=d.steps)
    ap.add_argument("--batch", type=int, default=d.batch)
    ap.add_argument("--max-len", type=int, default=d.max_len)
    ap.add_argument("--lr", type=float, default=d.lr, help="learning rate of the encoder")
    ap.add_argument("--head-lr", type=float, default=d.head_lr, help="learning rate of the new head")
    ap.add_argument("--warmup", type=int, default=d.warmup)
    ap.add_argument("--weight-decay", type=float, default=d.weight_decay)
    ap.add_argument("--dropout", type=float, default=d.dropout)
    ap.add_argument("--mask-prob", type=float, default=d.mask_prob)
    ap.add_argument("--whole-word", action="store_true", help="mask whole words (a piece and its ## pieces)")
    ap.add_argument("--chunks", type=int, default=d.chunks, help="run a batch as pieces of similar length")
    ap.add_argument("--seed", type=int, default=d.seed)
    ap.add_argument("--save-every", type=int, default=d.save_every)
    ap.add_argument("--eval-every", type=int, default=d.eval_every)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--init-from", help="exported mlm student folder to continue (new optimizer and schedule)")
    return ap


def main(argv: list[str] | None = None) -> None:
    a = arguments().parse_args(argv)
    settings = Settings(
        steps=a.steps,
        batch=a.batch,
        max_len=a.max_len,
        lr=a.lr,
        head_lr=a.head_lr,
        warmup=a.warmup,
        weight_decay=a.weight_decay,
        dropout=a.dropout,
        mask_prob=a.mask_prob,
        whole_word=a.whole_word,
        seed=a.seed,
        save_every=a.save_every,
        eval_every=a.eval_every,
        eval_max_masks=a.eval_max_masks,
        chunks=a.chunks,
        init_from=a.init_from,
    )
    extra, monitor = read_conllu(a.extra_conllu, a.eval_n) if a.extra_conllu else ([], [])
    folder = run(
        a.corpus,
        a.out,
        settings,
        extra=extra,
        monitor=monitor,
        threads=a.threads,
        stop_at=a.stop_at,
        export_dir=a.export,
        export_only=a.export_only,
    )
    print(f"written: {folder}")


if __name__ == "__main__":
    main()
