"""Take it with you: figures as PNG/SVG/PDF/offline HTML, Traces as NPZ/JSON, tables as CSV.

    from bertviz_core import export
    png = export.to_png(fig, "projector")     # fits 1920 x 1080; "print" = 300 dpi at the figure's size
    svg = export.to_svg(fig)                   # vector, text stays text (tokens are searchable)
    pdf = export.to_pdf(fig)
    html = export.to_html(fig)                 # one file, plotly.js inlined, opens offline
    data = export.trace_to_npz(trace)          # bytes; export.trace_from_npz(data) gives the Trace back

Static images are drawn by kaleido driving an installed Chromium (Debian's /usr/bin/chromium, or
BERTVIZ_CHROMIUM / BROWSER_PATH); nothing is ever downloaded: a missing browser is an ExportError
with the install hint. One browser is started on first use and kept for the process (starting it
costs seconds; each image then costs well under a second); renders from several threads queue on it.
No streamlit here.
"""

from __future__ import annotations

import asyncio
import atexit
import html as _html
import io
import json
import os
import shutil
import struct
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go
    from kaleido import Kaleido

    from bertviz_core.tracing.trace import Trace

FORMATS = ("png", "svg", "pdf", "html")
PROJECTOR = (1920, 1080)  # a PNG for the projector fits this box
PRINT_DPI = 300  # a PNG for print: 300 dpi at the figure's on-screen size
SCREEN_DPI = 96  # CSS pixels per inch
RESOLUTIONS = ("projector", "print")
DEFAULT_SIZE = (1000, 450)  # figures without a fixed width/height are drawn at this size
JSON_MAX_TOKENS = 64  # JSON is for small inputs (a 64-token BERT trace is ~5 MB of text)
TRACE_FORMAT = "bertviz-trace/1"
DEFAULT_CHROMIUM = "/usr/bin/chromium"  # Debian's package
RENDER_TIMEOUT = 120.0  # seconds for one image (first use includes starting the browser)

MIME = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "html": "text/html",
    "npz": "application/octet-stream",
    "json": "application/json",
    "csv": "text/csv",
}


class ExportError(RuntimeError):
    """An export that cannot be made here (no Chromium, input too large for the format, bad file)."""


# --------------------------------------------------------------------------- static images


def chromium_path() -> str:
    """The Chromium kaleido drives: $BERTVIZ_CHROMIUM, $BROWSER_PATH, /usr/bin/chromium, or one on PATH."""
    for candidate in (
        os.environ.get("BERTVIZ_CHROMIUM"),
        os.environ.get("BROWSER_PATH"),
        DEFAULT_CHROMIUM,
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        shutil.which("google-chrome"),
    ):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise ExportError(
        "No Chromium found for PNG/SVG/PDF export. Install Debian's (apt-get install chromium) "
        "or set BERTVIZ_CHROMIUM to a Chrome/Chromium executable. HTML export needs no browser."
    )


def figure_size(fig: go.Figure) -> tuple[int, int]:
    """The figure's own width and height in CSS pixels (DEFAULT_SIZE where the layout leaves them open)."""
    w, h = fig.layout.width, fig.layout.height
    return int(w or DEFAULT_SIZE[0]), int(h or DEFAULT_SIZE[1])


def png_scale(fig: go.Figure, resolution: str = "projector") -> float:
    """Scale factor for a PNG: "projector" fits the figure into 1920 x 1080 (enlarging or shrinking);
    "print" gives 300 dpi when the figure is printed at its on-screen size (96 px per inch)."""
    if resolution == "projector":
        w, h = figure_size(fig)
        # a hair above the exact ratio, so the side that fits exactly is not truncated to 1079 px
        return min(PROJECTOR[0] / w, PROJECTOR[1] / h) * (1 + 1e-9)
    if resolution == "print":
        return PRINT_DPI / SCREEN_DPI
    raise ValueError(f"Unknown resolution {resolution!r}; use one of {', '.join(RESOLUTIONS)}.")


def png_size(fig: go.Figure, resolution: str = "projector") -> tuple[int, int]:
    """Pixel size of to_png(fig, resolution) (the browser's canvas truncates width x scale)."""
    w, h = figure_size(fig)
    s = png_scale(fig, resolution)
    return int(w * s), int(h * s)


