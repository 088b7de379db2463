"""Forward passes and other heavy work, process-wide: the capture slots, the cached trace, the page's
capture with its messages (Streamlit glue).

- At most MAX_CONCURRENT_CAPTURES heavy computations run at once, whoever asks (2 cores: more at once
  only makes everyone slower): `with capture_slots:` around every forward pass and every computation
  of the same weight (JS over every pair of heads, norm-based attention, ALTI, an intervention).
- Traces come from `app.state.caches.traces`, keyed by (model, text, text_b) only, so reruns that
  change only the view reuse the capture.
- DeBERTa's score terms (capture(..., terms=True), three times the attention's memory) have a trace cache of
  their own (`trace_or_stop(..., terms=True)`), and `cached_term_summary` keeps what /deberta derives from them.
- `trace_or_stop` is a page's capture: while every slot is busy it says it waits (the waiting note);
  a model that cannot load or a capture that fails is a message in the UI language, never a traceback.
"""

from __future__ import annotations

import threading
from typing import Self

import streamlit as st

import bertviz_core as bc
from app.state import caches
from app.state.text import MAX_CHARS, clean_text, md_escape, visible_bidi
from bertviz_core.analysis import compare, deberta
from bertviz_core.models.loading import scrub_paths, short_id

MAX_CONCURRENT_CAPTURES = 2  # 2 cores: more at once only makes everyone slower
JS_MAX_ROWS = 128  # head matching averages JS over at most this many query tokens (exact below)


class CaptureSlots:
    """A bounded semaphore (a context manager) that also says how many slots are free and how many
    callers wait for one: the page's waiting note, and tests, read these instead of the semaphore's
    private counters."""

    def __init__(self, limit: int):
        self.limit = int(limit)
        self._semaphore = threading.BoundedSemaphore(self.limit)
        self._lock = threading.Lock()
        self._held = 0
        self._waiting = 0

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        """Take a slot (waiting for one if `blocking`, at most `timeout` seconds); True if taken."""
        with self._lock:
            self._waiting += 1
        got = False
        try:
            got = self._semaphore.acquire(blocking, timeout)
        finally:
            with self._lock:
                self._waiting -= 1
                self._held += int(got)
        return got

    def release(self) -> None:
        """Give a slot back (ValueError if none is held)."""
        self._semaphore.release()
        with self._lock:
            self._held -= 1

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    @property
    def free(self) -> int:
        """Slots nobody holds now."""
        with self._lock:
            return self.limit - self._held

    @property
    def waiting(self) -> int:
        """Callers blocked waiting for a slot now."""
        with self._lock:
            return self._waiting


capture_slots = CaptureSlots(MAX_CONCURRENT_CAPTURES)


def get_model(model_id: str) -> bc.LoadedModel:
    """The process-wide model (bertviz_core's cache: one object per resolved location, LRU-bounded)."""
    return bc.load_model(model_id)


def _cached_trace(model_id: str, text: str, text_b: str | None, terms: bool = False) -> bc.Trace:
    """The trace of already cleaned texts through the shared cache (the forward pass in a slot); with `terms`,
    one that also keeps DeBERTa's score terms (capture(..., terms=True)), in a cache of its own."""

    def capture() -> bc.Trace:
        lm = get_model(model_id)
        with capture_slots:  # at most MAX_CONCURRENT_CAPTURES forward passes at once
            return bc.capture(lm, text, text_b, terms=True) if terms else bc.capture(lm, text, text_b)

    cache = caches.term_traces if terms else caches.traces
    return cache.get_or_compute((model_id, text, text_b), capture)


def cached_trace(model_id: str, text: str, text_b: str | None = None) -> bc.Trace:
    """A capture through the shared bounded cache (raises on bad input or model errors)."""
    return _cached_trace(model_id, clean_text(text), clean_text(text_b) or None)


