"""What the contribution methods share: the model's attention block, each head's transformed vectors, row
normalisation and the rollout of per-layer mixing through the layers.

The attention block of layer l computes  LN( sum_h sum_j a^h_ij f_h(x_j) + b_O + x_i )  with
f_h(x) = (x W_V^h + b_V^h) W_O^h, W_O^h being head h's slice of the output projection. ConvBERT's
convolution heads fit the same form: their weights are the kernels laid out as banded matrices
(trace.conv_matrices) and their value path is `conv_out_layer` (zero padding past the ends adds nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from bertviz_core.models import families
from bertviz_core.models.families import family_spec
from bertviz_core.tracing.capture import Trace

if TYPE_CHECKING:
    import torch

    from bertviz_core.models.loading import LoadedModel

ROW_CHUNK_FLOATS = 8_000_000  # [rows, T, D] work buffers stay below ~32 MB


class MethodUnavailable(ValueError):
    """A method does not apply to this model or input. `code` and `params` let a page translate it."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


# ---------------------------------------------------------------- the model's attention block
@dataclass
class AttentionParts:
    """What the attention block of one layer is made of (modules belong to the model)."""

    value: torch.nn.Linear  # x [T, D] -> attention heads' values [T, H * d]
    out: torch.nn.Linear  # context [T, (H + C) * d] -> [T, D]  (W_O, b_O)
    norm: torch.nn.LayerNorm  # applied to out(context) + x
    n_heads: int  # H attention heads
    head_size: int  # d
    conv_value: torch.nn.Linear | None = None  # ConvBERT: x -> conv heads' values [T, C * d] (conv_out_layer)
    n_conv: int = 0  # C convolution heads


def _base(model: torch.nn.Module) -> Any:
    """The encoder inside `model` (its base_model_prefix), laid out as its family's (see attention_parts)."""
    prefix = getattr(model, "base_model_prefix", "")
    return getattr(model, prefix, model) if prefix and hasattr(model, prefix) else model


def attention_parts(lm: LoadedModel, layer: int, n_heads: int, n_conv: int = 0) -> AttentionParts:
    """Locate layer `layer`'s value path, output projection and post-residual LayerNorm.

    bert / roberta / xlm-roberta / electra / convbert / deberta-v2: encoder.layer[l].attention.{self, output};
    distilbert: transformer.layer[l].attention.{v_lin, out_lin} and sa_layer_norm;
    albert: the shared AlbertAttention of the layer's group (value, dense, LayerNorm)."""
    base = _base(lm.model)
    family = lm.family
    config = lm.model.config
    spec = family_spec(family)
    if spec.layers == families.TRANSFORMER_LAYERS:  # DistilBERT
        block = base.transformer.layer[layer]
        value, out, norm = block.attention.v_lin, block.attention.out_lin, block.sa_layer_norm
        self_attention = block.attention
    elif spec.shared_attention:  # ALBERT
        if getattr(config, "inner_group_num", 1) != 1:
            raise MethodUnavailable(
                "albert_groups",
                "ALBERT with more than one layer per group "
                f"(inner_group_num={config.inner_group_num}) is not supported.",
            )
        groups = config.num_hidden_groups
        group = int(layer / (config.num_hidden_layers / groups))
        self_attention = base.encoder.albert_layer_groups[group].albert_layers[0].attention
        value, out, norm = self_attention.value, self_attention.dense, self_attention.LayerNorm
    elif hasattr(base, "encoder") and hasattr(base.encoder, "layer"):
        block = base.encoder.layer[layer].attention
        self_attention = block.self
        value = getattr(self_attention, "value", None) or getattr(self_attention, "value_proj", None)
        out, norm = block.output.dense, block.output.LayerNorm
    else:
        raise MethodUnavailable(
            "layout", f"{lm.label}: cannot find the attention block of family {family}.", model=lm.label
        )
    if value is None or value.out_features % n_heads:
        raise MethodUnavailable(
            "layout", f"{lm.label}: cannot find the value projection of layer {layer}.", model=lm.label
        )
    head_size = value.out_features // n_heads
    conv_value = getattr(self_attention, "conv_out_layer", None) if n_conv else None
    if n_conv and conv_value is None:
        raise MethodUnavailable("layout", f"{lm.label}: convolution heads without a conv_out_layer.", model=lm.label)
    if out.in_features != (n_heads + n_conv) * head_size:
        raise MethodUnavailable(
            "layout",
            f"{lm.label}: the output projection takes {out.in_features} inputs, not {(n_heads + n_conv) * head_size}.",
            model=lm.label,
        )
    return AttentionParts(value, out, norm, n_heads, head_size, conv_value, n_conv)


