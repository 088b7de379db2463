"""The models-folder rules of bertviz_core.models.loading, each with its own reason.

Every hostile folder below is a *working* checkpoint plus one planted problem, so that removing
the check that refuses it lets the model load and the test fails (not merely "some error")."""

from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path

import pytest
from conftest import load_refusal

import bertviz_core as bc
from bertviz_core.models import loading, registry


def _tiny(family: str, layers: int):
    import torch
    from conftest import tiny_config
    from transformers import AutoModel

    config = tiny_config(family)
    config.num_hidden_layers = layers
    torch.manual_seed(0)
    return AutoModel.from_config(config)


@pytest.fixture(scope="module")
def good_model(tmp_path_factory):
    """One working 1-layer BERT folder (safetensors + WordPiece tokenizer), outside any models folder."""
    from transformers import AutoTokenizer

    from bertviz_core.models import student

    folder = tmp_path_factory.mktemp("pristine") / "good"
    _tiny("bert", 1).save_pretrained(folder)
    AutoTokenizer.from_pretrained(student.teacher_path()).save_pretrained(folder)
    return folder


@pytest.fixture()
def root(tmp_path, monkeypatch, good_model):
    """A fresh models folder holding a copy of the good model, and an `outside` folder beside it."""
    models = tmp_path / "models"
    models.mkdir()
    shutil.copytree(good_model, models / "good")
    shutil.copytree(good_model, tmp_path / "outside" / "good")
    monkeypatch.setenv("BERTVIZ_MODELS_DIR", str(models))
    return models


def reason_of(name: str) -> bc.ModelLoadError:
    with pytest.raises(bc.ModelLoadError) as info:
        bc.load_model(name)
    return info.value


def assert_no_server_path(exc: bc.ModelLoadError, *paths: Path):
    text = " ".join([str(exc), exc.model, exc.detail])
    for p in paths:
        assert str(p) not in text, text
    assert str(Path.home()) not in text or str(Path.home()) == "/", text


def test_the_good_copy_loads(root):
    lm = bc.load_model("good")
    assert lm.family == "bert" and lm.config.num_hidden_layers == 1


def test_folder_symlinked_outside(root):
    (root / "linked").symlink_to(root.parent / "outside" / "good", target_is_directory=True)
    exc = reason_of("linked")
    assert exc.reason == "outside_models_dir"
    assert_no_server_path(exc, root, root.parent)


@pytest.mark.parametrize("name", ["../outside/good", "{outside}", "models/../../outside/good"])
def test_path_outside(root, name):
    name = name.format(outside=root.parent / "outside" / "good")
    exc = reason_of(name)
    assert exc.reason == "outside_models_dir"


def test_weights_file_symlinked_outside(root):
    folder = root / "weights-link"
    shutil.copytree(root / "good", folder)
    (folder / "model.safetensors").unlink()
    (folder / "model.safetensors").symlink_to(root.parent / "outside" / "good" / "model.safetensors")
    exc = reason_of("weights-link")
    assert exc.reason == "outside_models_dir" and exc.detail == "model.safetensors"
    assert_no_server_path(exc, root, root.parent)


def test_tokenizer_file_symlinked_outside(root):
    folder = root / "vocab-link"
    shutil.copytree(root / "good", folder)
    (folder / "tokenizer.json").unlink()
    (folder / "tokenizer.json").symlink_to(root.parent / "outside" / "good" / "tokenizer.json")
    assert reason_of("vocab-link").reason == "outside_models_dir"


def test_symlink_inside_the_models_folder_is_fine(root):
    folder = root / "shared-weights"
    shutil.copytree(root / "good", folder)
    (folder / "model.safetensors").unlink()
    (folder / "model.safetensors").symlink_to(root / "good" / "model.safetensors")
    assert bc.load_model("shared-weights").family == "bert"


@pytest.mark.parametrize("file", ["config.json", "tokenizer_config.json"])
@pytest.mark.parametrize("spelling", ["plain", "escaped", "nested"])
def test_auto_map_refused_however_spelled(root, file, spelling):
    folder = root / "custom"
    shutil.copytree(root / "good", folder)
    data = json.loads((folder / file).read_text())
    payload = {"AutoModel": "evil.EvilModel", "AutoTokenizer": ["evil.EvilTokenizer", None]}
    if spelling == "nested":
        data["extra"] = {"auto_map": payload}
        text = json.dumps(data)
    else:
        data["auto_map"] = payload
        text = json.dumps(data)
        if spelling == "escaped":  # the key written as \u0061uto_map: no text search finds "auto_map"
            text = text.replace('"auto_map"', '"\\u0061uto_map"')
            assert "auto_map" not in text
    (folder / file).write_text(text)
    exc = reason_of("custom")
    assert exc.reason == "custom_code" and exc.detail == file


class _Payload:
    """Unpickling this would create a marker file: the proof that pickled code ran."""

    marker = None

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def test_pickled_weights_refused_and_never_unpickled(root, tmp_path):
    folder = root / "pickled"
    shutil.copytree(root / "good", folder)
    (folder / "model.safetensors").unlink()
    payload = _Payload()
    payload.marker = str(tmp_path / "pwned")
    (folder / "pytorch_model.bin").write_bytes(pickle.dumps({"weights": payload}))
    exc = reason_of("pickled")
    assert exc.reason == "pickled_weights" and exc.detail == "pytorch_model.bin"
    assert not (tmp_path / "pwned").exists()


