"""The distilled students' numbers shipped with the app (bertviz_core/data/students_results.json) for /compress.

For the bundled BERT and every distilled student whose weights are shipped (bertviz_core.analysis.students: the
DistilBERT depth curve of 2, 3 and 4 layers, TinyBERT-4): parameters, size on disk (fp32 state_dict), speed (CPU
ms per sentence at 16 and 128 tokens, one thread, models interleaved), held-out quality (mean cosine of mean-pooled
sentence embeddings to the teacher on UD EWT test, with its 95% t-interval; TinyBERT's through its learned W_h), and
for TinyBERT its transfer losses per mapped layer on the same sentences, trained and at initialisation.

    .venv/bin/python bench/bench_students.py                # ~3-5 min on a quiet machine
    .venv/bin/python bench/bench_students.py --sentences 200 --repeats 10   # quicker

Prints a markdown section for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import common

os.environ.setdefault("HF_HUB_OFFLINE", "1")
OUT = ROOT / "bertviz_core" / "data" / "students_results.json"


def initial_tinybert_losses(teacher, tokenizer, sentences):
    """The transfer losses of an untrained tinybert4 (its embeddings on the teacher's principal directions, layers
    random, seed 0): what training started from."""
    import torch

    from bertviz_core.analysis import students
    from bertviz_core.models import student, tinybert

    torch.manual_seed(0)
    untrained = student.new_student(kind=tinybert.KIND)
    _, projections = tinybert.init_from_teacher(untrained, student.teacher_state())
    return students.transfer_losses(untrained.eval(), projections, teacher, tokenizer, sentences)


def main(argv=None) -> None:
    import torch

    import bertviz_core as bc
    from bertviz_core.analysis import compress, compress_measure, students
    from bertviz_core.models import student, tinybert

    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--sentences", type=int, default=500, help="UD EWT test sentences for quality and losses")
    ap.add_argument("--repeats", type=int, default=30)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    held_out = compress.ewt_sample("test", args.sentences, common.SHARED / "ud-english-ewt")
    teacher = bc.load_model(students.TEACHER_ID)
    out = {
        "measured": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "threads": args.threads,
        "torch": torch.__version__,
        "quality_sentences": len(held_out),
        "quality_split": "UD English EWT test (evenly spaced, 5-40 words)",
        "teacher": {
            "id": teacher.id,
            "layers": teacher.model.config.num_hidden_layers,
            "hidden": teacher.model.config.hidden_size,
            "params": compress_measure.n_parameters(teacher.model),
            "size_mb": round(compress_measure.size_mb(teacher.model), 2),
        },
        "students": {},
    }
    models = {teacher.id: teacher.model}
    for sid in students.shipped():
        kind = students.kind_of(sid)
        model = student.load_student(students.folder(sid))
        compared = students.comparable(sid)
        row = {
            "kind": kind,
            "layers": model.config.num_hidden_layers,  # DistilBertConfig maps these names to n_layers and dim
            "hidden": model.config.hidden_size,
            "layer_map": students.layer_map(kind),
            "params": compress_measure.n_parameters(model),
            "size_mb": round(compress_measure.size_mb(model), 2),
            **students.pooled_quality(compared, teacher.model, teacher.tokenizer, held_out),
        }
        if kind == tinybert.KIND:
            projections = tinybert.load_projections(students.folder(sid))
            row["projections_params"] = compress_measure.n_parameters(projections)
            row["transfer"] = students.transfer_losses(model, projections, teacher.model, teacher.tokenizer, held_out)
            row["transfer_initial"] = initial_tinybert_losses(teacher.model, teacher.tokenizer, held_out)
        out["students"][sid] = row
        models[sid] = model
        print(sid, {k: v for k, v in row.items() if not k.startswith("transfer")}, flush=True)
    for n in (16, 128):
        for k, ms in compress_measure.speed_ms(models, teacher.tokenizer, n, args.repeats).items():
            (out["teacher"] if k == teacher.id else out["students"][k])[f"ms{n}"] = round(ms, 2)
    OUT.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    print(markdown(out))


def markdown(res: dict) -> str:
    t = res["teacher"]
    lines = [
        f"## Distilled students: the depth curve and TinyBERT-4 (bench/bench_students.py, {res['measured']})",
        "",
        (
            f"Quality: mean cosine of mean-pooled sentence embeddings to {t['id']} on {res['quality_sentences']} "
            f"held-out sentences ({res['quality_split']}), 95% t-interval over sentences; TinyBERT-4's embedding is "
            "compared through its learned W_h (312 -> 384). Speed: CPU time of one forward pass of one sentence "
            "(median of 30, one thread), models interleaved. Size: fp32 state_dict."
        ),
        "",
        "| model | layers x hidden | parameters | size MB | ms @16 | ms @128 | cosine to teacher [95% CI] |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        (
            f"| {t['id']} (teacher) | {t['layers']} x {t['hidden']} | {t['params']:,} | {t['size_mb']} | "
            f"{t.get('ms16', '')} | {t.get('ms128', '')} | 1 |"
        ),
    ]
    for sid, s in res["students"].items():
        lines.append(
            f"| {sid} | {s['layers']} x {s['hidden']} | {s['params']:,} | {s['size_mb']} | {s.get('ms16', '')} | "
            f"{s.get('ms128', '')} | {s['cosine']:.4f} [{s['low']:.4f}, {s['high']:.4f}] |"
        )
    for sid, s in res["students"].items():
        if "transfer" not in s:
            continue
        tr, init = s["transfer"], s["transfer_initial"]
        lines += [
            "",
            (
                f"{sid}: TinyBERT's transfer losses on the same {tr['sentences']} sentences (MSE per element; hidden "
                "states through W_h, attention scores before the softmax over real query-key pairs), trained vs at "
                f"initialisation. Embeddings through W_e: {tr['embedding']:.4f} (initial {init['embedding']:.4f})."
            ),
            "",
            "| student layer | teacher layer | hidden MSE | initial | attention-score MSE | initial |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for row, first in zip(tr["layers"], init["layers"], strict=True):
            lines.append(
                f"| {row['student'] + 1} | {row['teacher'] + 1} | {row['hidden']:.4f} | {first['hidden']:.4f} | "
                f"{row['attention']:.4f} | {first['attention']:.4f} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
