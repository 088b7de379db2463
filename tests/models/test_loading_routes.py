"""What bertviz_core.models.loading asks transformers for, on each route (hub, bundled, local folder,
compressed variant), and how the hub is reached. The hub cannot be reached here, so the hub path is driven
through stand-ins for transformers' loaders that record what they were asked (the safety promise "no remote
code, safetensors only" is about those arguments) and hand back a tiny local checkpoint."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest
from conftest import load_refusal

import bertviz_core as bc
from bertviz_core.models import loading, registry

SUPPORTED = "albert, bert, convbert, deberta-v2, distilbert, electra, roberta, xlm-roberta"  # written out: the families with a spec


class _Spy:
    """Stands in for AutoModel / AutoTokenizer: records each call, answers from a local folder. Optionally
    the local-cache attempt fails (OSError, as transformers does) and/or the download raises `fail_download`."""

    def __init__(self, real, folder: Path, calls: list, kind: str, fail_when_local=False, fail_download=None):
        self.real, self.folder, self.calls, self.kind = real, folder, calls, kind
        self.fail_when_local, self.fail_download = fail_when_local, fail_download

    def from_pretrained(self, name, **kwargs):
        self.calls.append((self.kind, name, kwargs))
        if kwargs.get("local_files_only"):
            if self.fail_when_local:
                raise OSError("not in the local cache")
        elif self.fail_download is not None:
            raise self.fail_download
        allowed = {"attn_implementation", "trust_remote_code", "use_safetensors"} if self.kind == "model" else set()
        return self.real.from_pretrained(self.folder, **{k: v for k, v in kwargs.items() if k in allowed})


def _transformers():
    """The transformers module loading.py will import now (the lazy module can be replaced in sys.modules)."""
    import transformers  # noqa: F401 - when this test runs first

    return sys.modules["transformers"]


def _spy_hub(monkeypatch, folder, **kw):
    calls: list = []
    tf = _transformers()
    monkeypatch.setattr(tf, "AutoModel", _Spy(tf.AutoModel, folder, calls, "model", **kw))
    monkeypatch.setattr(tf, "AutoTokenizer", _Spy(tf.AutoTokenizer, folder, calls, "tokenizer", **kw))
    return calls


# ---------------------------------------------------------------- the hub
def test_hub_model_in_the_local_cache_loads_without_network_or_remote_code(models_root, fresh_cache, monkeypatch):
    calls = _spy_hub(monkeypatch, models_root / "tiny-bert")
    monkeypatch.setattr(loading, "hub_reachable", lambda *a, **k: pytest.fail("no network needed"))
    lm = bc.load_model("someone/tiny-model")
    assert (lm.id, lm.label, lm.family) == ("someone/tiny-model", "someone/tiny-model", "bert")
    assert calls == [
        (
            "model",
            "someone/tiny-model",
            {"local_files_only": True, "attn_implementation": "eager", "trust_remote_code": False},
        ),
        ("tokenizer", "someone/tiny-model", {"local_files_only": True, "trust_remote_code": False}),
    ]


def test_hub_download_asks_for_no_remote_code(models_root, fresh_cache, monkeypatch):
    calls = _spy_hub(monkeypatch, models_root / "tiny-bert", fail_when_local=True)
    monkeypatch.setattr(loading, "hub_reachable", lambda *a, **k: True)
    lm = bc.load_model("someone/tiny-model")
    assert lm.family == "bert"
    assert calls[-2:] == [
        ("model", "someone/tiny-model", {"attn_implementation": "eager", "trust_remote_code": False}),
        ("tokenizer", "someone/tiny-model", {"trust_remote_code": False}),
    ]


def test_hub_offline_and_failed_download_say_why(models_root, fresh_cache, monkeypatch):
    folder = models_root / "tiny-bert"
    _spy_hub(monkeypatch, folder, fail_when_local=True)
    monkeypatch.setattr(loading, "hub_reachable", lambda *a, **k: False)
    with pytest.raises(bc.ModelLoadError) as info:
        bc.load_model("someone/tiny-model")
    assert info.value.reason == "offline" and info.value.model == "someone/tiny-model"
    assert str(info.value).startswith("someone/tiny-model must be downloaded from the Hugging Face Hub")
    monkeypatch.undo()
    boom = RuntimeError(f"boom in {loading.models_dir()}/secret/weights")
    _spy_hub(monkeypatch, folder, fail_when_local=True, fail_download=boom)
    monkeypatch.setattr(loading, "hub_reachable", lambda *a, **k: True)
    with pytest.raises(bc.ModelLoadError) as info:
        bc.load_model("someone/tiny-model")
    assert info.value.reason == "load_failed" and info.value.detail == "boom in secret/weights"
    assert str(info.value) == "Could not load someone/tiny-model from the hub: boom in secret/weights"


def test_hub_download_keeps_the_id_and_says_why_it_failed(models_root, fresh_cache, monkeypatch):
    folder = models_root / "tiny-bert"
    _spy_hub(monkeypatch, folder, fail_when_local=True)
    monkeypatch.setattr(loading, "hub_reachable", lambda *a, **k: True)
    lm = bc.load_model("someone/tiny-model")
    assert (lm.id, lm.label) == ("someone/tiny-model", "someone/tiny-model")
    with loading._cache_lock:
        loading._cache.clear()
    monkeypatch.setattr(loading, "hub_reachable", lambda *a, **k: False)
    assert load_refusal("someone/tiny-model") == (
        "offline",
        "someone/tiny-model",
        "",
        (
            "someone/tiny-model must be downloaded from the Hugging Face Hub, and this machine is offline. "
            "The bundled models work offline."
        ),
    )
    monkeypatch.undo()
    _spy_hub(monkeypatch, folder, fail_when_local=True, fail_download=OSError("no route"))
    monkeypatch.setattr(loading, "hub_reachable", lambda *a, **k: True)
    assert load_refusal("someone/tiny-model") == (
        "load_failed",
        "someone/tiny-model",
        "no route",
        "Could not load someone/tiny-model from the hub: no route",
    )


def test_load_hub_refuses_bad_and_unlisted_ids_itself(monkeypatch):
    """_load_hub is also reached from registry entries: it checks the id and the policy on its own."""
    with pytest.raises(bc.ModelLoadError) as info:
        loading._load_hub("not a hub id!", "x", "x")
    assert (info.value.reason, info.value.model, str(info.value)) == (
        "invalid_id",
        "not a hub id!",
        "'not a hub id!' is not a valid model id.",
    )
    monkeypatch.setenv("BERTVIZ_HUB_POLICY", "registry")
    with pytest.raises(bc.ModelLoadError) as info:
        loading._load_hub("someone/unlisted", "x", "x")
    assert (info.value.reason, info.value.model) == ("not_listed", "someone/unlisted")
    assert str(info.value) == "'someone/unlisted' is not in the model list, and this server only loads listed models."


def test_listed_model_from_the_hub_keeps_its_id_and_label(models_folder, models_root, fresh_cache, monkeypatch):
    calls = _spy_hub(monkeypatch, models_root / "tiny-bert")
    lm = bc.load_model("bert-base-uncased")
    assert (lm.id, lm.label) == ("bert-base-uncased", "BERT base uncased")
    assert [c[1] for c in calls] == [registry.entry("bert-base-uncased").location] * 2


def test_finish_refuses_models_it_cannot_show(models_root, tmp_path, fresh_cache, monkeypatch):
    import types

    import torch

    tok = bc.load_model("tiny-bert").tokenizer

    def returning(config, attentions):
        """A stand-in model whose forward pass returns `attentions`."""
        return type(
            "M",
            (),
            {
                "config": config,
                "eval": lambda self: self,
                "__call__": lambda self, **kw: types.SimpleNamespace(attentions=attentions),
            },
        )()

    for attentions in ((), (None,)):
        fake = types.SimpleNamespace(config=types.SimpleNamespace(model_type="bert"), eval=lambda: None)
        fake.__call__ = None
        model = returning(fake.config, attentions)
        with pytest.raises(bc.ModelLoadError) as info:
            loading.finish_loaded("some/id", "Some label", model, tok)
        assert (info.value.reason, info.value.model, str(info.value)) == (
            "no_attention",
            "some/id",
            "Some label: the model returned no attention probabilities.",
        )
    from transformers import GPT2Config, GPT2Model

    torch.manual_seed(0)
    GPT2Model(GPT2Config(n_layer=1, n_embd=16, n_head=2, vocab_size=64, n_positions=32)).save_pretrained(
        tmp_path / "gpt"
    )
    _spy_hub(monkeypatch, tmp_path / "gpt")
    with pytest.raises(bc.ModelLoadError) as info:
        bc.load_model("someone/gpt")
    assert (info.value.reason, info.value.model, info.value.detail) == ("unsupported_family", "someone/gpt", "gpt2")
    assert str(info.value) == f"Model type 'gpt2' is not supported (supported: {SUPPORTED})."


# ---------------------------------------------------------------- reaching the hub
class _Conn:
    def close(self):
        pass


@pytest.mark.parametrize("flag", ["1", "true", "TRUE", "yes", "Yes"])
def test_hub_unreachable_when_offline_without_touching_the_network(monkeypatch, flag):
    monkeypatch.setenv("HF_HUB_OFFLINE", flag)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: pytest.fail("network touched"))
    assert loading.hub_reachable() is False


def test_hub_reachability_asks_the_configured_host_quickly(monkeypatch):
    seen = []

    def connect(address, timeout=None):
        seen.append((address, timeout))
        return _Conn()

    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setattr(socket, "create_connection", connect)
    monkeypatch.setenv("HF_ENDPOINT", "https://hub.example:8443/path")
    assert loading.hub_reachable() is True
    monkeypatch.delenv("HF_ENDPOINT")
    assert loading.hub_reachable() is True
    assert [a for a, _ in seen] == [("hub.example", 443), ("huggingface.co", 443)]
    assert all(t is not None and t <= 3 for _, t in seen)  # fails within seconds when there is no network

    def refused(address, timeout=None):
        raise OSError("unreachable")

    monkeypatch.setattr(socket, "create_connection", refused)
    assert loading.hub_reachable() is False


# ---------------------------------------------------------------- bundled models
def test_bundled_teacher_is_read_from_safetensors_only(fresh_cache, monkeypatch):
    calls = []
    real = _transformers().AutoModel

    class Model:
        @staticmethod
        def from_pretrained(path, **kwargs):
            calls.append(kwargs)
            return real.from_pretrained(path, **kwargs)

    monkeypatch.setattr(_transformers(), "AutoModel", Model)
    lm = loading._load_bundled(registry.entry("bert-minilm-l6"))
    assert lm.id == "bert-minilm-l6" and calls == [{"attn_implementation": "eager", "use_safetensors": True}]
    assert lm.label == "BERT · MiniLM-L6 (bundled)"


def test_bundled_student_with_missing_weights_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "WEIGHTS_DIR", tmp_path)
    entry = registry.entry("convbert-minilm-l6")
    with pytest.raises(bc.ModelLoadError) as info:
        loading._load_bundled(entry)
    assert (info.value.reason, info.value.model) == ("missing_weights", "convbert-minilm-l6")
    assert str(info.value) == (
        f"{entry.label}: its weights are missing from the package (bertviz_core/weights/convbert-minilm-l6)."
    )


# ---------------------------------------------------------------- local folders and compressed variants
def test_local_folder_is_read_with_safetensors_only_no_remote_code_and_no_network(
    models_folder, fresh_cache, monkeypatch
):
    """check_folder refuses auto_map and pickles first; the loader's own arguments are the second wall."""
    calls = _spy_hub(monkeypatch, models_folder / "good")
    lm = bc.load_model("good")
    path = (models_folder / "good").resolve()
    assert (lm.id, lm.label, lm.family) == ("good", "good", "bert")
    assert calls == [
        (
            "model",
            path,
            {
                "attn_implementation": "eager",
                "use_safetensors": True,
                "trust_remote_code": False,
                "local_files_only": True,
            },
        ),
        ("tokenizer", path, {"trust_remote_code": False, "local_files_only": True}),
    ]


def test_local_folder_transformers_cannot_read_says_why(models_folder, fresh_cache, monkeypatch):
    _spy_hub(monkeypatch, models_folder / "good", fail_when_local=True)
    assert load_refusal("good") == (
        "load_failed",
        "good",
        "not in the local cache",
        "Could not load 'good': not in the local cache",
    )


def test_a_variant_id_is_loaded_by_its_registered_builder(fresh_cache):
    from bertviz_core.models import variants

    asked = []
    variants.register_variant(
        "probe",
        r"probe=(?P<n>[0-9])",
        lambda where: asked.append(where) or "variant model",
        value=lambda m: int(m["n"]),
    )
    try:
        assert loading.locate("bert-minilm-l6@probe=3") == ("variant", "bert-minilm-l6@probe=3")
        assert loading.load_model("bert-minilm-l6@probe=3") == "variant model" and asked == ["bert-minilm-l6@probe=3"]
    finally:
        variants.unregister_variant("probe")
    with pytest.raises(bc.ModelLoadError) as info:
        loading.load_model("bert-minilm-l6@probe=4")  # no longer registered
    assert info.value.reason == "invalid_id"
