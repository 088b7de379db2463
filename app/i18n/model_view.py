"""UI text of /model-view: every layer and head at once."""

TEXT = {
    "model_view_title": {"en": "Model view", "zh": "全模型视图"},
    "model_view_caption": {
        "en": "Each tile is one head (rows: layers, columns: heads), scaled to its own maximum. "
        "Click a tile, or pick one below, to open it in the attention view.",
        "zh": "每个小图是一个注意力头（行：层，列：头），按各自最大值缩放。点击小图或在下方选择，即可在注意力视图中打开。",
    },
    "open_in_attention": {"en": "Open in attention view", "zh": "在注意力视图中打开"},
    "click_to_open": {"en": "click to open", "zh": "点击打开"},
    "model_view_conv_note": {
        "en": "Columns C0… are {model}'s convolution heads, drawn as banded matrices.",
        "zh": "C0… 列是 {model} 的卷积头，以带状矩阵显示。",
    },
}
