"""A next-sentence-prediction head for the bundled BERT (bert-minilm-l6), on its frozen encoder.

    nice -n 19 python -m bertviz_core.training.nsp --corpus ../shared/data/corpora \\
        --conllu ../shared/data/ud-english-ewt/en_ewt-ud-dev.conllu --out runs/nsp --budget-s 300

The bundled checkpoint's pooler is untrained (its bias is all zeros and its weight matrix is indistinguishable from
a fresh random draw: kurtosis 3.0, singular values as a Gaussian matrix of the same scale), and it has no
`cls.seq_relationship`. So the pooler and a Linear(384, 2) are trained here, in transformers'
`BertForNextSentencePrediction` layout (analysis.next_sentence.NspHead), with the encoder frozen: the last hidden
state of [CLS] for every pair is computed once (`extract`), then the head is fitted on those vectors (`fit`).

Pairs (`make_pairs`, BERT's recipe): for a sentence A that has a successor in its document, B is that successor
half of the time (IsNext) and otherwise a random sentence of another document (never A's successor, nor a sentence
written the same way). Documents: each speech of `--corpus` (one .txt file, split into sentences) and each
`# newdoc id` document of the `--conllu` files (UD EWT dev). A tenth of the documents (by seed) is kept apart as the
dev split that picks the step to keep. Pairs from the CoNLL-U documents count `conllu_weight` times (default 5) in
the fit: web text like the held-out test, but only ~1,700 pairs beside ~19,000 from the speeches. UD EWT test is never read here (a path whose name says "test" is refused):
bench/nsp_quality.py scores the stored head on pairs from its documents.

Writes `--out`/features.npz (the extracted vectors, reused by a second run with the same pairs) and the head as
`--head` (default bertviz_core/data/nsp-bert-minilm-l6.safetensors) with a JSON card beside it.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import torch

from bertviz_core.analysis.next_sentence import BUNDLED_HEADS, IS_NEXT, NspHead
from bertviz_core.inputs import text as text_input
from bertviz_core.inputs.decoding import decode_text
from bertviz_core.models import student as st

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

MODEL_ID = "bert-minilm-l6"
MAX_TRIES = 100  # random draws for a negative B before the pair is skipped


@dataclass(frozen=True)
class Pair:
    """Sentence A, sentence B, whether B is A's successor in A's document, and A's document (its index)."""

    a: str
    b: str
    is_next: bool
    doc: int


@dataclass(frozen=True)
class Settings:
    steps: int = 3000
    batch: int = 256
    lr: float = 1e-3
    weight_decay: float = 0.01
    eval_every: int = 100
    max_len: int = 128  # word pieces per pair, special tokens included (the longer sentence is cut first)
    dev_fraction: float = 0.1
    conllu_weight: int = (
        5  # pairs from CoNLL-U documents (UD EWT dev: web text, like the held-out test) count this often
    )
    seed: int = 0


# ---------------------------------------------------------------- documents and pairs


def refuse_test(path: str | Path) -> None:
    """SystemExit for a file or folder whose name says it is a test set: held out, never trained on."""
    if "test" in Path(path).name.lower():
        raise SystemExit(f"{path} looks like a test set: held out, never trained on (bench/nsp_quality.py).")


def text_documents(folder: str | Path) -> list[list[str]]:
    """Each .txt file below `folder` (sorted) as one document: its sentences in order."""
    files = sorted(Path(folder).rglob("*.txt"))
    if not files:
        raise ValueError(f"No .txt files found under {folder}")
    docs = [text_input.split_sentences(decode_text(p.read_bytes())) for p in files]
    return [d for d in docs if d]


def conllu_documents(text: str) -> list[list[str]]:
    """The documents of a CoNLL-U text (a `# newdoc id` comment starts one), each as its sentences' texts."""
    import conllu

    docs: list[list[str]] = []
    for token_list in conllu.parse_incr(io.StringIO(text)):
        if "newdoc id" in token_list.metadata or not docs:
            docs.append([])
        sentence = (token_list.metadata.get("text") or " ".join(str(t["form"]) for t in token_list)).strip()
        if sentence:
            docs[-1].append(sentence)
    return [d for d in docs if d]


