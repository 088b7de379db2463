"""Plotly figures from Traces and arrays. No torch, no streamlit.

Payload matters (bertviz ships 870 MB at 512 tokens): matrices go to the
browser as float32 binary arrays (Plotly encodes numpy arrays as base64),
thumbnails are block-averaged to the pixels they occupy and sent as uint8.
Token labels are escaped, since Plotly reads a little HTML in labels.
The views of a Trace by name (head_view, model_view, ...) are in figures.views.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

ATTENTION_SCALE = "Blues"
DIFF_SCALE = "RdBu_r"
FONT = {"family": "Inter, Segoe UI, Helvetica, Arial, sans-serif"}

# a Plotly colour scale: a name ("Blues") or [position 0..1, colour] pairs
ColorScale = str | Sequence[Sequence[float | str]]


def escape_label(text: str) -> str:
    """Make a user string inert in Plotly's pseudo-HTML labels."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def token_labels(tokens: list[str], positions: list[int] | None = None) -> list[str]:
    """Escaped axis labels: the bare token, except that a token occurring more than once carries
    its position in the input as a subscript (the<sub>5</sub>, drawn "the₅"), so rows and columns
    stay distinct and keep their numbers when some columns are hidden (pass their `positions`).
    """
    positions = list(range(len(tokens))) if positions is None else list(positions)
    counts: dict[str, int] = {}
    for t in tokens:
        counts[t] = counts.get(t, 0) + 1
    out = []
    for t, i in zip(tokens, positions):
        label = escape_label(t)
        out.append(f"{label}<sub>{i}</sub>" if counts[t] > 1 else label)
    return out


def _tick_font_size(n: int, base: int) -> int:
    return max(7, min(base, int(base * 28 / max(n, 1)))) if n > 28 else base


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
    size = _tick_font_size(n, font_size)
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


def text_px(text: str, size: int) -> int:
    """Rough rendered width of a label in pixels (wide East Asian characters count double)."""
    text = re.sub(r"<sub>(.*?)</sub>", lambda m: "_" * max(1, len(m.group(1)) // 2), re.sub(r"</?b>", "", text))
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    units = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6 for ch in text)
    return int(units * size) + 2


def block_average(matrix: np.ndarray, size: int) -> np.ndarray:
    """Downsample a [T, T] matrix to at most [size, size] by averaging blocks."""
    T = matrix.shape[-1]
    if T <= size:
        return matrix
    edges = np.linspace(0, T, size + 1).astype(int)
    rows = np.add.reduceat(matrix, edges[:-1], axis=-2) / np.diff(edges)[:, None]
    return np.add.reduceat(rows, edges[:-1], axis=-1) / np.diff(edges)[None, :]


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
) -> go.Figure:
    """Several [T, T] matrices as small heatmaps on ONE colour scale (zmin..zmax).

    Matrices longer than `max_cells` tokens are block-averaged to `max_cells` (labels then
    show every few tokens' positions only)."""
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
    tick = {"size": max(7, min(font_size - 3, int(panel_px / max(T, 1)) - 1))}
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
) -> go.Figure:
    """ConvBERT kernels [C, T, K] as C panels: rows = tokens, columns = offsets -K//2..+K//2."""
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
    tick_size = _tick_font_size(T, font_size)
    row_px = max(20, int(1.5 * tick_size))  # one label per row without overlap, also at projector font sizes
    fig.update_yaxes(autorange="reversed", type="category", dtick=every, tickfont={"size": tick_size})
    fig.update_xaxes(title=x_title, tickfont={"size": max(8, font_size - 3)}, tickangle=0)
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
) -> go.Figure:
    """A plain heatmap with numeric (or given) axes: position x position, token x dimension, ...
    Diverging colours centred on zmid=0 by default (signed values)."""
    z = np.asarray(z, dtype=np.float32)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            colorscale=colorscale,
            zmin=zmin,
            zmax=zmax,
            zmid=zmid,
            x=x_labels if x_labels is not None else None,
            y=token_labels(y_labels) if y_labels is not None else None,
            colorbar={"title": {"text": colorbar_title}, "thickness": 10},
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


