"""Every piece of UI text, in English and Chinese. Pages never hard-code text.

`t(key, **values)` formats the entry in the session's language ("en" or "zh").
"""
from __future__ import annotations

import streamlit as st

LANGUAGES = {"en": "English", "zh": "中文"}

TEXT: dict[str, dict[str, str]] = {
    # frame
    "app_title": {"en": "BERT Inside", "zh": "BERT 内部透视"},
    "language": {"en": "Language", "zh": "语言"},
    "projector": {"en": "Projector mode (large fonts)", "zh": "投影模式（大字体）"},
    "nav_home": {"en": "Home", "zh": "首页"},
    "nav_attention": {"en": "Attention", "zh": "注意力"},
    "nav_model_view": {"en": "Model view", "zh": "全模型视图"},
    "nav_convolution": {"en": "Convolution", "zh": "卷积"},
    "nav_compare": {"en": "Compare", "zh": "对比"},
    "nav_positions": {"en": "Positions", "zh": "位置编码"},
    "nav_step": {"en": "Step by step", "zh": "逐步计算"},
    "nav_lessons": {"en": "Lessons", "zh": "课程"},
    # inputs
    "model": {"en": "Model", "zh": "模型"},
    "model_a": {"en": "Model A", "zh": "模型 A"},
    "model_b": {"en": "Model B", "zh": "模型 B"},
    "needs_internet": {"en": "needs internet", "zh": "需要联网"},
    "sentence": {"en": "Sentence", "zh": "句子"},
    "sentence_b": {"en": "Second sentence (optional, for sentence pairs)",
                   "zh": "第二个句子（可选，用于句子对）"},
    "sentence_help": {"en": "Press Enter (or click outside the box) to run.",
                      "zh": "按回车（或点击输入框外）运行。"},
    "layer": {"en": "Layer", "zh": "层"},
    "head": {"en": "Head", "zh": "注意力头"},
    "all_heads": {"en": "All heads (average)", "zh": "所有头（平均）"},
    "head_n": {"en": "Head {n}", "zh": "第 {n} 个头"},
    "conv_head_n": {"en": "Conv head {n}", "zh": "卷积头 {n}"},
    "fixed_scale": {"en": "Fixed colour scale 0 to 1", "zh": "固定色标 0 到 1"},
    "hide_special": {"en": "Hide [CLS]/[SEP] columns", "zh": "隐藏 [CLS]/[SEP] 列"},
    "copy_link": {"en": "Link to this view (copy it):", "zh": "此视图的链接（可复制）："},
    # messages
    "empty_sentence": {"en": "Type a sentence above to see what the model does with it.",
                       "zh": "请在上方输入一个句子，查看模型如何处理它。"},
    "model_failed": {"en": "Could not load model '{model}': {reason}",
                     "zh": "无法加载模型“{model}”：{reason}"},
    "capture_failed": {"en": "The model could not run on this input: {reason}",
                       "zh": "模型无法处理此输入：{reason}"},
    "running": {"en": "Running {model}...", "zh": "正在运行 {model}……"},
    "waiting": {"en": "The server is busy with other users; your request is waiting its turn.",
                "zh": "服务器正忙于处理其他用户的请求，请稍候。"},
    "truncated": {"en": "The input was too long for the model: kept the first {kept} tokens, dropped {dropped}.",
                  "zh": "输入超出模型长度限制：保留前 {kept} 个词元，舍弃 {dropped} 个。"},
    "chars_cut": {"en": "Only the first {n} characters were used.", "zh": "只使用了前 {n} 个字符。"},
    "bad_head": {"en": "That head does not exist in this model; showing the average instead.",
                 "zh": "该模型没有这个注意力头，改为显示平均值。"},
    # home
    "home_intro": {"en": "See inside BERT-family encoders: type a sentence, and watch every layer and head "
                         "attend, convolve and mix, with the model's real numbers.",
                   "zh": "透视 BERT 系列编码器：输入一个句子，用模型的真实数值观察每一层、每个头如何注意、卷积与混合信息。"},
    "home_views": {"en": "Views", "zh": "视图"},
    "home_attention": {"en": "one head's attention as a heatmap: who looks at whom.",
                       "zh": "单个注意力头的热力图：哪个词元关注哪个词元。"},
    "home_model_view": {"en": "every layer and head at once; click one to open it.",
                        "zh": "一次查看所有层和头；点击任意一个可打开。"},
    "home_offline": {"en": "Works offline with the bundled models; models marked 'needs internet' load from the Hugging Face Hub.",
                     "zh": "内置模型可离线使用；标有“需要联网”的模型需从 Hugging Face Hub 下载。"},
    # attention page
    "attention_title": {"en": "Attention", "zh": "注意力"},
    "attention_caption": {"en": "Row = the token doing the looking (query); column = the token looked at (key). "
                                "Each row sums to 1. Hover a cell for the exact weight.",
                          "zh": "行是发出注意的词元（查询），列是被注意的词元（键）。每行之和为 1。悬停可查看精确权重。"},
    "fig_attention": {"en": "Layer {layer}, {head}", "zh": "第 {layer} 层，{head}"},
    "special_hidden_note": {"en": "[CLS]/[SEP] columns hidden: rows no longer sum to 1.",
                            "zh": "已隐藏 [CLS]/[SEP] 列：各行之和不再为 1。"},
    "from_token": {"en": "query token (from)", "zh": "查询词元（来源）"},
    "to_token": {"en": "key token (to)", "zh": "键词元（目标）"},
    "weight": {"en": "weight", "zh": "权重"},
    "tokens_line": {"en": "{n} tokens", "zh": "{n} 个词元"},
    # model view
    "model_view_title": {"en": "Model view", "zh": "全模型视图"},
    "model_view_caption": {"en": "Each tile is one head (rows: layers, columns: heads), scaled to its own maximum. "
                                 "Click a tile, or pick one below, to open it in the attention view.",
                           "zh": "每个小图是一个注意力头（行：层，列：头），按各自最大值缩放。点击小图或在下方选择，即可在注意力视图中打开。"},
    "open_in_attention": {"en": "Open in attention view", "zh": "在注意力视图中打开"},
}


