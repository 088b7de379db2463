"""Figures of /syntax (Clark et al.'s head accuracy). No torch, no streamlit.

Every word shown (titles, axis titles, legend and hover labels) comes from the caller, so the
page can translate it; user-derived strings are escaped (Plotly reads a little HTML).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from bertviz_core.figures.labels import FONT, escape_label, token_labels

GOLD = "#d62728"  # gold head: red open square and arcs
PREDICTED = "#ff7f0e"  # the head's own pick: orange dot
BASELINE = "#bab0ac"


def best_heads_bars(
    relations: list[str],
    head_acc: list[float],
    base_acc: list[float],
    head_names: list[str],
    offsets: list[int],
    *,
    title: str,
    head_label: str,
    base_label: str,
    y_title: str,
    offset_label: str,
    font_size: int = 13,
    height: int = 380,
) -> go.Figure:
    """Per relation: the best head's accuracy beside the best fixed-offset baseline (grouped bars)."""
    x = [escape_label(r) for r in relations]
    fig = go.Figure(
        [
            go.Bar(
                x=x,
                y=np.asarray(head_acc, dtype=np.float32),
                name=escape_label(head_label),
                marker_color="#4e79a7",
                customdata=[escape_label(h) for h in head_names],
                hovertemplate=f"%{{x}} · %{{customdata}}: %{{y:.1%}}<extra>{escape_label(head_label)}</extra>",
            ),
            go.Bar(
                x=x,
                y=np.asarray(base_acc, dtype=np.float32),
                name=escape_label(base_label),
                marker_color=BASELINE,
                customdata=[f"{o:+d}" for o in offsets],
                hovertemplate=f"%{{x}} · {escape_label(offset_label)} %{{customdata}}: %{{y:.1%}}"
                f"<extra>{escape_label(base_label)}</extra>",
            ),
        ]
    )
    fig.update_xaxes(type="category", tickangle=-45)
    fig.update_yaxes(range=[0, 1], tickformat=".0%", title=y_title)
    fig.update_layout(
        title={"text": escape_label(title)},
        barmode="group",
        height=height,
        bargap=0.2,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        font=dict(size=font_size, **FONT),
        plot_bgcolor="white",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
    )
    return fig


def accuracy_map(
    grid: np.ndarray,
    head_names: list[str],
    *,
    title: str,
    layer_label: str,
    head_label: str,
    value_label: str,
    font_size: int = 13,
    height: int | None = None,
    mark: tuple[int, int] | None = None,
) -> go.Figure:
    """Accuracy per layer x head for one relation, values written in the cells; `mark` (layer, head)
    outlines one cell (the best head)."""
    L, N = grid.shape
    layers = [f"L{l}" for l in range(L)]
    heads = [escape_label(h) for h in head_names[:N]]
    text = np.where(np.isnan(grid), "", np.char.mod("%.2f", np.nan_to_num(grid)))
    fig = go.Figure(
        go.Heatmap(
            z=np.asarray(grid, dtype=np.float32),
            x=heads,
            y=layers,
            zmin=0,
            zmax=1,
            colorscale="Viridis",
            text=text,
            texttemplate="%{text}",
            textfont={"size": max(8, font_size - 3)},
            colorbar={"title": {"text": escape_label(value_label)}, "thickness": 12, "tickformat": ".0%"},
            hovertemplate=f"{escape_label(layer_label)} %{{y}} · {escape_label(head_label)} %{{x}}: "
            f"%{{z:.1%}}<extra></extra>",
        )
    )
    if mark is not None:
        l, h = mark
        fig.add_shape(type="rect", x0=h - 0.5, x1=h + 0.5, y0=l - 0.5, y1=l + 0.5, line={"color": GOLD, "width": 3})
    fig.update_yaxes(autorange="reversed", type="category", title=layer_label)
    fig.update_xaxes(type="category", side="top", title={"text": head_label, "standoff": 6})
    # the figure title at the very top, the head axis (title and names) below it: they never overlap
    fig.update_layout(
        title={"text": escape_label(title), "y": 1.0, "yref": "container", "yanchor": "top", "pad": {"t": 8}},
        height=height or int(110 + 42 * L) + 2 * font_size,
        margin={"l": 10, "r": 10, "t": 100 + 2 * font_size, "b": 10},
        font=dict(size=font_size, **FONT),
    )
    return fig


