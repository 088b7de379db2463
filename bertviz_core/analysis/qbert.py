"""Q-BERT (Shen et al. 2020): group-wise low-bit weights and Hessian-aware mixed precision, as model variants.

`load_model("bert-minilm-l6@q=4")` and `load_model("bert-minilm-l6@qbert=3.5")` come here (registered in
bertviz_core.models.variants when bertviz_core is imported, after `@int8` and `@prune`).

Simulated, not real low-bit kernels: every weight is quantized and dequantized back to float32
(torch.fake_quantize_per_channel_affine), so the model computes what N-bit weights would give but runs at
fp32 speed and memory. `packed_mb` is the size the weights would take packed (bits x parameters plus one
fp32 scale and one N-bit zero point per group; everything not quantized at 32 bits).

What is quantized (Q-BERT's setting where it applies here):
- every Linear weight of every encoder layer, asymmetric (min-max, the range widened to hold 0), group-wise:
  the query, key and value projections with one range per head (its `head_size` output rows: 32 for the
  MiniLM models, 64 for BERT-base; Q-BERT's group-wise quantization), every other Linear (attention output,
  feed-forward in and out) with one range per output row (ROW_GROUP = 1 row a group). Measured on
  bert-minilm-l6 at 4 bits (48 EWT test sentences): groups of 32 rows there give cosine 0.75, 8 rows 0.83,
  1 row 0.91. Biases and LayerNorms stay fp32 (as in Q-BERT), and so do activations (Q-BERT used 8-bit).
- the embedding tables (word, position, token type) at EMBEDDING_BITS = 8 bits, one range per row (Q-BERT's
  "e-bits" 8); the pooler stays fp32 (nothing on these pages reads it).

`@q=N`: every encoder layer at N bits, N in 2..8.
`@qbert=B`: per-layer bits in {2, ..., 8} whose mean over the encoder layers is at most B (B may be
fractional, 2 <= B <= 8: with 6 layers, 3.5 means 21 bits to share), chosen from each layer's sensitivity
Omega_i (Q-BERT: |mean| + std of the layer's top Hessian eigenvalue over batches; bertviz_core.analysis.
hessian) by minimising sum_i Omega_i * ||Q_b(W_i) - W_i||^2 (the second-order estimate of the loss
increase along the sharpest direction, as in HAWQ-V2; Q-BERT itself sorted layers by Omega and picked
the bits by hand) exactly, by dynamic programming over the bit budget. `allocate(..., reverse=True)` is
the control: the same allocator given the sensitivities in reverse rank order.

Eigenvalues (`sensitivity`): shipped for bert-minilm-l6 in bertviz_core/data/hessian-bert-minilm-l6.json
(bench/bench_qbert.py), so `@qbert` loads at once; other models of at most MAX_COMPUTE_PARAMS parameters
are computed on first load (about a minute for a 6-layer MiniLM on 2 cores; fewer batches than the shipped
run, see RUNTIME_SETTINGS) and kept for the process; larger ones are refused with how to precompute them.
"""

from __future__ import annotations

import copy
import datetime
import json
import re
import threading
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from bertviz_core.analysis import compress, hessian, interventions
from bertviz_core.models import families, variants
from bertviz_core.models.loading import LoadedModel, ModelLoadError, finish_loaded

if TYPE_CHECKING:
    import torch

BITS = tuple(range(2, 9))  # the bit widths a layer can get
EMBEDDING_BITS = 8
ROW_GROUP = 1  # rows per range of every quantized matrix but Q, K, V (those: one head each)
EMBEDDINGS = ("word_embeddings", "position_embeddings", "token_type_embeddings")
MAX_COMPUTE_PARAMS = 40_000_000  # larger models: eigenvalues must be precomputed (bench/bench_qbert.py --eigen)
SHIPPED_SETTINGS: dict[str, Any] = {
    "batches": 4,
    "batch_size": 8,
    "max_iter": hessian.MAX_ITER,
    "tol": hessian.TOL,
    "seed": 0,
}
RUNTIME_SETTINGS: dict[str, Any] = {"batches": 2, "batch_size": 8, "max_iter": 20, "tol": hessian.TOL, "seed": 0}
QUANT_ATTR = "_bertviz_quant"  # attribute of a quantized model: its QuantReport


# ---------------------------------------------------------------- group-wise quantization


