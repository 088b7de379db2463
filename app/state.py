"""Session state, URL query parameters and cached resources (Streamlit glue).

- Models: `st.cache_resource`, one per process, shared by every session.
- Traces: one process-wide LRU cache bounded in bytes (BERTVIZ_TRACE_CACHE_MB,
  default 1024; a 512-token trace of the bundled BERT is ~80 MB), shared by all
  sessions (Traces are frozen, read-only arrays); keyed by (model, text, text_b)
  only, so reruns that change only the view reuse the capture. Comparison
  summaries (small: metrics, JS, CKA) have an LRU of their own.
- View state lives in `st.session_state` under plain keys that outlive a page
  change, and mirrors into the URL so any view is a shareable link.

URL parameters (every page): `URL_PARAMS` is the one table of keys and their
parsers, read once per session by `init_session`:
- a value its parser refuses (`layer=abc`, `head=zz`, `lang=fr`) is dropped:
  the page uses its default and a message names the key and the value;
- a repeated key (`?layer=1&layer=5`) uses its FIRST value, and says so;
- heads are named by `bertviz_core.models.heads` ("3", "c1", "mean"; "H3"/"C1" are
  accepted and normalised);
- ranges depend on the model, so they are checked when the page knows it:
  `checked_layer` (0..L-1; negative or too large -> clamped, with a message),
  `checked_head` (the head must exist in the model), `checked_query`
  (0..T-1); `app.controls.layer_slider` / `head_select` / `query_select` use them.
Nothing a user typed is rendered as markdown unescaped: `md_escape` also
breaks the autolinks Streamlit's markdown would make of `http://`, `www.`
and e-mail addresses.
"""
from __future__ import annotations

import os
import re
import threading

import cachetools
import streamlit as st

import bertviz_core as bc
from bertviz_core.analysis import metrics as analysis
from bertviz_core.models import heads
from bertviz_core.models.loading import scrub_paths, short_id

DEFAULT_MODEL = "bert-minilm-l6"
DEFAULT_PARTNER = "convbert-minilm-l6"
DEFAULT_TEXT = "The animal didn't cross the street because it was too tired."
MAX_CHARS = 5000  # longer input is cut before tokenizing (the model's token limit still applies)
TRACE_CACHE_BYTES = int(float(os.environ.get("BERTVIZ_TRACE_CACHE_MB", "1024")) * 2**20)
MAX_CONCURRENT_CAPTURES = 2  # 2 cores: more at once only makes everyone slower
JS_MAX_ROWS = 128  # head matching averages JS over at most this many query tokens (exact below)

def _int_param(value: str) -> int:
    if not re.fullmatch(r"\s*[+-]?[0-9]{1,9}\s*", value):
        raise ValueError(value)
    return int(value)


def _flag_param(value: str) -> bool:
    v = value.strip().lower()
    if v in ("1", "true", "yes", "on"):
        return True
    if v in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(value)


def _choice_param(*allowed: str):
    def parse(value: str) -> str:
        if value.strip() not in allowed:
            raise ValueError(value)
        return value.strip()
    return parse


def _head_param(value: str) -> str:
    return heads.to_token(heads.parse(value))


def _str_param(value: str) -> str:
    return str(value)


# key -> parser for values read from the URL (strings); a parser raises ValueError on a bad value
URL_PARAMS = {
    "model": _str_param, "model_a": _str_param, "model_b": _str_param, "text": _str_param, "text_b": _str_param,
    "layer": _int_param, "head": _head_param, "query": _int_param, "scale": _choice_param("fixed", "auto"),
    "hide_special": _flag_param, "lang": _choice_param("en", "zh"), "big": _flag_param,
    # /compare: what is compared (raw attention or a method of bertviz_core.analysis.contributions.METHODS)
    "compare_method": _choice_param("attention", "norm", "rollout", "flow", "alti"),
    # /contributions: the method beside raw attention (pages/contributions.py METHODS)
    "contrib_method": _choice_param("norm", "rollout", "flow", "alti"),
}
QUERY_KEYS = URL_PARAMS  # the name older code uses

_capture_slots = threading.BoundedSemaphore(MAX_CONCURRENT_CAPTURES)


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


def init_session() -> None:
    """Once per session: seed state from the URL. On every run: keep view state across pages,
    and show what could not be used from the URL while the URL still holds it."""
    ss = st.session_state
    if not ss.get("_seeded"):
        params = {k: st.query_params.get_all(k) for k in st.query_params}
        values, notes = parse_url(params)
        ss.update(values)
        ss["_url_notes"] = [(key, params[key], msg, fmt) for key, msg, fmt in notes]
        ss["_seeded"] = True
    for key in URL_PARAMS:  # re-assigning stops Streamlit from dropping widget state on page change
        if key in ss:
            ss[key] = ss[key]
    show_url_notes()


def show_url_notes() -> None:
    from app import i18n

    kept = []
    for key, raw, msg, fmt in st.session_state.get("_url_notes", []):
        if st.query_params.get_all(key) == raw:  # gone once the page rewrites its link
            st.warning(i18n.t(msg, **fmt))
            kept.append((key, raw, msg, fmt))
    st.session_state["_url_notes"] = kept


def _as_int(value):
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    return _int_param(str(value))


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


def checked_head(value, n_heads: int, n_conv: int = 0, mean: bool = True,
                 default: str = heads.MEAN) -> tuple[str, dict | None]:
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


