"""Next-sentence prediction of the bundled BERT (the head trained by bertviz_core.training.nsp) on held-out pairs.

Pairs are built from the documents of UD English EWT test (`# newdoc id`; never trained on), BERT's way: for every
sentence with a successor in its document, B is that successor half of the time and otherwise a random sentence of
another EWT test document (training.nsp.make_pairs, seed 0). Each pair goes through `bc.next_sentence` (the library
end to end); the answer is right when P(IsNext) > 0.5 matches the truth. Reported: accuracy with its 95% Wilson
interval beside chance (50%), accuracy on each kind of pair, ROC AUC, and accuracy per EWT genre.

    nice -n 19 python bench/nsp_quality.py            # writes bench/out/nsp-quality.json, the head's card, RESULTS.md

The held-out figures go into the head's card (bertviz_core/data/nsp-bert-minilm-l6.json, "held_out") and into the
section "## Next-sentence prediction (issue #27)" of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import time

import common
import numpy as np
import torch
from mlm_quality import wilson

import bertviz_core as bc
from bertviz_core.analysis import next_sentence as ns
from bertviz_core.training import nsp

SECTION = "## Next-sentence prediction (issue #27)"
EWT_TEST = common.SHARED / "ud-english-ewt" / "en_ewt-ud-test.conllu"


def roc_auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """P(score of a random positive > score of a random negative), ties counting half (Mann-Whitney U)."""
    pos, neg = scores[positive], scores[~positive]
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def genres(documents: list[list[str]]) -> list[str]:
    """The EWT genre (answers, email, newsgroup, reviews, weblog) of each document, from its newdoc id."""
    import conllu

    out = []
    with EWT_TEST.open(encoding="utf-8") as f:
        for token_list in conllu.parse_incr(f):
            doc = token_list.metadata.get("newdoc id")
            if doc:
                out.append(doc.split("-", 1)[0])
    assert len(out) == len(documents), (len(out), len(documents))
    return out


def evaluate(model_id: str, seed: int) -> dict:
    lm = bc.load_model(model_id)
    documents = nsp.conllu_documents(EWT_TEST.read_text(encoding="utf-8"))
    genre = genres(documents)
    pairs = nsp.make_pairs(documents, seed)
    started = time.perf_counter()
    probability = np.array([bc.next_sentence(lm, p.a, p.b).probability for p in pairs])
    seconds = time.perf_counter() - started
    truth = np.array([p.is_next for p in pairs])
    right = (probability > 0.5) == truth
    by_genre = {}
    for g in sorted(set(genre)):
        rows = np.array([genre[p.doc] == g for p in pairs])
        by_genre[g] = {"pairs": int(rows.sum()), "accuracy": round(float(right[rows].mean()), 4)}
    card = ns.nsp_status(lm).card or {}
    return {
        "model": model_id,
        "head": card.get("what", "checkpoint"),
        "data": f"UD English EWT test ({EWT_TEST.name}): {len(documents)} documents, never trained on",
        "pairs": len(pairs),
        "is_next_pairs": int(truth.sum()),
        "accuracy": round(float(right.mean()), 4),
        "wilson95": [round(x, 4) for x in wilson(int(right.sum()), len(pairs))],
        "chance": 0.5,
        "accuracy_is_next": round(float(right[truth].mean()), 4),
        "accuracy_random": round(float(right[~truth].mean()), 4),
        "roc_auc": round(roc_auc(probability, truth), 4),
        "by_genre": by_genre,
        "seed": seed,
        "seconds": round(seconds, 1),
        "ms_per_pair": round(1000 * seconds / len(pairs), 1),
        "trained_on": {k: card.get(k) for k in ("data", "pairs", "steps", "train_accuracy", "dev_accuracy")},
    }


def section(r: dict) -> str:
    low, high = r["wilson95"]
    t = r["trained_on"]
    genre_rows = "\n".join(f"| {g} | {v['pairs']} | {v['accuracy']:.1%} |" for g, v in r["by_genre"].items())
    data = t.get("data") or {}
    pairs = t.get("pairs") or {}
    return f"""{SECTION}

