"""Change something inside the model and see what follows: head ablation, token masking, fill-mask.

Head ablation (and head gates)
------------------------------
Every family concatenates its heads' contexts head-major, `[B, T, slots * head_size]`, and
mixes them with one Linear, the attention output projection (`attention.output.dense`;
DistilBERT's `out_lin`; ALBERT's shared `attention.dense`). A forward pre-hook on that
Linear multiplies slot s's slice `[s*head_size, (s+1)*head_size)` by a gate: 0 removes the
head's contribution, 1 leaves it exactly unchanged. ConvBERT's convolution heads are the
slots after its attention heads (`cat([attention_context, conv_context])`), so conv head c
is slot `n_heads + c` (the order of `heads.to_slot`). A model pruned by `compress` keeps the
original numbering: its `_bertviz_kept[layer]` lists the original heads still present.

Token masking / replacement
---------------------------
`run(lm, text, replace={position: None})` puts the mask token at a position (None), or a
word that is exactly one token. The sentence keeps its length, so attention is compared row
by row.

Fill-mask
---------
When the checkpoint ships a masked-LM head (hub BERT, DistilBERT, RoBERTa, ... or a local
`BertForMaskedLM` folder), `mlm_model(lm)` loads it once and puts `lm.model` inside it in
place of its own copy of the encoder (same checkpoint, so the same weights), so one forward
pass gives the captured attention, the interventions and the predictions. The bundled models
have no MLM head (`mlm_model` returns None and `no_mlm_reason` says why).
"""
from __future__ import annotations

import contextlib
import dataclasses
import itertools
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bertviz_core.models import heads
from bertviz_core.models import registry
from bertviz_core.models import student
from bertviz_core.analysis.metrics import js_divergence
from bertviz_core.tracing import capture as cap
from bertviz_core.models.loading import LoadedModel, models_dir


MASK = None  # value in `replace` that means "the model's mask token"


# ---------------------------------------------------------------- head gates / ablation

def output_projections(model) -> tuple[list, bool]:
    """The Linear that mixes each layer's concatenated head contexts, in layer order.

    Returns (modules, shared): ALBERT has one attention module shared by every layer, so one
    projection called once per layer (shared=True)."""
    family = model.config.model_type
    attention_class = registry.ATTENTION_MODULES[family]
    found = []
    for name, module in model.named_modules():
        if type(module).__name__ != attention_class:
            continue
        if hasattr(module, "out_lin"):                      # DistilBERT: projection inside
            found.append(module.out_lin)
        elif family == "albert":                            # ALBERT: AlbertAttention.dense
            found.append(module.dense)
        else:                                               # BERT-style: <layer>.attention.output.dense
            parent = model.get_submodule(name.rsplit(".", 1)[0]) if "." in name else model
            found.append(parent.output.dense)
    layers = model.config.num_hidden_layers
    if not found:
        raise ValueError(f"No {attention_class} module found in this {family} model.")
    return found, len(found) < layers


def head_size(model) -> int:
    attention_class = registry.ATTENTION_MODULES[model.config.model_type]
    module = next(m for m in model.modules() if type(m).__name__ == attention_class)
    return int(module.attention_head_size)


def slot_counts(model) -> tuple[int, int]:
    """(attention heads, conv heads) per layer, original numbering (before any pruning)."""
    config = model.config
    n = config.num_attention_heads if hasattr(config, "num_attention_heads") else config.n_heads
    if config.model_type == "convbert":
        ratio = config.head_ratio
        attention = n // ratio if n // ratio >= 1 else 1
        return attention, attention
    return n, 0


def _current_position(model, layer: int, slot: int) -> int | None:
    """Where original slot `slot` of `layer` sits in the (possibly pruned) concatenated context."""
    kept = getattr(model, "_bertviz_kept", None)
    if kept is None:
        return slot
    n_attn, _ = slot_counts(model)
    if slot >= n_attn:  # conv slots follow the kept attention heads
        return len(kept[layer]) + slot - n_attn
    return kept[layer].index(slot) if slot in kept[layer] else None


