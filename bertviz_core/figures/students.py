"""Figures of the distilled students (bertviz_core.analysis.students): the depth curve and TinyBERT's layer map.
No torch, no streamlit.

Every word shown comes from the caller (the page translates it); names are escaped (Plotly reads a little HTML).
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from bertviz_core.figures.labels import escape_label

STUDENT_COLOUR = "#1f77b4"
TEACHER_COLOUR = "#7f7f7f"


def depth_curve_figure(
    points: Sequence[dict],
    *,
    title: str,
    x_title: str,
    y_title: str,
    hover_words: str,
    teacher_name: str,
    student_name: str,
    font_size: int = 12,
    height: int = 380,
) -> go.Figure:
    """Held-out cosine (with its interval) against the number of layers: the students joined by a line, the
    teacher (the last point, cosine 1 by definition) a marker of its own, so no line claims what lies between.
    `points`: dicts with layers, cosine, low, high and the fields `hover_words` names (a str.format template,
    e.g. "{layers} layers: {ms128} ms")."""
    *measured, teacher = points
    ordered = sorted(measured, key=lambda p: p["layers"])
    fig = go.Figure()
    for group, name, colour, mode in (
        (ordered, student_name, STUDENT_COLOUR, "lines+markers"),
        ([teacher], teacher_name, TEACHER_COLOUR, "markers"),
    ):
        fig.add_trace(
            go.Scatter(
                x=[p["layers"] for p in group],
                y=[p["cosine"] for p in group],
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [p["high"] - p["cosine"] for p in group],
                    "arrayminus": [p["cosine"] - p["low"] for p in group],
                },
                mode=mode,
                name=escape_label(name),
                marker={"size": 11, "color": colour},
                hovertext=[escape_label(hover_words.format(**p)) for p in group],
                hoverinfo="text",
            )
        )
    fig.update_layout(
        title=escape_label(title),
        xaxis={"title": escape_label(x_title), "dtick": 1, "range": [0.5, teacher["layers"] + 0.5]},
        yaxis={"title": escape_label(y_title)},
        font={"size": font_size},
        height=height,
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
    )
    return fig


def layer_map_figure(
    mapping: Sequence[int],
    teacher_layers: int,
    *,
    title: str,
    teacher_name: str,
    student_name: str,
    layer_words: str,
    embedding_words: str,
    edge_labels: Sequence[str],
    embedding_label: str,
    font_size: int = 12,
    height: int = 300,
) -> go.Figure:
    """Which teacher layer each student layer learned from: two rows of boxes (teacher on top, student below),
    embeddings first, a line from student layer m to teacher layer mapping[m] (0-based) labelled `edge_labels[m]`
    and the embeddings' line labelled `embedding_label`. `layer_words`: a template for a box ("L{n}", n 0-based as the app names layers)."""
    fig = go.Figure()

    def row(y: float, n: int, colour: str) -> list[float]:
        xs = [float(i) * (teacher_layers / max(n, 1)) for i in range(n + 1)]
        texts = [escape_label(embedding_words)] + [escape_label(layer_words.format(n=i)) for i in range(n)]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=[y] * len(xs),
                mode="markers+text",
                marker={"symbol": "square", "size": 2.6 * font_size + 12, "color": colour},
                text=texts,
                textfont={"color": "white", "size": font_size},
                hoverinfo="skip",
                showlegend=False,
            )
        )
        return xs

    top = row(1.0, teacher_layers, TEACHER_COLOUR)
    bottom = row(0.0, len(mapping), STUDENT_COLOUR)
    edges = [(bottom[0], top[0], embedding_label)] + [
        (bottom[m + 1], top[g + 1], edge_labels[m]) for m, g in enumerate(mapping)
    ]
    for x0, x1, label in edges:
        fig.add_trace(
            go.Scatter(
                x=[x0, x1],
                y=[0.12, 0.88],
                mode="lines",
                line={"color": STUDENT_COLOUR, "width": 2},
                hoverinfo="skip",
                showlegend=False,
            )
        )
        fig.add_annotation(
            x=(x0 + x1) / 2,
            y=0.5,
            text=escape_label(label),
            showarrow=False,
            bgcolor="rgba(255,255,255,0.85)",
            font={"size": font_size},
        )
    fig.add_annotation(
        x=-0.6, y=1.0, text=escape_label(teacher_name), showarrow=False, xanchor="right", font={"size": font_size}
    )
    fig.add_annotation(
        x=-0.6, y=0.0, text=escape_label(student_name), showarrow=False, xanchor="right", font={"size": font_size}
    )
    fig.update_layout(
        title=escape_label(title),
        xaxis={"visible": False, "range": [-3.4, teacher_layers + 0.6]},
        yaxis={"visible": False, "range": [-0.3, 1.3]},
        font={"size": font_size},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return fig