def cached_comparison(model_a: str, model_b: str, text: str, matching: bool, exclude_special: bool = False) -> dict:
    """analysis.compare.compare_traces for one sentence, cached per switch setting, so view changes and tab
    switches are free. Heavy (JS over every pair of heads), so it takes a capture slot."""

    def compute() -> dict:
        pair = (cached_trace(model_a, text), cached_trace(model_b, text))
        with capture_slots:
            return compare.compare_traces(  # the matching tab shows no metrics: not computed for it
                [pair], matching=matching, max_rows=JS_MAX_ROWS, exclude_special=exclude_special, metrics=not matching
            )

    return caches.comparisons.get_or_compute((model_a, model_b, clean_text(text), matching, exclude_special), compute)


def cached_term_summary(model_id: str, text: str) -> dict:
    """bertviz_core.analysis.deberta over one sentence's score terms (a DeBERTa), cached: {"shares": [L, H, 3]
    (term_shares), "js": {ablation name: [L, H]} (ablation_divergence, nats), "ranked": positional_heads' list,
    most positional first}, computed in a capture slot (the library works one layer at a time)."""
    text = clean_text(text)

    def compute() -> dict:
        terms = _cached_trace(model_id, text, None, terms=True).deberta_terms
        if terms is None:
            raise ValueError("this model has no score terms")
        with capture_slots:
            shares = deberta.term_shares(terms)
            js = deberta.ablation_divergence(terms)
            ranked = deberta.positional_heads(js=js)
        for array in (shares, *js.values()):
            array.setflags(write=False)  # shared read-only by every session
        return {"shares": shares, "js": js, "ranked": ranked}

    return caches.term_summaries.get_or_compute((model_id, text), compute)


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
    if not detail and key == "hard_load_outside_models_dir":  # not "(or its file no details)": a plain wording
        key = "hard_load_outside_models_dir_plain"
    detail = md_escape(detail[:300] + "…" if len(detail) > 300 else detail) or i18n.t("hard_detail_none")
    return i18n.t("model_failed", model=md_escape(short_id(str(model_id).strip())), reason=i18n.t(key, detail=detail))


def trace_or_stop(
    model_id: str, text: str, text_b: str | None = None, *, terms: bool = False
) -> tuple[bc.LoadedModel, bc.Trace]:
    """Load and capture, or show a friendly message and stop the page (`terms`: keep DeBERTa's score terms)."""
    from app import i18n

    raw_text, raw_text_b = text or "", text_b or ""
    text, text_b = clean_text(text), clean_text(text_b) or None
    if not text:
        st.info(i18n.t("empty_sentence"))
        st.stop()
    try:
        with st.spinner(i18n.t("loading_model", model=md_escape(short_id(str(model_id))))):  # shows after 0.5 s
            lm = get_model(model_id)
    except Exception as exc:  # noqa: BLE001 - ModelLoadError or anything unexpected: a message, never a traceback
        st.error(load_error_text(model_id, exc))
        st.stop()
    if capture_slots.free == 0:  # all slots busy: say so while we wait
        st.caption(i18n.t("waiting"))
    with st.spinner(i18n.t("running", model=md_escape(short_id(lm.label)))):
        try:
            trace = _cached_trace(model_id, text, text_b, terms)
        except Exception as exc:  # noqa: BLE001 - any capture failure becomes the page's message
            reason = scrub_paths(f"{type(exc).__name__}: {exc}")
            st.error(i18n.t("capture_failed", reason=md_escape(reason[:300])))
            st.stop()
    if trace.dropped_tokens:
        st.warning(i18n.t("truncated", kept=len(trace), dropped=trace.dropped_tokens))
    if len(raw_text) > MAX_CHARS:
        st.warning(i18n.t("chars_cut", n=MAX_CHARS))
    for typed in (raw_text, raw_text_b):  # invisible direction controls would silently reorder what is shown
        shown = visible_bidi(typed[:MAX_CHARS])
        if shown is not None:
            st.warning(i18n.t("hard_bidi", shown=md_escape(shown[:300])))
    if len(raw_text_b) > MAX_CHARS:
        st.warning(i18n.t("hard_text_b_cut", n=MAX_CHARS))
    return lm, trace
