"""Replaced-token detection (ELECTRA) from the bundled BERT: `electra-minilm-l6` (student kind "electra").

    python -m bertviz_core.training.electra --corpus ../shared/data/corpora \\
        --extra-conllu ../shared/data/ud-english-ewt/en_ewt-ud-dev.conllu --out runs/electra --steps 2000

The discriminator is an `ElectraForPreTraining` of the bundled BERT's shape (models.student.electra_config),
its encoder copied from the bundled BERT, its head (`discriminator_predictions`) new; the embeddings stay frozen
(the student keeps only what differs from the teacher). The encoder learns at `--lr`, the head at `--head-lr`;
linear warm-up, then cosine decay to 0 at `--steps`.

Each step (Clark et al., 2020): 15% of the word pieces ([CLS], [SEP], padding and other special tokens never;
`--whole-word`: whole words) are masked and the frozen generator (`--generator`: an MLM student folder, by
default the bundled `bert-minilm-l6-mlm`; or any folder with a masked-LM checkpoint) SAMPLES a piece for each
from its softmax (temperature `--temperature`, special tokens excluded); a sampled piece equal to the original
counts as original. The discriminator reads the result and is trained with binary cross-entropy, replaced or
not, over every non-special, non-padding token: pure replaced-token detection, no loss that pulls it to BERT.
How far it moves from BERT is reported: the mean-pooled cosine to the bundled BERT on the monitor's sentences.

Data as training.mlm: the sentences of every `.txt` below `--corpus`, plus those of `--extra-conllu` except its
first `--eval-n` (the monitor: never trained on). Every `--eval-every` steps the monitor's sentences, with fixed
generator replacements and with fixed random replacements, are scored (ROC AUC, analysis.electra.roc_auc).
Seeded and resumable like training.mlm (the batch, its replacements and its dropout depend only on (seed, step));
a checkpoint every `--save-every` steps, picked up again by the same command. At the end (or with
`--export-only`) the compact student goes to `--export` (default `--out`). UD EWT test is never trained on: it is
the held-out evaluation (bench/electra_quality.py).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from bertviz_core.analysis.electra import roc_auc
from bertviz_core.models import pooling
from bertviz_core.models import registry as model_registry
from bertviz_core.models import student as st
from bertviz_core.training import data as training_data
from bertviz_core.training import mlm
from bertviz_core.training.data import collate
from bertviz_core.training.rtd import choose_positions, random_replacements, rtd_loss, sample_replacements

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

KIND = "electra"
CHECKPOINT = "checkpoint.pt"
LOG = "training_log.json"
MONITOR_SEED = 20_260_101  # the monitor's masks and replacements: the same at every evaluation and on resume


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
    temperature: float = 1.0
    whole_word: bool = False
    seed: int = 0
    save_every: int = 50
    eval_every: int = 200
    chunks: int = 4  # a batch runs as this many pieces of similar length (less padding; the same gradient)


def mlm_settings(settings: Settings) -> mlm.Settings:
    """The same hyperparameters as training.mlm's helpers read them (optimizer, schedule, examples, seeds)."""
    shared = {f.name for f in fields(mlm.Settings)} & {f.name for f in fields(Settings)}
    return mlm.Settings(**{name: getattr(settings, name) for name in shared})


def default_generator() -> Path:
    """The bundled MLM student: the generator unless --generator says otherwise."""
    return model_registry.WEIGHTS_DIR / st.REGISTRY_IDS["mlm"]


# ---------------------------------------------------------------- a run
@dataclass
class Monitor:
    """The held-out sentences, as scored at every evaluation: their batch, the positions scored, and the inputs
    with fixed generator and random replacements."""

    sentences: list[str]
    ids: torch.Tensor
    mask: torch.Tensor
    candidates: torch.Tensor
    inputs: dict[str, torch.Tensor] = field(default_factory=dict)  # "generator", "random" -> [B, T]


@dataclass
class Session:
    """What a run holds between steps."""

    out_dir: Path
    tokenizer: PreTrainedTokenizerBase
    model: PreTrainedModel  # the discriminator (ElectraForPreTraining)
    generator: PreTrainedModel  # the frozen masked-LM
    teacher: PreTrainedModel | None  # the bundled BERT (for the cosine), None without a monitor
    trainable: list[torch.nn.Parameter]
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    examples: list[list[int]]
    vocab: mlm.Vocab
    log: dict[str, Any]
    start_step: int = 0
    monitor: Monitor | None = None


