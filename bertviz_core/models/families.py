"""What each supported model family (transformers `model_type`) looks like inside: one FamilySpec each.

Everything in bertviz_core that depends on the family reads it here (the capture hooks, head gates
and pruning, the position table, the loaders' limits), so this is the only module that compares
`model_type` strings. A family missing from SPECS is not supported: `family_spec` raises
UnsupportedFamily, and the loaders refuse such checkpoints ("unsupported_family").

Paths are attribute paths relative to a family's attention module (the `attention_class` module);
a leading "../" climbs to that module's parent (e.g. BERT's `<layer>.attention.output.dense` seen
from `<layer>.attention.self`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch
    from transformers import PretrainedConfig

# i18n-free keys of the position schemes (the app maps them to its own text)
LEARNED = "learned"  # a learned absolute position table, position i at row i
LEARNED_OFFSET = "learned-offset"  # the same table, position i at row padding_idx + 1 + i (RoBERTa)
RELATIVE = "relative"  # no absolute table (unless the config switches one on): relative terms in attention

ENCODER_LAYERS = "encoder.layer"  # <base>.encoder.layer[l].attention.{self, output}
TRANSFORMER_LAYERS = "transformer.layer"  # DistilBERT: <base>.transformer.layer[l].attention
ALBERT_GROUPS = "encoder.albert_layer_groups"  # ALBERT: one shared layer per group


class UnsupportedFamily(ValueError):
    """A model_type without a FamilySpec; `family` is the model_type as given."""

    def __init__(self, family: object) -> None:
        super().__init__(f"Model type '{family}' is not supported (supported: {', '.join(SUPPORTED)}).")
        self.family = family


@dataclass(frozen=True)
class ConvHeads:
    """ConvBERT's dynamic-convolution heads: the slots after the attention heads.

    The kernel layer maps each token to C * K logits, head-major (head c's K offsets are
    columns c*K .. c*K + K - 1); softmax over the K offsets gives each head's kernel."""

    kernel_layer: str = "conv_kernel_layer"  # Linear on the attention module -> [B, T, C * K] kernel logits
    value_layer: str = "conv_out_layer"  # Linear on the attention module -> [B, T, C * d] values the kernels weigh
    kernel_size_key: str = "conv_kernel_size"  # config attribute: K, the span
    head_ratio_key: str = "head_ratio"  # config attribute: num_attention_heads / attention heads

    def kernel_size(self, config: PretrainedConfig) -> int:
        return int(getattr(config, self.kernel_size_key))

    def heads(self, config: PretrainedConfig, n_heads: int) -> int:
        """Attention heads (and as many conv heads) of a config with n_heads heads in all."""
        return max(n_heads // getattr(config, self.head_ratio_key), 1)

    @staticmethod
    def kernels(logits: torch.Tensor, kernel_size: int) -> torch.Tensor:
        """One sentence's kernel logits [T, C * K] (a torch tensor) -> kernels [C, T, K]: the head-major
        reshape to [T, C, K], softmax over the K offsets, heads first."""
        return logits.reshape(logits.shape[0], -1, kernel_size).softmax(-1).transpose(0, 1)


@dataclass(frozen=True)
class FamilySpec:
    """How one family is built, as far as bertviz_core needs to know.

    model_type: the transformers model_type this spec describes.
    attention_class: class name of the module whose forward returns (context [B, T, D], probs [B, H, T, T]);
        the capture hooks sit on it.
    needs_output_attentions: the probabilities are in that output only when the forward is called with
        output_attentions=True (DeBERTa); elsewhere asking would make transformers keep a second copy.
    shared_attention: one attention module serves every layer of a group and is called once per layer (ALBERT).
    layers: path from the base model to its list of per-layer blocks (ENCODER_LAYERS, ...).
    qkv: the attention module's query, key and value Linear layers.
    output_projection: the Linear that mixes the concatenated head contexts [B, T, slots * head_size]
        (head gates sit on its input), relative to the attention module.
    heads_attr: the attention module's head count attribute (pruning updates it).
    position_scheme / position_description: how positions enter (LEARNED, LEARNED_OFFSET, RELATIVE) and
        the same in words.
    position_offset_from_padding: position i sits at row padding_idx + 1 + i of the table (RoBERTa).
    absolute_positions_flag: config flag that switches the absolute table on (DeBERTa-v2's
        position_biased_input, True when absent); None: always on.
    max_tokens_from_tokenizer: the longest input is the tokenizer's model_max_length (relative positions
        have no table to run out of), capped at 512.
    plain_scores: scores are q.k / sqrt(d) plus the mask only, so a step-by-step recomputation from the
        query/key layers reproduces them (DeBERTa adds relative-position terms).
    prunable: heads can be cut out (query/key/value rows, output-projection columns); prune_note says why not.
    conv: ConvBERT's convolution heads, or None.
    position_embedding / token_type_embedding: module names (suffixes) of the embeddings whose outputs
        a Trace keeps.
    """

    model_type: str
    attention_class: str
    needs_output_attentions: bool = False
    shared_attention: bool = False
    layers: str = ENCODER_LAYERS
    qkv: tuple[str, str, str] = ("query", "key", "value")
    output_projection: str = "../output.dense"
    heads_attr: str = "num_attention_heads"
    position_scheme: str = LEARNED
    position_description: str = "learned absolute"
    position_offset_from_padding: bool = False
    absolute_positions_flag: str | None = None
    max_tokens_from_tokenizer: bool = False
    plain_scores: bool = True
    prunable: bool = False
    prune_note: str = ""
    conv: ConvHeads | None = None
    position_embedding: str = "embeddings.position_embeddings"
    token_type_embedding: str = "embeddings.token_type_embeddings"

    @property
    def conv_heads(self) -> bool:
        """True when the family has convolution heads besides its attention heads (ConvBERT)."""
        return self.conv is not None

    def position_offset(self, config: PretrainedConfig) -> int:
        """Row of the position table that position 0 uses: padding_idx + 1 for RoBERTa-style models, else 0."""
        return config.pad_token_id + 1 if self.position_offset_from_padding else 0

    def has_absolute_positions(self, config: PretrainedConfig) -> bool:
        """Whether this config adds a learned absolute position embedding (DeBERTa-v3: no)."""
        return self.absolute_positions_flag is None or bool(getattr(config, self.absolute_positions_flag, True))

    def slot_counts(self, config: PretrainedConfig) -> tuple[int, int]:
        """(attention heads, conv heads) per layer of an unpruned model with this config."""
        n = config.num_attention_heads if hasattr(config, "num_attention_heads") else config.n_heads
        if self.conv is not None:
            attention = self.conv.heads(config, n)
            return attention, attention
        return n, 0

    def output_projection_of(self, model: torch.nn.Module, name: str, module: torch.nn.Module) -> torch.nn.Module:
        """The output projection of the attention module `module`, named `name` in `model`."""
        owner, attr = resolve_parent(model, name, module, self.output_projection)
        return getattr(owner, attr)


def resolve_parent(
    model: torch.nn.Module, name: str, module: torch.nn.Module, path: str
) -> tuple[torch.nn.Module, str]:
    """(module owning the last attribute of `path`, that attribute's name), `path` being relative to
    `module` (named `name` in `model`; each leading "../" climbs one module up)."""
    while path.startswith("../"):
        name = name.rsplit(".", 1)[0] if "." in name else ""
        module = model.get_submodule(name) if name else model
        path = path[3:]
    *parents, attr = path.split(".")
    for part in parents:
        module = getattr(module, part)
    return module, attr


_ROBERTA_POSITIONS: dict[str, Any] = {
    "position_scheme": LEARNED_OFFSET,
    "position_offset_from_padding": True,
    "position_description": "learned absolute (offset by padding_idx + 1)",
}

SPECS: dict[str, FamilySpec] = {
    spec.model_type: spec
    for spec in (  # prunable first: PRUNABLE keeps this order
        FamilySpec("bert", "BertSelfAttention", prunable=True),
        FamilySpec("roberta", "RobertaSelfAttention", prunable=True, **_ROBERTA_POSITIONS),
        FamilySpec("xlm-roberta", "XLMRobertaSelfAttention", prunable=True, **_ROBERTA_POSITIONS),
        FamilySpec("electra", "ElectraSelfAttention", prunable=True),
        FamilySpec(
            "distilbert",
            "DistilBertSelfAttention",
            layers=TRANSFORMER_LAYERS,
            qkv=("q_lin", "k_lin", "v_lin"),
            output_projection="out_lin",
            heads_attr="n_heads",
            prunable=True,
        ),
        FamilySpec(
            "convbert",
            "ConvBertSelfAttention",
            conv=ConvHeads(),
            prune_note="its query feeds both its attention heads and its convolution heads",
        ),
        FamilySpec("albert", "AlbertAttention", shared_attention=True, layers=ALBERT_GROUPS, output_projection="dense"),
        FamilySpec(
            "deberta-v2",
            "DisentangledSelfAttention",
            needs_output_attentions=True,
            qkv=("query_proj", "key_proj", "value_proj"),
            position_scheme=RELATIVE,
            position_description="relative (disentangled attention; no absolute embedding added unless "
            "position_biased_input)",
            absolute_positions_flag="position_biased_input",
            max_tokens_from_tokenizer=True,
            plain_scores=False,
        ),
    )
}

SUPPORTED: tuple[str, ...] = tuple(sorted(SPECS))
PRUNABLE: tuple[str, ...] = tuple(f for f, spec in SPECS.items() if spec.prunable)


STUDENT_FAMILIES: tuple[str, ...] = ("convbert", "bert")  # what an in-house student (models.student) can be


def is_student_family(model_type: object) -> bool:
    """Whether an in-house student folder may hold a model of this type (a ConvBERT or a BERT)."""
    return model_type in STUDENT_FAMILIES


def is_supported(model_type: object) -> bool:
    return isinstance(model_type, str) and model_type in SPECS


def family_spec(model_or_config_or_model_type: object) -> FamilySpec:
    """The FamilySpec of a model_type string, a config, a model, or anything with a `.config`
    (a LoadedModel). Raises UnsupportedFamily for a family without one."""
    x = model_or_config_or_model_type
    model_type = x if isinstance(x, str) else getattr(getattr(x, "config", x), "model_type", None)
    spec = SPECS.get(model_type) if isinstance(model_type, str) else None
    if spec is None:
        raise UnsupportedFamily(model_type)
    return spec
