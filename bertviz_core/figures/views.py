"""Views of a Trace by name, one line each, for notebooks and scripts: `bc.figures.head_view(trace, 3, 1)`.

Each takes a Trace and returns a plain Plotly figure: it shows itself in Jupyter, VS Code and Colab
as the last expression of a cell, and exports with bertviz_core.export. Words default to English.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go

from bertviz_core.figures.grids import head_grid, kernel_heatmaps, model_view_grid
from bertviz_core.figures.heatmaps import matrix_heatmap, numeric_heatmap, pair_heatmaps

if TYPE_CHECKING:
    from bertviz_core.models.heads import HeadId
    from bertviz_core.tracing.trace import Trace


def head_matrix(trace: Trace, layer: int, head: int | str | HeadId) -> tuple[np.ndarray, str]:
    """[T, T] of one head ("3"/"H3"/3, "c1"/"C1" or "mean") of `layer`, with its display name."""
    from bertviz_core.models import heads

    if not 0 <= int(layer) < trace.n_layers:
        raise ValueError(f"layer {layer} does not exist: {trace.model_id} has layers 0..{trace.n_layers - 1}.")
    h = heads.parse(head)
    if not heads.exists(h, trace.n_heads, trace.n_conv_heads):
        raise ValueError(
            f"head {head!r} does not exist in {trace.model_id}: "
            f"heads 0..{trace.n_heads - 1}"
            + (f", conv heads c0..c{trace.n_conv_heads - 1}" if trace.n_conv_heads else "")
            + ", or 'mean'."
        )
    if not isinstance(h, heads.HeadId):  # MEAN
        return trace.attentions[layer].mean(0), "mean of all heads"
    if h.is_conv:
        return trace.conv_matrices(layer)[h.index], heads.display(h)
    return trace.attentions[layer, h.index], heads.display(h)


def head_view(
    trace: Trace, layer: int = 0, head: int | str | HeadId = 0, *, hide_special: bool = False, **kw: Any
) -> go.Figure:
    """One head as a query x key heatmap: `bc.figures.head_view(trace, 3, 1)`.

    head: 1 / "1" / "H1" (attention head), "c1" / "C1" (ConvBERT convolution head, banded), or "mean".
    hide_special drops the [CLS]/[SEP] columns. Other keywords go to matrix_heatmap (title, font_size, ...)."""
    matrix, name = head_matrix(trace, layer, head)
    cols = [i for i in range(len(trace)) if not (hide_special and trace.special and trace.special[i])]
    kw.setdefault("title", f"Layer {layer}, {name} · {len(trace)} tokens")
    kw.setdefault("zmax", 1.0)
    return matrix_heatmap(matrix[:, cols], trace.tokens, [trace.tokens[i] for i in cols], **kw)


def model_view(trace: Trace, **kw: Any) -> go.Figure:
    """Every layer x head as thumbnails (each scaled to its own maximum): `bc.figures.model_view(trace)`."""
    return model_view_grid(trace.attentions, **kw)


def layer_view(trace: Trace, layer: int = 0, **kw: Any) -> go.Figure:
    """All heads of one layer (ConvBERT: attention heads, then convolution heads) on one 0..1 scale."""
    head_matrix(trace, layer, "mean")  # checks the layer
    matrices = trace.attentions[layer]
    titles = [f"H{h}" for h in range(trace.n_heads)]
    if trace.n_conv_heads:
        matrices = np.concatenate([matrices, trace.conv_matrices(layer)])
        titles += [f"C{c}" for c in range(trace.n_conv_heads)]
    kw.setdefault("cols", max(trace.n_heads, trace.n_conv_heads, 1))
    return head_grid(matrices, titles, trace.tokens, **kw)


def conv_view(trace: Trace, layer: int = 0, **kw: Any) -> go.Figure:
    """ConvBERT's convolution kernels of one layer (tokens x offsets): `bc.figures.conv_view(trace, 1)`."""
    if trace.conv_kernels is None:
        raise ValueError(f"{trace.model_id} has no convolution heads (conv_view needs a ConvBERT trace).")
    head_matrix(trace, layer, "mean")
    return kernel_heatmaps(trace.conv_kernels[layer], trace.tokens, **kw)


def positions_view(trace: Trace, dims: int = 64, **kw: Any) -> go.Figure:
    """The position embeddings added to each token of this input (first `dims` dimensions)."""
    p = trace.position_embeddings
    if p is None:
        raise ValueError(f"{trace.model_id} adds no absolute position embeddings (it uses relative positions).")
    k = min(dims, p.shape[1])
    kw.setdefault("title", f"Position embeddings added to each token (first {k} of {p.shape[1]} dimensions)")
    kw.setdefault("height", max(320, 24 * len(trace) + 120))
    return numeric_heatmap(
        p[:, :k],
        x_title=kw.pop("x_title", "dimension"),
        y_title=kw.pop("y_title", "token"),
        y_labels=trace.tokens,
        **kw,
    )


def compare_view(trace_a: Trace, trace_b: Trace, layer: int = 0, head: int | str = "mean", **kw: Any) -> go.Figure:
    """The same head slot of two models on one sentence, side by side on one colour scale:
    `bc.figures.compare_view(bert_trace, convbert_trace, 1, "mean")`. Different tokenizers are
    compared word by word. head: a slot number (ConvBERT's conv heads follow its attention heads)
    or "mean"."""
    from bertviz_core.analysis import metrics, words

    groups_a, groups_b, labels, _ = words.alignment(trace_a, trace_b)
    pair = []
    for trace, groups in ((trace_a, groups_a), (trace_b, groups_b)):
        if not 0 <= int(layer) < trace.n_layers:
            raise ValueError(f"layer {layer} does not exist in {trace.model_id} (layers 0..{trace.n_layers - 1}).")
        m = metrics.head_matrix(trace, layer, head)
        if m is None:
            raise ValueError(f"{trace.model_id} has no head in slot {head}.")
        pair.append(m if groups is None else words.pool_to_words(m, groups))
    name = "mean" if head == "mean" else f"slot {head}"
    kw.setdefault("titles", (f"A: {trace_a.model_id} · L{layer} {name}", f"B: {trace_b.model_id} · L{layer} {name}"))
    kw.setdefault("zmax", float(max(m.max() for m in pair)))
    return pair_heatmaps(pair[0], pair[1], labels, **kw)


VIEWS: dict[str, Callable[..., go.Figure]] = {
    "attention": head_view,
    "model": model_view,
    "layer": layer_view,
    "convolution": conv_view,
    "positions": positions_view,
    "compare": compare_view,
}


def view(trace: Trace, name: str = "attention", *args: Any, **kw: Any) -> go.Figure:
    """Any view by name (see VIEWS): `bc.figures.view(trace, "attention", 3, 1)`."""
    if name not in VIEWS:
        raise ValueError(f"Unknown view {name!r}; choose one of {', '.join(VIEWS)}.")
    return VIEWS[name](trace, *args, **kw)


def show(trace: Trace, name: str = "attention", *args: Any, renderer: str | None = None, **kw: Any) -> None:
    """Draw a view in the notebook (Jupyter, VS Code, Colab; a browser tab from a script):
    `bc.show(trace, "attention", layer=3, head=1)`. Returns nothing, so the figure is not shown
    twice; to keep it (and export it), use `fig = bc.figures.view(trace, "attention", 3, 1)`."""
    view(trace, name, *args, **kw).show(renderer=renderer)
