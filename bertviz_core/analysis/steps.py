"""Step by step: one head's computation for one token, recomputed with the module's own weights and
checked against the captured values (attention heads, and ConvBERT's convolution heads)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from bertviz_core.tracing.capture import Trace

if TYPE_CHECKING:
    import torch
    from transformers.models.convbert.modeling_convbert import ConvBertSelfAttention

    from bertviz_core.models.loading import LoadedModel


class SelfAttention(Protocol):
    """What attention_steps reads of a self-attention module (BERT-style and ConvBERT's alike)."""

    query: torch.nn.Linear
    key: torch.nn.Linear
    value: torch.nn.Linear
    attention_head_size: int


def conv_branch_from_kernels(
    self_attention: ConvBertSelfAttention, layer_input: np.ndarray, kernels: np.ndarray
) -> np.ndarray:
    """ConvBERT's convolution heads recomputed from captured kernels.

    self_attention: a ConvBertSelfAttention module; layer_input [T, D] (= hidden_states[layer]);
    kernels [C, T, K] (softmaxed). Returns the conv heads' context [T, C * d]:
        out[t, c] = sum_k kernels[c, t, k] * V_conv[t + k - K//2, c]   (zero outside 0..T-1)
    where V_conv = conv_out_layer(layer_input) split into C heads of size d.
    """
    import torch

    C, T, K = kernels.shape
    with torch.no_grad():
        v = self_attention.conv_out_layer(torch.tensor(np.asarray(layer_input))).numpy()  # [T, C*d]
    d = v.shape[1] // C
    v = v.reshape(T, C, d)
    padded = np.zeros((T + K - 1, C, d), dtype=v.dtype)
    padded[K // 2 : K // 2 + T] = v
    windows = np.stack([padded[k : k + T] for k in range(K)], axis=2)  # [T, C, K, d]
    out = np.einsum("ctk,tckd->tcd", kernels, windows)
    return out.reshape(T, C * d)


def attention_steps(self_attention: SelfAttention, layer_input: np.ndarray, head: int, query: int) -> dict[str, Any]:
    """Walk one head's computation for one query token with the module's own weights.

    Returns X [T, D], Q/K/V [T, d] for this head, scores [T] = q . K^T / sqrt(d),
    probs [T] = softmax(scores), context [d] = probs @ V. Works for BERT-style and
    ConvBERT self-attention (attention heads only): both expose query/key/value Linear layers.
    """
    import torch

    x = torch.tensor(np.asarray(layer_input))
    with torch.no_grad():
        q_all, k_all, v_all = (getattr(self_attention, n)(x).numpy() for n in ("query", "key", "value"))
    d = self_attention.attention_head_size
    sl = slice(head * d, (head + 1) * d)
    Q, K, V = q_all[:, sl], k_all[:, sl], v_all[:, sl]
    scores = K @ Q[query] / np.sqrt(d)
    probs = np.exp(scores - scores.max())
    probs /= probs.sum()
    return {
        "X": layer_input,
        "Q": Q,
        "K": K,
        "V": V,
        "scores": scores,
        "probs": probs,
        "context": probs @ V,
        "d_head": d,
    }


def attention_module(lm: LoadedModel, layer: int) -> Any:
    """The self-attention module of `layer` (ALBERT shares one module across layers): its family's class,
    whose attributes depend on the family (torch types them Tensor | Module)."""
    from bertviz_core.models.families import family_spec

    cls = family_spec(lm.family).attention_class
    modules = [m for m in lm.model.modules() if type(m).__name__ == cls]
    return modules[min(layer, len(modules) - 1)]


def attention_walk(lm: LoadedModel, trace: Trace, layer: int, head: int, query: int) -> dict[str, Any]:
    """attention_steps for a LoadedModel + Trace, with the check against the captured row."""
    module = attention_module(lm, layer)
    if not all(hasattr(module, n) for n in ("query", "key", "value", "attention_head_size")):
        raise ValueError(
            f"Step-by-step supports BERT-style attention (query/key/value layers); "
            f"{lm.label} ({lm.family}) computes attention differently."
        )
    steps = attention_steps(module, trace.hidden_states[layer], head, query)
    steps["captured"] = trace.attentions[layer, head, query]
    steps["max_diff"] = float(np.abs(steps["probs"] - steps["captured"]).max())
    return steps


def conv_walk(lm: LoadedModel, trace: Trace, layer: int, conv_head: int, query: int) -> dict[str, Any]:
    """One ConvBERT convolution head for one token, from the module's own weights.

    key_conv [T, C*d] = SeparableConv1D(X) (depthwise over 9 neighbours, then pointwise);
    logits [K] = conv_kernel_layer(key_conv * Q)[query, head c]; kernel = softmax(logits);
    span values [K, d] = conv_out_layer(X) at positions query-K//2..query+K//2 (zero outside);
    output [d] = kernel @ span values. Checked against the captured kernel and the module output.
    """
    import torch

    if trace.conv_kernels is None:
        raise ValueError(f"{lm.label} has no convolution heads.")
    module = attention_module(lm, layer)
    x = torch.tensor(np.asarray(trace.hidden_states[layer]))  # [T, D]
    C, T, K = trace.conv_kernels[layer].shape
    with torch.no_grad():
        key_conv = module.key_conv_attn_layer(x.T[None])[0].T  # [T, C*d]
        query_all = module.query(x)  # [T, C*d]
        logits = module.conv_kernel_layer(key_conv * query_all).reshape(T, C, K)  # head-major
        values = module.conv_out_layer(x).numpy()  # [T, C*d]
    d = values.shape[1] // C
    logits = logits[query, conv_head].numpy()
    kernel = np.exp(logits - logits.max())
    kernel /= kernel.sum()
    positions = np.arange(query - K // 2, query + K // 2 + 1)
    span = np.zeros((K, d), dtype=np.float32)
    inside = (positions >= 0) & (positions < T)
    span[inside] = values[positions[inside], conv_head * d : (conv_head + 1) * d]
    output = kernel @ span
    full = conv_branch_from_kernels(module, trace.hidden_states[layer], trace.conv_kernels[layer])
    return {
        "X": trace.hidden_states[layer],
        "key_conv": key_conv.numpy()[:, conv_head * d : (conv_head + 1) * d],
        "logits": logits,
        "kernel": kernel,
        "captured": trace.conv_kernels[layer, conv_head, query],
        "positions": positions,
        "inside": inside,
        "span": span,
        "output": output,
        "d_head": d,
        "max_diff": float(np.abs(kernel - trace.conv_kernels[layer, conv_head, query]).max()),
        "output_diff": float(np.abs(output - full[query, conv_head * d : (conv_head + 1) * d]).max()),
    }
