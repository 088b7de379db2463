"""Compressed variants of a model, addressable as model ids: `<id>@int8`, `<id>@prune=30%`.

`load_model("bert-minilm-l6@int8")` comes here: this module registers both kinds in the variant
registry (bertviz_core.models.variants) when it is imported (bertviz_core/__init__.py imports it),
and loading.py hands every id with "@" to that registry, which calls `load_variant`. It returns a
LoadedModel whose id is the full variant id, so every page and /compare work on it.

int8 (Q-BERT's question: what does 8-bit arithmetic cost?)
    torch.ao `quantize_dynamic` with per-channel int8 weights (one scale per output row) and
    dynamically quantized activations, on every Linear except the feed-forward output
    projections (FFN `output.dense`: in_features = intermediate size), which stay fp32, Q-BERT
    style: they are the most sensitive layers here (quantized alone, layer 0's costs 10x more
    cosine than any attention projection), and all-int8 reaches only ~0.97 mean-pooled cosine
    to fp32 against >= 0.98 with them kept. torchao 0.18 was tried: its dynamic int8 is more
    faithful (0.996) but slower than fp32 on this CPU, so it is not used.

prune=<p>% (Michel et al. 2019, "Are Sixteen Heads Really Better than One?")
    Importance of head h = E_x |dL/d xi_h| for a gate xi_h on the head's output (the pre-hook
    of `interventions.head_gates`), with L the distance between the model's mean-pooled output
    and the unpruned model's on a fixed sample of sentences (`importance_sentences`: UD EWT dev from
    BERTVIZ_EWT_DIR, else the package's example sentences; shipped scores for the bundled models,
    measured by bench/bench_compress.py on UD EWT dev). At xi = 1 that distance
    and its gradient are 0, so L is taken to first order: L_h(x) = ||d pool(x) / d xi_h||,
    the Taylor estimate of how far removing head h moves the output (forward-mode AD, one
    tangent per head). Scores are normalised per layer (l2), as in the paper. The p% least
    important attention heads (of all layers together) are removed, keeping at least one head
    per layer; removal is real (query/key/value rows and output-projection columns cut with
    transformers' `prune_linear_layer`: fewer parameters). transformers 5 no longer has
    `prune_heads`, so the cut is done here. Captured attention keeps the original numbering:
    removed heads show as all-zero maps. Which families can be pruned, and the layer names cut,
    come from their FamilySpec (bertviz_core.models.families): ConvBERT cannot be pruned this way
    (its query feeds both its attention and its convolution heads).

The measurements (size, speed, quality, the pruning curve) are in bertviz_core.analysis.compress_measure;
the quality curve's figure is bertviz_core.figures.compress.curve_figure.
"""

from __future__ import annotations

import copy
import importlib.resources
import json
import os
import re
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt

from bertviz_core.analysis import interventions
from bertviz_core.inputs import conllu
from bertviz_core.models import families, variants
from bertviz_core.models.loading import LoadedModel, ModelLoadError, finish_loaded
from bertviz_core.models.pooling import mean_pool
from bertviz_core.tracing import hooks

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedModel

    from bertviz_core.tracing.trace import Trace

DATA_DIR = Path(__file__).resolve().parents[1] / "data"  # package data: bertviz_core/data
RESULTS_FILE = DATA_DIR / "compress_results.json"
INT8_MIN_COSINE = 0.98  # stated threshold for <id>@int8 (mean-pooled, held-out EWT)
IMPORTANCE_SENTENCES = 32  # UD EWT dev sample for head importance
QUALITY_SENTENCES = 300  # UD EWT test sample for quality (bench)
CURVE_FRACTIONS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
EWT_ENV = "BERTVIZ_EWT_DIR"  # folder holding en_ewt-ud-{dev,test}.conllu
EXAMPLE_SENTENCES = "example_sentences.txt"  # bertviz_core/data: the fallback sample, one sentence a line


# ---------------------------------------------------------------- ids


def parse_variant(name: str) -> tuple[str, str, float | None]:
    """'bert-minilm-l6@int8' -> ('bert-minilm-l6', 'int8', None);
    'x@prune=30%' -> ('x', 'prune', 0.3). ModelLoadError for anything else (bertviz_core.models.variants)."""
    base, kind, value = variants.parse(name)
    return base, kind, cast("float | None", value)  # the value of the kinds registered below: None or a fraction


def _prune_fraction(match: re.Match[str]) -> float:
    fraction = float(match["pct"]) / 100
    if not 0 < fraction < 1:
        raise ValueError("the pruned share of heads must be between 0% and 100% (exclusive).")
    return fraction


# ---------------------------------------------------------------- sentences


def ewt_dir(folder: str | Path | None = None) -> Path | None:
    """The UD English EWT folder: `folder` if given, else $BERTVIZ_EWT_DIR, else None."""
    if folder is not None:
        return Path(folder)
    env = os.environ.get(EWT_ENV)
    return Path(env) if env else None


