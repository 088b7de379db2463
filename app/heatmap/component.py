"""The canvas heatmap as a Streamlit component (st.components.v2, inline JS/CSS, no iframe, no build step).

    from app import heatmap
    click = heatmap.heatmap(matrix, rows, cols, key="attention_canvas", title=..., zmax=1.0)
    # several matrices of one shape on one canvas, one colour scale (e.g. /compare's A and B):
    click = heatmap.heatmap_panels(
        np.stack([a, b]), rows, cols, key="pair", panels=heatmap.Panels(grid=(1, 2), titles=["A", "B"], ...))
    if click: click.panel, click.row, click.col     # only with clickable=True

Labels: heatmap.token_labels(tokens, positions) (plain text, repeated tokens get their position). Words: the
caller's (titles, value label), the component's own from heatmap.default_words() (app/i18n/attention.py).
The matrix goes to the browser once per run as one byte string (encode.pack: uint16 fixed point, 2 bytes a cell:
0.52 MB at 512 x 512), drawn one pixel per cell on a <canvas> scaled up.

Test hooks (stable): the canvas `data-testid="bv-heatmap"`, the tooltip `data-testid="bv-heatmap-tooltip"`, the
screen-reader text `data-testid="bv-heatmap-text"`, the buttons `bv-heatmap-reset` / `bv-heatmap-png`, and the root
element (`data-testid="bv-heatmap-root"`) with `data-rows`, `data-cols`, `data-x-labels`, `data-y-labels` (JSON
lists of the full labels), `data-title`, `data-words` (JSON: every other word it shows), `data-panels`,
`data-grid`, `data-panel-titles`, `data-view` ([r0, r1, c0, c1], the zoomed window, end exclusive), `data-plot`
(each panel's [x, y, w, h] in CSS px from the canvas' top-left), `data-label-step` / `data-tick-font` (label
thinning) and `data-painted` (a counter that grows with every paint). tests/browser_util.py's canvas_cell and
canvas_tooltip hover a cell by these.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from app.heatmap import encode
from app.i18n import t
from bertviz_core.figures.labels import ATTENTION_SCALE, ColorScale

HERE = Path(__file__).resolve().parent
NAME = "bertviz.heatmap"
JS_FILES = ("heatmap_util.js", "heatmap.js", "heatmap_events.js")  # one ES module, in this order
ENV = "BERTVIZ_HEATMAP"  # "plotly": the pages draw their Plotly figure instead (benchmarks, a fallback)


def use_canvas() -> bool:
    """True unless the server runs with BERTVIZ_HEATMAP=plotly (the one place this switch is read)."""
    return os.environ.get(ENV, "canvas").strip().lower() != "plotly"


@dataclass(frozen=True)
class Click:
    """A click on a cell: the panel (0 for a single heatmap), its row (query) and column (key), 0-based."""

    panel: int
    row: int
    col: int


@dataclass(frozen=True)
class Words:
    """The component's own words (the caller's language): the zoom reset and PNG buttons, the screen-reader
    sentence for the hovered row ("{row}" and "{keys}" are filled in) and the canvas' keyboard help."""

    reset: str
    download_png: str
    topk: str
    keys_help: str


def default_words() -> Words:
    return Words(
        reset=t("heatmap_reset"),
        download_png=t("heatmap_png"),
        topk=t("heatmap_topk"),
        keys_help=t("heatmap_keys"),
    )


