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
    "other_model": {"en": "Other model…", "zh": "其他模型……"},
    "other_model_help": {"en": "A Hugging Face Hub id (needs the internet the first time) or a folder in the models folder; press Enter.",
                         "zh": "Hugging Face Hub 模型 ID（首次需联网）或模型文件夹中的文件夹名；按回车确认。"},
    "sentence": {"en": "Sentence", "zh": "句子"},
    "sentence_b": {"en": "Second sentence (optional, for sentence pairs)",
                   "zh": "第二个句子（可选，用于句子对）"},
    "sentence_help": {"en": "Press Enter (or click outside the box) to run.",
                      "zh": "按回车（或点击输入框外）运行。"},
    "layer": {"en": "Layer", "zh": "层"},
    "head": {"en": "Head", "zh": "注意力头"},
    "all_heads": {"en": "Mean of the attention heads", "zh": "注意力头的平均"},
    "head_n": {"en": "Head {n}", "zh": "第 {n} 个头"},
    "conv_head_n": {"en": "Conv head {n}", "zh": "卷积头 {n}"},
    "fixed_scale": {"en": "Fixed colour scale 0 to 1", "zh": "固定色标 0 到 1"},
    "hide_special": {"en": "Hide [CLS]/[SEP] columns", "zh": "隐藏 [CLS]/[SEP] 列"},
    "copy_link": {"en": "Link to this view", "zh": "此视图的链接"},
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

