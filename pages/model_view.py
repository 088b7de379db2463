"""/model-view: every layer x head as thumbnails; clicking one opens /attention."""

import numpy as np
import streamlit as st

from app import controls, export_ui, heatmap, nav, state
from app.i18n import t
from bertviz_core import figures

st.title(t("model_view_title"))
model_id, text, text_b = controls.model_and_sentence(pair=True)
lm, trace = state.trace_or_stop(model_id, text, text_b)
st.caption(t("model_view_caption"))

name = controls.model_name(lm.id)
st.caption(t("model_in_use", model=name))
if trace.n_conv_heads:  # ConvBERT: its convolution heads too, as banded matrices, after its attention heads
    tiles = np.concatenate([trace.attentions, trace.conv_matrices()], axis=1)  # [L, H + C, T, T]
    st.caption(t("model_view_conv_note", model=name))
else:
    tiles = trace.attentions
head_ids = [str(h) for h in range(trace.n_heads)] + [f"c{c}" for c in range(trace.n_conv_heads)]
head_names = [controls.head_label(h) for h in head_ids]
tile_px = min(120, 1500 // len(head_ids)) if st.session_state.get("big") else min(84, 1000 // len(head_ids))


def plotly_figure():
    """The Plotly grid: drawn when BERTVIZ_HEATMAP=plotly, else built only when an export is clicked."""
    return figures.model_view_grid(
        tiles,
        row_label=t("layer"),
        col_label=t("head"),
        font_size=controls.font_size(),
        head_names=head_names,
        hover_note=t("click_to_open"),
        tile_px=tile_px,
    )


opened = None  # (layer, head index) of a clicked thumbnail
if heatmap.use_canvas():
    L, H = tiles.shape[:2]
    thumbs = heatmap.thumbnails(tiles)  # [L * H, s, s], each scaled to its own maximum
    layers = [f"{t('layer')} {layer}" for layer in range(L)]
    click = heatmap.heatmap_panels(
        thumbs,
        [""] * thumbs.shape[1],
        [""] * thumbs.shape[2],
        key="grid_canvas",
        zmin=0.0,
        zmax=1.0,
        plot_px=tile_px - 6,
        panels=heatmap.Panels(
            grid=(L, H),
            titles=[f"{layers[layer]} · {head_names[h]}" for layer in range(L) for h in range(H)],
            col_headers=head_names,
            row_headers=layers,
            show_labels=False,
            exact=False,
            hover_note=t("click_to_open"),
            gap_px=6,
        ),
        font_size=controls.font_size(),
        colorbar_title=None,
        clickable=True,
        zoomable=False,
        file_name="model-view.png",
    )
    if click is not None:
        opened = divmod(click.panel, H)
    fig = plotly_figure  # built lazily by the Download buttons
else:
    fig = plotly_figure()
    event = st.plotly_chart(fig, width="content", on_select="rerun", selection_mode="points", key="grid")
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    if points and "customdata" in points[0]:
        opened = (int(points[0]["customdata"][0]), int(points[0]["customdata"][1]))
export_ui.figure_downloads(fig, "model-view")
if opened is not None:
    st.session_state["layer"], st.session_state["head"] = opened[0], head_ids[opened[1]]
    st.switch_page(nav.page("attention"))

c1, c2, c3 = st.columns([2, 2, 2])
pick_layer = c1.selectbox(t("layer"), range(trace.n_layers), key="mv_layer")
pick_head = c2.selectbox(t("head"), head_ids, key="mv_head", format_func=controls.head_label)
if c3.button(t("open_in_attention")):
    st.session_state["layer"], st.session_state["head"] = int(pick_layer), str(pick_head)
    st.switch_page(nav.page("attention"))
state.sync_url("model", "text", "text_b")
controls.share_link("model-view")
