"""Issue #18's question through the library: "In ConvBERT, do the convolution heads take over the
local work of BERT's attention heads, leaving its attention heads free to be more global?"

For each in-house ConvBERT student that is shipped (convbert-minilm-l6; convbert-minilm-l6-free once
its weights land), compare BERT with it on a seeded random sample of UD English EWT test sentences,
special tokens excluded (rows renormalised), and report per head group (all layers): mean distance,
local mass and normalised entropy with 95% intervals across sentences, and the paired difference
between BERT's attention heads and the student's attention heads on the same sentences.

    python bench/research_question.py [--sentences 150] [--seed 0]   # writes bench/out/research.json
"""

from __future__ import annotations

import argparse
import time

import common

METRICS = ("distance", "local", "entropy_norm")
STUDENTS = ("convbert-minilm-l6", "convbert-minilm-l6-free")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=150)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import torch

    import bertviz_core as bc
    from bertviz_core.analysis import compare, stats
    from bertviz_core.inputs import conllu
    from bertviz_core.models import registry, student

    torch.set_num_threads(1)  # a shared, busy CPU
    path = common.SHARED / "ud-english-ewt" / "en_ewt-ud-test.conllu"
    pool = conllu.conllu_sentences(path.read_text(encoding="utf-8"))
    bert = bc.load_model("bert-minilm-l6")
    lengths = [len(x) for x in bert.tokenizer(pool)["input_ids"]]
    sample = stats.sample_sentences(
        lengths, max_sentences=args.sentences, max_tokens=10**9, method="random", seed=args.seed
    )
    sentences = [pool[i] for i in sample.indices]
    out = {
        "machine": common.machine(),
        "source": path.name,
        "sentences": len(sentences),
        "seed": args.seed,
        "exclude_special": True,
        "models": {},
    }
    for model_id in STUDENTS:
        if registry.entry(model_id) is None or not student.is_student_folder(registry.WEIGHTS_DIR / model_id):
            print(f"{model_id}: not shipped, skipped")
            continue
        t0 = time.time()
        result = compare.compare_many(bert, bc.load_model(model_id), sentences, matching=False, exclude_special=True)
        rows = [r for r in compare.summary_rows(result, METRICS) if r["layer"] == "all" and r["length"] == "all"]
        out["models"][model_id] = {"rows": rows, "skipped": len(result["skipped"]), "seconds": time.time() - t0}
        for r in rows:
            print(model_id, r["metric"], r["group"], {k: round(v, 4) for k, v in r.items() if isinstance(v, float)})
    common.save("research", out)


if __name__ == "__main__":
    main()