TEXT.update({
    "home_compare": {"en": "two models on one sentence, head by head: differences, metrics, matching heads.",
                     "zh": "两个模型处理同一句子，逐头对比：差异、指标、最相似的头。"},
    "compare_title": {"en": "Compare two models", "zh": "对比两个模型"},
    "compare_same_tokens": {"en": "Both models split the sentence into the same {n} tokens: compared token by token.",
                            "zh": "两个模型把句子切分为相同的 {n} 个词元：逐词元对比。"},
    "compare_by_words": {"en": "The two tokenizers split the sentence differently, so both are compared on the {n} words "
                               "(split at spaces): a word's row is the mean of its pieces' rows, a word's column is the sum "
                               "of its pieces' columns (rows still sum to 1).",
                         "zh": "两个分词器切分方式不同，因此按 {n} 个单词（以空格切分）对比：单词的行取其子词行的平均，"
                               "单词的列取其子词列之和（各行之和仍为 1）。"},
    "compare_head": {"en": "Head slot", "zh": "头位置"},
    "compare_head_label": {"en": "slot {k}: A {a} · B {b}", "zh": "位置 {k}：A {a} · B {b}"},
    "compare_head_help": {"en": "Slot k is head k of each model. In ConvBERT, slots after its attention heads are its "
                                "convolution heads (C0, C1, ...), in the order they are concatenated in the layer's output.",
                          "zh": "位置 k 指每个模型的第 k 个头。ConvBERT 中注意力头之后的位置是卷积头（C0、C1……），顺序与层输出中的拼接顺序一致。"},
    "missing": {"en": "none", "zh": "无"},
    "slot_missing": {"en": "Model {tag} has no head in slot {k}; only model {other}'s head is drawn.",
                     "zh": "模型 {tag} 在位置 {k} 没有注意力头；只显示模型 {other} 的头。"},
    "compare_diff": {"en": "Difference A - B", "zh": "差异 A - B"},
    "compare_diff_note": {"en": "Red: A attends more than B; blue: B attends more than A. Both heatmaps above share one colour scale.",
                          "zh": "红色：A 的注意力多于 B；蓝色：B 多于 A。上方两幅热力图使用同一色标。"},
    "tab_heads": {"en": "Head by head", "zh": "逐头对比"},
    "tab_metrics": {"en": "Head metrics", "zh": "注意力头指标"},
    "tab_matching": {"en": "Matching heads", "zh": "头匹配"},
    "tab_many": {"en": "Over many sentences", "zh": "多句统计"},
    "metric": {"en": "Metric", "zh": "指标"},
    "metric_entropy": {"en": "Entropy of each row in nats, averaged over tokens: 0 = all weight on one token; the "
                             "maximum (uniform) is log T for an attention head over T tokens, log 9 = 2.197 for a "
                             "convolution kernel (9 offsets).",
                       "zh": "每行的熵（奈特），对词元取平均：0 = 全部权重在一个词元上；最大值（均匀）对 T 个词元上的注意力头为 "
                             "log T，对卷积核（9 个偏移）为 log 9 = 2.197。"},
    "metric_distance": {"en": "Mean distance |i - j| from a token to the tokens it attends to.",
                        "zh": "词元与其所关注词元之间的平均距离 |i - j|。"},
    "metric_local": {"en": "Attention mass within 4 positions (|i - j| <= 4), ConvBERT's span.",
                     "zh": "4 个位置以内（|i - j| <= 4，即 ConvBERT 的跨度）的注意力总量。"},
    "metric_cls": {"en": "Attention mass on the first special token ([CLS]).", "zh": "落在第一个特殊词元（[CLS]）上的注意力。"},
    "metric_sep": {"en": "Attention mass on separator tokens ([SEP]).", "zh": "落在分隔词元（[SEP]）上的注意力。"},
    "metric_punct": {"en": "Attention mass on punctuation tokens.", "zh": "落在标点词元上的注意力。"},
    "metric_self": {"en": "Attention mass on the token itself.", "zh": "落在词元自身上的注意力。"},
    "metric_prev": {"en": "Attention mass on the previous token.", "zh": "落在前一个词元上的注意力。"},
    "metric_next": {"en": "Attention mass on the next token.", "zh": "落在后一个词元上的注意力。"},
    "metrics_table": {"en": "All metrics, every head (click a column to sort)", "zh": "所有头的全部指标（点击列名排序）"},
    "col_model": {"en": "model", "zh": "模型"},
    "col_layer": {"en": "layer", "zh": "层"},
    "col_head": {"en": "head", "zh": "头"},
    "js_title": {"en": "Jensen-Shannon divergence between every head of A (rows) and of B (columns), averaged over tokens; low = similar",
                 "zh": "A 的每个头（行）与 B 的每个头（列）之间的 Jensen-Shannon 散度（对词元平均）；越低越相似"},
    "js_sampled": {"en": "This text has {n} tokens: the divergences are averaged over {rows} evenly spaced query tokens "
                         "(first and last included) to stay fast; every key token counts.",
                   "zh": "本文本有 {n} 个词元：为保证速度，散度在 {rows} 个均匀间隔的查询词元（含首尾）上取平均；所有键词元都参与计算。"},
    "computing": {"en": "Computing…", "zh": "计算中…"},
    "closest_title": {"en": "Each head of A and its closest head in B", "zh": "A 的每个头及其在 B 中最相似的头"},
    "col_head_a": {"en": "head of A", "zh": "A 的头"},
    "col_head_b": {"en": "closest head of B", "zh": "B 中最相似的头"},
    "col_js": {"en": "JS divergence", "zh": "JS 散度"},
    "cka_title": {"en": "Linear CKA of hidden states, layer x layer (1 = same representation up to rotation and scale)",
                  "zh": "隐藏状态的线性 CKA，逐层对比（1 = 表示在旋转和缩放意义下相同）"},
    "cka_rows": {"en": "A: layer output", "zh": "A：层输出"},
    "cka_cols": {"en": "B: layer output", "zh": "B：层输出"},
    "many_help": {"en": "One sentence per line, or upload a .txt (one per line) or CoNLL-U file. At most {n} sentences.",
                  "zh": "每行一个句子，或上传 .txt（每行一句）或 CoNLL-U 文件。最多 {n} 句。"},
    "many_sentences": {"en": "Sentences", "zh": "句子"},
    "many_upload": {"en": "Upload sentences", "zh": "上传句子"},
    "many_run": {"en": "Compare over these sentences", "zh": "在这些句子上对比"},
    "many_progress": {"en": "Sentence {i} of {n}", "zh": "第 {i} / {n} 句"},
    "many_done": {"en": "Averaged over {n} sentences.", "zh": "已对 {n} 个句子取平均。"},
    "many_example": {"en": "Load the example set", "zh": "载入示例句子集"},
    "upload_error": {"en": "Could not use this file: {reason}", "zh": "无法使用此文件：{reason}"},
    "cannot_align": {"en": "Cannot compare these two models on this text: {reason}", "zh": "无法在此文本上对比这两个模型：{reason}"},
})

