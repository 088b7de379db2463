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


TERM_NAMES = ("c2c", "c2p", "p2c")  # DeBERTa's score terms, in the order a Trace keeps them


@dataclass(frozen=True)
class DisentangledTerms:
    """DeBERTa's attention score as the sum of three terms (He et al., 2021), each divided by the model's
    own scale sqrt(head_size * (1 + number of relative terms used)):
    c2c = content query . content key, c2p = content query . key of the relative position (i - j, bucketed),
    p2c = query of the relative position (j - i) . content key. The attention module's `pos_att_type`
    says which relative terms it uses; `relative_attention` off leaves only c2c."""

    names: tuple[str, ...] = TERM_NAMES
    types_attr: str = "pos_att_type"  # the attention module's list of relative terms
    relative_attr: str = "relative_attention"

    def used(self, module: torch.nn.Module) -> tuple[bool, ...]:
        """Which of `names` this attention module adds to its scores (c2c always)."""
        relative = bool(getattr(module, self.relative_attr, False))
        types = tuple(getattr(module, self.types_attr, ()) or ())
        return tuple(name == "c2c" or (relative and name in types) for name in self.names)

    @staticmethod
    def buckets(config: PretrainedConfig) -> tuple[int, int, int]:
        """(position_buckets, max relative position, span) of a config, as its attention reads them: distances
        are bucketed when position_buckets > 0 (up to the max relative position, the position table's length
        when the config leaves it unset), then clipped to [-span, span - 1]."""
        buckets = int(getattr(config, "position_buckets", -1))
        max_position = int(getattr(config, "max_relative_positions", -1))
        if max_position < 1:
            max_position = int(config.max_position_embeddings)
        return buckets, max_position, buckets if buckets > 0 else max_position

    def compute(self, module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> torch.Tensor:
        """The terms [B, H, 3, T, T] of one call of a DisentangledSelfAttention `module`, recomputed from the
        inputs it was called with (a forward hook's args and kwargs); an unused term is zeros."""
        import torch

        hidden = args[0] if args else kwargs["hidden_states"]
        query_states = kwargs.get("query_states")
        heads = module.num_attention_heads
        q = module.transpose_for_scores(module.query_proj(hidden if query_states is None else query_states), heads)
        k = module.transpose_for_scores(module.key_proj(hidden), heads)
        types = list(getattr(module, self.types_attr, ()) or ())
        factor = 1 + sum(1 for t in ("c2p", "p2c") if t in types)
        scale = torch.sqrt(torch.tensor(q.size(-1), dtype=torch.float) * factor)
        terms = [torch.bmm(q, k.transpose(-1, -2) / scale.to(dtype=q.dtype))]  # the model's own c2c expression
        for name, used in zip(self.names[1:], self.used(module)[1:]):
            if not used:
                terms.append(torch.zeros_like(terms[0]))
                continue
            setattr(module, self.types_attr, [name])  # the module adds the terms its list names: one at a time
            try:
                terms.append(
                    module.disentangled_attention_bias(
                        q, k, kwargs.get("relative_pos"), module.pos_dropout(kwargs["rel_embeddings"]), factor
                    )
                )
            finally:
                setattr(module, self.types_attr, types)
        T = terms[0].shape[-1]
        return torch.stack([t.view(-1, heads, t.shape[-2], T) for t in terms], dim=2)


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
    score_terms: the parts the attention scores are the sum of, captured on request (DeBERTa), or None.
    position_embedding / token_type_embedding: module names (suffixes) of the embeddings whose outputs
        a Trace keeps.
    replaced_token_detection: the family has a discriminator class (its AutoModelForPreTraining scores each
        token "replaced or original", ELECTRA's ElectraForPreTraining); a checkpoint has one when it ships the
        head's weights (bertviz_core.analysis.electra).
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
    score_terms: DisentangledTerms | None = None
    position_embedding: str = "embeddings.position_embeddings"
    token_type_embedding: str = "embeddings.token_type_embeddings"
    replaced_token_detection: bool = False

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
        FamilySpec("electra", "ElectraSelfAttention", prunable=True, replaced_token_detection=True),
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
            score_terms=DisentangledTerms(),
        ),
    )
}

SUPPORTED: tuple[str, ...] = tuple(sorted(SPECS))
PRUNABLE: tuple[str, ...] = tuple(f for f, spec in SPECS.items() if spec.prunable)


STUDENT_FAMILIES: tuple[str, ...] = (
    "convbert",
    "bert",
    "distilbert",
    "deberta-v2",
    "electra",
)  # what an in-house student (models.student) can be


def is_student_family(model_type: object) -> bool:
    """Whether an in-house student folder may hold a model of this type (a ConvBERT, a BERT, a DistilBERT, a
    DeBERTa-v2 or an ELECTRA)."""
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
