"""Quality of a shipped student (first written for the ConvBERT one): mean cosine between teacher and student
mean-pooled sentence embeddings on the UD English EWT test sentences (never seen in training), with its 95%
interval (Student's t over the per-sentence cosines).

    python bench/convbert_quality.py            # writes bench/out/quality.json
    python bench/convbert_quality.py --model deberta-minilm-l6   # any student: quality-<id>.json
"""

from __future__ import annotations

import argparse
import json
import time

import common
import torch
from scipy import stats

import bertviz_core as bc
from bertviz_core.inputs import conllu
from bertviz_core.models import quality, student
from bertviz_core.training import distill

LENGTH_BUCKETS = ((1, 8), (9, 16), (17, 32), (33, 64), (65, 10**6))  # token counts, [CLS]/[SEP] included


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="convbert-minilm-l6")
    model_id = ap.parse_args().model
    torch.set_num_threads(2)
    path = common.SHARED / "ud-english-ewt" / "en_ewt-ud-test.conllu"
    sentences = conllu.conllu_sentences(path.read_text(encoding="utf-8"))
    teacher = bc.load_model("bert-minilm-l6")
    shipped = bc.load_model(model_id)  # the weights in the repository, fp16 -> fp32
    t0 = time.time()
    per_sentence = distill.pooled_cosines(shipped.model, teacher.model, teacher.tokenizer, sentences)
    cos = sum(per_sentence) / len(per_sentence)
    low, high = stats.t.interval(0.95, len(per_sentence) - 1, loc=cos, scale=stats.sem(per_sentence))
    lengths = [len(ids) for ids in teacher.tokenizer(sentences)["input_ids"]]  # word pieces incl. [CLS]/[SEP]
    by_length = []
    for lo, hi in LENGTH_BUCKETS:
        chosen = [c for c, n in zip(per_sentence, lengths) if lo <= n <= hi]
        if chosen:
            by_length.append(
                {
                    "tokens": f"{lo}-{hi}" if hi < 10**6 else f"{lo}+",
                    "sentences": len(chosen),
                    "cosine": sum(chosen) / len(chosen),
                }
            )
    # baseline: the same student initialised from the teacher, before any training
    torch.manual_seed(0)
    kind = student.student_kind(bc.registry.WEIGHTS_DIR / model_id)
    untrained = student.new_student(kind=kind)
    student.init_from_teacher(untrained, student.teacher_state(), kind=kind)
    base = distill.pooled_cosine(untrained.eval(), teacher.model, teacher.tokenizer, sentences)
    result = {
        "sentences": len(sentences),
        "heldout_cosine": cos,
        "ci95": [float(low), float(high)],
        "untrained_cosine": base,
        "by_length": by_length,
        "source": str(path.name),
        "seconds": time.time() - t0,
    }
    print(result)
    common.save(
        "quality" if model_id == "convbert-minilm-l6" else f"quality-{model_id}",
        {"machine": common.machine(), "model": model_id, **result},
    )
    # beside the weights: the one source the app and the library read (bertviz_core.models.quality)
    shipped = {k: result[k] for k in ("sentences", "heldout_cosine", "ci95", "untrained_cosine", "source")}
    (bc.registry.WEIGHTS_DIR / model_id / quality.QUALITY_FILE).write_text(json.dumps(shipped, indent=1) + "\n")


if __name__ == "__main__":
    main()