def pca_path_figure(
    path: np.ndarray,
    *,
    title: str,
    font_size: int = 12,
    height: int = 420,
    position_title: str = "position",
    axis_prefix: str = "PC",
    outliers: list[int] | None = None,
) -> go.Figure:
    """Positions as a path through their top principal components (2-D or 3-D), coloured by position.

    `outliers` (positions far from the rest) are left out of the path and its axis ranges and drawn
    as labelled markers at the edge, so they do not squeeze every other position into a dot."""
    n = len(path)
    out = sorted(set(outliers or []))
    keep = np.array([i for i in range(n) if i not in out], dtype=int)
    marker = {
        "color": keep,
        "colorscale": "Viridis",
        "size": 4,
        "colorbar": {"title": {"text": escape_label(position_title)}, "thickness": 10},
    }
    hover = f"{escape_label(position_title)} %{{marker.color}}<extra></extra>"
    names = [f"{axis_prefix}{i}" for i in (1, 2, 3)]
    p = path[keep]
    if path.shape[1] >= 3:
        trace = go.Scatter3d(
            x=p[:, 0],
            y=p[:, 1],
            z=p[:, 2],
            mode="lines+markers",
            marker=marker,
            showlegend=False,
            name=escape_label(position_title),
            line={"color": "#999", "width": 2},
            hovertemplate=hover,
        )
    else:
        trace = go.Scatter(
            x=p[:, 0],
            y=p[:, 1],
            mode="lines+markers",
            marker=marker,
            showlegend=False,
            name=escape_label(position_title),
            line={"color": "#999", "width": 1},
            hovertemplate=hover,
        )
    fig = go.Figure(trace)
    if out and path.shape[1] == 2 and len(keep):
        lo, hi = p.min(0), p.max(0)
        pad = (hi - lo) * 0.08 + 1e-9
        lo, hi = lo - pad, hi + pad
        edge = np.clip(path[out], lo + pad / 2, hi - pad / 2)  # pinned inside the frame
        fig.add_trace(
            go.Scatter(
                x=edge[:, 0],
                y=edge[:, 1],
                mode="markers+text",
                text=[f"{i} ↗" for i in out],
                textposition="middle left",
                marker={"symbol": "star", "size": 12, "color": "#d62728"},
                hovertemplate=f"{escape_label(position_title)} %{{text}}<extra></extra>",
                showlegend=False,
            )
        )
        fig.update_xaxes(range=[lo[0], hi[0]])
        fig.update_yaxes(range=[lo[1], hi[1]])
    fig.update_layout(
        title={"text": escape_label(title)},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        font=dict(size=font_size, **FONT),
        xaxis_title=names[0],
        yaxis_title=names[1],
        showlegend=False,
        scene={"xaxis_title": names[0], "yaxis_title": names[1], "zaxis_title": names[2]},
    )
    return fig


def dims_over_position(
    p: np.ndarray,
    dims: list[int],
    *,
    title: str,
    font_size: int = 12,
    height: int = 360,
    x_title: str = "position",
    y_title: str = "value",
    dim_label: str = "dim",
) -> go.Figure:
    fig = go.Figure([go.Scatter(y=p[:, d], mode="lines", name=escape_label(f"{dim_label} {d}")) for d in dims])
    fig.update_layout(
        title={"text": escape_label(title)},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        font=dict(size=font_size, **FONT),
        xaxis_title=x_title,
        yaxis_title=y_title,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
    )
    return fig


def token_bars(
    values: np.ndarray,
    tokens: list[str],
    *,
    title: str,
    highlight: int | None = None,
    y_title: str = "",
    font_size: int = 12,
    height: int = 320,
    compare: np.ndarray | None = None,
    compare_name: str = "captured",
    bar_name: str = "recomputed",
) -> go.Figure:
    """One value per token as bars; the highlighted token (the query) drawn in orange."""
    labels = token_labels(tokens)
    colors = ["#f28e2b" if i == highlight else "#4e79a7" for i in range(len(tokens))]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=np.asarray(values, dtype=np.float32),
            marker_color=colors,
            name=escape_label(bar_name),
            hovertemplate="%{x}: %{y:.4f}<extra></extra>",
        )
    )
    if compare is not None:
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=np.asarray(compare, dtype=np.float32),
                mode="markers",
                name=escape_label(compare_name),
                marker={"symbol": "x", "size": 9, "color": "#222"},
            )
        )
    fig.update_xaxes(type="category", tickangle=-60)
    fig.update_layout(
        title={"text": escape_label(title)},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        font=dict(size=font_size, **FONT),
        yaxis_title=y_title,
        showlegend=compare is not None,
        legend={"orientation": "h", "y": 1.12},
    )
    return fig


def contribution_bars(
    series: list[tuple[str, np.ndarray]],
    tokens: list[str],
    *,
    title: str,
    y_title: str = "",
    x_title: str = "",
    font_size: int = 12,
    height: int = 340,
    highlight: int | None = None,
    signed: bool = False,
) -> go.Figure:
    """Per-token values as grouped bars, one colour per series (names from the caller), e.g. what one output
    draws on under a method beside raw attention. signed=True (a single series of attributions) colours
    negative bars apart. The highlighted token (the output itself) gets a dark outline; long inputs thin
    the tick labels."""
    labels = token_labels(tokens)
    colors = ["#4e79a7", "#bab0ac", "#f28e2b"]
    fig = go.Figure()
    for k, (name, values) in enumerate(series):
        values = np.asarray(values, dtype=np.float32)
        color = np.where(values < 0, "#e15759", "#4e79a7").tolist() if signed else colors[k % len(colors)]
        outline = [2 if i == highlight else 0 for i in range(len(labels))]
        fig.add_trace(
            go.Bar(
                x=labels,
                y=values,
                name=escape_label(name),
                marker_color=color,
                marker_line={"width": outline, "color": "#222"},
                hovertemplate=f"{escape_label(name)}<br>%{{x}}: %{{y:.4f}}<extra></extra>",
            )
        )
    every = max(1, int(np.ceil(len(labels) / 64)))
    fig.update_xaxes(
        type="category",
        tickangle=-60,
        dtick=every,
        title=x_title,
        tickfont={"size": _tick_font_size(len(labels), font_size)},
    )
    fig.update_layout(
        title={"text": escape_label(title)},
        height=height,
        barmode="group",
        bargap=0.15,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        font=dict(size=font_size, **FONT),
        yaxis_title=y_title,
        showlegend=len(series) > 1,
        legend={"orientation": "h", "y": 1.12},
        plot_bgcolor="white",
    )
    return fig