def compact_js(source: str) -> str:
    """The JS without indentation, blank lines and whole-line comments: it travels with every run's message
    (inline components have no cached asset URL), 24 -> ~15 kB. Safe for these files: no multi-line strings."""
    lines = (line.strip() for line in source.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


@functools.cache
def mount():
    """Register the component once per process (its JS/CSS read from this package)."""
    return st.components.v2.component(
        NAME,
        js=compact_js("\n".join((HERE / name).read_text(encoding="utf-8") for name in JS_FILES)),
        css=(HERE / "heatmap.css").read_text(encoding="utf-8"),
        isolate_styles=False,  # in the page's DOM: tests and screen readers find the hooks without a shadow root
    )


def heatmap(
    matrix: np.ndarray,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    *,
    key: str,
    title: str = "",
    zmin: float = 0.0,
    zmax: float | None = None,
    colorscale: ColorScale = ATTENTION_SCALE,
    row_title: str = "",
    col_title: str = "",
    value_label: str = "",
    colorbar_title: str | None = "",
    font_size: int = 13,
    plot_px: int = 640,
    file_name: str = "heatmap.png",
    clickable: bool = False,
    zoomable: bool = True,
    words: Words | None = None,
) -> Click | None:
    """One [rows, cols] matrix as a canvas heatmap; returns the clicked cell in the run a click causes.

    Labels are plain text (see encode.token_labels for repeated tokens). The hover shows the value to 4
    decimals exactly when the matrix spans <= 6.55 (else fewer decimals). `colorbar_title=None`: no colour bar.
    `clickable`: clicks rerun the page and come back as a Click (else a click does nothing). `zoomable`: drag a
    rectangle to zoom, double-click / Escape / the reset button to go back."""
    m = np.asarray(matrix, dtype=np.float32)
    return heatmap_panels(
        m[None],
        row_labels,
        col_labels,
        key=key,
        title=title,
        zmin=zmin,
        zmax=zmax,
        colorscale=colorscale,
        row_title=row_title,
        col_title=col_title,
        value_label=value_label,
        colorbar_title=colorbar_title,
        font_size=font_size,
        plot_px=plot_px,
        file_name=file_name,
        clickable=clickable,
        zoomable=zoomable,
        words=words,
    )


@dataclass(frozen=True)
class Panels:
    """How several matrices of one shape share one canvas: grid (rows, cols) of panels, headers over the
    columns / beside the rows of the grid, a title per panel (in its tooltip; above it too with title_each), token
    labels or not (thumbnails)."""

    grid: tuple[int, int]
    titles: Sequence[str] = ()
    col_headers: Sequence[str] | None = None
    row_headers: Sequence[str] | None = None
    show_labels: bool = True
    exact: bool = True  # uint16, exact 4-decimal hover; False: uint8 (thumbnails: colour only, no value shown)
    hover_note: str = ""
    gap_px: int = 12
    title_each: bool = False  # each panel's title drawn above it (else the titles only name a hovered panel)


def heatmap_panels(
    matrices: np.ndarray,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    *,
    key: str,
    panels: Panels | None = None,
    zmin: float = 0.0,
    zmax: float | None = None,
    colorscale: ColorScale = ATTENTION_SCALE,
    plot_px: int = 640,
    words: Words | None = None,
    **opts,
) -> Click | None:
    """N matrices of one shape [N, rows, cols] on ONE canvas with one colour scale (e.g. /compare's A and B, or
    /model-view's layer x head thumbnails with Panels(grid=(L, H), show_labels=False, exact=False)).
    `plot_px` is one panel's longer side. Other keyword options as in heatmap()."""
    data = payload(
        matrices,
        row_labels,
        col_labels,
        panels=panels,
        zmin=zmin,
        zmax=zmax,
        colorscale=colorscale,
        plot_px=plot_px,
        words=words or default_words(),
        **opts,
    )
    result = mount()(data=data, key=key, width="content", height="content", on_click_change=lambda: None)
    return as_click(getattr(result, "click", None))


def payload(
    matrices: np.ndarray,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    *,
    panels: Panels | None,
    zmin: float,
    zmax: float | None,
    colorscale: ColorScale,
    plot_px: int,
    words: Words,
    title: str = "",
    row_title: str = "",
    col_title: str = "",
    value_label: str = "",
    colorbar_title: str | None = "",
    font_size: int = 13,
    file_name: str = "heatmap.png",
    clickable: bool = False,
    zoomable: bool = True,
) -> bytes:
    """The bytes the browser gets (encode.pack): header with labels, scale and words, then the cells."""
    m = np.asarray(matrices, dtype=np.float32)
    if m.ndim != 3:
        raise ValueError(f"matrices must be [N, rows, cols], got shape {m.shape}")
    n, rows, cols = m.shape
    if len(row_labels) != rows or len(col_labels) != cols:
        raise ValueError(f"{len(row_labels)} row / {len(col_labels)} column labels for {rows} x {cols} cells")
    p = panels or Panels(grid=(1, n))
    if p.grid[0] * p.grid[1] < n:
        raise ValueError(f"a grid of {p.grid} cannot hold {n} panels")
    finite = m[np.isfinite(m)]
    top = float(zmax) if zmax is not None else (float(finite.max()) if finite.size else 1.0)
    top = top if top > zmin else zmin + 1e-6
    qz = encode.quantize_u16(m) if p.exact else encode.quantize_u8(m, zmin, top)
    header = {
        "dtype": qz.dtype,
        "base": qz.base,
        "step": qz.step,
        "decimals": qz.decimals,
        "missing": qz.missing,
        "panels": n,
        "rows": rows,
        "cols": cols,
        "grid": list(p.grid),
        "zmin": float(zmin),
        "zmax": top,
        "colors": encode.colour_stops(colorscale),
        "x_labels": [str(s) for s in col_labels],
        "y_labels": [str(s) for s in row_labels],
        "show_labels": p.show_labels,
        "show_values": p.exact,
        "panel_titles": [str(s) for s in p.titles],
        "title_each": p.title_each,
        "grid_col_headers": None if p.col_headers is None else [str(s) for s in p.col_headers],
        "grid_row_headers": None if p.row_headers is None else [str(s) for s in p.row_headers],
        "hover_note": p.hover_note,
        "gap_px": p.gap_px,
        "title": title,
        "row_title": row_title,
        "col_title": col_title,
        "value_label": value_label,
        "colorbar_title": colorbar_title,
        "font_size": int(font_size),
        "plot_px": int(plot_px),
        "file_name": file_name,
        "clickable": clickable,
        "zoomable": zoomable,
        "words": {
            "reset": words.reset,
            "download_png": words.download_png,
            "topk": words.topk,
            "keys_help": words.keys_help,
        },
    }
    return encode.pack(header, qz.cells)


def as_click(value) -> Click | None:
    """The browser's click payload ({"panel", "row", "col"}) as a Click, or None if absent or malformed."""
    if not isinstance(value, dict):
        return None
    try:
        return Click(int(value["panel"]), int(value["row"]), int(value["col"]))
    except (KeyError, TypeError, ValueError):
        return None