def sync_url(*keys: str) -> None:
    """Mirror the given state keys into the URL (only those, so each page's link is minimal)."""
    wanted = {}
    for k in keys:
        v = st.session_state.get(k)
        if v is None or v == "" or v is False:
            continue
        wanted[k] = "1" if v is True else str(v)
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def get_model(model_id: str) -> bc.LoadedModel:
    """The process-wide model (bertviz_core's cache: one object per resolved location, LRU-bounded)."""
    return bc.load_model(model_id)


_traces = cachetools.LRUCache(maxsize=TRACE_CACHE_BYTES, getsizeof=lambda trace: trace.nbytes)
_traces_lock = threading.Lock()


def _cached_trace(model_id: str, text: str, text_b: str | None) -> bc.Trace:
    key = (model_id, text, text_b)
    with _traces_lock:
        trace = _traces.get(key)
    if trace is not None:
        return trace
    lm = get_model(model_id)
    with _capture_slots:  # at most MAX_CONCURRENT_CAPTURES forward passes at once
        trace = bc.capture(lm, text, text_b)
    if trace.nbytes <= TRACE_CACHE_BYTES:
        with _traces_lock:
            _traces[key] = trace
    return trace


def cached_trace(model_id: str, text: str, text_b: str | None = None) -> bc.Trace:
    """A capture through the shared bounded cache (raises on bad input or model errors)."""
    return _cached_trace(model_id, clean_text(text), clean_text(text_b) or None)


_comparisons = cachetools.LRUCache(maxsize=64)  # each a few hundred KB at most


def cached_comparison(model_a: str, model_b: str, text: str, matching: bool) -> dict:
    """analysis.compare_traces for one sentence, cached, so view changes and tab switches are free.

    Heavy (JS over every pair of heads), so it takes a capture slot like a forward pass does."""
    key = (model_a, model_b, clean_text(text), matching)
    with _traces_lock:
        summary = _comparisons.get(key)
    if summary is None:
        pair = (cached_trace(model_a, text), cached_trace(model_b, text))
        with _capture_slots:
            summary = analysis.compare_traces([pair], matching=matching, max_rows=JS_MAX_ROWS)
        with _traces_lock:
            _comparisons[key] = summary
    return summary


_MD_SPECIAL = set("\\`*_{}[]()#+-.!|<>$~:")
_WORD_JOINER = "\u2060"
# where GitHub-flavoured markdown would start an autolink literal: "scheme:" + "//", "www" + ".", "@" (e-mail);
# Streamlit links these after parsing, so backslash escapes do not stop them: an invisible joiner does
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)


def unlink(value) -> str:
    """`value` with every markdown autolink broken by an invisible word joiner (and nothing else changed)."""
    return _AUTOLINK.sub(_WORD_JOINER, str(value))


def md_escape(value) -> str:
    """Make a user-derived string inert inside Streamlit markdown (messages, captions): no formatting,
    no HTML, no link (autolinks are broken with an invisible word joiner)."""
    text = unlink(value)
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text)


def clean_text(text: str | None) -> str:
    """Strip, drop control characters (keep newlines/tabs as spaces), cap the length."""
    if not text:
        return ""
    text = "".join(ch if ch.isprintable() or ch in " \t\n" else " " for ch in text[:MAX_CHARS])
    return " ".join(text.split())


def load_error_text(model_id, exc: Exception) -> str:
    """The "Could not load model" message: the id cut and printed once, the reason in the UI language,
    no server path, nothing that renders as a link."""
    from app import i18n

    if isinstance(exc, bc.ModelLoadError):
        detail = exc.detail
        key = f"hard_load_{exc.reason}"
        if key not in i18n.TEXT:
            key, detail = "hard_load_other", str(exc)
    else:  # anything unexpected
        key, detail = "hard_load_load_failed", f"{type(exc).__name__}: {exc}"
    detail = scrub_paths(detail)
    detail = md_escape(detail[:300] + "…" if len(detail) > 300 else detail) or i18n.t("hard_detail_none")
    return i18n.t("model_failed", model=md_escape(short_id(str(model_id).strip())), reason=i18n.t(key, detail=detail))


def trace_or_stop(model_id: str, text: str, text_b: str | None = None) -> tuple[bc.LoadedModel, bc.Trace]:
    """Load and capture, or show a friendly message and stop the page."""
    from app import i18n

    raw_text, raw_text_b = text or "", text_b or ""
    text, text_b = clean_text(text), clean_text(text_b) or None
    if not text:
        st.info(i18n.t("empty_sentence"))
        st.stop()
    try:
        with st.spinner(i18n.t("loading_model", model=md_escape(short_id(str(model_id))))):  # shows after 0.5 s
            lm = get_model(model_id)
    except Exception as exc:  # ModelLoadError or anything unexpected: a message, never a traceback
        st.error(load_error_text(model_id, exc))
        st.stop()
    if _capture_slots._value == 0:  # all slots busy: say so while we wait
        st.caption(i18n.t("waiting"))
    with st.spinner(i18n.t("running", model=md_escape(short_id(lm.label)))):
        try:
            trace = _cached_trace(model_id, text, text_b)
        except Exception as exc:
            reason = scrub_paths(f"{type(exc).__name__}: {exc}")
            st.error(i18n.t("capture_failed", reason=md_escape(reason[:300])))
            st.stop()
    if trace.dropped_tokens:
        st.warning(i18n.t("truncated", kept=len(trace), dropped=trace.dropped_tokens))
    if len(raw_text) > MAX_CHARS:
        st.warning(i18n.t("chars_cut", n=MAX_CHARS))
    if len(raw_text_b) > MAX_CHARS:
        st.warning(i18n.t("hard_text_b_cut", n=MAX_CHARS))
    return lm, trace