def quantize_groups(weight: torch.Tensor, bits: int, group_rows: int) -> tuple[torch.Tensor, int]:
    """(weight quantized to `bits` and dequantized, number of groups). Rows are cut into groups of
    `group_rows` consecutive rows (the last may be shorter); each group gets its own affine range
    [min(0, min w), max(0, max w)] split into 2**bits levels, rounded half to even."""
    import torch

    rows = weight.shape[0]
    flat = weight.detach().reshape(rows, -1).float()
    pad = (-rows) % group_rows
    grouped = torch.cat([flat, flat.new_zeros(pad, flat.shape[1])]).reshape(-1, group_rows * flat.shape[1])
    lo = grouped.min(1).values.clamp(max=0)  # zero rows of padding never widen a range that holds 0
    hi = grouped.max(1).values.clamp(min=0)
    qmax = 2**bits - 1
    scale = ((hi - lo) / qmax).clamp(min=1e-12)
    zero = torch.round(-lo / scale).clamp(0, qmax).to(torch.int32)
    q = torch.fake_quantize_per_channel_affine(grouped, scale, zero, 0, 0, qmax)
    return q.reshape(-1, flat.shape[1])[:rows].reshape(weight.shape).to(weight.dtype), grouped.shape[0]


def head_rows(model: torch.nn.Module) -> int:
    """Rows of one head's slice of the query, key and value projections (their quantization group)."""
    return interventions.head_size(model)  # type: ignore[arg-type]


def encoder_layers(model: torch.nn.Module) -> list[torch.nn.Module]:
    """The model's encoder blocks, in order (its FamilySpec's `layers` path)."""
    return list(cast("torch.nn.ModuleList", model.get_submodule(families.family_spec(model).layers)))


def layer_linears(layer: torch.nn.Module) -> list[tuple[str, torch.nn.Linear]]:
    import torch

    return [(n, m) for n, m in layer.named_modules() if isinstance(m, torch.nn.Linear)]


def layer_groups(model: torch.nn.Module) -> list[list[tuple[torch.nn.Linear, int]]]:
    """Per encoder layer: (Linear, rows per quantization group): a head's rows for the family's query, key and
    value projections, ROW_GROUP for the others."""
    qkv, per_head = families.family_spec(model).qkv, head_rows(model)
    return [
        [(lin, per_head if n.rsplit(".", 1)[-1] in qkv else ROW_GROUP) for n, lin in layer_linears(layer)]
        for layer in encoder_layers(model)
    ]


def layer_errors(model: torch.nn.Module) -> np.ndarray:
    """[layers, len(BITS)]: sum over a layer's Linear weights of ||Q_b(W) - W||^2 for each b in BITS."""
    groups = layer_groups(model)
    out = np.zeros((len(groups), len(BITS)))
    for i, layer in enumerate(groups):
        for lin, rows in layer:
            w = lin.weight.detach()
            for j, b in enumerate(BITS):
                out[i, j] += float(((quantize_groups(w, b, rows)[0] - w) ** 2).sum())
    return out


@dataclass
class QuantReport:
    """What a quantized variant holds: bits per encoder layer, rows per Q/K/V group (one head; other matrices:
    ROW_GROUP), embedding bits, how many
    parameters were quantized, and sizes in MB (2**20 bytes): fp32 as it runs, packed as it would be stored."""

    bits: list[int]
    group_rows: int
    embedding_bits: int
    quantized_params: int
    groups: int
    fp32_mb: float
    packed_mb: float

    @property
    def mean_bits(self) -> float:
        return float(np.mean(self.bits))