def training_documents(corpus: str | None, conllu_paths: Sequence[str]) -> list[list[str]]:
    """The documents to train on; refuses any path that looks like a test set (refuse_test)."""
    docs: list[list[str]] = []
    for path in ([corpus] if corpus else []) + list(conllu_paths):
        refuse_test(path)
    if corpus:
        docs += text_documents(corpus)
    for path in conllu_paths:
        docs += conllu_documents(Path(path).read_text(encoding="utf-8"))
    return docs


def split_documents(docs: list[list[str]], fraction: float, seed: int) -> tuple[list[list[str]], list[list[str]]]:
    """(train, dev): `fraction` of the documents (at least 2), chosen by seed, go to dev."""
    order = list(range(len(docs)))
    random.Random(seed).shuffle(order)
    n_dev = max(2, round(len(docs) * fraction))
    dev = set(order[:n_dev])
    return [d for i, d in enumerate(docs) if i not in dev], [d for i, d in enumerate(docs) if i in dev]


def make_pairs(documents: Sequence[Sequence[str]], seed: int, limit: int | None = None) -> list[Pair]:
    """BERT's next-sentence pairs: every sentence with a successor in its document (in a seeded random order, the
    first `limit`), half of them (alternately, then shuffled) with that successor as B, the others with a random
    sentence of another document. A random B is never A's successor, nor a sentence written like it or like A."""
    docs = [list(d) for d in documents]
    if sum(1 for d in docs if d) < 2:
        raise ValueError("Random pairs need at least two documents.")
    rng = random.Random(seed)
    slots = [(d, i) for d, doc in enumerate(docs) for i in range(len(doc) - 1)]
    rng.shuffle(slots)
    slots = slots[:limit] if limit is not None else slots
    labels = [k % 2 == 0 for k in range(len(slots))]
    rng.shuffle(labels)
    others = [d for d, doc in enumerate(docs) if doc]
    pairs = []
    for (d, i), is_next in zip(slots, labels):
        a, successor = docs[d][i], docs[d][i + 1]
        if is_next:
            pairs.append(Pair(a, successor, True, d))
            continue
        for _ in range(MAX_TRIES):
            e = rng.choice(others)
            b = rng.choice(docs[e])
            if e != d and b != successor and b != a:
                pairs.append(Pair(a, b, False, d))
                break
    return pairs


# ---------------------------------------------------------------- features and fitting


def encoder() -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """The bundled BERT (frozen, eval mode) and its tokenizer."""
    from transformers import AutoModel, AutoTokenizer

    path = st.teacher_path()
    model = AutoModel.from_pretrained(path, attn_implementation="eager", use_safetensors=True).eval()
    return model, AutoTokenizer.from_pretrained(path)


def extract(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    pairs: Sequence[Pair],
    max_len: int = 128,
    batch: int = 32,
    deadline: float | None = None,
) -> np.ndarray:
    """[N, H] float32: the last hidden state of [CLS] for each pair (batches of similar length). With `deadline`
    (a time.monotonic() value) it stops early: the first rows (in the pairs' order) are returned."""
    order = sorted(range(len(pairs)), key=lambda k: len(pairs[k].a) + len(pairs[k].b))
    chunks = [order[s : s + batch] for s in range(0, len(order), batch)]
    random.Random(0).shuffle(chunks)  # a deadline then leaves a sample of every length, not only the short pairs
    out = np.full((len(pairs), model.config.hidden_size), np.nan, dtype=np.float32)
    for chunk in chunks:
        if deadline is not None and time.monotonic() > deadline:
            break
        enc = tokenizer(
            [pairs[k].a for k in chunk],
            [pairs[k].b for k in chunk],
            truncation="longest_first",
            max_length=max_len,
            padding=True,
            return_tensors="pt",
        )
        with torch.no_grad():
            out[chunk] = model(**enc).last_hidden_state[:, 0].float().numpy()
    return out


def accuracy(head: NspHead, x: torch.Tensor, is_next: torch.Tensor) -> float:
    """The share of pairs where the head's answer (P(IsNext) > 0.5) is right."""
    with torch.no_grad():
        return float(((head.probability(x) > 0.5) == is_next).float().mean())


