"""The tokenizers /tokenizers can show, offline only, cached (Streamlit glue).

The bundled tokenizer is always there; a hub model's tokenizer only when its files are already on this server: in
the models folder (`python -m bertviz_core.models.fetch <id>`, every rule of that folder checked) or in the local
Hugging Face cache. Nothing is downloaded and no checkpoint code runs (bertviz_core.inputs.tokenizers.load_tokenizer).
A tokenizer that is not here raises `TokenizerUnavailable` with its reason, never anything else.

Loaded tokenizers are kept in `caches.tokenizers` (bounded, shared read-only by every session: splitting a sentence
does not change a tokenizer); an unavailable one is looked up again on the next run (a cheap check of two folders),
so a model fetched while the server runs shows up without a restart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.state import caches
from bertviz_core.inputs.tokenizers import load_tokenizer
from bertviz_core.models import fetch, loading, registry, student
from bertviz_core.models.loaded import ModelLoadError

BUNDLED_ID = "bert-minilm-l6"  # the bundled tokenizer, shared by every bundled model (they are its students)
REASONS = ("not_downloaded", "refused", "load_failed")


class TokenizerUnavailable(Exception):
    """No tokenizer for this model on this server: `reason` is one of REASONS, `detail` a refusal's own reason."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def tokenizer_models() -> list[str]:
    """What /tokenizers lists, in order: the bundled tokenizer, every hub model of the registry, then the other
    folders of the models folder (students of the bundled model left out: they use its tokenizer)."""
    listed = [BUNDLED_ID] + [e.id for e in registry.available_models() if e.source == "hub"]
    others = [
        name
        for name in fetch.local_models()
        if name not in listed
        and registry.entry(name) is None
        and not student.is_student_folder(loading.models_dir() / name)
    ]
    return listed + others


def shared_with_bundled() -> list[str]:
    """The other bundled models: they cut sentences with the bundled tokenizer."""
    return [e.id for e in registry.available_models() if e.source == "bundled" and e.id != BUNDLED_ID]


def folder_source(name: str) -> Path | None:
    """The models folder's `name` after every rule of that folder (bertviz_core.models.loading.check_folder), or
    None when there is no such model folder; TokenizerUnavailable("refused") when a rule refuses it."""
    root = loading.models_dir()
    folder = root / name
    if not (folder / "config.json").is_file():
        return None
    try:
        path = folder.resolve()
        if not (path == root or root in path.parents):
            raise TokenizerUnavailable("refused", "outside_models_dir")
        loading.check_folder(path, name)
    except ModelLoadError as exc:
        raise TokenizerUnavailable("refused", exc.reason) from None
    except OSError:
        raise TokenizerUnavailable("refused", "not_a_model_folder") from None
    return path


def source_of(model_id: str) -> str | Path:
    """Where `model_id`'s tokenizer is on this server: the bundled folder, a models-folder folder, or a hub id in the
    local cache. TokenizerUnavailable otherwise."""
    entry = registry.entry(model_id)
    if entry is not None and entry.source == "bundled":
        return student.teacher_path()
    folder = folder_source(model_id)
    if folder is not None:
        return folder
    if entry is not None and fetch.available_offline(model_id):
        return entry.location  # in the local Hugging Face cache
    raise TokenizerUnavailable("not_downloaded")


def get_tokenizer(model_id: str) -> Any:
    """`model_id`'s tokenizer, loaded once per server; TokenizerUnavailable when it is not on this server."""
    source = source_of(model_id)

    def load() -> Any:
        try:
            return load_tokenizer(source)
        except OSError:  # the hub cache holds the config but not the tokenizer files
            raise TokenizerUnavailable("not_downloaded") from None
        except Exception:  # noqa: BLE001 - whatever transformers raises on a broken folder is "could not be read"
            raise TokenizerUnavailable("load_failed") from None

    return caches.tokenizers.get_or_compute((model_id, str(source)), load)