def quantize_model(model: torch.nn.Module, bits: list[int]) -> QuantReport:
    """In place: each encoder layer's Linear weights at bits[layer], the embedding tables at EMBEDDING_BITS,
    all group-wise (layer_groups; embeddings by ROW_GROUP). Returns the QuantReport (also kept on the model)."""
    import torch

    layers = layer_groups(model)
    if len(bits) != len(layers):
        raise ValueError(f"{len(bits)} bit widths for {len(layers)} layers.")
    targets: list[tuple[torch.nn.Module, int, int]] = [
        (lin, rows, int(b)) for layer, b in zip(layers, bits, strict=True) for lin, rows in layer
    ]
    targets += [
        (m, ROW_GROUP, EMBEDDING_BITS)
        for n, m in model.named_modules()
        if isinstance(m, torch.nn.Embedding) and n.rsplit(".", 1)[-1] in EMBEDDINGS
    ]
    packed, quantized, groups = 0, 0, 0
    with torch.no_grad():
        for module, rows, b in targets:
            weight = cast("torch.Tensor", module.weight)
            q, n_groups = quantize_groups(weight, b, rows)
            weight.copy_(q)
            packed += b * q.numel() + n_groups * (32 + b)  # one fp32 scale and one b-bit zero point a group
            quantized += q.numel()
            groups += n_groups
    total = sum(p.numel() for p in model.parameters())
    packed += 32 * (total - quantized)
    report = QuantReport(
        [int(b) for b in bits], head_rows(model), EMBEDDING_BITS, quantized, groups, total * 4 / 2**20, 0.0
    )
    report.packed_mb = packed / 8 / 2**20
    setattr(model, QUANT_ATTR, report)
    return report


def quant_report(model: torch.nn.Module) -> QuantReport | None:
    """The QuantReport of a model quantized here, None for any other."""
    return getattr(model, QUANT_ATTR, None)


# ---------------------------------------------------------------- allocation


def reversed_ranks(sensitivity: np.ndarray) -> np.ndarray:
    """The sensitivities permuted so the most sensitive layer gets the least one's value, and so on."""
    s = np.asarray(sensitivity, dtype=np.float64)
    order = np.argsort(-s, kind="stable")
    out = np.empty_like(s)
    out[order] = s[order[::-1]]
    return out


def allocate(sensitivity: np.ndarray, errors: np.ndarray, mean_bits: float, reverse: bool = False) -> list[int]:
    """Bits per layer from BITS with mean <= mean_bits minimising sum_i s_i * errors[i, bits_i] (exact
    dynamic programming over the total). `errors`: layer_errors. reverse: the control (reversed_ranks)."""
    s = reversed_ranks(sensitivity) if reverse else np.asarray(sensitivity, dtype=np.float64)
    L = len(s)
    budget = int(np.floor(mean_bits * L + 1e-9))
    if not BITS[0] * L <= budget:
        raise ValueError(f"a mean of {mean_bits} bits is below {BITS[0]}.")
    budget = min(budget, BITS[-1] * L)
    cost = s[:, None] * np.asarray(errors, dtype=np.float64)  # [L, len(BITS)]
    best: dict[int, tuple[float, list[int]]] = {0: (0.0, [])}  # total bits so far -> (cost, bits)
    for i in range(L):
        nxt: dict[int, tuple[float, list[int]]] = {}
        for total, (c, chosen) in best.items():
            for j, b in enumerate(BITS):
                t = total + b
                if t <= budget and (t not in nxt or c + cost[i, j] < nxt[t][0]):
                    nxt[t] = (c + cost[i, j], [*chosen, b])
        best = nxt
    return min(best.values(), key=lambda v: v[0])[1]


# ---------------------------------------------------------------- ids


def _uniform_bits(match: re.Match[str]) -> int:
    n = int(match["n"])
    if n not in BITS:
        raise ValueError(f"@q=N takes N from {BITS[0]} to {BITS[-1]} bits.")
    return n


def _mean_bits(match: re.Match[str]) -> float:
    b = float(match["b"])
    if not BITS[0] <= b <= BITS[-1]:
        raise ValueError(f"@qbert=B takes a mean of B bits from {BITS[0]} to {BITS[-1]}.")
    return b


def bits_text(value: float) -> str:
    return f"{value:g}"


# ---------------------------------------------------------------- sensitivities (top Hessian eigenvalues)

_sensitivities: dict[str, dict[str, Any]] = {}  # model id -> sensitivity record (shipped or computed)
_sens_lock = threading.Lock()
_compute_lock = threading.Lock()  # one eigenvalue computation at a time: it takes the machine's cores


def hessian_file(model_id: str) -> Any:
    """bertviz_core/data/hessian-<model id>.json (characters other than letters, digits, '.', '-', '_' as '_')."""
    return compress.DATA_DIR / f"hessian-{re.sub(r'[^A-Za-z0-9._-]', '_', model_id)}.json"


