"""bertviz_core: see inside BERT-family encoders.

    import bertviz_core as bc
    m = bc.load_model("bert-minilm-l6")
    t = bc.capture(m, "The cat sat on the mat.")
    t.attentions.shape   # (layers, heads, T, T)

Pure Python (torch, transformers, numpy, plotly); never imports streamlit.
"""
from bertviz_core import registry
from bertviz_core.registry import ModelEntry, available_models
from bertviz_core.loading import LoadedModel, ModelLoadError, load_model
from bertviz_core.capture import Trace, capture, kernels_to_banded
from bertviz_core import batch, syntax  # bc.syntax.head_accuracy, bc.batch.capture_batch
from bertviz_core.contributions import attribution, mixing, norm_attention

__all__ = ["ModelEntry", "available_models", "LoadedModel", "ModelLoadError", "load_model",
           "Trace", "capture", "kernels_to_banded", "show", "norm_attention", "mixing", "attribution"]

_LAZY = ("figures", "export", "analysis", "lesson_pack",  # `bc.figures.head_view(...)` without importing plotly up front
         "interventions", "compress")  # bc.interventions.run(m, text, ablate=[(2, 5)]); bc.compress.results()


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return importlib.import_module(f"bertviz_core.{name}")
    raise AttributeError(f"module 'bertviz_core' has no attribute {name!r}")


def show(trace, view: str = "attention", *args, **kw) -> None:
    """Draw a view of a Trace in a notebook (Jupyter, VS Code, Colab): `bc.show(t, "attention", 3, 1)`.

    Views: "attention" (layer, head), "model", "layer" (layer), "convolution" (layer), "positions",
    "compare" (other_trace, layer, head). See bertviz_core.figures.VIEWS; to keep the figure, use
    `bc.figures.view(t, "attention", 3, 1)`."""
    from bertviz_core import figures

    figures.show(trace, view, *args, **kw)