def new_model(settings: Settings) -> PreTrainedModel:
    """The bundled BERT's encoder under a fresh discriminator head."""
    config = st.student_config(KIND)
    config.hidden_dropout_prob = config.attention_probs_dropout_prob = settings.dropout
    model = st.new_student(config, kind=KIND)
    st.init_from_teacher(model, st.teacher_state(), kind=KIND)
    return model


def load_generator(folder: str | Path) -> PreTrainedModel:
    """The frozen masked-LM generator: an in-house MLM student folder, or a local masked-LM checkpoint."""
    from transformers import AutoModelForMaskedLM

    folder = Path(folder)
    if not (folder / "config.json").is_file():
        raise SystemExit(f"{folder}: no generator there (a folder of an MLM student or a masked-LM checkpoint).")
    if st.is_student_folder(folder):
        if st.student_kind(folder) not in st.HEAD_KINDS:
            raise SystemExit(f"{folder} holds a {st.student_kind(folder)!r} student, not a masked-LM one.")
        model = st.load_student(folder)
    else:
        model = AutoModelForMaskedLM.from_pretrained(folder, local_files_only=True, trust_remote_code=False)
    model.eval().requires_grad_(False)
    return model


def build_monitor(
    sentences: list[str], tokenizer: PreTrainedTokenizerBase, generator: PreTrainedModel, settings: Settings
) -> Monitor:
    """The held-out sentences (cut at settings.max_len) with their fixed replacements (MONITOR_SEED)."""
    enc = tokenizer(sentences, padding=True, truncation=True, max_length=settings.max_len, return_tensors="pt")
    ids, mask = enc["input_ids"], enc["attention_mask"]
    vocab = mlm.vocab_tables(tokenizer)
    rng = torch.Generator().manual_seed(MONITOR_SEED)
    candidates, chosen = choose_positions(ids, mask, vocab, rng, settings.mask_prob, settings.whole_word)
    sampled = torch.cat(
        [
            sample_replacements(generator, ids[r], mask[r], chosen[r], vocab, rng, settings.temperature)
            for r in torch.arange(len(ids)).split(32)
        ]
    )
    inputs = {"generator": sampled, "random": random_replacements(ids, chosen, vocab, rng)}
    return Monitor(sentences, ids, mask, candidates, inputs)


def setup(
    corpus_dir: str,
    out: str,
    settings: Settings,
    *,
    generator: str | Path | None = None,
    extra: list[str] | None = None,
    monitor: list[str] | None = None,
    threads: int | None = None,
) -> Session:
    """Models, optimizer, examples and log of a run, resumed from its checkpoint when `out` holds one."""
    from transformers import AutoModel, AutoTokenizer

    out_dir = training_data.start_run(out, settings.seed, threads)
    tokenizer = AutoTokenizer.from_pretrained(st.teacher_path())
    generator_dir = Path(generator or default_generator())
    gen = load_generator(generator_dir)
    model = new_model(settings)
    model.train()  # dropout on (settings.dropout)
    trainable, optimizer, scheduler = mlm.make_optimizer(model, mlm_settings(settings))
    examples, facts = mlm.read_examples(tokenizer, corpus_dir, list(extra or []), mlm_settings(settings))
    log: dict[str, Any] = {
        "config": {
            "kind": KIND,
            "generator": str(generator_dir),
            **facts,
            "monitor_sentences": len(monitor or []),
            **asdict(settings),
        },
        "steps": [],
        "evals": [],
        "wall_seconds": 0.0,
    }
    log["config"]["threads"] = torch.get_num_threads()
    teacher = AutoModel.from_pretrained(st.teacher_path()).eval() if monitor else None
    session = Session(
        out_dir,
        tokenizer,
        model,
        gen,
        teacher,
        trainable,
        optimizer,
        scheduler,
        examples,
        mlm.vocab_tables(tokenizer),
        log,
    )
    if monitor:
        session.monitor = build_monitor(list(monitor), tokenizer, gen, settings)
    resume(session)
    session.log.setdefault("phases", []).append(
        {
            "from_step": session.start_step,
            **asdict(settings),
            "examples": len(examples),
            "generator": str(generator_dir),
        }
    )
    return session


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


