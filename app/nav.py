"""The app's pages: file, title key and URL path, defined once."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app.i18n import t

PAGES_DIR = Path(__file__).resolve().parents[1] / "pages"

# name -> (title key, url path); order is the sidebar's order
PAGES = {
    "home": ("nav_home", "home"),
    "attention": ("nav_attention", "attention"),
    "model_view": ("nav_model_view", "model-view"),
    "convolution": ("nav_convolution", "convolution"),
    "deberta": ("nav_deberta", "deberta"),
    "pretraining": ("nav_pretraining", "pretraining"),
    "compare": ("nav_compare", "compare"),
    "syntax": ("nav_syntax", "syntax"),
    "positions": ("nav_positions", "positions"),
    "tokenizers": ("nav_tokenizers", "tokenizers"),
    "step_by_step": ("nav_step", "step-by-step"),
    "intervene": ("nav_intervene", "intervene"),
    "compress": ("nav_compress", "compress"),
    "contributions": ("nav_contributions", "contributions"),
    "lessons": ("nav_lessons", "lessons"),
}


def page(name: str) -> st.Page:
    title_key, url_path = PAGES[name]
    return st.Page(PAGES_DIR / f"{name}.py", title=t(title_key), url_path=url_path, default=name == "home")


def all_pages() -> list[st.Page]:
    return [page(name) for name in PAGES if (PAGES_DIR / f"{name}.py").exists()]


def exists(name: str) -> bool:
    return (PAGES_DIR / f"{name}.py").exists()


def name_of(page: st.Page) -> str | None:
    """The PAGES name of a page object returned by st.navigation."""
    return next((name for name, (_, url) in PAGES.items() if url == page.url_path), None)
