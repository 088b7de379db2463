"""UI text of /pretraining (pages/pretraining.py, app/pretraining_view.py, app/electra_view.py) and of the
next-sentence box /attention shows for a sentence pair."""

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
    "nav_pretraining": {"en": "Pretraining", "zh": "预训练任务"},
    "home_pretraining": {
        "en": "How BERTs are pretrained, on your sentence: fill in [MASK], does B follow A, spot the replaced word "
        "(ELECTRA), what ERNIE hides.",
        "zh": "BERT 如何预训练，在你的句子上演示：填出 [MASK]、B 是否接在 A 之后、找出被替换的词（ELECTRA）、ERNIE 遮住什么。",
    },
    "pre_title": {"en": "How BERTs are pretrained", "zh": "BERT 是如何预训练的"},
    "pre_intro": {
        "en": "BERT learns from plain text with no labels, by two exercises. **Masked-word prediction (MLM):** 15% "
        "of the word pieces are chosen; of those, 80% become [MASK], 10% a random word and 10% stay as they are, "
        "and the model must guess the original piece from both sides of the sentence. **Next-sentence prediction "
        "(NSP):** given sentences A and B, say whether B followed A in the text (half the time it did) or was "
        "drawn from elsewhere. Later models changed the exercises: **ELECTRA** lets a small masked-word model "
        "replace some words and trains the encoder to spot, for every token, whether it was replaced, so it "
        "learns from every position and not just the 15%; **ERNIE** masks whole phrases and named entities "
        "instead of single pieces, so the answer cannot be copied from the rest of the same word. Each section "
        "below runs one of these on your sentence.",
        "zh": "BERT 从没有标注的纯文本中学习，靠两个练习。**掩码词预测（MLM）**：选出 15% 的词片；其中 80% 换成 "
        "[MASK]，10% 换成随机词，10% 保持不变，模型要根据句子左右两边的上下文猜出原来的词片。**下一句预测（NSP）**："
        "给定句子 A 和 B，判断 B 在原文中是否紧接在 A 之后（一半的情况是），还是从别处抽来的。后来的模型改变了练习："
        "**ELECTRA** 让一个小的掩码词模型替换一些词，再训练编码器对每个词元判断它是否被替换过，因此每个位置都能"
        "提供学习信号，而不只是那 15%；**ERNIE** 遮住整个短语和命名实体，而不是单个词片，这样答案无法从同一个词的"
        "其余部分抄来。下面每一节都在你的句子上运行其中一项。",
    },
    "pre_probability": {"en": "probability", "zh": "概率"},
    "pre_yes": {"en": "yes", "zh": "是"},
    "pre_no": {"en": "no", "zh": "否"},
    # 1. fill-mask
    "pre_fm_title": {"en": "1. Fill in the blank (masked-word prediction)", "zh": "1. 完形填空（掩码词预测）"},
    "pre_fm_text": {
        "en": "Write [MASK] where a word should be guessed (up to 8 masks). The bars are the model's best guesses "
        "for each mask; the map beside them is where the mask looked while guessing.",
        "zh": "在要猜的词的位置写 [MASK]（最多 8 个）。条形图是模型对每个掩码的最佳猜测；旁边的图是猜测时掩码"
        "关注的位置。",
    },
    "pre_fm_sentence": {"en": "Sentence with [MASK]", "zh": "含 [MASK] 的句子"},
    "pre_fm_sentence_help": {
        "en": "Any sentence; [MASK] (in any case) marks a word for the model to guess. Example: The cat sat on "
        "the [MASK].",
        "zh": "任意句子；[MASK]（大小写均可）标出要模型猜的词。例如：The cat sat on the [MASK].",
    },
    "pre_fm_no_mask": {
        "en": "The sentence has no [MASK]: write [MASK] where a word should be guessed, e.g. “The cat sat on the "
        "[MASK].”",
        "zh": "句子里没有 [MASK]：在要猜的词的位置写 [MASK]，例如“The cat sat on the [MASK].”",
    },
    "pre_fm_too_many": {
        "en": "{count} masks is too many: the model guesses at most {limit} at once. Remove some [MASK]s.",
        "zh": "{count} 个掩码太多了：模型一次最多猜 {limit} 个。请删掉一些 [MASK]。",
    },
    "pre_fm_too_long": {
        "en": "The sentence is longer than the model takes ({limit} tokens): shorten it.",
        "zh": "句子超出了模型的长度上限（{limit} 个词元）：请缩短。",
    },
    "pre_fm_no_head": {
        "en": "{model} has no masked-word head, so it cannot fill in [MASK]. Pick {default} (bundled, works "
        "offline) or a checkpoint that ships its masked-LM head (BERT, DistilBERT, RoBERTa).",
        "zh": "{model} 没有掩码词预测头，无法填出 [MASK]。请选择 {default}（内置，可离线使用），或自带掩码语言模型"
        "头的检查点（BERT、DistilBERT、RoBERTa）。",
    },
    "pre_fm_panel": {"en": "[MASK] {n}", "zh": "[MASK] {n}"},
    "pre_fm_model": {"en": "Guesses and attention: {model}.", "zh": "猜测和注意力来自：{model}。"},
    "pre_fm_read": {
        "en": "A probability is the model's softmax over its whole vocabulary at that position; the bars show the "
        "ten most likely pieces.",
        "zh": "概率是模型在该位置对整个词表做 softmax 的结果；条形图显示最可能的十个词片。",
    },
    "pre_fm_which": {"en": "Mask", "zh": "掩码"},
    "pre_fm_rows": {"en": "Rows", "zh": "行"},
    "pre_fm_rows_layers": {"en": "Every layer (mean of its heads)", "zh": "每一层（各头平均）"},
    "pre_fm_rows_heads": {"en": "Every head of layer {layer}", "zh": "第 {layer} 层的每个头"},
    "pre_fm_att_title": {"en": "Where [MASK] {n} looks", "zh": "[MASK] {n} 关注哪里"},
    "pre_fm_att_note": {
        "en": "Each row is the attention from the mask's position (▼) to every token. Heads that look at the words "
        "next to the blank, or at the words that decide it, are the ones doing the guessing.",
        "zh": "每一行是从掩码位置（▼）到各个词元的注意力。关注空格旁边的词、或决定答案的词的注意力头，就是在参与猜测的头。",
    },
    "pre_fm_put": {"en": "Put a guess into the sentence:", "zh": "把一个猜测填进句子："},
    "pre_fm_put_help": {
        "en": "Replaces this [MASK] in the sentence with the word; the other masks stay.",
        "zh": "用这个词替换句子中的这个 [MASK]；其他掩码保持不变。",
    },
    # 2. next-sentence prediction
    "pre_nsp_title": {
        "en": "2. Does B follow A? (next-sentence prediction)",
        "zh": "2. B 接在 A 之后吗？（下一句预测）",
    },
    "pre_nsp_text": {
        "en": "Type two sentences. BERT reads them as one input, [CLS] A [SEP] B [SEP], and its [CLS] vector "
        "decides whether B is the sentence that came next. Sections 3 and 4 use sentence A.",
        "zh": "输入两个句子。BERT 把它们读成一个输入：[CLS] A [SEP] B [SEP]，并由 [CLS] 的向量判断 B 是否是接下来"
        "的那一句。第 3、4 节使用句子 A。",
    },
    # 3. ELECTRA
    "pre_el_title": {
        "en": "3. Spot the replaced word (ELECTRA's replaced-token detection)",
        "zh": "3. 找出被替换的词（ELECTRA 的替换词元检测）",
    },
    "pre_el_text": {
        "en": "Replace a word of sentence A yourself, or let the generator (the masked-word model above) replace "
        "some. The discriminator then gives, for every token, the probability that it was replaced; the table "
        "puts it beside what the masked-word model guesses at the same positions.",
        "zh": "自己替换句子 A 中的一个词，或让生成器（上面的掩码词模型）替换几个词。判别器随后对每个词元给出它被替换"
        "的概率；表格把它与掩码词模型在相同位置的猜测放在一起。",
    },
    "pre_el_missing": {
        "en": "The ELECTRA discriminator ({model}) is not installed on this server. With it, this section shows, "
        "for every token of your sentence after some words were replaced, the discriminator's probability that "
        "the token was replaced, beside the masked-word model's guess for the same positions.",
        "zh": "本服务器没有安装 ELECTRA 判别器（{model}）。装上后，这一节会在你的句子中的一些词被替换后，对每个词元"
        "显示判别器认为它被替换的概率，并与掩码词模型在相同位置的猜测并列。",
    },
    "pre_el_mode": {"en": "Who replaces", "zh": "由谁替换"},
    "pre_el_mode_generator": {"en": "The generator (about 15% of the words)", "zh": "生成器（约 15% 的词）"},
    "pre_el_mode_manual": {"en": "Me: one word", "zh": "我自己：一个词"},
    "pre_el_again": {"en": "Draw again", "zh": "重新抽取"},
    "pre_el_word": {"en": "Word to replace", "zh": "要替换的词"},
    "pre_el_new": {"en": "New word", "zh": "新词"},
    "pre_el_new_hint": {"en": "e.g. banana", "zh": "例如 banana"},
    "pre_el_type_word": {
        "en": "Type a new word to replace the chosen one; until then the bars are for your sentence as written.",
        "zh": "输入一个新词来替换所选的词；在此之前，条形图对应的是原句。",
    },
    "pre_el_cannot": {
        "en": "The discriminator cannot score this sentence: {reason}",
        "zh": "判别器无法为这个句子打分：{reason}",
    },
    "pre_el_fig_title": {"en": "{model}: was this token replaced?", "zh": "{model}：这个词元被替换过吗？"},
    "pre_el_replaced": {"en": "replaced", "zh": "被替换"},
    "pre_el_original": {"en": "original", "zh": "原词"},
    "pre_el_prob": {"en": "P(replaced)", "zh": "被替换的概率"},
    "pre_el_col_position": {"en": "word #", "zh": "词序号"},
    "pre_el_col_original": {"en": "original", "zh": "原词"},
    "pre_el_col_now": {"en": "now", "zh": "现在"},
    "pre_el_col_replaced": {"en": "replaced?", "zh": "被替换？"},
    "pre_el_col_prob": {"en": "discriminator: P(replaced)", "zh": "判别器：被替换的概率"},
    "pre_el_col_guess": {"en": "masked-word model's guesses here", "zh": "掩码词模型在此处的猜测"},
    "pre_el_summary": {
        "en": "{replaced} of {n} tokens were replaced; the discriminator calls {flagged} replaced (above 50%), "
        "{hits} of them rightly. A generator's sample that equals the original word counts as original, as in "
        "ELECTRA.",
        "zh": "{n} 个词元中有 {replaced} 个被替换；判别器判定 {flagged} 个被替换（高于 50%），其中 {hits} 个判对。"
        "生成器抽到与原词相同的词时算作原词，与 ELECTRA 一致。",
    },
    "pre_el_models": {
        "en": "Discriminator: {disc}. Generator and guesses: {mlm}.",
        "zh": "判别器：{disc}。生成器与猜测：{mlm}。",
    },
    # 4. ERNIE
    "pre_mk_title": {"en": "4. What gets hidden (ERNIE's knowledge masking)", "zh": "4. 遮住什么（ERNIE 的知识掩码）"},
    "pre_mk_text": {
        "en": "Four ways to choose about 15% of sentence A to hide: single word pieces (BERT), whole words, noun "
        "phrases and named entities (ERNIE). Hidden tokens are coloured; neighbouring spans in two shades.",
        "zh": "从句子 A 中选出约 15% 遮住的四种方式：单个词片（BERT）、整词、名词短语和命名实体（ERNIE）。被遮住的词元"
        "着色；相邻的片段用两种深浅区分。",
    },
    "pre_mk_no_words": {
        "en": "Type a sentence A with words to see this section.",
        "zh": "请输入含有词语的句子 A 以查看这一节。",
    },
    "pre_mk_token": {"en": "Token (BERT)", "zh": "词片（BERT）"},
    "pre_mk_whole_word": {"en": "Whole word", "zh": "整词"},
    "pre_mk_phrase": {"en": "Phrase (ERNIE)", "zh": "短语（ERNIE）"},
    "pre_mk_entity": {"en": "Entity (ERNIE)", "zh": "实体（ERNIE）"},
    "pre_mk_hidden": {"en": "hidden", "zh": "被遮住"},
    "pre_mk_again": {"en": "Draw again", "zh": "重新抽取"},
    "pre_mk_source": {
        "en": "Phrases and entities come from part-of-speech tags given by a probe on bert-minilm-l6 (92.9% right "
        "on EWT test): a noun with its determiner and adjectives is a phrase, a run of proper nouns an entity.",
        "zh": "短语和实体来自 bert-minilm-l6 上的词性探针给出的词性标签（在 EWT 测试集上正确率 92.9%）：名词连同其"
        "限定词和形容词构成短语，连续的专有名词构成实体。",
    },
    "pre_mk_none_found": {"en": "None found in this sentence: {what}.", "zh": "这个句子中没有找到：{what}。"},
    "pre_mk_no_quality": {
        "en": "How well each kind of span is recovered has not been measured on this server (bench/masking_quality.py).",
        "zh": "本服务器尚未测量各类片段的还原率（bench/masking_quality.py）。",
    },
    "pre_mk_exact": {"en": "whole span guessed right", "zh": "整段猜对"},
    "pre_mk_top5": {"en": "piece in the top 5", "zh": "词片在前 5 名"},
    "pre_mk_recovery_title": {
        "en": "How often {model} gets the hidden span back (UD English EWT test)",
        "zh": "{model} 还原被遮片段的频率（UD 英语 EWT 测试集）",
    },
    "pre_mk_recovery_note": {
        "en": "Measured on {n:,} held-out sentences, with 95% intervals. A single hidden piece is guessed exactly "
        "{token:.0%} of the time, a whole phrase {phrase:.1%}, an entity {entity:.1%}: the rest of the sentence "
        "gives much less away about a whole phrase or name. That is ERNIE's argument: hiding them makes the "
        "model learn more about the world, not just about spelling.",
        "zh": "在 {n:,} 个留出句子上测量，含 95% 区间。单个被遮词片被准确猜中的比例为 {token:.0%}，整个短语为 "
        "{phrase:.1%}，实体为 {entity:.1%}：句子的其余部分对整个短语或名称透露得少得多。这就是 ERNIE 的论点：遮住"
        "它们能让模型学到更多关于世界的知识，而不仅仅是拼写。",
    },
}
