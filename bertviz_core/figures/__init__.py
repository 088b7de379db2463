"""Plotly figures of traces, for notebooks, exports and the app: `bc.figures.head_view(trace, 3, 1)`.

The figures take their words from the caller (titles, axis names); `view`/`show` draw a named view
(see VIEWS). Modules: core (heatmaps and bars), views (a Trace's views by name), research (many-sentence
comparisons), syntax (dependency arcs)."""

from bertviz_core.figures.core import (
    ATTENTION_SCALE,
    DIFF_SCALE,
    FONT,
    block_average,
    contribution_bars,
    dims_over_position,
    escape_label,
    head_grid,
    kernel_heatmaps,
    matrix_heatmap,
    metric_heatmap,
    model_view_grid,
    numeric_heatmap,
    pair_heatmaps,
    pca_path_figure,
    token_bars,
    token_labels,
)
from bertviz_core.figures.views import (
    VIEWS,
    compare_view,
    conv_view,
    head_matrix,
    head_view,
    layer_view,
    model_view,
    positions_view,
    show,
    view,
)

__all__ = [
    "ATTENTION_SCALE",
    "DIFF_SCALE",
    "FONT",
    "VIEWS",
    "block_average",
    "compare_view",
    "contribution_bars",
    "conv_view",
    "dims_over_position",
    "escape_label",
    "head_grid",
    "head_matrix",
    "head_view",
    "kernel_heatmaps",
    "layer_view",
    "matrix_heatmap",
    "metric_heatmap",
    "model_view",
    "model_view_grid",
    "numeric_heatmap",
    "pair_heatmaps",
    "pca_path_figure",
    "positions_view",
    "show",
    "token_bars",
    "token_labels",
    "view",
]
