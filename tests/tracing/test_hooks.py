"""The one hook pipeline (bertviz_core.tracing.hooks): what is hooked in each family, found once per model,
and hooks that never outlive their block. Oracles: the model's own module names and types, walked here."""

from __future__ import annotations

import pytest
import torch
from conftest import FAMILIES

import bertviz_core as bc
from bertviz_core.models.families import family_spec
from bertviz_core.tracing import hooks


def hook_snapshot(model):
    return {name: (tuple(m._forward_hooks), tuple(m._forward_pre_hooks)) for name, m in model.named_modules()}


@pytest.mark.parametrize("family", FAMILIES)
def test_targets_are_the_attention_modules_kernel_layers_and_embeddings_in_forward_order(models_root, family):
    model = bc.load_model(f"tiny-{family}").model
    by_name = dict(model.named_modules())
    expected = []
    for name, module in model.named_modules():
        if type(module).__name__ == family_spec(family).attention_class:
            expected.append(("attention", name))
            if family == "convbert":
                expected.append(("conv_kernels", f"{name}.conv_kernel_layer"))
        elif name == "embeddings.position_embeddings":
            expected.append(("position", name))
        elif name == "embeddings.token_type_embeddings":
            expected.append(("token_type", name))
    got = hooks.targets(model)
    assert [(t.kind, t.name) for t in got] == expected
    assert all(by_name[t.name] is t.module for t in got)
    assert hooks.attention_modules(model) == [(t.name, t.module) for t in got if t.kind == "attention"]


def test_targets_are_found_once_per_model(models_root, monkeypatch):
    model = bc.load_model("tiny-electra").model
    first = hooks.targets(model)

    def walked(*args, **kwargs):
        raise AssertionError("walked the modules again")

    monkeypatch.setattr(model, "named_modules", walked)
    assert hooks.targets(model) is first
    bc.capture(bc.load_model("tiny-electra"), "Found once.")  # a capture does not walk them either


def test_registered_hooks_are_removed_even_when_the_block_raises(models_root):
    model = bc.load_model("tiny-bert").model
    before = hook_snapshot(model)
    with pytest.raises(RuntimeError, match="inside"), hooks.registered() as handles:
        for _, module in hooks.attention_modules(model):
            handles.append(module.register_forward_hook(lambda m, a, out: None))
        assert hook_snapshot(model) != before
        raise RuntimeError("inside")
    assert hook_snapshot(model) == before


@pytest.mark.parametrize("direct", [False, True])
def test_capture_hooks_fill_the_store_and_leave_nothing_behind(models_root, direct):
    lm = bc.load_model("tiny-convbert")
    before = hook_snapshot(lm.model)
    enc = lm.tokenizer("The quick brown fox.", return_tensors="pt")
    with torch.inference_mode(), hooks.capture_hooks(lm.model, want_conv=True, direct=direct) as store:
        out = lm.model(**enc, output_attentions=True)
    assert store["n_attention"] == 2 and len(store["conv_kernels"]) == 2 and len(store["position"]) == 1
    for layer, probs in enumerate(out.attentions):
        assert torch.equal(torch.from_numpy(store["attention"][layer]), probs[0])
    assert hook_snapshot(lm.model) == before
    with torch.inference_mode(), hooks.capture_hooks(lm.model, want_conv=False) as store:
        lm.model(**enc)
    assert store["conv_kernels"] == [] and store["n_attention"] == 2


def test_batch_hooks_keep_one_output_per_layer_and_reset_with_the_mask(models_root):
    lm = bc.load_model("tiny-bert")
    before = hook_snapshot(lm.model)
    enc = lm.tokenizer(["A b c d.", "A."], padding=True, return_tensors="pt")
    with (
        torch.inference_mode(),
        hooks.batch_hooks(lm.model, want_conv=False, want_embeddings=True) as (store, set_mask),
    ):
        set_mask(enc["attention_mask"])
        out = lm.model(**enc, output_attentions=True)
        assert [a.shape for a in store["attention"]] == [a.shape for a in out.attentions]
        assert len(store["position"]) == len(store["token_type"]) == 1
        set_mask(None)
        assert all(v == [] for v in store.values())
    assert hook_snapshot(lm.model) == before
