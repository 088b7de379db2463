"""Streamlit glue for the corpus command's results folders, shared by /compare and /syntax.

Only folders under one results root (bertviz_core.corpus.results_root(): $BERTVIZ_RESULTS_DIR, default
results/ in the repository) are offered, by name relative to it; every name is resolved again and checked
to stay inside the root when it is loaded (bertviz_core.corpus.results_folder / load_results), so a
student cannot read another server path by editing the page's state. Loaded tables are cached per folder
and file signature (size, mtime), shared read-only by every session (app.state.caches.results_tables
and results_metas).
"""

from __future__ import annotations

import json
from pathlib import Path

from app import i18n, state
from app.i18n import t
from app.state import caches
from bertviz_core.corpus import results as corpus


def folders() -> list[str]:
    """Results folders under the root, by name ("." = the root itself)."""
    return corpus.find_results()


def _signature(path: Path) -> tuple:
    out = []
    for name in (corpus.META_FILE, *corpus.RESULT_TABLES.values()):
        try:
            st_ = (path / name).stat()
            out.append((name, st_.st_size, st_.st_mtime_ns))
        except OSError:
            out.append((name, None, None))
    return tuple(out)


def load(name: str) -> dict:
    """corpus.load_results of the folder `name` under the root (cached; ResultsError if unusable)."""
    root = corpus.results_root()
    path = corpus.results_folder(name, root)
    key = (str(path), _signature(path))
    return caches.results_tables.get_or_compute(key, lambda: corpus.load_results(path, root))


def meta(name: str) -> dict:
    """meta.json of a listed folder for its label ({} if unreadable: the error shows when it is loaded)."""
    try:
        path = corpus.results_folder(name)
        file = path / corpus.META_FILE
        key = (str(path), file.stat().st_mtime_ns)
    except (OSError, ValueError):
        return {}
    return caches.results_metas.get_or_compute(key, lambda: _read_meta(file))


def _read_meta(file: Path) -> dict:
    """A meta.json's object, or {} if it is too large, unreadable or not an object."""
    try:
        if file.stat().st_size > corpus.MAX_META_BYTES:
            raise ValueError
        value = json.loads(file.read_text(encoding="utf-8"))
        return value if isinstance(value, dict) else {}
    except (OSError, ValueError):
        return {}


def input_name(value) -> str:
    """The input file's name only (meta.json records the path it was given on the server)."""
    return str(value or "?").replace("\\", "/").rsplit("/", 1)[-1]


def folder_label(name: str) -> str:
    m = meta(name)
    shown = t("cmpm_res_root") if name == "." else name
    if not m:
        return shown
    return f"{shown} · {m.get('model', '?')} · {input_name(m.get('input'))} · {m.get('sentences', '?')}"


def reason(exc: Exception) -> str:
    """A ResultsError's reason in the page's language (values escaped: they are names, never paths)."""
    key = f"cmpm_rerr_{getattr(exc, 'code', '')}"
    if isinstance(exc, corpus.ResultsError) and key in i18n.TEXT:
        return t(key, **{k: state.md_escape(v) if isinstance(v, str) else v for k, v in exc.params.items()})
    return state.md_escape(str(exc)[:300])


def propose(names: list[str], model: str, like: str | None = None) -> str:
    """A folder for `model`: one run on the same input as the folder `like` first, then any of the model."""
    digest = meta(like).get("input_sha256") if like else None
    same = [n for n in names if n != like and meta(n).get("input_sha256") == digest] if digest else []
    for pool in (same, names):
        for n in pool:
            if meta(n).get("model") == model and n != like:
                return n
    return same[0] if same else names[0]