`bench/nsp_quality.py` ({r["date"]}): `bc.next_sentence` on `{r["model"]}`, whose checkpoint has no next-sentence
head (its pooler is untrained: bias all zeros, weights like a random draw). The head (pooler + Linear(384, 2), in
transformers' `BertForNextSentencePrediction` layout) was trained by `bertviz_core.training.nsp` on the frozen
encoder: {pairs.get("train", "?")} pairs (half consecutive, half with B from another document) from
{data.get("documents", "?")} documents (the speeches in `shared/data/corpora`, one document each, and the
`# newdoc id` documents of UD EWT dev), step {t.get("steps")} kept by accuracy on {pairs.get("dev", "?")} pairs of a
tenth of the documents held apart (dev accuracy {t.get("dev_accuracy", 0):.1%}, train {t.get("train_accuracy", 0):.1%}).

**Held out**: pairs built the same way from the {r["data"]}: every sentence with a successor, B its successor or a
random sentence of another EWT test document (seed {r["seed"]}).

| pairs | accuracy (95% Wilson) | chance | on consecutive pairs | on random pairs | ROC AUC |
| --- | --- | --- | --- | --- | --- |
| {r["pairs"]} ({r["is_next_pairs"]} consecutive) | **{r["accuracy"]:.1%}** ({low:.1%}-{high:.1%}) | 50% | \
{r["accuracy_is_next"]:.1%} | {r["accuracy_random"]:.1%} | {r["roc_auc"]:.3f} |

| EWT genre | pairs | accuracy |
| --- | --- | --- |
{genre_rows}

Pairs from the EWT dev documents count 5 times in the fit (`--conllu-weight`): a first head without that weighting
got 56.9% (54.6%-59.2%) on these held-out pairs, right on only 26% of the consecutive ones, while its dev accuracy
(mostly speeches) was 69%: the gap is domain (long speech sentences vs short web text). The weighting was then
checked on the EWT part of the dev split, not tuned on test; the test pairs were scored twice in all. The frozen
sentence encoder's [CLS] state carries little of whether B continues A: a head on it is well above chance, far from a
BERT pretrained with NSP. {r["ms_per_pair"]} ms per pair through `bc.next_sentence` (one pair at a time, niced, beside
other runs).
"""


def write_section(text: str) -> None:
    """Replace the section in bench/RESULTS.md (up to the next "## "), or append it."""
    path = common.ROOT / "bench" / "RESULTS.md"
    old = path.read_text(encoding="utf-8")
    if SECTION in old:
        start = old.index(SECTION)
        end = old.find("\n## ", start + len(SECTION))
        new = old[:start] + text.rstrip() + ("\n" + old[end:] if end != -1 else "\n")
    else:
        new = old.rstrip() + "\n\n" + text.rstrip() + "\n"
    path.write_text(new, encoding="utf-8")


def update_card(r: dict) -> None:
    """Put the held-out figures into the bundled head's card."""
    path = ns.BUNDLED_HEADS[r["model"]].with_suffix(".json")
    card = json.loads(path.read_text(encoding="utf-8"))
    card["held_out"] = {k: r[k] for k in ("data", "pairs", "accuracy", "wilson95", "chance", "roc_auc", "seed")}
    path.write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=nsp.MODEL_ID)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    r = {**evaluate(a.model, a.seed), "date": common.machine()["date"]}
    common.save("nsp-quality", r)
    if a.model in ns.BUNDLED_HEADS:
        update_card(r)
        write_section(section(r))
    print(json.dumps({k: r[k] for k in ("pairs", "accuracy", "wilson95", "roc_auc", "accuracy_is_next")}))


if __name__ == "__main__":
    main()
