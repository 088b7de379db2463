"""Tests written for the mutants of bertviz_core/loading.py that the suite let survive (issue #17,
`make mutate MODULE=loading`). The hub cannot be reached here, so the hub path is driven through
stand-ins for transformers' loaders that record what they were asked (the safety promise "no remote
code, safetensors only" is about those arguments) and hand back a tiny local checkpoint."""
from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

import bertviz_core as bc
from bertviz_core.models import loading
from bertviz_core.models import registry


@pytest.fixture
def fresh_cache():
    """Loads in these tests go through the loader, not bertviz_core's cache; the cache is restored after."""
    with loading._cache_lock:
        saved = dict(loading._cache)
        loading._cache.clear()
    yield
    with loading._cache_lock:
        loading._cache.clear()
        loading._cache.update(saved)


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


def test_hub_model_in_the_local_cache_loads_without_network_or_remote_code(models_root, fresh_cache, monkeypatch):
    calls = _spy_hub(monkeypatch, models_root / "tiny-bert")
    monkeypatch.setattr(loading, "_hub_reachable", lambda *a, **k: pytest.fail("no network needed"))
    lm = bc.load_model("someone/tiny-model")
    assert (lm.id, lm.label, lm.family) == ("someone/tiny-model", "someone/tiny-model", "bert")
    assert calls == [
        ("model", "someone/tiny-model", {"local_files_only": True, "attn_implementation": "eager",
                                         "trust_remote_code": False}),
        ("tokenizer", "someone/tiny-model", {"local_files_only": True, "trust_remote_code": False})]


def test_hub_download_asks_for_no_remote_code(models_root, fresh_cache, monkeypatch):
    calls = _spy_hub(monkeypatch, models_root / "tiny-bert", fail_when_local=True)
    monkeypatch.setattr(loading, "_hub_reachable", lambda *a, **k: True)
    lm = bc.load_model("someone/tiny-model")
    assert lm.family == "bert"
    assert calls[-2:] == [
        ("model", "someone/tiny-model", {"attn_implementation": "eager", "trust_remote_code": False}),
        ("tokenizer", "someone/tiny-model", {"trust_remote_code": False})]


def test_hub_offline_and_failed_download_say_why(models_root, fresh_cache, monkeypatch):
    folder = models_root / "tiny-bert"
    _spy_hub(monkeypatch, folder, fail_when_local=True)
    monkeypatch.setattr(loading, "_hub_reachable", lambda *a, **k: False)
    with pytest.raises(bc.ModelLoadError) as info:
        bc.load_model("someone/tiny-model")
    assert info.value.reason == "offline" and info.value.model == "someone/tiny-model"
    assert str(info.value).startswith("someone/tiny-model must be downloaded from the Hugging Face Hub")
    monkeypatch.undo()
    boom = RuntimeError(f"boom in {loading.models_dir()}/secret/weights")
    _spy_hub(monkeypatch, folder, fail_when_local=True, fail_download=boom)
    monkeypatch.setattr(loading, "_hub_reachable", lambda *a, **k: True)
    with pytest.raises(bc.ModelLoadError) as info:
        bc.load_model("someone/tiny-model")
    assert info.value.reason == "load_failed" and info.value.detail == "boom in secret/weights"
    assert str(info.value) == "Could not load someone/tiny-model from the hub: boom in secret/weights"


def test_load_hub_refuses_bad_and_unlisted_ids_itself(monkeypatch):
    """_load_hub is also reached from registry entries: it checks the id and the policy on its own."""
    with pytest.raises(bc.ModelLoadError) as info:
        loading._load_hub("not a hub id!", "x", "x")
    assert (info.value.reason, info.value.model, str(info.value)) == (
        "invalid_id", "not a hub id!", "'not a hub id!' is not a valid model id.")
    monkeypatch.setenv("BERTVIZ_HUB_POLICY", "registry")
    with pytest.raises(bc.ModelLoadError) as info:
        loading._load_hub("someone/unlisted", "x", "x")
    assert (info.value.reason, info.value.model) == ("not_listed", "someone/unlisted")
    assert str(info.value) == "'someone/unlisted' is not in the model list, and this server only loads listed models."


# ---------------------------------------------------------------- reaching the hub
class _Conn:
    def close(self):
        pass


