"""One chunk of a corpus run (bertviz_core.corpus.run): a worker's unit of work, and merging chunks.

`process_chunk` computes the statistics of a chunk of sentences, numbered from its start; both engines
(the local loop in bertviz_core.corpus.run, Ray actors in bertviz_core.corpus.ray_engine) cut the input
with `split_chunks` and put the pieces back together with `merge_chunks`, so their results agree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np

if TYPE_CHECKING:
    from bertviz_core.inputs.conllu import Sentence
    from bertviz_core.models.loading import LoadedModel

    Item = Sentence | str  # one input sentence: a treebank sentence (CoNLL-U input) or a line of text

T = TypeVar("T")

DEFAULT_CHUNK = 128


def encode_item(
    lm: LoadedModel, item: Item
) -> tuple[dict[str, list[int]], list[str], tuple[bool, ...], list[int | None] | None]:
    """(model inputs, tokens, special mask, word_ids or None) for a Sentence or a text line."""
    from bertviz_core.analysis import syntax
    from bertviz_core.tracing.capture import tokenize

    if isinstance(item, syntax.Sentence):
        inputs, word_ids = syntax.encode_words(lm, item.words)
    else:
        enc, _ = tokenize(lm, item)
        inputs = {k: enc[k][0].tolist() for k in ("input_ids", "token_type_ids") if k in enc}
        word_ids = None
    ids = inputs["input_ids"]
    tokens = cast("list[str]", lm.tokenizer.convert_ids_to_tokens(ids))  # a list of ids: a list of tokens
    special = tuple(bool(x) for x in lm.tokenizer.get_special_tokens_mask(ids, already_has_special_tokens=True))
    return inputs, tokens, special, word_ids


def item_text(item: Item) -> str:
    """The text of a sentence as the model read it (a treebank sentence: its words joined by spaces)."""
    return " ".join(item.words) if hasattr(item, "words") else str(item)


def sentence_metrics(
    result: dict[str, Any], tokens: list[str], special: tuple[bool, ...], exclude_special: bool = False
) -> dict[str, np.ndarray]:
    """Every metric of every head of one batch.run result, [L, N] each: attention heads from their
    softmax rows, ConvBERT's conv heads from their kernels (as metrics.trace_metrics on a Trace)."""
    from bertviz_core.analysis.metrics import head_metrics, kernel_metrics

    out = head_metrics(result["attentions"], tokens, special, exclude_special)
    kernels = result.get("conv_kernels")
    if kernels is not None:
        conv = kernel_metrics(kernels, tokens, special, exclude_special)
        out = {k: np.concatenate([out[k], conv[k]], axis=1) for k in out}
    return out


def uniform_baselines(
    tokens: list[str], special: tuple[bool, ...], kernel_size: int | None, exclude_special: bool = False
) -> dict[str, float]:
    """metrics.uniform_baseline without a Trace: {"uniform_attn_<metric>": value, "uniform_conv_<metric>":
    value (nan without conv heads)}."""
    from bertviz_core.analysis.metrics import METRICS, head_metrics, kernel_metrics

    T = len(tokens)
    attn = head_metrics(np.full((T, T), 1.0 / T, np.float32), tokens, special, exclude_special)
    conv = (
        kernel_metrics(np.full((T, kernel_size), 1.0 / kernel_size, np.float32), tokens, special, exclude_special)
        if kernel_size
        else {}
    )
    out = {f"uniform_attn_{m}": float(attn[m]) for m in METRICS}
    out.update({f"uniform_conv_{m}": float(conv[m]) if m in conv else float("nan") for m in METRICS})
    return out


