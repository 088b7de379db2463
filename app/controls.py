"""Shared widgets: model picker, sentence boxes, layer/head selectors.

Widget keys are the session-state keys of app.state, so values survive page
changes and mirror into the URL.
"""
from __future__ import annotations

import streamlit as st

import bertviz_core as bc
from app import state
from app.i18n import t


def model_picker(key: str = "model", label_key: str = "model", default: str = state.DEFAULT_MODEL) -> str:
    entries = {e.id: e for e in bc.available_models()}
    current = st.session_state.get(key, default)
    options = list(entries)
    if current not in entries:  # a hub id or local folder from the URL stays selectable
        options.append(current)
    st.session_state[key] = current

    def label(model_id: str) -> str:
        e = entries.get(model_id)
        if e is None:
            return model_id
        return f"{e.label} · {t('needs_internet')}" if e.needs_internet else e.label

    choice = st.selectbox(t(label_key), options, format_func=label, key=key)

    def use_other():  # runs before the next rerun, when the selectbox may still take a new value
        typed = st.session_state.get(f"{key}_other", "").strip()
        if typed:
            st.session_state[key] = typed
        st.session_state[f"{key}_other"] = ""

    with st.popover(t("other_model"), use_container_width=True):
        st.text_input(t("other_model_help"), key=f"{key}_other", on_change=use_other,
                      placeholder="bert-base-cased · owner/name · my-local-folder")
    return choice


def sentence_inputs(pair: bool = True) -> tuple[str, str | None]:
    st.session_state.setdefault("text", state.DEFAULT_TEXT)
    text = st.text_input(t("sentence"), key="text", help=t("sentence_help"), max_chars=state.MAX_CHARS)
    text_b = None
    if pair:
        text_b = st.text_input(t("sentence_b"), key="text_b", max_chars=state.MAX_CHARS) or None
    return text, text_b


def model_and_sentence(pair: bool = True) -> tuple[str, str, str | None]:
    """The usual header of a page: model picker beside the sentence boxes."""
    c1, c2 = st.columns([1, 2])
    with c1:
        model_id = model_picker()
    with c2:
        text, text_b = sentence_inputs(pair)
    return model_id, text, text_b


def head_options(n_heads: int, n_conv: int = 0) -> list[str]:
    """'mean', '0'..'H-1', then 'c0'.. for ConvBERT's convolution heads (strings: URL-friendly)."""
    return ["mean"] + [str(h) for h in range(n_heads)] + [f"c{c}" for c in range(n_conv)]


def head_label(option: str) -> str:
    if option == "mean":
        return t("all_heads")
    if option.startswith("c"):
        return t("conv_head_n", n=option[1:])
    return t("head_n", n=option)


def layer_and_head(n_layers: int, n_heads: int, n_conv: int = 0) -> tuple[int, str]:
    """Layer slider and head picker; out-of-range values (e.g. from a URL) are clamped."""
    layer = st.session_state.get("layer", 0)
    st.session_state["layer"] = min(max(int(layer), 0), n_layers - 1)
    options = head_options(n_heads, n_conv)
    if st.session_state.get("head", "mean") not in options:
        if "head" in st.session_state:
            st.caption(t("bad_head"))
        st.session_state["head"] = "mean"
    c1, c2 = st.columns([3, 2])
    with c1:
        layer = st.slider(t("layer"), 0, n_layers - 1, key="layer") if n_layers > 1 else 0
    with c2:
        head = st.selectbox(t("head"), options, format_func=head_label, key="head")
    return layer, head


def absolute_url(path_and_query: str) -> str:
    """This server's address (as the browser sees it) + path; shown as text, never as HTML."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(st.context.url or "")
        base = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    except Exception:  # no browser context (AppTest, scripts)
        base = ""
    return base + path_and_query


def share_link(page_path: str) -> None:
    """The current view as a link: st.code has a copy button, and the text is never rendered."""
    from urllib.parse import urlencode

    query = urlencode(dict(st.query_params))
    st.caption(t("copy_link"))
    st.code(absolute_url(f"/{page_path}?{query}" if query else f"/{page_path}"), language=None)


def font_size() -> int:
    return 20 if st.session_state.get("big") else 13
