"""URL query parameters: every key a link can carry, validated in one place (Streamlit glue).

`URL_PARAMS` is the one table of keys and their parsers, read once per session by
`app.state.session.init_session` through `read_url`:
- a value its parser refuses (`layer=abc`, `head=zz`, `lang=fr`) is dropped:
  the page uses its default and a message names the key and the value (`show_url_notes`);
- a repeated key (`?layer=1&layer=5`) uses its FIRST value, and says so;
- heads are named by `bertviz_core.models.heads` ("3", "c1", "mean"; "H3"/"C1" are
  accepted and normalised);
- /intervene's switched-off heads (`heads`) are "L3H1 L0C2" (`heads_param`; "L3 H1", commas and any case
  accepted and normalised), checked against the model by `checked_heads` and written by `heads_value`;
- the method choices of /compare and /contributions are the library's methods
  (`bertviz_core.analysis.contributions.METHODS`), so a new method needs no change here;
- ranges depend on the model, so they are checked when the page knows it:
  `checked_layer` (0..L-1; negative or too large -> clamped, with a message),
  `checked_head` (the head must exist in the model), `checked_query`
  (0..T-1); `app.controls.layer_slider` / `head_select` / `query_select` use them.
A page writes its view back into the URL with `sync_url` (only the keys it names).
"""

from __future__ import annotations

import re

import streamlit as st

from app.state.text import md_escape
from bertviz_core.analysis import contributions as C
from bertviz_core.models import heads

NOTES_KEY = "_url_notes"  # session key: the notes still to show, with the raw values they are about
RAW_ATTENTION = "attention"  # the method that is the attention weights themselves
COMPARE_TABS = ("heads", "metrics", "matching", "many")  # /compare's tabs, in their order: the `tab` URL values
COMPARE_METHODS = tuple(C.METHODS)  # /compare: raw attention or any other method, the library's order
CONTRIB_METHODS = tuple(m for m in C.METHODS if m != RAW_ATTENTION)  # /contributions: beside raw attention


def int_param(value: str) -> int:
    """An integer of at most nine digits (an optional sign and spaces around it); ValueError otherwise."""
    if not re.fullmatch(r"\s*[+-]?[0-9]{1,9}\s*", value):
        raise ValueError(value)
    return int(value)


def flag_param(value: str) -> bool:
    """1/true/yes/on or 0/false/no/off/"" (any case, spaces around); ValueError otherwise."""
    v = value.strip().lower()
    if v in ("1", "true", "yes", "on"):
        return True
    if v in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(value)


def choice_param(*allowed: str):
    """A parser that accepts exactly one of `allowed` (spaces around it stripped)."""

    def parse(value: str) -> str:
        if value.strip() not in allowed:
            raise ValueError(value)
        return value.strip()

    return parse


def head_param(value: str) -> str:
    """A head name in its canonical token ("H3" -> "3", "C1" -> "c1"); ValueError if it names no head."""
    return heads.to_token(heads.parse(value))


_LAYER_HEAD = r"L([0-9]{1,4})\s*([HC][0-9]{1,4})"  # "L3H1", "L3 H1", "l0c2": a layer and one of its heads
_HEAD_ITEM = re.compile(_LAYER_HEAD, re.IGNORECASE | re.ASCII)
_HEADS_LIST = re.compile(rf"(?:[\s,;]*{_LAYER_HEAD})*[\s,;]*", re.IGNORECASE | re.ASCII)


def heads_param(value: str) -> str:
    """/intervene's switched-off heads, "L3H1 L0C2" (also "L3 H1", commas or semicolons between, any case; empty
    = none) -> the canonical form: each head once, by layer, attention heads before conv heads, spaces between
    (a link shows "heads=L3H1+L0C2"). ValueError if anything else is in it. Ranges: `checked_heads`."""
    if not _HEADS_LIST.fullmatch(value):
        raise ValueError(value)
    found = {(int(layer), heads.parse(head)) for layer, head in _HEAD_ITEM.findall(value)}
    return " ".join(f"L{layer}{heads.display(head)}" for layer, head in sorted(found))


def heads_value(names: list[str]) -> str:
    """Qualified head names ("L3 H1", as /intervene shows them) -> the URL's form of `heads_param` ("L3H1")."""
    return heads_param(" ".join(names))


def checked_heads(value, n_layers: int, n_heads: int, n_conv: int = 0) -> tuple[list[str], list[str]]:
    """The `heads` of a URL (or session) for a model: (qualified names it has, "L3 H1", by layer;
    the names it lacks, markdown-escaped). None -> nothing; a value `heads_param` refuses -> (nothing, [it])."""
    if value is None:
        return [], []
    try:
        canonical = heads_param(str(value))
    except ValueError:
        return [], [shown_value(value)]
    kept, missing = [], []
    for layer, head in _HEAD_ITEM.findall(canonical):
        head_id = heads.parse(head)
        if not isinstance(head_id, heads.HeadId):  # never: heads_param wrote "H1" / "C2"
            continue
        name = heads.qualified(int(layer), head_id)
        fits = int(layer) < int(n_layers) and heads.exists(head_id, n_heads, n_conv)
        (kept if fits else missing).append(name)
    return kept, missing


def str_param(value: str) -> str:
    """Any text (checked later by the page: a model id, a sentence)."""
    return str(value)


