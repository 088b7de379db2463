"""Plotly figures of traces, for notebooks, exports and the app: `bc.figures.head_view(trace, 3, 1)`.

The figures take their words from the caller (titles, axis names); `view`/`show` draw a named view
(see VIEWS). Modules: labels (escaped labels, scales, sizes), heatmaps (matrices), grids (layers x heads,
kernels), charts (paths and bars), views (a Trace's views by name), research (many-sentence
comparisons), syntax (dependency arcs), deberta (DeBERTa's score terms and relative-position buckets), pretraining
(fill-mask guesses, a mask's attention, ELECTRA's replaced-token probabilities), masking (ERNIE's masking strategies
drawn on the tokens, and how well each is recovered)."""

from bertviz_core.figures.charts import contribution_bars, dims_over_position, pca_path_figure, token_bars
from bertviz_core.figures.deberta import (
    ablation_panels,
    attention_panels,
    layer_head_panels,
    position_bucket_figure,
    term_heatmaps,
)
from bertviz_core.figures.grids import head_grid, kernel_heatmaps, model_view_grid
from bertviz_core.figures.heatmaps import matrix_heatmap, metric_heatmap, numeric_heatmap, pair_heatmaps
from bertviz_core.figures.labels import (
    ATTENTION_SCALE,
    DIFF_SCALE,
    FONT,
    block_average,
    escape_label,
    name_source,
    token_labels,
)
from bertviz_core.figures.masking import masking_figure, masking_rows, recovery_figure
from bertviz_core.figures.pretraining import fill_mask_bars, mask_attention_figure, replaced_token_bars
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
    "ablation_panels",
    "attention_panels",
    "block_average",
    "compare_view",
    "contribution_bars",
    "conv_view",
    "dims_over_position",
    "escape_label",
    "fill_mask_bars",
    "head_grid",
    "head_matrix",
    "head_view",
    "kernel_heatmaps",
    "layer_head_panels",
    "layer_view",
    "mask_attention_figure",
    "masking_figure",
    "masking_rows",
    "matrix_heatmap",
    "metric_heatmap",
    "model_view",
    "model_view_grid",
    "name_source",
    "numeric_heatmap",
    "pair_heatmaps",
    "pca_path_figure",
    "position_bucket_figure",
    "positions_view",
    "recovery_figure",
    "replaced_token_bars",
    "show",
    "term_heatmaps",
    "token_bars",
    "token_labels",
    "view",
]
