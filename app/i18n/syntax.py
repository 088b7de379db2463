"""UI text of /syntax (issue #14): which heads track syntax (Clark et al. 2019)."""

TEXT = {
    "cmpm_syn_how": {"en": "Table from", "zh": "结果表来自"},
    "cmpm_syn_how_folder": {"en": "a results folder on this server", "zh": "本服务器上的结果文件夹"},
    "cmpm_syn_how_upload": {"en": "an uploaded syntax.parquet", "zh": "上传的 syntax.parquet"},
    "cmpm_syn_no_syntax": {
        "en": "'{name}' holds head metrics only: the corpus command wrote no syntax table there "
        "(run it on a CoNLL-U treebank with --stats syntax).",
        "zh": "“{name}”中只有注意力头指标：语料命令没有在那里写出句法表（请在 CoNLL-U 树库上用 --stats syntax 运行）。",
    },
    "cmpm_syn_upload_large": {
        "en": "This file is too large ({mb} MB; the limit is {limit} MB).",
        "zh": "此文件太大（{mb} MB；上限为 {limit} MB）。",
    },
    "syn_title": {"en": "Which heads track syntax", "zh": "哪些注意力头追踪句法"},
    "syn_intro": {
        "en": "For each word, a head 'predicts' its most-attended other word (attention to a word = sum over "
        "its word pieces, from a word = mean over its pieces; [CLS]/[SEP] and the word itself ignored). "
        "A head's accuracy for a relation is the share of dependents whose prediction is their gold "
        "syntactic head (direction dependent → head). The baseline always predicts the word at one "
        "fixed offset (e.g. the next word), the best offset per relation. Relations are grouped by their "
        "universal label (nmod:poss counts as nmod); root arcs are left out.",
        "zh": "对每个词，一个头“预测”它最关注的另一个词（对一个词的注意力 = 其各词片之和，来自一个词的注意力 = 其各词片的平均；"
        "忽略 [CLS]/[SEP] 和该词本身）。某个头在某种关系上的准确率，是其预测恰为金标准句法中心词的依存词所占比例"
        "（方向：依存词 → 中心词）。基线总是预测固定偏移处的词（例如下一个词），每种关系取最佳偏移。关系按通用标签归并"
        "（nmod:poss 计为 nmod）；不计根节点弧。",
    },
    "syn_source": {"en": "Treebank", "zh": "树库"},
    "syn_source_ewt": {"en": "UD English EWT test (2,077 sentences)", "zh": "UD 英语 EWT 测试集（2,077 句）"},
    "syn_source_upload": {"en": "My CoNLL-U file", "zh": "我的 CoNLL-U 文件"},
    "syn_source_results": {
        "en": "A results table (syntax.parquet from the corpus command)",
        "zh": "结果表（语料命令生成的 syntax.parquet）",
    },
    "syn_shipped_note": {
        "en": "Precomputed for this bundled model on all {n} sentences (no treebank needed).",
        "zh": "已为该内置模型在全部 {n} 句上预先计算（无需树库文件）。",
    },
    "syn_cached_note": {
        "en": "Computed once on {n} sentences and kept on disk.",
        "zh": "已在 {n} 句上计算一次并保存在磁盘上。",
    },
    "syn_no_ewt": {
        "en": "The UD EWT treebank is not on this server; upload a CoNLL-U file or a results table instead.",
        "zh": "本服务器上没有 UD EWT 树库；请改为上传 CoNLL-U 文件或结果表。",
    },
    "syn_compute_note": {
        "en": "{model} has no table for this treebank yet: computing it reads all {n} sentences once "
        "(a few minutes for a base-size model on 2 cores); it is then kept on disk.",
        "zh": "{model} 还没有该树库的结果表：计算需要把全部 {n} 句读一遍（在双核机器上，base 规模模型约需数分钟），"
        "之后保存在磁盘上。",
    },
    "syn_compute": {"en": "Compute the table", "zh": "计算结果表"},
    "syn_progress": {"en": "Sentence {i} of {n}", "zh": "第 {i} 句，共 {n} 句"},
    "syn_upload_treebank": {
        "en": "CoNLL-U file (at most {mb} MB; at most {n} sentences are used)",
        "zh": "CoNLL-U 文件（最大 {mb} MB；最多使用 {n} 句）",
    },
    "syn_upload_results": {"en": "syntax.parquet", "zh": "syntax.parquet"},
    "syn_upload_hint": {
        "en": "Make one with: python -m bertviz_core corpus --model ID --input FILE.conllu --stats syntax --out DIR",
        "zh": "生成方法：python -m bertviz_core corpus --model ID --input FILE.conllu --stats syntax --out DIR",
    },
    "syn_upload_error": {"en": "Could not use this file: {reason}", "zh": "无法使用此文件：{reason}"},
    "syn_results_of": {
        "en": "Results of {model} on {treebank} ({n} sentences).",
        "zh": "{model} 在 {treebank} 上的结果（{n} 句）。",
    },
    "syn_results_other_model": {
        "en": "This table was computed for {model}; the sentence view below uses the model picked above.",
        "zh": "该结果表是为 {model} 计算的；下方的句子视图使用上面选择的模型。",
    },
    "syn_conv_note": {
        "en": "ConvBERT: its 6 attention heads (H0-H5) and its 6 convolution heads (C0-C5) are both "
        "scored; a conv head's dynamic kernel is spread over its 9-token window as a banded row, "
        "so it can only pick a word within 4 word pieces.",
        "zh": "ConvBERT：6 个注意力头（H0-H5）和 6 个卷积头（C0-C5）都参与评分；卷积头的动态卷积核按 9 个词元的窗口"
        "展开为带状行，因此它只能选中 4 个词片以内的词。",
    },
    "syn_best_title": {"en": "Best head per relation against its baseline", "zh": "每种关系的最佳头与其基线"},
    "syn_main_only": {"en": "Main relations only", "zh": "只看主要关系"},
    "syn_min_n": {
        "en": "Relations with at least {n} arcs, most frequent first.",
        "zh": "只列出至少有 {n} 条弧的关系，按频次排序。",
    },
    "syn_col_relation": {"en": "relation", "zh": "关系"},
    "syn_col_n": {"en": "arcs", "zh": "弧数"},
    "syn_col_head": {"en": "best head", "zh": "最佳头"},
    "syn_col_acc": {"en": "accuracy", "zh": "准确率"},
    "syn_col_offset": {"en": "baseline offset", "zh": "基线偏移"},
    "syn_col_base": {"en": "baseline accuracy", "zh": "基线准确率"},
    "syn_col_gain": {"en": "gain", "zh": "提升"},
    "syn_bar_head": {"en": "best head", "zh": "最佳头"},
    "syn_bar_base": {"en": "best fixed offset", "zh": "最佳固定偏移"},
    "syn_offset": {"en": "offset", "zh": "偏移"},
    "syn_accuracy": {"en": "accuracy", "zh": "准确率"},
    "syn_map_title": {"en": "Accuracy of every head for one relation", "zh": "某种关系上每个头的准确率"},
    "syn_relation": {"en": "Relation", "zh": "关系"},
    "syn_map_fig": {
        "en": "{relation}: accuracy per layer and head (baseline: offset {offset}, {base})",
        "zh": "{relation}：各层各头的准确率（基线：偏移 {offset}，{base}）",
    },
    "syn_layer": {"en": "layer", "zh": "层"},
    "syn_head": {"en": "head", "zh": "头"},
    "syn_sentence_title": {
        "en": "One sentence: dependency arcs over a head's attention",
        "zh": "单句：把依存弧画在一个头的注意力上",
    },
    "syn_pick": {"en": "Pick a treebank sentence (fills the sentence box)", "zh": "选择树库中的句子（填入句子框）"},
    "syn_pick_none": {"en": "—", "zh": "—"},
    "syn_gold_note": {
        "en": "Treebank sentence: gold arcs above, each word's gold head as a red square in its row, "
        "the head's own pick (most-attended other word) as an orange dot. This head gets {right} "
        "of {n} words right here.",
        "zh": "树库句子：上方为金标准依存弧，每个词的金标准中心词在其所在行以红框标出，橙点为该头自己的选择（最受关注的"
        "另一个词）。该头在本句中对 {n} 个词中的 {right} 个判断正确。",
    },
    "syn_no_gold": {
        "en": "Typed sentence: no gold arcs (pick a treebank sentence to see them); the orange dots are "
        "this head's picks, each word's most-attended other word.",
        "zh": "手动输入的句子：没有金标准依存弧（选择树库句子即可看到）；橙点是该头的选择，即每个词最关注的另一个词。",
    },
    "syn_no_gold_no_picker": {
        "en": "Typed sentence: no gold arcs. The treebank the built-in table was measured on is not on this server, "
        'so there is no sentence to pick; upload a CoNLL-U file ("Treebank" above) to see gold arcs. The orange '
        "dots are this head's picks, each word's most-attended other word.",
        "zh": "手动输入的句子：没有金标准依存弧。内置表所用的树库不在本服务器上，因此没有可选的句子；上传 CoNLL-U 文件"
        "（上方“树库”）即可看到金标准依存弧。橙点是该头的选择，即每个词最关注的另一个词。",
    },
    "syn_misaligned": {
        "en": "The model's words do not line up with the treebank's here (a word with a space or "
        "without word pieces), so the gold arcs are not drawn.",
        "zh": "此处模型的词与树库的词无法对齐（某个词含空格或没有词片），因此不画金标准依存弧。",
    },
    "syn_fig": {"en": "{model} · layer {layer} · {head} · words", "zh": "{model} · 第 {layer} 层 · {head} · 按词"},
    "syn_from_word": {"en": "dependent (from)", "zh": "依存词（来自）"},
    "syn_to_word": {"en": "attended word (to)", "zh": "被关注的词（指向）"},
    "syn_gold": {"en": "gold head", "zh": "金标准中心词"},
    "syn_pred": {"en": "most attended", "zh": "最受关注"},
    "syn_root": {"en": "root", "zh": "根"},
    "syn_weight": {"en": "weight", "zh": "权重"},
    "syn_best_for": {"en": "Best heads of this model: {items}", "zh": "该模型的最佳头：{items}"},
}
