"""Text for the classroom round (issue #11): model names, captions, figure words."""

TEXT = {
    "lesson_now": {"en": "Lesson", "zh": "课程"},
    "lesson_hide": {"en": "Hide the lesson", "zh": "隐藏课程说明"},
    "loading_model": {"en": "Loading {model} (the first time after the server starts takes a few seconds)…",
                      "zh": "正在加载 {model}（服务器启动后第一次需要几秒钟）…"},
    # model names as the pickers and figure titles show them
    "mlabel_bert-minilm-l6": {"en": "BERT · MiniLM-L6 (bundled)", "zh": "BERT · MiniLM-L6（内置）"},
    "mlabel_convbert-minilm-l6": {"en": "ConvBERT · MiniLM-L6 (bundled, distilled here)",
                                  "zh": "ConvBERT · MiniLM-L6（内置，本项目蒸馏）"},
    "mlabel_convbert-minilm-l6-free": {"en": "ConvBERT · MiniLM-L6, free attention (bundled, distilled here)",
                                       "zh": "ConvBERT · MiniLM-L6，自学注意力（内置，本项目蒸馏）"},
    "mlabel_distilbert-minilm-l3": {"en": "BERT · 3 layers, distilled (bundled)",
                                    "zh": "BERT · 3 层蒸馏版（内置）"},
    "mlabel_bert-base-uncased": {"en": "BERT base uncased", "zh": "BERT base（不区分大小写）"},
    "mlabel_bert-base-multilingual-cased": {"en": "mBERT base cased (multilingual)", "zh": "多语言 BERT base（区分大小写）"},
    "mlabel_bert-base-chinese": {"en": "BERT base Chinese", "zh": "BERT base 中文"},
    "mlabel_distilbert-base-uncased": {"en": "DistilBERT base uncased", "zh": "DistilBERT base（不区分大小写）"},
    "mlabel_albert-base-v2": {"en": "ALBERT base v2", "zh": "ALBERT base v2"},
    "mlabel_roberta-base": {"en": "RoBERTa base", "zh": "RoBERTa base"},
    "mlabel_electra-small-discriminator": {"en": "ELECTRA small discriminator", "zh": "ELECTRA small 判别器"},
    "mlabel_deberta-v3-small": {"en": "DeBERTa-v3 small", "zh": "DeBERTa-v3 small"},
    "mlabel_conv-bert-base": {"en": "ConvBERT base (YituTech)", "zh": "ConvBERT base（YituTech）"},
    "local_model": {"en": "local", "zh": "本地"},
    "model_in_use": {"en": "Model: {model}", "zh": "模型：{model}"},
    # attention page
    "mean_note_conv": {"en": "The average covers {model}'s {n} attention heads; its convolution heads are not included "
                             "(pick one of them to see it).",
                       "zh": "平均值只包括 {model} 的 {n} 个注意力头，不包括卷积头（可单独选择某个卷积头查看）。"},
    "attention_caption_hidden": {"en": "Row = the token doing the looking (query); column = the token looked at (key). "
                                       "The [CLS]/[SEP] columns are hidden, so a row's visible cells sum to less than 1. "
                                       "Hover a cell for the exact weight.",
                                 "zh": "行是发出注意的词元（查询），列是被注意的词元（键）。[CLS]/[SEP] 列已隐藏，"
                                       "因此每行可见单元格之和小于 1。悬停可查看精确权重。"},
    "attention_caption_conv": {"en": "A convolution head: row i holds token i's kernel of 9 weights at columns i-4..i+4, zero "
                                     "elsewhere. Rows near the sentence's ends sum to less than 1 (the rest of the kernel falls "
                                     "on zero padding).",
                               "zh": "卷积头：第 i 行在第 i-4..i+4 列放置词元 i 的 9 个卷积核权重，其余为零。靠近句子两端的行之和小于 1"
                                     "（卷积核的其余部分落在零填充上）。"},
    "labels_note": {"en": "A token that occurs more than once carries its position as a small number (the₅ = the token at position 5).",
                    "zh": "出现多次的词元带有其位置编号的下标（the₅ = 位置 5 上的词元）。"},
    "nothing_left": {"en": "Nothing is left to show once [CLS]/[SEP] are hidden: this input has no other tokens.",
                     "zh": "隐藏 [CLS]/[SEP] 后没有可显示的内容：此输入没有其他词元。"},
    # model view
    "click_to_open": {"en": "click to open", "zh": "点击打开"},
    "model_view_conv_note": {"en": "Columns C0… are {model}'s convolution heads, drawn as banded matrices.",
                             "zh": "C0… 列是 {model} 的卷积头，以带状矩阵显示。"},
    # convolution
    "conv_default_model": {"en": "This page shows a ConvBERT. Your model on the other pages stays {model}.",
                           "zh": "本页显示 ConvBERT。其他页面上的模型仍为 {model}。"},
    "conv_scale_note": {"en": "Colour scale fitted to this layer's kernels: 0 to {zmax:.2f} (a uniform kernel is 1/{k} = {u:.3f}).",
                        "zh": "色标按本层卷积核拟合：0 到 {zmax:.2f}（均匀卷积核为 1/{k} = {u:.3f}）。"},
    "conv_peaked_layer": {"en": "Opened on layer {layer}, whose kernels are the most peaked for this sentence.",
                          "zh": "已打开第 {layer} 层：对这个句子，它的卷积核最集中。"},
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
    "pos_outlier": {"en": "Position {p} lies far from all the others (it only ever held [CLS] in training). The path is "
                          "fitted and drawn without it, so the rest is not squeezed into a dot; the red star marks the "
                          "direction where it lies.",
                    "zh": "位置 {p} 远离其他所有位置（训练时它只出现过 [CLS]）。路径在拟合和绘制时不包括它，以免其余位置被挤成一个点；"
                          "红色星号标出它所在的方向。"},
    "pos_cos": {"en": "cos", "zh": "余弦"},
    "pos_pc": {"en": "PC", "zh": "主成分"},
    "pos_scheme_learned": {"en": "learned absolute", "zh": "学习得到的绝对位置"},
    "pos_scheme_roberta": {"en": "learned absolute (offset by padding_idx + 1)", "zh": "学习得到的绝对位置（偏移 padding_idx + 1）"},
    "pos_scheme_relative": {"en": "relative (disentangled attention; no absolute embedding added)",
                            "zh": "相对位置（解耦注意力；不加绝对位置嵌入）"},
    # the Chinese lesson without a Chinese model
    "lesson_chinese_unk_title": {"en": "A Chinese sentence, and what [UNK] means", "zh": "一个中文句子，以及 [UNK] 的含义"},
    "lesson_chinese_unk_text": {
        "en": "The bundled BERT was trained on English: its vocabulary lacks most Chinese characters, so 7 of these 8 "
              "become [UNK] (\"unknown\"), one vector for every character it has never seen. The model cannot tell "
              "爱 from 处: look how alike the [UNK] rows and columns are. That is why vocabulary coverage matters. "
              "To run this lesson on a Chinese model, prepare the machine once while online: "
              "`python -m bertviz_core.fetch bert-base-chinese` (see the README's classroom section); this lesson then "
              "uses it automatically.",
        "zh": "内置 BERT 是用英文训练的：它的词表缺少大多数汉字，因此这 8 个字中有 7 个变成 [UNK]（“未知”），"
              "所有没见过的字共用同一个向量。模型无法区分“爱”和“处”：看看 [UNK] 的各行各列多么相似。这就是词表覆盖率的重要性。"
              "若要在中文模型上上这一课，请在联网时准备一次：`python -m bertviz_core.fetch bert-base-chinese`"
              "（见 README 的课堂部分）；之后本课会自动使用该模型。"},
}
