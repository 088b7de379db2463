"""UI text of /compare's "Over many sentences" tab: the sentences, the sample and the summaries
with intervals (issue #18)."""

TEXT = {
    # the sentences
    "many_help": {
        "en": "One sentence per line, or upload a .txt (one per line) or CoNLL-U file. At most {n} sentences.",
        "zh": "每行一个句子，或上传 .txt（每行一句）或 CoNLL-U 文件。最多 {n} 句。",
    },
    "many_sentences": {"en": "Sentences", "zh": "句子"},
    "many_upload": {
        "en": "Upload sentences (.txt one per line, or .conllu; at most {mb} MB)",
        "zh": "上传句子（.txt 每行一句，或 .conllu；最大 {mb} MB）",
    },
    "many_run": {"en": "Compare over these sentences", "zh": "在这些句子上对比"},
    "many_progress": {"en": "Sentence {i} of {n}", "zh": "第 {i} / {n} 句"},
    "many_done": {"en": "Averaged over {n} sentences.", "zh": "已对 {n} 个句子取平均。"},
    "many_example": {"en": "Load the example set", "zh": "载入示例句子集"},
    "upload_error": {"en": "Could not use this file: {reason}", "zh": "无法使用此文件：{reason}"},
    # where the statistics come from
    "cmpm_many_mode": {"en": "Statistics from", "zh": "统计数据来自"},
    "cmpm_many_mode_run": {"en": "sentences run here", "zh": "在这里运行的句子"},
    "cmpm_many_mode_results": {"en": "results folders of the corpus command", "zh": "语料命令的结果文件夹"},
    # many sentences: input
    "research_many_help": {
        "en": "One sentence per line, or upload a .txt (one per line) or CoNLL-U file (up to {read:,} lines "
        "are read). At most {n} sentences and {tokens:,} tokens in all are compared, sampled as you "
        "choose below; the page says which were used.",
        "zh": "每行一个句子，或上传 .txt（每行一句）或 CoNLL-U 文件（最多读取 {read:,} 行）。最多对比 {n} 个句子、"
        "共 {tokens:,} 个词元，按下方选择的方式抽样；页面会说明使用了哪些句子。",
    },
    "research_source": {"en": "Sentences from", "zh": "句子来源"},
    "research_source_box": {"en": "the box", "zh": "文本框"},
    "research_source_file": {"en": "the uploaded file", "zh": "上传的文件"},
    "research_using_box": {"en": "Using the box ({n} non-empty lines).", "zh": "使用文本框（{n} 个非空行）。"},
    "research_using_box_ignored": {
        "en": "Using the box ({n} non-empty lines); the uploaded file “{name}” is ignored.",
        "zh": "使用文本框（{n} 个非空行）；已上传的文件“{name}”被忽略。",
    },
    "research_using_file": {
        "en": "Using the uploaded file “{name}”; the box is ignored.",
        "zh": "使用上传的文件“{name}”；文本框被忽略。",
    },
    "research_using_file_only": {"en": "Using the uploaded file “{name}”.", "zh": "使用上传的文件“{name}”。"},
    "research_many_empty_box": {
        "en": "The box is empty: paste sentences (one per line), load the example set, or upload a "
        "file and choose it as the source.",
        "zh": "文本框为空：请粘贴句子（每行一句）、载入示例句子集，或上传文件并将其选为来源。",
    },
    "research_many_no_file": {
        "en": "No file is loaded (a file the uploader refused, too large or of another type, is not "
        "kept). Upload a .txt or .conllu file, or use the box.",
        "zh": "没有已载入的文件（被上传控件拒绝的文件——过大或类型不符——不会保留）。请上传 .txt 或 .conllu 文件，或使用文本框。",
    },
    "research_many_file_empty": {
        "en": "This file has no usable sentences: every line is empty once control and invisible "
        "characters are removed.",
        "zh": "此文件没有可用的句子：去掉控制字符和不可见字符后，每一行都是空的。",
    },
    "research_method": {"en": "Sampling", "zh": "抽样方式"},
    "research_method_first": {"en": "first sentences, in order", "zh": "按顺序取前面的句子"},
    "research_method_random": {"en": "random", "zh": "随机"},
    "research_method_stratified": {"en": "stratified by length", "zh": "按长度分层"},
    "research_method_help": {
        "en": "Random: a seeded random sample. Stratified: the length bands 1-8, 9-16, 17-32, 33-64 and "
        "65+ tokens take turns, so short and long sentences are equally represented as far as "
        "the set allows.",
        "zh": "随机：带种子的随机样本。分层：1-8、9-16、17-32、33-64 和 65+ 个词元几个长度段轮流取句，"
        "在句子集允许的范围内使长短句得到同等代表。",
    },
    "research_seed": {"en": "Seed", "zh": "随机种子"},
    "research_max_sentences": {"en": "At most this many sentences", "zh": "最多句子数"},
    # many sentences: what was used
    "research_read_cap": {
        "en": "Only the first {n:,} lines of the file were read.",
        "zh": "只读取了文件的前 {n:,} 行。",
    },
    "research_sample_all": {
        "en": "Used all {used} sentences ({tokens:,} tokens).",
        "zh": "使用了全部 {used} 个句子（{tokens:,} 个词元）。",
    },
    "research_sample_dropped": {
        "en": "Used {used} of {total} sentences ({tokens:,} tokens; sampling: {method}, seed {seed}); "
        "{dropped} were dropped by the bound of {bound}.",
        "zh": "使用了 {total} 个句子中的 {used} 个（{tokens:,} 个词元；抽样：{method}，种子 {seed}）；"
        "另有 {dropped} 个因 {bound} 的上限被舍弃。",
    },
    "research_bound_sentences": {"en": "{n} sentences", "zh": "{n} 个句子"},
    "research_bound_tokens": {"en": "{n:,} tokens", "zh": "{n:,} 个词元"},
    "research_skipped": {
        "en": "{n} sentences could not be compared and were skipped (first: “{sentence}”: {reason}).",
        "zh": "{n} 个句子无法对比，已跳过（第一个：“{sentence}”：{reason}）。",
    },
    "research_stale": {
        "en": "These results were computed with special tokens {state}; press the button again to apply the switch.",
        "zh": "这些结果是在{state}特殊词元的情况下计算的；请再次点击按钮以应用开关。",
    },
    "research_state_included": {"en": "included", "zh": "包含"},
    "research_state_excluded": {"en": "excluded", "zh": "排除"},
    "research_sentences_used": {"en": "The sentences used", "zh": "使用的句子"},
    "research_col_sentence": {"en": "sentence", "zh": "句子"},
    "research_col_tokens": {"en": "tokens (A)", "zh": "词元数（A）"},
    # many sentences: summaries
    "research_summary_title": {
        "en": "Summary across sentences: mean and 95% interval, A - B on the same sentences",
        "zh": "跨句汇总：均值与 95% 区间，以及同一批句子上的 A - B",
    },
    "research_summary_help": {
        "en": "Each sentence is one observation: a head group's value in a sentence is the metric "
        "averaged over that group's heads (of one layer, or of all layers). Intervals are "
        "Student-t intervals of the mean across sentences; A - B is paired (the same sentences), "
        "with a paired t-test p-value (not corrected for the many rows). Length bands count "
        "model A's tokens, [CLS]/[SEP] included.",
        "zh": "每个句子是一个观测：某头组在一句中的值是该组各头（一层或全部层）的指标平均。区间是跨句均值的 "
        "Student-t 区间；A - B 为配对差（同一批句子），附配对 t 检验 p 值（未对多行做校正）。长度段按模型 A 的词元数计，"
        "含 [CLS]/[SEP]。",
    },
    "research_all_layers": {"en": "all layers", "zh": "全部层"},
    "research_all_lengths": {"en": "all lengths", "zh": "全部长度"},
    "research_group_attn": {"en": "attention heads", "zh": "注意力头"},
    "research_group_conv": {"en": "conv heads", "zh": "卷积头"},
    "research_col_layer": {"en": "layer", "zh": "层"},
    "research_col_group": {"en": "heads", "zh": "头组"},
    "research_col_length": {"en": "length (tokens)", "zh": "长度（词元）"},
    "research_col_n": {"en": "sentences", "zh": "句数"},
    "research_col_mean": {"en": "{side} mean", "zh": "{side} 均值"},
    "research_col_ci": {"en": "{side} 95% interval", "zh": "{side} 95% 区间"},
    "research_col_uniform": {"en": "{side} uniform", "zh": "{side} 均匀基线"},
    "research_col_diff": {"en": "A - B", "zh": "A - B"},
    "research_col_diff_ci": {"en": "A - B 95% interval", "zh": "A - B 95% 区间"},
    "research_col_p": {"en": "p (paired t)", "zh": "p（配对 t）"},
    "research_fig_by_layer": {
        "en": "{metric} by layer: mean and 95% interval across sentences (dotted: uniform baseline)",
        "zh": "各层的{metric}：跨句均值与 95% 区间（点线：均匀基线）",
    },
    "research_fig_diff": {
        "en": "A - B by layer, paired on the same sentences, with 95% interval",
        "zh": "各层的 A - B（同一批句子配对）及 95% 区间",
    },
    "research_mean_heatmaps": {"en": "Per head, mean over the sentences", "zh": "每个头在各句上的均值"},
    # downloads
    "research_downloads": {
        "en": "Results: the summary as CSV, everything per sentence (and the sentences) as NPZ, and "
        "Python that recomputes it with the library:",
        "zh": "结果：汇总表（CSV），逐句的全部数据及句子本身（NPZ），以及用本库重新计算的 Python 代码：",
    },
    "research_download_npz": {"en": "Download NPZ (per sentence)", "zh": "下载 NPZ（逐句）"},
    "research_reproduce": {
        "en": "Reproduce in Python (after `pip install -e .` in the repository; the NPZ holds the sentences):",
        "zh": "在 Python 中复现（先在仓库中执行 `pip install -e .`；NPZ 中含有句子）：",
    },
}
