"""Square and rectangular heatmaps of matrices (attention, metrics, numbers). No torch, no streamlit.

Payload matters (bertviz ships 870 MB at 512 tokens): matrices go to the
browser as float32 binary arrays (Plotly encodes numpy arrays as base64).
The views of a Trace by name (head_view, model_view, ...) are in figures.views.
"""

from __future__ import annotations

import itertools

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


def matrix_heatmap(
    matrix: np.ndarray,
    row_tokens: list[str],
    col_tokens: list[str],
    *,
    title: str,
    zmin: float | None = 0.0,
    zmax: float | None = None,
    colorscale: ColorScale = ATTENTION_SCALE,
    zmid: float | None = None,
    colorbar_title: str = "weight",
    font_size: int = 13,
    row_title: str = "query token (from)",
    col_title: str = "key token (to)",
    hover_value: str = "weight",
    height: int | None = None,
    width: int | None = None,
    max_cells: int | None = None,
    plot_px: int | None = None,
    col_positions: list[int] | None = None,
) -> go.Figure:
    """One T_q x T_k matrix as a heatmap, rows top to bottom, hover 'from -> to: value'.

    Axes are categories with unique labels (repeated tokens get their position),
    so the hover names come from the axes and no T x T text is sent. With `max_cells`,
    a larger square matrix is block-averaged to at most max_cells per side (a plot a few
    hundred pixels wide cannot show more), each cell labelled by its token range.
    The plot is square: its side is `plot_px` if given, else follows `height` (or the token
    count), or `width`. `col_positions`: the input positions of the columns when some are hidden.
    """
    matrix = np.asarray(matrix, dtype=np.float32)
    rows, cols = token_labels(row_tokens), token_labels(col_tokens, col_positions)
    if max_cells and rows == cols:
        matrix, rows = _fit_cells(matrix, rows, max_cells)
        cols = rows
    n = max(len(rows), len(cols))
    fig = go.Figure(
        go.Heatmap(
            z=matrix,
            x=cols,
            y=rows,
            colorscale=colorscale,
            zmin=zmin,
            zmax=zmax,
            zmid=zmid,
            colorbar=_colorbar(colorbar_title),
            hoverongaps=False,
            hovertemplate=f"%{{y}} -> %{{x}}: {hover_value} %{{z:.3f}}<extra></extra>",
        )
    )
    side = height or width or int(min(860, max(560, 200 + 22 * n)))
    top, right = (60 if title else 24), 100  # the colour bar lives in the right margin
    size, every, left, bottom = _label_layout(rows, cols, plot_px or side - 200, font_size)
    if plot_px:
        plot = plot_px
    else:
        plot = max(200, side - top - bottom if width is None else width - left - right)
    _square_category_axes(fig, size, every, row_title, col_title)
    fig.update_yaxes(scaleanchor="x")
    fig.update_layout(
        title={"text": escape_label(title)},
        height=plot + top + bottom,
        width=plot + left + right,
        margin={"l": left, "r": right, "t": top, "b": bottom, "autoexpand": False},
        font=dict(size=font_size, **FONT),
        plot_bgcolor="white",
    )
    return fig


def pair_heatmaps(
    left: np.ndarray,
    right: np.ndarray,
    tokens: list[str],
    *,
    titles: tuple[str, str],
    width: int = 940,
    zmax: float | None = None,
    font_size: int = 13,
    row_title: str = "query token (from)",
    col_title: str = "key token (to)",
    hover_value: str = "weight",
    colorbar_title: str = "weight",
    max_cells: int | None = None,
) -> go.Figure:
    """Two [T, T] matrices side by side in ONE figure: one colour scale and colour bar, row labels
    shared on the left, so both squares get most of `width` (what a projector needs)."""
    fitted = [_fit_cells(np.asarray(m, dtype=np.float32), token_labels(tokens), max_cells) for m in (left, right)]
    mats, labels = [m for m, _ in fitted], fitted[0][1]
    gap, right_px, top = 40, 100, 50
    half = (width - right_px - gap) // 2
    size, every, left_px, bottom = _label_layout(labels, labels, half - 100, font_size)
    plot = max(160, (width - left_px - right_px - gap) // 2)
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=gap / (2 * plot + gap),
        subplot_titles=[escape_label(t) for t in titles],
    )
    for k, (m, title) in enumerate(zip(mats, titles)):
        fig.add_trace(
            go.Heatmap(
                z=m,
                x=labels,
                y=labels,
                coloraxis="coloraxis",
                hoverongaps=False,
                hovertemplate=f"{escape_label(title)}<br>%{{y}} -> %{{x}}: {hover_value} %{{z:.3f}}<extra></extra>",
            ),
            row=1,
            col=k + 1,
        )
    _square_category_axes(fig, size, every, row_title, col_title)
    fig.update_yaxes(title=None, showticklabels=False, ticks="", row=1, col=2)
    fig.update_annotations(font={"size": font_size + 1})  # the two subplot titles
    fig.update_layout(yaxis={"scaleanchor": "x"}, xaxis2={"scaleanchor": "y"})  # both squares
    fig.update_layout(
        coloraxis={"colorscale": ATTENTION_SCALE, "cmin": 0, "cmax": zmax, "colorbar": _colorbar(colorbar_title)},
        height=plot + top + bottom,
        width=2 * plot + gap + left_px + right_px,
        margin={"l": left_px, "r": right_px, "t": top, "b": bottom, "autoexpand": False},
        font=dict(size=font_size, **FONT),
        plot_bgcolor="white",
    )
    return fig