def loss_networks(lm: LoadedModel) -> tuple[torch.nn.Module, torch.nn.Module, str]:
    """(a private copy of what the loss runs: the MLM model when the checkpoint has a head, else the encoder;
    the encoder inside it; "mlm" or "distillation"). Only the encoder layers' Linear weights require grad."""
    from bertviz_core.models import mlm as mlm_head

    head = mlm_head.mlm_model(lm)
    with lm.lock:  # no capture hooks on the shared model while it is copied
        net = copy.deepcopy(head if head is not None else lm.model)
    encoder = getattr(net, net.base_model_prefix) if head is not None else net
    for p in net.parameters():
        p.requires_grad_(False)
    for layer in encoder_layers(encoder):
        for _, lin in layer_linears(layer):
            lin.weight.requires_grad_(True)
    return net.eval(), encoder, "mlm" if head is not None else "distillation"


LOSS_TEXT = {
    "mlm": "masked-LM cross-entropy, 15% of each sentence's words masked (fixed seed)",
    "distillation": "1 - cosine of mean-pooled last hidden states to the full-precision model",
}


def compute_sensitivity(lm: LoadedModel, sentences: list[str], source: str, settings: dict[str, Any]) -> dict[str, Any]:
    """Top Hessian eigenvalue of each encoder layer's Linear weights, per batch of `sentences` (settings:
    batches, batch_size, max_iter, tol, seed), with Q-BERT's Omega per layer. A JSON-ready record."""
    import torch

    net, encoder, loss_kind = loss_networks(lm)
    groups = [[lin.weight for _, lin in layer_linears(layer)] for layer in encoder_layers(encoder)]
    tok, size = lm.tokenizer, settings["batch_size"]
    runs: list[list[hessian.PowerResult]] = []  # [batch][layer]
    start = time.time()
    for k in range(settings["batches"]):
        chunk = sentences[k * size : (k + 1) * size]
        if not chunk:
            break
        enc = dict(tok(chunk, padding=True, truncation=True, max_length=128, return_tensors="pt"))
        if loss_kind == "mlm":
            special = tok(chunk, padding=True, truncation=True, max_length=128, return_special_tokens_mask=True)
            inputs, labels = hessian.masked_batch(
                enc, tok.mask_token_id, torch.tensor(special["special_tokens_mask"]), seed=settings["seed"] + k
            )
            loss = hessian.mlm_loss(net, inputs, labels)
        else:
            loss = hessian.distillation_loss(encoder, enc, hessian.pooled_reference(encoder, enc))
        runs.append(hessian.top_eigenvalues(loss, groups, settings["max_iter"], settings["tol"], settings["seed"]))
    layers = []
    for i in range(len(groups)):
        per = [run[i] for run in runs]
        eig = [r.eigenvalue for r in per]
        layers.append(
            {
                "eigenvalues": eig,
                "omega": hessian.omega(eig),
                "iterations": [r.iterations for r in per],
                "rel_change": [r.rel_change for r in per],
                "converged": [r.converged for r in per],
                "history": [r.history for r in per],
            }
        )
    return {
        "model": lm.id,
        "loss": loss_kind,
        "loss_text": LOSS_TEXT[loss_kind],
        "sentences": source,
        "settings": dict(settings),
        "parameters": "each encoder layer's Linear weights (biases, LayerNorms, embeddings held fixed)",
        "seconds": round(time.time() - start, 1),
        "measured": datetime.date.today().isoformat(),
        "layers": layers,
    }


def shipped_sensitivity(model_id: str) -> dict[str, Any] | None:
    path = hessian_file(model_id)
    if not path.is_file():
        return None
    record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return record if record.get("model") == model_id else None


def sensitivity(lm: LoadedModel) -> dict[str, Any]:
    """The sensitivity record of `lm` (see compute_sensitivity): remembered, shipped, or computed now with
    RUNTIME_SETTINGS on `compress.importance_sentences` (models up to MAX_COMPUTE_PARAMS parameters; larger
    ones raise ModelLoadError saying how to precompute)."""
    with _sens_lock:
        if lm.id in _sensitivities:
            return _sensitivities[lm.id]
    record = shipped_sensitivity(lm.id)
    if record is None:
        n_params = sum(p.numel() for p in lm.model.parameters())
        if n_params > MAX_COMPUTE_PARAMS:
            raise ModelLoadError(
                f"{lm.id}@qbert needs the top Hessian eigenvalue of each of its layers, too slow to compute "
                f"while you wait for a model of {n_params / 1e6:.0f} M parameters on this server (the limit is "
                f"{MAX_COMPUTE_PARAMS / 1e6:.0f} M). Precompute them with `python bench/bench_qbert.py --eigen "
                f"{lm.id}`, or use {lm.id}@q=N (uniform bits).",
                "load_failed",
                lm.id,
            )
        with _compute_lock:
            settings = RUNTIME_SETTINGS
            sentences, source = compress.importance_sentences(settings["batches"] * settings["batch_size"])
            record = compute_sensitivity(lm, sentences, source, settings)
    with _sens_lock:
        return _sensitivities.setdefault(lm.id, record)


