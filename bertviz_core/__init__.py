"""bertviz_core: see inside BERT-family encoders.

    import bertviz_core as bc
    m = bc.load_model("bert-minilm-l6")
    t = bc.capture(m, "The cat sat on the mat.")
    t.attentions.shape   # (layers, heads, T, T)
    bc.show(t, "attention", 3, 1)           # in a notebook
    bc.mixing(m, t, "rollout")              # beyond attention weights
    bc.batch.capture_batch(m, sentences)    # many sentences
    bc.syntax.head_accuracy(m, "treebank.conllu")

The library is layered: `models` and `inputs` at the bottom, then `tracing` (hooks, Trace), `analysis`,
`figures` and `training`, `export` and `corpus`, and `cli` on top; each imports only from the floors
below it (checked by import-linter, see pyproject.toml). This module is the flat public API.
Pure Python (torch, transformers, numpy, plotly); never imports streamlit.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from bertviz_core.analysis import (
    compress,  # noqa: F401 - registers the @int8 and @prune model variants
    qbert,  # noqa: F401 - registers the @q=N and @qbert=B model variants (after compress's)
    syntax,
)
from bertviz_core.analysis.contributions import attribution, mixing, norm_attention
from bertviz_core.analysis.electra import (
    NoDiscriminator,
    ReplacedTokenError,
    ReplacedTokenScores,
    replaced_token_scores,
)
from bertviz_core.analysis.fill_mask import FillMaskError, MaskGuess, fill_mask
from bertviz_core.analysis.next_sentence import NextSentence, NextSentenceError, next_sentence
from bertviz_core.models import registry
from bertviz_core.models.loading import LoadedModel, ModelLoadError, load_model
from bertviz_core.models.registry import ModelEntry, available_models
from bertviz_core.tracing import batch
from bertviz_core.tracing.capture import Trace, capture, kernels_to_banded

__all__ = [
    "FillMaskError",
    "LoadedModel",
    "MaskGuess",
    "ModelEntry",
    "ModelLoadError",
    "NextSentence",
    "NextSentenceError",
    "NoDiscriminator",
    "ReplacedTokenError",
    "ReplacedTokenScores",
    "Trace",
    "attribution",
    "available_models",
    "batch",
    "capture",
    "fill_mask",
    "kernels_to_banded",
    "load_model",
    "mixing",
    "next_sentence",
    "norm_attention",
    "registry",
    "replaced_token_scores",
    "show",
    "syntax",
]

# Loaded on first use, so `import bertviz_core` does not pull in plotly: `bc.figures.head_view(...)`,
# `bc.export.to_png(fig)`, `bc.interventions.run(m, text, ablate=[(2, 5)])`, `bc.compress.results()`,
# `bc.masking.mask_text(m.tokenizer, text)` (ERNIE's masking strategies), `bc.pos_probe.tagger(m.model, m.tokenizer)`.
LAZY_MODULES = {
    "figures": "bertviz_core.figures",
    "export": "bertviz_core.export",
    "lesson_pack": "bertviz_core.export.lesson_pack",
    "interventions": "bertviz_core.analysis.interventions",
    "compress": "bertviz_core.analysis.compress",
    "masking": "bertviz_core.analysis.masking",
    "pos_probe": "bertviz_core.analysis.pos_probe",
}


def __getattr__(name: str) -> ModuleType:
    if name in LAZY_MODULES:
        return importlib.import_module(LAZY_MODULES[name])
    raise AttributeError(f"module 'bertviz_core' has no attribute {name!r}")


def show(trace: Trace, view: str = "attention", *args: Any, **kw: Any) -> None:
    """Draw a view of a Trace in a notebook (Jupyter, VS Code, Colab): `bc.show(t, "attention", 3, 1)`.

    Views: "attention" (layer, head), "model", "layer" (layer), "convolution" (layer), "positions",
    "compare" (other_trace, layer, head). See bertviz_core.figures.VIEWS; to keep the figure, use
    `bc.figures.view(t, "attention", 3, 1)`."""
    from bertviz_core import figures

    figures.show(trace, view, *args, **kw)
