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
    """Plotly specs drawn on the page (data + layout)."""
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


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
