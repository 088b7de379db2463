"""Change something inside the model and see what follows: head ablation, token masking, fill-mask.

Head ablation (and head gates)
------------------------------
Every family concatenates its heads' contexts head-major, `[B, T, slots * head_size]`, and
mixes them with one Linear, the attention output projection (`attention.output.dense`;
DistilBERT's `out_lin`; ALBERT's shared `attention.dense`). A forward pre-hook on that
Linear multiplies slot s's slice `[s*head_size, (s+1)*head_size)` by a gate: 0 removes the
head's contribution, 1 leaves it exactly unchanged. ConvBERT's convolution heads are the
slots after its attention heads (`cat([attention_context, conv_context])`), so conv head c
is slot `n_heads + c` (the order of `heads.to_slot`). Where each family's projection is, and its
slots, come from its FamilySpec (bertviz_core.models.families). A model pruned by `compress` keeps
the original numbering: `kept_heads(model)[layer]` lists the original heads still present.

Token masking / replacement
---------------------------
`run(lm, text, replace={position: None})` puts the mask token at a position (None), or a
word that is exactly one token. The sentence keeps its length, so attention is compared row
by row.

Fill-mask
---------
When the checkpoint ships a masked-LM head (hub BERT, DistilBERT, RoBERTa, ... or a local
`BertForMaskedLM` folder), `mlm_model(lm)` (bertviz_core.models.mlm) loads it once and puts
`lm.model` inside it in place of its own copy of the encoder (same checkpoint, so the same
weights), so one forward pass gives the captured attention, the interventions and the
predictions. A model without a head that reads the same vocabulary (the bundled models) has its
masked tokens guessed by the bundled masked-word model (`mlm.guesser`: bert-minilm-l6-mlm) on the same
input ids: `Outcome.guessed_by` names the model that guessed, and `guess_ablated` says whether the switched-off
heads were switched off in it too (only when it was retrained from the model itself, `mlm.guesser_origin`:
same layers and heads; else its own heads all run). `no_mlm_reason` says why a model has no head of its own.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from bertviz_core.analysis.compare import js_divergence
from bertviz_core.models import heads
from bertviz_core.models.families import family_spec
from bertviz_core.models.loading import LoadedModel
from bertviz_core.models.mlm import guesser, guesser_origin, mlm_model, no_mlm_reason  # noqa: F401 - for the pages
from bertviz_core.tracing import capture as cap
from bertviz_core.tracing import hooks

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

MASK = None  # value in `replace` that means "the model's mask token"


# ---------------------------------------------------------------- head gates / ablation


def output_projections(model: PreTrainedModel) -> tuple[list[torch.nn.Linear], bool]:
    """The Linear that mixes each layer's concatenated head contexts, in layer order (the family
    spec's output_projection: BERT-style <layer>.attention.output.dense, DistilBERT's out_lin,
    ALBERT's AlbertAttention.dense).

    Returns (modules, shared): ALBERT has one attention module shared by every layer, so one
    projection called once per layer (shared=True)."""
    spec = family_spec(model)
    found = [spec.output_projection_of(model, name, module) for name, module in hooks.attention_modules(model)]
    layers = model.config.num_hidden_layers
    if not found:
        raise ValueError(f"No {spec.attention_class} module found in this {spec.model_type} model.")
    return cast("list[torch.nn.Linear]", found), len(found) < layers  # (an @int8 variant's: dynamic int8 Linear)


def head_size(model: PreTrainedModel) -> int:
    """The size d of one head's slice of the concatenated context."""
    return int(hooks.attention_modules(model)[0][1].attention_head_size)


def slot_counts(model: PreTrainedModel) -> tuple[int, int]:
    """(attention heads, conv heads) per layer, original numbering (before any pruning)."""
    return family_spec(model).slot_counts(model.config)


_KEPT = "_bertviz_kept"  # attribute of a pruned model: {layer: [original heads still present]}


def kept_heads(model: torch.nn.Module) -> dict[int, list[int]] | None:
    """{layer: original attention heads still present} of a model pruned by compress, None for any other."""
    return getattr(model, _KEPT, None)


def mark_pruned(model: torch.nn.Module, kept: dict[int, list[int]]) -> None:
    """Record on `model` which original heads pruning kept (see kept_heads)."""
    setattr(model, _KEPT, kept)


def _current_position(model: PreTrainedModel, layer: int, slot: int) -> int | None:
    """Where original slot `slot` of `layer` sits in the (possibly pruned) concatenated context."""
    kept = kept_heads(model)
    if kept is None:
        return slot
    n_attn, _ = slot_counts(model)
    if slot >= n_attn:  # conv slots follow the kept attention heads
        return len(kept[layer]) + slot - n_attn
    return kept[layer].index(slot) if slot in kept[layer] else None


