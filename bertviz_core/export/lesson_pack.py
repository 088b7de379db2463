"""Lesson packs: every figure of a lesson, interactive, with its explanation, in ONE offline HTML file
(plotly.js inlined, no network) that opens from a USB stick on a school PC without Python.

    from bertviz_core.export import lesson_pack
    section = lesson_pack.lesson_section("Who is 'it'?", "In layer 3 ...", "attention",
                                         {"model": "bert-minilm-l6", "text": "...", "layer": 3, "head": "1"},
                                         t=lesson_pack.translator(TEXT, "en"))
    html = lesson_pack.build_pack("Who is 'it'?", [section])

A lesson is a view (`page`: attention, model_view, convolution, compare, positions, step_by_step, deberta,
pretraining)
with its settings (`state`, the same keys as the app's URL); the pack draws the figures that view
shows for those settings. Every word comes from `t(key, **values)` (the app's i18n keys, listed in
LABEL_KEYS), so a pack is in the teacher's language. No streamlit here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from bertviz_core import export, figures
from bertviz_core.export import lesson_compress, lesson_deberta, lesson_pretraining

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from bertviz_core.models.loading import LoadedModel
    from bertviz_core.tracing.trace import Trace

    Translate = Callable[..., str]  # t(key, **values) -> the text in the pack's language
    Drawn = tuple[list[go.Figure], list[str]]  # a view's figures and their captions

# i18n keys the packs use (all defined in app/i18n.py; tests check this)
LABEL_KEYS = (
    "fig_attention",
    "tokens_line",
    "from_token",
    "to_token",
    "weight",
    "head_n",
    "conv_head_n",
    "all_heads",
    "attention_caption",
    "model_view_caption",
    "layer",
    "head",
    "conv_offset",
    "conv_kernels_title",
    "conv_grid_title",
    "conv_band_note",
    "compare_diff",
    "compare_diff_note",
    "missing",
    "pos_learned",
    "pos_sin",
    "pos_cos_title",
    "pos_pca_title",
    "pos_dims_title",
    "pos_position",
    "pos_dim",
    "pos_value",
    "pos_added",
    "pos_token_type",
    "token",
    "step1",
    "step1_text",
    "step2",
    "step2_text",
    "step3",
    "step3_text",
    "step4",
    "step4_text",
    "step5",
    "step5_text",
    "step_query_row",
    "conv1",
    "conv1_text",
    "conv2",
    "conv2_text",
    "conv3",
    "conv3_text",
    "conv4",
    "conv4_text",
    *lesson_deberta.LABEL_KEYS,
    *lesson_pretraining.LABEL_KEYS,
    *lesson_compress.LABEL_KEYS,
)
PLOT_PX = 720  # side of an attention square (plot area, px): what a projected 1920 x 1080 page shows well
PAIR_PX = 1400  # width of A and B side by side: ~560 px squares
POSITIONS_N = 128  # positions drawn on the positions view (its default)


def translator(table: dict[str, dict[str, str]], lang: str) -> Callable[..., str]:
    """t(key, **values) over an i18n table {key: {"en": ..., "zh": ...}} in one language (English fallback)."""

    def t(key: str, **values: object) -> str:
        entry = table[key]
        text = entry.get(lang) or entry["en"]
        return text.format(**values) if values else text

    return t


class Sources:
    """Models and traces for building packs, loaded once each (the app passes its own cached getters)."""

    def __init__(
        self,
        get_model: Callable[[str], LoadedModel] | None = None,
        get_trace: Callable[[str, str, str | None], Trace] | None = None,
    ) -> None:
        self._models: dict[str, LoadedModel] = {}
        self._traces: dict[tuple[str, str, str | None], Trace] = {}
        self._get_model, self._get_trace = get_model, get_trace

    def model(self, model_id: str) -> LoadedModel:
        if self._get_model is not None:
            return self._get_model(model_id)
        if model_id not in self._models:
            from bertviz_core.models.loading import load_model

            self._models[model_id] = load_model(model_id)
        return self._models[model_id]

    def trace(self, model_id: str, text: str, text_b: str | None = None) -> Trace:
        text_b = text_b or None
        if self._get_trace is not None:
            return self._get_trace(model_id, text, text_b)
        key = (model_id, text, text_b)
        if key not in self._traces:
            from bertviz_core.tracing.capture import capture

            self._traces[key] = capture(self.model(model_id), text, text_b)
        return self._traces[key]


def _head_label(t: Translate, head: str) -> str:
    if head == "mean":
        return t("all_heads")
    if str(head).lower().startswith("c"):
        return t("conv_head_n", n=str(head)[1:])
    return t("head_n", n=head)


def _attention(state: dict[str, Any], t: Translate, src: Sources, fs: int) -> Drawn:
    trace = src.trace(state["model"], state["text"], state.get("text_b"))
    layer, head = int(state.get("layer", 0)), str(state.get("head", "0"))
    matrix, _ = figures.head_matrix(trace, layer, head)
    cols = [i for i in range(len(trace)) if not (state.get("hide_special") and trace.special[i])]
    fig = figures.matrix_heatmap(
        matrix[:, cols],
        trace.tokens,
        [trace.tokens[i] for i in cols],
        title=t("fig_attention", layer=layer, head=_head_label(t, head)) + " · " + t("tokens_line", n=len(trace)),
        zmax=1.0 if state.get("scale") == "fixed" else None,
        font_size=fs,
        plot_px=PLOT_PX,
        row_title=t("from_token"),
        col_title=t("to_token"),
        hover_value=t("weight"),
        colorbar_title=t("weight"),
    )
    return [fig], [t("attention_caption")]


def _model_view(state: dict[str, Any], t: Translate, src: Sources, fs: int) -> Drawn:
    trace = src.trace(state["model"], state["text"], state.get("text_b"))
    return [
        figures.model_view_grid(
            trace.attentions, row_label=t("layer"), col_label=t("head"), font_size=fs, hover_note=""
        )
    ], [t("model_view_caption")]


def _convolution(state: dict[str, Any], t: Translate, src: Sources, fs: int) -> Drawn:
    trace = src.trace(state["model"], state["text"])
    if trace.conv_kernels is None:
        raise ValueError(f"{trace.model_id} has no convolution heads.")
    layer = min(int(state.get("layer", 0)), trace.n_layers - 1)
    K = trace.conv_kernels.shape[-1]
    kernels = figures.kernel_heatmaps(
        trace.conv_kernels[layer],
        trace.tokens,
        font_size=fs,
        title_of=lambda c: t("conv_head_n", n=c),
        x_title=t("conv_offset"),
        colorbar_title=t("weight"),
    )
    matrices = np.concatenate([trace.attentions[layer], trace.conv_matrices(layer)])
    titles = [t("head_n", n=h) for h in range(trace.n_heads)] + [
        t("conv_head_n", n=c) for c in range(trace.n_conv_heads)
    ]
    cols = max(trace.n_heads, trace.n_conv_heads)
    grid = figures.head_grid(matrices, titles, trace.tokens, cols=cols, font_size=fs, colorbar_title=t("weight"))
    return [kernels, grid], [
        t("conv_kernels_title", layer=layer),
        t("conv_grid_title", layer=layer) + " · " + t("conv_band_note", h=K // 2),
    ]


def _compare(state: dict[str, Any], t: Translate, src: Sources, fs: int) -> Drawn:
    from bertviz_core.analysis import metrics, words

    a = src.trace(state["model_a"], state["text"])
    b = src.trace(state["model_b"], state["text"])
    groups_a, groups_b, labels, _ = words.alignment(a, b)
    layer = min(int(state.get("layer", 0)), a.n_layers - 1, b.n_layers - 1)
    head = str(state.get("head", "mean"))

    def pick(trace, groups):
        m = metrics.head_matrix(trace, layer, head)
        return m if m is None or groups is None else words.pool_to_words(m, groups)

    def name(trace):
        names = metrics.slot_names(trace)
        return t("all_heads") if head == "mean" else (names[int(head)] if int(head) < len(names) else t("missing"))

    ma, mb = pick(a, groups_a), pick(b, groups_b)
    axes: dict[str, Any] = {  # keywords both heatmaps share
        "font_size": fs,
        "row_title": t("from_token"),
        "col_title": t("to_token"),
        "hover_value": t("weight"),
        "colorbar_title": t("weight"),
        "max_cells": 192,
    }
    present = [(tag, m, tr) for tag, m, tr in (("A", ma, a), ("B", mb, b)) if m is not None]
    zmax = float(max(m.max() for _, m, _ in present))
    if len(present) < 2:
        tag, m, tr = present[0]
        return [
            figures.matrix_heatmap(
                m, labels, labels, title=f"{tag} · {tr.model_id} · L{layer} · {name(tr)}", zmax=zmax, **axes
            )
        ], [""]
    pair = figures.pair_heatmaps(
        ma,
        mb,
        labels,
        titles=(f"A · {a.model_id} · L{layer} · {name(a)}", f"B · {b.model_id} · L{layer} · {name(b)}"),
        zmax=zmax,
        width=PAIR_PX,
        **axes,
    )
    diff = ma - mb
    lim = float(np.abs(diff).max()) or 1.0
    diff_fig = figures.matrix_heatmap(
        diff,
        labels,
        labels,
        title=t("compare_diff"),
        zmin=-lim,
        zmax=lim,
        colorscale=figures.DIFF_SCALE,
        zmid=0.0,
        plot_px=int(pair.layout.height - pair.layout.margin.t - pair.layout.margin.b),  # as large as A and B
        **{**axes, "colorbar_title": "A - B"},
    )
    return [pair, diff_fig], ["", t("compare_diff_note")]


def _positions(state: dict[str, Any], t: Translate, src: Sources, fs: int) -> Drawn:
    from threadpoolctl import threadpool_limits

    from bertviz_core.analysis import positions

    with threadpool_limits(1):  # a 128 x 384 PCA takes seconds when BLAS threads fight over busy cores
        return _positions_figures(state, t, src, fs, positions)


def _positions_figures(state: dict[str, Any], t: Translate, src: Sources, fs: int, positions: ModuleType) -> Drawn:
    lm = src.model(state["model"])
    trace = src.trace(state["model"], state["text"], state.get("text_b"))
    table, first = positions.learned_table(lm)
    d = table.shape[1] if table is not None else 384
    figs: list[go.Figure] = []
    caps: list[str] = []
    for name, p in (
        (t("pos_learned", model=lm.label), None if table is None else table[first : first + POSITIONS_N]),
        (t("pos_sin"), positions.sinusoidal(POSITIONS_N, d)),
    ):
        if p is None:
            continue
        figs.append(
            figures.numeric_heatmap(
                positions.cosine_similarity_matrix(p),
                title=f"{name} · {t('pos_cos_title')}",
                x_title=t("pos_position"),
                y_title=t("pos_position"),
                zmin=-1,
                zmax=1,
                zmid=0,
                font_size=fs,
                height=440,
                colorbar_title="cos",
            )
        )
        path, var = positions.pca_path(p, 2)
        figs.append(
            figures.pca_path_figure(path, title=f"{name} · {t('pos_pca_title', var=float(var.sum()))}", font_size=fs)
        )
        figs.append(
            figures.dims_over_position(
                p,
                [0, 1, 2, 3],
                title=f"{name} · {t('pos_dims_title')}",
                font_size=fs,
                x_title=t("pos_position"),
                y_title=t("pos_value"),
            )
        )
        caps += ["", "", ""]
    height = max(320, 24 * len(trace) + 120)
    if trace.position_embeddings is not None:
        k = min(64, trace.position_embeddings.shape[1])
        figs.append(
            figures.numeric_heatmap(
                trace.position_embeddings[:, :k],
                title=t("pos_added", k=k, d=trace.position_embeddings.shape[1]),
                x_title=t("pos_dim"),
                y_title=t("token"),
                y_labels=trace.tokens,
                font_size=fs,
                height=height,
            )
        )
        caps.append("")
    if trace.token_type_embeddings is not None and trace.b_start is not None:
        k = min(64, trace.token_type_embeddings.shape[1])
        figs.append(
            figures.numeric_heatmap(
                trace.token_type_embeddings[:, :k],
                title=t("pos_token_type"),
                x_title=t("pos_dim"),
                y_title=t("token"),
                y_labels=trace.tokens,
                font_size=fs,
                height=height,
            )
        )
        caps.append("")
    return figs, caps


def _conv_steps(walk: dict[str, Any], heat: Callable[..., go.Figure], t: Translate, T: int, fs: int) -> Drawn:
    """The step-by-step figures and captions of a ConvBERT conv head after step 1 (steps.conv_walk's `walk`)."""
    K = len(walk["kernel"])
    offsets = [f"{o:+d}" for o in range(-(K // 2), K // 2 + 1)]
    figs = [
        heat(walk["key_conv"], "key conv"),
        figures.token_bars(walk["logits"], offsets, title="logits", font_size=fs, y_title="logit"),
        figures.token_bars(
            walk["kernel"],
            offsets,
            title="kernel",
            font_size=fs,
            y_title=t("weight"),
            compare=walk["captured"],
            compare_name="captured",
        ),
        heat(walk["output"][None], "o", ylab=False, height=200),
    ]
    caps = [
        t("conv1") + ". " + t("conv1_text", k=K, shape=f"[{T}, {walk['d_head']}]"),
        t("conv2") + ". " + t("conv2_text", k=K),
        t("conv3", k=K) + ". " + t("conv3_text", diff=walk["max_diff"]),
        t("conv4")
        + ". "
        + t(
            "conv4_text",
            a=int(walk["positions"][0]),
            b=int(walk["positions"][-1]),
            shape=f"[{walk['d_head']}]",
            diff=walk["output_diff"],
        ),
    ]
    return figs, caps


def _attention_steps(
    walk: dict[str, Any], heat: Callable[..., go.Figure], t: Translate, labels: list[str], query: int, fs: int
) -> Drawn:
    """The step-by-step figures and captions of an attention head after step 1 (steps.attention_walk's `walk`)."""
    T, dk = len(labels), walk["d_head"]
    figs = [heat(walk[name], name) for name in ("Q", "K", "V")]
    caps = [t("step2") + ". " + t("step2_text", d=dk, shape=f"[{T}, {dk}]"), "", ""]
    figs.append(
        figures.token_bars(
            walk["scores"],
            labels,
            title=f"scores · {t('step_query_row')} {labels[query]}",
            highlight=query,
            font_size=fs,
            y_title="score",
        )
    )
    caps.append(t("step3") + ". " + t("step3_text", s=float(np.sqrt(dk)), shape=f"[{T}]"))
    figs.append(
        figures.token_bars(
            walk["probs"],
            labels,
            title=t("weight"),
            highlight=query,
            font_size=fs,
            y_title=t("weight"),
            compare=walk["captured"],
        )
    )
    caps.append(t("step4") + ". " + t("step4_text", diff=walk["max_diff"]))
    figs.append(heat(walk["context"][None], "o", ylab=False, height=200))
    caps.append(t("step5") + ". " + t("step5_text", shape=f"[{dk}]"))
    return figs, caps


def _step_by_step(state: dict[str, Any], t: Translate, src: Sources, fs: int) -> Drawn:
    from bertviz_core.analysis import steps

    lm = src.model(state["model"])
    trace = src.trace(state["model"], state["text"])
    layer = min(int(state.get("layer", 0)), trace.n_layers - 1)
    head = str(state.get("head", "0"))
    query = min(int(state.get("query", 1)), len(trace) - 1)
    labels, T = trace.tokens, len(trace)
    tall = max(300, 22 * T + 110)

    def heat(z: np.ndarray, title: str, ylab: bool = True, height: int = tall) -> go.Figure:
        return figures.numeric_heatmap(
            z,
            title=title,
            x_title=t("pos_dim"),
            y_title=t("token") if ylab else "",
            y_labels=labels if ylab else None,
            font_size=fs,
            height=height,
        )

    figs = [heat(trace.hidden_states[layer], "X")]
    caps = [t("step1") + ". " + t("step1_text", shape=f"[{T}, {trace.hidden_states.shape[-1]}]")]
    if head.lower().startswith("c"):
        more = _conv_steps(steps.conv_walk(lm, trace, layer, int(head[1:]), query), heat, t, T, fs)
    else:
        more = _attention_steps(steps.attention_walk(lm, trace, layer, int(head), query), heat, t, labels, query, fs)
    return figs + more[0], caps + more[1]


_BUILDERS: dict[str, Callable[[dict[str, Any], Translate, Sources, int], Drawn]] = {
    "attention": _attention,
    "model_view": _model_view,
    "convolution": _convolution,
    "compare": _compare,
    "positions": _positions,
    "step_by_step": _step_by_step,
    "deberta": lesson_deberta.deberta_view,
    "pretraining": lesson_pretraining.pretraining_view,
    "compress": lesson_compress.compress_view,
}
PAGES = tuple(_BUILDERS)  # the views a lesson pack can draw


def lesson_section(
    title: str,
    text: str,
    page: str,
    state: dict,
    *,
    t: Callable[..., str],
    sources: Sources | None = None,
    font_size: int = 13,
) -> export.Section:
    """One lesson as a document section: its title, its explanation and the figures its view draws
    for `state` (each with the view's caption). Raises ValueError for a view packs do not know."""
    if page not in _BUILDERS:
        raise ValueError(f"Lesson packs cannot draw the view {page!r}; known views: {', '.join(PAGES)}.")
    figs, caps = _BUILDERS[page](dict(state), t, sources or Sources(), font_size)
    models = [str(state[k]) for k in ("model", "model_a", "model_b") if state.get(k)]
    for fig in figs if models else []:  # every figure says which model drew it, as the app's own downloads do
        figures.name_source(fig, " vs ".join(models))
    return export.Section(title=title, text=_plain(text), figures=figs, captions=[_plain(c) for c in caps])


def _plain(text: str) -> str:
    """The app's text is light markdown; packs show it as plain text (escaped later)."""
    return re.sub(r"\*\*(.+?)\*\*", r"\1", text).replace("`", "")


def build_pack(title: str, sections: list[export.Section], *, intro: str = "", meta: str = "", lang: str = "en") -> str:
    """The offline HTML of one or several lessons (see export.document_html)."""
    return export.document_html(title, sections, intro=intro, meta=meta, lang=lang)


def figure_count(sections: list[export.Section]) -> int:
    """How many figures the sections hold."""
    return sum(len(s.figures) for s in sections)
