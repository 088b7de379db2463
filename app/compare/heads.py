"""/compare's heads tab: what is compared (raw attention or a /contributions method), a synchronised
layer and head slot; A and B on one colour scale, and A - B."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

from app import controls, export_ui, heatmap, nav
from app.compare import methods
from app.compare.common import COLUMN_PX, pair_panel_px, pair_px, shown_name
from app.i18n import t
from bertviz_core import figures
from bertviz_core.analysis import metrics, words
from bertviz_core.models import heads

SIDE_PX = COLUMN_PX - 170  # a canvas square in half the main column: its labels and colour bar beside it


@dataclass(frozen=True)
class View:
    """What the heads tab draws: the method shown (after a token cap's fallback), layer and head slot."""

    method: str
    layer: int
    head: str

    @property
    def per_head(self) -> bool:
        """One head of a per-head method (not the whole layer)."""
        return methods.per_head(self.method) and self.head != heads.MEAN

    @property
    def stem(self) -> str:
        """Download file name stem, e.g. compare-L3-H1, compare-norm-L3-mean."""
        prefix = "compare" if self.method == methods.RAW else f"compare-{self.method}"
        return prefix + f"-L{self.layer}-" + ("mean" if self.head == heads.MEAN else f"H{self.head}")

    def title(self, side: str, names: list[str]) -> str:
        if methods.accumulated(self.method):
            return t("cmpm_title_acc", side=side, layer=self.layer)
        if self.method != methods.RAW and self.head == heads.MEAN:
            return t("cmpm_title_layer", side=side, layer=self.layer)
        head = t("all_heads") if self.head == heads.MEAN else names[int(self.head)]
        return t("cmpm_title_head", side=side, layer=self.layer, head=head)

    def value_label(self) -> str:
        return t("weight") if self.method == methods.RAW else t("cmpm_norm") if self.per_head else t("contrib_share")


def _controls(names_a: list[str], names_b: list[str], n_layers: int) -> tuple[str, int, str]:
    """The method, layer and head slot pickers (values from the session or a link checked first)."""
    slots = [heads.MEAN] + [str(k) for k in range(max(len(names_a), len(names_b)))]
    if st.session_state.get("head") not in slots:
        st.session_state["head"] = heads.MEAN
    if st.session_state.get("compare_method") not in methods.METHODS:
        st.session_state["compare_method"] = methods.RAW
    name = lambda names, k: names[k] if k < len(names) else t("missing")
    c0, c1, c2 = st.columns([3, 3, 2])
    method = c0.selectbox(
        t("cmpm_method"),
        methods.METHODS,
        key="compare_method",
        format_func=methods.method_label,
        help=t("cmpm_method_help"),
    )
    layer = controls.layer_slider(n_layers, container=c1)  # checks the range, one-layer models too
    if methods.per_head(method):
        mean_label = t("all_heads") if method == methods.RAW else t("cmpm_whole_layer")
        head = c2.selectbox(
            t("compare_head"),
            slots,
            key="head",
            help=t("compare_head_help"),
            format_func=lambda s: (
                mean_label
                if s == heads.MEAN
                else t("compare_head_label", k=s, a=name(names_a, int(s)), b=name(names_b, int(s)))
            ),
        )
    else:
        head = heads.MEAN
        c2.caption(t("cmpm_layer_only", method=methods.method_label(method)))
    return method, layer, head


def _side_matrix(side: str, lm, trace, groups, view: View) -> tuple[np.ndarray | None, bool]:
    """[U, U] of one model, pooled to words if needed, and whether the method does not apply to it (then
    the page says why); (None, False) when the model has no head in this slot."""
    reason = methods.unavailable_reason(lm, view.method)
    m = None
    if reason is None:
        try:
            with st.spinner(t("contrib_computing", method=methods.method_label(view.method))):
                m = methods.method_matrix(lm, trace, view.method, view.layer, view.head)
        except Exception as exc:  # noqa: BLE001 - MethodUnavailable or weights that do not fit: the page says why
            reason = methods.error_reason(exc)
    if reason is not None:
        st.warning(
            t("cmpm_na", side=side, model=shown_name(lm), method=methods.method_label(view.method), reason=reason)
        )
        return None, True
    return (m if m is None or groups is None else words.pool_to_words(m, groups)), False


def heads_section(side_a: tuple, side_b: tuple, labels: list[str], max_cells: int) -> None:
    """What is compared (raw attention or a /contributions method), a synchronised layer and head slot;
    A and B on one colour scale, and A - B. Where a method does not apply to a model, the page says why
    and shows the other model alone.

    side_x = (loaded model, trace, word groups or None when compared token by token)."""
    (lm_a, a, groups_a), (lm_b, b, groups_b) = side_a, side_b
    names_a, names_b = metrics.slot_names(a), metrics.slot_names(b)
    method, layer, head = _controls(names_a, names_b, min(a.n_layers, b.n_layers))
    shown = method
    longest, cap = max(len(a), len(b)), methods.max_tokens(method)
    if cap is not None and longest > cap:  # degrade gracefully, the same way for both
        st.info(t("cmpm_flow_both", cap=cap, n=longest))
        shown = methods.fallback(method)
    view = View(shown, layer, head)
    (ma, na_a), (mb, na_b) = _side_matrix("A", lm_a, a, groups_a, view), _side_matrix("B", lm_b, b, groups_b, view)
    if ma is None and mb is None:
        if not (na_a or na_b):  # neither model has this slot: cannot happen with the slots offered
            st.info(t("slot_missing", tag="A", k=head, other="B"))
        return
    zmax = float(max(np.nanmax(m) for m in (ma, mb) if m is not None)) or 1.0
    axes: dict[str, Any] = {
        "font_size": controls.font_size(),
        "row_title": t("from_token"),
        "col_title": t("to_token"),
        "max_cells": max_cells,
        "zmax": zmax,
        "hover_value": view.value_label(),
        "colorbar_title": view.value_label(),
    }
    st.markdown(t("cmpm_heading", method=methods.method_label(shown), a=shown_name(lm_a), b=shown_name(lm_b)))
    notes = [methods.method_caption(shown, head, layer), t("cmpm_same_scale")]
    if shown != methods.RAW and view.per_head and (groups_a is not None or groups_b is not None):
        notes.append(t("cmpm_pooled_norm"))
    if ma is None or mb is None:  # one model has no head in this slot, or the method does not apply to it
        m, tag, names = (ma, "A", names_a) if mb is None else (mb, "B", names_b)
        if not (na_a or na_b):
            st.info(t("slot_missing", tag="B" if mb is None else "A", k=head, other=tag))
        big = bool(st.session_state.get("big"))
        size = {"plot_px": controls.heatmap_px()} if big else {"width": COLUMN_PX}
        title = view.title(tag, names)
        single = lambda: figures.matrix_heatmap(m, labels, labels, title=title, **size, **axes)
        if heatmap.use_canvas():
            tokens = heatmap.token_labels(labels)
            heatmap.heatmap(
                m,
                tokens,
                tokens,
                key=f"heat_{tag}_canvas",
                title=title,
                zmax=axes["zmax"],
                plot_px=controls.heatmap_px() if big else SIDE_PX,
                file_name=f"{view.stem}-{tag}.png",
                **canvas_words(axes),
            )
            export_ui.figure_downloads(single, f"{view.stem}-{tag}")  # the Plotly figure, built when clicked
        else:
            fig = single()
            st.plotly_chart(fig, width="content", key=f"heat_{tag}")
            export_ui.figure_downloads(fig, f"{view.stem}-{tag}")
        st.caption(" ".join(notes[:1]))
        contrib_link(shown)
        return
    _draw_pair(view, (ma, mb), (names_a, names_b), labels, notes, axes)


def canvas_words(axes: dict) -> dict:
    """The canvas heatmap's keywords for the words and font of the Plotly figures' `axes`."""
    keep = ("font_size", "row_title", "col_title", "colorbar_title")
    return {"value_label": axes["hover_value"], **{k: axes[k] for k in keep}}


def _draw_pair(view: View, matrices: tuple, names: tuple, labels: list[str], notes: list[str], axes: dict) -> None:
    """A and B side by side on one scale, then A - B on a diverging scale beside its note (canvas heatmaps, or
    the Plotly figures with BERTVIZ_HEATMAP=plotly; the downloads are always the Plotly figures)."""
    (ma, mb), (names_a, names_b) = matrices, names
    titles = (view.title("A", names_a), view.title("B", names_b))
    canvas, big = heatmap.use_canvas(), bool(st.session_state.get("big"))
    pair_fig = lambda: figures.pair_heatmaps(ma, mb, labels, titles=titles, width=pair_px(), **axes)
    tokens = heatmap.token_labels(labels)
    if canvas:
        heatmap.heatmap_panels(
            np.stack([ma, mb]),
            tokens,
            tokens,
            key="heat_pair_canvas",
            panels=heatmap.Panels(grid=(1, 2), titles=titles, title_each=True),
            zmax=axes["zmax"],
            plot_px=pair_panel_px(),
            file_name=f"{view.stem}-pair.png",
            **canvas_words(axes),
        )
        pair, side = pair_fig, pair_panel_px()
    else:
        pair = pair_fig()
        st.plotly_chart(pair, width="content", key="heat_pair")
        side = square_px(pair)
    export_ui.figure_downloads(pair, f"{view.stem}-pair")
    st.caption(" ".join(notes))
    diff = ma - mb
    lim = float(np.abs(diff).max()) or 1.0
    if big:  # projector mode: A - B below A and B, its square as large as theirs
        left = right = st.container()
    else:
        left, right = st.columns(2)
    scale = {"zmin": -lim, "zmax": lim, "colorscale": figures.DIFF_SCALE}
    if canvas:
        with left:
            heatmap.heatmap(
                diff,
                tokens,
                tokens,
                key="heat_diff_canvas",
                title=t("compare_diff"),
                plot_px=side if big else SIDE_PX,
                file_name=f"{view.stem}-difference.png",
                **scale,
                **canvas_words({**axes, "hover_value": "A - B", "colorbar_title": "A - B"}),
            )
        # the export's A - B as large as the exported A and B (their figure built only then)
        diff_fig = lambda: _diff_figure(diff, labels, scale, square_px(pair_fig()) if big else None, axes)
    else:
        diff_fig = _diff_figure(diff, labels, scale, side if big else None, axes)
        left.plotly_chart(diff_fig, width="content", key="heat_diff")
    export_ui.figure_downloads(diff_fig, f"{view.stem}-difference", container=left)
    right.caption(
        t("compare_diff_note")
        if view.method == methods.RAW
        else t("cmpm_diff_note_norm")
        if view.per_head
        else t("cmpm_diff_note_mixing")
    )
    with right:
        contrib_link(view.method)


def square_px(pair) -> int:
    """The side of the Plotly pair figure's squares (px)."""
    return int(pair.layout.height - pair.layout.margin.t - pair.layout.margin.b)


def _diff_figure(diff: np.ndarray, labels: list[str], scale: dict, plot_px: int | None, axes: dict):
    """The Plotly A - B (diverging scale around 0): `plot_px` in projector mode (as large as A and B), else half
    the main column."""
    size: dict[str, int] = {"plot_px": plot_px} if plot_px else {"width": COLUMN_PX}
    diff_axes = {k: v for k, v in axes.items() if k not in ("zmax", "hover_value", "colorbar_title")}
    return figures.matrix_heatmap(
        diff,
        labels,
        labels,
        title=t("compare_diff"),
        zmid=0,
        colorbar_title="A - B",
        hover_value="A - B",
        **scale,
        **size,
        **diff_axes,
    )


def contrib_link(method: str) -> None:
    """The methods are explained once, on /contributions (with their papers and caveats)."""
    if method != methods.RAW and nav.exists("contributions"):
        st.page_link(nav.page("contributions"), label=t("cmpm_see_contrib"), icon=":material/menu_book:")