def fit(
    x: np.ndarray, y: np.ndarray, x_dev: np.ndarray, y_dev: np.ndarray, init: NspHead, settings: Settings
) -> tuple[NspHead, dict[str, Any]]:
    """Train pooler + classifier (starting from `init`) on features x [N, H] with labels y (True: IsNext) by AdamW
    on mini-batches; the head of the step with the best dev accuracy is kept. Returns (head, log)."""
    torch.manual_seed(settings.seed)
    params = [t.detach().clone().requires_grad_(True) for t in init.state_dict().values()]
    head = NspHead(*params)
    optimizer = torch.optim.AdamW(params, lr=settings.lr, weight_decay=settings.weight_decay)
    xt, xd = torch.from_numpy(x), torch.from_numpy(x_dev)
    target = torch.from_numpy(np.where(y, IS_NEXT, 1 - IS_NEXT)).long()
    yt, yd = torch.from_numpy(y.astype(bool)), torch.from_numpy(y_dev.astype(bool))
    best: tuple[float, int, list[torch.Tensor]] = (-1.0, 0, [p.detach().clone() for p in params])
    curve = []
    for step in range(1, settings.steps + 1):
        rows = torch.randint(0, len(xt), (min(settings.batch, len(xt)),))
        loss = torch.nn.functional.cross_entropy(head.logits(xt[rows]), target[rows])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % settings.eval_every == 0 or step == settings.steps:
            dev = accuracy(head, xd, yd)
            curve.append(
                {"step": step, "loss": float(loss.detach()), "train_acc": accuracy(head, xt, yt), "dev_acc": dev}
            )
            if dev > best[0]:
                best = (dev, step, [p.detach().clone() for p in params])
    kept = NspHead(*best[2])
    return kept, {
        "best_step": best[1],
        "dev_accuracy": best[0],
        "train_accuracy": accuracy(kept, xt, yt),
        "curve": curve,
    }


def pooler_init(model: PreTrainedModel, seed: int) -> NspHead:
    """The checkpoint's own (untrained) pooler and a fresh classifier (BERT's init: N(0, 0.02), bias 0)."""
    g = torch.Generator().manual_seed(seed)
    hidden = model.config.hidden_size
    weight = torch.randn(2, hidden, generator=g) * model.config.initializer_range
    dense = cast("torch.nn.Linear", model.get_submodule("pooler.dense"))
    return NspHead(dense.weight.detach().clone(), dense.bias.detach().clone(), weight, torch.zeros(2))


def save_head(head: NspHead, path: Path, card: dict[str, Any]) -> None:
    """The head (safetensors, float32, BertForNextSentencePrediction names) and its card (`path` .json)."""
    from safetensors.torch import save_file

    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(head.state_dict(), str(path), metadata={"format": "pt", "layout": "BertForNextSentencePrediction"})
    path.with_suffix(".json").write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- the run