def layer_weights(trace: Trace, layer: int) -> np.ndarray:
    """Every head's mixing weights of one layer, [N, T, T]: attention heads, then ConvBERT's conv heads
    as banded matrices (weights falling past the ends are dropped: they multiply zero padding)."""
    a = trace.attentions[layer]
    if trace.conv_kernels is None:
        return np.array(a, dtype=np.float32)
    return np.concatenate([a, trace.conv_matrices(layer)], axis=0).astype(np.float32)


def head_vectors(
    lm: LoadedModel, trace: Trace, layer: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, AttentionParts]:
    """The transformed vectors of one layer: f [N, T, D] with f[h, j] = (x_j W_V^h + b_V^h) W_O^h
    (conv heads: conv_out_layer's slice instead of the value projection), the weights a [N, T, T]
    and b_O [D], so that  out(context)_i = sum_h sum_j a[h, i, j] f[h, j] + b_O.  Returns torch tensors."""
    import torch

    if trace.model_id != lm.id:
        raise ValueError(f"This trace was captured with {trace.model_id}, not {lm.id}.")
    parts = attention_parts(lm, layer, trace.n_heads, trace.n_conv_heads)
    H, C, d = parts.n_heads, parts.n_conv, parts.head_size
    x = torch.tensor(np.asarray(trace.hidden_states[layer]), dtype=torch.float32)  # [T, D]
    T = x.shape[0]
    with lm.lock, torch.no_grad():
        w_out = parts.out.weight.float()  # [D, (H + C) * d]
        D = w_out.shape[0]
        values = parts.value(x).view(T, H, d)  # [T, H, d]
        f = torch.einsum("thd,Dhd->htD", values, w_out[:, : H * d].reshape(D, H, d))  # [H, T, D]
        if parts.conv_value is not None:  # C > 0 (attention_parts)
            conv_values = parts.conv_value(x).view(T, C, d)  # [T, C, d]
            f_conv = torch.einsum("tcd,Dcd->ctD", conv_values, w_out[:, H * d :].reshape(D, C, d))
            f = torch.cat([f, f_conv])  # [H + C, T, D]
        bias = parts.out.bias.detach().float().clone() if parts.out.bias is not None else torch.zeros(D)
    alpha = torch.from_numpy(np.array(layer_weights(trace, layer)))  # [N, T, T], writable copy
    return f, alpha, bias, x, parts


def row_chunks(T: int, D: int) -> list[slice]:
    """Blocks of query rows whose [rows, T, D] work buffers stay under ROW_CHUNK_FLOATS floats."""
    step = max(1, ROW_CHUNK_FLOATS // max(1, T * D))
    return [slice(a, min(T, a + step)) for a in range(0, T, step)]


def mixed_vectors(alpha: torch.Tensor, f: torch.Tensor, rows: slice) -> torch.Tensor:
    """sum_h a[h, i, j] f[h, j] for the query rows `rows`: [R, T, D]."""
    import torch

    # per key j: [R, N] @ [N, D]  ->  batched over j
    return torch.bmm(alpha[:, rows].permute(2, 1, 0), f.permute(1, 0, 2)).permute(1, 0, 2)


# ---------------------------------------------------------------- rows and layers
def normalise_rows(m: np.ndarray) -> np.ndarray:
    """Each row divided by its sum (rows summing to 0 stay 0), float32."""
    s = m.sum(-1, keepdims=True)
    return np.divide(m, s, out=np.zeros_like(m), where=s > 0).astype(np.float32)


def with_residual(matrices: np.ndarray) -> np.ndarray:
    """0.5 A + 0.5 I for each [T, T] matrix (Abnar & Zuidema's model of the residual connection)."""
    T = matrices.shape[-1]
    return (0.5 * np.asarray(matrices, dtype=np.float64) + 0.5 * np.eye(T)).astype(np.float32)


def rollout(matrices: np.ndarray) -> np.ndarray:
    """[L, T, T] per-layer mixing -> [L, T, T] accumulated: R_0 = M_0, R_l = M_l R_{l-1}."""
    out = np.empty_like(np.asarray(matrices, dtype=np.float64))
    acc = np.eye(matrices.shape[-1])
    for layer, m in enumerate(np.asarray(matrices, dtype=np.float64)):
        acc = m @ acc
        out[layer] = acc
    return out.astype(np.float32)


def accumulated(per_layer: np.ndarray, accumulate: bool) -> np.ndarray:
    """A per-layer mixing [L, T, T] as is, or (accumulate) rolled out with the 0.5 A + 0.5 I residual model."""
    return rollout(with_residual(per_layer)) if accumulate else per_layer