TEXT.update({
    "home_positions": {"en": "learned position embeddings against the sinusoids of the original Transformer.",
                       "zh": "学习得到的位置嵌入与原始 Transformer 的正弦位置编码对比。"},
    "home_step_by_step": {"en": "one head's attention computed step by step from X to the attention row, with the model's own weights.",
                          "zh": "用模型自身权重，从 X 到注意力行逐步计算一个头的注意力。"},
    "pos_title": {"en": "Position encodings", "zh": "位置编码"},
    "pos_note": {"en": "**BERT learns its position embeddings**: a table of one vector per position (512 here), trained with "
                       "the rest of the model and *added* to each token's embedding. It does **not** use the sine/cosine "
                       "encoding of the original Transformer, a common misconception; that one is shown on the right for "
                       "comparison. Other families differ: RoBERTa's table starts at row padding_idx + 1; DeBERTa uses "
                       "*relative* positions inside attention and adds no absolute embedding.",
                 "zh": "**BERT 的位置嵌入是学习得到的**：每个位置一个向量（这里共 512 个），与模型其余部分一起训练，并*加到*每个词元的嵌入上。"
                       "它**并不**使用原始 Transformer 的正弦/余弦编码（这是常见误解）；右侧展示该编码以作对比。其他模型不同："
                       "RoBERTa 的位置表从 padding_idx + 1 行开始；DeBERTa 在注意力内部使用*相对*位置，不加绝对位置嵌入。"},
    "pos_scheme": {"en": "Position scheme of {model}: {scheme}.", "zh": "{model} 的位置编码方式：{scheme}。"},
    "pos_none": {"en": "{model} adds no absolute position embeddings ({scheme}), so there is no learned table to show.",
                 "zh": "{model} 不添加绝对位置嵌入（{scheme}），因此没有可展示的位置表。"},
    "pos_n": {"en": "Positions shown", "zh": "显示的位置数"},
    "pos_d": {"en": "Sinusoid dimension d", "zh": "正弦编码维度 d"},
    "pos_dims": {"en": "Dimensions to plot", "zh": "要绘制的维度"},
    "pos_learned": {"en": "Learned ({model})", "zh": "学习得到的（{model}）"},
    "pos_sin": {"en": "Sinusoidal (Vaswani et al. 2017)", "zh": "正弦编码（Vaswani 等，2017）"},
    "pos_cos_title": {"en": "Cosine similarity between positions", "zh": "位置之间的余弦相似度"},
    "pos_pca_title": {"en": "Path through positions (PCA, {var:.0%} of variance)", "zh": "位置路径（PCA，解释 {var:.0%} 方差）"},
    "pos_dims_title": {"en": "Selected dimensions over position", "zh": "所选维度随位置的变化"},
    "pos_position": {"en": "position", "zh": "位置"},
    "pos_dim": {"en": "dimension", "zh": "维度"},
    "pos_value": {"en": "value", "zh": "数值"},
    "pos_3d": {"en": "3-D path", "zh": "三维路径"},
    "pos_sentence_title": {"en": "Added for this sentence", "zh": "此句子实际加入的嵌入"},
    "pos_added": {"en": "Position embeddings added to each token (first {k} of {d} dimensions)",
                  "zh": "加到每个词元上的位置嵌入（{d} 维中的前 {k} 维）"},
    "pos_token_type": {"en": "Token-type (segment) embeddings added: sentence A rows share one vector, sentence B rows another",
                       "zh": "加入的词元类型（片段）嵌入：句子 A 的各行共用一个向量，句子 B 共用另一个"},
    "token": {"en": "token", "zh": "词元"},
    "formula_sin": {"en": "The sinusoidal encoding:", "zh": "正弦位置编码："},
    # step by step
    "step_title": {"en": "Attention, step by step", "zh": "逐步计算注意力"},
    "step_intro": {"en": "Follow one head of one layer for one query token, from the layer's input X to the attention row "
                         "and the head's output, using the model's own weights. The recomputed row is checked against the captured one.",
                   "zh": "跟随某一层的一个头、针对一个查询词元，使用模型自身权重，从该层输入 X 一直计算到注意力行和该头的输出。重新计算的行会与捕获的结果对比。"},
    "step_query": {"en": "Query token", "zh": "查询词元"},
    "step_head": {"en": "Head", "zh": "头"},
    "step1": {"en": "1. The layer's input X", "zh": "1. 该层的输入 X"},
    "step1_text": {"en": "Each row is one token's vector (the previous layer's output, or the embeddings for layer 0). Shape {shape}.",
                   "zh": "每一行是一个词元的向量（上一层的输出；第 0 层则为嵌入）。形状 {shape}。"},
    "step2": {"en": "2. Queries, keys and values for this head", "zh": "2. 该头的查询、键和值"},
    "step2_text": {"en": "Three learned projections of X, cut to this head's {d} dimensions. Each has shape {shape}.",
                   "zh": "X 的三个学习得到的投影，截取该头的 {d} 个维度。每个形状为 {shape}。"},
    "step3": {"en": "3. Scores of the query against every key", "zh": "3. 查询与每个键的得分"},
    "step3_text": {"en": "The dot product of the query token's q with every key, divided by sqrt(d_k) = {s:.2f}. Shape {shape}.",
                   "zh": "查询词元的 q 与每个键的点积，除以 sqrt(d_k) = {s:.2f}。形状 {shape}。"},
    "step4": {"en": "4. Softmax: the attention row", "zh": "4. Softmax：注意力行"},
    "step4_text": {"en": "Exponentiate and normalise so the weights sum to 1. Crosses: the row captured from the model. "
                         "Largest difference: {diff:.2e}.",
                   "zh": "取指数并归一化，使权重之和为 1。叉号：从模型捕获的行。最大差异：{diff:.2e}。"},
    "step5": {"en": "5. Weighted sum of the values: the head's output for this token", "zh": "5. 值的加权和：该头对此词元的输出"},
    "step5_text": {"en": "Shape {shape}. The layer concatenates all heads' outputs and projects them back to the hidden size.",
                   "zh": "形状 {shape}。该层拼接所有头的输出，再投影回隐藏维度。"},
    "step_unsupported": {"en": "Step-by-step is not available for this model: {reason}", "zh": "此模型不支持逐步计算：{reason}"},
    "step_query_row": {"en": "query row", "zh": "查询行"},
    "conv1": {"en": "2. Key convolution over the span", "zh": "2. 在跨度上对键做卷积"},
    "conv1_text": {"en": "A depthwise convolution over each token's {k} neighbours, then a pointwise projection: every token gets a "
                         "span-aware key. This head's part has shape {shape}.",
                   "zh": "先对每个词元的 {k} 个邻居做逐通道卷积，再做逐点投影：每个词元得到感知跨度的键。该头部分的形状为 {shape}。"},
    "conv2": {"en": "3. Kernel logits: one score per offset", "zh": "3. 卷积核 logits：每个偏移一个得分"},
    "conv2_text": {"en": "The span-aware key times the query, through a linear layer, gives {k} numbers for this token and head.",
                   "zh": "感知跨度的键与查询逐元素相乘，经线性层得到该词元、该头的 {k} 个数。"},
    "conv3": {"en": "4. Softmax over the {k} offsets: the dynamic kernel", "zh": "4. 在 {k} 个偏移上做 softmax：动态卷积核"},
    "conv3_text": {"en": "Crosses: the kernel captured from the model. Largest difference: {diff:.2e}.",
                   "zh": "叉号：从模型捕获的卷积核。最大差异：{diff:.2e}。"},
    "conv4": {"en": "5. Weighted sum over the span", "zh": "5. 在跨度上加权求和"},
    "conv4_text": {"en": "The kernel weights the values of tokens {a}..{b} (zero outside the sentence). Output shape {shape}; "
                         "largest difference from the module's own output: {diff:.2e}.",
                   "zh": "卷积核对第 {a}..{b} 个词元的值加权（句子之外为零）。输出形状 {shape}；与模块自身输出的最大差异：{diff:.2e}。"},
})

