"""How close a shipped student is to its teacher, as bench/convbert_quality.py measured it on held-out sentences.

The one source of that number for the app and the library: `bertviz_core/weights/<id>/quality.json`, written by
the benchmark next to the weights it measured (the model card and bench/RESULTS.md quote the same run).
Distilled students only: their cosine to the teacher is what they were trained for. `bert-minilm-l6-mlm` was
retrained with masked words, not distilled, so it has no quality.json: its held-out quality is masked-word accuracy
(bench/mlm_quality.py, quoted in its model card), and how far it moved from bert-minilm-l6 is per-head attention JS
(its attention_movement.json).
"""

from __future__ import annotations

import json
from typing import Any

from bertviz_core.models.registry import WEIGHTS_DIR

QUALITY_FILE = "quality.json"


def shipped_quality(model_id: str) -> dict[str, Any] | None:
    """{"heldout_cosine", "ci95": [low, high], "sentences", "source", ...} of a bundled student, or None."""
    path = WEIGHTS_DIR / model_id / QUALITY_FILE
    if "/" in model_id or ".." in model_id or not path.is_file():
        return None
    return json.loads(path.read_text())
