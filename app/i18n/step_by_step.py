"""UI text of /step-by-step: one head's attention row, or a conv head's kernel, computed from X."""

TEXT = {
    "step_title": {"en": "Attention, step by step", "zh": "逐步计算注意力"},
    "step_intro": {
        "en": "Follow one head of one layer for one query token, from the layer's input X to the attention row "
        "and the head's output, using the model's own weights. The recomputed row is checked against the captured one.",
        "zh": "跟随某一层的一个头、针对一个查询词元，使用模型自身权重，从该层输入 X 一直计算到注意力行和该头的输出。重新计算的行会与捕获的结果对比。",
    },
    "step_query": {"en": "Query token", "zh": "查询词元"},
    "step_head": {"en": "Head", "zh": "头"},
    "step1": {"en": "1. The layer's input X", "zh": "1. 该层的输入 X"},
    "step1_text": {
        "en": "Each row is one token's vector (the previous layer's output, or the embeddings for layer 0). Shape {shape}.",
        "zh": "每一行是一个词元的向量（上一层的输出；第 0 层则为嵌入）。形状 {shape}。",
    },
    "step2": {"en": "2. Queries, keys and values for this head", "zh": "2. 该头的查询、键和值"},
    "step2_text": {
        "en": "Three learned projections of X, cut to this head's {d} dimensions. Each has shape {shape}.",
        "zh": "X 的三个学习得到的投影，截取该头的 {d} 个维度。每个形状为 {shape}。",
    },
    "step3": {"en": "3. Scores of the query against every key", "zh": "3. 查询与每个键的得分"},
    "step3_text": {
        "en": "The dot product of the query token's q with every key, divided by sqrt(d_k) = {s:.2f}. Shape {shape}.",
        "zh": "查询词元的 q 与每个键的点积，除以 sqrt(d_k) = {s:.2f}。形状 {shape}。",
    },
    "step4": {"en": "4. Softmax: the attention row", "zh": "4. Softmax：注意力行"},
    "step4_text": {
        "en": "Exponentiate and normalise so the weights sum to 1. Crosses: the row captured from the model. "
        "Largest difference: {diff:.2e}.",
        "zh": "取指数并归一化，使权重之和为 1。叉号：从模型捕获的行。最大差异：{diff:.2e}。",
    },
    "step5": {
        "en": "5. Weighted sum of the values: the head's output for this token",
        "zh": "5. 值的加权和：该头对此词元的输出",
    },
    "step5_text": {
        "en": "Shape {shape}. The layer concatenates all heads' outputs and projects them back to the hidden size.",
        "zh": "形状 {shape}。该层拼接所有头的输出，再投影回隐藏维度。",
    },
    "step_unsupported": {
        "en": "Step-by-step is not available for this model: {reason}",
        "zh": "此模型不支持逐步计算：{reason}",
    },
    "step_query_row": {"en": "query row", "zh": "查询行"},
    # ConvBERT's convolution heads, step by step
    "conv1": {"en": "2. Key convolution over the span", "zh": "2. 在跨度上对键做卷积"},
    "conv1_text": {
        "en": "A depthwise convolution over each token's {k} neighbours, then a pointwise projection: every token gets a "
        "span-aware key. This head's part has shape {shape}.",
        "zh": "先对每个词元的 {k} 个邻居做逐通道卷积，再做逐点投影：每个词元得到感知跨度的键。该头部分的形状为 {shape}。",
    },
    "conv2": {"en": "3. Kernel logits: one score per offset", "zh": "3. 卷积核 logits：每个偏移一个得分"},
    "conv2_text": {
        "en": "The span-aware key times the query, through a linear layer, gives {k} numbers for this token and head.",
        "zh": "感知跨度的键与查询逐元素相乘，经线性层得到该词元、该头的 {k} 个数。",
    },
    "conv3": {
        "en": "4. Softmax over the {k} offsets: the dynamic kernel",
        "zh": "4. 在 {k} 个偏移上做 softmax：动态卷积核",
    },
    "conv3_text": {
        "en": "Crosses: the kernel captured from the model. Largest difference: {diff:.2e}.",
        "zh": "叉号：从模型捕获的卷积核。最大差异：{diff:.2e}。",
    },
    "conv4": {"en": "5. Weighted sum over the span", "zh": "5. 在跨度上加权求和"},
    "conv4_text": {
        "en": "The kernel weights the values of tokens {a}..{b} (zero outside the sentence). Output shape {shape}; "
        "largest difference from the module's own output: {diff:.2e}.",
        "zh": "卷积核对第 {a}..{b} 个词元的值加权（句子之外为零）。输出形状 {shape}；与模块自身输出的最大差异：{diff:.2e}。",
    },
    # figure words
    "fig_offset": {"en": "offset", "zh": "偏移"},
    "fig_position": {"en": "position", "zh": "位置"},
    "fig_dim": {"en": "dim", "zh": "维度"},
    "fig_recomputed": {"en": "recomputed", "zh": "重新计算"},
    "fig_captured": {"en": "captured", "zh": "捕获值"},
    "fig_scores": {"en": "scores", "zh": "得分"},
    "fig_score": {"en": "score", "zh": "得分"},
    "fig_logits": {"en": "logits", "zh": "logits 值"},
    "fig_logit": {"en": "logit", "zh": "logit 值"},
    "fig_kernel": {"en": "kernel", "zh": "卷积核"},
    "fig_key_conv": {"en": "key convolution", "zh": "键卷积"},
    "fig_output": {"en": "output o", "zh": "输出 o"},
}
