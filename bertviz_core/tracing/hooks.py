"""The forward hooks every run that looks inside a model uses: capture, batched capture, interventions.

- `targets(model)`: what to hook, found once per model through its FamilySpec (walking every
  module costs ~1 ms): each attention module (spec.attention_class), ConvBERT's kernel layer,
  the position and token-type embeddings.
- `registered()`: a list to put hook handles in; every handle is removed on the way out, even
  when the forward pass raised (hooks are global state on a shared model: hold its lock).
- `capture_hooks(model, ...)`: fills a dict with one sentence's attention probabilities
  ([L, H, T, T], in a pooled buffer), conv kernel logits and embedding outputs; optionally lets
  the attention softmax write straight into that buffer (`direct`).
- `batch_hooks(model, ...)`: the same for a padded batch, keeping ConvBERT's padding out of its
  convolution windows.

What the hooks see (B sentences, T tokens): an attention module returns (context [B, T, D],
probs [B, H, T, T]); the kernel layer [B, T, conv_heads * K] logits; an embedding [1 or B, T, E].
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from bertviz_core.models.families import family_spec
from bertviz_core.tracing import buffers

if TYPE_CHECKING:
    import torch
    from torch.overrides import TorchFunctionMode
    from torch.utils.hooks import RemovableHandle
    from transformers import PreTrainedModel

    # what direct writing asks for each softmax: scores [1, H, T, T] -> the tensor to write into, or None
    SlotFor = Callable[[torch.Tensor], torch.Tensor | None]


class Target(NamedTuple):
    kind: str  # "attention", "conv_kernels", "position" or "token_type"
    name: str  # the module's name in the model
    module: Any  # a torch.nn.Module; its attributes depend on the family (torch types them Tensor | Module)


_targets_cache: weakref.WeakKeyDictionary[torch.nn.Module, tuple[Target, ...]] = weakref.WeakKeyDictionary()


def targets(model: torch.nn.Module) -> tuple[Target, ...]:
    """The modules to hook in `model`, in forward order, found once per model.

    Only modules that no compression replaces are listed (attention modules, embeddings; the
    kernel layer of ConvBERT, which is never pruned), so the cache stays valid for a pruned copy."""
    import torch

    found = _targets_cache.get(model)
    if found is None:
        spec = family_spec(model)
        kernel_layer = spec.conv.kernel_layer if spec.conv is not None else None
        out = []
        for name, module in model.named_modules():
            if type(module).__name__ == spec.attention_class:
                out.append(Target("attention", name, module))
                if kernel_layer is not None and hasattr(module, kernel_layer):
                    out.append(Target("conv_kernels", f"{name}.{kernel_layer}", getattr(module, kernel_layer)))
            elif name.endswith(spec.position_embedding) and isinstance(module, torch.nn.Embedding):
                out.append(Target("position", name, module))
            elif name.endswith(spec.token_type_embedding) and isinstance(module, torch.nn.Embedding):
                out.append(Target("token_type", name, module))
        found = _targets_cache[model] = tuple(out)
    return found


def attention_modules(model: torch.nn.Module) -> list[tuple[str, Any]]:
    """(name, module) of every attention module of `model`, in forward order (ALBERT: one, shared)."""
    return [(t.name, t.module) for t in targets(model) if t.kind == "attention"]


@contextlib.contextmanager
def registered() -> Iterator[list[RemovableHandle]]:
    """Yields a list for hook handles; removes every handle in it on the way out, however it is left."""
    handles: list[RemovableHandle] = []
    try:
        yield handles
    finally:
        for h in handles:
            h.remove()


# ---------------------------------------------------------------- one sentence
_direct_mode_class: Callable[[SlotFor], TorchFunctionMode] | None = None


def softmax_into_buffer() -> Callable[[SlotFor], TorchFunctionMode]:
    """The TorchFunctionMode class of direct writing (defined on first use: torch loads lazily).

    Active only inside an attention module's forward (entered by a forward pre-hook, left by
    the forward hook, and in any case by capture_hooks()'s `finally`). The first softmax there over
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
            def __init__(self, slot_for: SlotFor) -> None:
                super().__init__()
                self.slot_for = slot_for  # scores tensor -> output tensor of the same shape, or None

            def __torch_function__(
                self,
                func: Callable[..., Any],
                types: Any,
                args: tuple[Any, ...] = (),
                kwargs: dict[str, Any] | None = None,
            ) -> Any:
                kwargs = kwargs or {}
                if (
                    func in softmaxes
                    and len(args) <= 2
                    and kwargs.get("dtype") is None
                    and set(kwargs) <= {"dim", "dtype", "_stacklevel"}
                ):
                    x = args[0] if args else None
                    dim = args[1] if len(args) == 2 else kwargs.get("dim")
                    if isinstance(x, torch.Tensor) and dim in (-1, 3) and x.dim() == 4:
                        out = self.slot_for(x)
                        if out is not None:
                            return torch.softmax(x, -1, out=out)
                return func(*args, **kwargs)

        _direct_mode_class = SoftmaxIntoTrace
    return _direct_mode_class


