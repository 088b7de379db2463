"""UI text of /attention: one head's attention as a heatmap."""

TEXT = {
    "fixed_scale": {"en": "Fixed colour scale 0 to 1", "zh": "固定色标 0 到 1"},
    "hide_special": {"en": "Hide [CLS]/[SEP] columns", "zh": "隐藏 [CLS]/[SEP] 列"},
    "attention_title": {"en": "Attention", "zh": "注意力"},
    "attention_more": {"en": "Second sentence and display options", "zh": "第二个句子与显示选项"},
    "attention_caption": {
        "en": "Row = the token doing the looking (query); column = the token looked at (key). "
        "Each row sums to 1. Hover a cell for the exact weight.",
        "zh": "行是发出注意的词元（查询），列是被注意的词元（键）。每行之和为 1。悬停可查看精确权重。",
    },
    "fig_attention": {"en": "Layer {layer}, {head}", "zh": "第 {layer} 层，{head}"},
    "special_hidden_note": {
        "en": "[CLS]/[SEP] columns hidden: rows no longer sum to 1.",
        "zh": "已隐藏 [CLS]/[SEP] 列：各行之和不再为 1。",
    },
    "tokens_line": {"en": "{n} tokens", "zh": "{n} 个词元"},
    # notes beside the heatmap
    "mean_note_conv": {
        "en": "The average covers {model}'s {n} attention heads; its convolution heads are not included "
        "(pick one of them to see it).",
        "zh": "平均值只包括 {model} 的 {n} 个注意力头，不包括卷积头（可单独选择某个卷积头查看）。",
    },
    "attention_caption_hidden": {
        "en": "Row = the token doing the looking (query); column = the token looked at (key). "
        "The [CLS]/[SEP] columns are hidden, so a row's visible cells sum to less than 1. "
        "Hover a cell for the exact weight.",
        "zh": "行是发出注意的词元（查询），列是被注意的词元（键）。[CLS]/[SEP] 列已隐藏，"
        "因此每行可见单元格之和小于 1。悬停可查看精确权重。",
    },
    "attention_caption_conv": {
        "en": "A convolution head: row i holds token i's kernel of 9 weights at columns i-4..i+4, zero "
        "elsewhere. Rows near the sentence's ends sum to less than 1 (the rest of the kernel falls "
        "on zero padding).",
        "zh": "卷积头：第 i 行在第 i-4..i+4 列放置词元 i 的 9 个卷积核权重，其余为零。靠近句子两端的行之和小于 1"
        "（卷积核的其余部分落在零填充上）。",
    },
    "labels_note": {
        "en": "A token that occurs more than once carries its position as a small number (the₅ = the token at position 5).",
        "zh": "出现多次的词元带有其位置编号的下标（the₅ = 位置 5 上的词元）。",
    },
    "nothing_left": {
        "en": "Nothing is left to show once [CLS]/[SEP] are hidden: this input has no other tokens.",
        "zh": "隐藏 [CLS]/[SEP] 后没有可显示的内容：此输入没有其他词元。",
    },
    # the canvas heatmap's own words (app/heatmap; /attention, /model-view and the pages that reuse it)
    "heatmap_reset": {"en": "Reset zoom", "zh": "重置缩放"},
    "heatmap_png": {"en": "PNG of this view", "zh": "下载此视图的图片"},
    "heatmap_topk": {"en": "{row} looks most at: {keys}", "zh": "{row} 最关注：{keys}"},
    "heatmap_keys": {
        "en": "Arrow keys move between cells, Enter opens, Escape resets the zoom; drag to zoom in",
        "zh": "方向键在单元格间移动，回车键打开，退出键重置缩放；拖动鼠标可放大",
    },
}
