"""UI text of /positions: learned position embeddings against the sinusoids."""

TEXT = {
    "pos_title": {"en": "Position encodings", "zh": "位置编码"},
    "pos_note": {
        "en": "**BERT learns its position embeddings**: a table of one vector per position (512 here), trained with "
        "the rest of the model and *added* to each token's embedding. It does **not** use the sine/cosine "
        "encoding of the original Transformer, a common misconception; that one is shown on the right for "
        "comparison. Other families differ: RoBERTa's table starts at row padding_idx + 1; DeBERTa uses "
        "*relative* positions inside attention and adds no absolute embedding.",
        "zh": "**BERT 的位置嵌入是学习得到的**：每个位置一个向量（这里共 512 个），与模型其余部分一起训练，并*加到*每个词元的嵌入上。"
        "它**并不**使用原始 Transformer 的正弦/余弦编码（这是常见误解）；右侧展示该编码以作对比。其他模型不同："
        "RoBERTa 的位置表从 padding_idx + 1 行开始；DeBERTa 在注意力内部使用*相对*位置，不加绝对位置嵌入。",
    },
    "pos_scheme": {"en": "Position scheme of {model}: {scheme}.", "zh": "{model} 的位置编码方式：{scheme}。"},
    "pos_none": {
        "en": "{model} adds no absolute position embeddings ({scheme}), so there is no learned table to show.",
        "zh": "{model} 不添加绝对位置嵌入（{scheme}），因此没有可展示的位置表。",
    },
    "pos_see_deberta": {
        "en": "Where its positions are instead: the c2p and p2c terms of every attention score, on /deberta",
        "zh": "它的位置信息在哪里：每个注意力分数中的 c2p 和 p2c 项，见 /deberta",
    },
    "pos_none_sentence": {
        "en": "{model} adds nothing for position to this sentence's tokens.",
        "zh": "{model} 没有为这句话的词元加入任何位置信息。",
    },
    "pos_n": {"en": "Positions shown", "zh": "显示的位置数"},
    "pos_d": {"en": "Sinusoid dimension d", "zh": "正弦编码维度 d"},
    "pos_dims": {"en": "Dimensions to plot", "zh": "要绘制的维度"},
    "pos_learned": {"en": "Learned ({model})", "zh": "学习得到的（{model}）"},
    "pos_sin": {"en": "Sinusoidal (Vaswani et al. 2017)", "zh": "正弦编码（Vaswani 等，2017）"},
    "pos_cos_title": {"en": "Cosine similarity between positions", "zh": "位置之间的余弦相似度"},
    "pos_pca_title": {
        "en": "Path through positions (PCA, {var:.0%} of variance)",
        "zh": "位置路径（PCA，解释 {var:.0%} 方差）",
    },
    "pos_dims_title": {"en": "Selected dimensions over position", "zh": "所选维度随位置的变化"},
    "pos_position": {"en": "position", "zh": "位置"},
    "pos_value": {"en": "value", "zh": "数值"},
    "pos_3d": {"en": "3-D path", "zh": "三维路径"},
    "pos_sentence_title": {"en": "Added for this sentence", "zh": "此句子实际加入的嵌入"},
    "pos_added": {
        "en": "Position embeddings added to each token (first {k} of {d} dimensions)",
        "zh": "加到每个词元上的位置嵌入（{d} 维中的前 {k} 维）",
    },
    "pos_token_type": {
        "en": "Token-type (segment) embeddings added: sentence A rows share one vector, sentence B rows another",
        "zh": "加入的词元类型（片段）嵌入：句子 A 的各行共用一个向量，句子 B 共用另一个",
    },
    "formula_sin": {"en": "The sinusoidal encoding:", "zh": "正弦位置编码："},
    # figure words and notes
    "pos_outlier": {
        "en": "Position {p} lies far from all the others (it only ever held [CLS] in training). The path is "
        "fitted and drawn without it, so the rest is not squeezed into a dot; the red star marks the "
        "direction where it lies.",
        "zh": "位置 {p} 远离其他所有位置（训练时它只出现过 [CLS]）。路径在拟合和绘制时不包括它，以免其余位置被挤成一个点；"
        "红色星号标出它所在的方向。",
    },
    "pos_cos": {"en": "cos", "zh": "余弦"},
    "pos_pc": {"en": "PC", "zh": "主成分"},
    "pos_scheme_learned": {"en": "learned absolute", "zh": "学习得到的绝对位置"},
    "pos_scheme_roberta": {
        "en": "learned absolute (offset by padding_idx + 1)",
        "zh": "学习得到的绝对位置（偏移 padding_idx + 1）",
    },
    "pos_scheme_relative": {
        "en": "relative (disentangled attention; no absolute embedding added)",
        "zh": "相对位置（解耦注意力；不加绝对位置嵌入）",
    },
}