class _DirectWrites:
    """Direct writing during one capture: the mode is entered before each attention module's forward
    (`enter`, a pre-hook), armed for one softmax, and left by the module's forward hook (`leave`)."""

    def __init__(self, store: dict[str, Any], n_layers: int) -> None:
        import torch

        self.store, self.n_layers, self.float32 = store, n_layers, torch.float32
        self.mode: TorchFunctionMode | None = None  # the SoftmaxIntoTrace mode, made on first entry
        self.mode_on = False
        self.armed = False

    def slot_for(self, scores: torch.Tensor) -> torch.Tensor | None:
        """Inside an attention module: this layer's slice of the buffer, or None."""
        import torch

        store = self.store
        if not self.armed or scores.dtype != self.float32 or scores.shape[0] != 1 or scores.requires_grad:
            return None
        _, H, T, T2 = scores.shape
        if T != T2:
            return None
        if store["attention"] is None:
            store["attention"] = buffers.attention_pool.take((self.n_layers, H, T, T))
        layer = store["n_attention"]
        if layer >= len(store["attention"]) or store["attention"].shape[1:] != (H, T, T):
            return None
        out = torch.from_numpy(store["attention"][layer]).unsqueeze(0)
        if out.data_ptr() % buffers.ALIGN:  # a layer slice off torch's alignment: leave this one to the copy
            return None
        self.armed = False  # one softmax per module call, never a second into the same slice
        return out

    def enter(self, module: torch.nn.Module, args: tuple[Any, ...]) -> None:
        if not self.mode_on:
            self.mode = self.mode or softmax_into_buffer()(self.slot_for)
            self.mode.__enter__()
            self.mode_on = True
        self.armed = True

    def leave(self) -> None:
        self.armed = False
        if self.mode_on and self.mode is not None:  # mode_on: entered, so the mode exists
            self.mode_on = False
            self.mode.__exit__(None, None, None)


def _keep(store: dict[str, Any], kind: str) -> Callable[[torch.nn.Module, Any, torch.Tensor], None]:
    def hook(module: torch.nn.Module, args: Any, output: torch.Tensor) -> None:
        store[kind].append(output.detach())  # kernel logits [B, T, conv_heads * K]; embeddings [1 or B, T, E]

    return hook


@contextlib.contextmanager
def capture_hooks(
    model: PreTrainedModel, want_conv: bool, direct: bool = False, want_terms: bool = False
) -> Iterator[dict[str, Any]]:
    """Register the capture hooks on `model` (one sentence); yields the dict they fill. Always removed.

    store["attention"][:store["n_attention"]]: [L, H, T, T] probabilities; "conv_kernels", "position",
    "token_type": lists of the modules' outputs; "direct": how many layers the softmax wrote in place.
    direct: the attention softmax writes straight into the Trace's buffer (see softmax_into_buffer;
    bit-identical, one copy of [L, H, T, T] less). Only worth it for long inputs: the mode costs some
    microseconds on every torch call inside attention.
    want_terms: also store["score_terms"], per attention call the family's score terms [H, n, T, T]
    (FamilySpec.score_terms: DeBERTa's c2c, c2p, p2c), and store["terms_used"] (which ones the model adds)."""
    import torch

    terms = family_spec(model).score_terms if want_terms else None

    n_layers = model.config.num_hidden_layers
    store: dict[str, Any] = {
        "attention": None,
        "n_attention": 0,
        "conv_kernels": [],
        "position": [],
        "token_type": [],
        "direct": 0,
        "score_terms": [],
        "terms_used": (),
    }
    writes = _DirectWrites(store, n_layers) if direct else None

    def on_attention(module: torch.nn.Module, args: Any, output: tuple[torch.Tensor, ...]) -> None:
        # output: (context [B,T,D], probs [B,H,T,T])
        # Copied at once into one preallocated numpy array [L, H, T, T] (Linux backs large numpy
        # arrays with huge pages), so the model's own buffer is freed and reused by the next
        # layer as in a plain forward pass: one copy in all, no stacking afterwards. With
        # `direct`, the probabilities usually are that slice already: nothing to copy.
        if writes is not None:
            writes.leave()
        probs = output[1][0]  # [H, T, T]
        if store["attention"] is None:
            store["attention"] = buffers.attention_pool.take((n_layers, *probs.shape))
        layer = store["n_attention"]
        if layer >= len(store["attention"]):  # more attention calls than config layers: grow
            store["attention"] = np.concatenate([store["attention"], np.empty_like(store["attention"][:1])])
        dst = store["attention"][layer]
        if (
            writes is not None
            and probs.data_ptr() == dst.ctypes.data
            and tuple(probs.shape) == dst.shape
            and probs.is_contiguous()
        ):
            store["direct"] += 1  # written in place by the softmax
        else:
            torch.from_numpy(dst).copy_(probs)
        store["n_attention"] += 1

    def on_terms(module: torch.nn.Module, args: tuple[Any, ...], kwargs: dict[str, Any], output: Any) -> None:
        if terms is not None:
            store["score_terms"].append(terms.compute(module, args, kwargs)[0].float())  # [H, n, T, T]
            store["terms_used"] = terms.used(module)

    with registered() as handles:
        try:
            for kind, _, module in targets(model):
                if kind == "attention":
                    handles.append(module.register_forward_hook(on_attention))
                    if terms is not None:
                        handles.append(module.register_forward_hook(on_terms, with_kwargs=True))
                    if writes is not None:
                        handles.append(module.register_forward_pre_hook(writes.enter))
                elif kind != "conv_kernels" or want_conv:
                    handles.append(module.register_forward_hook(_keep(store, kind)))
            yield store
        finally:
            if writes is not None:
                writes.leave()  # a forward that raised inside an attention module left the mode on
                # the mode holds writes.slot_for, writes the mode: without this cut, the store and its
                # buffer would wait for the cyclic garbage collector instead of going back to the pool
                writes.mode = None


