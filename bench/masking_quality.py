"""ERNIE's knowledge masking, measured (issue #27 item 4): on UD English EWT test sentences (held out: the MLM model
trains on the corpora and EWT dev, the UPOS probe is fitted on EWT dev), the spans each masking strategy hides in
its seeded draw of about 15% of the pieces (bertviz_core.analysis.masking: BERT's single pieces, whole words, noun
phrases and proper-noun runs from the gold tree, and the same from the probe's tags + chunker; --all-spans: every
span it could hide) are masked one at a time, all of a span's pieces at once, and the MLM
model's guesses at those positions are scored: exact match of the whole span (every piece its first guess), the
span within the top 5 (every piece among its five first guesses), and per piece top-1 and top-5. 95% Wilson
intervals, spans (or pieces) counted as independent. Identical masked inputs are run once.

    python bench/masking_quality.py                              # bert-minilm-l6-mlm when registered
    python bench/masking_quality.py --checkpoint /work/train-mlm/runs/mlm/checkpoint.pt   # a run in progress
    python bench/masking_quality.py --folder runs/mlm --max-sentences 300

Writes bertviz_core/data/masking_quality.json (the page reads it) and the section "## Knowledge masking (ERNIE,
issue #27)" of bench/RESULTS.md (--no-write: print only).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import common
import torch

from bertviz_core.analysis import masking, pos_probe
from bertviz_core.analysis.masked_words import masked_logits
from bertviz_core.models import registry, student

EWT_TEST = common.SHARED / "ud-english-ewt" / "en_ewt-ud-test.conllu"
OUT_JSON = common.ROOT / "bertviz_core" / "data" / "masking_quality.json"
RESULTS = common.ROOT / "bench" / "RESULTS.md"
SECTION = "## Knowledge masking (ERNIE, issue #27)"
DEFAULT_CHECKPOINT = Path("/work/train-mlm/runs/mlm/checkpoint.pt")
TOP_K = 5
# (row name, strategy, source of phrases and entities)
ROWS = (
    ("token", "token", "tree"),
    ("whole_word", "whole_word", "tree"),
    ("phrase", "phrase", "tree"),
    ("entity", "entity", "tree"),
    ("phrase_probe", "phrase", "probe"),
    ("entity_probe", "entity", "probe"),
)
LENGTHS = ("1", "2", "3", "4+")  # span lengths in pieces, for a comparison at equal length


def wilson(hits: int, n: int, z: float = 1.959964) -> list[float]:
    """The 95% Wilson score interval of the proportion hits / n."""
    if not n:
        return [0.0, 1.0]
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return [centre - half, centre + half]


def load_mlm(a: argparse.Namespace) -> tuple[torch.nn.Module, dict[str, Any]]:
    """The MLM model (eval mode) and what it is: a training checkpoint, a student folder, or the registered model."""
    if a.checkpoint or (not a.folder and not (registry.WEIGHTS_DIR / a.model).is_dir()):
        path = Path(a.checkpoint) if a.checkpoint else DEFAULT_CHECKPOINT
        if not path.is_file():
            raise SystemExit(f"{a.model} is not registered and there is no checkpoint at {path}: pass --folder.")
        from bertviz_core.training import mlm

        saved = torch.load(path, weights_only=False, map_location="cpu")  # our own file (training.mlm)
        model = mlm.new_model(mlm.Settings())
        model.load_state_dict(saved["model"])
        about = {"model": f"{a.model} (training checkpoint)", "source": str(path), "training_step": saved.get("step")}
    else:
        folder = Path(a.folder) if a.folder else registry.WEIGHTS_DIR / a.model
        model = student.load_student(folder)
        log = folder / "training_log.json"
        step = json.loads(log.read_text())["steps"][-1]["step"] if log.is_file() else None
        source = folder.resolve()
        shown = source.relative_to(common.ROOT) if source.is_relative_to(common.ROOT) else source
        about = {"model": a.model if not a.folder else folder.name, "source": str(shown), "training_step": step}
    return model.eval(), about


class Tally:
    """Spans of one row: exact (all pieces first guess), span top-5, and per-piece top-1 / top-5, by length."""

    def __init__(self) -> None:
        self.spans = self.exact = self.span_top5 = self.pieces = self.piece_top1 = self.piece_top5 = 0
        self.by_length: dict[str, list[int]] = {k: [0, 0] for k in LENGTHS}

    def add(self, first: Sequence[bool], among: Sequence[bool]) -> None:
        self.spans += 1
        self.exact += all(first)
        self.span_top5 += all(among)
        self.pieces += len(first)
        self.piece_top1 += sum(first)
        self.piece_top5 += sum(among)
        bucket = self.by_length[LENGTHS[min(len(first), 4) - 1]]
        bucket[0] += 1
        bucket[1] += all(first)

    def to_dict(self) -> dict[str, Any]:
        def rate(k: int, n: int) -> dict[str, Any]:
            return {"rate": k / n if n else None, "ci95": wilson(k, n)}

        return {
            "spans": self.spans,
            "pieces": self.pieces,
            "pieces_per_span": self.pieces / self.spans if self.spans else None,
            "exact": rate(self.exact, self.spans),
            "span_top5": rate(self.span_top5, self.spans),
            "piece_top1": rate(self.piece_top1, self.pieces),
            "piece_top5": rate(self.piece_top5, self.pieces),
            "exact_by_length": {k: {"spans": n, "exact": h / n if n else None} for k, (n, h) in self.by_length.items()},
        }


@torch.no_grad()
def score_spans(model, ids: list[int], spans: list[tuple[int, ...]], mask_id: int, batch: int = 64):
    """(first guesses right, among the top 5) per piece of each span, each span masked on its own."""
    out = []
    for start in range(0, len(spans), batch):
        chunk = spans[start : start + batch]
        rows_ids = torch.tensor(ids).repeat(len(chunk), 1)
        rows, cols = [], []
        for r, positions in enumerate(chunk):
            rows_ids[r, list(positions)] = mask_id
            rows += [r] * len(positions)
            cols += positions
        top = masked_logits(model, rows_ids, torch.tensor(rows), torch.tensor(cols)).topk(TOP_K, dim=-1).indices
        original = torch.tensor(ids)[torch.tensor(cols)]
        first, among = (top[:, 0] == original).tolist(), (top == original[:, None]).any(-1).tolist()
        p = 0
        for positions in chunk:
            out.append((first[p : p + len(positions)], among[p : p + len(positions)]))
            p += len(positions)
    return out


def span_agreement(probe_spans: set, tree_spans: set, counts: dict[str, int], kind: str) -> None:
    counts[f"{kind}_probe"] += len(probe_spans)
    counts[f"{kind}_tree"] += len(tree_spans)
    counts[f"{kind}_both"] += len(probe_spans & tree_spans)


def agreement(counts: dict[str, int]) -> dict[str, Any]:
    """Span-level precision, recall and F1 of the probe + chunker's spans against the tree's (same pieces)."""
    out = {}
    for kind in ("phrase", "entity"):
        both, found, gold = counts[f"{kind}_both"], counts[f"{kind}_probe"], counts[f"{kind}_tree"]
        p, r = both / max(found, 1), both / max(gold, 1)
        out[kind] = {
            "probe": found,
            "tree": gold,
            "both": both,
            "precision": p,
            "recall": r,
            "f1": 2 * p * r / max(p + r, 1e-9),
        }
    return out


def run(
    model, tokenizer, tagger_model, sentences, seed: int, all_spans: bool = False
) -> tuple[dict[str, Tally], dict[str, int]]:
    """Score each row's spans: the ones its seeded draw hides in each sentence (about 15% of the pieces), or with
    all_spans every span it could hide; and count how the probe's phrases and entities agree with the tree's."""
    tallies = {name: Tally() for name, _, _ in ROWS}
    counts = dict.fromkeys(
        ["phrase_probe", "phrase_tree", "phrase_both", "entity_probe", "entity_tree", "entity_both"], 0
    )
    probe = pos_probe.load_probe()
    for i, (words, tree) in enumerate(sentences):
        tokens, word_ids, ids = masking.tokenise(tokenizer, words)
        by_source = {
            "tree": masking.mask_sentence(tokens, word_ids, tree=tree, seed=seed + i),
            "probe": masking.mask_sentence(
                tokens, word_ids, tags=pos_probe.tag_words(tagger_model, tokenizer, words, probe), seed=seed + i
            ),
        }
        for kind in ("phrase", "entity"):
            spans = {src: {s.tokens for s in getattr(km, kind).spans} for src, km in by_source.items()}
            span_agreement(spans["probe"], spans["tree"], counts, kind)
        pick = "spans" if all_spans else "chosen_spans"
        wanted = {(name, s.tokens) for name, kind, src in ROWS for s in getattr(getattr(by_source[src], kind), pick)}
        unique = sorted({t for _, t in wanted})
        scored = dict(zip(unique, score_spans(model, ids, unique, tokenizer.mask_token_id)))
        for name, positions in wanted:
            tallies[name].add(*scored[positions])
        if i % 200 == 0:
            print(f"{i}/{len(sentences)} sentences", flush=True)
    return tallies, counts


def table(result: dict[str, Any]) -> str:
    """The RESULTS.md section."""
    m = result["mlm"]
    lines = [
        SECTION,
        "",
        f"`python bench/masking_quality.py` ({result['date']}): the MLM model `{m['model']}`"
        + (f" at training step {m['training_step']}" if m.get("training_step") is not None else "")
        + f"; {result['sentences']} sentences of {result['split']}. Spans: {result['spans']}; each is masked on its"
        " own (all its pieces), the model's guesses scored at its pieces: exact = every piece right first, span"
        " top-5 = every piece among the first five; per piece top-1 / top-5 over the pieces. 95% Wilson intervals"
        " (spans counted as independent). Source of phrases and entities: the gold tree, or the UPOS probe +"
        " chunker a typed sentence uses.",
        "",
        "| strategy | spans | pieces/span | exact | span top-5 | piece top-1 | piece top-5 |",
        "| --- | ---: | ---: | --- | --- | --- | --- |",
    ]

    def cell(d: dict[str, Any]) -> str:
        lo, hi = d["ci95"]
        return f"{100 * d['rate']:.1f}% [{100 * lo:.1f}, {100 * hi:.1f}]" if d["rate"] is not None else "-"

    for name, row in result["strategies"].items():
        per = f"{row['pieces_per_span']:.2f}" if row["pieces_per_span"] else "-"
        lines.append(
            f"| {name} | {row['spans']} | {per} | {cell(row['exact'])} | {cell(row['span_top5'])} | "
            f"{cell(row['piece_top1'])} | {cell(row['piece_top5'])} |"
        )
    lines += [
        "",
        "Exact match at equal span length (pieces): spans, exact",
        "",
        "| strategy | " + " | ".join(LENGTHS) + " |",
    ]
    lines.append("| --- |" + " ---: |" * len(LENGTHS))
    for name, row in result["strategies"].items():
        cells = [
            f"{b['spans']}: {100 * b['exact']:.1f}%" if b["spans"] else "-" for b in row["exact_by_length"].values()
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    p = result["probe"]
    rows = result["strategies"]
    top5 = ", ".join(
        f"{name} {100 * rows[name]['piece_top5']['rate']:.1f}%" for name in ("token", "whole_word", "phrase", "entity")
    )
    exact = ", ".join(
        f"{name} {100 * rows[name]['exact']['rate']:.1f}%" for name in ("token", "whole_word", "phrase", "entity")
    )
    lines += [
        "",
        (
            "ERNIE's argument in numbers: the more a span hides, the less its context gives it away. Per piece"
            f" top-5: {top5}; whole span exact: {exact}."
        ),
        "",
        f"Typed sentences use the UPOS probe (layer {p['layer']}, EWT test accuracy {100 * p['test_accuracy']:.1f}%,"
        " fitted on EWT dev) and the chunker DET? (ADJ|NUM)* (NOUN|PROPN)+; against the tree's spans on these"
        " sentences (same pieces): "
        + "; ".join(
            f"{k} precision {100 * v['precision']:.1f}%, recall {100 * v['recall']:.1f}% ({v['probe']} vs {v['tree']})"
            for k, v in p["agreement"].items()
        )
        + f". {result['seconds']:.0f} s on this machine.",
        "",
    ]
    return "\n".join(lines)


def write_section(text: str) -> None:
    """Replace (or append) the section in bench/RESULTS.md, leaving the others as they are."""
    old = RESULTS.read_text(encoding="utf-8")
    if SECTION in old:
        start = old.index(SECTION)
        nxt = old.find("\n## ", start + len(SECTION))
        new = old[:start] + text.rstrip("\n") + "\n" + (old[nxt:] if nxt >= 0 else "")
    else:
        new = old.rstrip("\n") + "\n\n" + text
    RESULTS.write_text(new, encoding="utf-8")


def main() -> None:
    from transformers import AutoModel, AutoTokenizer

    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=student.REGISTRY_IDS["mlm"])
    ap.add_argument("--folder", help="a student folder (default bertviz_core/weights/<model>)")
    ap.add_argument("--checkpoint", help="a training checkpoint.pt (read only)")
    ap.add_argument("--max-sentences", type=int)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--all-spans", action="store_true", help="every span a strategy could hide, not its 15% draw")
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    model, about = load_mlm(a)
    tokenizer = AutoTokenizer.from_pretrained(student.teacher_path())
    tagger = AutoModel.from_pretrained(student.teacher_path()).eval()
    sentences = masking.tree_sentences(EWT_TEST.read_text(encoding="utf-8"))[: a.max_sentences]
    t0 = time.time()
    tallies, counts = run(model, tokenizer, tagger, sentences, a.seed, a.all_spans)
    card = json.loads(pos_probe.CARD_FILE.read_text(encoding="utf-8"))
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "mlm": about,
        "split": "UD English EWT test (held out: the MLM model trains on the corpora and EWT dev, the probe on EWT dev)",
        "sentences": len(sentences),
        "spans": "every span a strategy could hide" if a.all_spans else "each sentence's seeded 15% draw per strategy",
        "strategies": {name: t.to_dict() for name, t in tallies.items()},
        "probe": {"layer": card["layer"], "test_accuracy": card["test_accuracy"], "agreement": agreement(counts)},
        "interval": "Wilson 95%, spans (pieces) counted as independent",
        "seconds": time.time() - t0,
        "machine": common.machine(),
    }
    text = table(result)
    print(text)
    if not a.no_write:
        OUT_JSON.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        write_section(text)


if __name__ == "__main__":
    main()
