"""Where a model name points (bertviz_core.models.loading.locate), the ids and paths messages show, the
environment's defaults, and the model cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import load_refusal

import bertviz_core as bc
from bertviz_core.models import loading, registry


# ---------------------------------------------------------------- where a name points
def test_locate_refusals_and_destinations(models_folder, fresh_cache):
    (models_folder / "loop").symlink_to(models_folder / "loop")
    assert load_refusal("") == ("invalid_id", "", "", "No model name given.")
    long_name = "x" * 301
    assert load_refusal(long_name) == ("invalid_id", "x" * 80 + "…", "", f"'{'x' * 80}…' is not a valid model id.")
    assert load_refusal("./a\x01b")[:2] == ("invalid_id", "./a\x01b")  # a control character, even in a path
    assert load_refusal("./loop") == ("invalid_id", "./loop", "", "'./loop' is not a valid model id.")  # cannot resolve
    assert load_refusal("../../etc") == (
        "outside_models_dir",
        "../../etc",
        "",
        "Local models are only loaded from the models folder; '../../etc' is outside it.",
    )
    assert load_refusal("bad id!") == ("invalid_id", "bad id!", "", "'bad id!' is not a valid model id.")
    assert loading.locate("bert-minilm-l6@int8") == ("variant", "bert-minilm-l6@int8")
    assert load_refusal("bert-minilm-l6@bogus")[:2] == ("invalid_id", "bert-minilm-l6@bogus")
    assert loading.locate("google/electra-small-discriminator") == (
        "registry",
        registry.entry("electra-small-discriminator"),
    )  # a listed model by its hub location
    assert loading.locate("good") == ("local", (models_folder / "good").resolve())
    assert loading.locate("someone/model") == ("hub", "someone/model")


def test_names_that_look_like_paths_are_local(models_folder, fresh_cache):
    """A leading dot or a backslash makes a name a path in the models folder (never a hub id)."""
    assert load_refusal(".hidden")[0] == "not_a_model_folder"
    assert load_refusal("a\\b")[0] == "not_a_model_folder"
    assert load_refusal("a" * 260)[0] == "invalid_id"  # too long for a file name: neither a folder nor a hub id


def test_registry_policy_refuses_an_unlisted_id_before_any_loader(monkeypatch):
    monkeypatch.setenv("BERTVIZ_HUB_POLICY", "registry")
    with pytest.raises(bc.ModelLoadError) as info:
        loading.locate("someone/model")
    e = info.value
    assert (e.reason, e.model, e.detail, str(e)) == (
        "not_listed",
        "someone/model",
        "",
        "'someone/model' is not in the model list, and this server only loads listed models.",
    )


def test_listed_model_prepared_in_the_models_folder_loads_offline(models_folder, fresh_cache):
    import shutil

    # as `python -m bertviz_core.models.fetch` leaves it
    shutil.copytree(models_folder / "good", models_folder / "bert-base-uncased")
    lm = bc.load_model("bert-base-uncased")
    assert (lm.id, lm.label, lm.family) == ("bert-base-uncased", "BERT base uncased", "bert")
    (models_folder / "roberta-base").mkdir()  # a folder without config.json is not a prepared copy: the hub is asked
    assert load_refusal("roberta-base")[0] == "offline"


# ---------------------------------------------------------------- ids and paths in messages
def test_model_load_error_defaults_and_refusal_fields():
    exc = bc.ModelLoadError("nope")
    assert (str(exc), exc.reason, exc.model, exc.detail) == ("nope", "load_failed", "", "")
    long_name = "y" * 500
    with pytest.raises(bc.ModelLoadError) as info:
        bc.load_model(long_name)
    assert info.value.model == "y" * loading.MAX_ID_SHOWN + "…" and info.value.detail == ""


def test_short_ids_are_cut_after_80_characters():
    assert loading.short_id("x" * 80) == "x" * 80
    assert loading.short_id("x" * 81) == "x" * 80 + "…"


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


# ---------------------------------------------------------------- defaults and the cache
def test_hub_policy_defaults_to_any(monkeypatch):
    monkeypatch.delenv("BERTVIZ_HUB_POLICY", raising=False)
    assert loading.hub_policy() == "any"


def test_environment_defaults(monkeypatch):
    monkeypatch.delenv("BERTVIZ_MODELS_DIR", raising=False)
    assert loading.models_dir() == Path("models").resolve()
    for raw, size in ((None, 6), ("0", 1), ("1", 1), ("9", 9), ("lots", 6)):
        if raw is None:
            monkeypatch.delenv("BERTVIZ_MODEL_CACHE", raising=False)
        else:
            monkeypatch.setenv("BERTVIZ_MODEL_CACHE", raw)
        assert loading.cache_size() == size, raw


def test_cache_keys(models_root):
    assert loading.cache_key("bert-minilm-l6") == ("registry", "bert-minilm-l6")
    assert loading.cache_key("tiny-bert") == ("local", str((models_root / "tiny-bert").resolve()))
    assert loading.cache_key("someone/model") == ("hub", "someone/model")


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
        except BaseException as exc:  # noqa: BLE001 - a worker's failure goes to the main thread's assert
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