def make_batch(session: Session, settings: Settings, step: int) -> tuple[torch.Tensor, ...]:
    """(discriminator inputs, attention mask, replaced [B, T], scored positions [B, T]) of (seed, step), rows
    sorted by length."""
    seed = mlm.step_seed(mlm_settings(settings), step)
    rng = random.Random(seed)
    chosen_rows = sorted(rng.sample(session.examples, min(settings.batch, len(session.examples))), key=len)
    ids, mask = collate(chosen_rows, session.tokenizer.cls_token_id, session.tokenizer.sep_token_id)
    gen = torch.Generator().manual_seed(seed)
    candidates, chosen = choose_positions(ids, mask, session.vocab, gen, settings.mask_prob, settings.whole_word)
    inputs = sample_replacements(session.generator, ids, mask, chosen, session.vocab, gen, settings.temperature)
    return inputs, mask, inputs != ids, candidates


def train_step(session: Session, settings: Settings, step: int) -> dict[str, float]:
    """One optimizer step on the batch of (seed, step), replaced and dropped out as (seed, step) say."""
    inputs, mask, replaced, positions = make_batch(session, settings, step)
    torch.manual_seed(mlm.step_seed(mlm_settings(settings), step))  # dropout
    session.optimizer.zero_grad(set_to_none=True)
    total = max(int(positions.sum()), 1)
    loss_sum, hits = 0.0, 0
    for rows in torch.arange(len(inputs)).chunk(max(settings.chunks, 1)):  # rows sorted by length: trim padding
        width = int(mask[rows].sum(1).max())
        part, part_hits, _ = rtd_loss(
            session.model,
            inputs[rows, :width],
            mask[rows, :width],
            replaced[rows, :width],
            positions[rows, :width],
            reduction="sum",
        )
        (part / total).backward()  # gradients add up to those of the mean over the whole batch
        loss_sum, hits = loss_sum + part.item(), hits + part_hits
    torch.nn.utils.clip_grad_norm_(session.trainable, 1.0)
    session.optimizer.step()
    session.scheduler.step()
    return {
        "loss": loss_sum / total,
        "acc": hits / total,
        "tokens": int(positions.sum()),
        "replaced": int((replaced & positions).sum()),
        "lr": float(session.scheduler.get_last_lr()[0]),
    }


@torch.no_grad()
def monitor_scores(model: PreTrainedModel, monitor: Monitor, which: str, batch: int = 64) -> tuple[Any, Any]:
    """(discriminator probabilities, replaced or not) at the monitor's scored positions, for its `which`
    ("generator", "random") inputs."""
    inputs = monitor.inputs[which]
    probs, labels = [], []
    for rows in torch.arange(len(inputs)).split(batch):
        width = int(monitor.mask[rows].sum(1).max())
        x, m, c = inputs[rows, :width], monitor.mask[rows, :width], monitor.candidates[rows, :width]
        logits = model(input_ids=x, attention_mask=m).logits
        probs.append(torch.sigmoid(logits[c]))
        labels.append((x != monitor.ids[rows, :width])[c])
    return torch.cat(probs).numpy(), torch.cat(labels).numpy()


def evaluate(session: Session, step: int) -> dict[str, Any] | None:
    """The monitor's ROC AUC (generator and random replacements) and mean-pooled cosine to BERT, into the log."""
    if session.monitor is None or session.teacher is None:
        return None
    was_training = session.model.training
    session.model.eval()
    try:
        entry: dict[str, Any] = {"step": step}
        for which in ("generator", "random"):
            probs, labels = monitor_scores(session.model, session.monitor, which)
            entry[f"auc_{which}"] = roc_auc(probs, labels)
            entry[f"replaced_{which}"] = int(labels.sum())
            entry[f"acc_{which}"] = float(((probs > 0.5) == labels).mean())
        encoder = getattr(session.model, session.model.base_model_prefix)
        cos = pooling.pooled_cosines(encoder, session.teacher, session.tokenizer, session.monitor.sentences)
        entry["cosine_to_bert"] = sum(cos) / len(cos)
    finally:
        session.model.train(was_training)
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
    """The compact student (fp16, without the frozen embeddings) and its training log."""
    out = Path(folder or session.out_dir)
    st.save_student(session.model, out, kind=KIND)
    (out / LOG).write_text(json.dumps(session.log, indent=1))
    return out