def process_chunk(
    lm: LoadedModel,
    items: Sequence[Item],
    stats: tuple[str, ...],
    *,
    start: int = 0,
    conv_heads: bool = True,
    batch_size: int = 32,
    progress: Callable[[int], None] | None = None,
    exclude_special: bool = False,
) -> dict[str, Any]:
    """Statistics of one chunk of sentences (numbered from `start`):
    {"syntax": SyntaxCounts or None, "head_metrics": {column: numpy array} or None,
    "sentences": {column: numpy array} or None (with head metrics)}."""
    from bertviz_core.analysis import syntax
    from bertviz_core.analysis.metrics import METRICS
    from bertviz_core.tracing import batch

    encoded = [encode_item(lm, item) for item in items]
    counts = syntax.SyntaxCounts() if "syntax" in stats else None
    want_metrics = "head-metrics" in stats
    metric_parts: list[dict[str, np.ndarray]] = []
    sentence_rows: list[dict[str, Any]] = []
    results = batch.run(lm, [e[0] for e in encoded], batch_size=batch_size, conv=conv_heads or want_metrics)
    for k, (i, result) in enumerate(results):
        _, tokens, special, word_ids = encoded[i]
        if counts is not None:
            sentence = items[i]
            if not isinstance(sentence, syntax.Sentence) or word_ids is None:
                raise ValueError("--stats syntax needs a CoNLL-U treebank (gold heads); this input is plain text.")
            predictions, has = syntax.sentence_predictions(lm, result, word_ids, len(sentence), conv_heads)
            counts.add(sentence, predictions, has)
            counts.attention_heads = result["attentions"].shape[1]
        if want_metrics:
            values = sentence_metrics(result, tokens, special, exclude_special)  # [L, N] each
            L, N = values["entropy"].shape
            n_attn = result["attentions"].shape[1]
            kernels = result.get("conv_kernels")
            sentence_rows.append(
                {
                    "sentence": start + i,
                    "text": item_text(items[i]),
                    "n_tokens": len(tokens),
                    **uniform_baselines(
                        tokens, special, kernels.shape[-1] if kernels is not None else None, exclude_special
                    ),
                }
            )
            names = [f"H{h}" if h < n_attn else f"C{h - n_attn}" for h in range(N)]
            part = {
                "sentence": np.full(L * N, start + i, np.int64),
                "layer": np.repeat(np.arange(L), N),
                "head": np.tile(np.arange(N), L),
                "head_name": np.tile(np.array(names, dtype=object), L),
                "n_tokens": np.full(L * N, len(tokens), np.int64),
            }
            part.update({m: np.asarray(values[m], dtype=np.float64).ravel() for m in METRICS})
            metric_parts.append(part)
        if progress is not None:
            progress(k + 1)
    metrics = sentences = None
    if want_metrics and metric_parts:
        metrics = {col: np.concatenate([p[col] for p in metric_parts]) for col in metric_parts[0]}
        sentences = {
            col: np.array([r[col] for r in sentence_rows], dtype=object if col == "text" else None)
            for col in sentence_rows[0]
        }
    return {"syntax": counts, "head_metrics": metrics, "sentences": sentences}


def merge_chunks(parts: list[dict[str, Any]], stats: tuple[str, ...]) -> dict[str, Any]:
    """One result from the process_chunk results of every chunk: syntax counts summed, head-metric and
    sentence rows concatenated in sentence (then layer, head) order, whatever order the chunks came in."""
    from bertviz_core.analysis import syntax

    out: dict[str, Any] = {"syntax": None, "head_metrics": None, "sentences": None}
    if "syntax" in stats:
        total = syntax.SyntaxCounts()
        for p in parts:
            total.merge(p["syntax"])
        out["syntax"] = total
    if "head-metrics" in stats:
        cols = [p["head_metrics"] for p in parts if p["head_metrics"] is not None]
        if cols:
            merged = {c: np.concatenate([m[c] for m in cols]) for c in cols[0]}
            order = np.lexsort((merged["head"], merged["layer"], merged["sentence"]))
            out["head_metrics"] = {c: v[order] for c, v in merged.items()}
        rows = [p["sentences"] for p in parts if p.get("sentences") is not None]
        if rows:
            merged = {c: np.concatenate([r[c] for r in rows]) for c in rows[0]}
            order = np.argsort(merged["sentence"], kind="stable")
            out["sentences"] = {c: v[order] for c, v in merged.items()}
    return out


def split_chunks(items: Sequence[T], size: int) -> list[tuple[int, Sequence[T]]]:
    """[(index of the first item, items)] in pieces of `size`: the work units of both engines."""
    return [(s, items[s : s + size]) for s in range(0, len(items), size)]
