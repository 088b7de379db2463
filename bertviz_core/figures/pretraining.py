"""BERT's pretraining tasks drawn: a masked-language model's guesses for every [MASK] (analysis.fill_mask), where
each mask looks (its attention rows), and an ELECTRA discriminator's "replaced" probability per token
(analysis.electra).

    fig = fill_mask_bars([g.candidates for g in bc.fill_mask(m, text)], titles=["[MASK] 1"], x_title="probability")

Words (titles, axis names, legend names) come from the caller; tokens and candidates are escaped, since Plotly
reads a little HTML in labels. No torch, no streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from bertviz_core.figures.labels import FONT, escape_label, token_labels

GUESS, REPLACED, ORIGINAL = "#4e79a7", "#e15759", "#bab0ac"
MAX_COLUMNS = 4  # masks side by side; more wrap to a new row


def fill_mask_bars(
    candidates: Sequence[Sequence[tuple[str, float]]],
    *,
    titles: Sequence[str],
    x_title: str = "",
    font_size: int = 13,
    width: int | None = None,
) -> go.Figure:
    """One panel per mask (titled by `titles`): its candidates as horizontal bars, best on top, the probability in
    percent on the bar. Panels sit MAX_COLUMNS to a row."""
    n = max(len(candidates), 1)
    cols = min(n, MAX_COLUMNS)
    rows = math.ceil(n / cols)
    k = max((len(c) for c in candidates), default=1)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[escape_label(s) for s in titles],
        horizontal_spacing=0.12 if cols > 1 else 0.0,
        vertical_spacing=0.5 / rows if rows > 1 else 0.0,
    )
    for i, guesses in enumerate(candidates):
        words = [escape_label(w) for w, _ in guesses]
        probs = [100.0 * p for _, p in guesses]
        fig.add_trace(
            go.Bar(
                x=probs,
                y=words,
                orientation="h",
                marker_color=GUESS,
                text=[f"{p:.1f}%" for p in probs],
                textposition="auto",
                hovertemplate="%{y}: %{x:.2f}%<extra></extra>",
                showlegend=False,
            ),
            row=i // cols + 1,
            col=i % cols + 1,
        )
    fig.update_yaxes(autorange="reversed", type="category", tickfont={"size": font_size})
    fig.update_xaxes(ticksuffix="%", rangemode="tozero", title_text=x_title)
    per_row = 60 + (font_size + 12) * k
    fig.update_layout(
        height=40 + per_row * rows,
        width=width,
        font={**FONT, "size": font_size},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        plot_bgcolor="white",
    )
    fig.update_annotations(font_size=font_size + 1)
    return fig


def mask_attention_figure(
    rows: np.ndarray,
    row_labels: Sequence[str],
    tokens: Sequence[str],
    *,
    title: str,
    x_title: str = "",
    y_title: str = "",
    colorbar_title: str = "",
    hover_value: str = "weight",
    mask_columns: Sequence[int] = (),
    font_size: int = 13,
    width: int | None = None,
) -> go.Figure:
    """The attention of one mask: one row per layer (or per head of a layer), named by `row_labels`, one column
    per token; `mask_columns` (the masks' own positions) get a marker under their label."""
    z = np.asarray(rows, dtype=np.float32)
    labels = token_labels(list(tokens))
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=labels,
            y=[escape_label(r) for r in row_labels],
            colorscale="Blues",
            zmin=0.0,
            zmax=max(float(z.max()) if z.size else 1.0, 1e-6),
            colorbar={"title": {"text": escape_label(colorbar_title)}, "thickness": 10},
            hovertemplate=f"%{{y}} → %{{x}}: %{{z:.3f}} {escape_label(hover_value)}<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    for c in mask_columns:
        if 0 <= c < len(labels):
            fig.add_annotation(x=labels[c], y=1.0, yref="paper", yanchor="bottom", text="▼", showarrow=False)
    fig.update_xaxes(type="category", tickangle=-45, title_text=x_title, tickfont={"size": font_size})
    fig.update_yaxes(autorange="reversed", type="category", title_text=y_title, tickfont={"size": font_size})
    fig.update_layout(
        title={"text": escape_label(title)},
        height=170 + (2 * font_size + 8) * len(row_labels),
        width=width,
        font={**FONT, "size": font_size},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
    )
    return fig


def replaced_token_bars(
    tokens: Sequence[str],
    probs: Sequence[float],
    replaced: Sequence[bool],
    *,
    title: str,
    replaced_name: str,
    original_name: str,
    y_title: str = "",
    threshold_name: str = "",
    font_size: int = 13,
    width: int | None = None,
) -> go.Figure:
    """The discriminator's probability per token that it was replaced, in percent; the tokens that really were
    replaced in one colour (legend `replaced_name`), the others in another (`original_name`), and the 50% line."""
    labels = token_labels(list(tokens))
    values = [100.0 * float(p) for p in probs]
    fig = go.Figure()
    for name, color, wanted in ((original_name, ORIGINAL, False), (replaced_name, REPLACED, True)):
        y = [v if bool(r) == wanted else None for v, r in zip(values, replaced)]
        fig.add_trace(
            go.Bar(
                x=labels,
                y=y,
                name=escape_label(name),
                marker_color=color,
                hovertemplate=f"{escape_label(name)}<br>%{{x}}: %{{y:.1f}}%<extra></extra>",
            )
        )
    fig.add_hline(
        y=50, line_dash="dot", line_color="#555", annotation_text=escape_label(threshold_name), annotation_font_size=11
    )
    fig.update_xaxes(type="category", tickangle=-45, tickfont={"size": font_size})
    fig.update_layout(
        barmode="overlay",
        title={"text": escape_label(title)},
        height=380,
        width=width,
        font={**FONT, "size": font_size},
        yaxis={"title": y_title, "range": [0, 100], "ticksuffix": "%"},
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        legend={"orientation": "h", "y": 1.12},
        plot_bgcolor="white",
    )
    return fig
