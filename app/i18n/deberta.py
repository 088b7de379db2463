"""UI text of /deberta: DeBERTa's attention score as three terms (c2c, c2p, p2c) over bucketed relative positions."""

TEXT = {
    "nav_deberta": {"en": "DeBERTa", "zh": "DeBERTa 解耦注意力"},
    "home_deberta": {
        "en": "DeBERTa's attention score taken apart: content-to-content, content-to-position and position-to-content, "
        "what each does to a head, which heads are positional, and how relative distances are bucketed",
        "zh": "拆开 DeBERTa 的注意力分数：内容对内容、内容对位置、位置对内容三项，各项对注意力头的作用，哪些头依赖位置，以及相对距离如何分桶",
    },
    "deb_title": {"en": "DeBERTa: one attention score, three terms", "zh": "DeBERTa：一个注意力分数，三个组成项"},
    "deb_intro": {
        "en": "DeBERTa scores query token *i* against key token *j* as the **sum of three terms**: **c2c** "
        "(content to content: what *i* is · what *j* is), **c2p** (content to position: what *i* is · where *j* is "
        "relative to *i*) and **p2c** (position to content: where *i* is relative to *j* · what *j* is). The "
        "softmax of the sum is the attention. Relative distances are put into buckets: exact when near, "
        "logarithmic when far. This page draws the three terms apart.",
        "zh": "DeBERTa 给查询词元 *i* 与键词元 *j* 打分时，分数是**三项之和**：**c2c**（内容对内容：*i* 是什么 · *j* 是什么）、"
        "**c2p**（内容对位置：*i* 是什么 · *j* 相对 *i* 在哪里）和 **p2c**（位置对内容：*i* 相对 *j* 在哪里 · *j* 是什么）。"
        "三项之和经过 softmax 就是注意力。相对距离被分进“桶”里：近处精确，远处按对数合并。本页把这三项分开画出来。",
    },
    "deb_quality": {
        "en": "{model} was distilled here from bert-minilm-l6 (outputs only, no attention loss): mean cosine "
        "of its mean-pooled sentence vectors to the teacher's **{cos:.4f}** (95% interval {low:.4f}-{high:.4f}) on "
        "{n:,} UD English EWT test sentences it never saw. Its model card says how it was trained.",
        "zh": "{model} 由本项目从 bert-minilm-l6 蒸馏而来（只学输出，无注意力损失）：在 {n:,} 个从未见过的 UD "
        "英语 EWT 测试句上，其平均池化句向量与教师的平均余弦相似度为 **{cos:.4f}**（95% 区间 {low:.4f}-{high:.4f}）。"
        "训练方法见其模型卡。",
    },
    "deb_default_model": {
        "en": "This page shows a DeBERTa. Your model on the other pages stays {model}.",
        "zh": "本页显示 DeBERTa 模型。其他页面上的模型仍为 {model}。",
    },
    "deb_not_deberta": {
        "en": "This page needs a DeBERTa model: {model} does not split its attention score into content and "
        "position terms. Pick a DeBERTa above (the bundled DeBERTa · MiniLM-L6 works offline).",
        "zh": "本页需要 DeBERTa 模型：{model} 的注意力分数没有拆分为内容项和位置项。请在上方选择一个 DeBERTa 模型"
        "（内置的 DeBERTa · MiniLM-L6 可离线使用）。",
    },
    "deb_terms_title": {
        "en": "Layer {layer}, head {head}: the three terms and the attention they make",
        "zh": "第 {layer} 层第 {head} 个头：三个分数项及其生成的注意力",
    },
    "deb_d_c2c": {"en": "content → content", "zh": "内容 → 内容"},
    "deb_d_c2p": {"en": "content → position", "zh": "内容 → 位置"},
    "deb_d_p2c": {"en": "position → content", "zh": "位置 → 内容"},
    "deb_t_attention": {"en": "attention", "zh": "注意力"},
    "deb_d_attention": {"en": "softmax(c2c + c2p + p2c)", "zh": "三项之和归一化"},
    "deb_unused": {"en": "not used by this model (zeros)", "zh": "此模型未使用（全为零）"},
    "deb_term_value": {"en": "score term", "zh": "分数项"},
    "deb_terms_note": {
        "en": "The three terms share one diverging scale, symmetric around 0 (±{zmax:.2f}): red raises the score of "
        "that query-key pair, blue lowers it. Each term is shown as it enters the softmax (already divided by the "
        "model's scale). The attention has its own scale, 0 to {amax:.2f}.",
        "zh": "三个分数项共用一个以 0 为中心对称的发散色标（±{zmax:.2f}）：红色提高该查询-键对的分数，蓝色降低分数。"
        "每一项都按它进入 softmax 时的数值显示（已除以模型的缩放因子）。注意力使用自己的色标，0 到 {amax:.2f}。",
    },
    "deb_shares_title": {
        "en": "Each term's share of the score, per layer × head",
        "zh": "每一项在分数中的占比（层 × 头）",
    },
    "deb_share_note": {
        "en": "Share = mean |term| over all query-key pairs of this sentence, divided by the sum of the three "
        "terms' means (a head's three shares sum to 1). The red box is the head shown above.",
        "zh": "占比 = 该项在本句所有查询-键对上的平均绝对值，除以三项平均绝对值之和（一个头的三个占比之和为 1）。"
        "红框为上方显示的注意力头。",
    },
    "deb_share": {"en": "share", "zh": "占比"},
    "deb_ablation_title": {
        "en": "What each term does: layer {layer}, head {head} recomputed without it",
        "zh": "每一项的作用：去掉它后重新计算第 {layer} 层第 {head} 个头",
    },
    "deb_ab_real": {"en": "real attention", "zh": "真实注意力"},
    "deb_ab_c2c_only": {"en": "only c2c · JS {js:.3f}", "zh": "只保留 c2c · JS {js:.3f}"},
    "deb_ab_no_c2p": {"en": "without c2p · JS {js:.3f}", "zh": "去掉 c2p · JS {js:.3f}"},
    "deb_ab_no_p2c": {"en": "without p2c · JS {js:.3f}", "zh": "去掉 p2c · JS {js:.3f}"},
    "deb_ablation_note": {
        "en": "Each is the softmax over keys of the kept terms only. JS: Jensen-Shannon divergence to the real "
        "attention, in nats, averaged over query tokens (0: unchanged; ln 2 ≈ 0.69: no overlap at all).",
        "zh": "每张图都是只对保留的项在键上做 softmax 的结果。JS：与真实注意力之间的 Jensen-Shannon 散度（单位 nat，"
        "对查询词元取平均；0 表示不变，ln 2 ≈ 0.69 表示完全不重叠）。",
    },
    "deb_js_title": {
        "en": "How far every head's attention moves without each term (JS to the real attention, per layer × head)",
        "zh": "去掉各项后每个头的注意力变化多少（与真实注意力的 JS 散度，层 × 头）",
    },
    "deb_js": {"en": "JS (nats)", "zh": "JS（奈特）"},
    "deb_js_c2c_only": {"en": "only c2c (both position terms out)", "zh": "只保留 c2c（去掉两个位置项）"},
    "deb_js_no_c2p": {"en": "without c2p", "zh": "去掉 c2p"},
    "deb_js_no_p2c": {"en": "without p2c", "zh": "去掉 p2c"},
    "deb_positional_title": {"en": "Which heads are positional?", "zh": "哪些头依赖位置？"},
    "deb_most_positional": {
        "en": "Most positional: **{heads}**. Taking both position terms out moves these heads' attention most; the "
        "term in brackets is the one whose removal alone moves it more.",
        "zh": "最依赖位置的头：**{heads}**。去掉两个位置项后，这些头的注意力变化最大；括号中是单独去掉时影响更大的那一项。",
    },
    "deb_no_position_terms": {
        "en": "This model adds no position term (c2c only): none of its heads can be positional this way.",
        "zh": "此模型不加任何位置项（只有 c2c）：它的头都不会以这种方式依赖位置。",
    },
    "deb_col_c2c_only": {"en": "JS only c2c", "zh": "JS 只保留 c2c"},
    "deb_col_no_c2p": {"en": "JS without c2p", "zh": "JS 去掉 c2p"},
    "deb_col_no_p2c": {"en": "JS without p2c", "zh": "JS 去掉 p2c"},
    "deb_col_main": {"en": "main position term", "zh": "主要位置项"},
    "deb_buckets_title": {
        "en": "How DeBERTa measures distance: relative positions in buckets",
        "zh": "DeBERTa 如何度量距离：相对位置分桶",
    },
    "deb_bucket_fig_title": {"en": "Relative distance → bucket ({model})", "zh": "相对距离 → 桶（{model}）"},
    "deb_x_distance": {"en": "relative distance i − j (tokens)", "zh": "相对距离 i − j（词元数）"},
    "deb_y_bucket": {"en": "bucket (row of the position table)", "zh": "桶（位置表中的行）"},
    "deb_bucket": {"en": "bucket", "zh": "桶"},
    "deb_row": {"en": "table row read (clipped)", "zh": "实际读取的表行（截断后）"},
    "deb_exact": {"en": "exact", "zh": "精确"},
    "deb_log": {"en": "logarithmic", "zh": "对数"},
    "deb_table_end": {"en": "ends of the position table (±{span})", "zh": "位置表的两端（±{span}）"},
    "deb_sentence": {"en": "this sentence: ±{reach}", "zh": "本句：±{reach}"},
    "deb_bucket_caption": {
        "en": "{model}: {buckets} buckets. Distances up to ±{mid} keep one bucket each (exact); from {mid} to "
        "{max_position} they share {log} logarithmic buckets per side. The relative-position table has rows "
        "−{span}..{last}; farther distances read the row at its end. The longest distance in this sentence is {reach}.",
        "zh": "{model}：{buckets} 个桶。±{mid} 以内的距离各占一个桶（精确）；从 {mid} 到 {max_position} 的距离按对数合并为"
        "每侧 {log} 个桶。相对位置表的行为 −{span}..{last}；更远的距离读取表末端的行。本句中最远的距离是 {reach}。",
    },
    "deb_bucket_caption_none": {
        "en": "{model}: no buckets. Each distance reads its own row of the relative-position table, rows −{span}..{last}; "
        "longer distances read the row at the end. The longest distance in this sentence is {reach}.",
        "zh": "{model}：不分桶。每个距离读取相对位置表中自己的一行（行 −{span}..{last}）；更远的距离读取表末端的行。"
        "本句中最远的距离是 {reach}。",
    },
    "deb_where_title": {"en": "How does DeBERTa know where a word is?", "zh": "DeBERTa 怎样知道一个词在哪里？"},
    "deb_where_text": {
        "en": "- **BERT** adds a learned *absolute* position vector (row *i* of a table) to each word's embedding, "
        "once, at the input; every layer has to carry that information up.\n"
        "- **ConvBERT** keeps BERT's table, and its convolution heads add fixed *neighbourhoods*: each token weighs "
        "the tokens at offsets −4..+4 around it, with a kernel made from the token and its span.\n"
        "- **DeBERTa** puts position into *every attention score*, in every layer: c2p and p2c read a shared table "
        "of *relative* position embeddings (the bucket of i − j), so what counts is how far apart two words are, "
        "not where the sentence starts.",
        "zh": "- **BERT** 在输入处给每个词的嵌入加上一个学习得到的*绝对*位置向量（表中的第 *i* 行），只加一次；之后每一层都要把这个信息传上去。\n"
        "- **ConvBERT** 保留 BERT 的位置表，它的卷积头再加上固定的*邻域*：每个词元按由它自身及其跨度生成的卷积核，"
        "对偏移 −4..+4 的邻居加权。\n"
        "- **DeBERTa** 把位置放进*每一层的每一个注意力分数*：c2p 和 p2c 读取一张共享的*相对*位置嵌入表（i − j 所在的桶），"
        "因此重要的是两个词相隔多远，而不是句子从哪里开始。",
    },
    "deb_abs_none": {
        "en": "{model} adds no absolute position at the input: everything it knows about order comes from c2p and p2c.",
        "zh": "{model} 在输入处不加绝对位置：它对词序的全部了解都来自 c2p 和 p2c。",
    },
    "deb_abs_too": {
        "en": "{model} also adds a learned absolute position at the input, as BERT does.",
        "zh": "{model} 也像 BERT 一样在输入处加上学习得到的绝对位置。",
    },
    "deb_link_positions": {
        "en": "BERT's learned position table: /positions",
        "zh": "BERT 学习得到的位置表：/positions",
    },
    "deb_link_convolution": {
        "en": "ConvBERT's convolution kernels: /convolution",
        "zh": "ConvBERT 的卷积核：/convolution",
    },
    "deb_computing": {
        "en": "Computing every head's term shares and its attention without each term…",
        "zh": "正在计算每个头的各项占比以及去掉各项后的注意力…",
    },
}
