"""UI text of /convolution: ConvBERT's span-based dynamic convolution heads."""

TEXT = {
    "conv_title": {"en": "ConvBERT's convolution heads", "zh": "ConvBERT 的卷积头"},
    "conv_switched": {
        "en": "This page shows ConvBERT; switched the model to {model}.",
        "zh": "本页面展示 ConvBERT，已将模型切换为 {model}。",
    },
    "conv_not_convbert": {
        "en": "{model} has no convolution heads. Pick a ConvBERT model.",
        "zh": "{model} 没有卷积头，请选择一个 ConvBERT 模型。",
    },
    "conv_explain": {
        "en": "**Mixed attention.** In every ConvBERT layer, the heads are split in two groups that run *in parallel* "
        "on the same input: ordinary **self-attention heads** (a softmax over all tokens) and **span-based dynamic "
        "convolution heads**. A convolution head makes, for each token, its own kernel of {k} weights over its "
        "neighbours (offsets -{h}..+{h}); the kernel is computed from the token *and its local span* (a depthwise "
        "convolution of the keys multiplied by the query), then softmaxed over the {k} offsets. The token's output "
        "is the kernel-weighted sum of its neighbours' values. Both groups' outputs are **concatenated** and mixed "
        "by the output projection.\n\n"
        'This is not "a convolution layer after attention": the convolution heads *replace* some attention heads '
        "inside the same layer, and their weights change with every input (dynamic), unlike a fixed convolution filter.",
        "zh": "**混合注意力。** ConvBERT 的每一层把注意力头分成两组，在同一输入上*并行*运行：普通的**自注意力头**（对所有词元做 softmax）"
        "和**基于跨度的动态卷积头**。卷积头为每个词元生成自己的 {k} 个权重（偏移 -{h}..+{h}）；该卷积核由词元*及其局部跨度*计算得到"
        "（键的逐通道卷积与查询相乘），再在 {k} 个偏移上做 softmax。词元的输出是邻居值向量的加权和。两组输出**拼接**后由输出投影混合。\n\n"
        "这不是“注意力之后再接一个卷积层”：卷积头在同一层内*替代*了部分注意力头，且其权重随每个输入而变化（动态），不同于固定的卷积滤波器。",
    },
    "conv_kernels_title": {
        "en": "Kernels of layer {layer}: each row is one token's weights over its neighbours",
        "zh": "第 {layer} 层的卷积核：每一行是一个词元对其邻居的权重",
    },
    "conv_offset": {"en": "offset", "zh": "偏移"},
    "conv_grid_title": {
        "en": "Layer {layer}: attention heads (top) and convolution heads as banded matrices (bottom), one colour scale",
        "zh": "第 {layer} 层：注意力头（上）与卷积头的带状矩阵（下），同一色标",
    },
    "conv_band_note": {
        "en": "A convolution head's row i holds token i's kernel at columns i-{h}..i+{h}; weights that fall past "
        "the sentence's ends multiply zero padding, so edge rows sum to less than 1.",
        "zh": "卷积头第 i 行把词元 i 的卷积核放在第 i-{h}..i+{h} 列；超出句子两端的权重乘以零填充，因此边缘行之和小于 1。",
    },
    "conv_default_model": {
        "en": "This page shows a ConvBERT. Your model on the other pages stays {model}.",
        "zh": "本页显示 ConvBERT。其他页面上的模型仍为 {model}。",
    },
    "conv_scale_note": {
        "en": "Colour scale fitted to this layer's kernels: 0 to {zmax:.2f} (a uniform kernel is 1/{k} = {u:.3f}).",
        "zh": "色标按本层卷积核拟合：0 到 {zmax:.2f}（均匀卷积核为 1/{k} = {u:.3f}）。",
    },
    "conv_peaked_layer": {
        "en": "Opened on layer {layer}, whose kernels are the most peaked for this sentence.",
        "zh": "已打开第 {layer} 层：对这个句子，它的卷积核最集中。",
    },
}
