"""Knowledge masking drawn on a sentence's tokens (analysis.masking), and the measured recovery of each strategy's
spans (bench/masking_quality.py's JSON).

`masking_rows` is the plain data (a row per strategy: each token with the number of the hidden span it belongs to,
or None), for a page that draws chips; `masking_figure` draws it as a Plotly grid, one row per strategy, the
hidden tokens coloured (neighbouring spans in two shades so their borders show). `recovery_figure` draws, per
strategy, how often the MLM model got a span's pieces back, with 95% intervals. Words (row names, titles) come from
the caller; tokens and labels are escaped. No torch, no streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from bertviz_core.analysis.masking import StrategyMask
from bertviz_core.figures.labels import FONT, escape_label

SHOWN, HIDDEN_A, HIDDEN_B = "#f1f3f5", "#f59f00", "#d9480f"  # a visible token; hidden spans, alternating
Spans = StrategyMask | Sequence[Sequence[int]]


def span_positions(spans: Spans) -> list[tuple[int, ...]]:
    """The hidden spans as token positions, in order: a StrategyMask's chosen spans, or the spans as given."""
    if isinstance(spans, StrategyMask):
        return [s.tokens for s in spans.chosen_spans]
    return sorted(tuple(s) for s in spans)


def masking_rows(
    tokens: Sequence[str], strategies: Mapping[str, Spans], columns: Sequence[int] | None = None
) -> list[tuple[str, list[tuple[str, int | None]]]]:
    """Per strategy (in the mapping's order): (name, [(token, number of its hidden span from 0, or None)]) for the
    token positions in `columns` (default all, e.g. `KnowledgeMasking.content` to leave out [CLS] and [SEP])."""
    columns = list(range(len(tokens))) if columns is None else list(columns)
    out = []
    for name, spans in strategies.items():
        span_of = {p: k for k, span in enumerate(span_positions(spans)) for p in span}
        out.append((name, [(tokens[p], span_of.get(p)) for p in columns]))
    return out


def masking_figure(
    tokens: Sequence[str],
    strategies: Mapping[str, Spans],
    labels: Mapping[str, str] | None = None,
    *,
    columns: Sequence[int] | None = None,
    title: str = "",
    hidden_word: str = "hidden",
    font_size: int = 13,
) -> go.Figure:
    """One row per strategy (labelled by `labels`, default its name), one cell per token in `columns`, the tokens
    it hides coloured; `hidden_word` is the hover's word for a hidden token."""
    rows = masking_rows(tokens, strategies, columns)
    labels = labels or {}
    z = [[0 if k is None else 1 + k % 2 for _, k in cells] for _, cells in rows]
    text = [[escape_label(t) for t, _ in cells] for _, cells in rows]
    hover = [
        [f"{escape_label(t)}{' · ' + escape_label(hidden_word) if k is not None else ''}" for t, k in cells]
        for _, cells in rows
    ]
    names = [escape_label(labels.get(name, name)) for name, _ in rows]
    n = len(rows[0][1]) if rows else 0
    scale = [[0, SHOWN], [0.33, SHOWN], [0.34, HIDDEN_A], [0.66, HIDDEN_A], [0.67, HIDDEN_B], [1, HIDDEN_B]]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(range(n)),
            y=names,
            text=text,
            texttemplate="%{text}",
            textfont={"size": font_size},
            customdata=hover,
            hovertemplate="%{y}: %{customdata}<extra></extra>",
            colorscale=scale,
            zmin=0,
            zmax=2,
            showscale=False,
            xgap=3,
            ygap=6,
        )
    )
    fig.update_layout(
        title_text=escape_label(title) if title else None,
        font={**FONT, "size": font_size},
        height=70 + 46 * len(rows),
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        xaxis={"visible": False},
        yaxis={"autorange": "reversed", "tickfont": {"size": font_size}},
        plot_bgcolor="white",
    )
    return fig


def recovery_figure(
    result: Mapping[str, Any],
    labels: Mapping[str, str] | None = None,
    *,
    metrics: Sequence[str] = ("exact", "piece_top5"),
    metric_labels: Mapping[str, str] | None = None,
    strategies: Sequence[str] | None = None,
    title: str = "",
    font_size: int = 13,
) -> go.Figure:
    """Grouped bars: per strategy of `result["strategies"]` (bench/masking_quality.py's JSON; `strategies` picks and
    orders them), one bar per metric (a rate with its "ci95"), in percent with its interval."""
    labels, metric_labels = labels or {}, metric_labels or {}
    rows = result["strategies"]
    names = [s for s in (strategies or list(rows)) if s in rows]
    fig = go.Figure()
    for metric in metrics:
        rates = [rows[s][metric]["rate"] or 0.0 for s in names]
        lows = [rows[s][metric]["ci95"][0] for s in names]
        highs = [rows[s][metric]["ci95"][1] for s in names]
        fig.add_trace(
            go.Bar(
                x=[escape_label(labels.get(s, s)) for s in names],
                y=[100 * r for r in rates],
                name=escape_label(metric_labels.get(metric, metric)),
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [100 * (h - r) for h, r in zip(highs, rates)],
                    "arrayminus": [100 * (r - lo) for lo, r in zip(lows, rates)],
                },
                customdata=[rows[s]["spans"] for s in names],
                hovertemplate="%{x}: %{y:.1f}% (n = %{customdata})<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="group",
        title_text=escape_label(title) if title else None,
        font={**FONT, "size": font_size},
        yaxis={"ticksuffix": "%", "rangemode": "tozero"},
        height=360,
        margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
    )
    return fig