def lang() -> str:
    code = st.session_state.get("lang", "en")
    return code if code in LANGUAGES else "en"


def t(key: str, **values) -> str:
    entry = TEXT[key]
    text = entry.get(lang()) or entry["en"]
    return text.format(**values) if values else text

TEXT.update({
    "home_convolution": {"en": "ConvBERT's span-based dynamic convolution heads, beside its attention heads.",
                         "zh": "ConvBERT 基于跨度的动态卷积头，与其注意力头并排展示。"},
    "conv_title": {"en": "ConvBERT's convolution heads", "zh": "ConvBERT 的卷积头"},
    "conv_switched": {"en": "This page shows ConvBERT; switched the model to {model}.",
                      "zh": "本页面展示 ConvBERT，已将模型切换为 {model}。"},
    "conv_not_convbert": {"en": "{model} has no convolution heads. Pick a ConvBERT model.",
                          "zh": "{model} 没有卷积头，请选择一个 ConvBERT 模型。"},
    "conv_explain": {
        "en": "**Mixed attention.** In every ConvBERT layer, the heads are split in two groups that run *in parallel* "
              "on the same input: ordinary **self-attention heads** (a softmax over all tokens) and **span-based dynamic "
              "convolution heads**. A convolution head makes, for each token, its own kernel of {k} weights over its "
              "neighbours (offsets -{h}..+{h}); the kernel is computed from the token *and its local span* (a depthwise "
              "convolution of the keys multiplied by the query), then softmaxed over the {k} offsets. The token's output "
              "is the kernel-weighted sum of its neighbours' values. Both groups' outputs are **concatenated** and mixed "
              "by the output projection.\n\n"
              "This is not \"a convolution layer after attention\": the convolution heads *replace* some attention heads "
              "inside the same layer, and their weights change with every input (dynamic), unlike a fixed convolution filter.",
        "zh": "**混合注意力。** ConvBERT 的每一层把注意力头分成两组，在同一输入上*并行*运行：普通的**自注意力头**（对所有词元做 softmax）"
              "和**基于跨度的动态卷积头**。卷积头为每个词元生成自己的 {k} 个权重（偏移 -{h}..+{h}）；该卷积核由词元*及其局部跨度*计算得到"
              "（键的逐通道卷积与查询相乘），再在 {k} 个偏移上做 softmax。词元的输出是邻居值向量的加权和。两组输出**拼接**后由输出投影混合。\n\n"
              "这不是“注意力之后再接一个卷积层”：卷积头在同一层内*替代*了部分注意力头，且其权重随每个输入而变化（动态），不同于固定的卷积滤波器。"},
    "conv_kernels_title": {"en": "Kernels of layer {layer}: each row is one token's weights over its neighbours",
                           "zh": "第 {layer} 层的卷积核：每一行是一个词元对其邻居的权重"},
    "conv_offset": {"en": "offset", "zh": "偏移"},
    "conv_grid_title": {"en": "Layer {layer}: attention heads (top) and convolution heads as banded matrices (bottom), one colour scale",
                        "zh": "第 {layer} 层：注意力头（上）与卷积头的带状矩阵（下），同一色标"},
    "conv_band_note": {"en": "A convolution head's row i holds token i's kernel at columns i-{h}..i+{h}; weights that fall past "
                             "the sentence's ends multiply zero padding, so edge rows sum to less than 1.",
                       "zh": "卷积头第 i 行把词元 i 的卷积核放在第 i-{h}..i+{h} 列；超出句子两端的权重乘以零填充，因此边缘行之和小于 1。"},
})
