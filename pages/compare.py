"""/compare: two models on the same sentence, head by head."""
import numpy as np
import streamlit as st

import bertviz_core as bc
from app import compare_view, controls, state
from app.i18n import t
from bertviz_core import analysis, corpus, figures

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
    heads_a, heads_b, _, _, labels, by_words = analysis.align_pair(a, b)
except ValueError as exc:
    st.error(t("cannot_align", reason=state.md_escape(exc)))
    st.stop()
st.info(t("compare_by_words", n=len(labels)) if by_words else t("compare_same_tokens", n=len(labels)))

# synchronised layer and head slot
_, names_a = analysis.all_heads(a)
_, names_b = analysis.all_heads(b)
n_layers = min(a.n_layers, b.n_layers)
st.session_state["layer"] = min(int(st.session_state.get("layer", 0)), n_layers - 1)
slots = ["mean"] + [str(k) for k in range(max(len(names_a), len(names_b)))]
if st.session_state.get("head") not in slots:
    st.session_state["head"] = "mean"
name = lambda names, k: names[k] if k < len(names) else t("missing")  # noqa: E731
c1, c2 = st.columns([3, 2])
layer = c1.slider(t("layer"), 0, n_layers - 1, key="layer")
head = c2.selectbox(t("compare_head"), slots, key="head", help=t("compare_head_help"),
                    format_func=lambda s: t("all_heads") if s == "mean" else
                    t("compare_head_label", k=s, a=name(names_a, int(s)), b=name(names_b, int(s))))


def pick(heads, k):  # heads [L, N, U, U]
    if k == "mean":
        return heads[layer].mean(0)
    k = int(k)
    return heads[layer, k] if k < heads.shape[1] else None


ma, mb = pick(heads_a, head), pick(heads_b, head)
zmax = float(max(m.max() for m in (ma, mb) if m is not None))
fs = controls.font_size()
top, bottom = st.columns(2), st.columns(2)
for col, m, lm, names, tag in ((top[0], ma, lm_a, names_a, "A"), (top[1], mb, lm_b, names_b, "B")):
    col.markdown(f"**{tag}: {state.md_escape(lm.label)}**")
    if m is None:
        col.info(t("missing"))
        continue
    head_name = t("all_heads") if head == "mean" else names[int(head)]
    col.plotly_chart(figures.matrix_heatmap(m, labels, labels, title=f"{tag} · L{layer} · {head_name}",
                                            zmax=zmax, font_size=fs, row_title=t("from_token"),
                                            col_title=t("to_token"), hover_value=t("weight"), height=600,
                                            max_cells=COMPARE_CELLS),
                     width="stretch", key=f"heat_{tag}")
if ma is not None and mb is not None:
    diff = ma - mb
    lim = float(np.abs(diff).max()) or 1.0
    bottom[0].plotly_chart(figures.matrix_heatmap(diff, labels, labels, title=t("compare_diff"), zmin=-lim, zmax=lim,
                                                  zmid=0, colorscale=figures.DIFF_SCALE, colorbar_title="A - B",
                                                  font_size=fs, row_title=t("from_token"), col_title=t("to_token"),
                                                  hover_value="A - B", height=600, max_cells=COMPARE_CELLS),
                           width="stretch", key="heat_diff")
    bottom[1].caption(t("compare_diff_note"))

tab_metrics, tab_matching, tab_many = st.tabs([t("tab_metrics"), t("tab_matching"), t("tab_many")])
summary = analysis.compare_traces([(a, b)])
with tab_metrics:
    compare_view.metrics_section(summary, lm_a.label, lm_b.label, key="one")
with tab_matching:
    compare_view.matching_section(summary, key="one")
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
            st.session_state["many_summary"] = (model_a, model_b, analysis.compare_traces(pairs))
        except ValueError as exc:
            st.error(t("upload_error", reason=state.md_escape(exc)))
    saved = st.session_state.get("many_summary")
    if saved and saved[:2] == (model_a, model_b):
        st.success(t("many_done", n=saved[2]["n_sentences"]))
        compare_view.metrics_section(saved[2], lm_a.label, lm_b.label, key="many")
        compare_view.matching_section(saved[2], key="many")
state.sync_url("model_a", "model_b", "text", "layer", "head")
controls.share_link("compare")