@contextlib.contextmanager
def head_gates(model, gates):
    """Multiply each head's context slice by gates[layer][slot] (original slot numbering).

    `gates`: a tensor or array [layers, slots] (it may carry forward-mode AD tangents), or a
    dict {layer: {slot: value}} for a few heads. Hooks are removed in `finally`; hold the
    model's lock while inside (hooks are global state on a shared model)."""
    import torch

    modules, shared = output_projections(model)
    layers = model.config.num_hidden_layers
    size = head_size(model)
    n_attn, n_conv = slot_counts(model)
    per_layer: list = []
    for layer in range(layers):
        width = (modules[0] if shared else modules[layer]).in_features // size
        if isinstance(gates, dict):
            wanted = gates.get(layer, {})
            if not wanted:
                per_layer.append(None)
                continue
            vector = torch.ones(width)
            for slot, value in wanted.items():
                position = _current_position(model, layer, slot)
                if position is not None and position < width:
                    vector[position] = float(value)
        else:
            row = gates[layer]
            keep = [_current_position(model, layer, s) for s in range(n_attn + n_conv)]
            index = [s for s, p in enumerate(keep) if p is not None]
            row = row[torch.as_tensor(index)] if isinstance(row, torch.Tensor) else torch.as_tensor(np.asarray(row)[index])
            vector = row
        per_layer.append(vector.repeat_interleave(size) if vector is not None else None)

    calls = itertools.count()

    def make_hook(layer):
        def pre_hook(module, args):
            index = next(calls) % layers if shared else layer
            scale = per_layer[index]
            if scale is None:
                return None
            x = args[0]  # [B, T, slots * head_size] concatenated head contexts
            return (x * scale.to(x.dtype),) + tuple(args[1:])
        return pre_hook

    handles = []
    try:
        for layer, module in enumerate(modules[:1] if shared else modules):
            handles.append(module.register_forward_pre_hook(make_hook(layer)))
        yield
    finally:
        for h in handles:
            h.remove()


def ablation_gates(selected) -> dict[int, dict[int, float]]:
    """[(layer, slot), ...] or ['L2 H3', 'L0 C1', ...] -> gates dict with 0 for those heads.
    Slots use heads.to_slot numbering, so a name needs the model's n_heads: pass tuples, or use
    `parse_heads` first."""
    out: dict[int, dict[int, float]] = {}
    for layer, slot in selected:
        out.setdefault(int(layer), {})[int(slot)] = 0.0
    return out


def parse_heads(names, n_layers: int, n_heads: int, n_conv: int = 0) -> list[tuple[int, int]]:
    """'L2 H3' / 'L0 C1' names -> sorted (layer, slot) pairs; ValueError for heads the model lacks."""
    out = set()
    for name in names:
        layer, head = heads.parse_qualified(name)
        if not 0 <= layer < n_layers or not heads.exists(head, n_heads, n_conv):
            raise ValueError(f"{name} does not exist in this model ({n_layers} layers, {n_heads} heads"
                             + (f", {n_conv} conv heads" if n_conv else "") + ").")
        out.add((layer, heads.to_slot(head, n_heads)))
    return sorted(out)


# ---------------------------------------------------------------- fill-mask

_mlm_cache: dict[str, object] = {}
_mlm_lock = threading.Lock()


def _mlm_source(model_id: str):
    """Where the checkpoint of `model_id` lives, or None with the reason (bundled, student...)."""
    base = model_id.split("@", 1)[0]
    entry = registry.entry(base)
    if entry is not None and entry.source == "bundled":
        return None, "bundled"
    if entry is not None:
        return entry.location, ""
    folder = (models_dir() / base).resolve()
    if folder.is_dir() and (folder == models_dir() or models_dir() in folder.parents):
        if student.is_student_folder(folder):
            return None, "student"
        return folder, ""
    return base, ""


def mlm_model(lm: LoadedModel):
    """The checkpoint's masked-LM model wrapped around `lm.model`, or None if it has no MLM head.

    Loaded once per model id. The head counts as present only when none of its weights had to
    be newly initialised (a plain encoder checkpoint loads with a random head: that is refused)."""
    with _mlm_lock:
        if lm.id in _mlm_cache:
            return _mlm_cache[lm.id]
    source, _ = _mlm_source(lm.id)
    model = None
    if source is not None:
        model = _load_mlm(source, lm)
    with _mlm_lock:
        _mlm_cache[lm.id] = model
    return model