@contextlib.contextmanager
def head_gates(
    model: PreTrainedModel, gates: torch.Tensor | np.ndarray | dict[int, dict[int, float]]
) -> Iterator[None]:
    """Multiply each head's context slice by gates[layer][slot] (original slot numbering).

    `gates`: a tensor or array [layers, slots] (it may carry forward-mode AD tangents), or a
    dict {layer: {slot: value}} for a few heads. Hooks are removed in `finally`; hold the
    model's lock while inside (hooks are global state on a shared model)."""
    import torch

    modules, shared = output_projections(model)
    layers = model.config.num_hidden_layers
    size = head_size(model)
    n_attn, n_conv = slot_counts(model)
    per_layer: list[torch.Tensor | None] = []
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
            row = (
                row[torch.as_tensor(index)]
                if isinstance(row, torch.Tensor)
                else torch.as_tensor(np.asarray(row)[index])
            )
            vector = row
        per_layer.append(vector.repeat_interleave(size) if vector is not None else None)

    calls = itertools.count()

    def make_hook(layer: int) -> Callable[..., tuple[Any, ...] | None]:
        def pre_hook(module: torch.nn.Module, args: tuple[Any, ...]) -> tuple[Any, ...] | None:
            index = next(calls) % layers if shared else layer
            scale = per_layer[index]
            if scale is None:
                return None
            x = args[0]  # [B, T, slots * head_size] concatenated head contexts
            return (x * scale.to(x.dtype),) + tuple(args[1:])

        return pre_hook

    with hooks.registered() as handles:
        for layer, module in enumerate(modules[:1] if shared else modules):
            handles.append(module.register_forward_pre_hook(make_hook(layer)))
        yield


def ablation_gates(selected: Iterable[tuple[int, int]]) -> dict[int, dict[int, float]]:
    """[(layer, slot), ...] or ['L2 H3', 'L0 C1', ...] -> gates dict with 0 for those heads.
    Slots use heads.to_slot numbering, so a name needs the model's n_heads: pass tuples, or use
    `parse_heads` first."""
    out: dict[int, dict[int, float]] = {}
    for layer, slot in selected:
        out.setdefault(int(layer), {})[int(slot)] = 0.0
    return out


def parse_heads(names: Iterable[str], n_layers: int, n_heads: int, n_conv: int = 0) -> list[tuple[int, int]]:
    """'L2 H3' / 'L0 C1' names -> sorted (layer, slot) pairs; ValueError for heads the model lacks."""
    out: set[tuple[int, int]] = set()
    for name in names:
        layer, head = heads.parse_qualified(name)
        if not 0 <= layer < n_layers or not heads.exists(head, n_heads, n_conv):
            raise ValueError(
                f"{name} does not exist in this model ({n_layers} layers, {n_heads} heads"
                + (f", {n_conv} conv heads" if n_conv else "")
                + ")."
            )
        out.add((layer, heads.to_slot(head, n_heads)))
    return sorted(out)


# ---------------------------------------------------------------- fill-mask


def top_k(
    logits: torch.Tensor, positions: list[int], tokenizer: PreTrainedTokenizerBase, k: int = 5
) -> dict[int, list[tuple[str, float]]]:
    """{position: [(token, probability), ...]} from MLM logits [T, V], best first (also bc.fill_mask's). The softmax
    is taken in float64: over a vocabulary of 30,000 float32 sums drift by ~1e-5 of the probability."""
    import torch

    out = {}
    for p in positions:
        probs = torch.softmax(logits[p].double(), -1)
        values, ids = probs.topk(k)
        out[p] = [(tok, float(v)) for tok, v in zip(tokenizer.convert_ids_to_tokens(ids.tolist()), values.tolist())]
    return out


# ---------------------------------------------------------------- one intervened run


@dataclass(frozen=True, eq=False)
class Outcome:
    """A run with interventions, next to the same sentence without them."""

    base: cap.Trace
    trace: cap.Trace  # after the interventions (same length as base)
    ablated: tuple[tuple[int, int], ...]  # (layer, slot) pairs
    replaced: dict[int, str]  # position -> replacement token
    cosine: float  # mean-pooled last hidden state, base vs intervened
    js: np.ndarray  # [layers, slots] mean JS divergence per head, base vs intervened
    fill: dict[int, list[tuple[str, float]]] | None  # {position: [(token, prob)]} at mask positions, None without MLM
    fill_without_ablation: dict[int, list[tuple[str, float]]] | None  # the same with the masks but no ablation
    guessed_by: str | None = None  # id of the model whose MLM head made `fill` (the model itself, or mlm.GUESSER_ID)
    guess_ablated: bool = True  # whether `fill` saw the ablation (False: another model's own heads all ran)


def _token_id(lm: LoadedModel, word: str | None) -> int:
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
        raise ValueError(
            f"'{word}' is {len(pieces)} tokens ({' '.join(pieces)}); a replacement must be "
            "exactly one token so the sentence keeps its length."
        )
    return cast(int, tok.convert_tokens_to_ids(pieces[0]))  # one token: one id


