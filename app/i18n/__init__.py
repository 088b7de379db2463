"""Every piece of UI text, in English and Chinese. Pages never hard-code text.

`t(key, **values)` formats the entry in the session's language ("en" or "zh"). The text lives in one
catalogue per page or feature (app/i18n/<name>.py, each a TEXT dict {key: {"en": ..., "zh": ...}}); a key
used by several pages is in `common`. CATALOGUES lists them all (tests/app/test_i18n_catalogues.py checks it
against the folder), and a key defined in two catalogues stops the import.
"""

from __future__ import annotations

from types import ModuleType

import streamlit as st

from app.i18n import (
    attention,
    common,
    compare,
    compare_many,
    compress,
    compress_students,
    contributions,
    convolution,
    deberta,
    errors,
    export,
    home,
    intervene,
    lessons,
    model_view,
    models,
    positions,
    pretraining,
    results,
    step_by_step,
    syntax,
    tokenizers,
)

LANGUAGES = {"en": "English", "zh": "中文"}

CATALOGUES: tuple[ModuleType, ...] = (
    common,
    errors,
    models,
    home,
    attention,
    model_view,
    convolution,
    deberta,
    compare,
    compare_many,
    results,
    syntax,
    positions,
    step_by_step,
    intervene,
    compress,
    compress_students,
    contributions,
    lessons,
    tokenizers,
    pretraining,
    export,
)


def catalogue_name(module: ModuleType) -> str:
    return module.__name__.rsplit(".", 1)[-1]


def merge(catalogues: tuple[ModuleType, ...]) -> dict[str, dict[str, str]]:
    """The catalogues' TEXT dicts as one table; KeyError, naming the key and both catalogues, if a key is
    defined twice."""
    table: dict[str, dict[str, str]] = {}
    owner: dict[str, str] = {}
    for module in catalogues:
        name = catalogue_name(module)
        for key, entry in module.TEXT.items():
            if key in owner:
                raise KeyError(f"i18n key {key!r} is defined in both app/i18n/{owner[key]}.py and app/i18n/{name}.py")
            owner[key] = name
            table[key] = entry
    return table


TEXT = merge(CATALOGUES)


def lang() -> str:
    code = st.session_state.get("lang", "en")
    return code if code in LANGUAGES else "en"


def t(key: str, **values) -> str:
    entry = TEXT[key]
    text = entry.get(lang()) or entry["en"]
    return text.format(**values) if values else text
