"""Figures of model compression (bertviz_core.analysis.compress, .qbert): the pruning quality curve, Q-BERT's bits
curve and per-layer Hessian eigenvalues. No torch, no streamlit.

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


ALLOCATION_STYLES = {  # Q-BERT's bits curve: the three allocations (bertviz_core.analysis.qbert)
    "uniform": {"color": "grey", "dash": "dash", "symbol": "circle"},
    "hessian": {"color": "#d62728", "dash": "solid", "symbol": "diamond"},
    "reverse": {"color": "#1f77b4", "dash": "dot", "symbol": "square"},
}


def bits_curve_figure(
    results: dict,
    *,
    names: dict[str, str],
    title: str,
    x_title: str,
    y_title: str,
    font_size: int = 12,
    height: int = 380,
) -> go.Figure:
    """Held-out cosine against mean bits per encoder layer, one line per allocation in `names` ("uniform",
    "hessian", "reverse": rows of {"mean_bits", "cosine", "low", "high", "bits"}), 95% intervals as error bars."""
    fig = go.Figure()
    for key, name in names.items():
        rows = sorted(results.get(key, []), key=lambda r: r["mean_bits"])
        if not rows:
            continue
        style = ALLOCATION_STYLES[key]
        fig.add_trace(
            go.Scatter(
                x=[r["mean_bits"] for r in rows],
                y=[r["cosine"] for r in rows],
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [r["high"] - r["cosine"] for r in rows],
                    "arrayminus": [r["cosine"] - r["low"] for r in rows],
                    "thickness": 1,
                },
                customdata=[" ".join(map(str, r["bits"])) for r in rows],
                hovertemplate=f"{x_title}: %{{x:.2f}}<br>{y_title}: %{{y:.4f}}<br>%{{customdata}}<extra></extra>",  # caller's words
                mode="lines+markers",
                name=escape_label(name),
                line={"color": style["color"], "dash": style["dash"], "width": 3 if key == "hessian" else 2},
                marker={"symbol": style["symbol"], "size": 8},
            )
        )
    fig.update_layout(
        title={"text": escape_label(title)},
        height=height,
        font={"size": font_size},
        xaxis={"title": x_title, "dtick": 1},
        yaxis={"title": y_title},
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        plot_bgcolor="white",
    )
    return fig


def eigenvalue_figure(
    layers: list[dict],
    *,
    title: str,
    x_labels: list[str],
    y_title: str,
    omega_name: str,
    batch_name: str,
    font_size: int = 12,
    height: int = 380,
) -> go.Figure:
    """Per encoder layer: Q-BERT's Omega (|mean| + std of the top Hessian eigenvalue over batches) as bars, each
    batch's eigenvalue as a point over them; hover: iterations and the last relative change of each batch."""
    omega = [layer["omega"] for layer in layers]
    fig = go.Figure(
        go.Bar(
            x=x_labels,
            y=omega,
            name=escape_label(omega_name),
            marker={"color": "#d62728", "opacity": 0.75},
            hovertemplate="%{x}: %{y:.3f}<extra></extra>",
        )
    )
    xs, ys, hover = [], [], []
    for label, layer in zip(x_labels, layers, strict=True):
        for eig, its, rel in zip(layer["eigenvalues"], layer["iterations"], layer["rel_change"], strict=True):
            xs.append(label)
            ys.append(eig)
            hover.append(f"{eig:.3f} · {its} it. · Δ {rel:.1e}")
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers",
            name=escape_label(batch_name),
            marker={"color": "black", "size": 7, "symbol": "line-ew-open", "line": {"width": 2}},
            text=hover,
            hovertemplate="%{text}<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": escape_label(title)},
        height=height,
        font={"size": font_size},
        yaxis={"title": y_title, "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        plot_bgcolor="white",
    )
    return fig
