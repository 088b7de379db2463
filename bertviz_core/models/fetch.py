"""Prepare a classroom while online, for use offline later.

    python -m bertviz_core.models.fetch bert-base-chinese bert-base-multilingual-cased

downloads each model's safetensors weights, config and tokenizer files from the
Hugging Face Hub (or the mirror named by HF_ENDPOINT) into the models folder
(BERTVIZ_MODELS_DIR, default ./models), one folder per model, named by its
registry id (or by the hub id with "/" replaced by "--"). The app then lists
those models as local and loads them without the internet. Pickled weights
(.bin) are never downloaded; a model that has no safetensors file is refused.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from bertviz_core.models import loading, registry

# what a BERT-family checkpoint needs, and nothing that can run code
ALLOW = [
    "*.safetensors",
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
    "vocab.json",
    "merges.txt",
    "spm.model",
    "sentencepiece.bpe.model",
    "*.model",
    "added_tokens.json",
    "README.md",
    "LICENSE*",
]


class FetchError(RuntimeError):
    """The model could not be fetched; the message is meant for the user."""


def target(model: str) -> tuple[str, str]:
    """(hub id, folder name in the models folder) for a registry id or a hub id."""
    entry = registry.entry(model)
    if entry is not None:
        if entry.source != "hub":
            raise FetchError(f"{model} is bundled with the app: nothing to fetch.")
        return entry.location, entry.id
    if not loading.HUB_ID.match(model):
        raise FetchError(f"'{model[:80]}' is not a valid model id (owner/name or a registry id).")
    return model, model.replace("/", "--")


def fetch(model: str, dest: str | Path | None = None, timeout: float = 5.0) -> Path:
    """Download one model into dest (default: the models folder); returns its folder."""
    from huggingface_hub import snapshot_download

    hub_id, folder_name = target(model)
    root = Path(dest) if dest else loading.models_dir()
    if not loading.hub_reachable(timeout):
        endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
        raise FetchError(
            f"Cannot reach {endpoint}: this machine is offline (or HF_HUB_OFFLINE is set). "
            "Run this command where the internet (or your mirror, set HF_ENDPOINT) is reachable."
        )
    folder = root / folder_name
    partial = root / f".{folder_name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    try:
        snapshot_download(hub_id, local_dir=partial, allow_patterns=ALLOW, etag_timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - any download failure (network, unknown or gated repo) is the message
        shutil.rmtree(partial, ignore_errors=True)
        raise FetchError(f"Could not download {hub_id}: {type(exc).__name__}: {exc}") from None
    if not list(partial.glob("*.safetensors")):
        shutil.rmtree(partial, ignore_errors=True)
        raise FetchError(f"{hub_id} has no safetensors weights; pickled weights are never used.")
    shutil.rmtree(partial / ".cache", ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    return folder


def available_offline(model: str) -> bool:
    """True if a hub model can load without the internet: in the models folder or the hub cache."""
    try:
        hub_id, folder_name = target(model)
    except FetchError:
        return False
    if (loading.models_dir() / folder_name / "config.json").is_file():
        return True
    try:
        from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(hub_id, "config.json"), str)
    except (ImportError, ValueError, OSError):  # no huggingface_hub, an id it refuses, an unreadable cache
        return False


def local_models() -> list[str]:
    """Folder names in the models folder that hold a model (config.json), sorted; hidden ones skipped."""
    root = loading.models_dir()
    try:
        return sorted(
            d.name
            for d in root.iterdir()
            if not d.name.startswith(".") and d.is_dir() and (d / "config.json").is_file()
        )
    except OSError:
        return []


def first_available(models: list[str]) -> str | None:
    """The first of `models` that loads offline (e.g. a Chinese-capable model for a lesson)."""
    return next((m for m in models if available_offline(m)), None)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bertviz_core.models.fetch",
        description=__doc__.split("\n\n")[0],
        epilog="Models: "
        + ", ".join(e.id for e in registry.available_models() if e.source == "hub")
        + ", or any hub id owner/name.",
    )
    ap.add_argument("models", nargs="+", help="registry ids (e.g. bert-base-chinese) or hub ids (owner/name)")
    ap.add_argument("--dest", help="models folder (default: $BERTVIZ_MODELS_DIR or ./models)")
    ap.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for the hub before giving up")
    a = ap.parse_args(argv)
    status = 0
    for model in a.models:
        try:
            folder = fetch(model, a.dest, a.timeout)
            print(f"{model}: saved in {folder}")
        except FetchError as exc:
            print(f"{model}: {exc}", file=sys.stderr)
            status = 2
    return status


if __name__ == "__main__":
    sys.exit(main())
