"""Run a model on a sentence and record what happens inside, through forward hooks.

Names and shapes of what is captured (batch dimension removed, T tokens):
    layers.{i}.attention      [heads, T, T]   softmax probabilities (rows sum to 1)
    layers.{i}.conv_kernels   [conv_heads, T, K]  ConvBERT only, softmaxed over K offsets
    embeddings.position       [T, E]          position embeddings added for this input
    embeddings.token_type     [T, E]          token-type (segment) embeddings added
    hidden_states             [layers + 1, T, D]  embeddings output, then each layer's output

Hooks are global state on a shared model: they are registered inside a
context manager that removes them in `finally`, and each model's lock keeps
two users' captures from ever running on it at the same time.
"""
from __future__ import annotations

import contextlib
import os
import threading
import weakref
from dataclasses import dataclass

import numpy as np

from bertviz_core.models import registry
from bertviz_core.models.loading import LoadedModel

NEEDS_OUTPUT_ATTENTIONS = {"deberta-v2"}
CONV_SPAN_NOTE = "token i's weights sit on keys i-K//2 .. i+K//2; weights falling past the ends multiply zero padding"


@dataclass(frozen=True, eq=False)
class Trace:
    """Everything captured from one forward pass. Arrays are float32 and read-only."""
    model_id: str
    family: str
    text: str
    text_b: str | None
    tokens: list[str]                 # length T, special tokens included
    token_ids: list[int]
    attentions: np.ndarray            # [layers, heads, T, T]
    hidden_states: np.ndarray         # [layers + 1, T, D]
    position_embeddings: np.ndarray | None   # [T, E] or None (relative-position models)
    token_type_embeddings: np.ndarray | None  # [T, E] or None
    conv_kernels: np.ndarray | None   # [layers, conv_heads, T, K] or None
    b_start: int | None               # index of the first token of text_b, or None
    dropped_tokens: int               # tokens cut off to fit the model's limit
    special: tuple[bool, ...] = ()    # length T: True for [CLS], [SEP], <s>, ...
    offsets: tuple[tuple[int, int, int], ...] = ()  # length T: (sentence 0/1, start char, end char); (-1, 0, 0) for specials

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
        arrays = (self.attentions, self.hidden_states, self.position_embeddings, self.token_type_embeddings,
                  self.conv_kernels)
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


def _readonly(a: np.ndarray | None) -> np.ndarray | None:
    if a is not None:
        a.setflags(write=False)
    return a


ALIGN = 64  # bytes: what torch's own CPU allocator gives every tensor


def _aligned_empty(nbytes: int) -> np.ndarray:
    """An uninitialised uint8 array of `nbytes` starting on an ALIGN-byte boundary (its .base
    holds the block). numpy's large arrays start 16 bytes past a page: the model's softmax
    output, which capture() may replace by a slice of such a buffer, is ALIGN-aligned."""
    block = np.empty(nbytes + ALIGN, dtype=np.uint8)
    start = -block.ctypes.data % ALIGN
    return block[start : start + nbytes]


class _Lease:
    """One loan of a pooled buffer, seen by numpy as a float32 array (`np.asarray(lease)`).

    Every array cut from it keeps the lease alive (numpy's `.base` chain ends here), so the
    lease dies only when the last view of it is gone: only then does the buffer go back."""
    __slots__ = ("raw", "__array_interface__", "__weakref__")

    def __init__(self, raw: np.ndarray, n_floats: int):
        self.raw = raw
        self.__array_interface__ = {"shape": (n_floats,), "typestr": "<f4", "version": 3,
                                    "data": (raw.ctypes.data, False)}


