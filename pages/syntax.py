"""/syntax: which heads track syntax (Clark et al. 2019), and one sentence's arcs over a head."""

import hashlib

import pandas as pd
import streamlit as st

from app import controls, export_ui, state, syntax_view
from app.i18n import t
from bertviz_core import figures
from bertviz_core.analysis import syntax
from bertviz_core.figures import syntax as figures_syntax
from bertviz_core.inputs.text import MAX_UPLOAD_BYTES

st.title(t("syn_title"))
if st.session_state.get("big"):  # projector mode: the explanation is read from the back row, as normal text
    st.markdown(t("syn_intro"))
else:
    st.caption(t("syn_intro"))
fs = controls.font_size()

c1, c2 = st.columns([1, 2])
with c1:
    model_id = controls.model_picker()
with c2:
    sources = ["ewt", "upload", "results"]
    source = st.radio(
        t("syn_source"), sources, key="syn_source", horizontal=True, format_func=lambda s: t(f"syn_source_{s}")
    )

# ---------------------------------------------------------------- the table
frame, picker = None, syntax_view.ewt_sentences()
if source == "ewt":
    frame = syntax_view.shipped_table(model_id)
    if frame is not None:
        st.caption(t("syn_shipped_note", n=frame.attrs.get("sentences", "?")))
    elif syntax_view.ewt_path() is None:
        st.info(t("syn_no_ewt"))
    else:
        frame = syntax_view.disk_table(model_id, syntax.file_digest(syntax_view.ewt_path()))
        if frame is not None:
            st.caption(t("syn_cached_note", n=frame.attrs.get("sentences", "?")))
        else:
            st.info(
                t("syn_compute_note", model=state.md_escape(controls.model_name(model_id)), n=syntax_view.EWT_SENTENCES)
            )
            if st.button(t("syn_compute"), type="primary"):
                try:
                    frame = syntax_view.compute_ewt_table(model_id)
                except Exception as exc:  # noqa: BLE001 - a message, never a traceback
                    st.error(state.load_error_text(model_id, exc))
