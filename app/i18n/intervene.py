"""UI text of /intervene: switch heads off, mask or replace tokens, and see what changes."""

TEXT = {
    "iv_title": {"en": "Intervene: switch heads off, mask tokens", "zh": "干预实验：关闭注意力头、遮盖词元"},
    "iv_intro": {
        "en": "Change something inside the model and rerun it. Ablating a head multiplies its output by zero "
        "before the layer mixes its heads (for ConvBERT, convolution heads too); masking replaces a "
        "token. The maps show how every later head's attention changed.",
        "zh": "改变模型内部的某处并重新运行。消融一个头就是在该层混合各头输出之前把它的输出乘以零"
        "（ConvBERT 的卷积头同样适用）；遮盖就是替换一个词元。热力图展示之后每个头的注意力如何变化。",
    },
    "iv_heads": {"en": "Heads to ablate (switch off)", "zh": "要消融（关闭）的头"},
    "iv_heads_help": {
        "en": "One row per layer, one column per head: tick a cell to switch that one head off. "
        "H = attention head, C = ConvBERT convolution head.",
        "zh": "每行是一层，每列是一个头：勾选一个格子即关闭这一个头。H = 注意力头，C = ConvBERT 卷积头。",
    },
    "iv_col_attn": {"en": "Attention head {n}", "zh": "注意力头 {n}"},
    "iv_col_conv": {"en": "Convolution head {n}", "zh": "卷积头 {n}"},
    "iv_layer_all": {"en": "Switch off a whole layer", "zh": "关闭整层"},
    "iv_pick_layer": {"en": "choose a layer", "zh": "选择一层"},
    "iv_head_all": {"en": "Switch off one head in every layer", "zh": "在每一层关闭同一个头"},
    "iv_pick_head": {"en": "choose a head", "zh": "选择一个头"},
    "iv_clear": {"en": "Clear: switch every head back on", "zh": "清除：重新打开所有头"},
    "iv_no_head_off": {"en": "No head is switched off.", "zh": "没有关闭任何头。"},
    "iv_one_head_off": {"en": "1 head off", "zh": "关闭了 1 个头"},
    "iv_n_heads_off": {"en": "{n} heads off", "zh": "关闭了 {n} 个头"},
    "iv_whole_layer": {"en": "{layer}: all {n}", "zh": "{layer}：全部 {n} 个"},
    "iv_heads_missing": {
        "en": "Left out, as this model does not have them: {heads}.",
        "zh": "已略去这个模型没有的头：{heads}。",
    },
    "iv_tokens": {"en": "Tokens to mask (click)", "zh": "要遮盖的词元（点击）"},
    "iv_replace": {
        "en": "Replace them with this word instead of the mask token (one token; empty = mask)",
        "zh": "用这个词代替遮盖符（必须是单个词元；留空 = 遮盖符）",
    },
    "iv_nothing": {
        "en": "Choose heads to ablate or tokens to mask: the comparison appears here.",
        "zh": "选择要消融的头或要遮盖的词元，对比结果将显示在这里。",
    },
    "iv_error": {"en": "This intervention cannot run: {reason}", "zh": "无法执行此干预：{reason}"},
    "iv_cosine": {"en": "Sentence embedding, cosine to the original", "zh": "句向量与原始的余弦相似度"},
    "iv_cosine_help": {
        "en": "Mean-pooled last hidden state, with vs without the intervention.",
        "zh": "最后一层隐藏状态的平均池化，干预前后比较。",
    },
    "iv_changed_heads": {"en": "Heads whose attention changed (JS > 0.001)", "zh": "注意力发生变化的头（JS > 0.001）"},
    "iv_now_reads": {"en": "The model now reads: {tokens}", "zh": "模型现在读到的是：{tokens}"},
    "iv_js_title": {
        "en": "Attention change per head after the intervention (JS divergence)",
        "zh": "干预后每个头的注意力变化（JS 散度）",
    },
    "iv_js_caption": {
        "en": "An ablated head's own layer is unchanged (its attention is computed before its output is "
        "removed); the change starts in the next layer. Masking changes attention from layer 0.",
        "zh": "被消融的头所在的层不变（其注意力在输出被移除之前就已算出）；变化从下一层开始。"
        "遮盖词元则从第 0 层就改变注意力。",
    },
    "iv_fill_title": {
        "en": "Fill-mask: what the model predicts at the masked tokens",
        "zh": "填空：模型在遮盖位置的预测",
    },
    "iv_fill_bundled": {
        "en": "The bundled model's own checkpoint has no masked-language-model head, and the bundled "
        "masked-word model cannot guess with its vocabulary, so it cannot predict masked words. Fill-mask works "
        "with models that ship an MLM head, e.g. bert-base-uncased, distilbert-base-uncased, roberta-base (need "
        "internet once) or a local BertForMaskedLM folder.",
        "zh": "该随附模型自身没有掩码语言模型（MLM）头，随附的填空模型也无法使用它的词表进行猜测，因此无法预测被遮盖的词。"
        "填空功能适用于带 MLM 头的模型，例如 bert-base-uncased、distilbert-base-uncased、roberta-base"
        "（首次需联网）或本地的 BertForMaskedLM 文件夹。",
    },
    "iv_fill_guesser": {
        "en": "{model} has no masked-language-model head, so masked tokens are guessed by **{guesser}** "
        "({origin} retrained here with masked-word prediction; same vocabulary), on the same tokens.",
        "zh": "{model} 没有掩码语言模型头，因此被遮盖的词元由 **{guesser}** 猜测（即在本地用掩码词预测重新训练的 "
        "{origin}，词表相同），输入的词元相同。",
    },
    "iv_fill_guesser_ablated": {
        "en": "{guesser} was retrained from {model}, so its heads are {model}'s heads: the heads switched off "
        "here are switched off in it too.",
        "zh": "{guesser} 由 {model} 重新训练而来，它的头就是 {model} 的头：这里关闭的头在它里面也被关闭。",
    },
    "iv_fill_guesser_not_ablated": {
        "en": "The heads switched off are {model}'s; {guesser} guesses with all of its own heads on.",
        "zh": "被关闭的头属于 {model}；{guesser} 猜测时它自己的头全部开启。",
    },
    "iv_fill_student": {
        "en": "This in-house student has no masked-language-model head, so it cannot predict masked words.",
        "zh": "这个自制的学生模型没有掩码语言模型头，无法预测被遮盖的词。",
    },
    "iv_fill_no_head": {
        "en": "This checkpoint has no masked-language-model head (or it is not available offline), so "
        "it cannot predict masked words.",
        "zh": "该检查点没有掩码语言模型头（或无法离线获取），无法预测被遮盖的词。",
    },
    "iv_fill_no_mask": {
        "en": "Mask a token (and replace nothing) to see the model's top predictions there.",
        "zh": "遮盖一个词元（不替换）即可看到模型在该处的最可能预测。",
    },
    "iv_fill_position": {"en": "Token {i} (was '{was}')", "zh": "第 {i} 个词元（原为“{was}”）"},
    "iv_fill_token": {"en": "prediction", "zh": "预测"},
    "iv_fill_by": {"en": "Guesses of {guesser}", "zh": "{guesser} 的猜测"},
    "iv_fill_prob": {"en": "probability", "zh": "概率"},
    "iv_fill_plain": {"en": "probability without the ablation", "zh": "不消融时的概率"},
}
