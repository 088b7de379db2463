"""The /deberta view in a lesson pack: one head's three score terms beside its attention, that head recomputed
without each term, and the JS each removal moves for every head (the figures /deberta draws, in the pack's words)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from bertviz_core import figures
from bertviz_core.analysis import deberta
from bertviz_core.tracing.capture import capture

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from bertviz_core.models.loading import LoadedModel

DEFAULT_MODEL = "deberta-minilm-l6"
PACK_WIDTH = 940  # px: the figures' width in the pack's column
# i18n keys this view uses (app/i18n/deberta.py and common; lesson_pack.LABEL_KEYS includes them)
LABEL_KEYS = (
    "deb_terms_title",
    "deb_d_c2c",
    "deb_d_c2p",
    "deb_d_p2c",
    "deb_t_attention",
    "deb_d_attention",
    "deb_unused",
    "deb_term_value",
    "deb_terms_note",
    "deb_ablation_title",
    "deb_ab_real",
    "deb_ab_c2c_only",
    "deb_ab_no_c2p",
    "deb_ab_no_p2c",
    "deb_ablation_note",
    "deb_js_title",
    "deb_js_c2c_only",
    "deb_js_no_c2p",
    "deb_js_no_p2c",
    "deb_js",
)


class ModelSource(Protocol):
    def model(self, model_id: str) -> LoadedModel: ...


def deberta_view(
    state: dict[str, Any], t: Callable[..., str], src: ModelSource, fs: int
) -> tuple[list[go.Figure], list[str]]:
    """The figures and captions of /deberta for `state` (model, text, layer, head). ValueError for a model
    whose scores are not a sum of terms."""
    trace = capture(src.model(state.get("model") or DEFAULT_MODEL), state["text"], terms=True)
    if trace.deberta_terms is None:
        raise ValueError(f"{trace.model_id} has no score terms (a DeBERTa has).")
    layer = min(int(state.get("layer", 0)), trace.n_layers - 1)
    head = min(int(state.get("head", 0)), trace.n_heads - 1)
    terms, attention = trace.deberta_terms[layer, head], trace.attentions[layer, head]
    axes = {"width": PACK_WIDTH, "font_size": fs, "row_title": t("from_token"), "col_title": t("to_token")}
    what = [t("deb_d_c2c"), t("deb_d_c2p"), t("deb_d_p2c")]
    term_fig = figures.term_heatmaps(
        terms,
        attention,
        trace.tokens,
        titles=[*trace.deberta_term_names, t("deb_t_attention")],
        subtitles=[*what, t("deb_d_attention")],
        used=trace.deberta_terms_used,
        unused_note=t("deb_unused"),
        term_colorbar=t("deb_term_value"),
        attention_colorbar=t("weight"),
        **axes,
    )
    js = deberta.ablation_divergence(trace.deberta_terms)
    ablation_titles = [
        t("deb_ab_real"),
        t("deb_ab_c2c_only", js=js["c2c_only"][layer, head]),
        t("deb_ab_no_c2p", js=js["no_c2p"][layer, head]),
        t("deb_ab_no_p2c", js=js["no_p2c"][layer, head]),
    ]
    ablation_fig = figures.ablation_panels(
        terms, attention, trace.tokens, titles=ablation_titles, colorbar_title=t("weight"), **axes
    )
    js_fig = figures.layer_head_panels(
        np.stack([js[name] for name in deberta.ABLATIONS]),
        titles=[t("deb_js_c2c_only"), t("deb_js_no_c2p"), t("deb_js_no_p2c")],
        colorbar_title=t("deb_js"),
        colorscale="Reds",
        mark=(layer, head),
        width=PACK_WIDTH,
        font_size=fs,
    )
    zmax, amax = term_fig.layout.coloraxis.cmax, term_fig.layout.coloraxis2.cmax
    captions = [
        t("deb_terms_title", layer=layer, head=head) + " " + t("deb_terms_note", zmax=zmax, amax=amax),
        t("deb_ablation_title", layer=layer, head=head) + " " + t("deb_ablation_note"),
        t("deb_js_title"),
    ]
    return [term_fig, ablation_fig, js_fig], captions