class BufferPool:
    """Attention buffers of dropped Traces, kept for the next large capture.

    A 512-token capture of the bundled BERT writes 75 MB of attention. Fresh memory of that
    size comes from the kernel as untouched pages (malloc maps anything above 32 MB anew, and
    unmaps it on free), and first-touching it costs 40-60 ms here, a third of the forward
    pass. A buffer that was touched before costs only the copy. So when the last array of a
    Trace's attention is garbage (the Trace and every view of it dropped: an LRU cache
    evicting it, a benchmark loop), its buffer comes back here, and the next capture needing
    as much (up to `slack` times more) takes it instead of fresh memory.

    Bounded: at most `max_bytes` of idle buffers are kept (BERTVIZ_CAPTURE_POOL_MB, default
    160, i.e. two 512-token buffers; 0 turns the pool off); buffers under `min_bytes` are not
    pooled (small ones are cheap). A buffer on loan is never handed out twice: it returns only
    when no array can see it any more."""

    def __init__(self, max_bytes: int, min_bytes: int = 8 << 20, slack: float = 1.25):
        self.max_bytes, self.min_bytes, self.slack = max_bytes, min_bytes, slack
        self._idle: list[np.ndarray] = []
        self._lock = threading.RLock()  # RLock: a finalizer may run inside take() in the same thread
        self.reused = 0  # counters, for tests and benchmarks
        self.allocated = 0

    @property
    def idle_bytes(self) -> int:
        with self._lock:
            return sum(r.nbytes for r in self._idle)

    def take(self, shape: tuple[int, ...]) -> np.ndarray:
        """An uninitialised float32 array of `shape` (contiguous, ALIGN-aligned), recycled when possible."""
        n = int(np.prod(shape))
        nbytes = 4 * n
        if nbytes < self.min_bytes or self.max_bytes <= 0:
            return _aligned_empty(nbytes).view(np.float32).reshape(shape)
        raw = None
        with self._lock:
            fits = [i for i, r in enumerate(self._idle) if nbytes <= r.nbytes <= nbytes * self.slack]
            if fits:
                raw = self._idle.pop(min(fits, key=lambda i: self._idle[i].nbytes))
                self.reused += 1
        if raw is None:
            raw = _aligned_empty(nbytes)
            self.allocated += 1
        lease = _Lease(raw, n)
        done = weakref.finalize(lease, self._give_back, raw)
        done.atexit = False
        return np.asarray(lease).reshape(shape)

    def _give_back(self, raw: np.ndarray) -> None:
        with self._lock:
            self._idle.append(raw)
            total = sum(r.nbytes for r in self._idle)
            while self._idle and total > self.max_bytes:  # over the bound: drop the oldest
                total -= self._idle.pop(0).nbytes

    def clear(self) -> None:
        with self._lock:
            self._idle.clear()


attention_pool = BufferPool(int(float(os.environ.get("BERTVIZ_CAPTURE_POOL_MB", "160")) * 2**20))


_targets_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _hook_targets(model, attention_class: str) -> list[tuple[str, object]]:
    """(kind, module) pairs to hook, found once per model (walking all modules costs ~1 ms)."""
    import torch

    if model not in _targets_cache:
        targets = []
        for name, module in model.named_modules():
            if type(module).__name__ == attention_class:
                targets.append(("attention", module))
                if hasattr(module, "conv_kernel_layer"):
                    targets.append(("conv_kernels", module.conv_kernel_layer))
            elif name.endswith("embeddings.position_embeddings") and isinstance(module, torch.nn.Embedding):
                targets.append(("position", module))
            elif name.endswith("embeddings.token_type_embeddings") and isinstance(module, torch.nn.Embedding):
                targets.append(("token_type", module))
        _targets_cache[model] = targets
    return _targets_cache[model]


# From this many tokens on, capture() lets the softmax write into the Trace's buffer (measured
# in bench/bench_capture.py: below it the mode's per-call cost outweighs the copy it saves).
DIRECT_MIN_TOKENS = int(os.environ.get("BERTVIZ_DIRECT_MIN_TOKENS", "256"))
_direct_mode_class = None


def _softmax_into_trace():
    """The TorchFunctionMode class of direct writing (defined on first use: torch loads lazily).

    Active only inside an attention module's forward (entered by a forward pre-hook, left by
    the forward hook, and in any case by hooks()'s `finally`). The first softmax there over
    the last axis of float32 scores [1, H, T, T] is computed by the same kernel with `out=`
    the layer's slice of the Trace's buffer: the model then goes on with that very tensor
    (dropout in eval returns it, the context matmul reads it), so the probabilities are
    written once, where the Trace keeps them, instead of into torch's memory and then copied."""
    global _direct_mode_class
    if _direct_mode_class is None:
        import torch
        from torch.overrides import TorchFunctionMode

        softmaxes = {torch.nn.functional.softmax, torch.softmax, torch.Tensor.softmax, torch.special.softmax}

        class SoftmaxIntoTrace(TorchFunctionMode):
            def __init__(self, slot_for):
                super().__init__()
                self.slot_for = slot_for  # scores tensor -> output tensor of the same shape, or None

            def __torch_function__(self, func, types, args=(), kwargs=None):
                kwargs = kwargs or {}
                if func in softmaxes and len(args) <= 2 and kwargs.get("dtype") is None \
                        and set(kwargs) <= {"dim", "dtype", "_stacklevel"}:
                    x = args[0] if args else None
                    dim = args[1] if len(args) == 2 else kwargs.get("dim")
                    if isinstance(x, torch.Tensor) and dim in (-1, 3) and x.dim() == 4:
                        out = self.slot_for(x)
                        if out is not None:
                            return torch.softmax(x, -1, out=out)
                return func(*args, **kwargs)

        _direct_mode_class = SoftmaxIntoTrace
    return _direct_mode_class


