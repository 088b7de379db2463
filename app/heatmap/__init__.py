"""A canvas heatmap for the app's large T x T views (issue #29), as a Streamlit component.

    from app import heatmap
    click = heatmap.heatmap(matrix, row_labels, col_labels, key="...", title=..., zmax=1.0)
    click = heatmap.heatmap_panels(stack, rows, cols, key="...", panels=heatmap.Panels(grid=(1, 3), ...))

See app/heatmap/component.py for the options and the test hooks, app/heatmap/encode.py for the payload.
"""

from app.heatmap.component import Click, Panels, Words, default_words, heatmap, heatmap_panels, use_canvas
from app.heatmap.encode import thumbnails, token_labels

__all__ = [
    "Click",
    "Panels",
    "Words",
    "default_words",
    "heatmap",
    "heatmap_panels",
    "thumbnails",
    "token_labels",
    "use_canvas",
]
