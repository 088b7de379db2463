"""Convert a 3-layer BERT student (the old kind "bert3", a `BertModel`) into the DistilBERT student it always
was in recipe ("distilbert3", a `DistilBertModel`), exactly, and measure that it is exact.

    python bench/convert_bert3.py                                   # bertviz_core/weights/distilbert-minilm-l3
    python bench/convert_bert3.py --folder runs/bert3 --sentences 50

The folder is rewritten in place (config, weights, kind) and gets `conversion.json`: the largest absolute
difference between the old model's last hidden states and those of the converted model as it loads from the
rewritten folder, over the first UD EWT test sentences (the model card quotes it).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import common
import torch
from safetensors.torch import load_file

from bertviz_core.models import student
from bertviz_core.models.registry import WEIGHTS_DIR


def load_bert3(folder: Path) -> torch.nn.Module:
    """The old-format student: its fp16 tensors, the teacher's frozen ones, in a BertModel."""
    from transformers import BertConfig, BertModel

    base = json.loads((folder / student.BASE_FILE).read_text())
    if base["kind"] != "bert3":
        raise SystemExit(f"{folder} holds a {base['kind']!r} student, not 'bert3'.")
    model = BertModel(BertConfig.from_pretrained(folder))
    teacher = student.teacher_state()
    state = {k: v.float() for k, v in load_file(str(folder / student.WEIGHTS_FILE)).items()}
    state.update({k: teacher[k] for k in base["from_base"]})
    model.load_state_dict(state, strict=True)
    return model.eval()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folder", default=str(WEIGHTS_DIR / student.REGISTRY_IDS["distilbert3"]))
    ap.add_argument("--sentences", type=int, default=200)
    a = ap.parse_args()
    from transformers import AutoTokenizer

    from bertviz_core.inputs import conllu

    folder = Path(a.folder)
    old = load_bert3(folder)
    new = student.new_student(kind="distilbert3")
    new.load_state_dict(student.bert_to_distilbert(old.state_dict(), (0, 1, 2)))
    new.eval()
    path = common.SHARED / "ud-english-ewt" / "en_ewt-ud-test.conllu"
    sentences = conllu.conllu_sentences(path.read_text(encoding="utf-8"))[: a.sentences]
    student.save_student(new, folder, kind="distilbert3")
    again = student.load_student(folder)  # what loads from now on (the folded position embeddings stored in fp16)
    tokenizer = AutoTokenizer.from_pretrained(student.teacher_path())
    worst = 0.0
    with torch.no_grad():
        for s in sentences:
            enc = tokenizer(s, return_tensors="pt", truncation=True, max_length=512)
            ids = {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]}
            worst = max(worst, float((old(**ids).last_hidden_state - again(**ids).last_hidden_state).abs().max()))
    result = {
        "from": "BertModel (kind bert3)",
        "to": "DistilBertModel (kind distilbert3)",
        "sentences": len(sentences),
        "max_abs_diff_last_hidden": worst,
    }
    (folder / "conversion.json").write_text(json.dumps(result, indent=1))
    print(result)


if __name__ == "__main__":
    main()
