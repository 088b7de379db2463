"""Line and bar charts: a PCA path of hidden states, dimensions over positions, bars per token.

No torch, no streamlit. Token labels are escaped, since Plotly reads a little HTML in labels.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from bertviz_core.figures.labels import (
    FONT,
    escape_label,
    tick_font_size,
    token_labels,
)


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
        tickfont={"size": tick_font_size(len(labels), font_size)},
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
