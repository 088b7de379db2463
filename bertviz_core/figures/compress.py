"""Figures of model compression (bertviz_core.analysis.compress): the pruning quality curve. No torch, no streamlit.

Every word shown comes from the caller (the page translates it); names are escaped (Plotly reads a little HTML).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from bertviz_core.figures.labels import escape_label


def curve_figure(
    curve: dict,
    *,
    title: str,
    x_title: str,
    y_title: str,
    importance_name: str,
    random_name: str,
    font_size: int = 12,
    height: int = 380,
) -> go.Figure:
    """Quality vs % of heads removed: importance order (line) and random orders (mean line, min-max band)."""
    x = [round(f * 100) for f in curve["fractions"]]
    rnd = np.asarray(curve["random"], dtype=float)  # [seeds, fractions]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x + x[::-1],
            y=list(rnd.max(0)) + list(rnd.min(0)[::-1]),
            fill="toself",
            fillcolor="rgba(150,150,150,0.25)",
            line={"width": 0},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=rnd.mean(0),
            mode="lines+markers",
            name=escape_label(random_name),
            line={"color": "grey", "dash": "dash"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=curve["importance"],
            mode="lines+markers",
            name=escape_label(importance_name),
            line={"color": "#d62728", "width": 3},
        )
    )
    fig.update_layout(
        title={"text": escape_label(title)},
        height=height,
        font={"size": font_size},
        xaxis={"title": x_title, "ticksuffix": "%"},
        yaxis={"title": y_title},
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        plot_bgcolor="white",
    )
    return fig
