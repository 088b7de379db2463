"""Labels, colour scales and sizes shared by the figures. No torch, no streamlit.

Token labels are escaped, since Plotly reads a little HTML in labels. Thumbnails are
block-averaged to the pixels they occupy (block_average), to keep the payload small.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np

ATTENTION_SCALE = "Blues"
DIFF_SCALE = "RdBu_r"
FONT = {"family": "Inter, Segoe UI, Helvetica, Arial, sans-serif"}

# a Plotly colour scale: a name ("Blues") or [position 0..1, colour] pairs
ColorScale = str | Sequence[Sequence[float | str]]


def escape_label(text: str) -> str:
    """Make a user string inert in Plotly's pseudo-HTML labels."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def name_source(fig: Any, source: str, min_top: int = 50) -> Any:
    """Say in `fig`'s title what drew it (a model id, "A vs B"): "<title> · <source>", or the source alone for
    an untitled figure (its top margin grown to hold it). `source` is escaped; returns `fig`."""
    title = fig.layout.title.text
    fig.update_layout(title_text=f"{title} · {escape_label(source)}" if title else escape_label(source))
    if not title and (fig.layout.margin.t is None or fig.layout.margin.t < min_top):
        fig.update_layout(margin={"t": min_top})
    return fig


def token_labels(tokens: list[str], positions: list[int] | None = None) -> list[str]:
    """Escaped axis labels: the bare token, except that a token occurring more than once carries
    its position in the input as a subscript (the<sub>5</sub>, drawn "the₅"), so rows and columns
    stay distinct and keep their numbers when some columns are hidden (pass their `positions`).
    """
    positions = list(range(len(tokens))) if positions is None else list(positions)
    counts: dict[str, int] = {}
    for t in tokens:
        counts[t] = counts.get(t, 0) + 1
    out = []
    for t, i in zip(tokens, positions):
        label = escape_label(t)
        out.append(f"{label}<sub>{i}</sub>" if counts[t] > 1 else label)
    return out


def tick_font_size(n: int, base: int) -> int:
    """Tick font size (px) for n labels: base up to 28 labels, then smaller, not below 7."""
    return max(7, min(base, int(base * 28 / max(n, 1)))) if n > 28 else base


def text_px(text: str, size: int) -> int:
    """Rough rendered width of a label in pixels (wide East Asian characters count double)."""
    text = re.sub(r"<sub>(.*?)</sub>", lambda m: "_" * max(1, len(m.group(1)) // 2), re.sub(r"</?b>", "", text))
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    units = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6 for ch in text)
    return int(units * size) + 2


def block_average(matrix: np.ndarray, size: int) -> np.ndarray:
    """Downsample a [T, T] matrix to at most [size, size] by averaging blocks."""
    T = matrix.shape[-1]
    if T <= size:
        return matrix
    edges = np.linspace(0, T, size + 1).astype(int)
    rows = np.add.reduceat(matrix, edges[:-1], axis=-2) / np.diff(edges)[:, None]
    return np.add.reduceat(rows, edges[:-1], axis=-1) / np.diff(edges)[None, :]
