"""Plotly figures of traces, for notebooks, exports and the app: `bc.figures.head_view(trace, 3, 1)`.

The figures take their words from the caller (titles, axis names); `view`/`show` draw a named view
(see VIEWS). Modules: core (heatmaps and bars), views (a Trace's views by name), research (many-sentence
comparisons), syntax (dependency arcs)."""

from bertviz_core.figures.core import (  # noqa: F401
    ATTENTION_SCALE,
    DIFF_SCALE,
    FONT,
    escape_label,
    token_labels,
    matrix_heatmap,
    pair_heatmaps,
    block_average,
    model_view_grid,
    head_grid,
    kernel_heatmaps,
    metric_heatmap,
    numeric_heatmap,
    pca_path_figure,
    dims_over_position,
    token_bars,
    contribution_bars,
)
from bertviz_core.figures.views import (  # noqa: F401
    head_matrix,
    head_view,
    model_view,
    layer_view,
    conv_view,
    positions_view,
    compare_view,
    VIEWS,
    view,
    show,
)

__all__ = [
    "ATTENTION_SCALE",
    "DIFF_SCALE",
    "FONT",
    "escape_label",
    "token_labels",
    "matrix_heatmap",
    "pair_heatmaps",
    "block_average",
    "model_view_grid",
    "head_grid",
    "kernel_heatmaps",
    "metric_heatmap",
    "numeric_heatmap",
    "pca_path_figure",
    "dims_over_position",
    "token_bars",
    "head_matrix",
    "head_view",
    "model_view",
    "layer_view",
    "conv_view",
    "positions_view",
    "compare_view",
    "VIEWS",
    "view",
    "show",
    "contribution_bars",
]