def _forward(
    lm: LoadedModel, enc: Any, gates: dict[int, dict[int, float]], want_logits: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, torch.Tensor | None]:
    """One forward pass with capture hooks and head gates. Returns (attn, hidden, kernels, logits)."""
    mlm = mlm_model(lm) if want_logits else None
    run = cap.forward(lm, enc, runner=mlm, also=head_gates(lm.model, gates or {}))
    logits = run.output.logits[0] if mlm is not None else None
    return run.attentions, run.hidden_states, run.conv_kernels, logits


def _guess(
    guess: LoadedModel, enc: Any, gates: dict[int, dict[int, float]]
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Another model's MLM logits [T, V] on the same input ids (`gates` switched off in it too, when given), and
    the same without the gates (None when there are none)."""
    ids = {k: v for k, v in enc.items() if k in ("input_ids", "token_type_ids")}  # the pair's segments too
    runner = mlm_model(guess)
    logits = cap.forward(guess, ids, runner=runner, also=head_gates(guess.model, gates)).output.logits[0]
    plain = cap.forward(guess, ids, runner=runner).output.logits[0] if gates else None
    return logits, plain


def ablates_in_guesser(lm: LoadedModel, guess: LoadedModel) -> bool:
    """Whether heads switched off in `lm` are switched off in `guess` too: only when `guess` was retrained from
    `lm`'s own model (its heads are `lm`'s heads, moved by the retraining)."""
    return guess is lm or lm.id.split("@", 1)[0] == guesser_origin()


def head_js(a: cap.Trace, b: cap.Trace) -> np.ndarray:
    """[layers, slots]: JS divergence between two same-length traces' heads, mean over query rows.
    Attention rows compare over keys; ConvBERT conv kernels over their K offsets."""
    if len(a) != len(b) or a.attentions.shape[:2] != b.attentions.shape[:2]:
        raise ValueError("Both runs must have the same layers, heads and tokens.")
    js = js_divergence(a.attentions, b.attentions).mean(-1)  # [L, H]
    if a.conv_kernels is not None and b.conv_kernels is not None:
        js = np.concatenate([js, js_divergence(a.conv_kernels, b.conv_kernels).mean(-1)], axis=1)
    return js.astype(np.float32)


def pooled(hidden_last: np.ndarray) -> np.ndarray:
    """Mean over every token (special ones included, as the sentence-transformers pooling does)."""
    return np.asarray(hidden_last, dtype=np.float64).mean(0)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    den = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.dot(a, b) / den) if den > 0 else 0.0


def run(
    lm: LoadedModel,
    text: str,
    text_b: str | None = None,
    *,
    ablate: Iterable[tuple[int, int]] = (),
    replace: dict[int, str | None] | None = None,
    base: cap.Trace | None = None,
    k: int = 5,
) -> Outcome:
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
    ablated = tuple(sorted({(int(l), int(s)) for l, s in ablate}))
    for layer, slot in ablated:
        if not (0 <= layer < base.n_layers and 0 <= slot < n_attn + n_conv):
            raise ValueError(f"Layer {layer}, slot {slot} does not exist in this model.")
    replaced: dict[int, str] = {}
    for position, word in sorted((replace or {}).items()):
        position = int(position)
        if not 0 <= position < len(ids):
            raise ValueError(f"Token {position} does not exist (the sentence has {len(ids)} tokens).")
        if base.special and base.special[position]:
            raise ValueError(f"Token {position} ({base.tokens[position]}) is a special token; it cannot be replaced.")
        ids[position] = _token_id(lm, word)
        replaced[position] = cast(str, lm.tokenizer.convert_ids_to_tokens(ids[position]))  # one id: one token
    enc["input_ids"] = torch.tensor([ids])
    gates = ablation_gates(ablated)
    mask_id = lm.tokenizer.mask_token_id
    masks = [i for i, x in enumerate(ids) if mask_id is not None and x == mask_id]
    guess = guesser(lm) if masks else None
    attn, hidden, kernels, logits = _forward(lm, enc, gates, want_logits=guess is lm)
    tokens = cast("list[str]", lm.tokenizer.convert_ids_to_tokens(ids))
    trace = dataclasses.replace(
        base,
        tokens=tokens,
        token_ids=ids,
        attentions=cap.readonly(attn),
        hidden_states=cap.readonly(hidden),
        conv_kernels=cap.readonly(kernels),
    )
    plain = None
    guess_ablated = guess is not None and ablates_in_guesser(lm, guess)
    if guess is lm and ablated:
        plain = _forward(lm, enc, {}, want_logits=True)[3]
    elif guess is not None and guess is not lm:
        logits, plain = _guess(guess, enc, gates if guess_ablated else {})
    fill = top_k(logits, masks, lm.tokenizer, k) if logits is not None else None
    fill_plain = top_k(plain, masks, lm.tokenizer, k) if plain is not None else None
    return Outcome(
        base=base,
        trace=trace,
        ablated=ablated,
        replaced=replaced,
        cosine=cosine(pooled(base.hidden_states[-1]), pooled(hidden[-1])),
        js=head_js(base, trace),
        fill=fill,
        fill_without_ablation=fill_plain,
        guessed_by=guess.id if guess is not None else None,
        guess_ablated=guess_ablated,
    )