def _evenly_spaced(sentences: list[str], n: int) -> list[str]:
    """n evenly spaced sentences of 5-40 words: fixed, no RNG."""
    sentences = [s for s in sentences if 5 <= len(s.split()) <= 40]
    if len(sentences) <= n:
        return sentences
    return [sentences[i * len(sentences) // n] for i in range(n)]


def ewt_sample(split: str, n: int, folder: str | Path | None = None) -> list[str]:
    """n evenly spaced UD EWT sentences of 5-40 words from `split` ('dev' or 'test'): fixed, no RNG.
    Read from `folder`, or $BERTVIZ_EWT_DIR; ValueError when neither holds the file."""
    where = ewt_dir(folder)
    if where is None:
        raise ValueError(f"UD English EWT: pass its folder or set {EWT_ENV}.")
    path = where / f"en_ewt-ud-{split}.conllu"
    if not path.is_file():
        raise ValueError(f"UD English EWT is not at {path} (set {EWT_ENV}).")
    return _evenly_spaced(list(conllu.conllu_sentences(path.read_text(encoding="utf-8"))), n)


def example_sample(n: int) -> list[str]:
    """n evenly spaced sentences of 5-40 words from the example sentences shipped in the package."""
    text = importlib.resources.files("bertviz_core").joinpath("data", EXAMPLE_SENTENCES).read_text(encoding="utf-8")
    return _evenly_spaced([line.strip() for line in text.splitlines() if line.strip()], n)


def importance_sentences(n: int = IMPORTANCE_SENTENCES, folder: str | Path | None = None) -> tuple[list[str], str]:
    """(sentences, where they come from) for head importance: n UD EWT dev sentences from `folder` or
    $BERTVIZ_EWT_DIR when one is set, else the example sentences shipped in the package."""
    if ewt_dir(folder) is not None:
        return ewt_sample("dev", n, folder), f"{n} UD English EWT dev sentences ({EWT_ENV})"
    sentences = example_sample(n)
    return sentences, (
        f"the {len(sentences)} example sentences shipped with bertviz_core "
        f"(data/{EXAMPLE_SENTENCES}; set {EWT_ENV} for UD English EWT)"
    )


# ---------------------------------------------------------------- int8


def ffn_output_names(model: PreTrainedModel) -> list[str]:
    """The feed-forward output projections (Linear with in_features = intermediate size)."""
    import torch

    config = model.config
    inner = getattr(config, "intermediate_size", None) or getattr(config, "hidden_dim", None)
    return [n for n, m in model.named_modules() if isinstance(m, torch.nn.Linear) and m.in_features == inner]


def quantize_int8(model: PreTrainedModel) -> tuple[PreTrainedModel, list[str]]:
    """In place: per-channel dynamic int8 on every Linear but the FFN output projections.
    Returns (model, names kept in fp32)."""
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    keep = set(ffn_output_names(model))
    spec = {
        n: per_channel_dynamic_qconfig
        for n, m in model.named_modules()
        if isinstance(m, torch.nn.Linear) and n not in keep
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization's deprecation notice (pointing to torchao)
        quantize_dynamic(model, spec, dtype=torch.qint8, inplace=True)
    return model, sorted(keep)


# ---------------------------------------------------------------- head importance (Michel et al.)


def compute_head_importance(
    lm: LoadedModel, sentences: list[str], normalize: bool = True, batch: int = 8
) -> np.ndarray:
    """[layers, slots] Michel et al. importance, E_x ||d pool(x)/d xi_h|| (see module docstring).

    Forward-mode AD: one pass per head with the gate's tangent set to that head."""
    import torch
    import torch.autograd.forward_ad as fwAD

    model, tok = lm.model, lm.tokenizer
    n_attn, n_conv = interventions.slot_counts(model)
    L, S = model.config.num_hidden_layers, n_attn + n_conv
    scores = torch.zeros(L, S, dtype=torch.float64)
    sentences = sorted(sentences, key=lambda s: len(tok.tokenize(s)))  # batches of similar length: little padding
    with lm.lock, torch.no_grad():
        for start in range(0, len(sentences), batch):
            enc = tok(
                sentences[start : start + batch], padding=True, truncation=True, max_length=128, return_tensors="pt"
            )
            for layer in range(L):
                for slot in range(S):
                    tangent = torch.zeros(L, S)
                    tangent[layer, slot] = 1.0
                    with fwAD.dual_level():
                        gates = fwAD.make_dual(torch.ones(L, S), tangent)
                        with interventions.head_gates(model, gates):
                            out = model(**enc).last_hidden_state
                            jvp = fwAD.unpack_dual(mean_pool(out, enc["attention_mask"])).tangent  # [B, D]
                    scores[layer, slot] += jvp.norm(dim=-1).double().sum()
    scores /= len(sentences)
    if normalize:
        scores /= scores.norm(dim=1, keepdim=True).clamp(min=1e-12)
    return scores.numpy()


_importance: dict[str, np.ndarray] = {}  # model id -> scores (bench/bench_compress.py fills it too)
_importance_source: dict[str, str] = {}  # model id -> what they were measured on
_importance_lock = threading.Lock()
SHIPPED_SOURCE = "UD English EWT dev sentences (shipped, bench/bench_compress.py)"


def head_importance(lm: LoadedModel) -> np.ndarray:
    """Importance of every head of `lm`, computed once per model: shipped for the bundled models
    (bench/bench_compress.py), else computed on `importance_sentences()` and kept for the process."""
    return head_importance_and_source(lm)[0]


def remember_importance(model_id: str, scores: npt.ArrayLike, source: str = SHIPPED_SOURCE) -> None:
    """Use `scores` [layers, slots] as the head importance of `model_id` for the rest of the process."""
    with _importance_lock:
        _importance[model_id] = np.asarray(scores, dtype=np.float64)
        _importance_source[model_id] = source


def head_importance_and_source(lm: LoadedModel) -> tuple[np.ndarray, str]:
    """(head_importance(lm), what it was measured on, in words)."""
    with _importance_lock:
        if lm.id in _importance:
            return _importance[lm.id], _importance_source.get(lm.id, SHIPPED_SOURCE)
    shipped = (results() or {}).get("models", {}).get(lm.id, {}).get("importance")
    if shipped is not None:
        scores, source = np.asarray(shipped, dtype=np.float64), SHIPPED_SOURCE
    else:
        sentences, source = importance_sentences()
        scores = compute_head_importance(lm, sentences)
    remember_importance(lm.id, scores, source)
    return scores, source


# ---------------------------------------------------------------- pruning


def prune_plan(order_scores: np.ndarray, fraction: float, n_attn: int) -> dict[int, list[int]]:
    """Remove round(fraction * attention heads) heads, lowest score first over all layers,
    keeping at least one head per layer. Returns {layer: [removed heads]}."""
    scores = np.asarray(order_scores)[:, :n_attn]
    L = scores.shape[0]
    target = round(fraction * L * n_attn)
    removed: dict[int, list[int]] = {}
    for flat in np.argsort(scores, axis=None, kind="stable"):
        if sum(map(len, removed.values())) >= target:
            break
        layer, head = divmod(int(flat), n_attn)
        if len(removed.get(layer, ())) < n_attn - 1:
            removed.setdefault(layer, []).append(head)
    return {l: sorted(h) for l, h in sorted(removed.items())}


def random_scores(shape: tuple[int, int], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).random(shape)


def prune_heads(model: PreTrainedModel, plan: dict[int, list[int]]) -> PreTrainedModel:
    """In place: really remove the heads in `plan` ({layer: [heads]}, original numbering).

    Query/key/value lose the heads' rows, the output projection their columns
    (transformers' prune_linear_layer). A forward hook puts the attention probabilities back
    at their original head index (removed heads: zeros), so captures keep [layers, heads, T, T]."""
    import torch
    from transformers.pytorch_utils import prune_linear_layer

    family = model.config.model_type
    spec = families.SPECS.get(family) if families.is_supported(family) else None
    if spec is None or not spec.prunable:
        why = f" ({spec.prune_note})" if spec is not None and spec.prune_note else ""
        raise ModelLoadError(
            f"Head pruning is not available for {family} models{why}; it works for {', '.join(families.PRUNABLE)}.",
            "unsupported_family",
            family,
            family,
        )
    n_attn, _ = interventions.slot_counts(model)
    size = interventions.head_size(model)
    kept_all: dict[int, list[int]] = {}
    for layer, (name, att) in enumerate(hooks.attention_modules(model)):
        kept = [h for h in range(n_attn) if h not in set(plan.get(layer, ()))]
        if not kept:
            raise ValueError(f"Layer {layer} would lose every head.")
        kept_all[layer] = kept
        if len(kept) == n_attn:
            continue
        index = cast("torch.LongTensor", torch.cat([torch.arange(h * size, (h + 1) * size) for h in kept]))
        for proj in spec.qkv:  # their output rows: the kept heads' slices
            setattr(att, proj, prune_linear_layer(getattr(att, proj), index))
        owner, attr = families.resolve_parent(model, name, att, spec.output_projection)
        setattr(owner, attr, prune_linear_layer(getattr(owner, attr), index, dim=1))  # its input columns
        setattr(att, spec.heads_attr, len(kept))
        if hasattr(att, "all_head_size"):
            att.all_head_size = len(kept) * size
        att.register_forward_hook(_pad_probs_hook(kept, n_attn))
    interventions.mark_pruned(model, kept_all)
    for p in model.parameters():
        p.requires_grad_(False)
    return model


def _pad_probs_hook(kept: list[int], n_heads: int) -> Callable[..., tuple[Any, ...] | None]:
    import torch

    index = torch.as_tensor(kept)

    def hook(module: torch.nn.Module, args: tuple[Any, ...], output: Any) -> tuple[Any, ...] | None:
        # output: (context [B,T,kept*d], probs [B,kept,T,T])
        probs = output[1] if isinstance(output, tuple) and len(output) > 1 else None
        if probs is None:
            return None
        full = probs.new_zeros(probs.shape[0], n_heads, *probs.shape[2:])
        full[:, index] = probs
        return (output[0], full, *output[2:])

    return hook


# ---------------------------------------------------------------- variants as models


def load_variant(name: str) -> LoadedModel:
    """Build `<base>@int8` or `<base>@prune=<p>%` from the (cached) base model. The LoadedModel's
    note says what was done, and for pruning what the head importance was measured on."""
    from bertviz_core.models import loading

    base_id, kind, fraction = parse_variant(name)
    base = loading.load_model(base_id)
    with base.lock:  # no capture hooks registered on it while it is copied
        model = copy.deepcopy(base.model)
    if kind == "int8":
        _, kept_fp32 = quantize_int8(model)
        label = f"{base.label} · int8"
        note = (
            f"{base.label} with per-channel dynamic int8 Linear layers; the {len(kept_fp32)} feed-forward "
            "output projections stay fp32."
        )
    else:
        fraction = cast(float, fraction)  # parse_variant gives every prune id its fraction
        if base.family not in families.PRUNABLE:
            prune_heads(model, {})  # raises the explanation
        n_attn, _ = interventions.slot_counts(model)
        try:
            importance, source = head_importance_and_source(base)
            plan = prune_plan(importance, fraction, n_attn)
        except ValueError as exc:
            raise ModelLoadError(f"{name}: head importance needs {exc}") from None
        prune_heads(model, plan)
        label = f"{base.label} · {round(fraction * 100):d}% heads pruned"
        note = (
            f"{base.label} without its {sum(map(len, plan.values()))} least important attention heads "
            f"(Michel et al. 2019), importance measured on {source}."
        )
    lm = finish_loaded(name, label, model, base.tokenizer)
    lm.max_tokens = base.max_tokens
    lm.note = note
    return lm


variants.register_variant(
    "int8",
    r"int8",
    load_variant,
    example="<model>@int8",
    note="per-channel dynamic int8 on every Linear but the feed-forward output projections",
)
variants.register_variant(
    "prune",
    r"prune=(?P<pct>[0-9]{1,3}(?:\.[0-9]+)?)%?",
    load_variant,
    value=_prune_fraction,
    example="<model>@prune=30%",
    note="that share of attention heads removed, least important "
    "first (Michel et al. 2019); see importance_sentences for what importance is measured on",
)


# ---------------------------------------------------------------- shipped numbers

_results_cache: dict[str, Any] = {}


def results() -> dict[str, Any] | None:
    """The numbers measured by bench/bench_compress.py (bertviz_core/data/compress_results.json)."""
    if not RESULTS_FILE.is_file():
        return None
    stamp = RESULTS_FILE.stat().st_mtime
    if _results_cache.get("stamp") != stamp:
        _results_cache.update(stamp=stamp, data=json.loads(RESULTS_FILE.read_text()))
    return _results_cache["data"]


# ---------------------------------------------------------------- what a variant does to the heads


def attention_change(base: Trace, variant: Trace, layer_map: list[int] | None = None) -> np.ndarray:
    """[variant layers, slots]: JS divergence (nats) between each head of `variant` and the same head
    of `base` (Traces of one sentence, same tokenizer), mean over query rows. `layer_map[i]`: the
    base layer that variant layer i is compared with (a distilled student's source layers).
    Heads a pruned variant removed (all-zero attention) are nan."""
    from bertviz_core.analysis.compare import js_divergence

    if base.token_ids != variant.token_ids:
        raise ValueError("Both traces must hold the same tokens.")
    layers = list(layer_map) if layer_map is not None else list(range(variant.n_layers))
    a = base.attentions[layers]
    b = variant.attentions
    if a.shape != b.shape:
        raise ValueError(f"Attention shapes differ: {a.shape} vs {b.shape}.")
    js = js_divergence(a, b).mean(-1)
    js[b.sum(axis=(-1, -2)) == 0] = np.nan
    if base.conv_kernels is not None and variant.conv_kernels is not None:
        js = np.concatenate([js, js_divergence(base.conv_kernels[layers], variant.conv_kernels).mean(-1)], axis=1)
    return js.astype(np.float32)
