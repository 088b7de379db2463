"""UI text of /lessons and of the lesson kept in the sidebar: lesson_<key>_title and
lesson_<key>_text for every lesson of app/lessons.py."""

TEXT = {
    "lessons_title": {"en": "Lessons", "zh": "课程"},
    "lessons_intro": {
        "en": "Each lesson opens a view with its sentence and settings. Share the link below a lesson so "
        "students open exactly the same view.",
        "zh": "每一课都会以其句子和设置打开一个视图。分享课程下方的链接，学生即可打开完全相同的视图。",
    },
    "lesson_open": {"en": "Open", "zh": "打开"},
    # the lessons (app/lessons.py)
    "lesson_coref_title": {"en": 'Who is "it"? (coreference)', "zh": "“it” 指谁？（指代消解）"},
    "lesson_coref_text": {
        "en": 'In layer 3, head 1 of the bundled BERT, the row of "it" puts most of its weight on "animal". '
        'Hover the cells of the "it" row and compare with the next lesson.',
        "zh": "在内置 BERT 的第 3 层第 1 个头中，“it” 这一行的大部分权重落在 “animal” 上。悬停查看 “it” 行，并与下一课对比。",
    },
    "lesson_coref2_title": {"en": 'Change one word: "too wide"', "zh": "只改一个词：“too wide”"},
    "lesson_coref2_text": {
        "en": 'Same head, one word changed: now "it" should be the street. The weight on "animal" drops '
        '(0.68 to 0.28) and more goes to "street": attention reacts to meaning, not just position.',
        "zh": "同一个头，只改一个词：此时 “it” 应指 street。落在 “animal” 上的权重下降（0.68 降到 0.28），更多转向 “street”：注意力对语义有反应，而不只是位置。",
    },
    "lesson_pair_title": {"en": "Two sentences and [SEP]", "zh": "两个句子与 [SEP]"},
    "lesson_pair_text": {
        "en": "A sentence pair is one input with [SEP] between the parts. In the last layer, many rows send "
        "weight to [SEP] and [CLS]: heads with nothing to do often park their attention there (Clark et al. 2019).",
        "zh": "句子对是一个输入，两部分之间用 [SEP] 分隔。在最后一层，许多行把权重投向 [SEP] 和 [CLS]：无事可做的头常把注意力“停放”在那里（Clark 等，2019）。",
    },
    "lesson_local_title": {"en": "ConvBERT's local heads on a long sentence", "zh": "长句中 ConvBERT 的局部头"},
    "lesson_local_text": {
        "en": "Convolution heads only see 4 tokens to each side. On a long sentence their banded matrices "
        "stay on the diagonal, while attention heads reach across the whole sentence.",
        "zh": "卷积头只能看到左右各 4 个词元。在长句中，它们的带状矩阵停留在对角线附近，而注意力头可以跨越整句。",
    },
    "lesson_deberta_title": {"en": "How does DeBERTa know where a word is?", "zh": "DeBERTa 如何知道一个词在哪里？"},
    "lesson_deberta_text": {
        "en": "DeBERTa adds no position vector to its words. Each attention score is a sum of three terms: what the "
        "word is against what the other word is (c2c), what the word is against how far away the other one is "
        "(c2p), and how far away against what the other word is (p2c). Layer 0, head 2 attends to the word just "
        "before: keep only c2c and that pattern is gone; take c2p out and it weakens most, take p2c out and it "
        "barely changes. Find the other positional heads in the table, then compare with BERT's learned position "
        "table on /positions.",
        "zh": "DeBERTa 不给词加位置向量。每个注意力分数是三项之和：这个词的内容对另一个词的内容（c2c）、这个词的内容对"
        "另一个词有多远（c2p）、以及距离对另一个词的内容（p2c）。第 0 层第 2 个头关注前一个词：只保留 c2c，这个模式就消失；"
        "去掉 c2p，它减弱得最多；去掉 p2c，几乎不变。在表中找出其他位置头，再到 /positions 与 BERT 学到的位置表对比。",
    },
    "lesson_blanks_title": {"en": "What does BERT learn by filling in blanks?", "zh": "BERT 通过完形填空学到了什么？"},
    "lesson_blanks_text": {
        "en": "Hide a word and the model must get it back from the rest of the sentence: that is all masked-word "
        "pretraining asks. For “He went to the bank to [MASK] some money.” the model retrained here guesses pay, "
        "get, buy, give, borrow: verbs that fit both the bank and the money. Beside the bars, pick “Every head of "
        "layer 3”: head 1 sends 0.92 of the mask's attention to “money”, the word that decides the answer. Click a "
        "guess to put it in, then hide “bank” instead and see what the model thinks the place was.",
        "zh": "遮住一个词，模型就必须根据句子的其余部分把它找回来：掩码词预训练要求的就是这些。对于“He went to the bank "
        "to [MASK] some money.”，在本项目中重新训练的模型猜 pay、get、buy、give、borrow：既符合 bank 又符合 money 的"
        "动词。在条形图旁选择“第 3 层的每个头”：第 1 个头把掩码 0.92 的注意力投向“money”，正是决定答案的词。点击一个"
        "猜测把它填进句子，再改为遮住“bank”，看模型认为那是什么地方。",
    },
    "lesson_compare_title": {"en": "BERT against ConvBERT, head by head", "zh": "BERT 与 ConvBERT 逐头对比"},
    "lesson_compare_text": {
        "en": "Slot 8 is an attention head in BERT but a convolution head in ConvBERT. Look at the "
        "difference map, then the Matching heads tab. Careful how you read it: this ConvBERT "
        "was distilled with attention transfer (as in TinyBERT), so its attention heads H0-H5 "
        "started as copies of BERT's H0-H5 and were trained to reproduce them. Their near-zero "
        "divergence is the training target, not a discovery. The real questions are what the "
        "conv heads do with BERT's heads 6-11 (their values started there) and, with "
        "convbert-minilm-l6-free (no attention loss), what attention learns by itself.",
        "zh": "位置 8 在 BERT 中是注意力头，在 ConvBERT 中是卷积头。先看差异图，再看“头匹配”标签页。解读时要小心："
        "这个 ConvBERT 是用注意力迁移（如 TinyBERT）蒸馏的，它的注意力头 H0-H5 以 BERT 的 H0-H5 为初值，"
        "并被训练去复现它们。两者散度接近零是训练目标，而不是发现。真正值得问的是：卷积头如何处理 BERT 第 6-11 "
        "个头的工作（它们的 value 从那里开始），以及在 convbert-minilm-l6-free（无注意力损失）中，注意力自己学到了什么。",
    },
    "lesson_chinese_title": {"en": "A Chinese sentence", "zh": "一个中文句子"},
    "lesson_chinese_text": {
        "en": "This lesson uses a Chinese-capable model found on this machine. Its vocabulary splits "
        "Chinese text into single characters, one token each (no spaces needed). Which characters "
        "attend to their neighbours in layer 0, and which to [CLS]/[SEP]?",
        "zh": "本课使用本机上已有的中文模型。它的词表把中文切分为单个汉字，每个字一个词元（不需要空格）。"
        "在第 0 层，哪些字关注相邻的字，哪些字关注 [CLS]/[SEP]？",
    },
    "lesson_positions_title": {"en": "Where does the model know positions from?", "zh": "模型从哪里得知位置？"},
    "lesson_positions_text": {
        "en": "BERT learns a vector per position; compare its similarity pattern with the sinusoids "
        "of the original Transformer.",
        "zh": "BERT 为每个位置学习一个向量；将其相似度模式与原始 Transformer 的正弦编码对比。",
    },
    "lesson_steps_title": {"en": "Compute one attention row by hand", "zh": "亲手计算一行注意力"},
    "lesson_steps_text": {
        "en": 'Follow "it" through layer 3, head 1: from X to queries and keys, scores, softmax and '
        "the weighted sum, with the model's real numbers.",
        "zh": "跟随 “it” 经过第 3 层第 1 个头：从 X 到查询和键、得分、softmax 与加权和，全部使用模型的真实数值。",
    },
    "lesson_small_title": {
        "en": "Making BERT small: which heads and layers can go?",
        "zh": "让 BERT 变小：哪些头和层可以去掉？",
    },
    "lesson_small_text": {
        "en": "Three measurements on the bundled BERT, one question. Heads: the pruning curve removes heads in order "
        "of importance and in random orders; how many can go before the sentence embedding moves, and does the "
        "order matter? The importance map says which heads those are. Layers: DistilBERT students of fewer layers, "
        "trained the same way; where does the depth curve fall? Bits: Q-BERT's Hessian bars say which layers' loss "
        "is sharpest, so which deserve more bits. Do the layers whose heads are important, the depth the students "
        "need and the layers Q-BERT protects tell the same story? Then pick a variant at the bottom of the page "
        "and see what it did to each head on this sentence.",
        "zh": "在内置 BERT 上的三项测量，一个问题。头：剪枝曲线按重要性顺序和随机顺序移除注意力头；在句向量明显改变之前能去掉"
        "多少个头，顺序重要吗？重要性热力图告诉你是哪些头。层：层数更少、用相同方法训练的 DistilBERT 学生模型；深度曲线在"
        "哪里下降？比特：Q-BERT 的 Hessian 柱状图说明哪些层的损失曲面最陡，因而值得更多比特。头重要的层、学生模型需要的"
        "深度、Q-BERT 保护的层，讲的是同一个故事吗？最后在页面底部选一个压缩版本，看看它在这个句子上对每个头做了什么。",
    },
    # the lesson in the sidebar
    "lesson_now": {"en": "Lesson", "zh": "课程"},
    "lesson_hide": {"en": "Hide the lesson", "zh": "隐藏课程说明"},
    # the Chinese lesson without a Chinese model
    "lesson_chinese_unk_title": {
        "en": "A Chinese sentence, and what [UNK] means",
        "zh": "一个中文句子，以及 [UNK] 的含义",
    },
    "lesson_chinese_unk_text": {
        "en": "The bundled BERT was trained on English: its vocabulary lacks most Chinese characters, so 7 of these 8 "
        'become [UNK] ("unknown"), one vector for every character it has never seen. The model cannot tell '
        "爱 from 处: look how alike the [UNK] rows and columns are. That is why vocabulary coverage matters. "
        "To run this lesson on a Chinese model, prepare the machine once while online: "
        "`python -m bertviz_core.models.fetch bert-base-chinese` (see the README's classroom section); this lesson then "
        "uses it automatically.",
        "zh": "内置 BERT 是用英文训练的：它的词表缺少大多数汉字，因此这 8 个字中有 7 个变成 [UNK]（“未知”），"
        "所有没见过的字共用同一个向量。模型无法区分“爱”和“处”：看看 [UNK] 的各行各列多么相似。这就是词表覆盖率的重要性。"
        "若要在中文模型上上这一课，请在联网时准备一次：`python -m bertviz_core.models.fetch bert-base-chinese`"
        "（见 README 的课堂部分）；之后本课会自动使用该模型。",
    },
}
