"""Analyses on Traces: pure numpy functions (plus two torch recomputations that
re-derive captured values from the model's own weights, used as oracles and
by the step-by-step page).
"""
from __future__ import annotations

import string

import numpy as np

from bertviz_core.models import heads
from bertviz_core.tracing.capture import Trace
from bertviz_core.models.heads import ATTN, CONV


# ---------------------------------------------------------------- recomputation
def conv_branch_from_kernels(self_attention, layer_input: np.ndarray, kernels: np.ndarray) -> np.ndarray:
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
    padded[K // 2: K // 2 + T] = v
    windows = np.stack([padded[k: k + T] for k in range(K)], axis=2)  # [T, C, K, d]
    out = np.einsum("ctk,tckd->tcd", kernels, windows)
    return out.reshape(T, C * d)


def attention_steps(self_attention, layer_input: np.ndarray, head: int, query: int) -> dict:
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
    return {"X": layer_input, "Q": Q, "K": K, "V": V, "scores": scores, "probs": probs,
            "context": probs @ V, "d_head": d}


# ---------------------------------------------------------------- head metrics
PUNCTUATION = set(string.punctuation) | {"。", "，", "、", "！", "？", "；", "：", "…"}
LOCAL_SPAN = 4  # "local" = within 4 positions: ConvBERT's span (kernel 9)

METRICS = {
    "entropy": "Entropy of each row in nats, averaged over query tokens. Its maximum (uniform weights) is "
               "log T for an attention head over T keys and log 9 for a convolution kernel (9 offsets).",
    "entropy_norm": "Entropy divided by the row's maximum (log of the number of keys it can weigh): 0 = all "
                    "weight on one key, 1 = uniform; comparable across head kinds and sentence lengths (a row "
                    "that can weigh only one key is left out).",
    "distance": "Mean |i - j| between a token and the tokens it attends to.",
    "local": "Attention mass within 4 positions (|i - j| <= 4), ConvBERT's span.",
    "cls": "Attention mass on the first special token ([CLS] / <s>).",
    "sep": "Attention mass on separator tokens ([SEP] / </s>).",
    "punct": "Attention mass on punctuation tokens.",
    "self": "Attention mass on the token itself.",
    "prev": "Attention mass on the previous token.",
    "next": "Attention mass on the next token.",
}
METRICS_NOTE = (
    "Attention heads: softmax rows over the sentence's T tokens. Convolution heads: computed on the kernels "
    "(each token's 9 weights over offsets -4..+4, summing to 1); weight on offsets past the sentence's ends "
    "falls on zero padding: it counts for entropy, distance and local but lands on no token. With "
    "exclude_special, [CLS]/[SEP] rows are dropped and every row is renormalised over the remaining tokens "
    "(for kernels: the offsets that land on remaining tokens); cls and sep are then undefined (nan).")
_SPECIAL_METRICS = ("cls", "sep")
_CHUNK = 12  # heads per step: bounds the temporaries (12 x 512 x 512 float32 = 12 MB each)


def is_punct(token: str) -> bool:
    core = token.lstrip("#").lstrip("Ġ▁")
    return bool(core) and all(ch in PUNCTUATION for ch in core)


def _token_columns(tokens: list[str], special) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(special, cls, sep, punct) boolean masks over a sentence's T positions."""
    T = len(tokens)
    special = np.asarray(tuple(special) if special else (False,) * T, dtype=bool)
    cls_cols = np.zeros(T, bool)
    cls_cols[0] = T > 0 and bool(special[0])
    sep_cols = special & (np.arange(T) > 0)
    punct_cols = np.array([is_punct(t) for t in tokens], dtype=bool)
    return special, cls_cols, sep_cols, punct_cols


def _entropy(p: np.ndarray) -> np.ndarray:
    return -(p * np.log(np.where(p > 0, p, 1.0))).sum(-1)


def _normalised(entropy: np.ndarray, n_keys) -> np.ndarray:
    """Mean over rows of entropy / log(n_keys); a row that can weigh a single key (log 1 = 0) is
    left out (it is both one-hot and uniform); nan if every row is such a row."""
    log_n = np.log(np.maximum(np.asarray(n_keys, dtype=np.float64), 1.0))
    ratio = np.where(log_n > 0, entropy / np.where(log_n > 0, log_n, 1.0), np.nan)
    with _quiet_nan_mean():
        return np.nanmean(np.broadcast_to(ratio, entropy.shape), axis=-1)


def _nan_metrics(lead: tuple) -> dict[str, np.ndarray]:
    return {k: np.full(lead, np.nan) for k in METRICS}


def head_metrics(attn: np.ndarray, tokens: list[str], special: tuple[bool, ...] | None = None,
                 exclude_special: bool = False) -> dict[str, np.ndarray]:
    """Per-head metrics (Clark et al. 2019) of attention rows [..., T, T], averaged over query rows.

    Returns each METRICS key -> array of shape attn.shape[:-2] (e.g. [layers, heads]). With
    `exclude_special`, the special tokens' rows are dropped, their columns removed and every row
    renormalised over the remaining tokens (cls and sep are then nan). Positions keep their
    original indices (distance, prev, next). Rows are expected to sum to 1 (softmax); see
    kernel_metrics for ConvBERT's convolution heads."""
    attn = np.asarray(attn, dtype=np.float32)
    T = attn.shape[-1]
    lead = attn.shape[:-2]
    special, cls_cols, sep_cols, punct_cols = _token_columns(tokens, special)
    keep = ~special if exclude_special else np.ones(T, bool)
    idx = np.flatnonzero(keep)
    if len(idx) == 0:
        return _nan_metrics(lead)
    i, j = idx[:, None], idx[None, :]
    weights = np.stack([np.abs(i - j), np.abs(i - j) <= LOCAL_SPAN, i == j, j == i - 1, j == i + 1]).astype(np.float32)
    columns = np.stack([cls_cols[idx], sep_cols[idx], punct_cols[idx]], axis=-1).astype(np.float32)  # [K, 3]
    flat = attn.reshape(-1, T, T)
    sums = {k: np.zeros(len(flat)) for k in METRICS}
    for start in range(0, len(flat), _CHUNK):
        p = flat[start: start + _CHUNK]
        if exclude_special:
            p = p[:, idx][:, :, idx]
            p = p / np.clip(p.sum(-1, keepdims=True), 1e-12, None)
        chunk = slice(start, start + len(p))
        entropy = _entropy(p)  # [n, R]
        sums["entropy"][chunk] = entropy.mean(-1, dtype=np.float64)
        sums["entropy_norm"][chunk] = _normalised(entropy, len(idx))
        per_row = np.einsum("nrk,wrk->wnr", p, weights)  # [5, n, R]
        for name, values in zip(("distance", "local", "self", "prev", "next"), per_row):
            sums[name][chunk] = values.mean(-1, dtype=np.float64)
        mass = p @ columns  # [n, R, 3]
        for c, name in enumerate(("cls", "sep", "punct")):
            sums[name][chunk] = mass[..., c].mean(-1, dtype=np.float64)
    out = {k: v.reshape(lead) for k, v in sums.items()}
    if exclude_special:
        for k in _SPECIAL_METRICS:
            out[k] = np.full(lead, np.nan)
    return out


def kernel_metrics(kernels: np.ndarray, tokens: list[str], special: tuple[bool, ...] | None = None,
                   exclude_special: bool = False) -> dict[str, np.ndarray]:
    """The same metrics for ConvBERT's convolution heads, computed on the kernels [..., T, K].

    Row i is token i's kernel: K weights (softmax, summing to 1) on positions i-K//2 .. i+K//2.
    Entropy is over the K weights (at most log K = log 9); distance and local use the offsets, so
    local is exactly 1 for K = 9; cls/sep/punct/self/prev/next count only weights that land on
    such a token (weight on zero padding past the ends lands on none). With `exclude_special`,
    special rows are dropped and each kernel is renormalised over the offsets that land on
    non-special tokens (padding excluded too)."""
    kernels = np.asarray(kernels, dtype=np.float32)
    T, K = kernels.shape[-2:]
    lead = kernels.shape[:-2]
    special, cls_cols, sep_cols, punct_cols = _token_columns(tokens, special)
    half = K // 2
    offsets = np.arange(K) - half
    pos = np.arange(T)[:, None] + offsets[None]                 # [T, K] key position of each weight
    inside = (pos >= 0) & (pos < T)
    at = np.clip(pos, 0, T - 1)
    rows = ~special if exclude_special else np.ones(T, bool)
    allowed = inside & ~special[at] if exclude_special else np.ones((T, K), bool)
    if not rows.any():
        return _nan_metrics(lead)
    flat = kernels.reshape(-1, T, K)[:, rows] * allowed[rows]   # [n, R, K]
    if exclude_special:
        flat = flat / np.clip(flat.sum(-1, keepdims=True), 1e-12, None)
    lands = lambda cols: (inside & cols[at])[rows].astype(np.float32)  # noqa: E731 - [R, K]
    entropy = _entropy(flat)
    out = {
        "entropy": entropy.mean(-1, dtype=np.float64),
        "entropy_norm": _normalised(entropy, allowed[rows].sum(-1)),
        "distance": (flat @ np.abs(offsets).astype(np.float32)).mean(-1, dtype=np.float64),
        "local": (flat @ (np.abs(offsets) <= LOCAL_SPAN).astype(np.float32)).mean(-1, dtype=np.float64),
        "cls": (flat * lands(cls_cols)).sum(-1).mean(-1, dtype=np.float64),
        "sep": (flat * lands(sep_cols)).sum(-1).mean(-1, dtype=np.float64),
        "punct": (flat * lands(punct_cols)).sum(-1).mean(-1, dtype=np.float64),
        "self": flat[..., half].mean(-1, dtype=np.float64),
        "prev": (flat[..., half - 1] * inside[rows, half - 1]).mean(-1, dtype=np.float64) if K > 1 else np.zeros(len(flat)),
        "next": (flat[..., half + 1] * inside[rows, half + 1]).mean(-1, dtype=np.float64) if K > 1 else np.zeros(len(flat)),
    }
    out = {k: np.asarray(v).reshape(lead) for k, v in out.items()}
    if exclude_special:
        for k in _SPECIAL_METRICS:
            out[k] = np.full(lead, np.nan)
    return out


def uniform_baseline(trace: Trace, exclude_special: bool = False) -> dict[str, dict[str, float]]:
    """What each metric would be for uniform weights on this sentence, per head kind:
    {"attn": {metric: value}} for rows uniform over the T tokens (or the non-special ones), and
    "conv": uniform kernels (1/9 per offset) for ConvBERT."""
    T = len(trace)
    out = {ATTN: {k: float(v) for k, v in head_metrics(np.full((T, T), 1.0 / T, np.float32), trace.tokens,
                                                         trace.special, exclude_special).items()}}
    if trace.conv_kernels is not None:
        K = trace.conv_kernels.shape[-1]
        out[CONV] = {k: float(v) for k, v in kernel_metrics(np.full((T, K), 1.0 / K, np.float32), trace.tokens,
                                                            trace.special, exclude_special).items()}
    return out


def slot_names(trace: Trace) -> list[str]:
    """Names of one layer's heads in all_heads order: 'H0'.. then ConvBERT's 'C0'.."""
    return heads.slot_names(trace.n_heads, trace.n_conv_heads)


def slot_kinds(trace: Trace) -> list[str]:
    """heads.ATTN or heads.CONV for each slot of a layer (all_heads order)."""
    return [h.kind for h in heads.layer_heads(trace.n_heads, trace.n_conv_heads)]


def all_heads(trace: Trace) -> tuple[np.ndarray, list[str]]:
    """Every head of a trace as [layers, heads + conv_heads, T, T] with names (see slot_names).

    ConvBERT's convolution heads join as banded matrices after the attention heads (their edge
    rows sum to less than 1: the weight on zero padding is not drawn)."""
    names = slot_names(trace)
    if trace.conv_kernels is None:
        return trace.attentions, names
    return np.concatenate([trace.attentions, trace.conv_matrices()], axis=1), names


# ---------------------------------------------------------------- comparing models
def js_divergence(p: np.ndarray, q: np.ndarray, axis: int = -1) -> np.ndarray:
    """Jensen-Shannon divergence (nats, in [0, log 2]) between distributions along `axis`."""
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    p = p / np.clip(p.sum(axis, keepdims=True), 1e-12, None)
    q = q / np.clip(q.sum(axis, keepdims=True), 1e-12, None)
    m = 0.5 * (p + q)

    def kl(a, b):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(a > 0, a * np.log(a / np.where(b > 0, b, 1)), 0.0).sum(axis)

    return 0.5 * kl(p, m) + 0.5 * kl(q, m)


def query_rows(T: int, max_rows: int | None) -> np.ndarray:
    """All T query rows, or `max_rows` evenly spaced ones (first and last included) when T is larger."""
    if not max_rows or T <= max_rows:
        return np.arange(T)
    return np.unique(np.linspace(0, T - 1, max_rows).round().astype(int))


def head_js_matrix(heads_a: np.ndarray, heads_b: np.ndarray, max_rows: int | None = None) -> np.ndarray:
    """JS divergence between every head of A and every head of B, averaged over query tokens.

    heads_a [Na, T, T], heads_b [Nb, T, T] (same T, e.g. after word alignment) -> [Na, Nb].
    With `max_rows`, the average runs over that many evenly spaced query rows (an estimate;
    exact when T <= max_rows). Uses JS(p, q) = (sum p log p + sum q log q) / 2 - sum m log m
    with m = (p + q) / 2, so only the m-term is computed per pair (float32, torch, in chunks).
    """
    import torch

    rows = query_rows(heads_a.shape[-2], max_rows)
    pa = torch.from_numpy(np.ascontiguousarray(np.asarray(heads_a)[:, rows], dtype=np.float32))  # [Na, R, T]
    pb = torch.from_numpy(np.ascontiguousarray(np.asarray(heads_b)[:, rows], dtype=np.float32))  # [Nb, R, T]
    pa = pa / pa.sum(-1, keepdim=True).clamp_min(1e-12)
    pb = pb / pb.sum(-1, keepdim=True).clamp_min(1e-12)
    plogp_a = torch.special.xlogy(pa, pa).sum(-1)  # [Na, R]
    plogp_b = torch.special.xlogy(pb, pb).sum(-1)  # [Nb, R]
    out = torch.empty(pa.shape[0], pb.shape[0], dtype=torch.float64)
    m, log_m = torch.empty_like(pb), torch.empty_like(pb)  # [Nb, R, T] work buffers
    with torch.inference_mode():
        for a in range(pa.shape[0]):
            torch.add(pb, pa[a], out=m).mul_(0.5)
            torch.log(m.clamp_min(1e-30), out=log_m)  # where m == 0, m * log m is 0 * (-69) = 0
            mlogm = torch.linalg.vecdot(m, log_m)  # [Nb, R]
            out[a] = (0.5 * (plogp_a[a] + plogp_b) - mlogm).clamp_min(0).double().mean(-1)
    return out.numpy()


def linear_cka(x: np.ndarray, y: np.ndarray) -> float:
    """Linear CKA (Kornblith et al. 2019) between representations x [n, d1] and y [n, d2]."""
    return float(cka_matrix(np.asarray(x)[None], np.asarray(y)[None])[0, 0])


def cka_matrix(hidden_a: np.ndarray, hidden_b: np.ndarray) -> np.ndarray:
    """Layer x layer linear CKA of hidden states [La, n, Da] and [Lb, n, Db] -> [La, Lb]."""
    xs = [x - x.mean(0) for x in np.asarray(hidden_a, dtype=np.float64)]  # centred, [n, Da] each
    ys = [y - y.mean(0) for y in np.asarray(hidden_b, dtype=np.float64)]
    self_x = [np.linalg.norm(x.T @ x) for x in xs]
    self_y = [np.linalg.norm(y.T @ y) for y in ys]
    out = np.zeros((len(xs), len(ys)))
    for i, x in enumerate(xs):
        for j, y in enumerate(ys):
            den = self_x[i] * self_y[j]
            out[i, j] = np.linalg.norm(y.T @ x) ** 2 / den if den > 0 else 0.0
    return out


# ---------------------------------------------------------------- word alignment
def _word_spans(text: str) -> list[tuple[int, int]]:
    import re

    return [m.span() for m in re.finditer(r"\S+", text)]


def word_groups(trace: Trace) -> tuple[list[list[int]], list[str]]:
    """Group a trace's tokens into whitespace-separated words of the input text.

    Uses the tokenizer's character offsets, so WordPiece, BPE and SentencePiece agree.
    Runs of special tokens form one group, labelled [CLS] at the start and [SEP] elsewhere.
    Returns (groups of token indices, word labels)."""
    if not trace.offsets:
        raise ValueError(f"{trace.model_id}: word alignment needs a fast tokenizer (character offsets).")
    spans = {0: _word_spans(trace.text), 1: _word_spans(trace.text_b or "")}
    texts = {0: trace.text, 1: trace.text_b or ""}
    groups: list[list[int]] = []
    labels: list[str] = []
    keys: list[tuple] = []
    for i, (seq, start, end) in enumerate(trace.offsets):
        if seq < 0 or end <= start and trace.special[i]:
            key = ("special",)
            label = "[CLS]" if not groups else "[SEP]"
        else:
            word = next((w for w, (a, b) in enumerate(spans[seq]) if a <= start < b), None)
            if word is None:  # a whitespace-only token: joins the previous group
                groups[-1].append(i)
                continue
            key = ("word", seq, word)
            a, b = spans[seq][word]
            label = texts[seq][a:b]
        if keys and keys[-1] == key:
            groups[-1].append(i)
        else:
            groups.append([i])
            labels.append(label)
            keys.append(key)
    return groups, labels


def pool_to_words(attn: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """[..., T, T] -> [..., W, W]: columns summed within a word (the mass the word receives),
    rows averaged within a word (a word attends as its pieces do on average). Rows still sum to 1."""
    cols = np.stack([attn[..., g].sum(-1) for g in groups], axis=-1)        # [..., T, W]
    return np.stack([cols[..., g, :].mean(-2) for g in groups], axis=-2)     # [..., W, W]


def pool_hidden_to_words(hidden: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """[..., T, D] -> [..., W, D]: mean over each word's pieces."""
    return np.stack([hidden[..., g, :].mean(-2) for g in groups], axis=-2)


def alignment(a: Trace, b: Trace) -> tuple[list[list[int]] | None, list[list[int]] | None, list[str], bool]:
    """How two traces of the same text line up: (groups_a, groups_b, labels, by_words).

    Token by token when both tokenizations are identical (groups None, labels = tokens);
    otherwise each model's tokens grouped into the text's words (see pool_to_words)."""
    if a.tokens == b.tokens:
        return None, None, list(a.tokens), False
    groups_a, labels_a = word_groups(a)
    groups_b, labels_b = word_groups(b)
    if labels_a != labels_b:
        raise ValueError("The two models kept different parts of the text (one truncated it), "
                         "so their words cannot be aligned. Try a shorter text.")
    return groups_a, groups_b, labels_a, True


def head_matrix(trace: Trace, layer: int, slot) -> np.ndarray | None:
    """One head of `layer` as [T, T]; None if the model has no such head.

    slot: an int (or digit string) = position in all_heads order (conv heads after attention
    heads, as /compare's synchronised slots); a heads.HeadId or token such as "H3" / "c1"; or
    "mean" = the mean over the layer's ATTENTION heads only (softmax rows summing to 1; ConvBERT's
    conv heads are left out, since their banded rows do not sum to 1 at the sentence's ends)."""
    n_attn = trace.n_heads
    if isinstance(slot, str) and slot.strip().lower() == heads.MEAN:
        return trace.attentions[layer].mean(0)
    if isinstance(slot, (int, np.integer)) or (isinstance(slot, str) and slot.strip().isdigit()):
        k = int(slot)
        if k < 0:
            return None
        head = heads.attn(k) if k < n_attn else heads.conv(k - n_attn)
    else:
        try:
            head = heads.parse(slot)
        except ValueError:
            return None
    if not heads.exists(head, trace.n_heads, trace.n_conv_heads):
        return None
    if head.is_conv:
        return trace.conv_matrices(layer)[head.index]
    return trace.attentions[layer, head.index]


def align_pair(a: Trace, b: Trace):
    """Common units for comparing two traces of the same text.

    Returns (heads_a [L, Na, U, U], heads_b [L, Nb, U, U], hidden_a [La+1, U, D], hidden_b, labels, by_words).
    Token by token when both tokenizations are identical; otherwise pooled to words."""
    groups_a, groups_b, labels, by_words = alignment(a, b)
    heads_a, hidden_a = in_units(a, all_heads(a)[0], groups_a)
    heads_b, hidden_b = in_units(b, all_heads(b)[0], groups_b)
    return heads_a, heads_b, hidden_a, hidden_b, labels, by_words


def in_units(trace: Trace, heads: np.ndarray, groups: list[list[int]] | None) -> tuple[np.ndarray, np.ndarray]:
    """A trace's heads [..., T, T] and hidden states in the compared units: tokens (groups None) or words."""
    if groups is None:
        return heads, trace.hidden_states
    return pool_to_words(heads, groups), pool_hidden_to_words(trace.hidden_states, groups)


# ---------------------------------------------------------------- comparison summary
CKA_MAX_BYTES = 256 * 2**20  # CKA over many sentences keeps at most this much (Gram sums or raw states)


def head_names(trace: Trace) -> list[str]:
    """'L0 H3' / 'L2 C1' for every head of every layer, in all_heads order (heads.qualified)."""
    return [heads.qualified(l, h) for l in range(trace.n_layers)
            for h in heads.layer_heads(trace.n_heads, trace.n_conv_heads)]


def trace_metrics(trace: Trace, exclude_special: bool = False) -> dict[str, np.ndarray]:
    """Every metric for every head of a trace -> each [layers, heads + conv_heads] (all_heads order):
    attention heads from their softmax rows (head_metrics), convolution heads from their kernels
    (kernel_metrics)."""
    out = head_metrics(trace.attentions, trace.tokens, trace.special, exclude_special)
    if trace.conv_kernels is not None:
        conv = kernel_metrics(trace.conv_kernels, trace.tokens, trace.special, exclude_special)
        out = {k: np.concatenate([out[k], conv[k]], axis=1) for k in out}
    return out


def special_units(trace: Trace, groups: list[list[int]] | None) -> np.ndarray:
    """Which compared units are special tokens: per token, or per word group (all its tokens special)."""
    special = np.asarray(trace.special if trace.special else (False,) * len(trace), dtype=bool)
    if groups is None:
        return special
    return np.array([bool(special[g].all()) for g in groups], dtype=bool)


def units_js(flat_a: np.ndarray, flat_b: np.ndarray, keep: np.ndarray | None = None,
             max_rows: int | None = None) -> np.ndarray:
    """head_js_matrix over the units in `keep` only: their rows, and each row renormalised over
    their columns (keep None: every unit). flat_x [N, U, U] -> [Na, Nb] (nan if nothing is kept)."""
    U = flat_a.shape[-1]
    idx = np.arange(U) if keep is None else np.flatnonzero(keep)
    if len(idx) == 0:
        return np.full((len(flat_a), len(flat_b)), np.nan)
    rows = idx[query_rows(len(idx), max_rows)]
    if len(idx) == U:
        return head_js_matrix(flat_a[:, rows], flat_b[:, rows])
    return head_js_matrix(flat_a[:, rows][:, :, idx], flat_b[:, rows][:, :, idx])


class _CKAAccumulator:
    """Linear CKA of hidden states over many sentences without keeping them.

    Exact: accumulates sum x, sum y, X^T X (per layer) and X^T Y (all layer pairs) in float64, from
    which the centred cross-covariances follow (||Y_c^T X_c||_F^2 / (||X_c^T X_c||_F ||Y_c^T Y_c||_F),
    as cka_matrix). States are shifted by the first sentence's mean (so centring does not cancel
    large means) and buffered up to FLUSH_UNITS tokens per float32 product (writing the
    [La*Da, Lb*Db] sum costs the same for 10 tokens as for 2000). When the Gram sums would exceed
    `max_bytes` (big models), raw states are kept instead while they fit, else CKA is given up
    (`skipped` says why)."""
    FLUSH_UNITS = 2048

    def __init__(self, max_bytes: int = CKA_MAX_BYTES):
        self.max_bytes = max_bytes
        self.mode = None
        self.n = 0
        self.skipped = ""
        self.raw_a: list[np.ndarray] = []  # raw mode: every sentence; gram mode: the unflushed buffer
        self.raw_b: list[np.ndarray] = []

    def add(self, xa: np.ndarray, xb: np.ndarray) -> None:
        xa = np.asarray(xa, dtype=np.float32)  # [La+1, U, Da]
        xb = np.asarray(xb, dtype=np.float32)  # [Lb+1, U, Db]
        (La, U, Da), (Lb, _, Db) = xa.shape, xb.shape
        if self.mode is None:
            gram_bytes = 8 * ((La * Da) * (Lb * Db) * 2 + La * Da * Da + Lb * Db * Db)  # with one temporary
            buffer_bytes = 4 * self.FLUSH_UNITS * (La * Da + Lb * Db)
            self.mode = "gram" if gram_bytes + buffer_bytes <= self.max_bytes else "raw"
            if self.mode == "gram":
                self.shift_a, self.shift_b = xa.mean(1, keepdims=True), xb.mean(1, keepdims=True)
                self.sum_a, self.sum_b = np.zeros((La, Da)), np.zeros((Lb, Db))
                self.aa, self.bb = np.zeros((La, Da, Da)), np.zeros((Lb, Db, Db))
                self.ab = np.zeros((La * Da, Lb * Db))
                self.buffered = 0
        if self.mode == "off":
            return
        if self.mode == "raw":
            held = sum(x.nbytes for x in self.raw_a + self.raw_b) + xa.nbytes + xb.nbytes
            if held > self.max_bytes:
                self.mode, self.raw_a, self.raw_b = "off", [], []
                self.skipped = f"the hidden states of these models need more than {self.max_bytes // 2**20} MB"
                return
        else:
            xa, xb = xa - self.shift_a, xb - self.shift_b
            self.buffered += U
        self.raw_a.append(xa)
        self.raw_b.append(xb)
        self.n += U
        if self.mode == "gram" and self.buffered >= self.FLUSH_UNITS:
            self._flush()

    def _flush(self) -> None:
        import torch

        if not self.raw_a:
            return
        xa = torch.from_numpy(np.concatenate(self.raw_a, axis=1))  # [La, U, Da]
        xb = torch.from_numpy(np.concatenate(self.raw_b, axis=1))
        self.raw_a, self.raw_b, self.buffered = [], [], 0
        with torch.inference_mode():
            self.sum_a += xa.double().sum(1).numpy()
            self.sum_b += xb.double().sum(1).numpy()
            self.aa += torch.bmm(xa.transpose(1, 2), xa).numpy()
            self.bb += torch.bmm(xb.transpose(1, 2), xb).numpy()
            flat_a = xa.transpose(0, 1).reshape(xa.shape[1], -1)  # [U, La*Da]
            flat_b = xb.transpose(0, 1).reshape(xb.shape[1], -1)
            self.ab += (flat_a.T @ flat_b).numpy()

    def matrix(self) -> np.ndarray | None:
        if self.mode == "raw":
            return cka_matrix(np.concatenate(self.raw_a, axis=1), np.concatenate(self.raw_b, axis=1))
        if self.mode != "gram" or self.n == 0:
            return None
        self._flush()
        La, Da = self.sum_a.shape
        Lb, Db = self.sum_b.shape
        ma, mb = self.sum_a / self.n, self.sum_b / self.n
        cross = self.ab.reshape(La, Da, Lb, Db) - self.n * ma[:, :, None, None] * mb[None, None]
        num = np.einsum("adbe,adbe->ab", cross, cross)
        norm = lambda g, m: np.sqrt(((g - self.n * m[:, :, None] * m[:, None, :]) ** 2).sum((1, 2)))  # noqa: E731
        den = norm(self.aa, ma)[:, None] * norm(self.bb, mb)[None]
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)


class ComparisonAccumulator:
    """Model A vs model B over sentence pairs, added one pair at a time; keeps per-sentence
    statistics only (no trace, no attention matrix), so memory does not grow with sentence length.

    Per sentence: every metric of every head of both models ([layers, slots]), the uniform-attention
    baseline per head kind, the head x head JS matrix (with `matching`) and CKA sums. `result()` gives
    the means (as compare_traces always did) plus the per-sentence arrays for intervals."""

    def __init__(self, *, matching: bool = True, max_rows: int | None = None, exclude_special: bool = False,
                 cka_max_bytes: int = CKA_MAX_BYTES):
        self.matching, self.max_rows, self.exclude_special = matching, max_rows, exclude_special
        self.metrics_a: list[dict] = []
        self.metrics_b: list[dict] = []
        self.baseline_a: list[dict] = []
        self.baseline_b: list[dict] = []
        self.js: list[np.ndarray] = []
        self.sentences: list[str] = []
        self.lengths_a: list[int] = []
        self.lengths_b: list[int] = []
        self.by_words = False
        self.shape = None  # (model ids, head names) of the first pair: every pair must match it
        self._cka = _CKAAccumulator(cka_max_bytes)

    def __len__(self) -> int:
        return len(self.sentences)

    def add(self, a: Trace, b: Trace) -> None:
        """One sentence run through both models. Raises ValueError (nothing stored) if the two
        traces cannot be aligned or do not match the models of the earlier pairs."""
        shape = (a.model_id, b.model_id, head_names(a), head_names(b))
        if self.shape is None:
            self.shape = shape
            self.kinds_a, self.kinds_b = slot_kinds(a), slot_kinds(b)
        elif shape != self.shape:
            raise ValueError("Every sentence pair must come from the same two models.")
        if self.matching:  # first, so a sentence that cannot be aligned leaves no trace in the results
            groups_a, groups_b, _, pooled = alignment(a, b)
            ha, xa = in_units(a, all_heads(a)[0], groups_a)
            hb, xb = in_units(b, all_heads(b)[0], groups_b)
            keep = ~special_units(a, groups_a) if self.exclude_special else None
            js = units_js(ha.reshape(-1, *ha.shape[-2:]), hb.reshape(-1, *hb.shape[-2:]), keep, self.max_rows)
            del ha, hb
            self._cka.add(xa, xb)
            self.js.append(js.astype(np.float32))
            self.by_words |= pooled
        self.metrics_a.append({k: v.astype(np.float32) for k, v in trace_metrics(a, self.exclude_special).items()})
        self.metrics_b.append({k: v.astype(np.float32) for k, v in trace_metrics(b, self.exclude_special).items()})
        self.baseline_a.append(uniform_baseline(a, self.exclude_special))
        self.baseline_b.append(uniform_baseline(b, self.exclude_special))
        self.sentences.append(a.text)
        self.lengths_a.append(len(a))
        self.lengths_b.append(len(b))

    def result(self) -> dict:
        if not self.sentences:
            raise ValueError("No sentences to compare.")
        stack = lambda ms: {k: np.stack([m[k] for m in ms]) for k in ms[0]}  # noqa: E731 - {m: [S, L, N]}
        base = lambda bs: {k: np.array([[b[ATTN][k], b.get(CONV, {}).get(k, np.nan)] for b in bs])  # noqa: E731
                           for k in METRICS}  # {m: [S, 2]}: attention heads, conv heads
        per = {"metrics_a": stack(self.metrics_a), "metrics_b": stack(self.metrics_b),
               "baseline_a": base(self.baseline_a), "baseline_b": base(self.baseline_b),
               "js": np.stack(self.js) if self.matching else None}
        with np.errstate(invalid="ignore"), _quiet_nan_mean():
            out = {"metrics_a": {k: np.nanmean(v, axis=0) for k, v in per["metrics_a"].items()},
                   "metrics_b": {k: np.nanmean(v, axis=0) for k, v in per["metrics_b"].items()}}
        _, _, names_a, names_b = self.shape
        out.update(names_a=names_a, names_b=names_b, kinds_a=self.kinds_a, kinds_b=self.kinds_b,
                   model_a=self.shape[0], model_b=self.shape[1], n_sentences=len(self.sentences),
                   sentences=list(self.sentences), lengths_a=np.array(self.lengths_a),
                   lengths_b=np.array(self.lengths_b), exclude_special=self.exclude_special,
                   max_rows=self.max_rows, matching=self.matching, per_sentence=per)
        if self.matching:
            with _quiet_nan_mean():
                out.update(js=np.nanmean(per["js"], axis=0), by_words=self.by_words,
                           cka=self._cka.matrix(), cka_skipped=self._cka.skipped)
        return out


class _quiet_nan_mean:
    """np.nanmean over an all-nan column (cls/sep with specials excluded) warns; the nan is meant."""

    def __enter__(self):
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        return self._w.__exit__(*exc)


def compare_traces(pairs, matching: bool = True, max_rows: int | None = None,
                   exclude_special: bool = False) -> dict:
    """Metrics, head matching and CKA for model A vs model B over sentence pairs (any iterable,
    e.g. a generator: each pair is reduced to its statistics and may be freed before the next).

    Returns metrics_a/metrics_b {name: [L, N]} (means over sentences), names_a/names_b, kinds_a/kinds_b
    (heads.ATTN / heads.CONV per slot), n_sentences, sentences, lengths_a/lengths_b, per_sentence
    (metrics_a/metrics_b {name: [S, L, N]}, baseline_a/baseline_b {name: [S, 2]} = uniform weights for
    attention / conv heads, js [S, L*Na, L*Nb]) and, with `matching`: js [L*Na, L*Nb] (mean over
    sentences; `max_rows` as in head_js_matrix), cka [La+1, Lb+1] (linear CKA on word- or
    token-aligned hidden states of all sentences together) and by_words (True if any sentence
    needed word alignment). See ComparisonAccumulator; exclude_special as in head_metrics."""
    acc = ComparisonAccumulator(matching=matching, max_rows=max_rows, exclude_special=exclude_special)
    for a, b in pairs:
        acc.add(a, b)
    return acc.result()


def compare_many(lm_a, lm_b, sentences, *, matching: bool = True, max_rows: int | None = None,
                 exclude_special: bool = False, capture=None, progress=None) -> dict:
    """compare_traces over sentences captured one at a time: each sentence's two traces are
    reduced to statistics and dropped before the next sentence is run, so memory stays flat.

    sentences: any iterable of str (a generator is fine). capture(lm, text) -> Trace defaults to
    bertviz_core.tracing.capture.capture (pass a cached or rate-limited one if you like). progress(i, n_done)
    is called after each sentence. A sentence that cannot be run or aligned is skipped; the result's
    "skipped" lists (index, sentence, reason)."""
    if capture is None:
        from bertviz_core.tracing.capture import capture
    acc = ComparisonAccumulator(matching=matching, max_rows=max_rows, exclude_special=exclude_special)
    skipped = []
    for i, sentence in enumerate(sentences):
        try:
            acc.add(capture(lm_a, sentence), capture(lm_b, sentence))
        except ValueError as exc:
            skipped.append((i, sentence, str(exc)))
        if progress is not None:
            progress(i, len(acc))
    out = acc.result()
    out["skipped"] = skipped
    return out


def closest_partners(js: np.ndarray, names_a: list[str], names_b: list[str]) -> list[tuple[str, str, float]]:
    """For each head of A, the head of B with the smallest JS divergence."""
    best = js.argmin(1)
    return [(names_a[i], names_b[j], float(js[i, j])) for i, j in enumerate(best)]


def _layers_of(names: list[str]) -> np.ndarray:
    return np.array([heads.parse_qualified(n)[0] for n in names])


def match_heads(js: np.ndarray, names_a: list[str], names_b: list[str], same_layer: bool = False) -> dict:
    """Head matching from a JS matrix [A heads, B heads] (low = similar), three ways:

    a_to_b: each head of A and its nearest head of B; b_to_a: each head of B and its nearest head of A
    (nearest partners may repeat: several heads can share one partner); one_to_one: the assignment
    pairing each head with a different partner that minimises the total JS (Hungarian algorithm,
    scipy.optimize.linear_sum_assignment; min(#A, #B) pairs). With `same_layer`, partners come from
    the same layer index only (heads of a layer the other model lacks get none).
    Each list holds (head, partner, js) with js a float."""
    from scipy.optimize import linear_sum_assignment

    js = np.asarray(js, dtype=np.float64)
    la, lb = _layers_of(names_a), _layers_of(names_b)
    allowed = (la[:, None] == lb[None]) if same_layer else np.ones(js.shape, bool)
    allowed &= ~np.isnan(js)
    masked = np.where(allowed, js, np.inf)

    def nearest(m, ok, rows, cols):
        return [(rows[i], cols[int(np.argmin(m[i]))], float(m[i].min())) for i in range(len(m)) if ok[i].any()]

    one = []
    blocks = sorted(set(la) & set(lb)) if same_layer else [None]
    for layer in blocks:
        ia = np.flatnonzero(la == layer) if same_layer else np.arange(len(names_a))
        ib = np.flatnonzero(lb == layer) if same_layer else np.arange(len(names_b))
        block = masked[np.ix_(ia, ib)]
        finite = np.isfinite(block)
        if not finite.any():
            continue
        cost = np.where(finite, block, block[finite].max() * 10 + 1e6)  # forbidden pairs: never chosen if avoidable
        r, c = linear_sum_assignment(cost)
        one += [(names_a[ia[i]], names_b[ib[j]], float(block[i, j])) for i, j in zip(r, c) if finite[i, j]]
    return {"a_to_b": nearest(masked, allowed, names_a, names_b),
            "b_to_a": nearest(masked.T, allowed.T, names_b, names_a),
            "one_to_one": one}


# ---------------------------------------------------------------- summaries over sentences
GROUPS = (ATTN, CONV)


def group_values(result: dict, side: str, metric: str, group: str, layer: int | None = None) -> np.ndarray | None:
    """Per-sentence value [S] of a head group: the metric averaged over the group's heads of `layer`
    (None: of every layer). side "a" or "b"; None if that model has no such heads or layer."""
    values = result["per_sentence"][f"metrics_{side}"][metric]  # [S, L, N]
    kinds = np.array(result[f"kinds_{side}"])
    if not (kinds == group).any() or (layer is not None and layer >= values.shape[1]):
        return None
    chosen = values[:, :, kinds == group] if layer is None else values[:, layer, kinds == group]
    with _quiet_nan_mean():
        return np.nanmean(chosen.reshape(len(values), -1), axis=1)


def summary_rows(result: dict, metrics=None, confidence: float = 0.95) -> list[dict]:
    """Per metric, layer ("all" = every layer), head group (attention / conv) and sentence length
    ("all", then the stats.LENGTH_STRATA present, by model A's token count): mean of A and of B with
    their t-intervals across sentences, the paired difference A - B on the same sentences (interval,
    paired t-test p-value; where both models have the group) and the uniform-attention baseline."""
    from bertviz_core.analysis import stats

    metrics = list(metrics or METRICS)
    strata = stats.length_strata(result["lengths_a"])
    n_layers = max(result["per_sentence"]["metrics_a"][metrics[0]].shape[1],
                   result["per_sentence"]["metrics_b"][metrics[0]].shape[1])
    selections = [("all", np.ones(len(strata), bool))] + [
        (stats.stratum_label(k), strata == k) for k in range(len(stats.LENGTH_STRATA)) if (strata == k).any()]
    rows = []
    for metric in metrics:
        for layer in [None, *range(n_layers)]:
            for group in GROUPS:
                va = group_values(result, "a", metric, group, layer)
                vb = group_values(result, "b", metric, group, layer)
                if va is None and vb is None:
                    continue
                gi = GROUPS.index(group)
                for label, sel in selections:
                    row = {"metric": metric, "layer": "all" if layer is None else layer, "group": group,
                           "length": label, "n": int(sel.sum())}
                    for side, v in (("a", va), ("b", vb)):
                        iv = stats.mean_interval(v[sel], confidence=confidence) if v is not None else None
                        base = result["per_sentence"][f"baseline_{side}"][metric][sel, gi]
                        with _quiet_nan_mean():
                            row.update({f"{side}_mean": _f(iv and iv.mean), f"{side}_low": _f(iv and iv.low),
                                        f"{side}_high": _f(iv and iv.high),
                                        f"{side}_uniform": _f(np.nanmean(base) if v is not None else None)})
                    d = stats.paired_difference(va[sel], vb[sel], confidence=confidence) if (
                        va is not None and vb is not None) else None
                    row.update(diff_mean=_f(d and d.mean), diff_low=_f(d and d.low), diff_high=_f(d and d.high),
                               p_value=_f(d and d.p_value))
                    rows.append(row)
    return rows


def _f(x) -> float:
    return float("nan") if x is None else float(x)


def extreme_sentences(values: np.ndarray) -> tuple[int, int]:
    """Indices of the sentences where a per-sentence value [S] is highest and lowest (nan ignored)."""
    values = np.asarray(values, dtype=np.float64)
    if np.isnan(values).all():
        return 0, 0
    return int(np.nanargmax(values)), int(np.nanargmin(values))


def comparison_to_npz(result: dict, extra: dict | None = None) -> bytes:
    """Everything of a comparison as one .npz (numpy only, no pickles): per-sentence metrics
    (metrics_a__entropy [S, L, N], ...), baselines, JS, CKA, head names and kinds, the sentences
    and their lengths, and `extra` scalars (e.g. sampling method and seed)."""
    import io

    per = result["per_sentence"]
    arrays = {"sentences": np.array(result["sentences"], dtype=str), "lengths_a": result["lengths_a"],
              "lengths_b": result["lengths_b"], "names_a": np.array(result["names_a"], dtype=str),
              "names_b": np.array(result["names_b"], dtype=str), "kinds_a": np.array(result["kinds_a"], dtype=str),
              "kinds_b": np.array(result["kinds_b"], dtype=str), "model_a": np.array(result["model_a"]),
              "model_b": np.array(result["model_b"]), "exclude_special": np.array(result["exclude_special"])}
    for side in "ab":
        for k, v in per[f"metrics_{side}"].items():
            arrays[f"metrics_{side}__{k}"] = v
        for k, v in per[f"baseline_{side}"].items():
            arrays[f"baseline_{side}__{k}"] = v
    if per.get("js") is not None:
        arrays["js"] = per["js"]
    if result.get("cka") is not None:
        arrays["cka"] = result["cka"]
    for k, v in (extra or {}).items():
        arrays[f"info__{k}"] = np.array(v)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def reproduce_snippet(model_a: str, model_b: str, *, exclude_special: bool, max_rows: int | None,
                      npz_name: str = "comparison.npz") -> str:
    """Python that recomputes a many-sentence comparison from its downloaded .npz (same sentences)."""
    return (
        "import numpy as np\n"
        "import bertviz_core as bc\n"
        "from bertviz_core.analysis import metrics as analysis\n\n"
        f"saved = np.load({npz_name!r})\n"
        "sentences = [str(s) for s in saved['sentences']]\n"
        f"a, b = bc.load_model({model_a!r}), bc.load_model({model_b!r})\n"
        f"result = analysis.compare_many(a, b, sentences, exclude_special={bool(exclude_special)}, "
        f"max_rows={max_rows!r})\n"
        "rows = analysis.summary_rows(result)  # mean, 95% interval, paired A - B, per layer/group/length\n"
        "print(len(result['sentences']), 'sentences;', rows[0])\n")


# ---------------------------------------------------------------- provenance
# How the in-house students were made (bertviz_core.models.student, bertviz_core.training.distill). What a
# comparison with the teacher can and cannot show follows from it.
PROVENANCE = {
    "convbert": ("Distilled from {teacher} with attention transfer (as in TinyBERT): its attention heads H0-H5 "
                 "started as copies of {teacher}'s heads H0-H5 (query, key and value) and were trained to "
                 "reproduce their attention (a KL loss); its conv heads' values started from heads H6-H11. "
                 "So H0-H5 matching {teacher}'s H0-H5 is the training target, not a finding."),
    "convbert-free": ("Distilled from {teacher} on hidden states and the pooled output only: no attention loss, "
                      "and its attention heads' query and key were NOT copied (random start; value copied from "
                      "{teacher}'s heads H0-H5, conv values from H6-H11). What its attention heads attend to, "
                      "they learned by themselves."),
    "bert3": ("A 3-layer BERT initialised from {teacher}'s layers 0, 3 and 5 (every weight copied) and trained on "
              "hidden states: its heads start as exact copies of those layers' heads, so matches to them are "
              "inherited, not found."),
}


def provenance(model_id: str) -> tuple[str, str] | None:
    """(student kind, teacher id) for an in-house student (see PROVENANCE), else None."""
    from bertviz_core.models import student

    for kind, student_id in student.REGISTRY_IDS.items():
        if model_id == student_id:
            return kind, "bert-minilm-l6"
    return None


def comparison_provenance(model_a: str, model_b: str) -> list[dict]:
    """For each in-house student among A and B: {"side", "model", "kind", "teacher", "relation"} with
    relation "teacher" (the other model is its teacher), "sibling" (another student of the same
    teacher), "same" or "other"."""
    out = []
    for side, model, other in (("A", model_a, model_b), ("B", model_b, model_a)):
        p = provenance(model)
        if p is None:
            continue
        kind, teacher = p
        other_p = provenance(other)
        relation = ("same" if other == model else "teacher" if other == teacher else
                    "sibling" if other_p and other_p[1] == teacher else "other")
        out.append({"side": side, "model": model, "kind": kind, "teacher": teacher, "relation": relation})
    return out


# ---------------------------------------------------------------- step by step
def attention_module(lm, layer: int):
    """The self-attention module of `layer` (ALBERT shares one module across layers)."""
    from bertviz_core.models import registry

    cls = registry.ATTENTION_MODULES[lm.family]
    modules = [m for m in lm.model.modules() if type(m).__name__ == cls]
    return modules[min(layer, len(modules) - 1)]


def attention_walk(lm, trace: Trace, layer: int, head: int, query: int) -> dict:
    """attention_steps for a LoadedModel + Trace, with the check against the captured row."""
    module = attention_module(lm, layer)
    if not all(hasattr(module, n) for n in ("query", "key", "value", "attention_head_size")):
        raise ValueError(f"Step-by-step supports BERT-style attention (query/key/value layers); "
                         f"{lm.label} ({lm.family}) computes attention differently.")
    if lm.family == "deberta-v2":
        raise ValueError("DeBERTa adds relative-position terms to the scores; step-by-step shows BERT-style attention only.")
    steps = attention_steps(module, trace.hidden_states[layer], head, query)
    steps["captured"] = trace.attentions[layer, head, query]
    steps["max_diff"] = float(np.abs(steps["probs"] - steps["captured"]).max())
    return steps


def conv_walk(lm, trace: Trace, layer: int, conv_head: int, query: int) -> dict:
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
        key_conv = module.key_conv_attn_layer(x.T[None])[0].T                   # [T, C*d]
        query_all = module.query(x)                                             # [T, C*d]
        logits = module.conv_kernel_layer(key_conv * query_all).reshape(T, C, K)  # head-major
        values = module.conv_out_layer(x).numpy()                               # [T, C*d]
    d = values.shape[1] // C
    logits = logits[query, conv_head].numpy()
    kernel = np.exp(logits - logits.max())
    kernel /= kernel.sum()
    positions = np.arange(query - K // 2, query + K // 2 + 1)
    span = np.zeros((K, d), dtype=np.float32)
    inside = (positions >= 0) & (positions < T)
    span[inside] = values[positions[inside], conv_head * d: (conv_head + 1) * d]
    output = kernel @ span
    full = conv_branch_from_kernels(module, trace.hidden_states[layer], trace.conv_kernels[layer])
    return {"X": trace.hidden_states[layer], "key_conv": key_conv.numpy()[:, conv_head * d: (conv_head + 1) * d],
            "logits": logits, "kernel": kernel, "captured": trace.conv_kernels[layer, conv_head, query],
            "positions": positions, "inside": inside, "span": span, "output": output, "d_head": d,
            "max_diff": float(np.abs(kernel - trace.conv_kernels[layer, conv_head, query]).max()),
            "output_diff": float(np.abs(output - full[query, conv_head * d: (conv_head + 1) * d]).max())}
