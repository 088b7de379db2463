"""Masked-word quality of the shipped MLM student (`bert-minilm-l6-mlm`, trained by bertviz_core.training.mlm): on
the UD English EWT test sentences (never trained on) each word is masked in turn (all of its pieces) and the model's
top-1 / top-5 counted; single-piece words are the headline (95% Wilson intervals), words of several pieces are
counted apart, beside the unigram baseline (always guessing the training text's most frequent pieces) and the
figures per part of speech.

    python bench/mlm_quality.py                       # bertviz_core/weights/bert-minilm-l6-mlm
    python bench/mlm_quality.py --folder runs/mlm     # a run's exported student, before it is shipped
    python bench/mlm_quality.py --max-sentences 300   # a quicker look (the first 300: the treebank's first genres)
    python bench/mlm_quality.py --stride 4            # every 4th sentence: a sample spread over all the genres

Speed: about 1 sentence (11 masked words) per second on 2 busy cores (all 2,077 sentences: about 35 minutes).

Writes bench/out/quality-bert-minilm-l6-mlm.json (targets: top-1 >= 25%, top-5 >= 45%).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import common
import torch

from bertviz_core.analysis.masked_words import frequent_pieces, masked_word_accuracy
from bertviz_core.inputs import conllu
from bertviz_core.inputs import text as text_input
from bertviz_core.models import registry, student
from bertviz_core.training import mlm

TARGETS = {"top1": 0.25, "top5": 0.45}


def wilson(hits: int, n: int, z: float = 1.959964) -> list[float]:
    """The 95% Wilson score interval of the proportion hits / n."""
    if not n:
        return [0.0, 1.0]
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return [centre - half, centre + half]


def baseline_pieces(folder: Path, tokenizer) -> tuple[list[int], str]:
    """The training text's most frequent pieces, from the run's log, else counted again on the speeches."""
    log = folder / mlm.LOG
    if log.is_file():
        top = json.loads(log.read_text())["config"].get("unigram_top")
        if top:
            return top, "training_log.json"
    sentences = text_input.read_text_folder(common.SHARED / "corpora")
    return frequent_pieces(tokenizer(sentences, add_special_tokens=False)["input_ids"], tokenizer), "corpora"


def main() -> None:
    from transformers import AutoTokenizer

    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=student.REGISTRY_IDS["mlm"])
    ap.add_argument("--folder", help="student folder (default bertviz_core/weights/<model>)")
    ap.add_argument("--max-sentences", type=int)
    ap.add_argument("--max-masks", type=int)
    ap.add_argument("--stride", type=int, default=1, help="every k-th test sentence (an evenly spread sample)")
    a = ap.parse_args()
    torch.set_num_threads(2)
    folder = Path(a.folder) if a.folder else registry.WEIGHTS_DIR / a.model
    model = student.load_student(folder)  # fp16 on disk -> fp32, the head included
    tokenizer = AutoTokenizer.from_pretrained(student.teacher_path())
    path = common.SHARED / "ud-english-ewt" / "en_ewt-ud-test.conllu"
    every = conllu.conllu_words(path.read_text(encoding="utf-8"))
    words = every[:: max(1, a.stride)]
    top, top_source = baseline_pieces(folder, tokenizer)
    t0 = time.time()
    r = masked_word_accuracy(
        model, tokenizer, words, baseline_ids=top, max_sentences=a.max_sentences, max_masks=a.max_masks
    )
    result = r.to_dict()
    for k in ("top1", "top5"):
        result["single"][f"{k}_ci95"] = wilson(getattr(r.single, k), r.single.n)
        result["single"][f"{k}_target"] = TARGETS[k]
        result["single"][f"{k}_met"] = result["single"][k] >= TARGETS[k]
        result["baseline"][f"{k}_ci95"] = wilson(getattr(r.baseline, k), r.baseline.n)
    log = folder / mlm.LOG
    steps = json.loads(log.read_text())["steps"][-1]["step"] if log.is_file() else None
    result.update(
        {
            "source": path.name,
            "sample": (
                f"one sentence in {a.stride} ({len(words):,} of {len(every):,})"
                if a.stride > 1
                else f"all {len(every):,} sentences"
            )
            + (f", the first {a.max_sentences:,} of them" if a.max_sentences else ""),
            "folder": str(folder),
            "training_steps": steps,
            "baseline_pieces": tokenizer.convert_ids_to_tokens(top),
            "baseline_from": top_source,
            "interval": "Wilson 95%, masks counted as independent",
            "seconds": time.time() - t0,
        }
    )
    print(json.dumps({k: result[k] for k in ("single", "multi", "baseline")}, indent=1))
    common.save(f"quality-{a.model}", {"machine": common.machine(), "model": a.model, **result})


if __name__ == "__main__":
    main()
