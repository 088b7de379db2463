"""Analyses on Traces: pure numpy functions (plus two torch recomputations that
re-derive captured values from the model's own weights, used as oracles and
by the step-by-step page).
"""
from __future__ import annotations

import string

import numpy as np

from bertviz_core.capture import Trace


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

METRICS = {
    "entropy": "Entropy of the attention row in nats, averaged over tokens (0 = sharp, log T = uniform).",
    "distance": "Mean |i - j| between a token and the tokens it attends to.",
    "local": "Attention mass within 4 positions (|i - j| <= 4), ConvBERT's span.",
    "cls": "Attention mass on the first special token ([CLS] / <s>).",
    "sep": "Attention mass on separator tokens ([SEP] / </s>).",
    "punct": "Attention mass on punctuation tokens.",
    "self": "Attention mass on the token itself.",
    "prev": "Attention mass on the previous token.",
    "next": "Attention mass on the next token.",
}


def is_punct(token: str) -> bool:
    core = token.lstrip("#").lstrip("Ġ▁")
    return bool(core) and all(ch in PUNCTUATION for ch in core)


def head_metrics(attn: np.ndarray, tokens: list[str], special: tuple[bool, ...] | None = None) -> dict[str, np.ndarray]:
    """Per-head metrics (Clark et al. 2019) of attentions [..., T, T], averaged over query rows.

    Returns each METRICS key -> array of shape attn.shape[:-2] (e.g. [layers, heads]).
    """
    attn = np.asarray(attn, dtype=np.float32)
    T = attn.shape[-1]
    i, j = np.indices((T, T))
    dist = np.abs(i - j).astype(np.float32)
    special = special or tuple(False for _ in tokens)
    cls_cols = np.zeros(T, bool)
    if special and special[0]:
        cls_cols[0] = True
    sep_cols = np.array([s and k > 0 for k, s in enumerate(special)])
    punct_cols = np.array([is_punct(t) for t in tokens])
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.einsum("...ij,...ij->...i", attn, np.log(np.where(attn > 0, attn, 1.0)))  # [..., T]
    per_row = lambda weights: np.einsum("...ij,ij->...i", attn, weights)  # noqa: E731 - [..., T]
    rows = lambda x: x.mean(-1, dtype=np.float64)  # noqa: E731 - average over query tokens
    return {
        "entropy": rows(entropy),
        "distance": rows(per_row(dist)),
        "local": rows(per_row((dist <= 4).astype(np.float32))),
        "cls": rows(attn[..., cls_cols].sum(-1)),
        "sep": rows(attn[..., sep_cols].sum(-1)),
        "punct": rows(attn[..., punct_cols].sum(-1)),
        "self": rows(np.diagonal(attn, axis1=-2, axis2=-1)),
        "prev": rows(np.pad(np.diagonal(attn, offset=-1, axis1=-2, axis2=-1), [(0, 0)] * (attn.ndim - 2) + [(1, 0)])),
        "next": rows(np.pad(np.diagonal(attn, offset=1, axis1=-2, axis2=-1), [(0, 0)] * (attn.ndim - 2) + [(0, 1)])),
    }


def slot_names(trace: Trace) -> list[str]:
    """Names of one layer's heads in all_heads order: 'H0'.. then ConvBERT's 'C0'.."""
    return [f"H{h}" for h in range(trace.n_heads)] + [f"C{c}" for c in range(trace.n_conv_heads)]


def all_heads(trace: Trace) -> tuple[np.ndarray, list[str]]:
    """Every head of a trace as [layers, heads + conv_heads, T, T] with names (see slot_names).

    ConvBERT's convolution heads join as banded matrices after the attention heads."""
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


def head_matrix(trace: Trace, layer: int, slot: int | str) -> np.ndarray | None:
    """One head of `layer` in all_heads order (conv heads after attention heads) as [T, T],
    'mean' for the mean over all of them, None if the model has no such head."""
    n_attn = trace.n_heads
    if slot == "mean":
        heads = trace.attentions[layer]
        if trace.conv_kernels is not None:
            heads = np.concatenate([heads, trace.conv_matrices(layer)], axis=0)
        return heads.mean(0)
    k = int(slot)
    if k < n_attn:
        return trace.attentions[layer, k]
    if trace.conv_kernels is not None and k - n_attn < trace.n_conv_heads:
        return trace.conv_matrices(layer)[k - n_attn]
    return None


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
def head_names(trace: Trace) -> list[str]:
    """'L0 H3' / 'L2 C1' for every head of every layer, in all_heads order."""
    return [f"L{l} {n}" for l in range(trace.n_layers) for n in slot_names(trace)]


def trace_metrics(trace: Trace) -> dict[str, np.ndarray]:
    """head_metrics over all heads (conv heads included) of a trace -> each [layers, heads]."""
    heads, _ = all_heads(trace)
    return head_metrics(heads, trace.tokens, trace.special)


def compare_traces(pairs: list[tuple[Trace, Trace]], matching: bool = True,
                   max_rows: int | None = None) -> dict:
    """Metrics, head matching and CKA for model A vs model B, averaged over sentence pairs.

    Returns metrics_a/metrics_b {name: [L, N]}, names_a/names_b, n_sentences and, with
    `matching`: js [L*Na, L*Nb] (mean over sentences; `max_rows` as in head_js_matrix),
    cka [La+1, Lb+1] (linear CKA on word- or token-aligned hidden states of all sentences
    stacked) and by_words (True if any sentence needed word alignment)."""
    if not pairs:
        raise ValueError("No sentences to compare.")
    metrics_a, metrics_b, js, hid_a, hid_b, by_words = [], [], [], [], [], False
    for a, b in pairs:
        heads_a, heads_b = all_heads(a)[0], all_heads(b)[0]  # [L, N, T, T], built once per trace
        metrics_a.append(head_metrics(heads_a, a.tokens, a.special))
        metrics_b.append(head_metrics(heads_b, b.tokens, b.special))
        if not matching:
            continue
        groups_a, groups_b, _, pooled = alignment(a, b)
        by_words |= pooled
        ha, xa = in_units(a, heads_a, groups_a)
        hb, xb = in_units(b, heads_b, groups_b)
        flat_a = ha.reshape(-1, *ha.shape[-2:])  # [L*Na, U, U]
        flat_b = hb.reshape(-1, *hb.shape[-2:])
        js.append(head_js_matrix(flat_a, flat_b, max_rows))
        hid_a.append(xa)
        hid_b.append(xb)
    mean = lambda ms: {k: np.mean([m[k] for m in ms], axis=0) for k in ms[0]}  # noqa: E731
    a0, b0 = pairs[0]
    out = {"metrics_a": mean(metrics_a), "metrics_b": mean(metrics_b), "names_a": head_names(a0),
           "names_b": head_names(b0), "n_sentences": len(pairs)}
    if matching:
        out.update(js=np.mean(js, axis=0), by_words=by_words,
                   cka=cka_matrix(np.concatenate(hid_a, axis=1), np.concatenate(hid_b, axis=1)))
    return out


def closest_partners(js: np.ndarray, names_a: list[str], names_b: list[str]) -> list[tuple[str, str, float]]:
    """For each head of A, the head of B with the smallest JS divergence."""
    best = js.argmin(1)
    return [(names_a[i], names_b[j], float(js[i, j])) for i, j in enumerate(best)]


# ---------------------------------------------------------------- step by step
def attention_module(lm, layer: int):
    """The self-attention module of `layer` (ALBERT shares one module across layers)."""
    from bertviz_core import registry

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
