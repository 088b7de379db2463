"""The canvas heatmap's JavaScript helpers (app/heatmap/heatmap_util.js) agree with the Python payload: the tooltip's
number for a code, the label thinning, the payload decoding. Runs the file in Node when it is installed."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from app.heatmap import encode

NODE = shutil.which("node")
UTIL = Path(encode.__file__).with_name("heatmap_util.js")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js not installed")


def run_js(code: str, payload: bytes = b""):
    script = UTIL.read_text(encoding="utf-8") + "\n" + code
    out = subprocess.run(
        [NODE, "--input-type=module", "-e", script], input=payload, capture_output=True, check=True, timeout=60
    )
    return json.loads(out.stdout)


def test_tooltip_numbers_match_pythons_4_decimal_rounding():
    rng = np.random.default_rng(3)
    a = rng.random((20, 20)).astype(np.float32)
    m = np.concatenate([a, a - rng.random((20, 20)).astype(np.float32)])  # positive and negative values
    qz = encode.quantize_u16(m)
    header = {"base": qz.base, "decimals": qz.decimals, "missing": qz.missing}
    codes = qz.cells.ravel().tolist() + [encode.U16_MISSING]
    shown = run_js(f"const h = {json.dumps(header)}; console.log(JSON.stringify({codes}.map(q => formatValue(h, q))));")
    assert shown[-1] == "–"
    assert [float(s) for s in shown[:-1]] == [float(f"{float(v):.4f}") for v in m.ravel()]


def test_label_thinning_matches_the_python_rule():
    cases = [(16, 640, 13), (49, 640, 9), (50, 640, 9), (512, 640, 9), (512, 820, 20), (441, 640, 9)]
    steps = run_js(f"console.log(JSON.stringify({json.dumps(cases)}.map(([n, px, f]) => labelStep(n, px, f))));")
    assert steps == [encode.label_step(*c) for c in cases]


def test_the_browser_decodes_what_python_packed():
    cells = np.array([[0, 1, 65535], [40000, 7, 9]], dtype=np.uint16)
    header = {"dtype": "u16", "title": "中文 <b>"}
    code = (
        "import { readFileSync } from 'node:fs';"
        " const { h, cells } = decode(new Uint8Array(readFileSync(0)));"
        " console.log(JSON.stringify({ h, cells: Array.from(cells) }));"
    )
    got = run_js(code, encode.pack(header, cells))
    assert got["h"] == header and got["cells"] == cells.ravel().tolist()


def test_the_shipped_module_parses_after_compaction(tmp_path):
    from app.heatmap import component

    source = "\n".join((component.HERE / name).read_text(encoding="utf-8") for name in component.JS_FILES)
    shipped = component.compact_js(source)
    assert len(shipped) < len(source) and "export default function" in shipped
    (tmp_path / "heatmap.mjs").write_text(shipped, encoding="utf-8")
    subprocess.run([NODE, "--check", str(tmp_path / "heatmap.mjs")], check=True, timeout=60)
