"""The /pretraining view in a lesson pack: a masked-language model's guesses for every [MASK] of the lesson's
sentence, and where the first mask looks while guessing (every layer, then every head of the lesson's layer): the
figures /pretraining's first section draws, in the pack's words."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from bertviz_core import figures
from bertviz_core.analysis.fill_mask import fill_mask, mask_attention

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from bertviz_core.models.loading import LoadedModel

DEFAULT_MODEL = "bert-minilm-l6-mlm"
TOP_K = 10
PACK_WIDTH = 940  # px: the figures' width in the pack's column
# i18n keys this view uses (app/i18n/pretraining.py and common; lesson_pack.LABEL_KEYS includes them)
LABEL_KEYS = (
    "pre_fm_panel",
    "pre_probability",
    "pre_fm_read",
    "pre_fm_att_title",
    "pre_fm_att_note",
    "pre_fm_rows_layers",
    "pre_fm_rows_heads",
    "to_token",
    "layer",
    "head",
    "weight",
)


class ModelSource(Protocol):
    def model(self, model_id: str) -> LoadedModel: ...


def pretraining_view(
    state: dict[str, Any], t: Callable[..., str], src: ModelSource, fs: int
) -> tuple[list[go.Figure], list[str]]:
    """The guesses of `state["mask_text"]` (model: state "model", default DEFAULT_MODEL) as bars, and the first
    mask's attention: every layer (mean of its heads), then every head of state "layer" (default 0). FillMaskError
    (a ValueError) for a sentence without masks or a model without a masked-LM head."""
    lm = src.model(state.get("model") or DEFAULT_MODEL)
    text = str(state["mask_text"])
    guesses = fill_mask(lm, text, top_k=TOP_K)
    looked = mask_attention(lm, text)
    bars = figures.fill_mask_bars(
        [g.candidates for g in guesses],
        titles=[t("pre_fm_panel", n=g.mask + 1) for g in guesses],
        x_title=t("pre_probability"),
        font_size=fs,
        width=PACK_WIDTH,
    )
    n_layers, n_heads = looked.rows.shape[:2]
    layer = min(max(int(state.get("layer", 0)), 0), n_layers - 1)
    rows = looked.rows[:, :, 0, :]
    common: dict[str, Any] = {
        "title": t("pre_fm_att_title", n=1),
        "x_title": t("to_token"),
        "colorbar_title": t("weight"),
        "hover_value": t("weight"),
        "mask_columns": [looked.positions[0]],
        "font_size": fs,
        "width": PACK_WIDTH,
    }
    by_layer = figures.mask_attention_figure(
        rows.mean(1), [f"L{i}" for i in range(n_layers)], looked.tokens, y_title=t("layer"), **common
    )
    by_head = figures.mask_attention_figure(
        rows[layer], [f"H{h}" for h in range(n_heads)], looked.tokens, y_title=t("head"), **common
    )
    captions = [
        t("pre_fm_read"),
        t("pre_fm_rows_layers") + ". " + t("pre_fm_att_note"),
        t("pre_fm_rows_heads", layer=layer) + ". " + t("pre_fm_att_note"),
    ]
    return [bars, by_layer, by_head], captions
