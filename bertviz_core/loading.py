"""Loading models safely, once per process.

`load_model(name)` accepts a registry id, a hub id, or a folder inside the
configured models folder. Policy (also what the app enforces):
- `trust_remote_code` is never set; local folders must hold safetensors
  weights (pickled `.bin` files are refused, since unpickling runs code);
- local folders only from `BERTVIZ_MODELS_DIR` (default: `./models`), after
  resolving symlinks;
- hub ids are allowed per `BERTVIZ_HUB_POLICY`: "any" (default) or
  "registry" (only the registry's hub entries);
- offline, a hub id that is not in the local cache fails within seconds.
Attention is loaded as "eager" and checked: other implementations
silently return no attention probabilities.
"""
from __future__ import annotations

import os
import re
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from bertviz_core import registry, student

_HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}(/[A-Za-z0-9][A-Za-z0-9_.-]{0,95})?$")


class ModelLoadError(ValueError):
    """A model could not be loaded; the message is meant for the user."""


@dataclass(eq=False)
class LoadedModel:
    """A model ready for `capture`: weights, tokenizer, and a lock for its hooks."""
    id: str
    label: str
    family: str            # transformers model_type
    model: object          # torch.nn.Module in eval mode, eager attention
    tokenizer: object
    max_tokens: int        # longest input, special tokens included
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def config(self):
        return self.model.config


def models_dir() -> Path:
    return Path(os.environ.get("BERTVIZ_MODELS_DIR", "models")).resolve()


def hub_policy() -> str:
    return os.environ.get("BERTVIZ_HUB_POLICY", "any")


_cache: dict[str, LoadedModel] = {}
_cache_lock = threading.Lock()
_loading_locks: dict[str, threading.Lock] = {}


def load_model(name: str) -> LoadedModel:
    """Load (or return the already loaded) model `name`; raises ModelLoadError."""
    if not isinstance(name, str) or not name.strip():
        raise ModelLoadError("No model name given.")
    name = name.strip()
    with _cache_lock:
        if name in _cache:
            return _cache[name]
        lock = _loading_locks.setdefault(name, threading.Lock())
    with lock:  # two users asking for the same model load it once
        if name not in _cache:
            _cache[name] = _load_uncached(name)
        return _cache[name]


def _quiet_transformers() -> None:
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def _load_uncached(name: str) -> LoadedModel:
    _quiet_transformers()
    entry = registry.entry(name)
    if entry is not None and entry.source == "bundled":
        return _load_bundled(entry)
    if entry is not None:
        return _load_hub(entry.location, entry.id, entry.label)
    if name.startswith(("/", ".", "~")) or "\\" in name or ".." in name:
        return _load_local(name)
    if (models_dir() / name).is_dir():
        return _load_local(name)
    return _load_hub(name, name, name)


def _finish(model_id: str, label: str, model, tokenizer) -> LoadedModel:
    import torch

    model.eval()
    family = model.config.model_type
    if family not in registry.ATTENTION_MODULES:
        raise ModelLoadError(f"Model type '{family}' is not supported (supported: "
                             f"{', '.join(sorted(registry.ATTENTION_MODULES))}).")
    with torch.no_grad():  # eager attention must really return probabilities
        probe = tokenizer("probe", return_tensors="pt")
        out = model(**probe, output_attentions=True)
    if not out.attentions or out.attentions[0] is None:
        raise ModelLoadError(f"{label}: the model returned no attention probabilities.")
    limit = getattr(model.config, "max_position_embeddings", 512) or 512
    if family in ("roberta", "xlm-roberta"):
        limit -= model.config.pad_token_id + 1  # positions start after padding_idx
    if family == "deberta-v2":
        limit = min(getattr(tokenizer, "model_max_length", 512), 512)
    return LoadedModel(model_id, label, family, model, tokenizer, int(min(limit, 512)))


def _load_bundled(entry: registry.ModelEntry) -> LoadedModel:
    from transformers import AutoModel, AutoTokenizer

    if entry.id == "bert-minilm-l6":
        path = student.teacher_path()
        model = AutoModel.from_pretrained(path, attn_implementation="eager", use_safetensors=True)
    elif entry.id == "convbert-minilm-l6":
        folder = registry.WEIGHTS_DIR / entry.id
        if not student.is_student_folder(folder):
            raise ModelLoadError(f"{entry.label}: weights are missing from {folder}.")
        model = student.load_student(folder)
        path = student.teacher_path()  # same tokenizer as the teacher
    else:  # pragma: no cover - registry and loader out of sync
        raise ModelLoadError(f"Unknown bundled model {entry.id}")
    return _finish(entry.id, entry.label, model, AutoTokenizer.from_pretrained(path))


def _load_local(name: str) -> LoadedModel:
    from transformers import AutoModel, AutoTokenizer

    root = models_dir()
    raw = Path(name).expanduser()
    path = (raw if raw.is_absolute() else root / raw).resolve()  # resolves symlinks too
    if path != root and root not in path.parents:
        raise ModelLoadError(f"Local models are only loaded from the models folder ({root}); "
                             f"'{name}' is outside it.")
    if not path.is_dir() or not (path / "config.json").is_file():
        raise ModelLoadError(f"'{name}' is not a model folder (no config.json).")
    if student.is_student_folder(path):
        model = student.load_student(path)
        return _finish(name, path.name, model, AutoTokenizer.from_pretrained(student.teacher_path()))
    if not list(path.glob("*.safetensors")):
        raise ModelLoadError(f"'{name}' has no safetensors weights; pickled weights (.bin, .pt) "
                             "are refused because loading them can run code.")
    config_text = (path / "config.json").read_text(errors="replace")
    if '"auto_map"' in config_text:
        raise ModelLoadError(f"'{name}' needs custom code from the checkpoint (auto_map); "
                             "remote or custom code is never run.")
    try:
        model = AutoModel.from_pretrained(path, attn_implementation="eager", use_safetensors=True,
                                          trust_remote_code=False, local_files_only=True)
        tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=False, local_files_only=True)
    except Exception as exc:
        raise ModelLoadError(f"Could not load '{name}': {exc}") from None
    return _finish(name, path.name, model, tokenizer)


def _hub_reachable(timeout: float = 3.0) -> bool:
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

    if not _HUB_ID.match(hub_id):
        raise ModelLoadError(f"'{hub_id}' is not a valid model id.")
    if hub_policy() == "registry" and registry.entry_for_location(hub_id) is None:
        raise ModelLoadError(f"'{hub_id}' is not in the model list, and this server only loads listed models.")
    kwargs = dict(attn_implementation="eager", trust_remote_code=False)
    try:  # already in the local hub cache: no network needed
        model = AutoModel.from_pretrained(hub_id, local_files_only=True, **kwargs)
        tokenizer = AutoTokenizer.from_pretrained(hub_id, local_files_only=True, trust_remote_code=False)
        return _finish(model_id, label, model, tokenizer)
    except OSError:
        pass
    if not _hub_reachable():
        raise ModelLoadError(f"{label} must be downloaded from the Hugging Face Hub, and this machine is "
                             "offline. The bundled models work offline.")
    try:
        model = AutoModel.from_pretrained(hub_id, **kwargs)
        tokenizer = AutoTokenizer.from_pretrained(hub_id, trust_remote_code=False)
    except Exception as exc:
        raise ModelLoadError(f"Could not load {label} from the hub: {exc}") from None
    return _finish(model_id, label, model, tokenizer)
