"""/convolution: ConvBERT's dynamic convolution kernels beside its attention heads."""

import numpy as np
import streamlit as st

import bertviz_core as bc
from app import controls, export_ui, heatmap, state
from app.i18n import t
from bertviz_core import figures
from bertviz_core.figures.deberta import fit_cells
from bertviz_core.models.families import family_spec

GRID_CELLS = 128  # the canvas grid's cells per side at most (12 panels: 0.4 MB); the band stays visible

st.title(t("conv_title"))


def _is_convbert(model_id) -> bool:
    """Whether the model has convolution heads (its family spec says so)."""
    entry = bc.registry.entry(model_id) if model_id else None
    if entry is not None:
        return family_spec(entry.family).conv_heads
    try:  # a hub id or local folder the user typed: ask the (cached) model itself
        return model_id is not None and family_spec(state.get_model(model_id).family).conv_heads
    except Exception:  # noqa: BLE001 - a model that cannot load is no ConvBERT: the page keeps its own default
        return False


# This page's own default (the bundled ConvBERT) never changes the model the other pages show:
# only a model the user picks here carries over.
users_model = st.session_state.get("model")
own_key = "model" if _is_convbert(users_model) else "conv_model"


def _picked():
    st.session_state["model"] = st.session_state[own_key]


c1, c2 = st.columns([2, 3])
with c1:
    model_id = controls.model_picker(own_key, default=state.DEFAULT_PARTNER, on_pick=_picked)
with c2:
    text, _ = controls.sentence_inputs(pair=False)
if own_key != "model":
    st.caption(t("conv_default_model", model=controls.model_name(users_model or state.DEFAULT_MODEL)))
lm, trace = state.trace_or_stop(model_id, text)
if trace.conv_kernels is None:
    st.info(t("conv_not_convbert", model=controls.model_name(lm.id)))
    st.stop()

K = trace.conv_kernels.shape[-1]
with st.expander("ConvBERT", expanded=True):
    st.markdown(t("conv_explain", k=K, h=K // 2))
layer = controls.layer_slider(trace.n_layers)
fs = controls.font_size()
big = bool(st.session_state.get("big"))

name = controls.model_name(lm.id)
kernels = trace.conv_kernels[layer]  # [C, T, K]
zmax = float(kernels.max())
st.subheader(t("conv_kernels_title", layer=layer))
st.caption(f"{t('model_in_use', model=name)} · " + t("conv_scale_note", zmax=zmax, k=K, u=1 / K))
kernel_fig = figures.kernel_heatmaps(
    kernels,
    trace.tokens,
    font_size=fs,
    zmax=zmax,
    title_of=lambda c: t("conv_head_n", n=c),
    x_title=t("conv_offset"),
    colorbar_title=t("weight"),
    tick_size=fs if big else None,  # projector mode: offsets and tokens at the projector font
)
st.plotly_chart(kernel_fig, width="stretch", key="kernels")
export_ui.figure_downloads(kernel_fig, f"conv-kernels-L{layer}")

st.subheader(t("conv_grid_title", layer=layer))
matrices = np.concatenate([trace.attentions[layer], trace.conv_matrices(layer)])  # [H + C, T, T]
titles = [t("head_n", n=h) for h in range(trace.n_heads)] + [t("conv_head_n", n=c) for c in range(trace.n_conv_heads)]
cols = max(trace.n_heads, trace.n_conv_heads)
while big and cols > 3 and cols % 2 == 0 and trace.n_heads % (cols // 2) == 0:
    cols //= 2  # projector mode: ~3 panels of ~400 px a row, attention heads still above the convolution heads
panel_px = 400 if big else 140  # ~3 panels a row on a projector; 6 a row in a 1400 px window's main column


def grid_figure():
    """The Plotly grid: drawn when BERTVIZ_HEATMAP=plotly, else built only when an export is clicked."""
    return figures.head_grid(
        matrices,
        titles,
        trace.tokens,
        cols=cols,
        font_size=fs,
        colorbar_title=t("weight"),
        tick_labels=len(trace) <= 40,
        panel_px=400 if big else 200,
        tick_size=fs if big else None,
    )


if heatmap.use_canvas():  # one canvas, one scale; above GRID_CELLS tokens each cell a block's mean, labelled by range
    cells, labels = fit_cells(matrices, heatmap.token_labels(trace.tokens), GRID_CELLS)
    heatmap.heatmap_panels(
        cells,
        labels,
        labels,
        key="grid_canvas",
        panels=heatmap.Panels(grid=(-(-len(matrices) // cols), cols), titles=titles, title_each=True),
        zmax=1.0,
        plot_px=panel_px,
        font_size=fs,
        row_title=t("from_token"),
        col_title=t("to_token"),
        value_label=t("weight"),
        colorbar_title=t("weight"),
        file_name=f"conv-heads-L{layer}.png",
    )
    grid_fig = grid_figure
else:
    grid_fig = grid_figure()
    st.plotly_chart(grid_fig, width="stretch", key="grid")
export_ui.figure_downloads(grid_fig, f"conv-heads-L{layer}")
st.caption(t("conv_band_note", h=K // 2))
state.sync_url(*(["model"] if own_key == "model" else []), "text", "layer")
controls.share_link("convolution")
