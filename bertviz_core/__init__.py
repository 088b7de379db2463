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

__all__ = ["ModelEntry", "available_models", "LoadedModel", "ModelLoadError", "load_model",
           "Trace", "capture", "kernels_to_banded"]
