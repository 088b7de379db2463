"""What every /compare section shares: navigation to /attention, provenance notes, labels and widths."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import controls, i18n, nav, state
from app.i18n import t
from bertviz_core.analysis import provenance
from bertviz_core.models import heads

COLUMN_PX = 470  # half of the wide layout's main column in a 1400 px window
STEMS = {"one": "compare", "many": "compare-many", "res": "compare-results"}  # download file names per section
GOTO = "_compare_goto"


def pair_px() -> int:
    """Width asked for the two squares side by side: 1152 px (1476 in projector mode); a narrower
    main column (a 1400 px window) shrinks the figure to fit, a 1920 px one shows it whole."""
    return int(1.8 * controls.heatmap_px())


def pair_panel_px() -> int:
    """One square of the canvas pair (A beside B, app.heatmap): the Plotly pair's width less its labels and colour
    bar, halved (496 px; 658 in projector mode); a narrower main column scales the canvas down to fit."""
    return (pair_px() - 160) // 2


# ---------------------------------------------------------------- navigation
def pending_navigation() -> None:
    """Call first on the page: finish a click that asked to open a head in /attention."""
    if st.session_state.pop(GOTO, False):
        st.switch_page(nav.page("attention"))


def goto_attention(model_id: str, text: str, layer: int, head: heads.HeadId) -> None:
    """Set what /attention shows (in a callback, before widgets exist) and switch on the next run."""
    st.session_state.update(
        {"model": model_id, "text": text, "text_b": "", "layer": int(layer), "head": heads.to_token(head), GOTO: True}
    )


def head_of(summary: dict, side: str, flat: int | str) -> tuple[int, heads.HeadId]:
    """Layer and head id of the flat head index (layer-major, all_heads order) of model A or B."""
    layer, head = heads.parse_qualified(summary[f"names_{side}"][int(flat)])
    return layer, head


def points(key: str) -> list:
    """The points a chart's selection event (session state under the chart's key) holds, or []."""
    event = st.session_state.get(key)
    try:
        return list(event["selection"]["points"]) if event else []
    except (KeyError, TypeError):
        return []


# ---------------------------------------------------------------- provenance
def provenance_notes(model_a: str, model_b: str) -> None:
    """How an in-house student was trained, wherever it is compared (a warning beside its teacher)."""
    for p in provenance.comparison_provenance(model_a, model_b):
        text = t(f"research_prov_{p['kind']}", side=p["side"], model=p["model"], teacher=p["teacher"])
        if p["relation"] == "teacher":
            st.warning(text + " " + t(f"research_prov_teacher_{p['kind']}", teacher=p["teacher"]))
        elif p["relation"] == "sibling":
            st.info(text + " " + t("research_prov_sibling", teacher=p["teacher"]))
        else:
            st.info(text)


# ---------------------------------------------------------------- labels
def shown_name(lm) -> str:
    """The model's name in the UI language where the registry has one, else its own label (variants,
    local folders), escaped for markdown."""
    key = f"mlabel_{lm.id}"
    return state.md_escape(t(key) if key in i18n.TEXT else lm.label)


def metric_label(metric: str) -> str:
    return t(f"research_mname_{metric}")


def metric_caption(metric: str) -> str:
    return t("metric_" + metric)


def fmt(x: float) -> str:
    """A value with three decimals, or "–" when it is missing or not finite."""
    return "–" if x is None or not np.isfinite(x) else f"{x:.3f}"


def short(sentence: str, n: int = 48) -> str:
    """The sentence cut to n characters (an ellipsis marks the cut)."""
    return sentence if len(sentence) <= n else sentence[: n - 1] + "…"
