"""Grids of small heatmaps: every layer and head at once, one layer's heads, convolution kernels.

Thumbnails are block-averaged to the pixels they occupy and sent as uint8. No torch, no streamlit.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from bertviz_core.figures.labels import (
    ATTENTION_SCALE,
    FONT,
    ColorScale,
    block_average,
    escape_label,
    text_px,
    tick_font_size,
    token_labels,
)


def model_view_grid(
    attentions: np.ndarray,
    *,
    thumb: int = 48,
    row_label: str = "layer",
    col_label: str = "head",
    font_size: int = 13,
    head_names: list[str] | None = None,
    hover_note: str = "click to open",
    tile_px: int = 76,
) -> go.Figure:
    """Every layer x head as one tiled image, plus a clickable, nearly invisible marker per tile.

    attentions [L, H, T, T] -> one heatmap of (L*(s+1)) x (H*(s+1)) uint8 cells, s = min(T, thumb),
    each tile scaled to its own max (to show patterns); a scatter point per tile carries
    (layer, head) for hover and click-to-open.
    """
    L, H, T, _ = attentions.shape
    s = min(T, thumb)
    gap = 1
    tiles = np.full((L * (s + gap), H * (s + gap)), np.nan, dtype=np.float32)
    for l in range(L):
        for h in range(H):
            tile = block_average(attentions[l, h].astype(np.float32), s)
            tile = tile / max(float(tile.max()), 1e-9)
            tiles[l * (s + gap) : l * (s + gap) + s, h * (s + gap) : h * (s + gap) + s] = tile
    z = np.where(np.isnan(tiles), 255, np.round(tiles * 254)).astype(np.uint8)  # 255 marks the gaps
    scale = [[0, "#f7fbff"], [0.5, "#6baed6"], [254 / 255, "#08306b"], [254.5 / 255, "#ffffff"], [1, "#ffffff"]]
    fig = go.Figure(go.Heatmap(z=z, colorscale=scale, zmin=0, zmax=255, showscale=False, hoverinfo="skip"))
    centers_x = [h * (s + gap) + (s - 1) / 2 for l in range(L) for h in range(H)]
    centers_y = [l * (s + gap) + (s - 1) / 2 for l in range(L) for h in range(H)]
    names = head_names or [f"{col_label} {h}" for h in range(H)]
    fig.add_trace(
        go.Scatter(
            x=centers_x,
            y=centers_y,
            mode="markers",
            marker={"symbol": "square", "size": tile_px - 8, "opacity": 0.0},
            customdata=[[l, h] for l in range(L) for h in range(H)],
            hovertemplate=f"%{{text}}<extra>{escape_label(hover_note)}</extra>",
            text=[escape_label(f"{row_label} {l} · {names[h]}") for l in range(L) for h in range(H)],
            showlegend=False,
        )
    )
    tickx = [h * (s + gap) + (s - 1) / 2 for h in range(H)]
    ticky = [l * (s + gap) + (s - 1) / 2 for l in range(L)]
    # explicit ranges: autorange would pad for the (invisible) click markers and float the tiles off their labels
    fig.update_xaxes(
        tickmode="array",
        tickvals=tickx,
        ticktext=[escape_label(n) for n in names],
        side="top",
        showgrid=False,
        zeroline=False,
        title=col_label,
        range=[-0.5, H * (s + gap) - gap - 0.5],
    )
    fig.update_yaxes(
        tickmode="array",
        tickvals=ticky,
        ticktext=[f"{row_label} {l}" for l in range(L)],
        range=[L * (s + gap) - gap - 0.5, -0.5],
        showgrid=False,
        zeroline=False,
        scaleanchor="x",
        constrain="domain",
        constraintoward="top",
    )  # narrower than asked: tiles stay under their labels
    fig.update_layout(
        width=H * tile_px + 140,
        height=L * tile_px + 110,
        margin={"l": 10, "r": 10, "t": 90, "b": 10},
        plot_bgcolor="white",
        font=dict(size=font_size, **FONT),
        dragmode=False,
        clickmode="event+select",
    )
    return fig


def head_grid(
    matrices: np.ndarray,
    titles: list[str],
    tokens: list[str],
    *,
    cols: int = 6,
    zmax: float = 1.0,
    max_cells: int = 64,
    font_size: int = 12,
    colorscale: ColorScale = ATTENTION_SCALE,
    zmin: float = 0.0,
    zmid: float | None = None,
    panel_px: int = 190,
    colorbar_title: str = "weight",
    tick_labels: bool = False,
    tick_size: int | None = None,
) -> go.Figure:
    """Several [T, T] matrices as small heatmaps on ONE colour scale (zmin..zmax).

    Matrices longer than `max_cells` tokens are block-averaged to `max_cells` (labels then
    show every few tokens' positions only). `tick_size`: the token labels' font size (px), else
    one that fits a label per row of a `panel_px` panel."""
    n = len(matrices)
    rows = int(np.ceil(n / cols))
    T = matrices.shape[-1]
    labels = token_labels(tokens) if T <= max_cells else None
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[escape_label(t) for t in titles],
        horizontal_spacing=0.02,
        vertical_spacing=0.08 if rows > 1 else 0.02,
    )
    for k, m in enumerate(matrices):
        z = block_average(np.asarray(m, dtype=np.float32), max_cells)
        axis = labels if labels is not None else np.arange(z.shape[0]) * (T / z.shape[0])
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=axis,
                y=axis,
                coloraxis="coloraxis",
                hovertemplate=(f"{escape_label(titles[k])}<br>%{{y}} -> %{{x}}: %{{z:.3f}}<extra></extra>"),
            ),
            row=k // cols + 1,
            col=k % cols + 1,
        )
    show = bool(tick_labels and labels is not None)
    tick = {"size": tick_size or max(7, min(font_size - 3, int(panel_px / max(T, 1)) - 1))}
    fig.update_yaxes(
        autorange="reversed",
        showticklabels=False,
        scaleanchor="x",
        constrain="domain",
        constraintoward="top",  # a narrow container shrinks the squares: keep them under their titles
        type="category" if labels is not None else None,
    )
    fig.update_xaxes(showticklabels=False, constrain="domain", type="category" if labels is not None else None)
    if show:  # token labels on the left column and the bottom row only
        for r in range(rows):
            fig.update_yaxes(showticklabels=True, tickfont=tick, row=r + 1, col=1)
        for c in range(cols):
            fig.update_xaxes(showticklabels=True, tickfont=tick, tickangle=-90, row=rows, col=c + 1)
    label_px = max(text_px(x, tick["size"]) for x in labels) if show and labels is not None else 0
    margin = {"l": 10 + label_px, "r": 10, "t": 50, "b": 10 + label_px}
    fig.update_layout(
        coloraxis={
            "colorscale": colorscale,
            "cmin": zmin,
            "cmax": zmax,
            "cmid": zmid,
            "colorbar": {"title": {"text": colorbar_title}, "thickness": 12},
        },
        height=rows * panel_px + 70 + margin["b"] - 10,
        margin=margin,
        font=dict(size=font_size, **FONT),
        plot_bgcolor="white",
    )
    return fig


def kernel_heatmaps(
    kernels: np.ndarray,
    tokens: list[str],
    *,
    title_of: Callable[[int], str] = lambda c: f"conv head {c}",
    font_size: int = 12,
    x_title: str = "offset",
    zmax: float = 1.0,
    colorbar_title: str = "weight",
    tick_size: int | None = None,
) -> go.Figure:
    """ConvBERT kernels [C, T, K] as C panels: rows = tokens, columns = offsets -K//2..+K//2.
    `tick_size`: the font size (px) of the offsets and token labels, else a little under `font_size`
    (token labels smaller still past 28 tokens)."""
    C, T, K = kernels.shape
    offsets = [f"{o:+d}" if o else "0" for o in range(-(K // 2), K // 2 + 1)]
    labels = token_labels(tokens)
    fig = make_subplots(
        rows=1,
        cols=C,
        shared_yaxes=True,
        horizontal_spacing=0.012,
        subplot_titles=[escape_label(title_of(c)) for c in range(C)],
    )
    for c in range(C):
        fig.add_trace(
            go.Heatmap(
                z=np.asarray(kernels[c], dtype=np.float32),
                x=offsets,
                y=labels,
                coloraxis="coloraxis",
                hovertemplate=f"{escape_label(title_of(c))}<br>%{{y}}, {escape_label(x_title)} %{{x}}: %{{z:.3f}}<extra></extra>",
            ),
            row=1,
            col=c + 1,
        )
    every = max(1, int(np.ceil(T / 48)))
    offset_size = tick_size or max(8, font_size - 3)
    tick_size = tick_size or tick_font_size(T, font_size)
    row_px = max(20, int(1.5 * tick_size))  # one label per row without overlap, also at projector font sizes
    fig.update_yaxes(autorange="reversed", type="category", dtick=every, tickfont={"size": tick_size})
    fig.update_xaxes(title=x_title, tickfont={"size": offset_size}, tickangle=0)
    fig.update_layout(
        coloraxis={
            "colorscale": ATTENTION_SCALE,
            "cmin": 0,
            "cmax": zmax,
            "colorbar": {"title": {"text": colorbar_title}, "thickness": 12},
        },
        height=int(min(1100, max(360, 130 + row_px * -(-T // every)))),
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        font=dict(size=font_size, **FONT),
        plot_bgcolor="white",
    )
    return fig