class _Renderer:
    """One kaleido browser for the whole process, on its own event-loop thread (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kaleido: Kaleido | None = None

    def _start(self) -> None:
        import kaleido

        path = chromium_path()
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, name="bertviz-kaleido", daemon=True).start()

        async def open_browser() -> Kaleido:
            # mathjax=False: its default is a CDN script; plotly.js comes from the installed plotly package
            k = kaleido.Kaleido(path=path, n=1, timeout=RENDER_TIMEOUT, mathjax=False)
            await k.open()
            return k

        try:
            self._kaleido = asyncio.run_coroutine_threadsafe(open_browser(), loop).result(RENDER_TIMEOUT)
        except Exception as exc:
            loop.call_soon_threadsafe(loop.stop)
            raise ExportError(f"Could not start Chromium at {path} for export: {exc}") from exc
        self._loop = loop

    def render(self, fig: go.Figure, opts: dict[str, Any]) -> bytes:
        chromium_path()  # no browser at all: say so at once, no retry
        for attempt in (1, 2):  # a browser that died (or failed to start on a starved CPU) gets one restart
            try:
                with self._lock:
                    if self._kaleido is None:
                        self._start()
                    loop, k = self._loop, self._kaleido
                if loop is None or k is None:  # _start() sets both or raises
                    raise RuntimeError("the export browser is not running")
                return asyncio.run_coroutine_threadsafe(k.calc_fig(fig, opts=opts), loop).result(RENDER_TIMEOUT)
            except Exception as exc:
                self.close()
                if attempt == 2:
                    raise ExportError(f"Chromium could not draw the figure: {type(exc).__name__}: {exc}") from exc
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:
            loop, k = self._loop, self._kaleido
            self._loop = self._kaleido = None
        if k is not None and loop is not None:  # set together by _start()
            try:
                asyncio.run_coroutine_threadsafe(k.close(), loop).result(30)
            except Exception:  # noqa: BLE001, S110 - close() must never raise (it runs at exit): a dead browser is moot
                pass
            loop.call_soon_threadsafe(loop.stop)


_renderer = _Renderer()
atexit.register(_renderer.close)


def close_browser() -> None:
    """Stop the export browser (it starts again on the next static export)."""
    _renderer.close()


def portable(fig: go.Figure) -> go.Figure:
    """The figure as it looks outside Streamlit. Importing streamlit makes Plotly's default template
    one of placeholder colours (#000001, ...) that only Streamlit's front end resolves; such a figure
    is copied onto Plotly's own template. Any other template is kept."""
    colorway = fig.layout.template.layout.colorway
    if colorway and str(colorway[0]).lower() == "#000001":
        import plotly.graph_objects as go

        fig = go.Figure(fig)
        fig.update_layout(template="plotly")
    return fig


def _render(fig: go.Figure, fmt: str, scale: float = 1.0) -> bytes:
    w, h = figure_size(fig)
    return _renderer.render(portable(fig), {"format": fmt, "width": w, "height": h, "scale": scale})


def _png_with_dpi(png: bytes, dpi: float) -> bytes:
    """Insert a pHYs chunk (pixels per metre) right after IHDR, so editors place the image at its size."""
    ppm = round(dpi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", ppm, ppm, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    end_of_ihdr = 8 + 8 + 13 + 4  # signature, IHDR length+type, IHDR data, CRC
    rest = png[end_of_ihdr:]
    if rest[4:8] == b"pHYs":  # replace an existing one
        rest = rest[8 + 9 + 4 :]
    return png[:end_of_ihdr] + chunk + rest


def to_png(fig: go.Figure, resolution: str = "projector") -> bytes:
    """PNG bytes: "projector" fits 1920 x 1080, "print" is 300 dpi at the figure's size (see png_size)."""
    scale = png_scale(fig, resolution)
    png = _render(fig, "png", scale)
    return _png_with_dpi(png, PRINT_DPI if resolution == "print" else SCREEN_DPI * scale)


def to_svg(fig: go.Figure) -> bytes:
    """SVG bytes at the figure's size; labels stay text (fonts come from the viewer)."""
    return _render(fig, "svg")


def to_pdf(fig: go.Figure) -> bytes:
    """A one-page vector PDF at the figure's size."""
    return _render(fig, "pdf")


# --------------------------------------------------------------------------- offline HTML


def plotly_js() -> str:
    """The plotly.js bundled with the installed plotly package (inlined in every offline HTML)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def figure_div(fig: go.Figure, div_id: str | None = None) -> str:
    """A figure as a <div> + <script> that needs plotly.js already on the page (no network)."""
    import plotly.io as pio

    return pio.to_html(
        portable(fig),
        include_plotlyjs=False,
        full_html=False,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
    )


_CSS = """
body { font-family: Inter, "Segoe UI", Helvetica, Arial, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
       margin: 0 auto; max-width: 1200px; padding: 1.5rem; color: #1f2430; line-height: 1.5; }
h1 { font-size: 1.7rem; margin-bottom: .3rem; } h2 { font-size: 1.3rem; margin-top: 2rem; }
.meta { color: #667; font-size: .9rem; } .figure { margin: 1rem 0 2rem; overflow-x: auto; }
.caption { color: #445; font-size: .95rem; } .section { border-top: 1px solid #dde; padding-top: .5rem; }
"""


@dataclass
class Section:
    """Part of an offline document: a heading, explanation paragraphs (plain text, escaped) and figures."""

    title: str
    text: str = ""
    figures: list[go.Figure] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)  # one plain-text caption per figure ("" for none)


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{_html.escape(p)}</p>" for p in text.split("\n\n") if p.strip())


def document_html(title: str, sections: list[Section], *, intro: str = "", meta: str = "", lang: str = "en") -> str:
    """One self-contained HTML page: plotly.js inlined once, every figure interactive, no network.

    All text is escaped (user sentences are never HTML)."""
    body, n = [], 0
    for s in sections:
        body.append(f'<div class="section"><h2>{_html.escape(s.title)}</h2>{_paragraphs(s.text)}')
        for k, fig in enumerate(s.figures):
            n += 1
            caption = s.captions[k] if k < len(s.captions) else ""
            body.append(
                f'<div class="figure">{figure_div(fig, div_id=f"fig{n}")}'
                + (f'<p class="caption">{_html.escape(caption)}</p>' if caption else "")
                + "</div>"
            )
        body.append("</div>")
    return (
        f'<!DOCTYPE html>\n<html lang="{_html.escape(lang)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_html.escape(title)}</title><style>{_CSS}</style>"
        f'<script type="text/javascript">{plotly_js()}</script></head><body>'
        f"<h1>{_html.escape(title)}</h1>"
        + (f'<p class="meta">{_html.escape(meta)}</p>' if meta else "")
        + _paragraphs(intro)
        + "".join(body)
        + "</body></html>"
    )


def to_html(fig: go.Figure, *, title: str = "", text: str = "", lang: str = "en") -> str:
    """A single figure as a self-contained offline HTML page (plotly.js inlined, ~4.7 MB)."""
    name = title or (fig.layout.title.text or "BERT Inside")
    return document_html(name, [Section(title="", text=text, figures=[fig])], lang=lang).replace(
        '<div class="section"><h2></h2>', '<div class="section">', 1
    )


def figure_bytes(fig: go.Figure, fmt: str, resolution: str = "projector", **html_kw: str) -> bytes:
    """Any of FORMATS as bytes (html as UTF-8)."""
    if fmt == "png":
        return to_png(fig, resolution)
    if fmt == "svg":
        return to_svg(fig)
    if fmt == "pdf":
        return to_pdf(fig)
    if fmt == "html":
        return to_html(fig, **html_kw).encode("utf-8")
    raise ValueError(f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}.")


def write_figure(fig: go.Figure, path: str | Path, fmt: str | None = None, resolution: str = "projector") -> Path:
    """Write a figure to `path`; the format defaults to the file's extension."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    path.write_bytes(figure_bytes(fig, fmt, resolution))
    return path


# --------------------------------------------------------------------------- traces

_ARRAYS = (
    "attentions",
    "hidden_states",
    "position_embeddings",
    "token_type_embeddings",
    "conv_kernels",
    "deberta_terms",
)
_META = (
    "model_id",
    "family",
    "text",
    "text_b",
    "tokens",
    "token_ids",
    "b_start",
    "dropped_tokens",
    "special",
    "offsets",
    "deberta_terms_used",
)


def _meta(trace: Trace) -> dict[str, Any]:
    m = {k: getattr(trace, k) for k in _META}
    m["special"], m["offsets"] = list(m["special"]), [list(o) for o in m["offsets"]]
    m["deberta_terms_used"] = list(m["deberta_terms_used"])
    return {"format": TRACE_FORMAT, **m}


def _trace(meta: dict[str, Any], arrays: dict[str, np.ndarray | None]) -> Trace:
    from bertviz_core.tracing.capture import Trace

    if meta.get("format") != TRACE_FORMAT:
        raise ExportError(f"Not a bertviz trace (format {meta.get('format')!r}, expected {TRACE_FORMAT!r}).")
    for a in arrays.values():
        if a is not None:
            a.setflags(write=False)
    attentions, hidden_states = arrays.get("attentions"), arrays.get("hidden_states")
    if attentions is None or hidden_states is None:  # every Trace has both
        raise ExportError("Not a bertviz trace: it has no attentions or no hidden states.")
    return Trace(
        model_id=meta["model_id"],
        family=meta["family"],
        text=meta["text"],
        text_b=meta["text_b"],
        tokens=list(meta["tokens"]),
        token_ids=[int(i) for i in meta["token_ids"]],
        b_start=meta["b_start"],
        dropped_tokens=int(meta["dropped_tokens"]),
        special=tuple(bool(s) for s in meta["special"]),
        # (sentence, start, end) triples, as _meta wrote a Trace's offsets
        offsets=cast("tuple[tuple[int, int, int], ...]", tuple(tuple(int(v) for v in o) for o in meta["offsets"])),
        attentions=attentions,
        hidden_states=hidden_states,
        position_embeddings=arrays.get("position_embeddings"),
        token_type_embeddings=arrays.get("token_type_embeddings"),
        conv_kernels=arrays.get("conv_kernels"),
        deberta_terms=arrays.get("deberta_terms"),
        deberta_terms_used=tuple(bool(u) for u in meta.get("deberta_terms_used", ())),
    )


def trace_to_npz(trace: Trace, compress: bool = False) -> bytes:
    """The Trace as .npz bytes: its float32 arrays under their Trace names (absent ones left out) and
    `meta` (JSON text: tokens, ids, sentences, model). Loads with plain numpy, no pickle:
    `np.load(f)["attentions"]`, `json.loads(str(np.load(f)["meta"]))`."""
    buf = io.BytesIO()
    arrays = {k: getattr(trace, k) for k in _ARRAYS if getattr(trace, k) is not None}
    (np.savez_compressed if compress else np.savez)(
        buf, meta=np.array(json.dumps(_meta(trace), ensure_ascii=False)), **arrays
    )
    return buf.getvalue()


def trace_from_npz(source: bytes | bytearray | str | Path | IO[bytes]) -> Trace:
    """A Trace from trace_to_npz's bytes, a path or a file object."""
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    try:
        with np.load(source, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            arrays: dict[str, np.ndarray | None] = {
                k: np.array(z[k], dtype=np.float32) for k in _ARRAYS if k in z.files
            }
    except (ValueError, KeyError, OSError, zlib.error) as exc:
        raise ExportError(f"Not a bertviz trace .npz file: {exc}") from exc
    return _trace(meta, arrays)


def _to_lists(a: np.ndarray) -> list[Any]:
    # numpy's str of a float32 is the shortest decimal that reads back as the same float32; as a Python
    # float its repr is that same short decimal, so json writes ~9 characters per value, exactly
    return np.asarray(a, dtype=np.float32).astype(str).astype(np.float64).tolist()


def trace_to_json(trace: Trace, max_tokens: int = JSON_MAX_TOKENS) -> str:
    """The Trace as JSON text (nested lists, float32 values exactly), for inputs up to max_tokens."""
    if len(trace) > max_tokens:
        raise ExportError(f"JSON export is for short inputs ({len(trace)} tokens > {max_tokens}); use NPZ.")
    doc = _meta(trace)
    for k in _ARRAYS:
        a = getattr(trace, k)
        doc[k] = None if a is None else {"shape": list(a.shape), "data": _to_lists(a)}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def trace_from_json(text: str | bytes) -> Trace:
    """A Trace from trace_to_json's text."""
    try:
        doc = json.loads(text)
        arrays: dict[str, np.ndarray | None] = {
            k: None if doc.get(k) is None else np.asarray(doc[k]["data"], dtype=np.float32).reshape(doc[k]["shape"])
            for k in _ARRAYS
        }
    except (ValueError, KeyError, TypeError) as exc:
        raise ExportError(f"Not a bertviz trace JSON file: {exc}") from exc
    return _trace(doc, arrays)


def save_trace(trace: Trace, path: str | Path) -> Path:
    """Write a Trace as .npz or .json (by extension)."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        path.write_text(trace_to_json(trace), encoding="utf-8")
    elif path.suffix.lower() == ".npz":
        path.write_bytes(trace_to_npz(trace))
    else:
        raise ExportError(f"Save a trace as .npz or .json, not {path.suffix or 'no extension'!r}.")
    return path


def load_trace(path: str | Path) -> Trace:
    """A Trace from a .json (trace_to_json) or .npz (trace_to_npz) file."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        return trace_from_json(path.read_text(encoding="utf-8"))
    return trace_from_npz(path)


# --------------------------------------------------------------------------- tables


def table_to_csv(table: pd.DataFrame | list[dict[str, Any]] | dict[str, Any]) -> bytes:
    """A table (pandas DataFrame, list of row dicts, or dict of columns) as CSV bytes.

    UTF-8 with a byte-order mark, so spreadsheet programs read Chinese tokens correctly."""
    import pandas as pd

    df = table if isinstance(table, pd.DataFrame) else pd.DataFrame(table)
    keep_index = not isinstance(df.index, pd.RangeIndex)
    return df.to_csv(index=keep_index).encode("utf-8-sig")


def human_size(n: int) -> str:
    """Bytes as '4.8 MB' / '320 KB'."""
    if n >= 1e6:
        return f"{n / 1e6:.1f} MB"
    if n >= 1e3:
        return f"{n / 1e3:.0f} KB"
    return f"{n} B"