def no_mlm_reason(lm: LoadedModel) -> str | None:
    """'bundled', 'student' or 'no_head' when fill-mask is unavailable; None when it works."""
    source, reason = _mlm_source(lm.id)
    if source is None:
        return reason
    return None if mlm_model(lm) is not None else "no_head"


def _load_mlm(source, lm: LoadedModel):
    from transformers import AutoModelForMaskedLM

    local = isinstance(source, Path)
    try:
        mlm, info = AutoModelForMaskedLM.from_pretrained(
            source, attn_implementation="eager", trust_remote_code=False, local_files_only=True,
            use_safetensors=True if local else None, output_loading_info=True)
    except Exception:  # no MLM class for this family, weights not cached, ...
        return None
    prefix = mlm.base_model_prefix
    head_missing = [k for k in info.get("missing_keys", ()) if not k.startswith(prefix + ".")]
    if head_missing or not hasattr(mlm, prefix):
        return None
    setattr(mlm, prefix, lm.model)  # one encoder: the one every page captures (and any variant of it)
    return mlm.eval()


def top_k(logits, positions: list[int], tokenizer, k: int = 5) -> dict[int, list[tuple[str, float]]]:
    """{position: [(token, probability), ...]} from MLM logits [T, V]."""
    import torch

    out = {}
    for p in positions:
        probs = torch.softmax(logits[p].float(), -1)
        values, ids = probs.topk(k)
        out[p] = [(tok, float(v)) for tok, v in zip(tokenizer.convert_ids_to_tokens(ids.tolist()), values.tolist())]
    return out


# ---------------------------------------------------------------- one intervened run

@dataclass(frozen=True, eq=False)
class Outcome:
    """A run with interventions, next to the same sentence without them."""
    base: cap.Trace
    trace: cap.Trace                 # after the interventions (same length as base)
    ablated: tuple[tuple[int, int], ...]  # (layer, slot) pairs
    replaced: dict                   # position -> replacement token
    cosine: float                    # mean-pooled last hidden state, base vs intervened
    js: np.ndarray                   # [layers, slots] mean JS divergence per head, base vs intervened
    fill: dict | None                # {position: [(token, prob)]} at mask positions, None without MLM
    fill_without_ablation: dict | None  # the same with the masks but no ablation (when both apply)


def _token_id(lm: LoadedModel, word) -> int:
    tok = lm.tokenizer
    if word is MASK:
        if tok.mask_token_id is None:
            raise ValueError("This tokenizer has no mask token.")
        return tok.mask_token_id
    word = str(word).strip()
    if not word:
        raise ValueError("The replacement word is empty.")
    pieces = tok.tokenize(word)
    if len(pieces) != 1:
        raise ValueError(f"'{word}' is {len(pieces)} tokens ({' '.join(pieces)}); a replacement must be "
                         "exactly one token so the sentence keeps its length.")
    return tok.convert_tokens_to_ids(pieces[0])


def _forward(lm: LoadedModel, enc, gates, want_logits: bool):
    """One forward pass with capture hooks and head gates. Returns (attn, hidden, kernels, logits)."""
    import torch

    conv = lm.family == "convbert"
    mlm = mlm_model(lm) if want_logits else None
    runner = mlm if mlm is not None else lm.model
    with lm.lock, torch.inference_mode(), cap.hooks(lm.model, want_conv=conv) as store, \
            head_gates(lm.model, gates or {}):
        out = runner(**enc, output_hidden_states=True, output_attentions=lm.family in cap.NEEDS_OUTPUT_ATTENTIONS)
    T = enc["input_ids"].shape[1]
    attentions = store["attention"][: store["n_attention"]]
    hidden = torch.stack([h[0] for h in out.hidden_states]).float().numpy()
    kernels = None
    if conv and store["conv_kernels"]:
        K = lm.model.config.conv_kernel_size
        kernels = torch.stack([k[0].reshape(T, -1, K).softmax(-1).transpose(0, 1)
                               for k in store["conv_kernels"]]).float().numpy()
    logits = out.logits[0] if mlm is not None else None
    return attentions, hidden, kernels, logits


