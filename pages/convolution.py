"""/convolution: ConvBERT's dynamic convolution kernels beside its attention heads."""
import numpy as np
import streamlit as st

import bertviz_core as bc
from app import controls, state
from app.i18n import t
from bertviz_core import figures

st.title(t("conv_title"))
current = st.session_state.get("model")
entry = bc.registry.entry(current) if current else None
if current is None:
    st.session_state["model"] = state.DEFAULT_PARTNER
elif entry is not None and entry.family != "convbert":  # this page is about ConvBERT
    st.session_state["model"] = state.DEFAULT_PARTNER
    st.caption(t("conv_switched", model=bc.registry.entry(state.DEFAULT_PARTNER).label))
model_id, text, text_b = controls.model_and_sentence(pair=False)
lm, trace = state.trace_or_stop(model_id, text)
if trace.conv_kernels is None:
    st.info(t("conv_not_convbert", model=lm.label))
    st.stop()

K = trace.conv_kernels.shape[-1]
with st.expander("ConvBERT", expanded=True):
    st.markdown(t("conv_explain", k=K, h=K // 2))
st.session_state["layer"] = min(int(st.session_state.get("layer", 0)), trace.n_layers - 1)
layer = st.slider(t("layer"), 0, trace.n_layers - 1, key="layer")
fs = controls.font_size()

st.subheader(t("conv_kernels_title", layer=layer))
st.plotly_chart(figures.kernel_heatmaps(trace.conv_kernels[layer], trace.tokens, font_size=fs,
                                        title_of=lambda c: t("conv_head_n", n=c), x_title=t("conv_offset")),
                width="stretch", key="kernels")

st.subheader(t("conv_grid_title", layer=layer))
matrices = np.concatenate([trace.attentions[layer], trace.conv_matrices(layer)])  # [H + C, T, T]
titles = [t("head_n", n=h) for h in range(trace.n_heads)] + [t("conv_head_n", n=c) for c in range(trace.n_conv_heads)]
st.plotly_chart(figures.head_grid(matrices, titles, trace.tokens, cols=max(trace.n_heads, trace.n_conv_heads),
                                  font_size=fs), width="stretch", key="grid")
st.caption(t("conv_band_note", h=K // 2))
state.sync_url("model", "text", "layer")
controls.share_link("convolution")
