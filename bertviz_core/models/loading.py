"""Loading models safely, once per process.

`load_model(name)` accepts a registry id, a hub id, or a folder inside the
configured models folder. Policy (also what the app enforces):
- `trust_remote_code` is never set; no checkpoint may ask for custom code:
  every `*.json` file of a local folder is parsed and any `auto_map` key (at
  any depth, however the JSON spells it) is refused;
- local folders only from `BERTVIZ_MODELS_DIR` (default: `./models`): the
  folder AND every file in it are resolved (symlinks followed) and must stay
  inside the models folder;
- weights are read from safetensors only: a folder with pickled weights
  (`.bin`, `.pt`, ...) and no safetensors is refused, since unpickling runs code;
- hub ids are allowed per `BERTVIZ_HUB_POLICY`: "any" (default) or
  "registry" (only the registry's hub entries);
- offline, a hub id that is not in the local cache fails within seconds.
Attention is loaded as "eager" and checked: other implementations
silently return no attention probabilities.

Every refusal is a `ModelLoadError` with a machine-readable `reason` (one of
`REASONS`); messages never show absolute server paths (names are relative to
the models folder) and cut long ids to `MAX_ID_SHOWN` characters.

Loaded models are cached by resolved location (a registry id, a hub id, or the
resolved folder), so `mid`, `./mid`, `mid/` and `mid/.` share one object; the
cache keeps the `BERTVIZ_MODEL_CACHE` (default 6) most recently used models.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from bertviz_core.models import families, registry, student, variants
from bertviz_core.models.loaded import (  # noqa: F401 - re-exported: callers import them from here
    REASONS,
    LoadedModel,
    ModelLoadError,
)

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

# A Hugging Face Hub id, "name" or "owner/name" (also what fetch accepts).
HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}(/[A-Za-z0-9][A-Za-z0-9_.-]{0,95})?$")
MAX_NAME_CHARS = 300  # longer names are neither hub ids nor folder names
MAX_ID_SHOWN = 80  # ids are cut to this many characters (+ "…") in messages
MAX_FOLDER_FILES = 2000
MAX_JSON_BYTES = 64 * 2**20
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle", ".joblib")


def models_dir() -> Path:
    return Path(os.environ.get("BERTVIZ_MODELS_DIR", "models")).resolve()


def hub_policy() -> str:
    return os.environ.get("BERTVIZ_HUB_POLICY", "any")


def cache_size() -> int:
    try:
        return max(1, int(os.environ.get("BERTVIZ_MODEL_CACHE", "6")))
    except ValueError:
        return 6


def short_id(name: object) -> str:
    """An id as messages show it: at most MAX_ID_SHOWN characters, then "…"."""
    name = str(name)
    return name if len(name) <= MAX_ID_SHOWN else name[:MAX_ID_SHOWN] + "…"


def scrub_paths(text: object) -> str:
    """Remove server paths from a message: the models folder, this package, the home folder."""
    text = str(text)
    root = models_dir()
    home = Path.home()
    package = Path(__file__).resolve().parents[2]
    for prefix, replacement in ((root, ""), (package, ""), (home, "~/")):
        for form in {str(prefix), os.path.realpath(prefix)}:
            if len(form) > 1:
                text = text.replace(form + os.sep, replacement).replace(form, replacement or ".")
    return text


# ---------------------------------------------------------------- where a name points
def _refuse(message: str, reason: str, name: str, detail: str = "") -> ModelLoadError:
    return ModelLoadError(message, reason, short_id(name), detail)


def _looks_local(name: str) -> bool:
    return name.startswith(("/", ".", "~")) or "\\" in name or ".." in name


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def locate(name: str) -> tuple[str, registry.ModelEntry | Path | str]:
    """Where `name` points: ("registry", entry), ("local", resolved folder), ("variant", variant id) or ("hub", hub id).

    Cheap (no model is read); raises ModelLoadError for ids that can never load."""
    if not isinstance(name, str) or not name.strip():
        raise _refuse("No model name given.", "invalid_id", "")
    name = name.strip()
    shown = short_id(name)
    if len(name) > MAX_NAME_CHARS or any(not ch.isprintable() for ch in name):
        raise _refuse(f"'{shown}' is not a valid model id.", "invalid_id", name)
    if "@" in name:  # a variant, <id>@int8 or <id>@prune=30% (bertviz_core.models.variants)
        variants.parse(name)
        return "variant", name
    entry = registry.entry(name) or registry.entry_for_location(name)
    if entry is not None:  # a listed model, by id or by hub location
        return "registry", entry
    root = models_dir()
    if _looks_local(name) or _safe_is_dir(root / name):
        raw = Path(name).expanduser() if name.startswith("~") else Path(name)
        try:
            path = (raw if raw.is_absolute() else root / raw).resolve()  # resolves symlinks too
        except (OSError, RuntimeError, ValueError):
            raise _refuse(f"'{shown}' is not a valid model id.", "invalid_id", name) from None
        if not _inside(path, root):
            raise _refuse(
                f"Local models are only loaded from the models folder; '{shown}' is outside it.",
                "outside_models_dir",
                name,
            )
        return "local", path
    if not HUB_ID.match(name):
        raise _refuse(f"'{shown}' is not a valid model id.", "invalid_id", name)
    if hub_policy() == "registry":
        raise _refuse(
            f"'{shown}' is not in the model list, and this server only loads listed models.", "not_listed", name
        )
    return "hub", name


def _safe_is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


# ---------------------------------------------------------------- the cache
_cache: OrderedDict[tuple[str, str], LoadedModel] = OrderedDict()  # (kind, key) -> model, most recently used last
_cache_lock = threading.Lock()
_loading_locks: dict[tuple[str, str], threading.Lock] = {}
# one load at a time: transformers' lazy module is not safe to import from two threads at once (measured: the warm-up
# loading bert-minilm-l6 while a first page loads bert-minilm-l6-mlm fails one of them with "cannot import name
# 'AutoModel' from 'transformers'"); loads are rare and each takes seconds, so queueing them costs little
_import_lock = threading.RLock()  # re-entrant: a variant (<id>@int8) loads its original inside its own load


def cache_key(name: str) -> tuple[str, str]:
    """The key a name is cached under: ("registry", id), ("local", resolved folder) or ("hub", id)."""
    kind, where = locate(name)
    return (kind, where.id if isinstance(where, registry.ModelEntry) else str(where))


def load_model(name: str) -> LoadedModel:
    """Load (or return the already loaded) model `name`; raises ModelLoadError."""
    kind, where = locate(name)
    key = (kind, where.id if isinstance(where, registry.ModelEntry) else str(where))
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
        lock = _loading_locks.setdefault(key, threading.Lock())
    with lock:  # two users asking for the same model load it once
        with _cache_lock:
            if key in _cache:
                _cache.move_to_end(key)
                return _cache[key]
        try:
            with _import_lock:
                lm = _load_uncached(kind, where)
        finally:
            with _cache_lock:
                _loading_locks.pop(key, None)
        with _cache_lock:
            _cache[key] = lm
            while len(_cache) > cache_size():
                _cache.popitem(last=False)
        return lm


def _quiet_transformers() -> None:
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def _load_uncached(kind: str, where: registry.ModelEntry | Path | str) -> LoadedModel:
    _quiet_transformers()
    if isinstance(where, registry.ModelEntry):  # kind "registry"
        if where.source == "bundled":
            return _load_bundled(where)
        prepared = models_dir() / where.id  # fetched for offline use: `python -m bertviz_core.models.fetch <id>`
        if _safe_is_dir(prepared) and (prepared / "config.json").is_file():
            path = prepared.resolve()
            if not _inside(path, models_dir()):
                raise _refuse(
                    f"Local models are only loaded from the models folder; '{where.id}' is outside it.",
                    "outside_models_dir",
                    where.id,
                )
            lm = _load_local(path)  # every rule of the models folder applies
            lm.id, lm.label = where.id, where.label
            return lm
        return _load_hub(where.location, where.id, where.label)
    if isinstance(where, Path):  # kind "local"
        return _load_local(where)
    if kind == "variant":
        return variants.load(where)
    return _load_hub(where, where, where)


def finish_loaded(model_id: str, label: str, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> LoadedModel:
    """A loaded model and its tokenizer as a LoadedModel: eval mode, a supported family that really returns
    attention probabilities, and its input limit. Raises ModelLoadError ("unsupported_family", "no_attention")."""
    import torch

    model.eval()
    family = model.config.model_type
    if not families.is_supported(family):
        raise _refuse(
            f"Model type '{family}' is not supported (supported: {', '.join(families.SUPPORTED)}).",
            "unsupported_family",
            model_id,
            str(family),
        )
    spec = families.family_spec(family)
    with torch.no_grad():  # eager attention must really return probabilities
        probe = tokenizer("probe", return_tensors="pt")
        out = model(**probe, output_attentions=True)
    if not out.attentions or out.attentions[0] is None:
        raise _refuse(f"{short_id(label)}: the model returned no attention probabilities.", "no_attention", model_id)
    limit = getattr(model.config, "max_position_embeddings", 512) or 512
    limit -= spec.position_offset(model.config)  # RoBERTa: positions start after padding_idx
    if spec.max_tokens_from_tokenizer:  # relative positions: no table to run out of
        limit = min(getattr(tokenizer, "model_max_length", 512), 512)
    return LoadedModel(model_id, label, family, model, tokenizer, int(min(limit, 512)))


def _load_bundled(entry: registry.ModelEntry) -> LoadedModel:
    from transformers import AutoModel, AutoTokenizer

    if entry.id == "bert-minilm-l6":
        path = student.teacher_path()
        model = AutoModel.from_pretrained(path, attn_implementation="eager", use_safetensors=True)
    else:  # the other bundled models are students distilled here, in bertviz_core/weights/<id>
        folder = registry.WEIGHTS_DIR / entry.id
        if not student.is_student_folder(folder):
            raise _refuse(
                f"{entry.label}: its weights are missing from the package (bertviz_core/weights/{entry.id}).",
                "missing_weights",
                entry.id,
            )
        model = student.load_encoder(folder)
        path = student.teacher_path()  # same tokenizer as the teacher
    return finish_loaded(entry.id, entry.label, model, AutoTokenizer.from_pretrained(path))


# ---------------------------------------------------------------- local folders
def _has_auto_map(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """object_pairs_hook: flags any object with an auto_map key (keys come decoded: \\u0061uto_map too)."""
    obj = {}
    for k, v in pairs:
        if k == "auto_map":
            raise _AutoMap()
        obj[k] = v
    return obj


class _AutoMap(Exception):
    pass


def check_folder(path: Path, name: str = "") -> dict[str, Any]:
    """Every rule a local folder must pass before any of it is read by transformers.

    Returns the parsed config.json. `path` must already be resolved and inside the models folder."""
    root = models_dir()
    name = name or path.name
    shown = short_id(name)
    if not path.is_dir() or not (path / "config.json").is_file():
        raise _refuse(f"'{shown}' is not a model folder (no config.json).", "not_a_model_folder", name)
    files = []
    for count, item in enumerate(path.rglob("*")):
        if count >= MAX_FOLDER_FILES:
            raise _refuse(f"'{shown}' holds too many files.", "not_a_model_folder", name)
        rel = item.relative_to(path).as_posix()
        try:
            real = item.resolve()
        except (OSError, RuntimeError):
            raise _refuse(f"'{shown}': {rel} cannot be resolved.", "not_a_model_folder", name, rel) from None
        if not _inside(real, root):
            raise _refuse(
                f"'{shown}': {rel} points outside the models folder; local models are only "
                "read from the models folder.",
                "outside_models_dir",
                name,
                rel,
            )
        if not (real.is_file() or real.is_dir()):  # FIFOs, sockets, devices: reading them could hang
            raise _refuse(f"'{shown}': {rel} is not a regular file.", "not_a_model_folder", name, rel)
        if real.is_file():
            files.append((rel, real))
    config = None
    for rel, real in files:
        if not rel.endswith(".json"):
            continue
        if real.stat().st_size > MAX_JSON_BYTES:
            raise _refuse(f"'{shown}': {rel} is too large.", "not_a_model_folder", name, rel)
        try:
            parsed = json.loads(real.read_bytes().decode("utf-8-sig"), object_pairs_hook=_has_auto_map)
        except _AutoMap:
            raise _refuse(
                f"'{shown}' needs custom code from the checkpoint (auto_map in {rel}); "
                "remote or custom code is never run.",
                "custom_code",
                name,
                rel,
            ) from None
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise _refuse(f"'{shown}': {rel} is not valid JSON.", "not_a_model_folder", name, rel) from None
        if rel == "config.json":
            config = parsed
    if not isinstance(config, dict):
        raise _refuse(f"'{shown}': config.json is not a JSON object.", "not_a_model_folder", name, "config.json")
    names = [rel for rel, _ in files]
    if not any(rel.endswith(".safetensors") for rel in names):
        pickled = [rel for rel in names if rel.endswith(PICKLE_SUFFIXES)]
        if pickled:
            raise _refuse(
                f"'{shown}' has no safetensors weights; pickled weights ({pickled[0]}) are refused "
                "because loading them can run code.",
                "pickled_weights",
                name,
                pickled[0],
            )
        raise _refuse(f"'{shown}' has no weights (no .safetensors file).", "not_a_model_folder", name)
    family = config.get("model_type")
    if not families.is_supported(family):
        raise _refuse(
            f"Model type '{short_id(family)}' is not supported (supported: {', '.join(families.SUPPORTED)}).",
            "unsupported_family",
            name,
            short_id(family),
        )
    return config


def _load_local(path: Path) -> LoadedModel:
    from transformers import AutoModel, AutoTokenizer

    model_id = path.relative_to(models_dir()).as_posix()
    check_folder(path, model_id)
    if student.is_student_folder(path):
        try:
            model = student.load_encoder(path)
        except Exception as exc:  # noqa: BLE001 - whatever transformers raises becomes a "load_failed" ModelLoadError
            raise _refuse(
                f"Could not load '{short_id(model_id)}': {scrub_paths(exc)}", "load_failed", model_id, scrub_paths(exc)
            ) from None
        return finish_loaded(model_id, path.name, model, AutoTokenizer.from_pretrained(student.teacher_path()))
    try:
        model = AutoModel.from_pretrained(
            path, attn_implementation="eager", use_safetensors=True, trust_remote_code=False, local_files_only=True
        )
        tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=False, local_files_only=True)
    except Exception as exc:  # noqa: BLE001 - whatever transformers raises becomes a "load_failed" ModelLoadError
        raise _refuse(
            f"Could not load '{short_id(model_id)}': {scrub_paths(exc)}", "load_failed", model_id, scrub_paths(exc)
        ) from None
    return finish_loaded(model_id, path.name, model, tokenizer)


# ---------------------------------------------------------------- the hub
def hub_reachable(timeout: float = 3.0) -> bool:
    """Whether the Hugging Face Hub (or the HF_ENDPOINT mirror) answers within `timeout` seconds; False at once
    when HF_HUB_OFFLINE is set. Used by the loader and by `fetch`."""
    if os.environ.get("HF_HUB_OFFLINE", "0").lower() in ("1", "true", "yes"):
        return False
    host = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co")).hostname
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def _load_hub(hub_id: str, model_id: str, label: str) -> LoadedModel:
    from transformers import AutoModel, AutoTokenizer

    if not HUB_ID.match(hub_id):
        raise _refuse(f"'{short_id(hub_id)}' is not a valid model id.", "invalid_id", hub_id)
    if hub_policy() == "registry" and registry.entry_for_location(hub_id) is None:
        raise _refuse(
            f"'{short_id(hub_id)}' is not in the model list, and this server only loads listed models.",
            "not_listed",
            hub_id,
        )
    kwargs = {"attn_implementation": "eager", "trust_remote_code": False}
    try:  # already in the local hub cache: no network needed
        model = AutoModel.from_pretrained(hub_id, local_files_only=True, **kwargs)
        tokenizer = AutoTokenizer.from_pretrained(hub_id, local_files_only=True, trust_remote_code=False)
        return finish_loaded(model_id, label, model, tokenizer)
    except OSError:
        pass
    if not hub_reachable():
        raise _refuse(
            f"{short_id(label)} must be downloaded from the Hugging Face Hub, and this machine is "
            "offline. The bundled models work offline.",
            "offline",
            model_id,
        )
    try:
        model = AutoModel.from_pretrained(hub_id, **kwargs)
        tokenizer = AutoTokenizer.from_pretrained(hub_id, trust_remote_code=False)
    except Exception as exc:  # noqa: BLE001 - whatever transformers raises becomes a "load_failed" ModelLoadError
        raise _refuse(
            f"Could not load {short_id(label)} from the hub: {scrub_paths(exc)}",
            "load_failed",
            model_id,
            scrub_paths(exc),
        ) from None
    return finish_loaded(model_id, label, model, tokenizer)
