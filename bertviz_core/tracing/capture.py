"""Run a model on a sentence and record what happens inside, through forward hooks.

Names and shapes of what is captured (batch dimension removed, T tokens):
    layers.{i}.attention      [heads, T, T]   softmax probabilities (rows sum to 1)
    layers.{i}.conv_kernels   [conv_heads, T, K]  ConvBERT only, softmaxed over K offsets
    embeddings.position       [T, E]          position embeddings added for this input
    embeddings.token_type     [T, E]          token-type (segment) embeddings added
    hidden_states             [layers + 1, T, D]  embeddings output, then each layer's output

Hooks are global state on a shared model: they are registered inside a
context manager that removes them in `finally` (bertviz_core.tracing.hooks), and each
model's lock keeps two users' captures from ever running on it at the same time.
The Trace itself is in bertviz_core.tracing.trace, the attention buffers in .buffers.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from bertviz_core.models.families import family_spec
from bertviz_core.models.loading import LoadedModel
from bertviz_core.tracing import hooks
from bertviz_core.tracing.buffers import BufferPool, attention_pool
from bertviz_core.tracing.trace import CONV_SPAN_NOTE, Trace, kernels_to_banded, readonly

if TYPE_CHECKING:
    from transformers import BatchEncoding

__all__ = [
    "CONV_SPAN_NOTE",
    "DIRECT_MIN_TOKENS",
    "BufferPool",
    "HookedPass",
    "Trace",
    "attention_pool",
    "capture",
    "forward",
    "kernels_to_banded",
    "pop_offsets",
    "readonly",
    "tokenize",
]

# From this many tokens on, capture() lets the softmax write into the Trace's buffer (measured
# in bench/bench_capture.py: below it the mode's per-call cost outweighs the copy it saves).
DIRECT_MIN_TOKENS = int(os.environ.get("BERTVIZ_DIRECT_MIN_TOKENS", "256"))


def tokenize(lm: LoadedModel, text: str, text_b: str | None = None) -> tuple[BatchEncoding, int]:
    """Tokenize within the model's limit. Returns (encoding, dropped_token_count).

    One pass in the common case; a second, truncating pass only when the input is too long."""
    tok = lm.tokenizer
    pair = (text, text_b) if text_b else (text,)
    # split_special_tokens: a literal "[SEP]" typed by the user is text, not a separator
    kwargs = {"return_tensors": "pt", "return_offsets_mapping": tok.is_fast, "split_special_tokens": True}
    enc = tok(*pair, truncation=False, verbose=False, **kwargs)
    full = enc["input_ids"].shape[1]
    if full <= lm.max_tokens:
        return enc, 0
    enc = tok(*pair, truncation="longest_first" if text_b else True, max_length=lm.max_tokens, **kwargs)
    return enc, full - enc["input_ids"].shape[1]


def pop_offsets(enc: BatchEncoding) -> tuple[tuple[int, int, int], ...]:
    """Remove offset_mapping from `enc` (the model must not receive it) and return, per token,
    (sentence 0/1, start char, end char), or (-1, 0, 0) for special tokens; () for slow tokenizers."""
    if "offset_mapping" not in enc:
        return ()
    seq = enc.sequence_ids(0)
    spans = enc.pop("offset_mapping")[0].tolist()
    return tuple((-1, 0, 0) if s is None else (s, a, b) for s, (a, b) in zip(seq, spans))


@dataclass(frozen=True, eq=False)
class HookedPass:
    """One forward pass of one sentence under the capture hooks (arrays writable; Trace makes them read-only)."""

    output: Any  # what the model (or `runner`) returned (a ModelOutput): hidden states, MLM logits, ...
    attentions: np.ndarray  # [layers, heads, T, T]
    hidden_states: np.ndarray  # [layers + 1, T, D]
    conv_kernels: np.ndarray | None  # [layers, conv_heads, T, K] (ConvBERT) or None
    score_terms: np.ndarray | None  # [layers, heads, 3, T, T] (DeBERTa, when asked for) or None
    store: dict[str, Any]  # what the hooks filled (hooks.capture_hooks), e.g. the embeddings' outputs


def forward(
    lm: LoadedModel,
    enc: Mapping[str, Any],
    *,
    direct: bool = False,
    runner: Callable[..., Any] | None = None,
    also: AbstractContextManager[Any] | None = None,
    terms: bool = False,
) -> HookedPass:
    """Run `lm` on `enc` (one sentence, as the tokenizer returns it) with the capture hooks, holding its lock.

    runner: the module to call instead of lm.model (a masked-LM model wrapped around it); also: a context
    manager entered with the hooks (e.g. head gates). direct, terms: see hooks.capture_hooks."""
    import torch

    spec = family_spec(lm.family)
    runner = lm.model if runner is None else runner
    with (
        lm.lock,
        torch.inference_mode(),
        hooks.capture_hooks(lm.model, want_conv=spec.conv_heads, direct=direct, want_terms=terms) as store,
        also if also is not None else contextlib.nullcontext(),
    ):
        # DeBERTa's attention returns its probabilities only when asked; elsewhere asking would
        # make transformers record a second copy of what our hooks already hold
        out = runner(**enc, output_hidden_states=True, output_attentions=spec.needs_output_attentions)
    attentions = store["attention"][: store["n_attention"]]  # [L, H, T, T]
    hidden = torch.stack([h[0] for h in out.hidden_states]).float().numpy()  # [L+1, T, D]
    kernels = None
    if spec.conv is not None and store["conv_kernels"]:
        K = spec.conv.kernel_size(lm.model.config)
        # [B, T, C*K] -> [T, C, K] (head-major), softmax over offsets, -> [C, T, K]
        kernels = torch.stack([spec.conv.kernels(k[0], K) for k in store["conv_kernels"]]).float().numpy()
    score_terms = torch.stack(store["score_terms"]).numpy() if store["score_terms"] else None
    return HookedPass(out, attentions, hidden, kernels, score_terms, store)


def capture(lm: LoadedModel, text: str, text_b: str | None = None, *, terms: bool = False) -> Trace:
    """Run `lm` on `text` (and optional `text_b`) and return a Trace.

    terms: for a family whose scores are a sum of parts (DeBERTa: c2c, c2p, p2c), also keep each part as it
    enters the softmax (Trace.deberta_terms, [layers, heads, 3, T, T]: three times the attention's memory);
    ignored for other families. Raises ValueError for empty input."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("The sentence is empty.")
    text_b = text_b if (text_b and text_b.strip()) else None
    enc, dropped = tokenize(lm, text, text_b)
    ids = enc["input_ids"][0].tolist()
    offsets = pop_offsets(enc)  # also removes offset_mapping, which the model must not receive
    if "attention_mask" in enc and bool(enc["attention_mask"].all()):
        del enc["attention_mask"]  # one unpadded sequence: an all-ones mask only adds zeros to every score
    T = len(ids)
    run = forward(lm, enc, direct=T >= DIRECT_MIN_TOKENS, terms=terms)
    store = run.store
    position = store["position"][0][0].expand(T, -1).float().numpy().copy() if store["position"] else None
    token_type = store["token_type"][0][0].float().numpy() if store["token_type"] else None
    b_start = None
    if text_b:
        seq_ids = enc.sequence_ids(0)
        b_start = seq_ids.index(1) if 1 in seq_ids else None
    return Trace(
        model_id=lm.id,
        family=lm.family,
        text=text,
        text_b=text_b,
        tokens=cast("list[str]", lm.tokenizer.convert_ids_to_tokens(ids)),  # a list of ids: a list of tokens
        token_ids=ids,
        attentions=readonly(run.attentions),
        hidden_states=readonly(run.hidden_states),
        position_embeddings=readonly(position),
        token_type_embeddings=readonly(token_type),
        conv_kernels=readonly(run.conv_kernels),
        b_start=b_start,
        dropped_tokens=dropped,
        special=tuple(bool(x) for x in lm.tokenizer.get_special_tokens_mask(ids, already_has_special_tokens=True)),
        offsets=offsets,
        deberta_terms=readonly(run.score_terms),
        deberta_terms_used=tuple(store["terms_used"]) if run.score_terms is not None else (),
    )