# ---------------------------------------------------------------- a padded batch
@contextlib.contextmanager
def batch_hooks(
    model: PreTrainedModel, want_conv: bool, want_embeddings: bool
) -> Iterator[tuple[dict[str, list[torch.Tensor]], Callable[[torch.Tensor | None], None]]]:
    """Hooks for a padded batch; yields (store, set_mask). set_mask(mask [B, T] or None) before each
    forward pass tells the ConvBERT padding hooks which positions are padding (and empties the store).

    ConvBERT's convolution branch ignores the attention mask: padded positions would fall inside the
    windows of the last real tokens. Two extra hooks zero them where an unpadded run sees zero padding:
    the self-attention input (read by the depthwise key convolution) and the output of the spec's conv
    value layer (the values the dynamic kernels weigh)."""
    import torch

    spec = family_spec(model)
    value_layer = spec.conv.value_layer if spec.conv is not None else None
    store: dict[str, list[torch.Tensor]] = {"attention": [], "conv_kernels": [], "position": [], "token_type": []}
    state: dict[str, torch.Tensor | None] = {"mask": None}  # [B, T, 1] float, or None when nothing is padded

    def on_attention(module: torch.nn.Module, args: Any, output: tuple[torch.Tensor, ...]) -> None:
        store["attention"].append(output[1].detach())  # output: (context [B,T,D], probs [B,H,T,T])

    def zero_padded_input(
        module: torch.nn.Module, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[tuple[Any, ...], dict[str, Any]] | None:  # ConvBERT self-attention: hidden_states [B, T, D]
        if state["mask"] is None:
            return None
        if args:
            return (args[0] * state["mask"], *args[1:]), kwargs
        return args, {**kwargs, "hidden_states": kwargs["hidden_states"] * state["mask"]}

    def zero_padded_output(module: torch.nn.Module, args: Any, output: torch.Tensor) -> torch.Tensor | None:
        # conv value layer: [B, T, C*d]
        if state["mask"] is not None:
            return output * state["mask"]
        return None

    def set_mask(mask: torch.Tensor | None) -> None:
        state["mask"] = None if mask is None or bool(mask.all()) else mask[..., None].to(torch.float32)
        for key in store:
            store[key] = []

    with registered() as handles:
        for kind, _, module in targets(model):
            if kind == "attention":
                handles.append(module.register_forward_hook(on_attention))
                if value_layer is not None and hasattr(module, value_layer):  # keep padding out of the conv windows
                    handles.append(module.register_forward_pre_hook(zero_padded_input, with_kwargs=True))
                    handles.append(getattr(module, value_layer).register_forward_hook(zero_padded_output))
            elif kind == "conv_kernels":
                if want_conv:
                    handles.append(module.register_forward_hook(_keep(store, kind)))
            elif want_embeddings:
                handles.append(module.register_forward_hook(_keep(store, kind)))
        yield store, set_mask