def test_no_config_is_not_a_model_folder(root):
    (root / "empty").mkdir()
    assert reason_of("empty").reason == "not_a_model_folder"


def test_invalid_json_config(root):
    folder = root / "broken"
    shutil.copytree(root / "good", folder)
    (folder / "config.json").write_text('{"model_type": "bert",')
    exc = reason_of("broken")
    assert exc.reason == "not_a_model_folder" and exc.detail == "config.json"


def test_fifo_is_refused_without_hanging(root):
    folder = root / "fifo"
    shutil.copytree(root / "good", folder)
    os.mkfifo(folder / "special_tokens_map.json")
    assert reason_of("fifo").reason == "not_a_model_folder"


def test_unsupported_family(root):
    folder = root / "gpt"
    shutil.copytree(root / "good", folder)
    config = json.loads((folder / "config.json").read_text())
    config["model_type"] = "gpt2"
    (folder / "config.json").write_text(json.dumps(config))
    exc = reason_of("gpt")
    assert exc.reason == "unsupported_family" and exc.detail == "gpt2"


@pytest.mark.parametrize(
    "name,reason",
    [
        ("", "invalid_id"),
        ("   ", "invalid_id"),
        ("x" * 10_000, "invalid_id"),
        ("a\x00b", "invalid_id"),
        ("http://evil.example/m", "invalid_id"),
        ("[x](http://evil.example)", "invalid_id"),
        ("www.evil.example", "offline"),
        ("someone/unknown-model", "offline"),
        ("bert-base-uncased", "offline"),
        ("/etc", "outside_models_dir"),
        ("~/.ssh", "outside_models_dir"),
        ("../../etc", "outside_models_dir"),
    ],
)
def test_ids_that_never_load(root, name, reason):
    exc = reason_of(name)
    assert exc.reason == reason
    assert len(exc.model) <= loading.MAX_ID_SHOWN + 1
    assert str(exc).count("x" * 80) <= 1  # a long id is cut, and printed once


def test_registry_policy(root, monkeypatch):
    monkeypatch.setenv("BERTVIZ_HUB_POLICY", "registry")
    assert reason_of("someone/some-model").reason == "not_listed"
    assert reason_of("bert-base-uncased").reason == "offline"  # listed: allowed, but not downloadable here


def test_one_model_one_object_whatever_the_spelling(root):
    spellings = ["good", "./good", "good/", ".//good", "good/.", str(root / "good"), " good "]
    objects = [bc.load_model(s) for s in spellings]
    assert all(o is objects[0] for o in objects)
    assert objects[0].id == "good"


def test_model_cache_is_bounded(root, monkeypatch):
    monkeypatch.setenv("BERTVIZ_MODEL_CACHE", "2")
    for i in range(3):
        shutil.copytree(root / "good", root / f"copy{i}")
    first = bc.load_model("copy0")
    assert bc.load_model("copy0") is first
    bc.load_model("copy1")
    bc.load_model("copy2")  # evicts copy0, the least recently used
    assert len(loading._cache) <= 2
    assert loading.cache_key("copy0") not in loading._cache
    assert bc.load_model("copy0") is not first


def test_load_error_shows_no_server_path(root):
    folder = root / "bad-weights"
    shutil.copytree(root / "good", folder)
    (folder / "model.safetensors").write_bytes(b"\x00" * 64)  # not a safetensors file
    exc = reason_of("bad-weights")
    assert exc.reason == "load_failed"
    assert_no_server_path(exc, root)


# ---------------------------------------------------------------- every refusal of a local folder, exactly
def _copy(models_folder, name):
    import shutil

    shutil.copytree(models_folder / "good", models_folder / name)
    return models_folder / name


SUPPORTED = "albert, bert, convbert, deberta-v2, distilbert, electra, roberta, xlm-roberta"  # written out: the families with a spec


