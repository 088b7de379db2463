"""Raw attention as a mixing: the mean over a layer's heads (ConvBERT: attention and convolution heads)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from bertviz_core.analysis.contributions.base import accumulated, layer_weights, normalise_rows
from bertviz_core.tracing.capture import Trace

if TYPE_CHECKING:
    from bertviz_core.models.loading import LoadedModel


def attention_mean(trace: Trace) -> np.ndarray:
    """[L, T, T] mean over heads (ConvBERT: attention and convolution heads), rows renormalised
    (a conv head's row loses the weights that fall on padding past the ends)."""
    return normalise_rows(np.stack([layer_weights(trace, l).mean(0) for l in range(trace.n_layers)]))


def attention_mixing(
    lm: LoadedModel, trace: Trace, accumulate: bool = False, layers: Iterable[int] | None = None
) -> np.ndarray:
    """The "attention" method: attention_mean per layer, or rolled out with the residual (= "rollout")."""
    return accumulated(attention_mean(trace), accumulate)
