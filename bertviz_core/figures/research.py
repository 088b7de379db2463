"""Figures for comparisons over many sentences (means with intervals) and click targets that
turn a number into a picture. No torch, no streamlit; every word comes from the caller."""

from __future__ import annotations

import unicodedata

import numpy as np
import plotly.graph_objects as go

from bertviz_core.figures.labels import FONT, escape_label

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948")
NARROWEST_PX = 540  # the narrowest these charts are drawn (half of /compare's main column): titles wrap to fit it


def _units(text: str) -> int:
    """Width of `text` in half-em units: a CJK character is one em, anything else about half."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap_title(text: str, max_units: int) -> list[str]:
    """Lines of at most `max_units` (see _units), broken between words, or anywhere in CJK text
    (which has no spaces); a single longer word stays whole."""
    lines, line = [], ""
    for piece in _pieces(text):
        if line and _units(line + piece) > max_units:
            lines.append(line.rstrip())
            line = piece.lstrip()
        else:
            line += piece
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def _pieces(text: str) -> list[str]:
    """Break points: a word with the space before it, or a single wide (CJK) character."""
    out, cur = [], ""
    for ch in text:
        if ch == " " or unicodedata.east_asian_width(ch) in "WF":
            if cur:
                out.append(cur)
            cur = ch
            if ch != " ":
                out.append(cur)
                cur = ""
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out


def interval_plot(
    x_labels: list[str],
    series: list[dict],
    *,
    title: str,
    x_title: str,
    y_title: str,
    font_size: int = 12,
    height: int = 380,
    zero_line: bool = False,
) -> go.Figure:
    """Means with 95% intervals as error bars, one line per series.

    series: dicts with "name", "mean", "low", "high" (arrays over x_labels; nan = no point) and
    optional "baseline" (array, drawn dotted in the series' colour, no error bars)."""
    fig = go.Figure()
    _add_interval_series(fig, len(x_labels), series)
    if zero_line:
        fig.add_hline(y=0, line={"color": "#888", "width": 1})
    fig.update_xaxes(
        title=x_title,
        tickmode="array",
        tickvals=list(range(len(x_labels))),
        ticktext=[escape_label(x) for x in x_labels],
    )
    fig.update_yaxes(title=y_title)
    _place_title_and_legend(fig, title, font_size=font_size, height=height, n_series=len(series))
    return fig


def _add_interval_series(fig: go.Figure, n_x: int, series: list[dict]) -> None:
    """One line of means with asymmetric error bars per series (and its dotted baseline), dodged sideways."""
    n = max(len(series), 1)
    for k, s in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        mean = np.asarray(s["mean"], dtype=np.float64)
        low, high = np.asarray(s["low"], dtype=np.float64), np.asarray(s["high"], dtype=np.float64)
        # dodge the series a little so their error bars do not overlap
        x = np.arange(n_x) + (k - (n - 1) / 2) * 0.08
        fig.add_trace(
            go.Scatter(
                x=x,
                y=mean,
                mode="lines+markers",
                name=escape_label(s["name"]),
                line={"color": color},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": np.nan_to_num(high - mean),
                    "arrayminus": np.nan_to_num(mean - low),
                    "thickness": 1.2,
                    "width": 4,
                },
                customdata=np.stack([low, high], axis=-1),
                hovertemplate=f"{escape_label(s['name'])}<br>%{{y:.3f}} [%{{customdata[0]:.3f}}, %{{customdata[1]:.3f}}]<extra></extra>",
            )
        )
        if s.get("baseline") is not None:
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=np.asarray(s["baseline"], dtype=np.float64),
                    mode="lines",
                    showlegend=False,
                    line={"color": color, "dash": "dot", "width": 1.2},
                    hovertemplate="%{y:.3f}<extra></extra>",
                )
            )


def _place_title_and_legend(fig: go.Figure, title: str, *, font_size: int, height: int, n_series: int) -> None:
    """Wrap the title into the top margin and put the legend below the axis title; set the figure's height."""
    # the title has the top margin to itself (wrapped to the narrowest width the chart is drawn at); the
    # legend sits below the axis title (a legend in the container's coordinates pushes the bottom margin)
    title_px = font_size + 4
    lines = wrap_title(title, int(NARROWEST_PX / (0.55 * title_px)))
    block = round(1.3 * title_px * len(lines))
    above, below = 12, 14 + font_size // 2  # below: clear of the top tick label, which overhangs the plot
    top = above + block + below
    total = height + top - 60 + 22 * -(-n_series // 3)  # room for the title's lines and the legend's rows
    # Plotly centres a multi-line title on its anchor: the middle of the title's block
    fig.update_layout(
        title={
            "text": "<br>".join(escape_label(line) for line in lines),
            "font": {"size": title_px},
            "x": 0,
            "xref": "paper",
            "xanchor": "left",
            "y": 1 - (above + block / 2) / total,
            "yref": "container",
            "yanchor": "middle",
        },
        height=total,
        margin={"l": 10, "r": 10, "t": top, "b": 10},
        font=dict(size=font_size, **FONT),
        plot_bgcolor="white",
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 0, "yref": "container", "yanchor": "bottom"},
    )


def add_click_targets(
    fig: go.Figure, x: list, y: list, customdata: list, hovertext: list[str], marker_px: int = 22
) -> go.Figure:
    """Make heatmap cells clickable: one invisible marker per cell carries `customdata` (Plotly
    heatmaps send no selection events; scatter points do). x/y are the cells' axis categories
    (already escaped, as the heatmap has them); the heatmap's own hover is replaced by `hovertext`."""
    fig.data[0].update(hoverinfo="skip", hovertemplate=None)
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            mode="markers",
            marker={"symbol": "square", "size": marker_px, "opacity": 0.0},
            customdata=customdata,
            hovertext=[escape_label(h) for h in hovertext],
            hoverinfo="text",
            showlegend=False,
        )
    )
    fig.update_layout(clickmode="event+select", dragmode=False)
    return fig
