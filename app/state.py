"""Session state, URL query parameters and cached resources (Streamlit glue).

- Models: `st.cache_resource`, one per process, shared by every session.
- Traces: one process-wide LRU cache bounded in bytes (BERTVIZ_TRACE_CACHE_MB,
  default 1024; a 512-token trace of the bundled BERT is ~80 MB), shared by all
  sessions (Traces are frozen, read-only arrays); keyed by (model, text, text_b)
  only, so reruns that change only the view reuse the capture. Comparison
  summaries (small: metrics, JS, CKA) have an LRU of their own.
- View state lives in `st.session_state` under plain keys that outlive a page
  change, and mirrors into the URL so any view is a shareable link.
"""
from __future__ import annotations

import os
import threading

import cachetools
import streamlit as st

import bertviz_core as bc
from bertviz_core import analysis

DEFAULT_MODEL = "bert-minilm-l6"
DEFAULT_PARTNER = "convbert-minilm-l6"
DEFAULT_TEXT = "The animal didn't cross the street because it was too tired."
MAX_CHARS = 5000  # longer input is cut before tokenizing (the model's token limit still applies)
TRACE_CACHE_BYTES = int(float(os.environ.get("BERTVIZ_TRACE_CACHE_MB", "1024")) * 2**20)
MAX_CONCURRENT_CAPTURES = 2  # 2 cores: more at once only makes everyone slower
JS_MAX_ROWS = 128  # head matching averages JS over at most this many query tokens (exact below)

# key -> parser for values read from the URL (strings)
QUERY_KEYS = {
    "model": str, "model_a": str, "model_b": str, "text": str, "text_b": str,
    "layer": int, "head": str, "query": int, "scale": str, "hide_special": lambda v: v in ("1", "true", "True"),
    "lang": str, "big": lambda v: v in ("1", "true", "True"),
}

_capture_slots = threading.BoundedSemaphore(MAX_CONCURRENT_CAPTURES)


def init_session() -> None:
    """Once per session: seed state from the URL. On every run: keep view state across pages."""
    ss = st.session_state
    if not ss.get("_seeded"):
        for key, parse in QUERY_KEYS.items():
            if key in st.query_params:
                try:
                    ss[key] = parse(st.query_params[key])
                except (TypeError, ValueError):
                    pass  # a malformed parameter falls back to the default
        ss["_seeded"] = True
    for key in QUERY_KEYS:  # re-assigning stops Streamlit from dropping widget state on page change
        if key in ss:
            ss[key] = ss[key]


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


@st.cache_resource(show_spinner=False, max_entries=6)
def get_model(model_id: str) -> bc.LoadedModel:
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


def md_escape(value) -> str:
    """Make a user-derived string inert inside Streamlit markdown (messages, captions)."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(value))


def clean_text(text: str | None) -> str:
    """Strip, drop control characters (keep newlines/tabs as spaces), cap the length."""
    if not text:
        return ""
    text = "".join(ch if ch.isprintable() or ch in " \t\n" else " " for ch in text[:MAX_CHARS])
    return " ".join(text.split())


def trace_or_stop(model_id: str, text: str, text_b: str | None = None) -> tuple[bc.LoadedModel, bc.Trace]:
    """Load and capture, or show a friendly message and stop the page."""
    from app import i18n

    text, text_b = clean_text(text), clean_text(text_b) or None
    if not text:
        st.info(i18n.t("empty_sentence"))
        st.stop()
    try:
        lm = get_model(model_id)
    except bc.ModelLoadError as exc:
        st.error(i18n.t("model_failed", model=md_escape(model_id), reason=md_escape(exc)))
        st.stop()
    except Exception as exc:  # anything unexpected: a message, never a traceback
        st.error(i18n.t("model_failed", model=md_escape(model_id), reason=md_escape(f"{type(exc).__name__}: {exc}")))
        st.stop()
    if _capture_slots._value == 0:  # all slots busy: say so while we wait
        st.caption(i18n.t("waiting"))
    with st.spinner(i18n.t("running", model=lm.label)):
        try:
            trace = _cached_trace(model_id, text, text_b)
        except Exception as exc:
            st.error(i18n.t("capture_failed", reason=md_escape(f"{type(exc).__name__}: {exc}")))
            st.stop()
    if trace.dropped_tokens:
        st.warning(i18n.t("truncated", kept=len(trace), dropped=trace.dropped_tokens))
    if len(text) >= MAX_CHARS:
        st.warning(i18n.t("chars_cut", n=MAX_CHARS))
    return lm, trace