def train(session: Session, settings: Settings, progress: bool = True, stop_at: int | None = None) -> int:
    """Steps from session.start_step up to settings.steps (or stop_at, as if interrupted): the step reached."""
    from tqdm import tqdm

    log, last = session.log, min(settings.steps, stop_at or settings.steps)
    if session.start_step == 0 and not log["evals"]:
        evaluate(session, 0)
    bar = tqdm(range(session.start_step, last), initial=session.start_step, total=settings.steps, disable=not progress)
    bar.set_description("ELECTRA")
    t0 = time.time() - log["wall_seconds"]
    reached = session.start_step
    for step in bar:
        parts = train_step(session, settings, step)
        log["wall_seconds"] = time.time() - t0
        log["steps"].append({"step": step + 1, **parts})
        bar.set_postfix(loss=f"{parts['loss']:.3f}", acc=f"{parts['acc']:.3f}")
        if (step + 1) % settings.eval_every == 0 or step + 1 == settings.steps:
            entry = evaluate(session, step + 1)
            if entry:
                bar.write(
                    f"step {step + 1}: monitor AUC generator {entry['auc_generator']:.3f}, random "
                    f"{entry['auc_random']:.3f}; cosine to BERT {entry['cosine_to_bert']:.3f}"
                )
        if (step + 1) % settings.save_every == 0 or step + 1 == last:
            save_checkpoint(session, step + 1)
        reached = step + 1
    return reached


def run(
    corpus_dir: str,
    out: str,
    settings: Settings | None = None,
    *,
    generator: str | Path | None = None,
    extra: list[str] | None = None,
    monitor: list[str] | None = None,
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
    session = setup(corpus_dir, out, settings, generator=generator, extra=extra, monitor=monitor, threads=threads)
    if export_only:
        if not session.start_step:
            raise SystemExit(f"{out} holds no checkpoint to export.")
        session.log["phases"][-1]["export_only"] = True
        return export(session, export_dir)
    reached = train(session, settings, progress, stop_at)
    if reached < settings.steps:
        return session.out_dir
    return export(session, export_dir)


def read_conllu(path: str, eval_n: int) -> tuple[list[str], list[str]]:
    """(training sentences, monitor sentences) of a CoNLL-U file: those after its first eval_n, and those first
    eval_n as text. UD EWT test is refused (training.mlm.read_conllu)."""
    train_text, monitor_words = mlm.read_conllu(path, eval_n)
    monitor = ["".join(form + (" " if space else "") for form, _, space in words).strip() for words in monitor_words]
    return train_text, monitor


def arguments() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--corpus", required=True, help="folder of .txt files (searched recursively)")
    ap.add_argument("--extra-conllu", help="CoNLL-U file (e.g. UD EWT dev) whose sentences join the training text")
    ap.add_argument("--eval-n", type=int, default=256, help="first sentences of --extra-conllu: the monitor")
    ap.add_argument("--generator", help="MLM student folder or masked-LM checkpoint (default: bundled MLM student)")
    ap.add_argument("--out", required=True, help="output folder (checkpoint, log, and the student by default)")
    ap.add_argument("--export", help="folder for the compact student (default --out)")
    ap.add_argument("--export-only", action="store_true", help="write the student of --out's checkpoint and stop")
    ap.add_argument("--stop-at", type=int, help="stop after this step with a checkpoint (resume later)")
    ap.add_argument("--whole-word", action="store_true", help="replace whole words (a piece and its ## pieces)")
    for f in fields(Settings):
        if f.name != "whole_word":
            ap.add_argument("--" + f.name.replace("_", "-"), type=type(f.default), default=f.default)
    ap.add_argument("--threads", type=int, default=None)
    return ap


def main(argv: list[str] | None = None) -> None:
    a = arguments().parse_args(argv)
    settings = Settings(**{f.name: getattr(a, f.name) for f in fields(Settings)})
    extra, monitor = read_conllu(a.extra_conllu, a.eval_n) if a.extra_conllu else ([], [])
    folder = run(
        a.corpus,
        a.out,
        settings,
        generator=a.generator,
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
