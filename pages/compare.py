"""/compare: two models on the same sentence, head by head."""
import streamlit as st

import bertviz_core as bc
from app import compare_view, controls, state
from app.i18n import t
from bertviz_core import analysis, corpus

MAX_SENTENCES = 200
COMPARE_CELLS = 192  # three heatmaps ~600 px wide: more cells than that are not visible anyway

st.title(t("compare_title"))
c1, c2, c3 = st.columns([1, 1, 2])
with c1:
    model_a = controls.model_picker("model_a", "model_a", default=state.DEFAULT_MODEL)
with c2:
    model_b = controls.model_picker("model_b", "model_b", default=state.DEFAULT_PARTNER)
with c3:
    text, _ = controls.sentence_inputs(pair=False)
lm_a, a = state.trace_or_stop(model_a, text)
lm_b, b = state.trace_or_stop(model_b, text)
try:
    groups_a, groups_b, labels, by_words = analysis.alignment(a, b)
except ValueError as exc:
    st.error(t("cannot_align", reason=state.md_escape(exc)))
    st.stop()
st.info(t("compare_by_words", n=len(labels)) if by_words else t("compare_same_tokens", n=len(labels)))

# Only the open tab runs (on_change="rerun"): head matching costs seconds at 512 tokens.
tab_heads, tab_metrics, tab_matching, tab_many = st.tabs(
    [t("tab_heads"), t("tab_metrics"), t("tab_matching"), t("tab_many")], key="compare_tab", on_change="rerun")

if tab_heads.open:
    with tab_heads:
        compare_view.heads_section((lm_a, a, groups_a), (lm_b, b, groups_b), labels, max_cells=COMPARE_CELLS)
if tab_metrics.open:
    with tab_metrics, st.spinner(t("computing")):
        summary = state.cached_comparison(model_a, model_b, text, matching=False)
        compare_view.metrics_section(summary, lm_a.label, lm_b.label, key="one")
if tab_matching.open:
    with tab_matching, st.spinner(t("computing")):
        summary = state.cached_comparison(model_a, model_b, text, matching=True)
        if len(labels) > state.JS_MAX_ROWS:
            st.caption(t("js_sampled", rows=state.JS_MAX_ROWS, n=len(labels)))
        compare_view.matching_section(summary, key="one")
if tab_many.open:
    with tab_many:
        st.caption(t("many_help", n=MAX_SENTENCES))
        if st.button(t("many_example")):
            st.session_state["many_text"] = (bc.registry.WEIGHTS_DIR.parent / "data" / "example_sentences.txt").read_text()
        st.text_area(t("many_sentences"), key="many_text", height=160)
        upload = st.file_uploader(t("many_upload"), type=["txt", "conllu", "conll"], key="many_upload")
        if st.button(t("many_run"), type="primary"):
            try:
                if upload is not None:
                    sentences = corpus.parse_sentence_upload(upload.name, upload.getvalue(), MAX_SENTENCES)
                else:
                    sentences = [s for s in (state.clean_text(x) for x in st.session_state.get("many_text", "").splitlines()) if s]
                    sentences = sentences[:MAX_SENTENCES]
                if not sentences:
                    raise ValueError(t("empty_sentence"))
                bar = st.progress(0.0)
                pairs = []
                for i, sentence in enumerate(sentences):
                    bar.progress((i + 1) / len(sentences), text=t("many_progress", i=i + 1, n=len(sentences)))
                    pairs.append((state.cached_trace(model_a, sentence), state.cached_trace(model_b, sentence)))
                st.session_state["many_summary"] = (model_a, model_b, analysis.compare_traces(
                    pairs, max_rows=state.JS_MAX_ROWS))
            except ValueError as exc:
                st.error(t("upload_error", reason=state.md_escape(exc)))
        saved = st.session_state.get("many_summary")
        if saved and saved[:2] == (model_a, model_b):
            st.success(t("many_done", n=saved[2]["n_sentences"]))
            compare_view.metrics_section(saved[2], lm_a.label, lm_b.label, key="many")
            compare_view.matching_section(saved[2], key="many")
state.sync_url("model_a", "model_b", "text", "layer", "head")
controls.share_link("compare")