def add_dependency_arcs(
    fig: go.Figure,
    words: list[str],
    *,
    predicted: list[int] | None = None,
    gold_heads: list[int] | None = None,
    relations: list[str] | None = None,
    gold_label: str = "gold head",
    predicted_label: str = "most attended",
    root_label: str = "root",
    arc_px: int | None = None,
) -> go.Figure:
    """Draw a sentence's dependency tree over a word x word heatmap (figures.matrix_heatmap with
    `words` on both axes): arcs above the columns from each head to its dependent (arrow at the
    dependent, relation at the top of the arc), the gold head of each word as an open red square in
    its row, and the head's own pick (`predicted`, most-attended other word) as an orange dot.

    gold_heads: 0-based head word per word, -1 for the root (or none); `relations` label the arcs.
    Without gold_heads only the predictions are marked. Returns the same figure, made taller."""
    labels = token_labels(words)
    W = len(words)
    width = fig.layout.width or 700
    margin = fig.layout.margin
    plot_px = max(100, width - (margin.l or 0) - (margin.r or 0))
    cell = plot_px / max(W, 1)
    marker_px = max(6, min(28, int(cell * 0.8)))
    if predicted is not None:
        _add_predicted_dots(fig, labels, predicted, predicted_label, marker_px)
    if gold_heads is None:
        fig.update_layout(showlegend=True, legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0})
        return fig
    relations = relations or [""] * W
    arcs = [(d, g, relations[d]) for d, g in enumerate(gold_heads) if 0 <= g < W]
    fig.add_trace(
        go.Scatter(
            x=[labels[g] for _, g, _ in arcs],
            y=[labels[d] for d, _, _ in arcs],
            mode="markers",
            name=escape_label(gold_label),
            customdata=[escape_label(r) for _, _, r in arcs],
            marker={"symbol": "square-open", "size": marker_px, "color": GOLD, "line": {"width": 2.5}},
            hovertemplate=f"%{{y}} -> %{{x}} (%{{customdata}})<extra>{escape_label(gold_label)}</extra>",
        )
    )
    span = max((abs(d - g) for d, g, _ in arcs), default=1)
    region = arc_px or int(min(240, 40 + 18 * span))  # px above the plot for the arcs
    base = 1.0 + 6 / plot_px  # just above the plot area (paper units: 1 = its top)
    _draw_arcs(fig, arcs, base=base, region=region, span=span, plot_px=plot_px)
    _mark_roots(fig, gold_heads, relations, base=base, root_label=root_label)
    fig.update_layout(
        height=(fig.layout.height or 700) + region,
        margin={"t": (margin.t or 60) + region},
        title={"y": 1.0, "yref": "container", "yanchor": "top", "pad": {"t": 10}},
        showlegend=True,
        legend={"orientation": "h", "yanchor": "top", "y": 1.0, "yref": "container", "x": 1, "xanchor": "right"},
    )
    return fig


def _add_predicted_dots(fig: go.Figure, labels: list[str], predicted: list[int], label: str, marker_px: int) -> None:
    """The head's own pick of each word (row): an orange dot in the picked word's column."""
    fig.add_trace(
        go.Scatter(
            x=[labels[p] for p in predicted],
            y=labels,
            mode="markers",
            name=escape_label(label),
            marker={
                "symbol": "circle",
                "size": max(5, marker_px // 3),
                "color": PREDICTED,
                "line": {"width": 1, "color": "white"},
            },
            hovertemplate=f"%{{y}} -> %{{x}}<extra>{escape_label(label)}</extra>",
        )
    )


def _draw_arcs(
    fig: go.Figure, arcs: list[tuple[int, int, str]], *, base: float, region: int, span: int, plot_px: int
) -> None:
    """An arc from each gold head to its dependent above the columns, arrow at the dependent, relation on top."""
    for d, g, rel in arcs:
        h = (region - 28) * abs(d - g) / span / plot_px  # apex height in paper units
        fig.add_shape(
            type="path",
            xref="x",
            yref="paper",
            line={"color": GOLD, "width": 1.5},
            path=f"M {g},{base} Q {(d + g) / 2},{base + 2 * h} {d},{base}",
        )
        fig.add_annotation(
            x=d,
            y=base,
            xref="x",
            yref="paper",
            showarrow=True,
            arrowhead=2,
            arrowsize=1,
            arrowwidth=1.5,
            arrowcolor=GOLD,
            ax=0,
            ay=-9,
            text="",
        )
        fig.add_annotation(
            x=(d + g) / 2,
            y=base + h,
            xref="x",
            yref="paper",
            showarrow=False,
            yanchor="bottom",
            text=escape_label(rel),
            font={"size": 10, "color": GOLD},
        )


def _mark_roots(fig: go.Figure, gold_heads: list[int], relations: list[str], *, base: float, root_label: str) -> None:
    """An arrow labelled `root_label` down onto each word whose relation is root."""
    for d, g in enumerate(gold_heads):
        if g == -1 and (relations[d] or "").split(":")[0] == "root":
            fig.add_annotation(
                x=d,
                y=base,
                xref="x",
                yref="paper",
                showarrow=True,
                arrowhead=2,
                ax=0,
                ay=-24,
                arrowcolor=GOLD,
                text=escape_label(root_label),
                font={"size": 10, "color": GOLD},
            )
