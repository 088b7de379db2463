"""How close a shipped student is to its teacher, as bench/convbert_quality.py measured it on held-out sentences.

The one source of that number for the app and the library: `bertviz_core/weights/<id>/quality.json`, written by
the benchmark next to the weights it measured (the model card and bench/RESULTS.md quote the same run).
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
