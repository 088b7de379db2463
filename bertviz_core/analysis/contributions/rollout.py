"""Attention rollout (Abnar & Zuidema 2020): the product of 0.5 A + 0.5 I through the layers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from bertviz_core.analysis.contributions.attention import attention_mean
from bertviz_core.analysis.contributions.base import rollout, with_residual
from bertviz_core.tracing.capture import Trace

if TYPE_CHECKING:
    from bertviz_core.models.loading import LoadedModel


def rollout_mixing(
    lm: LoadedModel, trace: Trace, accumulate: bool = True, layers: Iterable[int] | None = None
) -> np.ndarray:
    """The "rollout" method: row block l is the product of 0.5 A + 0.5 I (A the head mean) up to layer l
    (always accumulated)."""
    return rollout(with_residual(attention_mean(trace)))