TEXT.update({
    "home_lessons": {"en": "ready-made lessons for a class: each opens the right view with the right settings.",
                     "zh": "为课堂准备的课程：每一课都会以合适的设置打开相应视图。"},
    "lessons_title": {"en": "Lessons", "zh": "课程"},
    "lessons_intro": {"en": "Each lesson opens a view with its sentence and settings. Share the link below a lesson so "
                            "students open exactly the same view.",
                      "zh": "每一课都会以其句子和设置打开一个视图。分享课程下方的链接，学生即可打开完全相同的视图。"},
    "lesson_open": {"en": "Open", "zh": "打开"},
    "lesson_coref_title": {"en": "Who is \"it\"? (coreference)", "zh": "“it” 指谁？（指代消解）"},
    "lesson_coref_text": {"en": "In layer 3, head 1 of the bundled BERT, the row of \"it\" puts most of its weight on \"animal\". "
                                "Hover the cells of the \"it\" row and compare with the next lesson.",
                          "zh": "在内置 BERT 的第 3 层第 1 个头中，“it” 这一行的大部分权重落在 “animal” 上。悬停查看 “it” 行，并与下一课对比。"},
    "lesson_coref2_title": {"en": "Change one word: \"too wide\"", "zh": "只改一个词：“too wide”"},
    "lesson_coref2_text": {"en": "Same head, one word changed: now \"it\" should be the street. The weight on \"animal\" drops "
                                 "(0.68 to 0.28) and more goes to \"street\": attention reacts to meaning, not just position.",
                           "zh": "同一个头，只改一个词：此时 “it” 应指 street。落在 “animal” 上的权重下降（0.68 降到 0.28），更多转向 “street”：注意力对语义有反应，而不只是位置。"},
    "lesson_pair_title": {"en": "Two sentences and [SEP]", "zh": "两个句子与 [SEP]"},
    "lesson_pair_text": {"en": "A sentence pair is one input with [SEP] between the parts. In the last layer, many rows send "
                               "weight to [SEP] and [CLS]: heads with nothing to do often park their attention there (Clark et al. 2019).",
                         "zh": "句子对是一个输入，两部分之间用 [SEP] 分隔。在最后一层，许多行把权重投向 [SEP] 和 [CLS]：无事可做的头常把注意力“停放”在那里（Clark 等，2019）。"},
    "lesson_local_title": {"en": "ConvBERT's local heads on a long sentence", "zh": "长句中 ConvBERT 的局部头"},
    "lesson_local_text": {"en": "Convolution heads only see 4 tokens to each side. On a long sentence their banded matrices "
                                "stay on the diagonal, while attention heads reach across the whole sentence.",
                          "zh": "卷积头只能看到左右各 4 个词元。在长句中，它们的带状矩阵停留在对角线附近，而注意力头可以跨越整句。"},
    "lesson_compare_title": {"en": "BERT against ConvBERT, head by head", "zh": "BERT 与 ConvBERT 逐头对比"},
    "lesson_compare_text": {"en": "Slot 8 is an attention head in BERT but a convolution head in ConvBERT. Look at the "
                                  "difference map, then the Matching heads tab. Careful how you read it: this ConvBERT "
                                  "was distilled with attention transfer (as in TinyBERT), so its attention heads H0-H5 "
                                  "started as copies of BERT's H0-H5 and were trained to reproduce them. Their near-zero "
                                  "divergence is the training target, not a discovery. The real questions are what the "
                                  "conv heads do with BERT's heads 6-11 (their values started there) and, with "
                                  "convbert-minilm-l6-free (no attention loss), what attention learns by itself.",
                            "zh": "位置 8 在 BERT 中是注意力头，在 ConvBERT 中是卷积头。先看差异图，再看“头匹配”标签页。解读时要小心："
                                  "这个 ConvBERT 是用注意力迁移（如 TinyBERT）蒸馏的，它的注意力头 H0-H5 以 BERT 的 H0-H5 为初值，"
                                  "并被训练去复现它们。两者散度接近零是训练目标，而不是发现。真正值得问的是：卷积头如何处理 BERT 第 6-11 "
                                  "个头的工作（它们的 value 从那里开始），以及在 convbert-minilm-l6-free（无注意力损失）中，注意力自己学到了什么。"},
    "lesson_chinese_title": {"en": "A Chinese sentence", "zh": "一个中文句子"},
    "lesson_chinese_text": {"en": "This lesson uses a Chinese-capable model found on this machine. Its vocabulary splits "
                                  "Chinese text into single characters, one token each (no spaces needed). Which characters "
                                  "attend to their neighbours in layer 0, and which to [CLS]/[SEP]?",
                            "zh": "本课使用本机上已有的中文模型。它的词表把中文切分为单个汉字，每个字一个词元（不需要空格）。"
                                  "在第 0 层，哪些字关注相邻的字，哪些字关注 [CLS]/[SEP]？"},
    "lesson_positions_title": {"en": "Where does the model know positions from?", "zh": "模型从哪里得知位置？"},
    "lesson_positions_text": {"en": "BERT learns a vector per position; compare its similarity pattern with the sinusoids "
                                    "of the original Transformer.",
                              "zh": "BERT 为每个位置学习一个向量；将其相似度模式与原始 Transformer 的正弦编码对比。"},
    "lesson_steps_title": {"en": "Compute one attention row by hand", "zh": "亲手计算一行注意力"},
    "lesson_steps_text": {"en": "Follow \"it\" through layer 3, head 1: from X to queries and keys, scores, softmax and "
                                "the weighted sum, with the model's real numbers.",
                          "zh": "跟随 “it” 经过第 3 层第 1 个头：从 X 到查询和键、得分、softmax 与加权和，全部使用模型的真实数值。"},
})


def _load_feature_tables() -> None:
    """Each feature keeps its text beside its page: app/i18n_<feature>.py defines TEXT (same shape)."""
    import importlib
    from pathlib import Path

    for path in sorted(Path(__file__).parent.glob("i18n_*.py")):
        table = importlib.import_module(f"app.{path.stem}").TEXT
        clash = set(table) & set(TEXT)
        if clash:
            raise KeyError(f"{path.name} redefines {sorted(clash)}")
        TEXT.update(table)


_load_feature_tables()