def _colorbar(title: str) -> dict:
    """The colour bar of the square heatmaps, in their fixed right margin."""
    return {"title": {"text": title}, "thickness": 14, "x": 1.0, "xpad": 12}


def _fit_cells(matrix: np.ndarray, labels: list[str], max_cells: int | None) -> tuple[np.ndarray, list[str]]:
    """Block-average a square matrix to at most max_cells per side; label each cell by its token range."""
    if not max_cells or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] <= max_cells:
        return matrix, labels
    edges = np.linspace(0, matrix.shape[0], max_cells + 1).astype(int)
    ranges = [f"{labels[a]} … {labels[b - 1]}" if b - a > 1 else labels[a] for a, b in itertools.pairwise(edges)]
    return block_average(matrix, max_cells), ranges


def _label_layout(rows: list[str], cols: list[str], plot_px: int, font_size: int) -> tuple[int, int, int, int]:
    """Tick font size, label step, left and bottom margins (px) for category axes on a ~plot_px plot.

    Margins are computed here, not by Plotly's automargin: with a square (scaleanchor) plot,
    automargin measures every tick label and redraws several times (~0.5 s at 128 tokens).
    One label per ~(size + 4) px (each costs a DOM measurement); the font shrinks (not below
    9 px) before labels are skipped, so short sentences show every token."""
    n = max(len(rows), len(cols))
    size = tick_font_size(n, font_size)
    if n * (size + 4) > plot_px:
        size = max(9, min(size, plot_px // n - 4))
    every = max(1, int(np.ceil(n / max(8, plot_px // (size + 4)))))
    label_px = max(text_px(lab, size) for lab in rows[::every] + cols[::every])
    title_px = int(font_size * 1.6) + 8
    left = min(260, label_px + title_px + 8)
    bottom = min(260, int(label_px * 0.87 + size * 0.6) + title_px + 8)  # labels turned -60 degrees
    return size, every, left, bottom


def _square_category_axes(fig: go.Figure, size: int, every: int, row_title: str, col_title: str) -> None:
    fig.update_xaxes(
        title={"text": col_title, "standoff": 4},
        tickangle=-60,
        tickfont={"size": size},
        showgrid=False,
        type="category",
        dtick=every,
        automargin=False,
        constrain="domain",
    )
    fig.update_yaxes(
        title={"text": row_title, "standoff": 4},
        autorange="reversed",
        tickfont={"size": size},
        showgrid=False,
        type="category",
        dtick=every,
        constrain="domain",
        automargin=False,
        constraintoward="top",
    )  # in a narrower container the square stays under its title


def metric_heatmap(
    values: np.ndarray,
    head_names: list[str],
    *,
    title: str,
    zmin: float | None = None,
    zmax: float | None = None,
    font_size: int = 12,
    colorscale: ColorScale = "Viridis",
    height: int = 300,
) -> go.Figure:
    """A per-head metric [layers, heads] as a small heatmap with the values written in the cells."""
    L, _ = values.shape
    fig = go.Figure(
        go.Heatmap(
            z=np.asarray(values, dtype=np.float32),
            x=[escape_label(n) for n in head_names],
            y=[f"L{l}" for l in range(L)],
            zmin=zmin,
            zmax=zmax,
            colorscale=colorscale,
            text=np.round(values, 2).astype(str),
            texttemplate="%{text}",
            textfont={"size": max(8, font_size - 3)},
            hovertemplate="layer %{y}, head %{x}: %{z:.3f}<extra></extra>",
            colorbar={"thickness": 10},
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", side="top")
    fig.update_layout(
        title={"text": escape_label(title)},
        height=height,
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        font=dict(size=font_size, **FONT),
    )
    return fig


def numeric_heatmap(
    z: np.ndarray,
    *,
    title: str,
    x_title: str,
    y_title: str,
    colorscale: ColorScale = "RdBu_r",
    zmin: float | None = None,
    zmax: float | None = None,
    zmid: float | None = 0.0,
    font_size: int = 12,
    height: int = 420,
    y_labels: list[str] | None = None,
    x_labels: list[str] | None = None,
    colorbar_title: str = "",
    colorbar_ticks: int | None = None,
) -> go.Figure:
    """A plain heatmap with numeric (or given) axes: position x position, token x dimension, ...
    Diverging colours centred on zmid=0 by default (signed values). `colorbar_ticks`: at most that many
    colour-bar ticks (Plotly's nticks; a short bar at a large font needs few), else Plotly's choice."""
    z = np.asarray(z, dtype=np.float32)
    colorbar: dict = {"title": {"text": colorbar_title}, "thickness": 10}
    if colorbar_ticks is not None:
        colorbar["nticks"] = colorbar_ticks
    fig = go.Figure(
        go.Heatmap(
            z=z,
            colorscale=colorscale,
            zmin=zmin,
            zmax=zmax,
            zmid=zmid,
            x=x_labels if x_labels is not None else None,
            y=token_labels(y_labels) if y_labels is not None else None,
            colorbar=colorbar,
            hovertemplate=f"{y_title} %{{y}}, {x_title} %{{x}}: %{{z:.3f}}<extra></extra>",
        )
    )
    fig.update_yaxes(title=y_title, autorange="reversed", type="category" if y_labels is not None else None)
    fig.update_xaxes(title=x_title)
    fig.update_layout(
        title={"text": escape_label(title)},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        font=dict(size=font_size, **FONT),
        plot_bgcolor="white",
    )
    return fig