@pytest.mark.parametrize("flag", ["1", "true", "TRUE", "yes", "Yes"])
def test_hub_unreachable_when_offline_without_touching_the_network(monkeypatch, flag):
    monkeypatch.setenv("HF_HUB_OFFLINE", flag)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: pytest.fail("network touched"))
    assert loading._hub_reachable() is False


def test_hub_reachability_asks_the_configured_host_quickly(monkeypatch):
    seen = []

    def connect(address, timeout=None):
        seen.append((address, timeout))
        return _Conn()
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setattr(socket, "create_connection", connect)
    monkeypatch.setenv("HF_ENDPOINT", "https://hub.example:8443/path")
    assert loading._hub_reachable() is True
    monkeypatch.delenv("HF_ENDPOINT")
    assert loading._hub_reachable() is True
    assert [a for a, _ in seen] == [("hub.example", 443), ("huggingface.co", 443)]
    assert all(t is not None and t <= 3 for _, t in seen)  # fails within seconds when there is no network

    def refused(address, timeout=None):
        raise OSError("unreachable")
    monkeypatch.setattr(socket, "create_connection", refused)
    assert loading._hub_reachable() is False


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
    assert str(info.value) == (f"{entry.label}: its weights are missing from the package "
                               "(bertviz_core/weights/convbert-minilm-l6).")


# ---------------------------------------------------------------- small pieces
def test_model_load_error_defaults_and_refusal_fields():
    exc = bc.ModelLoadError("nope")
    assert (str(exc), exc.reason, exc.model, exc.detail) == ("nope", "load_failed", "", "")
    long_name = "y" * 500
    with pytest.raises(bc.ModelLoadError) as info:
        bc.load_model(long_name)
    assert info.value.model == "y" * loading.MAX_ID_SHOWN + "…" and info.value.detail == ""


def test_hub_policy_defaults_to_any(monkeypatch):
    monkeypatch.delenv("BERTVIZ_HUB_POLICY", raising=False)
    assert loading.hub_policy() == "any"


def test_cache_keys(models_root):
    assert loading.cache_key("bert-minilm-l6") == ("registry", "bert-minilm-l6")
    assert loading.cache_key("tiny-bert") == ("local", str((models_root / "tiny-bert").resolve()))
    assert loading.cache_key("someone/model") == ("hub", "someone/model")


