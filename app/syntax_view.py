"""Streamlit glue for /syntax: where the tables and treebank sentences come from (cached)."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import streamlit as st

from app import state
from app.i18n import t
from app.state import caches
from bertviz_core.analysis import syntax

EWT_TEST = Path(__file__).resolve().parents[2] / "shared" / "data" / "ud-english-ewt" / "en_ewt-ud-test.conllu"
EWT_SENTENCES = 2077
PICKER_SENTENCES = 300  # treebank sentences offered in the picker
MAX_UPLOAD_SENTENCES = 500
_compute_lock = threading.Lock()  # one full-treebank computation at a time per server


def ewt_path() -> Path | None:
    return EWT_TEST if EWT_TEST.is_file() else None


def shipped_table(model_id: str):
    """The precomputed EWT test table of a bundled model, or None (cached: caches.syntax_shipped_tables)."""

    def read():
        path = syntax.shipped_table_path(model_id)
        return syntax.read_table(path) if path.is_file() else None

    return caches.syntax_shipped_tables.get_or_compute(model_id, read)


def disk_table(model_id: str, digest: str):
    """A table computed earlier for this model and treebank file (kept under syntax.cache_dir()), or None
    (cached: caches.syntax_disk_tables, cleared when a table is computed)."""

    def read():
        path = syntax.cached_table_path(model_id, digest)
        if not path.is_file():
            return None
        try:
            return syntax.read_table(path)
        except ValueError:
            return None

    return caches.syntax_disk_tables.get_or_compute((model_id, digest), read)


def compute_ewt_table(model_id: str):
    """Compute (once per server, then from disk) the EWT test table of any model, with a progress bar."""
    lm = state.get_model(model_id)
    bar = st.progress(0.0, text=t("syn_progress", i=0, n=EWT_SENTENCES))
    step = max(1, EWT_SENTENCES // 100)

    def progress(done: int, total: int) -> None:
        if done % step == 0 or done == total:
            bar.progress(done / total, text=t("syn_progress", i=done, n=total))

    with _compute_lock:
        frame = syntax.table_for(lm, EWT_TEST, progress=progress)
    caches.syntax_disk_tables.clear()
    bar.empty()
    return frame


def ewt_sentences() -> list[syntax.Sentence]:
    """The first PICKER_SENTENCES sentences of UD EWT test (frozen dataclasses, shared read-only;
    cached: caches.treebank_sentences)."""

    def read() -> list[syntax.Sentence]:
        path = ewt_path()
        return syntax.read_conllu(path, PICKER_SENTENCES) if path else []

    return caches.treebank_sentences.get_or_compute((), read)


def treebank_upload(upload) -> list[syntax.Sentence]:
    """Sentences of an uploaded CoNLL-U file (ValueError with the reason on bad input)."""
    from bertviz_core.inputs.text import MAX_UPLOAD_BYTES, decode_text

    raw = upload.getvalue()
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ValueError(f"{len(raw) / 2**20:.1f} MB > {MAX_UPLOAD_BYTES // 2**20} MB")
    if b"\x00" in raw[:4096]:
        raise ValueError("binary file")
    return syntax.read_conllu(decode_text(raw), MAX_UPLOAD_SENTENCES)


def compute_upload_table(model_id: str, sentences: list[syntax.Sentence]):
    lm = state.get_model(model_id)
    bar = st.progress(0.0, text=t("syn_progress", i=0, n=len(sentences)))

    def progress(done: int, total: int) -> None:
        if done % 10 == 0 or done == total:
            bar.progress(done / total, text=t("syn_progress", i=done, n=total))

    frame = syntax.head_accuracy(lm, sentences, progress=progress)
    bar.empty()
    return frame


MAX_RESULTS_UPLOAD_BYTES = 5 * 2**20  # also the server's maxUploadSize; a whole-treebank table is < 1 MB


def results_upload(upload):
    """A syntax.parquet uploaded by the user (ValueError with the reason if it is not one)."""
    if upload.size > MAX_RESULTS_UPLOAD_BYTES:
        raise ValueError(
            t("cmpm_syn_upload_large", mb=round(upload.size / 2**20, 1), limit=MAX_RESULTS_UPLOAD_BYTES // 2**20)
        )
    return syntax.read_table(io.BytesIO(upload.getvalue()))


def results_folder_table(model_id: str):
    """The syntax table of a results folder picked from the server's results folder (only folders inside
    it are listed, and the picked one is checked again when loaded), or None with the reason shown."""
    from app import results_view

    names = results_view.folders()
    if not names:
        st.info(t("cmpm_res_none"))
        return None
    if st.session_state.get("syn_results_folder") not in names:
        with_syntax = [n for n in names if "syntax" in results_view.meta(n).get("stats", ["syntax"])]
        st.session_state["syn_results_folder"] = results_view.propose(with_syntax or names, model_id)
    name = st.selectbox(t("cmpm_res_folder"), names, key="syn_results_folder", format_func=results_view.folder_label)
    try:
        res = results_view.load(name)
    except ValueError as exc:  # corpus.ResultsError
        st.error(t("cmpm_res_error", reason=results_view.reason(exc)))
        return None
    if res["syntax"] is None:
        st.warning(t("cmpm_syn_no_syntax", name=state.md_escape(res["name"])))
        return None
    frame = res["syntax"]
    frame.attrs.setdefault("model", res["meta"].get("model"))
    frame.attrs.setdefault("input", res["meta"].get("input"))
    return frame
