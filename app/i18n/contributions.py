"""UI text of /contributions: beyond attention weights. The methods' names and the library's
refusals, shown on /compare too, are in common."""

TEXT = {
    "contrib_title": {"en": "What does each token really draw on?", "zh": "每个词元真正依赖哪些词元？"},
    "contrib_intro": {
        "en": "Attention weights say where a head looks, not how much information it moves. Each method "
        "below follows the information more closely; the raw attention stays on the left, on the "
        "same colour scale.",
        "zh": "注意力权重只说明一个头“看向”哪里，而不说明它实际搬运了多少信息。下面的每种方法都更贴近信息的实际流动；"
        "左侧始终是原始注意力，两图使用同一色标。",
    },
    "contrib_method": {"en": "Method", "zh": "方法"},
    "contrib_accumulate": {"en": "Accumulated up to this layer", "zh": "累积到本层"},
    "contrib_accumulate_help": {
        "en": "Rollout and flow are always accumulated. Norm: multiplied through the layers "
        "with the residual modelled as 0.5 A + 0.5 I; ALTI: its matrices multiplied "
        "(they already hold the residual).",
        "zh": "rollout 和注意力流总是累积的。范数法：按 0.5 A + 0.5 I 建模残差后逐层相乘；"
        "ALTI：直接逐层相乘（其矩阵已包含残差）。",
    },
    "contrib_left": {"en": "Raw attention · layer {layer}", "zh": "原始注意力 · 第 {layer} 层"},
    "contrib_right_layer": {"en": "{method} · layer {layer}", "zh": "{method} · 第 {layer} 层"},
    "contrib_right_acc": {"en": "{method} · input → layer {layer}", "zh": "{method} · 输入 → 第 {layer} 层"},
    "contrib_scale_note": {
        "en": "Both heatmaps share one colour scale (0 to the larger maximum). Each row sums to 1: "
        "row i shows what token i's output at this layer is made of.",
        "zh": "两张热力图共用同一色标（0 到两者中较大的最大值）。每行之和为 1：第 i 行表示第 i 个词元在本层的输出由哪些词元构成。",
    },
    "contrib_conv_note": {
        "en": "ConvBERT: the {h} attention heads and the {c} convolution heads are all included "
        "(convolution heads as banded matrices of their kernels, value path conv_out_layer).",
        "zh": "ConvBERT：{h} 个注意力头和 {c} 个卷积头都计算在内（卷积头以其卷积核构成的带状矩阵表示，"
        "值路径为 conv_out_layer）。",
    },
    "contrib_flow_cap": {
        "en": "Attention flow solves one max-flow problem per token pair (networkx), which gets slow: "
        "it is capped at {cap} tokens and this input has {n}. Showing attention rollout instead.",
        "zh": "注意力流需要为每一对词元求解一次最大流（networkx），速度很慢：上限为 {cap} 个词元，"
        "而本输入有 {n} 个。改为显示注意力 rollout。",
    },
    "contrib_flow_note": {
        "en": "Flow is computed for the selected layer only (capped at {cap} tokens).",
        "zh": "注意力流只为所选层计算（上限 {cap} 个词元）。",
    },
    "contrib_failed": {"en": "This method cannot run here: {reason}", "zh": "此方法无法在这里运行：{reason}"},
    "contrib_bars_title": {"en": "What the output draws on", "zh": "输出依赖哪些词元"},
    "contrib_output": {"en": "Output", "zh": "输出"},
    "contrib_output_mean": {"en": "The sentence embedding (mean over all tokens)", "zh": "句向量（所有词元的平均）"},
    "contrib_output_token": {"en": "Token {i}: {token}", "zh": "词元 {i}：{token}"},
    "contrib_bars_fig": {"en": "{output} · layer {layer}", "zh": "{output} · 第 {layer} 层"},
    "contrib_token": {"en": "input token", "zh": "输入词元"},
    "contrib_bars_note": {
        "en": "For the sentence embedding, the rows are averaged, as the bundled models average their output vectors.",
        "zh": "对于句向量，各行取平均，正如内置模型对输出向量取平均。",
    },
    # attribution
    "contrib_attr_title": {"en": "Input attribution (Captum)", "zh": "输入归因（Captum）"},
    "contrib_attr_method": {"en": "Attribution method", "zh": "归因方法"},
    "contrib_a_integrated_gradients": {"en": "Integrated Gradients", "zh": "积分梯度"},
    "contrib_a_gradient_x_input": {"en": "Gradient × input", "zh": "梯度 × 输入"},
    "contrib_target": {"en": "Output explained", "zh": "被解释的输出"},
    "contrib_t_norm": {"en": "Norm of the sentence embedding", "zh": "句向量的范数"},
    "contrib_t_similarity": {"en": "Similarity to another sentence", "zh": "与另一个句子的相似度"},
    "contrib_t_mask": {"en": "The word predicted at the mask", "zh": "掩码处预测的词"},
    "contrib_other": {"en": "Compare with this sentence", "zh": "与此句比较"},
    "contrib_other_default": {"en": "A tired dog stayed at home.", "zh": "A tired dog stayed at home."},
    "contrib_attr_fig": {"en": "{method} · {target}", "zh": "{method} · {target}"},
    "contrib_attribution": {"en": "attribution", "zh": "归因"},
    "contrib_attr_ig_note": {
        "en": "f(input) = {fx:.4f}, f(baseline) = {fb:.4f}; the attributions sum to {total:.4f} "
        "(completeness gap {gap:.2%}, {steps} steps). Baseline: every word token replaced "
        "by {baseline}, special tokens kept.",
        "zh": "f(输入) = {fx:.4f}，f(基线) = {fb:.4f}；归因之和为 {total:.4f}（完备性误差 {gap:.2%}，"
        "{steps} 步）。基线：每个普通词元替换为 {baseline}，特殊词元保留。",
    },
    "contrib_attr_gxi_note": {
        "en": "f(input) = {fx:.4f}. Gradient × input is a first-order, local estimate: its "
        "scores need not sum to anything.",
        "zh": "f(输入) = {fx:.4f}。梯度 × 输入是一阶的局部估计：其得分之和没有特定含义。",
    },
    "contrib_attr_guesser": {
        "en": "{model} has no masked-language-model head: this attribution is of **{guesser}** ({origin} "
        "retrained here with masked-word prediction; same vocabulary), the model that guesses the word, computed "
        "on its own weights.",
        "zh": "{model} 没有掩码语言模型头：这里的归因属于 **{guesser}**（在本地用掩码词预测重新训练的 {origin}，"
        "词表相同），即猜这个词的模型，按它自己的权重计算。",
    },
    "contrib_attr_predicted": {
        "en": "The model predicts “{word}” at the mask; the bars explain that word's logit.",
        "zh": "模型在掩码处预测“{word}”；条形图解释该词的 logit。",
    },
    "contrib_attr_run": {
        "en": "Compute the attribution ({n} tokens: may take a while)",
        "zh": "计算归因（{n} 个词元：可能需要一些时间）",
    },
    "contrib_attr_quantized": {
        "en": "Not reliable on this model: {n} of its layers run int8 kernels, through which gradients do not flow "
        "as through float ones, so these attributions (gradients) can be wrong. Use the original model for "
        "attributions; the attention-based methods above are fine here.",
        "zh": "此模型上的结果不可靠：它有 {n} 层使用 int8 算子，梯度无法像在浮点层中那样正确传递，因此这些归因（基于梯度）"
        "可能是错的。请在原始模型上计算归因；上面基于注意力的方法在此仍然可用。",
    },
    "contrib_attr_long": {
        "en": "Above {n} tokens, Integrated Gradients runs on request, with {steps} steps.",
        "zh": "超过 {n} 个词元时，积分梯度按需运行，使用 {steps} 步。",
    },
    # explanations
    "contrib_explain_title": {"en": "How each method works, and its caveats", "zh": "各方法的原理与局限"},
    "contrib_x_attention": {
        "en": "**Raw attention** α: each head's softmax weights, averaged over heads. They tell where a head looks, "
        "not how much it moves: the vector fetched from a token can be tiny. ConvBERT's convolution heads are "
        "included as banded matrices (rows renormalised at the sentence ends).",
        "zh": "**原始注意力** α：每个头的 softmax 权重，对各头取平均。它说明一个头看向哪里，而不是搬运了多少："
        "从某个词元取来的向量可能非常小。ConvBERT 的卷积头以带状矩阵计入（句首句尾的行重新归一化）。",
    },
    "contrib_x_norm": {
        "en": "**Norm-based attention** (Kobayashi et al. 2020, *Attention is Not Only a Weight: Analyzing "
        "Transformers with Vector Norms*, EMNLP): ‖Σ_h α_ij f_h(x_j)‖ with f_h(x) = (x W_V^h + b_V^h) W_O^h, "
        "the vector that head h actually adds. High weights on [CLS], [SEP] and punctuation often move small "
        "vectors. Caveat: leaves out the residual connection, LayerNorm and the feed-forward network.",
        "zh": "**基于范数的注意力**（Kobayashi 等，2020，*Attention is Not Only a Weight: Analyzing Transformers "
        "with Vector Norms*，EMNLP）：‖Σ_h α_ij f_h(x_j)‖，其中 f_h(x) = (x W_V^h + b_V^h) W_O^h 是头 h "
        "实际加上的向量。落在 [CLS]、[SEP] 和标点上的高权重往往只搬运很小的向量。局限：不含残差连接、层归一化和前馈网络。",
    },
    "contrib_x_rollout": {
        "en": "**Attention rollout** (Abnar & Zuidema 2020, *Quantifying Attention Flow in Transformers*, ACL): "
        "each layer's head-mean attention is mixed with the identity, 0.5 A + 0.5 I, to model the residual "
        "connection, and the layers are multiplied from the input up. Caveats: the 0.5 is an assumption, "
        "the raw weights ignore vector sizes, and deep layers blur towards uniform.",
        "zh": "**注意力 rollout**（Abnar 与 Zuidema，2020，*Quantifying Attention Flow in Transformers*，ACL）："
        "每层各头平均的注意力与单位矩阵混合（0.5 A + 0.5 I）以模拟残差连接，再从输入逐层相乘。局限：0.5 "
        "是假设；原始权重忽略了向量大小；深层结果趋于均匀。",
    },
    "contrib_x_flow": {
        "en": "**Attention flow** (same paper): the layers form a graph whose edges have the capacities 0.5 A + 0.5 I; "
        "token j's share in output i is the maximum flow from i's node at this layer's output to j's node at "
        "the input (networkx), rows normalised to 1 here. Caveats: one max-flow problem per token pair, so it "
        "is capped at {cap} tokens; same residual assumption as rollout.",
        "zh": "**注意力流**（同一论文）：各层构成一张图，边的容量为 0.5 A + 0.5 I；词元 j 在输出 i 中的份额是从本层输出处 i 的节点"
        "到输入处 j 的节点的最大流（networkx），这里每行归一化为 1。局限：每对词元都要解一次最大流，因此上限为 {cap} 个词元；"
        "残差假设与 rollout 相同。",
    },
    "contrib_x_alti": {
        "en": "**ALTI** (Ferrando, Gállego & Costa-jussà 2022, *Measuring the Mixing of Contextual Information in the "
        "Transformer*, EMNLP): the attention block's output, heads plus residual plus LayerNorm, is split "
        "exactly into one vector T_i(x_j) per input token (the LayerNorm's scale is fixed per token); token "
        "j's contribution is max(0, ‖y_i‖₁ − ‖y_i − T_i(x_j)‖₁), rows normalised. Accumulated: the layers' "
        "matrices multiplied, as in the paper. Caveat: the feed-forward network is left out.",
        "zh": "**ALTI**（Ferrando、Gállego 与 Costa-jussà，2022，*Measuring the Mixing of Contextual Information in "
        "the Transformer*，EMNLP）：注意力模块的输出（各头 + 残差 + 层归一化）被精确拆分为每个输入词元一个向量 "
        "T_i(x_j)（层归一化的缩放按词元固定）；词元 j 的贡献为 max(0, ‖y_i‖₁ − ‖y_i − T_i(x_j)‖₁)，每行归一化。"
        "累积：按论文将各层矩阵相乘。局限：不含前馈网络。",
    },
    "contrib_x_attr": {
        "en": "**Input attribution** with Captum (Kokhlikyan et al. 2020). *Integrated Gradients* (Sundararajan, "
        "Taly & Yan 2017, *Axiomatic Attribution for Deep Networks*, ICML) integrates the gradient along the "
        "straight path from a baseline to the input embeddings; the scores sum to f(input) − f(baseline). "
        "*Gradient × input* (Shrikumar et al. 2016) multiplies the gradient by the input: a local, first-order "
        "estimate. A token's score is summed over embedding dimensions; it can be negative. The output "
        "explained: the norm of the mean-pooled last-layer vectors (the bundled models' sentence embedding), "
        "its cosine similarity to a second sentence's embedding, or, for models that ship a masked-LM head "
        "(not the bundled ones), the logit of the word predicted at the mask.",
        "zh": "**输入归因**，使用 Captum（Kokhlikyan 等，2020）。*积分梯度*（Sundararajan、Taly 与 Yan，2017，"
        "*Axiomatic Attribution for Deep Networks*，ICML）沿从基线到输入词向量的直线路径积分梯度；各得分之和等于 "
        "f(输入) − f(基线)。*梯度 × 输入*（Shrikumar 等，2016）将梯度与输入相乘：一种局部的一阶估计。每个词元的得分"
        "是对词向量各维求和，可以为负。被解释的输出：最后一层向量平均池化后的范数（内置模型的句向量）、它与第二个句子句向量的"
        "余弦相似度，或者对带掩码语言模型头的模型（内置模型没有），掩码处预测词的 logit。",
    },
    # methods that do not apply to compressed variants
    "contrib_na_model": {
        "en": "{method} does not apply to {model}. {reason} Raw attention, rollout and attention flow work on it.",
        "zh": "{method}不适用于 {model}。{reason} 原始注意力、rollout 和注意力流仍可用于该模型。",
    },
}
