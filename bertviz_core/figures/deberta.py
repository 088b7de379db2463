"""Figures of DeBERTa's disentangled attention (bertviz_core.analysis.deberta): its three score terms beside the
attention, per-head maps over layers x heads, and the relative-position buckets. No torch, no streamlit.

Every word shown comes from the caller (the page translates it); labels are escaped (Plotly reads a little HTML).
The panel figures are laid out in pixels (no automargin: it measures every label and redraws): `width` is the
whole figure's, each panel is a square, and the colour bars lie flat under the panels they belong to.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from bertviz_core.analysis import deberta
from bertviz_core.figures.labels import (
    ATTENTION_SCALE,
    DIFF_SCALE,
    FONT,
    ColorScale,
    block_average,
    escape_label,
    text_px,
    tick_font_size,
    token_labels,
)

GAP_PX = 18  # between two panels
RIGHT_PX = 14
NOTE_COLOUR = "#8a5a00"


@dataclass(frozen=True)
class Scale:
    """One colour scale (a Plotly coloraxis) and the panels that use it; its colour bar lies under them."""

    colorscale: ColorScale
    cmin: float
    cmax: float
    title: str
    panels: tuple[int, ...]
    cmid: float | None = None


def fit_cells(matrices: np.ndarray, labels: list[str], max_cells: int) -> tuple[np.ndarray, list[str]]:
    """[K, T, T] block-averaged to at most max_cells per side, each cell labelled by its token range."""
    T = matrices.shape[-1]
    if T <= max_cells:
        return matrices, labels
    edges = np.linspace(0, T, max_cells + 1).astype(int)
    ranges = [f"{labels[a]} … {labels[b - 1]}" if b - a > 1 else labels[a] for a, b in itertools.pairwise(edges)]
    return np.stack([block_average(m, max_cells) for m in matrices]), ranges


@dataclass(frozen=True)
class PanelLayout:
    """Pixel sizes of a row of K square panels of n labelled rows and columns (panel_layout)."""

    size: int  # tick label font size
    every: int  # one label every `every` tokens
    left: int  # margin for the row labels and their title
    panel: int  # side of one panel
    labels_px: int  # below the panels: the column labels (turned -90 degrees) and their title
    plot_w: int  # the K panels and the gaps between them


def panel_layout(labels: list[str], K: int, width: int, font_size: int) -> PanelLayout:
    """Fit K square panels into `width` px: the font shrinks (not below 7 px) before labels are skipped."""
    n, title_px = len(labels), int(font_size * 1.6) + 8
    size = tick_font_size(n, font_size)
    left = min(220, max(text_px(lab, size) for lab in labels) + title_px + 8)
    panel = max(120, (width - left - RIGHT_PX - GAP_PX * (K - 1)) // K)
    if n * (size + 3) > panel:
        size = max(7, min(size, panel // n - 3))
    every = max(1, int(np.ceil(n / max(6, panel // (size + 3)))))
    label_px = max(text_px(lab, size) for lab in labels[::every])
    left = min(220, label_px + title_px + 8)
    panel = max(120, (width - left - RIGHT_PX - GAP_PX * (K - 1)) // K)
    return PanelLayout(size, every, left, panel, label_px + title_px + 10, K * panel + GAP_PX * (K - 1))


def flat_colorbar(scale: Scale, box: PanelLayout) -> dict:
    """A horizontal colour bar centred under the panels of `scale`, below their column labels."""
    x0 = min(scale.panels) * (box.panel + GAP_PX)
    x1 = max(scale.panels) * (box.panel + GAP_PX) + box.panel
    return {
        "orientation": "h",
        "title": {"text": escape_label(scale.title), "side": "top"},
        "thickness": 12,
        "x": (x0 + x1) / 2 / box.plot_w,
        "xanchor": "center",
        "len": min(1.0, max(0.6 * box.panel, 0.9 * (x1 - x0)) / box.plot_w),
        "y": -box.labels_px / box.panel,
        "yanchor": "top",
    }


def panel_heatmaps(
    matrices: np.ndarray,
    tokens: list[str],
    *,
    titles: list[str],
    scales: list[Scale],
    subtitles: list[str] | None = None,
    width: int = 940,
    font_size: int = 13,
    row_title: str = "query token (from)",
    col_title: str = "key token (to)",
    max_cells: int = 64,
) -> go.Figure:
    """K [T, T] matrices as K square panels side by side, sharing the row labels; each panel is coloured by the
    Scale that lists it. `subtitles[k]` (may be "") is a second, smaller title line of panel k."""
    mats, labels = fit_cells(np.asarray(matrices, dtype=np.float32), token_labels(tokens), max_cells)
    K = len(mats)
    subtitles = subtitles or [""] * K
    box = panel_layout(labels, K, width, font_size)
    heads = [
        escape_label(t) + (f"<br><span style='font-size:{font_size - 2}px'>{escape_label(m)}</span>" if m else "")
        for t, m in zip(titles, subtitles)
    ]
    fig = make_subplots(rows=1, cols=K, shared_yaxes=True, horizontal_spacing=GAP_PX / box.plot_w, subplot_titles=heads)
    axis_of = {k: "coloraxis" + (str(i + 1) if i else "") for i, s in enumerate(scales) for k in s.panels}
    for k, (m, title) in enumerate(zip(mats, titles)):
        hover = f"{escape_label(title)}<br>%{{y}} → %{{x}}: %{{z:.3f}}<extra></extra>"
        fig.add_trace(
            go.Heatmap(z=m, x=labels, y=labels, coloraxis=axis_of[k], hoverongaps=False, hovertemplate=hover),
            row=1,
            col=k + 1,
        )
    axes = {"type": "category", "showgrid": False, "automargin": False, "dtick": box.every}
    fig.update_xaxes(
        tickangle=-90, title={"text": escape_label(col_title), "standoff": 4}, tickfont={"size": box.size}, **axes
    )
    fig.update_yaxes(autorange="reversed", ticks="", tickfont={"size": box.size}, **axes)  # no marks between panels
    fig.update_yaxes(title={"text": escape_label(row_title), "standoff": 4}, row=1, col=1)
    fig.update_annotations(font={"size": font_size})  # the panel titles
    for i, s in enumerate(scales):
        colorbar = flat_colorbar(s, box)
        fig.update_layout(
            {
                axis_of[s.panels[0]]: {
                    "colorscale": s.colorscale,
                    "cmin": s.cmin,
                    "cmax": s.cmax,
                    "cmid": s.cmid,
                    "colorbar": colorbar,
                }
            }
        )
    top = int((2 if any(subtitles) else 1) * font_size * 1.35) + 18
    bottom = box.labels_px + int(2.4 * font_size) + 34  # a flat colour bar: its title above, its tick labels below
    fig.update_layout(
        width=box.left + box.plot_w + RIGHT_PX,
        height=top + box.panel + bottom,
        margin={"l": box.left, "r": RIGHT_PX, "t": top, "b": bottom, "autoexpand": False},
        font=dict(size=font_size, **FONT),
        plot_bgcolor="white",
    )
    return fig


def term_heatmaps(
    terms: np.ndarray,
    attention: np.ndarray,
    tokens: list[str],
    *,
    titles: list[str],
    subtitles: list[str] | None = None,
    used: tuple[bool, ...] = (True, True, True),
    unused_note: str = "not used by this model (zeros)",
    term_colorbar: str = "score term",
    attention_colorbar: str = "weight",
    **layout,
) -> go.Figure:
    """One head's c2c, c2p, p2c ([3, T, T], as they enter the softmax) and its attention [T, T]: four panels.
    The three terms share ONE diverging scale, symmetric around 0 (the same zmax for the three); the attention has
    its own sequential scale (0 to its largest weight). `titles`: the four panel titles (c2c, c2p, p2c, attention),
    `subtitles` a second line under each (what the term is); an unused term's panel says `unused_note` there. `layout`: panel_heatmaps' keywords (width, font_size, row_title, col_title, max_cells)."""
    terms = np.asarray(terms, dtype=np.float32)
    attention = np.asarray(attention, dtype=np.float32)
    zmax = float(np.abs(terms).max()) or 1.0
    scales = [
        Scale(DIFF_SCALE, -zmax, zmax, term_colorbar, (0, 1, 2), cmid=0.0),
        Scale(ATTENTION_SCALE, 0.0, float(attention.max()) or 1.0, attention_colorbar, (3,)),
    ]
    lines = list(subtitles or [""] * 4)
    lines = [line if u else unused_note for line, u in zip(lines, [*used, True])]
    return panel_heatmaps(
        np.concatenate([terms, attention[None]]), tokens, titles=titles, scales=scales, subtitles=lines, **layout
    )


def attention_panels(
    matrices: np.ndarray, tokens: list[str], *, titles: list[str], colorbar_title: str = "weight", **layout
) -> go.Figure:
    """Attention matrices [K, T, T] (the real one and its recomputations) side by side on ONE sequential scale,
    0 to the largest weight of any of them. `layout`: panel_heatmaps' keywords."""
    matrices = np.asarray(matrices, dtype=np.float32)
    scale = Scale(ATTENTION_SCALE, 0.0, float(matrices.max()) or 1.0, colorbar_title, tuple(range(len(matrices))))
    return panel_heatmaps(matrices, tokens, titles=titles, scales=[scale], **layout)


