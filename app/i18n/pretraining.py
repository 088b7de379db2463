"""UI text of BERT's pretraining tasks shown on the pages: next-sentence prediction (app/pretraining_view.py)."""

TEXT = {
    "pre_nsp_metric": {"en": "Is B the next sentence?", "zh": "B 是下一句吗？"},
    "pre_nsp_metric_help": {
        "en": "BERT's second pretraining task: given sentences A and B, the probability that B is the sentence "
        "that followed A in the text (and not a random sentence from elsewhere). 50% is a coin toss.",
        "zh": "BERT 的第二个预训练任务：给定句子 A 和 B，B 是原文中紧接在 A 之后的那一句（而不是从别处随机取来的句子）"
        "的概率。50% 等于抛硬币。",
    },
    "pre_nsp_own_head": {
        "en": "Probability from {model}'s own next-sentence head (pooler + classifier from its checkpoint).",
        "zh": "概率来自 {model} 自带的下一句预测头（检查点中的池化层 + 分类器）。",
    },
    "pre_nsp_trained_head": {
        "en": "Probability from a next-sentence head trained here on {model}'s frozen encoder (its checkpoint has "
        "none): right on {accuracy:.0%} of {n:,} held-out sentence pairs from UD English EWT test documents "
        "(95% interval {low:.0%}-{high:.0%}; chance 50%).",
        "zh": "概率来自本项目在 {model} 冻结的编码器上训练的下一句预测头（其检查点中没有）：在 {n:,} 对取自 UD 英语 EWT "
        "测试文档、训练时从未见过的句子对上，正确率 {accuracy:.0%}（95% 区间 {low:.0%}-{high:.0%}；随机猜测为 50%）。",
    },
    "pre_nsp_trained_head_unscored": {
        "en": "Probability from a next-sentence head trained here on {model}'s frozen encoder (its checkpoint has "
        "none); its held-out accuracy has not been measured yet (bench/nsp_quality.py).",
        "zh": "概率来自本项目在 {model} 冻结的编码器上训练的下一句预测头（其检查点中没有）；其留出集正确率尚未测量"
        "（bench/nsp_quality.py）。",
    },
    "pre_nsp_variant": {
        "en": "The head was trained on the original model; this compressed variant feeds it its own encoder's output.",
        "zh": "该预测头是在原始模型上训练的；这个压缩变体把它自己编码器的输出送入该预测头。",
    },
    "pre_nsp_cut": {
        "en": "The pair was longer than the model takes: {n} tokens were cut (from the longer sentence first).",
        "zh": "这对句子超出了模型的长度上限：截去了 {n} 个词元（先截较长的句子）。",
    },
    "pre_nsp_no_head": {
        "en": "Next-sentence prediction: {model} has no next-sentence head, so it cannot say whether B follows A "
        "(models pretrained with it, such as BERT, have one; bert-minilm-l6 has one trained here).",
        "zh": "下一句预测：{model} 没有下一句预测头，无法判断 B 是否接在 A 之后（用该任务预训练的模型，如 BERT，"
        "带有这个头；bert-minilm-l6 的预测头由本项目训练）。",
    },
    "pre_nsp_need_b": {
        "en": "Next-sentence prediction needs two sentences: type sentence B to see whether it follows A.",
        "zh": "下一句预测需要两个句子：输入句子 B，看它是否接在 A 之后。",
    },
    "pre_nsp_need_a": {
        "en": "Next-sentence prediction needs two sentences: sentence A is empty.",
        "zh": "下一句预测需要两个句子：句子 A 为空。",
    },
}
