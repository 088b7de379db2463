"""/compare: two models on the same sentence, head by head, and over many sentences."""

import streamlit as st

from app import controls, state
from app.compare import common, heads, many, matching, metrics
from app.i18n import t
from bertviz_core.analysis import words

COMPARE_CELLS = 192  # the Plotly figures (downloads, BERTVIZ_HEATMAP=plotly) average above this; the canvas shows all

common.pending_navigation()  # a click on a metric or matching cell asked for /attention
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
common.provenance_notes(model_a, model_b)
try:
    groups_a, groups_b, labels, by_words = words.alignment(a, b)
except ValueError as exc:
    st.error(t("cannot_align", reason=state.md_escape(exc)))
    st.stop()
st.info(t("compare_by_words", n=len(labels)) if by_words else t("compare_same_tokens", n=len(labels)))
exclude = st.toggle(t("research_exclude_special"), key="compare_exclude", help=t("research_exclude_help"))

# Only the open tab runs (on_change="rerun"): head matching costs seconds at 512 tokens.
tab_labels = [t(f"tab_{name}") for name in state.url.COMPARE_TABS]
if "tab" in st.session_state:  # a link's `tab=matching` (checked by state.url) opens that tab, once
    st.session_state.setdefault("compare_tab", tab_labels[state.url.COMPARE_TABS.index(st.session_state.pop("tab"))])
tab_heads, tab_metrics, tab_matching, tab_many = st.tabs(tab_labels, key="compare_tab", on_change="rerun")

if tab_heads.open:
    with tab_heads:
        heads.heads_section((lm_a, a, groups_a), (lm_b, b, groups_b), labels, max_cells=COMPARE_CELLS)
if tab_metrics.open:
    with tab_metrics, st.spinner(t("computing")):
        summary = state.cached_comparison(model_a, model_b, text, matching=False, exclude_special=exclude)
        metrics.metrics_section(summary, lm_a.label, lm_b.label, key="one")
if tab_matching.open:
    with tab_matching, st.spinner(t("computing")):
        summary = state.cached_comparison(model_a, model_b, text, matching=True, exclude_special=exclude)
        if len(labels) > state.JS_MAX_ROWS:
            st.caption(t("js_sampled", rows=state.JS_MAX_ROWS, n=len(labels)))
        matching.matching_section(summary, key="one")
if tab_many.open:
    with tab_many:
        many.many_section(model_a, model_b, lm_a, lm_b, exclude)
# the method joins the link once it is not the default (raw attention), so older links stay as they were
method_key = (
    ("compare_method",) if st.session_state.get("compare_method", state.RAW_ATTENTION) != state.RAW_ATTENTION else ()
)
state.sync_url("model_a", "model_b", "text", "layer", "head", *method_key)
controls.share_link("compare")