def ablation_panels(
    terms: np.ndarray, attention: np.ndarray, tokens: list[str], *, titles: list[str], **layout
) -> go.Figure:
    """One head's attention [T, T] beside the attention recomputed from its terms [3, T, T] for each
    analysis.deberta.ABLATIONS entry, in that order (titles: the real one's, then one per ablation), on one scale.
    `layout`: attention_panels' keywords (colorbar_title, width, font_size, ...)."""
    recomputed = [deberta.attention_from_terms(terms, keep) for keep in deberta.ABLATIONS.values()]
    return attention_panels(np.stack([attention, *recomputed]), tokens, titles=titles, **layout)


def layer_head_panels(
    values: np.ndarray,
    *,
    titles: list[str],
    colorbar_title: str,
    zmin: float = 0.0,
    zmax: float | None = None,
    colorscale: ColorScale = "Viridis",
    mark: tuple[int, int] | None = None,
    width: int = 940,
    font_size: int = 13,
    hover_value: str = "",
) -> go.Figure:
    """K maps of one number per head, values [K, layers, heads], side by side on ONE scale (zmin..zmax, default
    the largest value): rows L0.., columns H0..; the values are written in the cells when they fit, and the
    head `mark` = (layer, head) is outlined in every panel."""
    values = np.asarray(values, dtype=np.float32)
    K, L, H = values.shape
    size = max(8, font_size - 3)
    left, bar_px = text_px(f"L{L - 1}", font_size) + 12, 90
    cell = max(12, min(44, (width - left - bar_px - GAP_PX * (K - 1)) // (K * H)))
    plot_w = K * H * cell + GAP_PX * (K - 1)
    titles = [escape_label(t) for t in titles]
    fig = make_subplots(rows=1, cols=K, shared_yaxes=True, horizontal_spacing=GAP_PX / plot_w, subplot_titles=titles)
    text_fits = text_px("0.00", size) <= cell - 2
    for k in range(K):
        fig.add_trace(
            go.Heatmap(
                z=values[k],
                coloraxis="coloraxis",
                text=np.char.mod("%.2f", values[k]) if text_fits else None,
                texttemplate="%{text}" if text_fits else None,
                textfont={"size": size},
                hovertemplate=f"{titles[k]}<br>L%{{y}} H%{{x}}: {escape_label(hover_value)} %{{z:.3f}}<extra></extra>",
            ),
            row=1,
            col=k + 1,
        )
        if mark is not None:
            layer, head = mark
            outline = {"type": "rect", "line": {"color": "#d62728", "width": 2.5}}
            fig.add_shape(x0=head - 0.5, x1=head + 0.5, y0=layer - 0.5, y1=layer + 0.5, row=1, col=k + 1, **outline)
    head_axes(fig, L, H, size, every=1 if cell >= text_px("H11", size) + 2 else 2)
    head_labels_px = int(size * 1.4) + 12  # the head labels above each panel, then its title
    top = head_labels_px + int(font_size * 1.4) + 16
    fig.update_annotations(font={"size": font_size}, yshift=head_labels_px)
    colorbar = {"title": {"text": escape_label(colorbar_title)}, "thickness": 12, "x": 1.0, "xpad": 10}
    fig.update_layout(
        coloraxis={
            "colorscale": colorscale,
            "cmin": zmin,
            "cmax": float(values.max()) if zmax is None else zmax,
            "colorbar": colorbar,
        },
        width=left + plot_w + bar_px,
        height=top + L * cell + 12,
        margin={"l": left, "r": bar_px, "t": top, "b": 12, "autoexpand": False},
        font=dict(size=font_size, **FONT),
        plot_bgcolor="white",
    )
    return fig


def head_axes(fig: go.Figure, L: int, H: int, size: int, every: int) -> None:
    """Layers L0.. down the left, heads H0.. (every `every`-th) along the top of each panel."""
    plain = {"tickmode": "array", "showgrid": False, "zeroline": False}
    heads = list(range(0, H, every))
    fig.update_xaxes(
        tickvals=heads,
        ticktext=[f"H{h}" for h in heads],
        side="top",
        tickfont={"size": size},
        range=[-0.5, H - 0.5],
        **plain,
    )
    layers = {"tickvals": list(range(L)), "ticktext": [f"L{l}" for l in range(L)], "range": [L - 0.5, -0.5]}
    fig.update_yaxes(ticks="", **layers, **plain)  # no tick marks between the panels


def position_bucket_figure(
    buckets: int,
    max_position: int,
    span: int,
    *,
    reach: int,
    names: dict[str, str],
    limit: int = 300,
    font_size: int = 13,
    height: int = 420,
    width: int | None = None,
) -> go.Figure:
    """DeBERTa's relative-position buckets: relative distance (-R..R, R = max(limit, reach)) -> bucket
    (analysis.deberta.relative_position_bucket with the model's buckets and max_position), and the row of the
    position table it reads (embedding_row: clipped to -span..span-1) where that differs. The exact region
    (|d| <= buckets // 2) and the log region are shaded, the table's ends and this sentence's reach (±reach)
    marked. `names`: the words, keys title, x, y, bucket, row, exact, log, table_end, sentence."""
    R = max(limit, reach)
    d = np.arange(-R, R + 1)
    bucket = deberta.relative_position_bucket(d, buckets, max_position)
    row = deberta.embedding_row(bucket, span)
    fig = go.Figure(go.Scatter(x=d, y=bucket, mode="lines", name=escape_label(names["bucket"]), line={"width": 3}))
    if np.any(row != bucket):
        dashed = {"dash": "dash", "color": "#d62728"}
        fig.add_trace(go.Scatter(x=d, y=row, mode="lines", name=escape_label(names["row"]), line=dashed))
    small = {"showarrow": False, "font": {"size": font_size - 1}}
    top = span * 1.06
    if 0 < buckets // 2 < R:
        mid = buckets // 2
        fig.add_vrect(x0=-mid, x1=mid, fillcolor="rgba(44,160,44,0.12)", layer="below", line_width=0)
        fig.add_annotation(x=0, y=top, text=escape_label(names["exact"]), **small)
        for x0, x1 in ((-R, -mid), (mid, R)):
            fig.add_vrect(x0=x0, x1=x1, fillcolor="rgba(255,127,14,0.12)", layer="below", line_width=0)
            fig.add_annotation(x=(x0 + x1) / 2, y=top, text=escape_label(names["log"]), **small)
    for y in (span - 1, -span):
        fig.add_hline(y=y, line={"dash": "dot", "color": "grey"})
    fig.add_annotation(
        x=-R, y=-span, text=escape_label(names["table_end"]), xanchor="left", yanchor="bottom", xshift=4, **small
    )
    for x in (-reach, reach):
        fig.add_vline(x=x, line={"dash": "dash", "color": "#1f5fbf", "width": 1.5})
    fig.add_annotation(x=reach, y=-span * 0.8, text=escape_label(names["sentence"]), xanchor="left", xshift=4, **small)
    fig.update_layout(
        title={"text": escape_label(names["title"])},
        xaxis={"title": escape_label(names["x"]), "range": [-R, R], "zeroline": False},
        yaxis={"title": escape_label(names["y"]), "range": [-span * 1.12, span * 1.12], "zeroline": False},
        height=height,
        width=width,
        font=dict(size=font_size, **FONT),
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        plot_bgcolor="white",
    )
    return fig
