"""Beyond attention weights: what a token's output is really made of.

All methods work from a Trace (hidden_states[l] is layer l's input, attentions, ConvBERT's kernels)
plus the model's own weights. Shapes (T tokens, L layers, N = heads + conv heads):

    norm_attention(lm, trace)       float32 [L, N, T, T]   ||a_ij f_h(x_j)||  (Kobayashi et al. 2020)
    mixing(lm, trace, method)       float32 [L, T, T]      rows sum to 1; method in METHODS
    attribution(lm, text, method)   float32 [T]            Captum IG / gradient x input on the input embeddings

The attention block of layer l computes  LN( sum_h sum_j a^h_ij f_h(x_j) + b_O + x_i )  with
f_h(x) = (x W_V^h + b_V^h) W_O^h, W_O^h being head h's slice of the output projection. ConvBERT's
convolution heads fit the same form: their weights are the kernels laid out as banded matrices
(trace.conv_matrices) and their value path is `conv_out_layer` (zero padding past the ends adds nothing).

mixing methods (METHODS: name -> MethodSpec, in this order; one module each):
    "attention"  mean over heads (ConvBERT: attention and convolution heads), rows renormalised
    "norm"       ||sum_h a^h_ij f_h(x_j)||, rows normalised (Kobayashi et al. 2020, per layer)
    "rollout"    product of 0.5 A + 0.5 I up to layer l (Abnar & Zuidema 2020)
    "flow"       max-flow (networkx) through the same 0.5 A + 0.5 I graph, rows normalised;
                 capped at FLOW_MAX_TOKENS tokens
    "alti"       ALTI (Ferrando et al. 2022): per layer, the attention block with its residual and
                 LayerNorm, split exactly into one vector per input token
With accumulate=True, "attention" and "norm" are rolled out with the 0.5 A + 0.5 I residual model,
"alti" is multiplied through the layers as in the ALTI paper (its matrices already hold the residual).

Modules: base (the attention block, head vectors, rows and rollout), attention, norm, rollout, flow, alti,
attribution (Captum), registry (MethodSpec, METHODS, mixing).
"""

from __future__ import annotations

from bertviz_core.analysis.contributions.alti import alti_layer, alti_rows, alti_vectors
from bertviz_core.analysis.contributions.attention import attention_mean
from bertviz_core.analysis.contributions.attribution import (
    ATTRIBUTION_METHODS,
    TARGETS,
    attribution,
    attribution_report,
    ig_steps,
    masked_lm,
)
from bertviz_core.analysis.contributions.base import (
    ROW_CHUNK_FLOATS,
    AttentionParts,
    MethodUnavailable,
    attention_parts,
    head_vectors,
    layer_weights,
    normalise_rows,
    rollout,
    with_residual,
)
from bertviz_core.analysis.contributions.flow import FLOW_MAX_TOKENS, attention_flow, flow_graph
from bertviz_core.analysis.contributions.norm import layer_norm_mixing, norm_attention
from bertviz_core.analysis.contributions.registry import ACCUMULATED, METHODS, MethodSpec, method_spec, mixing

__all__ = [
    "ACCUMULATED",
    "ATTRIBUTION_METHODS",
    "FLOW_MAX_TOKENS",
    "METHODS",
    "ROW_CHUNK_FLOATS",
    "TARGETS",
    "AttentionParts",
    "MethodSpec",
    "MethodUnavailable",
    "alti_layer",
    "alti_rows",
    "alti_vectors",
    "attention_flow",
    "attention_mean",
    "attention_parts",
    "attribution",
    "attribution_report",
    "flow_graph",
    "head_vectors",
    "ig_steps",
    "layer_norm_mixing",
    "layer_weights",
    "masked_lm",
    "method_spec",
    "mixing",
    "norm_attention",
    "normalise_rows",
    "rollout",
    "with_residual",
]
