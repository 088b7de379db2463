"""Quality of the ELECTRA student (`electra-minilm-l6`, trained by bertviz_core.training.electra) on UD English EWT
test sentences (never trained on; EWT dev's first 256 were the training monitor, the rest training text):

- replaced-token detection: 15% of the word pieces of each sentence ([CLS]/[SEP] never) are replaced, once by
  pieces SAMPLED from the generator (the bundled `bert-minilm-l6-mlm`, given the sentence with those positions
  [MASK]ed; a sample equal to the original counts as original), once by uniformly random pieces; the
  discriminator's probability of "replaced" at every non-special token is scored by ROC AUC (targets: >= 0.75
  generator, >= 0.90 random), with a 95% bootstrap interval (sentences resampled, 1,000 times);
- how far RTD training moved the encoder: the mean-pooled cosine to `bert-minilm-l6` on the original sentences,
  with its 95% Student-t interval (as bench/convbert_quality.py).

    python bench/electra_quality.py                                   # bertviz_core/weights/electra-minilm-l6
    python bench/electra_quality.py --folder runs/electra             # a run's exported student
    python bench/electra_quality.py --max-sentences 300               # a quicker look

Writes quality.json beside the weights measured (bertviz_core.models.quality reads it), bench/out/
quality-electra-minilm-l6.json, and prints a markdown section for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import common
import numpy as np
import torch
from scipy import stats

from bertviz_core.analysis.electra import roc_auc
from bertviz_core.inputs import conllu
from bertviz_core.models import pooling, quality, registry, student
from bertviz_core.training import electra, mlm, rtd

MODEL_ID = student.REGISTRY_IDS["electra"]
TARGETS = {"generator": 0.75, "random": 0.90}
SEED = 0
BOOTSTRAP = 1000


@torch.no_grad()
def scored_positions(model, generator, tokenizer, sentences, max_len=128, batch=32):
    """For each way of replacing ("generator", "random"): per sentence, (probabilities, replaced) at its
    non-special tokens; and the share of generator samples that were the original piece."""
    vocab = mlm.vocab_tables(tokenizer)
    rng = torch.Generator().manual_seed(SEED)
    out: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {"generator": [], "random": []}
    chosen_n = same_n = 0
    for i in range(0, len(sentences), batch):
        enc = tokenizer(
            sentences[i : i + batch], padding=True, truncation=True, max_length=max_len, return_tensors="pt"
        )
        ids, mask = enc["input_ids"], enc["attention_mask"]
        candidates, chosen = rtd.choose_positions(ids, mask, vocab, rng)
        inputs = {
            "generator": rtd.sample_replacements(generator, ids, mask, chosen, vocab, rng),
            "random": rtd.random_replacements(ids, chosen, vocab, rng),
        }
        chosen_n += int(chosen.sum())
        same_n += int((inputs["generator"] == ids)[chosen].sum())
        for which, x in inputs.items():
            probs = torch.sigmoid(model(input_ids=x, attention_mask=mask).logits)
            for row in range(len(ids)):
                c = candidates[row]
                out[which].append((probs[row][c].numpy(), (x[row] != ids[row])[c].numpy()))
    return out, same_n / max(chosen_n, 1)


def auc_with_interval(per_sentence, reps=BOOTSTRAP):
    """(AUC over all tokens, 95% percentile bootstrap interval over sentences, tokens, replaced)."""
    scores = np.concatenate([p for p, _ in per_sentence])
    labels = np.concatenate([y for _, y in per_sentence])
    point = roc_auc(scores, labels)
    rng = np.random.default_rng(SEED)
    draws = []
    for _ in range(reps):
        pick = rng.integers(0, len(per_sentence), len(per_sentence))
        s = np.concatenate([per_sentence[k][0] for k in pick])
        y = np.concatenate([per_sentence[k][1] for k in pick])
        draws.append(roc_auc(s, y))
    low, high = np.nanpercentile(draws, [2.5, 97.5])
    return point, [float(low), float(high)], len(labels), int(labels.sum())


def markdown(result):
    r = result
    lines = [
        "## ELECTRA: replaced-token detection (bench/electra_quality.py, issue #27 item 3)",
        "",
        (
            f"`{MODEL_ID}` ({r['training_steps']} steps of replaced-token detection from `bert-minilm-l6`, generator "
            f"`{r['generator']}`), on the {r['sentences']} sentences of UD English EWT test (held out: never trained "
            "on; EWT dev's first 256 sentences were the training monitor). 15% of the word pieces of each sentence "
            "replaced; ROC AUC of the discriminator's P(replaced) over every non-special token, 95% bootstrap "
            f"interval over sentences ({BOOTSTRAP} resamples)."
        ),
        "",
        "| replacements | tokens | replaced | ROC AUC | 95% interval | target |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for which in ("generator", "random"):
        a = r["auc"][which]
        met = "met" if a["met"] else "NOT met"
        lines.append(
            f"| {which} | {a['tokens']} | {a['replaced']} | {a['auc']:.3f} | {a['ci95'][0]:.3f}-{a['ci95'][1]:.3f} "
            f"| >= {a['target']:.2f} ({met}) |"
        )
    lines += [
        "",
        (
            f"The generator's sample was the original piece at {r['generator_kept_original']:.1%} of the chosen "
            "positions (counted as original, as in the paper). Mean-pooled cosine to `bert-minilm-l6` on the original "
            f"sentences: {r['heldout_cosine']:.3f} (95% interval {r['ci95'][0]:.3f}-{r['ci95'][1]:.3f}; 1.000 before "
            "training: the encoder started as BERT's). How far pure replaced-token detection moved it."
        ),
    ]
    return "\n".join(lines)


def main() -> None:
    from transformers import AutoModel, AutoTokenizer

    ap = argparse.ArgumentParser()
    ap.add_argument("--folder", help=f"student folder (default bertviz_core/weights/{MODEL_ID})")
    ap.add_argument("--generator", help="masked-LM generator (default the bundled bert-minilm-l6-mlm)")
    ap.add_argument("--max-sentences", type=int)
    a = ap.parse_args()
    torch.set_num_threads(2)
    folder = Path(a.folder) if a.folder else registry.WEIGHTS_DIR / MODEL_ID
    model = student.load_student(folder)  # fp16 on disk -> fp32, the head included
    generator_dir = Path(a.generator) if a.generator else electra.default_generator()
    generator = electra.load_generator(generator_dir)
    tokenizer = AutoTokenizer.from_pretrained(student.teacher_path())
    teacher = AutoModel.from_pretrained(student.teacher_path()).eval()
    path = common.SHARED / "ud-english-ewt" / "en_ewt-ud-test.conllu"
    sentences = conllu.conllu_sentences(path.read_text(encoding="utf-8"))[: a.max_sentences]
    t0 = time.time()
    per_sentence, kept = scored_positions(model, generator, tokenizer, sentences)
    auc = {}
    for which, target in TARGETS.items():
        point, ci, tokens, replaced = auc_with_interval(per_sentence[which])
        auc[which] = {"auc": point, "ci95": ci, "tokens": tokens, "replaced": replaced, "target": target}
        auc[which]["met"] = point >= target
    cosines = pooling.pooled_cosines(model.electra, teacher, tokenizer, sentences)
    cos = float(np.mean(cosines))
    low, high = stats.t.interval(0.95, len(cosines) - 1, loc=cos, scale=stats.sem(cosines))
    log = folder / electra.LOG
    steps = json.loads(log.read_text())["steps"][-1]["step"] if log.is_file() else None
    result = {
        "sentences": len(sentences),
        "heldout_cosine": cos,
        "ci95": [float(low), float(high)],
        "untrained_cosine": 1.0,  # the encoder starts as bert-minilm-l6's, every weight copied
        "auc": auc,
        "generator_kept_original": kept,
        "generator": generator_dir.name,
        "training_steps": steps,
        "source": path.name,
        "interval": "AUC: percentile bootstrap over sentences; cosine: Student's t over sentences",
        "seconds": time.time() - t0,
    }
    common.save(
        f"quality-{MODEL_ID}", {"machine": common.machine(), "model": MODEL_ID, "folder": str(folder), **result}
    )
    shipped = {k: result[k] for k in ("sentences", "heldout_cosine", "ci95", "untrained_cosine", "auc", "source")}
    (folder / quality.QUALITY_FILE).write_text(json.dumps(shipped, indent=1) + "\n")
    print(markdown(result))


if __name__ == "__main__":
    main()