def omegas(record: dict[str, Any]) -> np.ndarray:
    return np.asarray([layer["omega"] for layer in record["layers"]], dtype=np.float64)


# ---------------------------------------------------------------- variants as models


def variant_bits(model: torch.nn.Module, base: LoadedModel, kind: str, value: float) -> tuple[list[int], str]:
    """(bits per encoder layer, what chose them in words) for a `q` or `qbert` variant of `base`."""
    n_layers = len(encoder_layers(model))
    if kind == "q":
        return [int(value)] * n_layers, f"uniform {int(value)}-bit"
    record = sensitivity(base)
    bits = allocate(omegas(record), layer_errors(model), value)
    return bits, (
        f"Hessian-aware mixed precision (mean {np.mean(bits):.2g} bits <= {bits_text(value)}), bits from each "
        f"layer's top Hessian eigenvalue ({record['loss_text']}; {record['sentences']})"
    )


def load_variant(name: str) -> LoadedModel:
    """Build `<base>@q=N` or `<base>@qbert=B` from the (cached) base model: group-wise quantized, simulated
    (dequantized to float32) weights. The LoadedModel's note says the bits, the groups and the packed size."""
    from bertviz_core.models import loading

    base_id, kind, parsed = variants.parse(name)
    value = float(cast(float, parsed))  # the kinds registered below give an int or a float
    base = loading.load_model(base_id)
    with base.lock:  # no capture hooks registered on it while it is copied
        model = copy.deepcopy(base.model)
    bits, how = variant_bits(model, base, kind, value)
    report = quantize_model(model, bits)
    for p in model.parameters():
        p.requires_grad_(False)
    tag = f"{int(value)}-bit" if kind == "q" else f"Q-BERT {bits_text(value)} bits"
    lm = finish_loaded(name, f"{base.label} · {tag} (simulated)", model, base.tokenizer)
    lm.max_tokens = base.max_tokens
    lm.note = (
        f"{base.label} with simulated {how} weights: bits per layer {report.bits}, one range per "
        f"head ({report.group_rows} rows) for Q, K, V and per output row elsewhere, embeddings at {EMBEDDING_BITS} bits; "
        f"dequantized to float32, so it runs at fp32 speed. Packed it would take {report.packed_mb:.1f} MB "
        f"(fp32: {report.fp32_mb:.1f} MB)."
    )
    return lm


def report_dict(report: QuantReport) -> dict[str, Any]:
    return {**asdict(report), "mean_bits": report.mean_bits}


variants.register_variant(
    "q",
    r"q=(?P<n>[0-9])",
    load_variant,
    value=_uniform_bits,
    example="<model>@q=4",
    note="simulated uniform N-bit weights (N in 2..8), group-wise (one range per head's rows), embeddings 8-bit",
)
variants.register_variant(
    "qbert",
    r"qbert=(?P<b>[0-9](?:\.[0-9]{1,3})?)",
    load_variant,
    value=_mean_bits,
    example="<model>@qbert=3",
    note="simulated Q-BERT mixed precision: per-layer bits (mean B, 2..8) from each layer's top Hessian "
    "eigenvalue (Shen et al. 2020)",
)


# ---------------------------------------------------------------- shipped numbers

RESULTS_FILE = compress.DATA_DIR / "qbert_results.json"
_results_cache: dict[str, Any] = {}


def results() -> dict[str, Any] | None:
    """The bits curve measured by bench/bench_qbert.py (bertviz_core/data/qbert_results.json), or None."""
    if not RESULTS_FILE.is_file():
        return None
    stamp = RESULTS_FILE.stat().st_mtime
    if _results_cache.get("stamp") != stamp:
        _results_cache.update(stamp=stamp, data=json.loads(RESULTS_FILE.read_text(encoding="utf-8")))
    data: dict[str, Any] = _results_cache["data"]
    return data
