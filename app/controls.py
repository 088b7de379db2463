"""Shared widgets: model picker, sentence boxes, layer/head selectors.

Widget keys are the session-state keys of app.state, so values survive page
changes and mirror into the URL.
"""

from __future__ import annotations

import streamlit as st

import bertviz_core as bc
from app import state
from app.i18n import t
from bertviz_core.models import heads
from bertviz_core.models.loading import short_id


def model_picker(key: str = "model", label_key: str = "model", default: str = state.DEFAULT_MODEL, on_pick=None) -> str:
    """A registry model (or the hub id / local folder from the URL or the 'Other model' box).
    `on_pick` runs when the user picks a model (not when a page sets its own default)."""
    from bertviz_core.models import fetch

    entries = {e.id: e for e in bc.available_models()}
    local = fetch.local_models()  # folders in the models folder (e.g. prepared with bertviz_core.models.fetch)
    current = st.session_state.get(key, default)
    options = list(entries) + [m for m in local if m not in entries]
    if current not in entries:  # a hub id or local folder from the URL stays selectable
        options.append(current)
    st.session_state[key] = current

    def label(model_id: str) -> str:
        e = entries.get(model_id)
        if model_id in local:
            return f"{model_name(model_id)} · {t('local_model')}"
        if e is None:
            return model_name(model_id)
        return f"{model_name(model_id)} · {t('needs_internet')}" if e.needs_internet else model_name(model_id)

    choice = st.selectbox(t(label_key), options, format_func=label, key=key, on_change=on_pick)

    def use_other():  # runs before the next rerun, when the selectbox may still take a new value
        typed = st.session_state.get(f"{key}_other", "").strip()
        if typed:
            st.session_state[key] = typed
            if on_pick:
                on_pick()
        st.session_state[f"{key}_other"] = ""

    with st.popover(t("other_model"), width="stretch"):
        st.text_input(
            t("other_model_help"),
            key=f"{key}_other",
            on_change=use_other,
            placeholder="bert-base-cased · owner/name · my-local-folder",
        )
    return choice


def sentence_inputs(pair: bool = True) -> tuple[str, str | None]:
    st.session_state.setdefault("text", state.DEFAULT_TEXT)
    # no max_chars: its counter covers the end of a long pasted text; state.clean_text cuts and says so
    text = st.text_input(t("sentence"), key="text", help=t("sentence_help"))
    text_b = None
    if pair:
        text_b = st.text_input(t("sentence_b"), key="text_b") or None
    return text, text_b


def model_and_sentence(pair: bool = True) -> tuple[str, str, str | None]:
    """The usual header of a page: model picker beside the sentence boxes."""
    c1, c2 = st.columns([2, 3])  # room for the longest model name
    with c1:
        model_id = model_picker()
    with c2:
        text, text_b = sentence_inputs(pair)
    return model_id, text, text_b


def head_options(n_heads: int, n_conv: int = 0, mean: bool = True) -> list[str]:
    """'mean', '0'..'H-1', then 'c0'.. for ConvBERT's convolution heads (bertviz_core.models.heads tokens)."""
    return heads.options(n_heads, n_conv, mean=mean)


def head_label(option: str) -> str:
    """A head token ("mean", "3", "c1") in words: "All heads (average)", "Head 3", "Conv head 1"."""
    head = heads.parse(option)
    if head == heads.MEAN:
        return t("all_heads")
    return t("conv_head_n", n=head.index) if head.is_conv else t("head_n", n=head.index)


def layer_slider(n_layers: int, key: str = "layer", container=None) -> int:
    """The one layer control: the value in session state (e.g. from a URL) is checked against the
    model (0..n_layers-1; a negative or too large layer is clamped, with a message); a one-layer
    model gets a fixed "layer 0" text (a slider whose min equals its max cannot be drawn)."""
    where = container if container is not None else st
    layer, note = state.checked_layer(st.session_state.get(key, 0), n_layers)
    if note:
        st.warning(t("hard_layer_range", **note))
    st.session_state[key] = layer
    if n_layers <= 1:
        where.markdown(f"**{t('layer')}**  \n{t('hard_one_layer')}")
        return 0
    return int(where.slider(t("layer"), 0, n_layers - 1, key=key))