def features_for(
    out: Path, name: str, pairs: list[Pair], model: PreTrainedModel, tokenizer: Any, settings: Settings, deadline: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(features, labels) of the pairs that have features by `deadline`, and which pairs those are (a mask). Kept in out/features-<name>.npz (one row
    per pair, NaN until extracted): a second run with the same pairs extracts only the missing rows."""
    cache = out / f"features-{name}.npz"
    digest = hashlib.sha1("\n".join(f"{p.a}\t{p.b}\t{p.is_next}" for p in pairs).encode()).hexdigest()
    key = f"{settings.max_len}:{digest}"
    x = np.full((len(pairs), model.config.hidden_size), np.nan, dtype=np.float32)
    if cache.is_file():
        saved = np.load(cache)
        if str(saved["key"]) == key and saved["x"].shape == x.shape:
            x = saved["x"]
    todo = np.flatnonzero(np.isnan(x).any(1))
    if len(todo):
        x[todo] = extract(model, tokenizer, [pairs[k] for k in todo], settings.max_len, deadline=deadline)
        np.savez(cache, x=x, key=key)
    done = np.asarray(~np.isnan(x).any(axis=1))
    return x[done], np.array([p.is_next for p in pairs])[done], done


def run(
    corpus: str | None,
    conllu_paths: list[str],
    out: str,
    head_path: Path,
    settings: Settings,
    budget_s: float,
    limit: int | None,
) -> dict[str, Any]:
    """Build the pairs, extract their features within `budget_s` seconds, fit, save the head and its card."""
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    docs = training_documents(corpus, conllu_paths)
    train_docs, dev_docs = split_documents(docs, settings.dev_fraction, settings.seed)
    train_pairs = make_pairs(train_docs, settings.seed, limit)
    dev_pairs = make_pairs(dev_docs, settings.seed + 1, max(200, (limit or len(train_pairs)) // 8))
    model, tokenizer = encoder()
    started = time.monotonic()
    x_dev, y_dev, _ = features_for(out_dir, "dev", dev_pairs, model, tokenizer, settings, started + budget_s / 8)
    x, y, done = features_for(out_dir, "train", train_pairs, model, tokenizer, settings, started + budget_s)
    extract_s = time.monotonic() - started
    n_text = len(text_documents(corpus)) if corpus else 0  # the corpus' documents come first
    from_conllu = set(map(id, docs[n_text:]))
    weight = np.array([settings.conllu_weight if id(train_docs[p.doc]) in from_conllu else 1 for p in train_pairs])
    rows = np.repeat(np.arange(len(y)), weight[done])
    head, log = fit(x[rows], y[rows], x_dev, y_dev, pooler_init(model, settings.seed), settings)
    card = {
        "model": MODEL_ID,
        "what": "next-sentence-prediction head (pooler + seq_relationship) on the frozen encoder of bert-minilm-l6",
        "layout": "transformers BertForNextSentencePrediction: bert.pooler.dense (tanh), cls.seq_relationship",
        "labels": ["is_next", "random"],
        "checkpoint_pooler": "untrained in the bundled checkpoint (bias all 0, weights like a random draw): trained here",
        "data": {
            "corpus": Path(corpus).name if corpus else None,
            "conllu": [Path(p).name for p in conllu_paths],
            "documents": len(docs),
            "dev_documents": len(dev_docs),
        },
        "pairs": {
            "train": len(y),
            "train_is_next": int(y.sum()),
            "train_from_conllu": int(((weight > 1) & done).sum()),
            "dev": len(y_dev),
        },
        "settings": asdict(settings),
        "steps": log["best_step"],
        "train_accuracy": round(log["train_accuracy"], 4),
        "dev_accuracy": round(log["dev_accuracy"], 4),
        "extract_seconds_this_run": round(extract_s, 1),
        "held_out": None,  # filled by bench/nsp_quality.py: pairs from UD EWT test documents
    }
    save_head(head, head_path, card)
    (out_dir / "fit_log.json").write_text(json.dumps({**card, "curve": log["curve"]}, indent=1))
    return card


def arguments() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    d = Settings()
    ap.add_argument("--corpus", help="folder of .txt files, one document each (searched recursively)")
    ap.add_argument("--conllu", action="append", default=[], help="CoNLL-U file with # newdoc id (repeatable)")
    ap.add_argument("--out", required=True, help="run folder (features, fit log)")
    ap.add_argument("--head", type=Path, default=BUNDLED_HEADS[MODEL_ID], help="where the head goes")
    ap.add_argument("--budget-s", type=float, default=300, help="seconds of feature extraction at most")
    ap.add_argument("--limit", type=int, help="at most this many training pairs")
    ap.add_argument("--steps", type=int, default=d.steps)
    ap.add_argument("--lr", type=float, default=d.lr)
    ap.add_argument("--weight-decay", type=float, default=d.weight_decay)
    ap.add_argument("--conllu-weight", type=int, default=d.conllu_weight, help="how often a CoNLL-U pair counts")
    ap.add_argument("--seed", type=int, default=d.seed)
    ap.add_argument("--threads", type=int, default=1)
    return ap


def main(argv: list[str] | None = None) -> None:
    a = arguments().parse_args(argv)
    if not a.corpus and not a.conllu:
        raise SystemExit("Give --corpus and/or --conllu.")
    for path in ([a.corpus] if a.corpus else []) + a.conllu:
        refuse_test(path)  # before anything else
    torch.set_num_threads(a.threads)
    settings = Settings(steps=a.steps, lr=a.lr, weight_decay=a.weight_decay, conllu_weight=a.conllu_weight, seed=a.seed)
    card = run(a.corpus, a.conllu, a.out, a.head, settings, a.budget_s, a.limit)
    print(
        json.dumps(
            {k: card[k] for k in ("pairs", "steps", "train_accuracy", "dev_accuracy", "extract_seconds_this_run")}
        )
    )


if __name__ == "__main__":
    main()
