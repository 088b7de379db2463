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

import bertviz_core as bc
from bertviz_core.models import loading


def _tiny(family: str, layers: int):
    import torch
    from transformers import AutoModel

    from conftest import tiny_config

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


@pytest.mark.parametrize("name,reason", [
    ("", "invalid_id"), ("   ", "invalid_id"), ("x" * 10_000, "invalid_id"), ("a\x00b", "invalid_id"),
    ("http://evil.example/m", "invalid_id"), ("[x](http://evil.example)", "invalid_id"),
    ("www.evil.example", "offline"), ("someone/unknown-model", "offline"), ("bert-base-uncased", "offline"),
    ("/etc", "outside_models_dir"), ("~/.ssh", "outside_models_dir"), ("../../etc", "outside_models_dir"),
])
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
