"""The canvas heatmap's payload: matrices as fixed-point integers plus a JSON header, in one byte string.

Pure functions (numpy and plotly's colour tables only, no streamlit), tested against numpy in
tests/app/test_heatmap_encode.py.

Layout of the bytes handed to the browser (little-endian)::

    b"BVH1" | uint32 n | n bytes of UTF-8 JSON header | zero padding to an even offset | cells

Cells are uint16 ("u16") or uint8 ("u8"), panel after panel, row-major. A cell q stands for the value
(base + q) * 10**-decimals; the largest code (65535 / 255) marks a missing cell (NaN). With "u16" the step is
10**-decimals with decimals = 4 whenever the matrix spans at most 6.5534 (attention weights, probabilities), so
the value the browser shows to 4 decimals is exactly the float32 value rounded to 4 decimals (max abs error of
the decoded value vs float32: half a step, 5e-5); a wider span gets fewer decimals (never a wrong 4th one).
"u8" (thumbnails, whose values only pick a colour) has a step of span / 254.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MAGIC = b"BVH1"
U16_MISSING = 65535
U8_MISSING = 255
MAX_DECIMALS = 4
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


@dataclass(frozen=True)
class Quantized:
    """Integer cells and how to read them: value = (base + q) * step; q == missing marks NaN."""

    cells: np.ndarray  # uint16 or uint8, same shape as the input
    base: float  # an integer for "u16" (in units of step)
    step: float
    decimals: int | None  # digits the browser shows (None: values only colour cells)
    dtype: str  # "u16" or "u8"

    @property
    def missing(self) -> int:
        return U16_MISSING if self.dtype == "u16" else U8_MISSING


def quantize_u16(values: np.ndarray) -> Quantized:
    """Fixed point with step 10**-d, d = 4 when the finite values span <= 6.5534 (else the largest d that fits,
    possibly negative: steps of 10, 100, ...). Exact to d decimals: q = rint(v * 10**d) - base."""
    v = np.asarray(values, dtype=np.float64)  # float32 * 10**4 is exact in float64 (24 + 14 bits < 53)
    finite = np.isfinite(v)
    lo = float(v[finite].min()) if finite.any() else 0.0
    hi = float(v[finite].max()) if finite.any() else 0.0
    decimals = MAX_DECIMALS
    while decimals > -30 and (round(hi * 10**decimals) - round(lo * 10**decimals)) > U16_MISSING - 1:
        decimals -= 1
    scaled = np.rint(np.where(finite, v, 0.0) * 10.0**decimals)
    base = float(scaled[finite].min()) if finite.any() else 0.0
    q = np.where(finite, scaled - base, U16_MISSING).astype(np.uint16)
    return Quantized(q, base, 10.0**-decimals, decimals, "u16")


def quantize_u8(values: np.ndarray, zmin: float, zmax: float) -> Quantized:
    """254 levels between zmin and zmax (values outside are clipped): for cells whose value only picks a colour."""
    v = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(v)
    span = zmax - zmin if zmax > zmin else 1.0
    step = span / (U8_MISSING - 1)
    q = np.rint(np.clip((np.where(finite, v, zmin) - zmin) / step, 0, U8_MISSING - 1))
    q = np.where(finite, q, U8_MISSING).astype(np.uint8)
    return Quantized(q, zmin / step, step, None, "u8")


def dequantize(qz: Quantized) -> np.ndarray:
    """The values the browser reads back (float64, NaN where missing)."""
    q = qz.cells.astype(np.float64)
    out = (qz.base + q) * qz.step
    return np.where(qz.cells == qz.missing, np.nan, out)


def format_value(q: int, qz: Quantized) -> str:
    """What the tooltip shows for code q, computed as the browser does (integer arithmetic, no float rounding)."""
    if q == qz.missing:
        return "–"
    n = int(qz.base) + int(q)
    d = qz.decimals or 0
    if d <= 0:
        return str(n * 10 ** (-d))
    sign = "-" if n < 0 else ""
    whole, frac = divmod(abs(n), 10**d)
    return f"{sign}{whole}.{frac:0{d}d}"


def token_labels(tokens: Sequence[str], positions: Sequence[int] | None = None) -> list[str]:
    """Plain-text axis labels (the canvas draws text, never HTML): a token occurring more than once carries its
    input position as subscript digits (the₅), so every row and column has its own label."""
    positions = list(range(len(tokens))) if positions is None else list(positions)
    counts: dict[str, int] = {}
    for tok in tokens:
        counts[tok] = counts.get(tok, 0) + 1
    return [f"{tok}{str(i).translate(SUBSCRIPTS)}" if counts[tok] > 1 else tok for tok, i in zip(tokens, positions)]


def label_step(n: int, length_px: float, font_px: int) -> int:
    """Show every k-th of n labels along an axis of length_px so that labels stand one font height + 4 px apart:
    every label while they fit (a short sentence), thinned above that (~64 tokens on a 640 px plot at 9 px)."""
    if n <= 0:
        return 1
    fits = max(1, int(length_px // (font_px + 4)))
    return max(1, math.ceil(n / fits))


def colour_stops(colorscale: str | Sequence[Sequence]) -> list[list]:
    """A Plotly colour scale (a name such as "Blues" or "RdBu_r", or [[pos, colour], ...]) as [[pos, "#rrggbb"]]."""
    from plotly import colors

    stops = colors.get_colorscale(colorscale) if isinstance(colorscale, str) else [list(s) for s in colorscale]
    out = []
    for pos, col in stops:
        rgb = colors.unlabel_rgb(colors.convert_colors_to_same_type(col, "rgb")[0][0])
        out.append([float(pos), "#{:02x}{:02x}{:02x}".format(*(round(c) for c in rgb))])
    return out


def pack(header: dict, cells: np.ndarray) -> bytes:
    """Header (JSON) and cells (uint16 / uint8) in one byte string (see the module's docstring)."""
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    pad = b"\0" * ((len(MAGIC) + 4 + len(head)) % 2)
    little = cells.astype(cells.dtype.newbyteorder("<"), copy=False)
    return MAGIC + struct.pack("<I", len(head)) + head + pad + little.tobytes()


def unpack(payload: bytes) -> tuple[dict, np.ndarray]:
    """Inverse of pack: (header, flat cells), as the browser reads them."""
    if payload[:4] != MAGIC:
        raise ValueError("not a heatmap payload")
    (n,) = struct.unpack("<I", payload[4:8])
    header = json.loads(payload[8 : 8 + n].decode("utf-8"))
    start = 8 + n + (8 + n) % 2
    dtype = "<u2" if header["dtype"] == "u16" else "u1"
    return header, np.frombuffer(payload[start:], dtype=dtype)


def thumbnails(tiles: np.ndarray, size: int = 48) -> np.ndarray:
    """[L, H, T, T] -> [L * H, s, s], s = min(T, size): each tile block-averaged to s x s and divided by its own
    maximum (so that every head shows its pattern; 0 stays 0), as /model-view's grid of thumbnails."""
    from bertviz_core.figures.labels import block_average

    L, H, T, _ = tiles.shape
    small = block_average(np.asarray(tiles, dtype=np.float32), min(T, size)).reshape(L * H, min(T, size), -1)
    peak = small.max(axis=(1, 2), keepdims=True)
    return small / np.maximum(peak, 1e-9)
