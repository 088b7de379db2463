"""UI text shared by several pages: the frame, navigation, inputs, generic messages, and the words
more than one page shows (figure axes, the contribution methods' names and refusals)."""

TEXT = {
    # frame
    "app_title": {"en": "BERT Inside", "zh": "BERT 内部透视"},
    "language": {"en": "Language", "zh": "语言"},
    "projector": {"en": "Projector mode (large fonts)", "zh": "投影模式（大字体）"},
    # navigation: the page titles of app/nav.py
    "nav_home": {"en": "Home", "zh": "首页"},
    "nav_attention": {"en": "Attention", "zh": "注意力"},
    "nav_model_view": {"en": "Model view", "zh": "全模型视图"},
    "nav_convolution": {"en": "Convolution", "zh": "卷积"},
    "nav_compare": {"en": "Compare", "zh": "对比"},
    "nav_syntax": {"en": "Syntax", "zh": "句法"},
    "nav_positions": {"en": "Positions", "zh": "位置编码"},
    "nav_step": {"en": "Step by step", "zh": "逐步计算"},
    "nav_intervene": {"en": "Intervene", "zh": "干预实验"},
    "nav_compress": {"en": "Compress", "zh": "模型压缩"},
    "nav_contributions": {"en": "Contributions", "zh": "贡献度"},
    "nav_lessons": {"en": "Lessons", "zh": "课程"},
    # inputs
    "model": {"en": "Model", "zh": "模型"},
    "model_a": {"en": "Model A", "zh": "模型 A"},
    "model_b": {"en": "Model B", "zh": "模型 B"},
    "needs_internet": {"en": "needs internet", "zh": "需要联网"},
    "local_model": {"en": "local", "zh": "本地"},
    "other_model": {"en": "Other model…", "zh": "其他模型……"},
    "other_model_help": {
        "en": "A Hugging Face Hub id (needs the internet the first time) or a folder in the models folder; press Enter.",
        "zh": "Hugging Face Hub 模型 ID（首次需联网）或模型文件夹中的文件夹名；按回车确认。",
    },
    "model_in_use": {"en": "Model: {model}", "zh": "模型：{model}"},
    "sentence": {"en": "Sentence", "zh": "句子"},
    "sentence_b": {"en": "Second sentence (optional, for sentence pairs)", "zh": "第二个句子（可选，用于句子对）"},
    "sentence_help": {"en": "Press Enter (or click outside the box) to run.", "zh": "按回车（或点击输入框外）运行。"},
    "layer": {"en": "Layer", "zh": "层"},
    "head": {"en": "Head", "zh": "注意力头"},
    "all_heads": {"en": "Mean of the attention heads", "zh": "注意力头的平均"},
    "head_n": {"en": "Head {n}", "zh": "第 {n} 个头"},
    "conv_head_n": {"en": "Conv head {n}", "zh": "卷积头 {n}"},
    "copy_link": {"en": "Link to this view", "zh": "此视图的链接"},
    # messages
    "empty_sentence": {
        "en": "Type a sentence above to see what the model does with it.",
        "zh": "请在上方输入一个句子，查看模型如何处理它。",
    },
    "loading_model": {
        "en": "Loading {model} (the first time after the server starts takes a few seconds)…",
        "zh": "正在加载 {model}（服务器启动后第一次需要几秒钟）…",
    },
    "running": {"en": "Running {model}...", "zh": "正在运行 {model}……"},
    "waiting": {
        "en": "The server is busy with other users; your request is waiting its turn.",
        "zh": "服务器正忙于处理其他用户的请求，请稍候。",
    },
    # figure words of several pages
    "from_token": {"en": "query token (from)", "zh": "查询词元（来源）"},
    "to_token": {"en": "key token (to)", "zh": "键词元（目标）"},
    "weight": {"en": "weight", "zh": "权重"},
    "token": {"en": "token", "zh": "词元"},
    "pos_dim": {"en": "dimension", "zh": "维度"},
    # the contribution methods, named and refused alike on /contributions and /compare
    "contrib_m_attention": {"en": "Raw attention (head mean)", "zh": "原始注意力（各头平均）"},
    "contrib_m_norm": {"en": "Norm-based attention ‖αf(x)‖", "zh": "基于范数的注意力 ‖αf(x)‖"},
    "contrib_m_rollout": {"en": "Attention rollout", "zh": "注意力 rollout"},
    "contrib_m_flow": {"en": "Attention flow (max-flow)", "zh": "注意力流（最大流）"},
    "contrib_m_alti": {"en": "ALTI (residual and LayerNorm included)", "zh": "ALTI（含残差与层归一化）"},
    "contrib_share": {"en": "share", "zh": "占比"},
    "contrib_computing": {"en": "Computing {method}...", "zh": "正在计算 {method}……"},
    "cmpm_na_int8": {
        "en": "Its weights are stored as packed int8, and this method needs the float weights of the "
        "value and output projections. Compare the original model (without @int8) instead.",
        "zh": "它的权重以压缩的 int8 形式存储，而此方法需要值投影和输出投影的浮点权重。请改为对比原始模型（不带 @int8）。",
    },
    "cmpm_na_prune": {
        "en": "Its pruned heads were cut out of the value and output projections, so the heads no longer "
        "line up with the projections' slices. Compare the unpruned model instead.",
        "zh": "它被剪枝的头已从值投影和输出投影中删去，各头不再与投影的切片对应。请改为对比未剪枝的模型。",
    },
    "cmpm_na_other": {"en": "Reason: {detail}", "zh": "原因：{detail}"},
    # errors the library raises (MethodUnavailable.code), translated on /contributions and /compare
    "contrib_err_flow_cap": {
        "en": "Attention flow is capped at {cap} tokens; this input has {n}.",
        "zh": "注意力流的上限为 {cap} 个词元；本输入有 {n} 个。",
    },
    "contrib_err_no_mlm": {
        "en": "{model} has no masked-language-model head, so it cannot predict a masked word. Pick another output.",
        "zh": "{model} 没有掩码语言模型头，无法预测被掩码的词。请选择其他输出。",
    },
    "contrib_err_no_mask": {
        "en": "Put {mask} in the sentence to choose the word to predict.",
        "zh": "请在句子中放入 {mask}，以选择要预测的词。",
    },
    "contrib_err_no_other": {"en": "Type a second sentence to compare with.", "zh": "请输入用于比较的第二个句子。"},
    "contrib_err_albert_groups": {
        "en": "ALBERT with more than one layer per group is not supported.",
        "zh": "不支持每组多于一层的 ALBERT。",
    },
    "contrib_err_layout": {
        "en": "{model}: its attention block is laid out differently; this method does not apply.",
        "zh": "{model}：其注意力模块的结构不同，此方法不适用。",
    },
    # the head-map axes of /compress and /intervene
    "cz_layer": {"en": "layer", "zh": "层"},
    "cz_head": {"en": "head", "zh": "头"},
    "cz_js_colorbar": {"en": "JS (nats)", "zh": "JS（奈特）"},
}
