"""Warm the server before the first visitor: the bundled model, its first capture and the figure path.

Without it the first click after the server starts waits 20-30 s (torch and transformers imported, the model
loaded, the first capture, Plotly imported and its first figure built) while a class watches. `start()` does
that work once per process in a background thread, so the first page is not delayed by it: `app/serve.py`
calls it as the server starts (`make app`), and app/main.py calls it on every run (a no-op after the first),
so a server started with plain `streamlit run app/main.py` warms up when its first visitor arrives.
BERTVIZ_WARMUP=0 turns it off (benchmarks measure the cold start with it).
"""

from __future__ import annotations

import logging
import os
import threading

_started = threading.Event()
_start_lock = threading.Lock()
done = threading.Event()  # set when the warm-up finished (or failed: it never blocks anyone)


def enabled() -> bool:
    return os.environ.get("BERTVIZ_WARMUP", "1") != "0"


def warm(model_id: str | None = None, text: str | None = None) -> None:
    """Load the model, capture the default sentence into the cache the pages read, and build and serialise one
    head view (Plotly's import and first figure). Errors are swallowed: a warm-up never breaks the app."""
    from app.state import captures, session

    try:
        trace = captures.cached_trace(model_id or session.DEFAULT_MODEL, text or session.DEFAULT_TEXT)
        from bertviz_core import figures

        figures.head_view(trace, min(3, trace.n_layers - 1), 0).to_json()
    except Exception:  # logged: the page itself will say what is wrong, in the user's language
        logging.getLogger(__name__).warning("warm-up failed; the first page will load cold", exc_info=True)
    finally:
        done.set()


def start() -> threading.Thread | None:
    """Start warm() in a daemon thread, once per process; None when already started or turned off."""
    if not enabled():
        return None
    with _start_lock:
        if _started.is_set():
            return None
        _started.set()
    thread = threading.Thread(target=warm, name="bertviz-warmup", daemon=True)
    thread.start()
    return thread