def test_scrub_paths_removes_every_server_path(monkeypatch, tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    monkeypatch.setenv("BERTVIZ_MODELS_DIR", str(models))
    package = Path(loading.__file__).resolve().parents[2]  # the repository (bertviz_core/models/loading.py)
    home = Path.home()
    assert loading.scrub_paths(f"bad file {models}/tiny/config.json") == "bad file tiny/config.json"
    assert loading.scrub_paths(f"in {models}") == "in ."
    assert loading.scrub_paths(f"at {package}/bertviz_core/loading.py") == "at bertviz_core/loading.py"
    if len(str(home)) > 1 and not str(package).startswith(str(home)) and not str(models).startswith(str(home)):
        assert loading.scrub_paths(f"see {home}/.cache/x") == "see ~/.cache/x"
    assert loading.scrub_paths("None of these") == "None of these"
    monkeypatch.setenv("BERTVIZ_MODELS_DIR", "/")  # a one-character root is not scrubbed (every / would go)
    assert loading.scrub_paths("a/b/c") == "a/b/c"
    monkeypatch.setenv("BERTVIZ_MODELS_DIR", "/m")  # a two-character one is
    assert loading.scrub_paths("/m/tiny/x.json") == "tiny/x.json"


# ---------------------------------------------------------------- every refusal of a local folder, exactly
@pytest.fixture
def models(tmp_path, monkeypatch, models_root):
    """A fresh models folder holding a working copy of tiny-bert as `good`."""
    import shutil

    root = tmp_path / "models"
    root.mkdir()
    shutil.copytree(models_root / "tiny-bert", root / "good")
    monkeypatch.setenv("BERTVIZ_MODELS_DIR", str(root))
    return root


def _refusal(name):
    with pytest.raises(bc.ModelLoadError) as info:
        bc.load_model(name)
    e = info.value
    return e.reason, e.model, e.detail, str(e)


def _copy(models, name):
    import shutil

    shutil.copytree(models / "good", models / name)
    return models / name


SUPPORTED = ", ".join(sorted(registry.ATTENTION_MODULES))


def test_folder_refusals_name_their_reason_file_and_model(models, fresh_cache):
    (models / "empty").mkdir()
    assert _refusal("empty") == ("not_a_model_folder", "empty", "", "'empty' is not a model folder (no config.json).")

    (_copy(models, "loop") / "loop").symlink_to(models / "loop" / "loop")
    assert _refusal("loop") == ("not_a_model_folder", "loop", "loop", "'loop': loop cannot be resolved.")

    outside = models.parent / "elsewhere.json"
    outside.write_text("{}")
    (_copy(models, "out") / "extra.json").symlink_to(outside)
    assert _refusal("out") == ("outside_models_dir", "out", "extra.json",
                               "'out': extra.json points outside the models folder; local models are only read "
                               "from the models folder.")

    os.mkfifo(_copy(models, "fifo") / "pipe")
    assert _refusal("fifo") == ("not_a_model_folder", "fifo", "pipe", "'fifo': pipe is not a regular file.")

    (_copy(models, "custom") / "config.json").write_text('{"model_type": "bert", "auto_map": {}}')
    assert _refusal("custom") == ("custom_code", "custom", "config.json",
                                  "'custom' needs custom code from the checkpoint (auto_map in config.json); "
                                  "remote or custom code is never run.")

    (_copy(models, "broken") / "tokenizer_config.json").write_text("{")
    assert _refusal("broken") == ("not_a_model_folder", "broken", "tokenizer_config.json",
                                  "'broken': tokenizer_config.json is not valid JSON.")

    (_copy(models, "list") / "config.json").write_text("[1, 2]")
    assert _refusal("list") == ("not_a_model_folder", "list", "config.json",
                                "'list': config.json is not a JSON object.")

    (_copy(models, "noweights") / "model.safetensors").unlink()
    assert _refusal("noweights") == ("not_a_model_folder", "noweights", "",
                                     "'noweights' has no weights (no .safetensors file).")

    pickled = _copy(models, "pickled")
    (pickled / "model.safetensors").rename(pickled / "weights.ckpt")
    assert _refusal("pickled") == ("pickled_weights", "pickled", "weights.ckpt",
                                   "'pickled' has no safetensors weights; pickled weights (weights.ckpt) are "
                                   "refused because loading them can run code.")

    (_copy(models, "gpt") / "config.json").write_text('{"model_type": "gpt2"}')
    assert _refusal("gpt") == ("unsupported_family", "gpt", "gpt2",
                               f"Model type 'gpt2' is not supported (supported: {SUPPORTED}).")


def test_folder_limits_are_inclusive(models, fresh_cache, monkeypatch):
    """At most MAX_FOLDER_FILES entries and JSON files of at most MAX_JSON_BYTES: exactly the limit loads."""
    n = sum(1 for _ in (models / "good").rglob("*"))
    monkeypatch.setattr(loading, "MAX_FOLDER_FILES", n)
    assert bc.load_model("good").family == "bert"
    loading._cache.clear()
    monkeypatch.setattr(loading, "MAX_FOLDER_FILES", n - 1)
    assert _refusal("good") == ("not_a_model_folder", "good", "", "'good' holds too many files.")
    monkeypatch.setattr(loading, "MAX_FOLDER_FILES", 2000)
    largest = max((p for p in (models / "good").rglob("*.json")), key=lambda p: p.stat().st_size)
    monkeypatch.setattr(loading, "MAX_JSON_BYTES", largest.stat().st_size)
    assert bc.load_model("good").family == "bert"
    loading._cache.clear()
    monkeypatch.setattr(loading, "MAX_JSON_BYTES", largest.stat().st_size - 1)
    assert _refusal("good") == ("not_a_model_folder", "good", largest.name, f"'good': {largest.name} is too large.")


def test_check_folder_names_the_folder_itself_by_default(models):
    with pytest.raises(bc.ModelLoadError) as info:
        loading.check_folder(models / "nothing-here")
    assert info.value.model == "nothing-here" and str(info.value).startswith("'nothing-here' is not")
    assert loading.check_folder(models / "good")["model_type"] == "bert"


def test_nested_folder_is_named_by_its_path_in_the_models_folder(models, fresh_cache):
    (models / "team").mkdir()
    (_copy(models, "team/nw") / "model.safetensors").unlink()
    assert _refusal("team/nw") == ("not_a_model_folder", "team/nw", "",
                                   "'team/nw' has no weights (no .safetensors file).")


def test_student_folders_load_and_a_broken_one_says_why(models, fresh_cache):
    import json
    import shutil

    shutil.copytree(registry.WEIGHTS_DIR / "convbert-minilm-l6", models / "student")
    lm = bc.load_model("student")
    assert (lm.id, lm.label, lm.family) == ("student", "student", "convbert")
    shutil.copytree(models / "student", models / "broken-student")
    base = json.loads((models / "broken-student" / "bertviz_base.json").read_text())
    base["from_base"] = ["no.such.tensor"]
    (models / "broken-student" / "bertviz_base.json").write_text(json.dumps(base))
    assert _refusal("broken-student") == ("load_failed", "broken-student", "'no.such.tensor'",
                                          "Could not load 'broken-student': 'no.such.tensor'")


# ---------------------------------------------------------------- the token limit and the probe
@pytest.mark.parametrize("family,limit", [("bert", 64), ("roberta", 64), ("distilbert", 64), ("deberta-v2", 512)])
def test_token_limit_of_each_family(models_root, family, limit):
    """BERT-likes: their position table (64 here); RoBERTa: 66 positions minus padding_idx + 1; DeBERTa
    (relative positions): the tokenizer's limit, at most 512. A text longer than the limit runs."""
    lm = bc.load_model(f"tiny-{family}")
    assert lm.max_tokens == limit
    trace = bc.capture(lm, "word " * (limit + 10))
    assert len(trace) == limit and trace.dropped_tokens >= 10  # cut to the limit, and the model ran on it


def test_finish_refuses_models_it_cannot_show(models_root, tmp_path, fresh_cache, monkeypatch):
    import types

    import torch

    tok = bc.load_model("tiny-bert").tokenizer
    for attentions in ((), (None,)):
        fake = types.SimpleNamespace(config=types.SimpleNamespace(model_type="bert"), eval=lambda: None)
        fake.__call__ = None
        model = type("M", (), {"config": fake.config, "eval": lambda self: self,
                               "__call__": lambda self, **kw: types.SimpleNamespace(attentions=attentions)})()
        with pytest.raises(bc.ModelLoadError) as info:
            loading._finish("some/id", "Some label", model, tok)
        assert (info.value.reason, info.value.model, str(info.value)) == (
            "no_attention", "some/id", "Some label: the model returned no attention probabilities.")
    from transformers import GPT2Config, GPT2Model

    torch.manual_seed(0)
    GPT2Model(GPT2Config(n_layer=1, n_embd=16, n_head=2, vocab_size=64, n_positions=32)).save_pretrained(tmp_path / "gpt")
    _spy_hub(monkeypatch, tmp_path / "gpt")
    with pytest.raises(bc.ModelLoadError) as info:
        bc.load_model("someone/gpt")
    assert (info.value.reason, info.value.model, info.value.detail) == ("unsupported_family", "someone/gpt", "gpt2")
    assert str(info.value) == f"Model type 'gpt2' is not supported (supported: {SUPPORTED})."


# ---------------------------------------------------------------- where a name points
def test_names_that_look_like_paths_are_local(models, fresh_cache):
    """A leading dot or a backslash makes a name a path in the models folder (never a hub id)."""
    assert _refusal(".hidden")[0] == "not_a_model_folder"
    assert _refusal("a\\b")[0] == "not_a_model_folder"
    assert _refusal("a" * 260)[0] == "invalid_id"  # too long for a file name: neither a folder nor a hub id


def test_environment_defaults(monkeypatch):
    monkeypatch.delenv("BERTVIZ_MODELS_DIR", raising=False)
    assert loading.models_dir() == Path("models").resolve()
    for raw, size in ((None, 6), ("0", 1), ("1", 1), ("9", 9), ("lots", 6)):
        if raw is None:
            monkeypatch.delenv("BERTVIZ_MODEL_CACHE", raising=False)
        else:
            monkeypatch.setenv("BERTVIZ_MODEL_CACHE", raw)
        assert loading.cache_size() == size, raw


def test_deberta_limit_follows_its_tokenizer(models, models_root, fresh_cache):
    import json
    import shutil

    shutil.copytree(models_root / "tiny-deberta-v2", models / "short-deberta")
    cfg = models / "short-deberta" / "tokenizer_config.json"
    data = json.loads(cfg.read_text())
    data["model_max_length"] = 100
    cfg.write_text(json.dumps(data))
    lm = bc.load_model("short-deberta")
    assert lm.max_tokens == 100 and lm.label == "short-deberta"


# ---------------------------------------------------------------- locate, exactly
def test_locate_refusals_and_destinations(models, fresh_cache):
    (models / "loop").symlink_to(models / "loop")
    assert _refusal("") == ("invalid_id", "", "", "No model name given.")
    long_name = "x" * 301
    assert _refusal(long_name) == ("invalid_id", "x" * 80 + "…", "", f"'{'x' * 80}…' is not a valid model id.")
    assert _refusal("./a\x01b")[:2] == ("invalid_id", "./a\x01b")  # a control character, even in a path
    assert _refusal("./loop") == ("invalid_id", "./loop", "", "'./loop' is not a valid model id.")  # cannot resolve
    assert _refusal("../../etc") == ("outside_models_dir", "../../etc", "",
                                     "Local models are only loaded from the models folder; '../../etc' is outside it.")
    assert _refusal("bad id!") == ("invalid_id", "bad id!", "", "'bad id!' is not a valid model id.")
    assert loading.locate("bert-minilm-l6@int8") == ("variant", "bert-minilm-l6@int8")
    assert _refusal("bert-minilm-l6@bogus")[:2] == ("invalid_id", "bert-minilm-l6@bogus")
    assert loading.locate("google/electra-small-discriminator") == (
        "registry", registry.entry("electra-small-discriminator"))  # a listed model by its hub location
    assert loading.locate("good") == ("local", (models / "good").resolve())
    assert loading.locate("someone/model") == ("hub", "someone/model")


def test_listed_model_prepared_in_the_models_folder_loads_offline(models, fresh_cache):
    import shutil

    shutil.copytree(models / "good", models / "bert-base-uncased")  # as `python -m bertviz_core.models.fetch` leaves it
    lm = bc.load_model("bert-base-uncased")
    assert (lm.id, lm.label, lm.family) == ("bert-base-uncased", "BERT base uncased", "bert")
    (models / "roberta-base").mkdir()  # a folder without config.json is not a prepared copy: the hub is asked
    assert _refusal("roberta-base")[0] == "offline"


def test_short_ids_are_cut_after_80_characters():
    assert loading.short_id("x" * 80) == "x" * 80
    assert loading.short_id("x" * 81) == "x" * 80 + "…"


def test_one_model_loaded_once_by_two_users_and_the_cache_bound(models_root, fresh_cache, monkeypatch):
    import threading
    import time

    loads = []
    real = loading._load_uncached

    def slow_load(kind, where):
        loads.append(where)
        time.sleep(0.3)  # both users ask while the first load runs
        return real(kind, where)
    monkeypatch.setattr(loading, "_load_uncached", slow_load)
    got, errors = [], []

    def user():
        try:
            got.append(bc.load_model("tiny-bert"))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
    threads = [threading.Thread(target=user) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and len(got) == 2 and got[0] is got[1] and len(loads) == 1
    monkeypatch.setenv("BERTVIZ_MODEL_CACHE", "2")
    electra = bc.load_model("tiny-electra")
    assert bc.load_model("tiny-bert") is got[0] and bc.load_model("tiny-electra") is electra  # two fit
    bc.load_model("tiny-albert")  # a third evicts the least recently used (tiny-bert)
    assert bc.load_model("tiny-electra") is electra and len(loads) == 3


# ---------------------------------------------------------------- what transformers is asked, for each route
def test_local_folder_is_read_with_safetensors_only_no_remote_code_and_no_network(models, fresh_cache, monkeypatch):
    """check_folder refuses auto_map and pickles first; the loader's own arguments are the second wall."""
    calls = _spy_hub(monkeypatch, models / "good")
    lm = bc.load_model("good")
    path = (models / "good").resolve()
    assert (lm.id, lm.label, lm.family) == ("good", "good", "bert")
    assert calls == [
        ("model", path, {"attn_implementation": "eager", "use_safetensors": True, "trust_remote_code": False,
                         "local_files_only": True}),
        ("tokenizer", path, {"trust_remote_code": False, "local_files_only": True})]


def test_local_folder_transformers_cannot_read_says_why(models, fresh_cache, monkeypatch):
    _spy_hub(monkeypatch, models / "good", fail_when_local=True)
    assert _refusal("good") == ("load_failed", "good", "not in the local cache",
                                "Could not load 'good': not in the local cache")


def test_listed_model_prepared_as_a_link_to_outside_is_refused(models, fresh_cache, tmp_path):
    import shutil

    shutil.copytree(models / "good", tmp_path / "elsewhere")
    (models / "bert-base-uncased").symlink_to(tmp_path / "elsewhere")
    assert _refusal("bert-base-uncased") == (
        "outside_models_dir", "bert-base-uncased", "",
        "Local models are only loaded from the models folder; 'bert-base-uncased' is outside it.")


def test_listed_model_from_the_hub_keeps_its_id_and_label(models, models_root, fresh_cache, monkeypatch):
    calls = _spy_hub(monkeypatch, models_root / "tiny-bert")
    lm = bc.load_model("bert-base-uncased")
    assert (lm.id, lm.label) == ("bert-base-uncased", "BERT base uncased")
    assert [c[1] for c in calls] == [registry.entry("bert-base-uncased").location] * 2


def test_hub_download_keeps_the_id_and_says_why_it_failed(models_root, fresh_cache, monkeypatch):
    folder = models_root / "tiny-bert"
    _spy_hub(monkeypatch, folder, fail_when_local=True)
    monkeypatch.setattr(loading, "_hub_reachable", lambda *a, **k: True)
    lm = bc.load_model("someone/tiny-model")
    assert (lm.id, lm.label) == ("someone/tiny-model", "someone/tiny-model")
    with loading._cache_lock:
        loading._cache.clear()
    monkeypatch.setattr(loading, "_hub_reachable", lambda *a, **k: False)
    assert _refusal("someone/tiny-model") == (
        "offline", "someone/tiny-model", "",
        "someone/tiny-model must be downloaded from the Hugging Face Hub, and this machine is offline. "
        "The bundled models work offline.")
    monkeypatch.undo()
    _spy_hub(monkeypatch, folder, fail_when_local=True, fail_download=OSError("no route"))
    monkeypatch.setattr(loading, "_hub_reachable", lambda *a, **k: True)
    assert _refusal("someone/tiny-model") == (
        "load_failed", "someone/tiny-model", "no route", "Could not load someone/tiny-model from the hub: no route")


def test_registry_policy_refuses_an_unlisted_id_before_any_loader(monkeypatch):
    monkeypatch.setenv("BERTVIZ_HUB_POLICY", "registry")
    with pytest.raises(bc.ModelLoadError) as info:
        loading.locate("someone/model")
    e = info.value
    assert (e.reason, e.model, e.detail, str(e)) == (
        "not_listed", "someone/model", "",
        "'someone/model' is not in the model list, and this server only loads listed models.")


def test_token_limit_is_at_most_512_for_longer_position_tables(models, fresh_cache):
    import torch
    from conftest import tiny_config
    from transformers import AutoModel

    cfg = tiny_config("bert")
    cfg.max_position_embeddings = 1024
    torch.manual_seed(0)
    AutoModel.from_config(cfg).save_pretrained(models / "long")
    for f in (models / "good").iterdir():  # the tokenizer
        if f.suffix != ".safetensors" and f.name != "config.json":
            (models / "long" / f.name).write_bytes(f.read_bytes())
    assert bc.load_model("long").max_tokens == 512


def test_a_compressed_variant_is_loaded_by_compress(fresh_cache, monkeypatch):
    from bertviz_core.analysis import compress

    asked = []
    monkeypatch.setattr(compress, "load_variant", lambda where: asked.append(where) or "variant model")
    assert loading.load_model("bert-minilm-l6@int8") == "variant model" and asked == ["bert-minilm-l6@int8"]