# key -> parser for values read from the URL (strings); a parser raises ValueError on a bad value
URL_PARAMS = {
    "model": str_param,
    "model_a": str_param,
    "model_b": str_param,
    "text": str_param,
    "text_b": str_param,
    "mask_text": str_param,  # /pretraining: the sentence with [MASK]s the model fills in
    "layer": int_param,
    "head": head_param,
    "query": int_param,
    "scale": choice_param("fixed", "auto"),
    "hide_special": flag_param,
    "lang": choice_param("en", "zh"),
    "big": flag_param,
    # /intervene: the switched-off heads ("L3H1 L0C2")
    "heads": heads_param,
    # /compare: the tab a link opens (pages/compare.py turns it into the tab's label once)
    "tab": choice_param(*COMPARE_TABS),
    # /compare: what is compared (raw attention or a method of bertviz_core.analysis.contributions.METHODS)
    "compare_method": choice_param(*COMPARE_METHODS),
    # /contributions: the method beside raw attention
    "contrib_method": choice_param(*CONTRIB_METHODS),
}


def shown_value(value, limit: int = 40) -> str:
    """A user-supplied value for a message: cut, then made inert for markdown (no links)."""
    value = str(value)
    return md_escape(value if len(value) <= limit else value[:limit] + "…")


def parse_url(params: dict[str, list[str]]) -> tuple[dict, list[tuple[str, str, dict]]]:
    """URL parameters {key: [values]} -> (session values, notes (key, i18n key, format values)).

    Unknown keys are ignored; a repeated key uses its first value; a value its parser refuses is dropped."""
    values, notes = {}, []
    for key, parse in URL_PARAMS.items():
        raw = [str(v) for v in params.get(key) or []]
        if not raw:
            continue
        if len(raw) > 1:
            notes.append((key, "hard_url_repeated", {"param": key, "n": len(raw), "value": shown_value(raw[0])}))
        try:
            values[key] = parse(raw[0])
        except (TypeError, ValueError):
            notes.append((key, "hard_url_bad", {"param": key, "value": shown_value(raw[0])}))
    return values, notes


def read_url() -> tuple[dict, list[tuple[str, list[str], str, dict]]]:
    """The browser's URL through parse_url: (session values, notes (key, raw values, i18n key, format values))."""
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    values, notes = parse_url(params)
    return values, [(key, params[key], msg, fmt) for key, msg, fmt in notes]


def show_url_notes() -> None:
    """Show what could not be used from the URL, while the URL still holds it (gone once the page rewrites it)."""
    from app import i18n

    kept = []
    for key, raw, msg, fmt in st.session_state.get(NOTES_KEY, []):
        if st.query_params.get_all(key) == raw:  # gone once the page rewrites its link
            st.warning(i18n.t(msg, **fmt))
            kept.append((key, raw, msg, fmt))
    st.session_state[NOTES_KEY] = kept


def _as_int(value):
    """An int as is, any other value through int_param; TypeError for a bool (True is not layer 1)."""
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, int):
        return value
    return int_param(str(value))


def checked_layer(value, n_layers: int) -> tuple[int, dict | None]:
    """A layer index for a model with n_layers: (index, None) if valid, else (clamped, note values)."""
    last = max(int(n_layers), 1) - 1
    try:
        layer = _as_int(value)
    except (TypeError, ValueError):
        return 0, {"value": shown_value(value), "last": last, "shown": 0}
    if 0 <= layer <= last:
        return layer, None
    shown = 0 if layer < 0 else last
    return shown, {"value": layer, "last": last, "shown": shown}


def checked_query(value, n_tokens: int, default: int = 1) -> tuple[int, dict | None]:
    """A token index in 0..n_tokens-1 (default when absent), clamped with note values if out of range."""
    last = max(int(n_tokens), 1) - 1
    if value is None:
        return min(default, last), None
    try:
        query = _as_int(value)
    except (TypeError, ValueError):
        return min(default, last), {"value": shown_value(value), "last": last, "shown": min(default, last)}
    if 0 <= query <= last:
        return query, None
    shown = 0 if query < 0 else last
    return shown, {"value": query, "last": last, "shown": shown}


def checked_head(
    value, n_heads: int, n_conv: int = 0, mean: bool = True, default: str = heads.MEAN
) -> tuple[str, dict | None]:
    """A head token ("mean", "3", "c1") that exists in the model, or (default, note values).

    "mean" where a page has no mean (mean=False) falls back to the default quietly."""
    if value is None:
        return default, None
    try:
        head = heads.parse(value)
    except ValueError:
        return default, {"value": shown_value(value), "shown": default}
    if head == heads.MEAN:
        return (heads.MEAN, None) if mean else (default, None)
    if heads.exists(head, n_heads, n_conv):
        return heads.to_token(head), None
    return default, {"value": heads.display(head), "shown": default}


def with_language(params: dict[str, str]) -> dict[str, str]:
    """`params` plus lang=<the UI language> unless it is English (the default): a link shared in 中文 opens in 中文."""
    lang = st.session_state.get("lang", "en")
    return {**params, "lang": str(lang)} if lang != "en" else dict(params)


def sync_url(*keys: str) -> None:
    """Mirror the given state keys into the URL (only those, so each page's link is minimal), and the language."""
    wanted = {}
    for k in keys:
        v = st.session_state.get(k)
        if v is None or v == "" or v is False:
            continue
        wanted[k] = "1" if v is True else str(v)
    wanted = with_language(wanted)
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)
