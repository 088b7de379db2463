"""Shared pieces of the benchmarks: inputs of exact token lengths, machine facts, results file."""

from __future__ import annotations

import datetime
import json
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "deploy"))  # local_app, ws_classroom, cluster: what measures a deployment
SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "bench" / "out"
SIZES = (16, 128, 512)


def text_of_tokens(tokenizer, n_tokens: int) -> str:
    """Real prose (an inaugural address) cut so that it tokenizes to exactly n_tokens with [CLS]/[SEP]."""
    from bertviz_core.inputs.text import decode_text

    source = SHARED / "corpora" / "inaugural" / "1861-Lincoln.txt"
    words = decode_text(source.read_bytes()).split() if source.exists() else ("the quick brown fox " * 400).split()
    lo, hi = 1, len(words)
    while lo < hi:  # largest word count whose tokenization fits
        mid = (lo + hi + 1) // 2
        if len(tokenizer(" ".join(words[:mid]))["input_ids"]) <= n_tokens:
            lo = mid
        else:
            hi = mid - 1
    text = " ".join(words[:lo])
    ids = tokenizer(text)["input_ids"]
    while len(ids) < n_tokens:  # top up one word piece at a time
        text += " ."
        ids = tokenizer(text)["input_ids"]
    return text


def bert_inputs():
    """The bundled BERT (2 threads) and, for each size, (tokens, text, encoding)."""
    import torch

    import bertviz_core as bc

    torch.set_num_threads(2)
    lm = bc.load_model("bert-minilm-l6")
    inputs = []
    for n in SIZES:
        text = text_of_tokens(lm.tokenizer, n)
        inputs.append((n, text, lm.tokenizer(text, return_tensors="pt")))
    return lm, inputs


def machine() -> dict:
    import plotly
    import streamlit
    import torch
    import transformers

    return {
        "date": datetime.date.today().isoformat(),
        "python": platform.python_version(),
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "transformers": transformers.__version__,
        "streamlit": streamlit.__version__,
        "plotly": plotly.__version__,
    }


def save(name: str, data: dict) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(data, indent=1))
    return path


def load(name: str) -> dict | None:
    path = OUT / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None
