"""Session state, URL query parameters, process-wide caches and capture slots (Streamlit glue).

    from app import state
    lm, trace = state.trace_or_stop(model_id, text)    # a page's capture, with its messages
    state.sync_url("model", "text", "layer")            # the view as a shareable link

- `url`: every URL parameter validated in one place (URL_PARAMS, parse_url, sync_url, the notes shown
  for bad values, the model-dependent range checks checked_layer / checked_head / checked_query);
- `session`: session-state helpers (init_session, the default model and sentence);
- `caches`: the one bounded-LRU helper (BoundedCache) and every process-wide cache, bounds listed there;
- `captures`: the capture slots (at most two heavy computations at once), the cached trace, the
  waiting note and trace_or_stop;
- `text`: what a user typed, cleaned (clean_text) and made inert for markdown (md_escape, unlink).

Models have their own process-wide LRU in bertviz_core.models.loading. The names pages use are
re-exported here, explicitly.
"""

from __future__ import annotations

from app.state import caches, captures, session, text, url
from app.state.captures import (
    JS_MAX_ROWS,
    MAX_CONCURRENT_CAPTURES,
    cached_comparison,
    cached_term_summary,
    cached_trace,
    capture_slots,
    get_model,
    load_error_text,
    trace_or_stop,
)
from app.state.session import DEFAULT_MODEL, DEFAULT_PARTNER, DEFAULT_TEXT, init_session
from app.state.text import MAX_CHARS, clean_text, md_escape, unlink
from app.state.url import (
    COMPARE_METHODS,
    CONTRIB_METHODS,
    RAW_ATTENTION,
    URL_PARAMS,
    checked_head,
    checked_layer,
    checked_query,
    parse_url,
    show_url_notes,
    shown_value,
    sync_url,
    with_language,
)

__all__ = [
    "COMPARE_METHODS",
    "CONTRIB_METHODS",
    "DEFAULT_MODEL",
    "DEFAULT_PARTNER",
    "DEFAULT_TEXT",
    "JS_MAX_ROWS",
    "MAX_CHARS",
    "MAX_CONCURRENT_CAPTURES",
    "RAW_ATTENTION",
    "URL_PARAMS",
    "cached_comparison",
    "cached_term_summary",
    "cached_trace",
    "caches",
    "capture_slots",
    "captures",
    "checked_head",
    "checked_layer",
    "checked_query",
    "clean_text",
    "get_model",
    "init_session",
    "load_error_text",
    "md_escape",
    "parse_url",
    "session",
    "show_url_notes",
    "shown_value",
    "sync_url",
    "text",
    "trace_or_stop",
    "unlink",
    "url",
    "with_language",
]
