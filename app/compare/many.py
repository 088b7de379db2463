"""/compare over many sentences: typed or uploaded sentences, sampled within bounds, compared here
(or two results folders of the corpus command), with summaries, maps, head matching and downloads."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import bertviz_core as bc
from app import state
from app.compare.common import short
from app.compare.matching import matching_section
from app.compare.metrics import metrics_section
from app.compare.results import results_section
from app.compare.summary import summary_csv, summary_section
from app.i18n import t
from bertviz_core.analysis import compare, stats
from bertviz_core.inputs import text as text_input

MAX_SENTENCES = 200  # compared at most (a bound on the work, with MAX_TOKENS)
MAX_TOKENS = 20_000  # tokens in all (the longer tokenization of A and B, [CLS]/[SEP] included)
MAX_READ_LINES = 20_000  # lines read from an upload or the box before sampling


def _load_example() -> None:
    st.session_state["many_text"] = (bc.registry.WEIGHTS_DIR.parent / "data" / "example_sentences.txt").read_text()
    st.session_state["many_source"] = "box"


def _uploaded() -> None:
    st.session_state["many_source"] = "file" if st.session_state.get("many_upload") is not None else "box"


def _clean_lines(lines) -> list[str]:
    return [s for s in (state.clean_text(x) for x in lines) if s]


def read_candidates(source: str, upload) -> tuple[list[str], bool]:
    """Candidate sentences from the chosen source (cleaned, empty lines dropped) and whether the
    MAX_READ_LINES cap cut them. Raises ValueError for a file that cannot be read."""
    if source == "file":
        if upload is None:
            return [], False
        lines = text_input.parse_sentence_upload(upload.name, upload.getvalue(), MAX_READ_LINES + 1)
    else:
        lines = st.session_state.get("many_text", "").splitlines()[: MAX_READ_LINES + 1]
    sentences = _clean_lines(lines)
    return sentences[:MAX_READ_LINES], len(lines) > MAX_READ_LINES


def token_lengths(lms, sentences: list[str]) -> np.ndarray:
    """Tokens per sentence ([CLS]/[SEP] included, capped at each model's limit): the larger of the models'."""
    out = np.zeros(len(sentences), dtype=np.int64)
    for lm in lms:
        ids = lm.tokenizer(sentences, add_special_tokens=True, verbose=False)["input_ids"]
        out = np.maximum(out, [min(len(x), lm.max_tokens) for x in ids])
    return out


def _capture_uncached(lm, text: str):
    """One forward pass outside the trace cache (many-sentence traces are reduced and dropped at once)."""
    with state.capture_slots:
        return bc.capture(lm, text)


def _sources() -> tuple[str, object]:
    """The sentence box, the upload, and which of them is used (said in a caption)."""
    st.button(t("many_example"), on_click=_load_example)
    st.text_area(t("many_sentences"), key="many_text", height=160)
    upload = st.file_uploader(
        t("many_upload", mb=text_input.MAX_UPLOAD_BYTES // 2**20),  # the limit said before a file is refused, not after
        type=["txt", "conllu", "conll"],
        key="many_upload",
        on_change=_uploaded,
    )
    st.session_state.setdefault("many_source", "file" if upload is not None else "box")
    source = st.radio(
        t("research_source"),
        ["box", "file"],
        key="many_source",
        horizontal=True,
        format_func=lambda s: t(f"research_source_{s}"),
    )
    n_box = sum(1 for line in st.session_state.get("many_text", "").splitlines() if line.strip())
    name = state.md_escape(upload.name) if upload is not None else ""
    if source == "box":
        st.caption(
            t("research_using_box_ignored", n=n_box, name=name)
            if upload is not None
            else t("research_using_box", n=n_box)
        )
    elif upload is not None:
        st.caption(t("research_using_file", name=name) if n_box else t("research_using_file_only", name=name))
    return source, upload


def many_section(model_a: str, model_b: str, lm_a, lm_b, exclude: bool) -> None:
    mode = st.radio(
        t("cmpm_many_mode"),
        ["run", "results"],
        key="many_mode",
        horizontal=True,
        format_func=lambda m: t(f"cmpm_many_mode_{m}"),
    )
    if mode == "results":
        results_section(model_a, model_b, exclude)
        return
    st.caption(t("research_many_help", n=MAX_SENTENCES, tokens=MAX_TOKENS, read=MAX_READ_LINES))
    source, upload = _sources()
    c1, c2, c3 = st.columns(3)
    method = c1.selectbox(
        t("research_method"),
        list(stats.SAMPLING_METHODS),
        key="many_method",
        format_func=lambda m: t(f"research_method_{m}"),
        help=t("research_method_help"),
    )
    seed = int(c2.number_input(t("research_seed"), min_value=0, max_value=2**31 - 1, value=0, step=1, key="many_seed"))
    limit = int(
        c3.number_input(
            t("research_max_sentences"),
            min_value=1,
            max_value=MAX_SENTENCES,
            value=MAX_SENTENCES,
            step=10,
            key="many_max",
        )
    )
    if st.button(t("many_run"), type="primary"):
        _run_many(model_a, model_b, lm_a, lm_b, exclude, source, upload, method, seed, limit)
    saved = st.session_state.get("many_summary")
    if saved and saved["models"] == (model_a, model_b):
        _show_many(saved, lm_a.label, lm_b.label, exclude)


def _run_many(model_a, model_b, lm_a, lm_b, exclude, source, upload, method, seed, limit) -> None:
    try:
        candidates, capped = read_candidates(source, upload)
    except ValueError as exc:
        st.error(t("upload_error", reason=state.md_escape(exc)))
        return
    if not candidates:
        st.warning(
            t("research_many_no_file")
            if source == "file" and upload is None
            else t("research_many_empty_box")
            if source == "box"
            else t("research_many_file_empty")
        )
        return
    lengths = token_lengths((lm_a, lm_b), candidates)
    sample = stats.sample_sentences(lengths, max_sentences=limit, max_tokens=MAX_TOKENS, method=method, seed=seed)
    chosen = [candidates[i] for i in sample.indices]
    bar = st.progress(0.0)

    def progress(i, done):
        bar.progress((i + 1) / len(chosen), text=t("many_progress", i=i + 1, n=len(chosen)))

    try:
        result = compare.compare_many(
            lm_a,
            lm_b,
            (s for s in chosen),
            max_rows=state.JS_MAX_ROWS,
            exclude_special=exclude,
            capture=_capture_uncached,
            progress=progress,
        )
    except ValueError as exc:  # every sentence skipped
        st.error(t("upload_error", reason=state.md_escape(exc)))
        return
    st.session_state["many_summary"] = {
        "models": (model_a, model_b),
        "result": result,
        "sample": sample,
        "capped": capped,
        "exclude": exclude,
    }


def _sample_notes(saved: dict) -> None:
    """What was read and sampled (the bound that dropped sentences, if any) and what was skipped."""
    result, sample = saved["result"], saved["sample"]
    if saved["capped"]:
        st.caption(t("research_read_cap", n=MAX_READ_LINES))
    if sample.dropped:
        bound = (
            t("research_bound_sentences", n=sample.max_sentences)
            if sample.stopped_by == "sentences"
            else t("research_bound_tokens", n=sample.max_tokens)
        )
        st.warning(
            t(
                "research_sample_dropped",
                used=len(sample.indices),
                total=sample.n_candidates,
                tokens=sample.tokens_used,
                method=t(f"research_method_{sample.method}"),
                seed=sample.seed,
                dropped=sample.dropped,
                bound=bound,
            )
        )
    else:
        st.info(t("research_sample_all", used=len(sample.indices), tokens=sample.tokens_used))
    if result.get("skipped"):
        _, sentence, reason = result["skipped"][0]
        st.warning(
            t(
                "research_skipped",
                n=len(result["skipped"]),
                sentence=state.md_escape(short(sentence)),
                reason=state.md_escape(reason),
            )
        )


def _show_many(saved: dict, label_a: str, label_b: str, exclude: bool) -> None:
    result, sample = saved["result"], saved["sample"]
    _sample_notes(saved)
    st.success(t("many_done", n=result["n_sentences"]))
    if saved["exclude"] != exclude:
        st.caption(
            t("research_stale", state=t("research_state_excluded" if saved["exclude"] else "research_state_included"))
        )
    with st.expander(t("research_sentences_used")):
        st.dataframe(
            pd.DataFrame(
                {t("research_col_tokens"): result["lengths_a"], t("research_col_sentence"): result["sentences"]}
            ),
            height=240,
            key="many_sentences_df",
        )
    summary_section(result, key="many")
    st.markdown(f"**{t('research_mean_heatmaps')}**")
    metrics_section(result, label_a, label_b, key="many", many=True)
    matching_section(result, key="many", many=True)
    downloads(result, sample)


def downloads(result: dict, sample) -> None:
    st.markdown(t("research_downloads"))
    c1, c2 = st.columns(2)
    c1.download_button(
        t("export_csv"),
        data=lambda: summary_csv(result),
        file_name="comparison-summary.csv",
        mime="text/csv",
        on_click="ignore",
        key="many_csv",
        icon=":material/table:",
    )
    c2.download_button(
        t("research_download_npz"),
        on_click="ignore",
        key="many_npz",
        file_name="comparison.npz",
        mime="application/octet-stream",
        icon=":material/database:",
        data=lambda: compare.comparison_to_npz(
            result,
            {
                "sampling": sample.method,
                "seed": sample.seed,
                "max_sentences": sample.max_sentences,
                "max_tokens": sample.max_tokens,
                "candidates": sample.n_candidates,
            },
        ),
    )
    st.caption(t("research_reproduce"))
    st.code(
        compare.reproduce_snippet(
            result["model_a"], result["model_b"], exclude_special=result["exclude_special"], max_rows=result["max_rows"]
        ),
        language="python",
    )
