"""/attention: one head (or the layer's mean) as a query x key heatmap."""

import numpy as np
import streamlit as st

from app import controls, export_ui, heatmap, pretraining_view, state
from app.i18n import t
from bertviz_core import figures

st.title(t("attention_title"))
if st.session_state.get("big"):
    # projector mode: model, sentence, layer and head on one row, the rest folded, so that the heatmap starts in the
    # top half of a 1920 x 1080 screen
    c_model, c_text, c_layer, c_head = st.columns([3, 5, 3, 2])
    with c_model:
        model_id = controls.model_picker()
    with c_text:
        text, _ = controls.sentence_inputs(pair=False)
    more = st.expander(t("attention_more"), expanded=bool(st.session_state.get("text_b")))
    with more:
        text_b = st.text_input(t("sentence_b"), key="text_b") or None
    options = more.container(horizontal=True, gap="large")
else:
    model_id, text, text_b = controls.model_and_sentence(pair=True)
lm, trace = state.trace_or_stop(model_id, text, text_b)

if st.session_state.get("big"):
    layer = controls.layer_slider(trace.n_layers, container=c_layer)
    head = controls.head_select(trace.n_heads, trace.n_conv_heads, container=c_head)
    c1 = c2 = options
else:
    layer, head = controls.layer_and_head(trace.n_layers, trace.n_heads, trace.n_conv_heads)
    c1, c2 = st.columns(2)
fixed = c1.toggle(t("fixed_scale"), key="scale_fixed", value=st.session_state.get("scale") == "fixed")
st.session_state["scale"] = "fixed" if fixed else "auto"
hide = c2.toggle(t("hide_special"), key="hide_special")

if head == "mean":
    matrix = trace.attentions[layer].mean(0)  # [T, T]: the attention heads only (conv rows do not sum to 1)
elif head.startswith("c"):
    matrix = trace.conv_matrices(layer)[int(head[1:])]  # banded [T, T]
else:
    matrix = trace.attentions[layer, int(head)]
cols = np.arange(len(trace))
if hide:
    cols = np.array([i for i in cols if not trace.special[i]], dtype=int)
    if cols.size == 0:
        st.info(t("nothing_left"))
        st.stop()
name = controls.model_name(lm.id)
shown = matrix[:, cols]
title = (
    f"{name} · "
    + t("fig_attention", layer=layer, head=controls.head_label(head))
    + " · "
    + t("tokens_line", n=len(trace))
)
# both ends given (Plotly then neither ignores zmin=0 nor scans all T x T cells twice per draw for them)
zmax = 1.0 if fixed else max(float(shown.max()), 1e-6)
col_tokens = [trace.tokens[i] for i in cols]


def plotly_figure():
    """The Plotly version: drawn when BERTVIZ_HEATMAP=plotly, else built only when an export is clicked."""
    return figures.matrix_heatmap(
        shown,
        trace.tokens,
        col_tokens,
        col_positions=[int(i) for i in cols],
        title=title,
        zmax=zmax,
        font_size=controls.font_size(),
        plot_px=controls.heatmap_px(),
        row_title=t("from_token"),
        col_title=t("to_token"),
        hover_value=t("weight"),
        colorbar_title=t("weight"),
    )


stem = f"attention-L{layer}-{head}"
if heatmap.use_canvas():
    heatmap.heatmap(
        shown,
        heatmap.token_labels(trace.tokens),
        heatmap.token_labels(col_tokens, [int(i) for i in cols]),
        key="attention_canvas",
        title=title,
        zmax=zmax,
        font_size=controls.font_size(),
        plot_px=controls.heatmap_px(),
        row_title=t("from_token"),
        col_title=t("to_token"),
        value_label=t("weight"),
        colorbar_title=t("weight"),
        file_name=f"{stem}.png",
    )
    fig = plotly_figure  # built lazily by the Download buttons
else:
    fig = plotly_figure()
    st.plotly_chart(fig, width="content", key="attention_heatmap")
actions = controls.action_row()  # Download, Data, Link on one line
export_ui.figure_downloads(fig, stem, container=actions)
export_ui.trace_downloads(trace, "trace", container=actions)
if hide:
    st.caption(t("attention_caption_hidden"))
elif head.startswith("c"):
    st.caption(t("attention_caption_conv"))
else:
    st.caption(t("attention_caption"))
if head == "mean" and trace.n_conv_heads:
    st.caption(t("mean_note_conv", model=name, n=trace.n_heads))
if len(set(trace.tokens)) < len(trace.tokens):
    st.caption(t("labels_note"))
if trace.text_b:  # a sentence pair: BERT's second pretraining task on it (or a line saying the model has no head)
    pretraining_view.next_sentence_box(lm, trace.text, trace.text_b)
state.sync_url("model", "text", "text_b", "layer", "head", "scale", "hide_special")
controls.share_link("attention", container=actions)
