"""What loading a model gives (`LoadedModel`) or refuses (`ModelLoadError`, with a reason from `REASONS`).

Below bertviz_core.models.loading (which re-exports these names) so that modules loading imports,
such as bertviz_core.models.variants, can use them too."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transformers import PretrainedConfig, PreTrainedModel, PreTrainedTokenizerBase

REASONS = (
    "invalid_id",  # empty, too long, control characters, not a hub id
    "outside_models_dir",  # the folder, or a file in it, resolves outside the models folder
    "not_a_model_folder",  # no config.json, unreadable or invalid JSON, special files, no weights at all
    "pickled_weights",  # only pickled weights (.bin, .pt, ...)
    "custom_code",  # an auto_map key: the checkpoint wants its own code
    "unsupported_family",  # model_type without a FamilySpec (bertviz_core.models.families)
    "no_attention",  # the model returns no attention probabilities
    "missing_weights",  # a bundled model's files are missing
    "not_listed",  # BERTVIZ_HUB_POLICY=registry and the id is not in the registry
    "offline",  # must be downloaded, and there is no network
    "load_failed",  # transformers could not load it (detail says why)
)


class ModelLoadError(ValueError):
    """A model could not be loaded; the message is meant for the user.

    `reason`: one of REASONS; `model`: the id as shown (cut); `detail`: extra
    text without the id (e.g. the unsupported family, a file name relative to
    the model folder, transformers' message with server paths removed)."""

    def __init__(self, message: str, reason: str = "load_failed", model: str = "", detail: str = "") -> None:
        assert reason in REASONS, reason
        super().__init__(message)
        self.reason = reason
        self.model = model
        self.detail = detail


@dataclass(eq=False)
class LoadedModel:
    """A model ready for `capture`: weights, tokenizer, and a lock for its hooks."""

    id: str
    label: str
    family: str  # transformers model_type
    model: PreTrainedModel  # in eval mode, eager attention
    tokenizer: PreTrainedTokenizerBase
    max_tokens: int  # longest input, special tokens included
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    note: str = ""  # what a variant is and what it was built from (bertviz_core.models.variants)

    @property
    def config(self) -> PretrainedConfig:
        return self.model.config