@contextlib.contextmanager
def hooks(model, want_conv: bool, direct: bool = False):
    """Register the capture hooks on `model`; yields the dict they fill. Always removed.

    direct: the attention softmax writes straight into the Trace's buffer (see
    _softmax_into_trace; bit-identical, one copy of [L, H, T, T] less). Only worth it for long
    inputs: the mode costs some microseconds on every torch call inside attention."""
    import torch

    attention_class = registry.ATTENTION_MODULES[model.config.model_type]
    n_layers = model.config.num_hidden_layers
    store: dict = {"attention": None, "n_attention": 0, "conv_kernels": [], "position": [], "token_type": [],
                   "direct": 0}
    handles = []
    mode = None
    state = {"mode_on": False, "armed": False}

    def slot_for(scores):  # inside an attention module: this layer's slice of the buffer, or None
        if not state["armed"] or scores.dtype != torch.float32 or scores.shape[0] != 1 or scores.requires_grad:
            return None
        _, H, T, T2 = scores.shape
        if T != T2:
            return None
        if store["attention"] is None:
            store["attention"] = attention_pool.take((n_layers, H, T, T))
        layer = store["n_attention"]
        if layer >= len(store["attention"]) or store["attention"].shape[1:] != (H, T, T):
            return None
        out = torch.from_numpy(store["attention"][layer]).unsqueeze(0)
        if out.data_ptr() % ALIGN:  # a layer slice off torch's alignment: leave this one to the copy
            return None
        state["armed"] = False  # one softmax per module call, never a second into the same slice
        return out

    def enter(module, args):
        nonlocal mode
        if not state["mode_on"]:
            mode = mode or _softmax_into_trace()(slot_for)
            mode.__enter__()
            state["mode_on"] = True
        state["armed"] = True

    def leave():
        state["armed"] = False
        if state["mode_on"]:
            state["mode_on"] = False
            mode.__exit__(None, None, None)

    def on_attention(module, args, output):  # output: (context [B,T,D], probs [B,H,T,T])
        # Copied at once into one preallocated numpy array [L, H, T, T] (Linux backs large numpy
        # arrays with huge pages), so the model's own buffer is freed and reused by the next
        # layer as in a plain forward pass: one copy in all, no stacking afterwards. With
        # `direct`, the probabilities usually are that slice already: nothing to copy.
        if direct:
            leave()
        probs = output[1][0]  # [H, T, T]
        if store["attention"] is None:
            store["attention"] = attention_pool.take((n_layers, *probs.shape))
        layer = store["n_attention"]
        if layer >= len(store["attention"]):  # more attention calls than config layers: grow
            store["attention"] = np.concatenate([store["attention"], np.empty_like(store["attention"][:1])])
        dst = store["attention"][layer]
        if (direct and probs.data_ptr() == dst.ctypes.data and tuple(probs.shape) == dst.shape
                and probs.is_contiguous()):
            store["direct"] += 1  # written in place by the softmax
        else:
            torch.from_numpy(dst).copy_(probs)
        store["n_attention"] += 1

    def on_conv_kernel(module, args, output):  # output: [B, T, conv_heads * K] logits
        store["conv_kernels"].append(output.detach())

    def on_embedding(kind):
        def hook(module, args, output):  # [1 or B, T, E]
            store[kind].append(output.detach())
        return hook

    callbacks = {"attention": on_attention, "conv_kernels": on_conv_kernel,
                 "position": on_embedding("position"), "token_type": on_embedding("token_type")}
    try:
        for kind, module in _hook_targets(model, attention_class):
            if kind != "conv_kernels" or want_conv:
                handles.append(module.register_forward_hook(callbacks[kind]))
            if kind == "attention" and direct:
                handles.append(module.register_forward_pre_hook(enter))
        yield store
    finally:
        for h in handles:
            h.remove()
        leave()  # a forward that raised inside an attention module left the mode on