def head_js(a: cap.Trace, b: cap.Trace) -> np.ndarray:
    """[layers, slots]: JS divergence between two same-length traces' heads, mean over query rows.
    Attention rows compare over keys; ConvBERT conv kernels over their K offsets."""
    if len(a) != len(b) or a.attentions.shape[:2] != b.attentions.shape[:2]:
        raise ValueError("Both runs must have the same layers, heads and tokens.")
    js = js_divergence(a.attentions, b.attentions).mean(-1)          # [L, H]
    if a.conv_kernels is not None and b.conv_kernels is not None:
        js = np.concatenate([js, js_divergence(a.conv_kernels, b.conv_kernels).mean(-1)], axis=1)
    return js.astype(np.float32)


def pooled(hidden_last: np.ndarray) -> np.ndarray:
    """Mean over every token (special ones included, as the sentence-transformers pooling does)."""
    return np.asarray(hidden_last, dtype=np.float64).mean(0)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    den = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.dot(a, b) / den) if den > 0 else 0.0


def run(lm: LoadedModel, text: str, text_b: str | None = None, *, ablate=(), replace: dict | None = None,
        base: cap.Trace | None = None, k: int = 5) -> Outcome:
    """Run `text` with heads ablated (`ablate`: (layer, slot) pairs) and tokens replaced
    (`replace`: {position: None for the mask token, or a one-token word}); compare with the plain run.

    Raises ValueError for bad positions, special tokens, words of several tokens."""
    import torch

    base = base if base is not None else cap.capture(lm, text, text_b)
    enc, _ = cap.tokenize(lm, text, text_b)
    enc.pop("offset_mapping", None)
    if "attention_mask" in enc and bool(enc["attention_mask"].all()):
        del enc["attention_mask"]
    ids = enc["input_ids"][0].tolist()
    if ids != base.token_ids:
        raise ValueError("The base trace was made from another sentence.")
    n_attn, n_conv = base.n_heads, base.n_conv_heads
    ablate = tuple(sorted({(int(l), int(s)) for l, s in ablate}))
    for layer, slot in ablate:
        if not (0 <= layer < base.n_layers and 0 <= slot < n_attn + n_conv):
            raise ValueError(f"Layer {layer}, slot {slot} does not exist in this model.")
    replaced = {}
    for position, word in sorted((replace or {}).items()):
        position = int(position)
        if not 0 <= position < len(ids):
            raise ValueError(f"Token {position} does not exist (the sentence has {len(ids)} tokens).")
        if base.special and base.special[position]:
            raise ValueError(f"Token {position} ({base.tokens[position]}) is a special token; it cannot be replaced.")
        ids[position] = _token_id(lm, word)
        replaced[position] = lm.tokenizer.convert_ids_to_tokens(ids[position])
    enc["input_ids"] = torch.tensor([ids])
    gates = ablation_gates(ablate)
    mask_id = lm.tokenizer.mask_token_id
    masks = [i for i, x in enumerate(ids) if mask_id is not None and x == mask_id]
    has_mlm = bool(masks) and mlm_model(lm) is not None
    attn, hidden, kernels, logits = _forward(lm, enc, gates, want_logits=has_mlm)
    tokens = lm.tokenizer.convert_ids_to_tokens(ids)
    trace = dataclasses.replace(
        base, tokens=tokens, token_ids=ids, attentions=cap._readonly(attn), hidden_states=cap._readonly(hidden),
        conv_kernels=cap._readonly(kernels))
    fill = top_k(logits, masks, lm.tokenizer, k) if has_mlm else None
    fill_plain = None
    if has_mlm and ablate:
        fill_plain = top_k(_forward(lm, enc, {}, want_logits=True)[3], masks, lm.tokenizer, k)
    return Outcome(base=base, trace=trace, ablated=ablate, replaced=replaced,
                   cosine=cosine(pooled(base.hidden_states[-1]), pooled(hidden[-1])),
                   js=head_js(base, trace), fill=fill, fill_without_ablation=fill_plain)
