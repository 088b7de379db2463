"""UI text of /tokenizers: how each tokenizer on this server cuts the user's sentence."""

TEXT = {
    "nav_tokenizers": {"en": "Tokenizers", "zh": "分词器"},
    "home_tokenizers": {
        "en": "how each tokenizer on this server (the bundled BERT's, mBERT's, BERT-Chinese's, BioBERT's, "
        "RoBERTa's, ...) cuts your sentence: its pieces, its [UNK]s and pieces per word",
        "zh": "本服务器上的各个分词器（内置 BERT、多语言 BERT、中文 BERT、BioBERT、RoBERTa……）如何切分你的句子："
        "切出的子词、[UNK] 和每个词的子词数",
    },
    "tok_title": {"en": "How models split your sentence", "zh": "模型如何切分你的句子"},
    "tok_intro": {
        "en": "Before a model computes anything, its tokenizer cuts the sentence into pieces from a fixed "
        "vocabulary. A word the vocabulary holds stays one piece; a rarer word is cut into several; a character "
        "the vocabulary lacks becomes **[UNK]**, and the model sees nothing of it. Each model below has its own "
        "vocabulary, so each cuts your sentence differently.",
        "zh": "模型在做任何计算之前，先由分词器把句子切成来自固定词表的子词（piece）。词表里有的词保持为一片；"
        "少见的词被切成好几片；词表里没有的字符变成 **[UNK]**，模型对它一无所知。下面每个模型都有自己的词表，"
        "所以切法各不相同。",
    },
    "tok_default_text": {
        "en": "The patient took acetaminophen for her headache (German: Kopfschmerzen; Chinese: 头痛).",
        "zh": "病人头痛，医生开了 acetaminophen（对乙酰氨基酚，德语 Paracetamol）。",
    },
    "tok_example": {"en": "Example sentence", "zh": "示例句子"},
    "tok_example_help": {
        "en": "A biomedical term and words from other languages: where vocabularies differ most.",
        "zh": "一个生物医学术语加上其他语言的词：各词表差别最大的地方。",
    },
    "tok_empty": {"en": "Type a sentence above.", "zh": "请在上方输入一个句子。"},
    "tok_say_title": {"en": "In one sentence", "zh": "一句话总结"},
    "tok_phrase_unknown": {"en": "{name} does not know it: [UNK]", "zh": "{name} 不认识它：[UNK]"},
    "tok_phrase_whole": {"en": "{name} keeps it whole", "zh": "{name} 把它保留为一整片"},
    "tok_phrase_cut": {"en": "{name} cuts it into {n} pieces ({pieces})", "zh": "{name} 把它切成 {n} 片（{pieces}）"},
    "tok_phrase_joined": {
        "en": "{name} puts it in one piece with the word before",
        "zh": "{name} 把它和前一个词合成一片",
    },
    "tok_say_pair": {"en": "“{word}”: {first}; {second}.", "zh": "“{word}”：{first}；{second}。"},
    "tok_say_one": {"en": "“{word}”: {first}.", "zh": "“{word}”：{first}。"},
    "tok_say_identical": {
        "en": "{name} cuts this sentence exactly like {ref}.",
        "zh": "{name} 对这个句子的切法与 {ref} 完全相同。",
    },
    "tok_say_same": {
        "en": "{name} cuts every word of this sentence into as many pieces as {ref}; only how some pieces are "
        "written differs.",
        "zh": "{name} 把这个句子的每个词切成的片数与 {ref} 相同，只是部分子词的写法不同。",
    },
    "tok_say_whole": {
        "en": "{name} cuts no word of this sentence into pieces.",
        "zh": "{name} 没有把这个句子中的任何词切成多片。",
    },
    "tok_say_unknowns": {
        "en": "{n} of the {words} words are [UNK] for {name}: the model sees nothing of them.",
        "zh": "对 {name} 来说，{words} 个词中有 {n} 个是 [UNK]：模型对它们一无所知。",
    },
    "tok_counts": {
        "en": "**{pieces}** pieces for {words} words (**{ppw}** per word) · **{unk}** [UNK] · {kind}, "
        "{vocab} pieces in its vocabulary",
        "zh": "{words} 个词切成 **{pieces}** 片（每词 **{ppw}** 片）· **{unk}** 个 [UNK] · {kind}，词表共 {vocab} 片",
    },
    "tok_list_sep": {"en": ", ", "zh": "、"},
    "tok_shared": {"en": "Also the tokenizer of: {models}.", "zh": "以下模型也用这个分词器：{models}。"},
    "tok_legend": {
        "en": "Grey: a word kept whole · orange: a word cut into pieces · red: [UNK]. **##** continues a word "
        "(WordPiece); **Ġ** (byte-level BPE) and **▁** (SentencePiece) start one after a space.",
        "zh": "灰色：保留为一整片的词 · 橙色：被切成多片的词 · 红色：[UNK]。**##** 表示接在前一片之后（WordPiece）；"
        "**Ġ**（字节级 BPE）和 **▁**（SentencePiece）表示空格后开始的新词。",
    },
    "tok_first_words": {
        "en": "The first {n} of {total} words are shown here; the tables below hold them all.",
        "zh": "这里只显示 {total} 个词中的前 {n} 个；下方表格包含全部。",
    },
    "tok_joined": {"en": "(in the piece before)", "zh": "（并入前一片）"},
    "tok_table_title": {"en": "Side by side", "zh": "对照"},
    "tok_words_title": {"en": "Word by word", "zh": "逐词对照"},
    "tok_words_note": {
        "en": "Words here are the same for every tokenizer: runs of letters and digits, each punctuation mark and "
        "each Chinese character.",
        "zh": "这里的“词”对每个分词器都相同：连续的字母和数字、每个标点符号，以及每个汉字。",
    },
    "tok_col_tokenizer": {"en": "Tokenizer", "zh": "分词器"},
    "tok_col_kind": {"en": "Method", "zh": "方法"},
    "tok_col_vocab": {"en": "Vocabulary", "zh": "词表大小"},
    "tok_col_words": {"en": "Words", "zh": "词数"},
    "tok_col_pieces": {"en": "Pieces", "zh": "片数"},
    "tok_col_unk": {"en": "[UNK]", "zh": "[UNK]"},
    "tok_col_ppw": {"en": "Pieces per word", "zh": "每词片数"},
    "tok_col_all": {"en": "All pieces, in order", "zh": "全部子词（按顺序）"},
    "tok_col_word": {"en": "Word", "zh": "词"},
    "tok_kind_wordpiece": {"en": "WordPiece", "zh": "WordPiece"},
    "tok_kind_bpe": {"en": "BPE", "zh": "BPE"},
    "tok_kind_byte_bpe": {"en": "byte-level BPE", "zh": "字节级 BPE"},
    "tok_kind_unigram": {"en": "Unigram (SentencePiece)", "zh": "Unigram（SentencePiece）"},
    "tok_kind_other": {"en": "other", "zh": "其他"},
    "tok_unavailable_title": {"en": "Not on this server", "zh": "本服务器上没有"},
    "tok_why_not_downloaded": {"en": "not downloaded on this server", "zh": "本服务器尚未下载"},
    "tok_why_refused": {"en": "its folder was refused ({reason})", "zh": "其文件夹被拒绝（{reason}）"},
    "tok_why_load_failed": {"en": "its tokenizer files could not be read", "zh": "无法读取其分词器文件"},
    "tok_missing_line": {"en": "**{why}**: {models}.", "zh": "**{why}**：{models}。"},
    "tok_fetch_hint": {
        "en": "To show one, fetch it once where the internet (or a mirror) is reachable, e.g. "
        "`python -m bertviz_core.models.fetch {ids}`: its tokenizer then appears here, offline.",
        "zh": "要显示某个模型，请在能访问互联网（或镜像）的地方下载一次，例如 "
        "`python -m bertviz_core.models.fetch {ids}`：之后离线也会在这里显示它的分词器。",
    },
    "tok_why_title": {"en": "Why the vocabulary matters", "zh": "为什么词表很重要"},
    "tok_why_text": {
        "en": "A tokenizer's vocabulary is learned from the text its model was trained on: what was frequent there "
        "is one piece, the rest is spelled out in fragments.\n\n"
        "- **Language.** The bundled model's vocabulary (30,522 pieces, English, lower-cased, accents removed) "
        "cuts a German word into many fragments and has no piece for most Chinese characters: they become "
        "[UNK], and the model cannot tell 头痛 from any other unknown word. **mBERT** shares one cased "
        "vocabulary of 119,547 pieces among 104 languages (Wikipedia), with a piece for each common Chinese "
        "character; **BERT-Chinese** has 21,128 pieces, essentially one per character.\n"
        "- **Domain.** **BioBERT** is BERT-base-cased trained further on biomedical text (v1.2: PubMed "
        "abstracts), but it kept BERT-base-cased's vocabulary (28,996 pieces) so that it could start from BERT's "
        "weights: it cuts “acetaminophen” exactly as BERT-base-cased does. What it learned is what those "
        "pieces mean together in biomedical text. Models that built a biomedical vocabulary of their own "
        "(SciBERT, PubMedBERT) keep more such terms whole.\n"
        "- **Why it matters.** Every piece is a token: more pieces per word means a longer input (at most "
        "512 tokens), a word's meaning spread over fragments that attention has to put back together, and "
        "attention maps drawn over pieces rather than words. An [UNK] carries no information at all.",
        "zh": "分词器的词表是从模型训练语料中学来的：在那里常见的词是一整片，其余的被拼成若干碎片。\n\n"
        "- **语言。** 内置模型的词表（30,522 片，英文，转小写并去掉重音）把一个德语词切成许多碎片，"
        "大多数汉字在其中没有对应的片：它们变成 [UNK]，模型无法区分“头痛”和任何其他未知词。"
        "**多语言 BERT（mBERT）** 让 104 种语言（维基百科）共用一个区分大小写、119,547 片的词表，"
        "常用汉字各有一片；**中文 BERT** 有 21,128 片，基本上一字一片。\n"
        "- **领域。** **BioBERT** 是在生物医学文本（v1.2：PubMed 摘要）上继续训练的 BERT-base-cased，"
        "但为了能从 BERT 的权重出发，它沿用了 BERT-base-cased 的词表（28,996 片）："
        "它切分“acetaminophen”的方式与 BERT-base-cased 完全相同。它学到的是这些碎片在生物医学文本中"
        "组合起来的含义。自己构建了生物医学词表的模型（SciBERT、PubMedBERT）会把更多这类术语保留为一整片。\n"
        "- **为什么重要。** 每一片都是一个 token：每词片数越多，输入越长（最多 512 个 token），"
        "一个词的含义分散在需要注意力重新拼起来的碎片上，注意力图也是画在子词而不是词上。"
        "[UNK] 则不携带任何信息。",
    },
}