elif source == "upload":
    upload = st.file_uploader(
        t("syn_upload_treebank", n=syntax_view.MAX_UPLOAD_SENTENCES, mb=MAX_UPLOAD_BYTES // 2**20),
        type=["conllu", "conll"],
        key="syn_treebank",
    )
    if upload is not None:
        try:
            picker = syntax_view.treebank_upload(upload)
            key = (model_id, upload.name, upload.size, upload.file_id)
            saved = st.session_state.get("syn_upload_table")
            if saved and saved[0] == key:
                frame = saved[1]
            else:
                frame = syntax_view.compute_upload_table(model_id, picker)
                st.session_state["syn_upload_table"] = (key, frame)
        except ValueError as exc:
            st.error(t("syn_upload_error", reason=state.md_escape(exc)))
            picker = []
else:  # a table the corpus command wrote: from a folder under the server's results folder, or uploaded
    st.caption(t("syn_upload_hint"))
    how = st.radio(
        t("cmpm_syn_how"),
        ["folder", "upload"],
        key="syn_results_how",
        horizontal=True,
        format_func=lambda h: t(f"cmpm_syn_how_{h}"),
    )
    if how == "folder":
        frame = syntax_view.results_folder_table(model_id)
    else:
        upload = st.file_uploader(t("syn_upload_results"), type=["parquet"], key="syn_results")
        if upload is not None:
            try:
                frame = syntax_view.results_upload(upload)
            except ValueError as exc:
                st.error(t("syn_upload_error", reason=state.md_escape(exc)))
    if frame is not None:
        made_for = frame.attrs.get("model")
        st.caption(
            t(
                "syn_results_of",
                model=state.md_escape(made_for or "?"),
                treebank=state.md_escape(str(frame.attrs.get("input", "?")).replace("\\", "/").rsplit("/", 1)[-1]),
                n=frame.attrs.get("sentences", "?"),
            )
        )
        if made_for and made_for != model_id:
            st.info(t("syn_results_other_model", model=state.md_escape(made_for)))

if frame is not None and len(frame):
    if frame.attrs.get("attention_heads") and frame["head"].max() >= frame.attrs["attention_heads"]:
        st.caption(t("syn_conv_note"))
    st.subheader(t("syn_best_title"))
    main_only = st.toggle(t("syn_main_only"), value=True, key="syn_main_only")
    best = syntax.best_heads(frame)
    min_n = 20
    if main_only:
        best = syntax.best_heads(frame, syntax.MAIN_RELATIONS)
    else:
        best = best[best["n"] >= min_n]
        st.caption(t("syn_min_n", n=min_n))
    names = [f"L{int(r.layer)} {syntax.head_name(frame, r.head)}" for r in best.itertuples()]
    table = pd.DataFrame(
        {
            t("syn_col_relation"): best["relation"],
            t("syn_col_n"): best["n"],
            t("syn_col_head"): names,
            t("syn_col_acc"): best["accuracy"].round(3),
            t("syn_col_offset"): [f"{o:+d}" for o in best["best_offset"]],
            t("syn_col_base"): best["offset_accuracy"].round(3),
            t("syn_col_gain"): best["gain"].round(3),
        }
    )
    left, right = st.columns([2, 3])
    left.dataframe(table, hide_index=True, height=min(560, 38 + 35 * len(table)), key="syn_table")
    bars = figures_syntax.best_heads_bars(
        list(best["relation"]),
        list(best["accuracy"]),
        list(best["offset_accuracy"]),
        names,
        [int(o) for o in best["best_offset"]],
        title=t("syn_best_title"),
        head_label=t("syn_bar_head"),
        base_label=t("syn_bar_base"),
        y_title=t("syn_accuracy"),
        offset_label=t("syn_offset"),
        font_size=fs,
    )
    right.plotly_chart(bars, width="stretch", key="syn_bars")
    export_ui.figure_downloads(
        bars, "syntax-best-heads" + ("-main-relations" if main_only else "-all-relations"), container=right
    )

    st.subheader(t("syn_map_title"))
    relations = list(syntax.best_heads(frame)["relation"])  # most frequent first
    arcs = frame.groupby("relation")["n"].first().to_dict()
    # the widget is keyed by the table's arc counts: a browser keeps a keyed select box's old labels
    # ("det (1854)") when only the labels change, e.g. from the EWT table to a results folder's
    rel_key = "syn_rel_" + hashlib.sha1(repr(sorted(arcs.items())).encode()).hexdigest()[:10]
    if st.session_state.get(rel_key) not in relations:
        kept = st.session_state.get("syn_rel")
        st.session_state[rel_key] = kept if kept in relations else "det" if "det" in relations else relations[0]
    relation = st.selectbox(t("syn_relation"), relations, key=rel_key, format_func=lambda r: f"{r} ({int(arcs[r])})")
    st.session_state["syn_rel"] = relation
    grid = syntax.accuracy_grid(frame, relation)
    row = (
        frame[frame.relation == relation]
        .sort_values(["accuracy", "layer", "head"], ascending=[False, True, True])
        .iloc[0]
    )
    accuracy_fig = figures_syntax.accuracy_map(
        grid,
        [syntax.head_name(frame, h) for h in range(grid.shape[1])],
        title=t(
            "syn_map_fig",
            relation=relation,
            offset=f"{int(row['best_offset']):+d}",
            base=f"{row['offset_accuracy']:.1%}",
        ),
        layer_label=t("syn_layer"),
        head_label=t("syn_head"),
        value_label=t("syn_accuracy"),
        font_size=fs,
        mark=(int(row["layer"]), int(row["head"])),
    )
    st.plotly_chart(accuracy_fig, width="stretch", key="syn_map")
    export_ui.figure_downloads(accuracy_fig, f"syntax-accuracy-map-{relation}")

# ---------------------------------------------------------------- one sentence
st.subheader(t("syn_sentence_title"))
gold_by_text = {" ".join(s.words): s for s in picker}


def use_picked():
    k = st.session_state.get("syn_pick")
    if k is not None and 0 <= k < len(picker):
        st.session_state["text"] = " ".join(picker[k].words)


if picker:
    st.selectbox(
        t("syn_pick"),
        list(range(len(picker))),
        index=None,
        key="syn_pick",
        on_change=use_picked,
        placeholder=t("syn_pick_none"),
        format_func=lambda k: f"{k + 1}: {picker[k].text[:90]}",
    )
text, _ = controls.sentence_inputs(pair=False)
lm, trace = state.trace_or_stop(model_id, text)
layer, head = controls.layer_and_head(trace.n_layers, trace.n_heads, trace.n_conv_heads)
if head == "mean":
    matrix = trace.attentions[layer].mean(0)  # the attention heads' mean
elif head.startswith("c"):
    matrix = trace.conv_matrices(layer)[int(head[1:])]  # banded
else:
    matrix = trace.attentions[layer, int(head)]
groups, words = syntax.trace_word_groups(trace)
if len(words) < 2:
    st.info(t("empty_sentence"))
    st.stop()
word_matrix = syntax.word_matrix(matrix, groups)  # [W, W]: to a word summed, from a word averaged
predicted = [int(p) for p in syntax.predicted_heads(word_matrix)]
gold = gold_by_text.get(state.clean_text(text))
if gold is not None and list(gold.words) != words:
    st.caption(t("syn_misaligned"))
    gold = None
name = controls.model_name(lm.id)
fig = figures.matrix_heatmap(
    word_matrix,
    words,
    words,
    title=t("syn_fig", model=name, layer=layer, head=controls.head_label(head)),
    font_size=fs,
    plot_px=controls.heatmap_px(),
    row_title=t("syn_from_word"),
    col_title=t("syn_to_word"),
    hover_value=t("syn_weight"),
    colorbar_title=t("syn_weight"),
)
gold_heads = [h - 1 for h in gold.heads] if gold is not None else None
figures_syntax.add_dependency_arcs(
    fig,
    words,
    predicted=predicted,
    gold_heads=gold_heads,
    relations=list(gold.relations) if gold is not None else None,
    gold_label=t("syn_gold"),
    predicted_label=t("syn_pred"),
    root_label=t("syn_root"),
)
st.plotly_chart(fig, width="content", key="syn_heatmap")
export_ui.figure_downloads(fig, f"syntax-arcs-L{layer}-{head}")
if gold is not None:
    scored = [(d, g) for d, g in enumerate(gold_heads) if g >= 0]
    st.caption(t("syn_gold_note", right=sum(predicted[d] == g for d, g in scored), n=len(scored)))
elif picker:
    st.caption(t("syn_no_gold"))
else:  # no treebank sentences on this server (the built-in table's treebank is not shipped): say what works
    st.caption(t("syn_no_gold_no_picker"))
state.sync_url("model", "text", "layer", "head")
controls.share_link("syntax")
