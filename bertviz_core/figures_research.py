"""Figures for comparisons over many sentences (means with intervals) and click targets that
turn a number into a picture. No torch, no streamlit; every word comes from the caller."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from bertviz_core.figures import FONT, escape_label

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948")


def interval_plot(x_labels: list[str], series: list[dict], *, title: str, x_title: str, y_title: str,
                  font_size: int = 12, height: int = 380, zero_line: bool = False) -> go.Figure:
    """Means with 95% intervals as error bars, one line per series.

    series: dicts with "name", "mean", "low", "high" (arrays over x_labels; nan = no point) and
    optional "baseline" (array, drawn dotted in the series' colour, no error bars)."""
    fig = go.Figure()
    n = max(len(series), 1)
    for k, s in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        mean = np.asarray(s["mean"], dtype=np.float64)
        low, high = np.asarray(s["low"], dtype=np.float64), np.asarray(s["high"], dtype=np.float64)
        # dodge the series a little so their error bars do not overlap
        x = np.arange(len(x_labels)) + (k - (n - 1) / 2) * 0.08
        fig.add_trace(go.Scatter(
            x=x, y=mean, mode="lines+markers", name=escape_label(s["name"]), line=dict(color=color),
            error_y=dict(type="data", symmetric=False, array=np.nan_to_num(high - mean),
                         arrayminus=np.nan_to_num(mean - low), thickness=1.2, width=4),
            customdata=np.stack([low, high], axis=-1),
            hovertemplate=f"{escape_label(s['name'])}<br>%{{y:.3f}} [%{{customdata[0]:.3f}}, %{{customdata[1]:.3f}}]<extra></extra>"))
        if s.get("baseline") is not None:
            fig.add_trace(go.Scatter(
                x=x, y=np.asarray(s["baseline"], dtype=np.float64), mode="lines", showlegend=False,
                line=dict(color=color, dash="dot", width=1.2), hovertemplate="%{y:.3f}<extra></extra>"))
    if zero_line:
        fig.add_hline(y=0, line=dict(color="#888", width=1))
    fig.update_xaxes(title=x_title, tickmode="array", tickvals=list(range(len(x_labels))),
                     ticktext=[escape_label(x) for x in x_labels])
    fig.update_yaxes(title=y_title)
    fig.update_layout(title=dict(text=escape_label(title)), height=height, margin=dict(l=10, r=10, t=60, b=10),
                      font=dict(size=font_size, **FONT), plot_bgcolor="white",
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1))
    return fig


def add_click_targets(fig: go.Figure, x: list, y: list, customdata: list, hovertext: list[str],
                      marker_px: int = 22) -> go.Figure:
    """Make heatmap cells clickable: one invisible marker per cell carries `customdata` (Plotly
    heatmaps send no selection events; scatter points do). x/y are the cells' axis categories
    (already escaped, as the heatmap has them); the heatmap's own hover is replaced by `hovertext`."""
    fig.data[0].update(hoverinfo="skip", hovertemplate=None)
    fig.add_trace(go.Scatter(
        x=x, y=y, mode="markers", marker=dict(symbol="square", size=marker_px, opacity=0.0),
        customdata=customdata, hovertext=[escape_label(h) for h in hovertext], hoverinfo="text",
        showlegend=False))
    fig.update_layout(clickmode="event+select", dragmode=False)
    return fig
