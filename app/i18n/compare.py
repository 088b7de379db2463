"""UI text of /compare on one sentence: head by head, what is compared (raw attention or a method of
/contributions, issue #12), head metrics, head matching and the students' provenance (issue #18)."""

TEXT = {
    # head by head
    "compare_title": {"en": "Compare two models", "zh": "对比两个模型"},
    "compare_same_tokens": {
        "en": "Both models split the sentence into the same {n} tokens: compared token by token.",
        "zh": "两个模型把句子切分为相同的 {n} 个词元：逐词元对比。",
    },
    "compare_by_words": {
        "en": "The two tokenizers split the sentence differently, so both are compared on the {n} words "
        "(split at spaces): a word's row is the mean of its pieces' rows, a word's column is the sum "
        "of its pieces' columns (rows still sum to 1).",
        "zh": "两个分词器切分方式不同，因此按 {n} 个单词（以空格切分）对比：单词的行取其子词行的平均，"
        "单词的列取其子词列之和（各行之和仍为 1）。",
    },
    "compare_head": {"en": "Head slot", "zh": "头位置"},
    "compare_head_label": {"en": "slot {k}: A {a} · B {b}", "zh": "位置 {k}：A {a} · B {b}"},
    "compare_head_help": {
        "en": "Slot k is head k of each model. In ConvBERT, slots after its attention heads are its "
        "convolution heads (C0, C1, ...), in the order they are concatenated in the layer's output.",
        "zh": "位置 k 指每个模型的第 k 个头。ConvBERT 中注意力头之后的位置是卷积头（C0、C1……），顺序与层输出中的拼接顺序一致。",
    },
    "missing": {"en": "none", "zh": "无"},
    "slot_missing": {
        "en": "Model {tag} has no head in slot {k}; only model {other}'s head is drawn.",
        "zh": "模型 {tag} 在位置 {k} 没有注意力头；只显示模型 {other} 的头。",
    },
    "compare_diff": {"en": "Difference A - B", "zh": "差异 A - B"},
    "compare_diff_note": {
        "en": "Red: A attends more than B; blue: B attends more than A. Both heatmaps above share one colour scale.",
        "zh": "红色：A 的注意力多于 B；蓝色：B 多于 A。上方两幅热力图使用同一色标。",
    },
    # tabs
    "tab_heads": {"en": "Head by head", "zh": "逐头对比"},
    "tab_metrics": {"en": "Head metrics", "zh": "注意力头指标"},
    "tab_matching": {"en": "Matching heads", "zh": "头匹配"},
    "tab_many": {"en": "Over many sentences", "zh": "多句统计"},
    # head metrics
    "metric": {"en": "Metric", "zh": "指标"},
    "metric_entropy": {
        "en": "Entropy of each row in nats, averaged over tokens: 0 = all weight on one token; the "
        "maximum (uniform) is log T for an attention head over T tokens, log 9 = 2.197 for a "
        "convolution kernel (9 offsets).",
        "zh": "每行的熵（奈特），对词元取平均：0 = 全部权重在一个词元上；最大值（均匀）对 T 个词元上的注意力头为 "
        "log T，对卷积核（9 个偏移）为 log 9 = 2.197。",
    },
    "metric_distance": {
        "en": "Mean distance |i - j| from a token to the tokens it attends to.",
        "zh": "词元与其所关注词元之间的平均距离 |i - j|。",
    },
    "metric_local": {
        "en": "Attention mass within 4 positions (|i - j| <= 4), ConvBERT's span.",
        "zh": "4 个位置以内（|i - j| <= 4，即 ConvBERT 的跨度）的注意力总量。",
    },
    "metric_cls": {
        "en": "Attention mass on the first special token ([CLS]).",
        "zh": "落在第一个特殊词元（[CLS]）上的注意力。",
    },
    "metric_sep": {"en": "Attention mass on separator tokens ([SEP]).", "zh": "落在分隔词元（[SEP]）上的注意力。"},
    "metric_punct": {"en": "Attention mass on punctuation tokens.", "zh": "落在标点词元上的注意力。"},
    "metric_self": {"en": "Attention mass on the token itself.", "zh": "落在词元自身上的注意力。"},
    "metric_prev": {"en": "Attention mass on the previous token.", "zh": "落在前一个词元上的注意力。"},
    "metric_next": {"en": "Attention mass on the next token.", "zh": "落在后一个词元上的注意力。"},
    "metrics_table": {
        "en": "All metrics, every head (click a column to sort)",
        "zh": "所有头的全部指标（点击列名排序）",
    },
    "col_model": {"en": "model", "zh": "模型"},
    "col_layer": {"en": "layer", "zh": "层"},
    "col_head": {"en": "head", "zh": "头"},
    # head matching
    "js_title": {
        "en": "Jensen-Shannon divergence between every head of A (rows) and of B (columns), averaged over tokens; low = similar",
        "zh": "A 的每个头（行）与 B 的每个头（列）之间的 Jensen-Shannon 散度（对词元平均）；越低越相似",
    },
    "js_sampled": {
        "en": "This text has {n} tokens: the divergences are averaged over {rows} evenly spaced query tokens "
        "(first and last included) to stay fast; every key token counts.",
        "zh": "本文本有 {n} 个词元：为保证速度，散度在 {rows} 个均匀间隔的查询词元（含首尾）上取平均；所有键词元都参与计算。",
    },
    "computing": {"en": "Computing…", "zh": "计算中…"},
    "closest_title": {"en": "Each head of A and its closest head in B", "zh": "A 的每个头及其在 B 中最相似的头"},
    "col_head_a": {"en": "head of A", "zh": "A 的头"},
    "col_head_b": {"en": "closest head of B", "zh": "B 中最相似的头"},
    "col_js": {"en": "JS divergence", "zh": "JS 散度"},
    "cka_title": {
        "en": "Linear CKA of hidden states, layer x layer (1 = same representation up to rotation and scale)",
        "zh": "隐藏状态的线性 CKA，逐层对比（1 = 表示在旋转和缩放意义下相同）",
    },
    "cka_rows": {"en": "A: layer output", "zh": "A：层输出"},
    "cka_cols": {"en": "B: layer output", "zh": "B：层输出"},
    "cannot_align": {
        "en": "Cannot compare these two models on this text: {reason}",
        "zh": "无法在此文本上对比这两个模型：{reason}",
    },
    # what is compared (issue #12)
    "cmpm_method": {"en": "What is compared", "zh": "对比的内容"},
    "cmpm_method_help": {
        "en": "Raw attention weights, or one of the methods of the Contributions page, computed in "
        "the same way for both models.",
        "zh": "原始注意力权重，或“贡献度”页面中的一种方法，对两个模型用同样的方式计算。",
    },
    "cmpm_m_attention": {"en": "Raw attention weights", "zh": "原始注意力权重"},
    "cmpm_whole_layer": {"en": "Whole layer (all heads together)", "zh": "整层（所有头合在一起）"},
    "cmpm_layer_only": {
        "en": "{method} mixes every head of a layer: there is no head slot to choose.",
        "zh": "{method}把一层的所有头合在一起：无需选择头位置。",
    },
    "cmpm_heading": {"en": "{method}: **A** {a} · **B** {b}", "zh": "{method}：**A** {a} · **B** {b}"},
    "cmpm_title_head": {"en": "{side} · L{layer} · {head}", "zh": "{side} · 第 {layer} 层 · {head}"},
    "cmpm_title_layer": {"en": "{side} · L{layer} · whole layer", "zh": "{side} · 第 {layer} 层 · 整层"},
    "cmpm_title_acc": {"en": "{side} · input → L{layer}", "zh": "{side} · 输入 → 第 {layer} 层"},
    "cmpm_norm": {"en": "norm", "zh": "范数"},
    "cmpm_cap_attention_head": {
        "en": "Softmax weights of the head in this slot: each row sums to 1 (a convolution head's banded row loses "
        "the weights that fall past the sentence's ends).",
        "zh": "该位置上这个头的 softmax 权重：每行之和为 1（卷积头的带状行会丢失落在句子两端之外的权重）。",
    },
    "cmpm_cap_attention_mean": {
        "en": "Mean of each model's attention heads (ConvBERT's convolution heads are left out): each row sums to 1.",
        "zh": "每个模型各注意力头的平均（不含 ConvBERT 的卷积头）：每行之和为 1。",
    },
    "cmpm_cap_norm_head": {
        "en": "‖α_ij f_h(x_j)‖: the length of the vector this head moves from token j into token i. These are norms in "
        "each model's own units, not probabilities: rows do not sum to 1, and the two models' scales need not "
        "match.",
        "zh": "‖α_ij f_h(x_j)‖：该头从词元 j 搬运到词元 i 的向量长度。这是各模型自身尺度下的范数，不是概率："
        "各行之和不为 1，两个模型的尺度也未必一致。",
    },
    "cmpm_cap_norm_layer": {
        "en": "‖Σ_h α_ij f_h(x_j)‖ over every head of the layer (ConvBERT's convolution heads included), each row "
        "normalised to sum to 1.",
        "zh": "对本层所有头（包括 ConvBERT 的卷积头）计算 ‖Σ_h α_ij f_h(x_j)‖，每行归一化，和为 1。",
    },
    "cmpm_cap_rollout": {
        "en": "Accumulated from the input up to the output of layer {layer} (0.5 A + 0.5 I per layer, head mean): "
        "each row sums to 1.",
        "zh": "从输入累积到第 {layer} 层的输出（每层为各头平均的 0.5 A + 0.5 I）：每行之和为 1。",
    },
    "cmpm_cap_flow": {
        "en": "Max-flow from each token at the output of layer {layer} back to the input, through the same graph as "
        "rollout; computed for this layer only and capped at {cap} tokens. Rows normalised to sum to 1.",
        "zh": "从第 {layer} 层输出处的每个词元回到输入的最大流，所用的图与 rollout 相同；只为本层计算，上限为 {cap} 个词元。"
        "每行归一化，和为 1。",
    },
    "cmpm_cap_alti": {
        "en": "ALTI of layer {layer} alone (heads, residual and LayerNorm): each row sums to 1.",
        "zh": "仅第 {layer} 层的 ALTI（各头、残差与层归一化）：每行之和为 1。",
    },
    "cmpm_same_scale": {
        "en": "Both squares share one colour scale (0 to the larger of the two maxima).",
        "zh": "两个方阵共用同一色标（0 到两者中较大的最大值）。",
    },
    "cmpm_pooled_norm": {
        "en": "Compared by words: a word's norms are summed over its pieces (the norm of a sum is at "
        "most that) and averaged over the pieces it is read from.",
        "zh": "按词对比：一个词的范数对其各词片求和（和的范数不超过此值），并对发出注意力的词片取平均。",
    },
    "cmpm_see_contrib": {"en": "How each method works, and its caveats", "zh": "各方法的原理与局限"},
    "cmpm_diff_note_mixing": {
        "en": "Red: A's output draws more on that token than B's; blue: B's draws more.",
        "zh": "红色：A 的输出比 B 更多地依赖该词元；蓝色：B 依赖得更多。",
    },
    "cmpm_diff_note_norm": {
        "en": "Red: A moves a longer vector than B; blue: B's is longer (each in its own units).",
        "zh": "红色：A 搬运的向量比 B 长；蓝色：B 的更长（各按自身尺度）。",
    },
    "cmpm_na": {
        "en": "{side} ({model}): {method} does not apply here. {reason}",
        "zh": "{side}（{model}）：{method}在这里不适用。{reason}",
    },
    "cmpm_flow_both": {
        "en": "Attention flow is capped at {cap} tokens (one max-flow problem per token pair); this "
        "input has {n} tokens in the longer tokenization. Showing attention rollout for both "
        "models instead.",
        "zh": "注意力流的上限为 {cap} 个词元（每对词元都要解一次最大流）；本输入在较长的分词下有 {n} 个词元。"
        "改为对两个模型都显示注意力 rollout。",
    },
    # switches and notes
    "research_exclude_special": {
        "en": "Exclude [CLS]/[SEP] from metrics and head matching",
        "zh": "在指标与头匹配中排除 [CLS]/[SEP]",
    },
    "research_exclude_help": {
        "en": "Drops the special tokens' rows and columns and renormalises every row over the "
        "remaining tokens (a conv kernel over the offsets that land on them). About 40% of "
        "BERT's attention parks on [CLS]/[SEP]; this shows where the rest goes.",
        "zh": "去掉特殊词元的行和列，并把每一行在剩余词元上重新归一化（卷积核则在落到剩余词元上的偏移上归一化）。"
        "BERT 约 40% 的注意力停放在 [CLS]/[SEP] 上；此开关显示其余注意力的去向。",
    },
    "research_excluded_note": {
        "en": "Special tokens excluded: rows renormalised over the other tokens; [CLS] and "
        "[SEP] mass are not defined (blank).",
        "zh": "已排除特殊词元：各行在其余词元上重新归一化；[CLS] 与 [SEP] 上的注意力量无定义（留空）。",
    },
    "research_metrics_note": {
        "en": "Attention heads: computed on their softmax rows over the T tokens. Convolution "
        "heads (C0, C1, ...): computed on their kernels, each token's 9 weights over offsets "
        "-4..+4 (summing to 1), so local is exactly 1 and entropy is at most log 9 = 2.197; "
        "weight on offsets past the sentence's ends falls on zero padding and lands on no token. "
        "Normalised entropy divides by each row's own maximum, so both kinds read on one 0-1 scale.",
        "zh": "注意力头：在其对 T 个词元的 softmax 行上计算。卷积头（C0、C1……）：在卷积核上计算，即每个词元在偏移 "
        "-4..+4 上的 9 个权重（和为 1），因此“局部”恰为 1，熵至多为 log 9 = 2.197；落在句子两端之外偏移上的权重"
        "乘以零填充，不落在任何词元上。归一化熵除以每行自身的最大值，两类头因此可在同一 0-1 标尺上比较。",
    },
    "research_uniform": {
        "en": "Uniform-attention baseline on this sentence (every row spread evenly): attention heads "
        "{attn}, conv heads {conv}.",
        "zh": "本句的均匀注意力基线（每行均匀分布）：注意力头 {attn}，卷积头 {conv}。",
    },
    "research_uniform_attn": {
        "en": "Uniform-attention baseline on this sentence (every row spread evenly over the tokens): {attn}.",
        "zh": "本句的均匀注意力基线（每行在词元上均匀分布）：{attn}。",
    },
    "research_uniform_many": {
        "en": "Uniform-attention baseline, averaged over the sentences: attention heads {attn}, conv heads {conv}.",
        "zh": "均匀注意力基线（对各句取平均）：注意力头 {attn}，卷积头 {conv}。",
    },
    "research_uniform_many_attn": {
        "en": "Uniform-attention baseline, averaged over the sentences: {attn}.",
        "zh": "均匀注意力基线（对各句取平均）：{attn}。",
    },
    "metric_entropy_norm": {
        "en": "Normalised entropy: a row's entropy divided by its maximum (log of the number of "
        "keys it can weigh: T tokens for an attention head, 9 offsets for a conv kernel); "
        "0 = all weight on one key, 1 = uniform (a row that can weigh only one key is left out).",
        "zh": "归一化熵：一行的熵除以其最大值（可分配权重的键数的对数：注意力头为 T 个词元，卷积核为 9 个偏移）；"
        "0 = 全部权重在一个键上，1 = 均匀（只能分配给一个键的行不计入）。",
    },
    "research_mname_entropy": {"en": "entropy", "zh": "熵"},
    "research_mname_entropy_norm": {"en": "normalised entropy", "zh": "归一化熵"},
    "research_mname_distance": {"en": "distance", "zh": "距离"},
    "research_mname_local": {"en": "local", "zh": "局部"},
    "research_mname_cls": {"en": "[CLS] mass", "zh": "[CLS] 权重"},
    "research_mname_sep": {"en": "[SEP] mass", "zh": "[SEP] 权重"},
    "research_mname_punct": {"en": "punctuation", "zh": "标点"},
    "research_mname_self": {"en": "self", "zh": "自身"},
    "research_mname_prev": {"en": "previous", "zh": "前一个"},
    "research_mname_next": {"en": "next", "zh": "后一个"},
    # from number to picture
    "research_click_one": {
        "en": "Click a cell to open that head's heatmap in Attention (or pick it below).",
        "zh": "点击单元格即可在“注意力”页打开该头的热力图（或在下方选择）。",
    },
    "research_click_many": {
        "en": "Click a cell (or pick a head below), then open its heatmap on the sentence where its "
        "value is highest or lowest.",
        "zh": "点击单元格（或在下方选择一个头），然后在该值最高或最低的句子上打开它的热力图。",
    },
    "research_pick": {"en": "Head to open", "zh": "要打开的头"},
    "research_open": {"en": "Open in Attention", "zh": "在“注意力”页打开"},
    "research_open_high": {"en": "Highest: {value} · “{sentence}”", "zh": "最高：{value} · “{sentence}”"},
    "research_open_low": {"en": "Lowest: {value} · “{sentence}”", "zh": "最低：{value} · “{sentence}”"},
    "research_pick_pair": {"en": "Pair to open", "zh": "要打开的头对"},
    "research_open_side": {"en": "Open {side}'s {head}", "zh": "打开 {side} 的 {head}"},
    "research_pair_sentence": {
        "en": "On the sentence where this pair's JS is",
        "zh": "在该头对 JS 散度为以下情况的句子上",
    },
    "research_highest": {"en": "highest", "zh": "最高"},
    "research_lowest": {"en": "lowest", "zh": "最低"},
    # head matching, both ways
    "research_same_layer": {"en": "Match within the same layer only", "zh": "只在同一层内匹配"},
    "research_a_to_b": {"en": "A → B: nearest head of B for each head of A", "zh": "A → B：A 的每个头在 B 中最近的头"},
    "research_b_to_a": {"en": "B → A: nearest head of A for each head of B", "zh": "B → A：B 的每个头在 A 中最近的头"},
    "research_one_to_one": {
        "en": "One-to-one: each head gets a different partner (minimum total JS)",
        "zh": "一一对应：每个头配一个不同的伙伴（总 JS 最小）",
    },
    "research_matching_help": {
        "en": "Nearest partners may repeat (several heads can share one partner); the one-to-one "
        "assignment (Hungarian algorithm, scipy's linear_sum_assignment) cannot. A partner "
        "that is nearest both ways and kept one-to-one is a robust match.",
        "zh": "最近伙伴可以重复（多个头可共享一个伙伴）；一一对应分配（匈牙利算法，scipy 的 linear_sum_assignment）"
        "则不能。双向最近且在一一对应中保留的伙伴是稳健的匹配。",
    },
    "research_col_head": {"en": "head", "zh": "头"},
    "research_col_partner": {"en": "partner", "zh": "伙伴"},
    "research_col_js": {"en": "JS", "zh": "JS"},
    "research_js_note_conv": {
        "en": "Conv heads enter head matching as banded rows renormalised over the sentence's tokens "
        "(the weight on padding past the ends is dropped).",
        "zh": "卷积头以带状行参与头匹配，并在句子的词元上重新归一化（两端之外填充上的权重被舍去）。",
    },
    "research_js_note": {
        "en": "CKA uses every token; the special-token switch does not apply to it.",
        "zh": "CKA 使用全部词元；特殊词元开关对它不起作用。",
    },
    "research_cka_skipped": {"en": "CKA was not computed: {reason}.", "zh": "未计算 CKA：{reason}。"},
    # provenance
    "research_prov_title": {"en": "How {model} was made", "zh": "{model} 是如何得到的"},
    "research_prov_convbert": {
        "en": "Model {side} ({model}) was distilled from {teacher} with attention transfer (as in "
        "TinyBERT): its attention heads H0-H5 started as copies of {teacher}'s heads H0-H5 "
        "(query, key and value) and were trained to reproduce their attention; its conv heads' "
        "values started from heads H6-H11.",
        "zh": "模型 {side}（{model}）通过注意力迁移（如 TinyBERT）从 {teacher} 蒸馏而来：它的注意力头 H0-H5 "
        "以 {teacher} 的 H0-H5 为初值（复制 query、key 和 value），并被训练去复现这些头的注意力；"
        "卷积头的 value 取自 H6-H11。",
    },
    "research_prov_convbert-free": {
        "en": "Model {side} ({model}) was distilled from {teacher} on hidden states and the pooled "
        "output only: no attention loss, and its attention heads' query and key were not "
        "copied (value copied from {teacher}'s heads H0-H5, conv values from H6-H11). What its "
        "attention heads attend to, they learned by themselves.",
        "zh": "模型 {side}（{model}）只依据隐藏状态和池化输出从 {teacher} 蒸馏而来：没有注意力损失，注意力头的 "
        "query 和 key 也未复制（value 复制自 {teacher} 的 H0-H5，卷积头的 value 复制自 H6-H11）。"
        "它的注意力头关注什么，是它自己学到的。",
    },
    "research_prov_distilbert3": {
        "en": "Model {side} ({model}) is a 3-layer DistilBERT initialised from {teacher}'s layers 0, 3 and 5 "
        "(every weight copied) and trained on hidden states: its heads start as exact copies of "
        "those layers' heads.",
        "zh": "模型 {side}（{model}）是一个 3 层 DistilBERT，以 {teacher} 的第 0、3、5 层为初值（复制全部权重），"
        "并在隐藏状态上训练：它的头起初与这些层的头完全相同。",
    },
    "research_prov_distilbert2": {
        "en": "Model {side} ({model}) is a 2-layer DistilBERT initialised from {teacher}'s layers 0 and 5 "
        "(every weight copied) and trained on hidden states: its heads start as exact copies of those layers' heads.",
        "zh": "模型 {side}（{model}）是一个 2 层 DistilBERT，以 {teacher} 的第 0、5 层为初值（复制全部权重），"
        "并在隐藏状态上训练：它的头起初与这些层的头完全相同。",
    },
    "research_prov_distilbert4": {
        "en": "Model {side} ({model}) is a 4-layer DistilBERT initialised from {teacher}'s layers 0, 2, 3 and 5 "
        "(every weight copied) and trained on hidden states: its heads start as exact copies of those layers' heads.",
        "zh": "模型 {side}（{model}）是一个 4 层 DistilBERT，以 {teacher} 的第 0、2、3、5 层为初值（复制全部权重），"
        "并在隐藏状态上训练：它的头起初与这些层的头完全相同。",
    },
    "research_prov_tinybert4": {
        "en": "Model {side} ({model}) has TinyBERT-4's shape (4 layers, hidden 312) and was distilled from {teacher} "
        "layer to layer: its layers 1-4 learned {teacher}'s layers 2, 3, 5 and 6 (hidden states through a learned "
        "projection, attention scores head by head), then its pooled output.",
        "zh": "模型 {side}（{model}）采用 TinyBERT-4 的结构（4 层，隐藏维度 312），从 {teacher} 逐层蒸馏而来：它的第 1-4 层"
        "学习 {teacher} 的第 2、3、5、6 层（隐藏状态经过一个学习得到的投影，注意力分数逐头对齐），然后学习池化输出。",
    },
    "research_prov_deberta": {
        "en": "Model {side} ({model}) is a DeBERTa-v2 distilled from {teacher} on outputs only (no attention loss). "
        "Its query, key and value projections started as {teacher}'s, but every score adds two relative-position "
        "terms (c2p, p2c) and no absolute position embedding is added; /deberta shows each term.",
        "zh": "模型 {side}（{model}）是一个只依据输出（无注意力损失）从 {teacher} 蒸馏而来的 DeBERTa-v2。它的 query、key "
        "和 value 投影以 {teacher} 的为初值，但每个分数都加上两个相对位置项（c2p、p2c），且不加绝对位置嵌入；"
        "/deberta 页面逐项展示。",
    },
    "research_prov_mlm": {
        "en": "Model {side} ({model}) is {teacher} itself, retrained with masked-word prediction (an MLM head; the "
        "embeddings, word embeddings included, frozen and read from {teacher}). It was not distilled: no loss "
        "pulled it towards {teacher}'s outputs or attention, but every weight started as {teacher}'s.",
        "zh": "模型 {side}（{model}）就是 {teacher} 本身，用掩码词预测重新训练（加上 MLM 头；嵌入层，包括词嵌入，"
        "被冻结并从 {teacher} 读取）。它不是蒸馏得到的：没有任何损失把它拉向 {teacher} 的输出或注意力，"
        "但所有权重都以 {teacher} 的为初值。",
    },
    "research_prov_electra": {
        "en": "Model {side} ({model}) is an ELECTRA discriminator started from {teacher} (every encoder weight "
        "copied, word embeddings frozen) and trained with replaced-token detection: a masked-word model replaced "
        "some words and it learned to tell which.",
        "zh": "模型 {side}（{model}）是一个以 {teacher} 为初值的 ELECTRA 判别器（复制全部编码器权重，词嵌入冻结），"
        "用替换词元检测训练：一个掩码词模型替换了部分词，它学会分辨哪些被替换了。",
    },
    "research_prov_teacher_convbert": {
        "en": "So its heads H0-H5 matching {teacher}'s H0-H5 is the training target, not a "
        "finding. To see what ConvBERT's attention learns by itself, compare with "
        "convbert-minilm-l6-free.",
        "zh": "因此它的 H0-H5 与 {teacher} 的 H0-H5 相匹配是训练目标，而不是发现。若想看 ConvBERT 的注意力"
        "自己学到什么，请与 convbert-minilm-l6-free 对比。",
    },
    "research_prov_teacher_convbert-free": {
        "en": "A match between its attention heads and {teacher}'s is learned, not copied "
        "(though a head's value projection starts from {teacher}'s head of the same index).",
        "zh": "它的注意力头与 {teacher} 的头之间的匹配是学到的，而非复制的（不过每个头的 value 投影"
        "以 {teacher} 同序号头为初值）。",
    },
    "research_prov_teacher_distilbert3": {
        "en": "So matches to {teacher}'s layers 0, 3 and 5 are inherited from the copy, not found.",
        "zh": "因此与 {teacher} 第 0、3、5 层的匹配来自复制，而不是发现。",
    },
    "research_prov_teacher_distilbert2": {
        "en": "So matches to {teacher}'s layers 0 and 5 are inherited from the copy, not found.",
        "zh": "因此与 {teacher} 第 0、5 层的匹配来自复制，而不是发现。",
    },
    "research_prov_teacher_distilbert4": {
        "en": "So matches to {teacher}'s layers 0, 2, 3 and 5 are inherited from the copy, not found.",
        "zh": "因此与 {teacher} 第 0、2、3、5 层的匹配来自复制，而不是发现。",
    },
    "research_prov_teacher_tinybert4": {
        "en": "So where its head Hk matches {teacher}'s Hk of the layer it learned from, the attention loss put it "
        "there: a training target, not a finding.",
        "zh": "因此，它的头 Hk 与 {teacher} 对应层的 Hk 相匹配之处，是注意力损失的训练目标，而不是发现。",
    },
    "research_prov_teacher_deberta": {
        "en": "So where its heads match {teacher}'s heads of the same index, the copied projections may be why; "
        "where they differ, DeBERTa's position terms moved them.",
        "zh": "因此，它的头与 {teacher} 同序号头相匹配之处，可能来自复制的投影；不同之处，则是 DeBERTa 的位置项改变了它们。",
    },
    "research_prov_teacher_mlm": {
        "en": "So where its heads match {teacher}'s, they were kept, not found again; where they differ, "
        "learning to fill in blanks moved them.",
        "zh": "因此，它的头与 {teacher} 的头相匹配之处是保留下来的，而不是重新发现的；不同之处，是学习填空改变了它们。",
    },
    "research_prov_teacher_electra": {
        "en": "So where its heads match {teacher}'s, they were kept, not found again; where they differ, learning "
        "to spot replaced words moved them.",
        "zh": "因此，它的头与 {teacher} 的头相匹配之处是保留下来的，而不是重新发现的；不同之处，是学习识别被替换的词改变了它们。",
    },
    "research_prov_sibling": {
        "en": "Both models are students of {teacher}: differences between them come from how each was trained.",
        "zh": "两个模型都是 {teacher} 的学生：它们之间的差异来自各自的训练方式。",
    },
}