def test_folder_refusals_name_their_reason_file_and_model(models_folder, fresh_cache):
    (models_folder / "empty").mkdir()
    assert load_refusal("empty") == (
        "not_a_model_folder",
        "empty",
        "",
        "'empty' is not a model folder (no config.json).",
    )

    (_copy(models_folder, "loop") / "loop").symlink_to(models_folder / "loop" / "loop")
    assert load_refusal("loop") == ("not_a_model_folder", "loop", "loop", "'loop': loop cannot be resolved.")

    outside = models_folder.parent / "elsewhere.json"
    outside.write_text("{}")
    (_copy(models_folder, "out") / "extra.json").symlink_to(outside)
    assert load_refusal("out") == (
        "outside_models_dir",
        "out",
        "extra.json",
        "'out': extra.json points outside the models folder; local models are only read from the models folder.",
    )

    os.mkfifo(_copy(models_folder, "fifo") / "pipe")
    assert load_refusal("fifo") == ("not_a_model_folder", "fifo", "pipe", "'fifo': pipe is not a regular file.")

    (_copy(models_folder, "custom") / "config.json").write_text('{"model_type": "bert", "auto_map": {}}')
    assert load_refusal("custom") == (
        "custom_code",
        "custom",
        "config.json",
        "'custom' needs custom code from the checkpoint (auto_map in config.json); remote or custom code is never run.",
    )

    (_copy(models_folder, "broken") / "tokenizer_config.json").write_text("{")
    assert load_refusal("broken") == (
        "not_a_model_folder",
        "broken",
        "tokenizer_config.json",
        "'broken': tokenizer_config.json is not valid JSON.",
    )

    (_copy(models_folder, "list") / "config.json").write_text("[1, 2]")
    assert load_refusal("list") == (
        "not_a_model_folder",
        "list",
        "config.json",
        "'list': config.json is not a JSON object.",
    )

    (_copy(models_folder, "noweights") / "model.safetensors").unlink()
    assert load_refusal("noweights") == (
        "not_a_model_folder",
        "noweights",
        "",
        "'noweights' has no weights (no .safetensors file).",
    )

    pickled = _copy(models_folder, "pickled")
    (pickled / "model.safetensors").rename(pickled / "weights.ckpt")
    assert load_refusal("pickled") == (
        "pickled_weights",
        "pickled",
        "weights.ckpt",
        (
            "'pickled' has no safetensors weights; pickled weights (weights.ckpt) are "
            "refused because loading them can run code."
        ),
    )

    (_copy(models_folder, "gpt") / "config.json").write_text('{"model_type": "gpt2"}')
    assert load_refusal("gpt") == (
        "unsupported_family",
        "gpt",
        "gpt2",
        f"Model type 'gpt2' is not supported (supported: {SUPPORTED}).",
    )


def test_folder_limits_are_inclusive(models_folder, fresh_cache, monkeypatch):
    """At most MAX_FOLDER_FILES entries and JSON files of at most MAX_JSON_BYTES: exactly the limit loads."""
    n = sum(1 for _ in (models_folder / "good").rglob("*"))
    monkeypatch.setattr(loading, "MAX_FOLDER_FILES", n)
    assert bc.load_model("good").family == "bert"
    loading._cache.clear()
    monkeypatch.setattr(loading, "MAX_FOLDER_FILES", n - 1)
    assert load_refusal("good") == ("not_a_model_folder", "good", "", "'good' holds too many files.")
    monkeypatch.setattr(loading, "MAX_FOLDER_FILES", 2000)
    largest = max((p for p in (models_folder / "good").rglob("*.json")), key=lambda p: p.stat().st_size)
    monkeypatch.setattr(loading, "MAX_JSON_BYTES", largest.stat().st_size)
    assert bc.load_model("good").family == "bert"
    loading._cache.clear()
    monkeypatch.setattr(loading, "MAX_JSON_BYTES", largest.stat().st_size - 1)
    assert load_refusal("good") == ("not_a_model_folder", "good", largest.name, f"'good': {largest.name} is too large.")


def test_check_folder_names_the_folder_itself_by_default(models_folder):
    with pytest.raises(bc.ModelLoadError) as info:
        loading.check_folder(models_folder / "nothing-here")
    assert info.value.model == "nothing-here" and str(info.value).startswith("'nothing-here' is not")
    assert loading.check_folder(models_folder / "good")["model_type"] == "bert"


def test_nested_folder_is_named_by_its_path_in_the_models_folder(models_folder, fresh_cache):
    (models_folder / "team").mkdir()
    (_copy(models_folder, "team/nw") / "model.safetensors").unlink()
    assert load_refusal("team/nw") == (
        "not_a_model_folder",
        "team/nw",
        "",
        "'team/nw' has no weights (no .safetensors file).",
    )


def test_student_folders_load_and_a_broken_one_says_why(models_folder, fresh_cache):
    import json
    import shutil

    shutil.copytree(registry.WEIGHTS_DIR / "convbert-minilm-l6", models_folder / "student")
    lm = bc.load_model("student")
    assert (lm.id, lm.label, lm.family) == ("student", "student", "convbert")
    shutil.copytree(models_folder / "student", models_folder / "broken-student")
    base = json.loads((models_folder / "broken-student" / "bertviz_base.json").read_text())
    base["from_base"] = ["no.such.tensor"]
    (models_folder / "broken-student" / "bertviz_base.json").write_text(json.dumps(base))
    assert load_refusal("broken-student") == (
        "load_failed",
        "broken-student",
        "'no.such.tensor'",
        "Could not load 'broken-student': 'no.such.tensor'",
    )


def test_listed_model_prepared_as_a_link_to_outside_is_refused(models_folder, fresh_cache, tmp_path):
    import shutil

    shutil.copytree(models_folder / "good", tmp_path / "elsewhere")
    (models_folder / "bert-base-uncased").symlink_to(tmp_path / "elsewhere")
    assert load_refusal("bert-base-uncased") == (
        "outside_models_dir",
        "bert-base-uncased",
        "",
        "Local models are only loaded from the models folder; 'bert-base-uncased' is outside it.",
    )