def tokenize(lm: LoadedModel, text: str, text_b: str | None = None):
    """Tokenize within the model's limit. Returns (encoding, dropped_token_count).

    One pass in the common case; a second, truncating pass only when the input is too long."""
    tok = lm.tokenizer
    pair = (text, text_b) if text_b else (text,)
    # split_special_tokens: a literal "[SEP]" typed by the user is text, not a separator
    kwargs = dict(return_tensors="pt", return_offsets_mapping=tok.is_fast, split_special_tokens=True)
    enc = tok(*pair, truncation=False, verbose=False, **kwargs)
    full = enc["input_ids"].shape[1]
    if full <= lm.max_tokens:
        return enc, 0
    enc = tok(*pair, truncation="longest_first" if text_b else True, max_length=lm.max_tokens, **kwargs)
    return enc, full - enc["input_ids"].shape[1]


def _offsets(enc) -> tuple[tuple[int, int, int], ...]:
    if "offset_mapping" not in enc:
        return ()
    seq = enc.sequence_ids(0)
    spans = enc.pop("offset_mapping")[0].tolist()
    return tuple((-1, 0, 0) if s is None else (s, a, b) for s, (a, b) in zip(seq, spans))


def capture(lm: LoadedModel, text: str, text_b: str | None = None) -> Trace:
    """Run `lm` on `text` (and optional `text_b`) and return a Trace.

    Raises ValueError for empty input."""
    import torch

    if not isinstance(text, str) or not text.strip():
        raise ValueError("The sentence is empty.")
    text_b = text_b if (text_b and text_b.strip()) else None
    enc, dropped = tokenize(lm, text, text_b)
    ids = enc["input_ids"][0].tolist()
    offsets = _offsets(enc)  # also removes offset_mapping, which the model must not receive
    if "attention_mask" in enc and bool(enc["attention_mask"].all()):
        del enc["attention_mask"]  # one unpadded sequence: an all-ones mask only adds zeros to every score
    conv = lm.family == "convbert"
    direct = len(ids) >= DIRECT_MIN_TOKENS
    with lm.lock, torch.inference_mode(), hooks(lm.model, want_conv=conv, direct=direct) as store:
        # DeBERTa's attention returns its probabilities only when asked; elsewhere asking would
        # make transformers record a second copy of what our hooks already hold
        out = lm.model(**enc, output_hidden_states=True, output_attentions=lm.family in NEEDS_OUTPUT_ATTENTIONS)
    T = len(ids)
    attentions = store["attention"][: store["n_attention"]]  # [L, H, T, T]
    hidden = torch.stack([h[0] for h in out.hidden_states]).float().numpy()      # [L+1, T, D]
    kernels = None
    if conv and store["conv_kernels"]:
        K = lm.model.config.conv_kernel_size
        # [B, T, C*K] -> [T, C, K] (head-major), softmax over offsets, -> [C, T, K]
        kernels = torch.stack([k[0].reshape(T, -1, K).softmax(-1).transpose(0, 1)
                               for k in store["conv_kernels"]]).float().numpy()
    position = store["position"][0][0].expand(T, -1).float().numpy().copy() if store["position"] else None
    token_type = store["token_type"][0][0].float().numpy() if store["token_type"] else None
    b_start = None
    if text_b:
        seq_ids = enc.sequence_ids(0)
        b_start = seq_ids.index(1) if 1 in seq_ids else None
    return Trace(
        model_id=lm.id, family=lm.family, text=text, text_b=text_b,
        tokens=lm.tokenizer.convert_ids_to_tokens(ids), token_ids=ids,
        attentions=_readonly(attentions), hidden_states=_readonly(hidden),
        position_embeddings=_readonly(position), token_type_embeddings=_readonly(token_type),
        conv_kernels=_readonly(kernels), b_start=b_start, dropped_tokens=dropped,
        special=tuple(bool(x) for x in lm.tokenizer.get_special_tokens_mask(ids, already_has_special_tokens=True)),
        offsets=offsets,
    )
