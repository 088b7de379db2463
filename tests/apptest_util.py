"""Helpers for Streamlit AppTest runs of the multipage app."""

from __future__ import annotations

import base64
import json

import numpy as np
from conftest import ROOT
from streamlit.testing.v1 import AppTest


def open_page(page: str, **query) -> AppTest:
    """Run the app on `pages/<page>.py` with the given URL query parameters."""
    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    if page != "home":
        at.switch_page(f"../pages/{page}.py")
        at.run()
    return at


def charts(at: AppTest) -> list[dict]:
    """Plotly specs drawn on the page (data + layout), then the page's canvas heatmaps (app/heatmap) in the same
    shape: data[0] = {"type": "canvas", "x": column labels, "y": row labels, "z": the values the browser reads
    (nested lists, [rows][cols], or [panels][rows][cols] for several panels)}, layout.title.text = its title."""
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")] + canvas_heatmaps(at)


def canvas_heatmaps(at: AppTest) -> list[dict]:
    from app.heatmap import encode

    out = []
    for el in at.get("bidi_component"):
        if el.proto.component_name != "bertviz.heatmap":
            continue
        h, cells = encode.unpack(el.proto.bytes)
        z = np.where(cells == h["missing"], np.nan, (h["base"] + cells.astype(np.float64)) * h["step"])
        z = z.reshape(h["panels"], h["rows"], h["cols"])
        data = {
            "type": "canvas",
            "x": h["x_labels"],
            "y": h["y_labels"],
            "z": (z[0] if h["panels"] == 1 else z).tolist(),
        }
        out.append({"data": [data], "layout": {"title": {"text": h["title"]}}, "header": h})
    return out


def decode(value):
    """Plotly 7 ships numpy arrays as {'dtype', 'bdata', 'shape'}; lists stay lists."""
    if isinstance(value, dict) and "bdata" in value:
        arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        if shape:
            arr = arr.reshape([int(s) for s in str(shape).split(",")])
        return arr
    return np.asarray(value)


def texts(at: AppTest) -> str:
    parts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "title", "header", "subheader"):
        parts += [str(e.value) for e in at.get(kind)]
    return "\n".join(parts)