def head_select(
    n_heads: int, n_conv: int = 0, mean: bool = True, key: str = "head", label_key: str = "head", container=None
) -> str:
    """The one head picker (tokens of bertviz_core.models.heads); a head the model lacks falls back to the
    mean (or head 0 where the page has no mean), with a message."""
    where = container if container is not None else st
    default = heads.MEAN if mean else "0"
    head, note = state.checked_head(st.session_state.get(key), n_heads, n_conv, mean=mean, default=default)
    if note:
        st.warning(t("hard_head_missing", value=note["value"], shown=head_label(note["shown"])))
    st.session_state[key] = head
    return where.selectbox(t(label_key), head_options(n_heads, n_conv, mean=mean), format_func=head_label, key=key)


def query_select(
    tokens: list[str], key: str = "query", label_key: str = "step_query", default: int = 1, container=None
) -> int:
    """The one query-token picker: 0..T-1, out-of-range values clamped with a message."""
    where = container if container is not None else st
    query, note = state.checked_query(st.session_state.get(key), len(tokens), default=default)
    if note:
        st.warning(t("hard_query_range", **note))
    st.session_state[key] = query
    return int(where.selectbox(t(label_key), range(len(tokens)), key=key, format_func=lambda i: f"{i}: {tokens[i]}"))


def layer_and_head(n_layers: int, n_heads: int, n_conv: int = 0) -> tuple[int, str]:
    """Layer slider and head picker side by side; out-of-range values (e.g. from a URL) are clamped."""
    c1, c2 = st.columns([3, 2])
    layer = layer_slider(n_layers, container=c1)
    head = head_select(n_heads, n_conv, container=c2)
    return layer, head


def absolute_url(path_and_query: str) -> str:
    """This server's address (as the browser sees it) + path; shown as text, never as HTML."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(st.context.url or "")
        base = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    except (AttributeError, ValueError):  # no browser context (AppTest, scripts), or a URL urlsplit refuses
        base = ""
    return base + path_and_query


def share_link(page_path: str, *, container=None) -> None:
    """The current view as a link, behind a button: st.code has a copy button and never renders the text, but its
    highlighter costs every page load ~0.6 s of the browser's CPU; inside a popover it is loaded when opened.
    `container`: where the button goes (default: here), e.g. one cell of action_row()."""
    from urllib.parse import urlencode

    query = urlencode(dict(st.query_params))
    with (container if container is not None else st).popover(t("copy_link"), icon=":material/link:"):
        st.code(absolute_url(f"/{page_path}?{query}" if query else f"/{page_path}"), language=None)


def action_row():
    """One line under a figure for its buttons (Download, Data, Link): each button put in it takes the room its label
    needs, left to right, instead of the buttons stacking down the page."""
    return st.container(horizontal=True, gap="small")


def font_size() -> int:
    return 20 if st.session_state.get("big") else 13


def heatmap_px() -> int:
    """Side of a page's main square heatmap (plot area, px): as large as a 1400 px window's main
    column holds below the controls; larger in projector mode (a 1920 x 1080 screen)."""
    return 820 if st.session_state.get("big") else 640


def pair_px() -> int:
    """Width (px) of one figure holding two square heatmaps side by side: what a 1400 px window's main column
    holds; in projector mode what a 1920 px window's main column holds (1420 px beside the sidebar), so each
    square gets ~560 px and its token labels room to stand apart."""
    return 1400 if st.session_state.get("big") else 928


def model_name(model_id: str) -> str:
    """The model's name in the UI language (registry models), else its id (hub ids, local folders),
    cut to 80 characters and never a link where markdown shows it (an invisible joiner, see state.unlink)."""
    from app.i18n import TEXT

    key = f"mlabel_{model_id}"
    return t(key) if key in TEXT else state.unlink(short_id(model_id))
