"""What one forward pass leaves behind: the Trace, and ConvBERT's kernels as banded matrices.

Names and shapes (batch dimension removed, T tokens):
    attentions             [layers, heads, T, T]       softmax probabilities (rows sum to 1)
    conv_kernels           [layers, conv_heads, T, K]  ConvBERT only, softmaxed over K offsets
    position_embeddings    [T, E]                      position embeddings added for this input
    token_type_embeddings  [T, E]                      token-type (segment) embeddings added
    hidden_states          [layers + 1, T, D]          embeddings output, then each layer's output
    deberta_terms          [layers, heads, 3, T, T]    DeBERTa, capture(..., terms=True): c2c, c2p, p2c as they
                                                       enter the softmax (their sum + the mask = the scores)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import overload

import numpy as np

from bertviz_core.models.families import TERM_NAMES

CONV_SPAN_NOTE = "token i's weights sit on keys i-K//2 .. i+K//2; weights falling past the ends multiply zero padding"


@dataclass(frozen=True, eq=False)
class Trace:
    """Everything captured from one forward pass. Arrays are float32 and read-only."""

    model_id: str
    family: str
    text: str
    text_b: str | None
    tokens: list[str]  # length T, special tokens included
    token_ids: list[int]
    attentions: np.ndarray  # [layers, heads, T, T]
    hidden_states: np.ndarray  # [layers + 1, T, D]
    position_embeddings: np.ndarray | None  # [T, E] or None (relative-position models)
    token_type_embeddings: np.ndarray | None  # [T, E] or None
    conv_kernels: np.ndarray | None  # [layers, conv_heads, T, K] or None
    b_start: int | None  # index of the first token of text_b, or None
    dropped_tokens: int  # tokens cut off to fit the model's limit
    special: tuple[bool, ...] = ()  # length T: True for [CLS], [SEP], <s>, ...
    offsets: tuple[
        tuple[int, int, int], ...
    ] = ()  # length T: (sentence 0/1, start char, end char); (-1, 0, 0) for specials
    deberta_terms: np.ndarray | None = None  # [layers, heads, 3, T, T] (DeBERTa, when asked for) or None
    deberta_terms_used: tuple[bool, ...] = ()  # per term: does the model add it (False: that term is zeros)

    @property
    def deberta_term_names(self) -> tuple[str, ...]:
        """Names of the terms along deberta_terms' third axis: ("c2c", "c2p", "p2c")."""
        return TERM_NAMES

    @property
    def n_layers(self) -> int:
        return self.attentions.shape[0]

    @property
    def n_heads(self) -> int:
        return self.attentions.shape[1]

    @property
    def n_conv_heads(self) -> int:
        return 0 if self.conv_kernels is None else self.conv_kernels.shape[1]

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays (for byte-bounded caches)."""
        arrays = (
            self.attentions,
            self.hidden_states,
            self.position_embeddings,
            self.token_type_embeddings,
            self.conv_kernels,
            self.deberta_terms,
        )
        return sum(a.nbytes for a in arrays if a is not None)

    def conv_matrices(self, layer: int | None = None) -> np.ndarray:
        """Conv kernels as banded attention-like matrices: [layers, conv_heads, T, T]
        (or [conv_heads, T, T] for one layer). Token i's weights sit on keys i-K//2 .. i+K//2;
        weights falling past the ends multiply zero padding (see CONV_SPAN_NOTE)."""
        if self.conv_kernels is None:
            raise ValueError(f"{self.model_id} has no convolution heads.")
        kernels = self.conv_kernels if layer is None else self.conv_kernels[layer : layer + 1]
        out = kernels_to_banded(kernels)
        return out if layer is None else out[0]


def kernels_to_banded(kernels: np.ndarray) -> np.ndarray:
    """[..., T, K] kernels -> [..., T, T] with row i holding kernel i at columns i-K//2..i+K//2."""
    *lead, T, K = kernels.shape
    half = K // 2
    out = np.zeros((*lead, T, T), dtype=kernels.dtype)
    rows = np.arange(T)
    for offset in range(K):
        cols = rows + offset - half
        ok = (cols >= 0) & (cols < T)
        out[..., rows[ok], cols[ok]] = kernels[..., rows[ok], offset]
    return out


@overload
def readonly(a: np.ndarray) -> np.ndarray: ...
@overload
def readonly(a: None) -> None: ...
@overload
def readonly(a: np.ndarray | None) -> np.ndarray | None: ...
def readonly(a: np.ndarray | None) -> np.ndarray | None:
    """`a` made read-only in place (Trace arrays are shared by caches and pages); None stays None."""
    if a is not None:
        a.setflags(write=False)
    return a
