"""UI text of the research features of /compare (issue #18): provenance, correct conv-head
metrics, special-token switch, head matching both ways, many-sentence summaries with intervals."""

TEXT = {
    # switches and notes
    "research_exclude_special": {"en": "Exclude [CLS]/[SEP] from metrics and head matching",
                                 "zh": "在指标与头匹配中排除 [CLS]/[SEP]"},
    "research_exclude_help": {"en": "Drops the special tokens' rows and columns and renormalises every row over the "
                                    "remaining tokens (a conv kernel over the offsets that land on them). About 40% of "
                                    "BERT's attention parks on [CLS]/[SEP]; this shows where the rest goes.",
                              "zh": "去掉特殊词元的行和列，并把每一行在剩余词元上重新归一化（卷积核则在落到剩余词元上的偏移上归一化）。"
                                    "BERT 约 40% 的注意力停放在 [CLS]/[SEP] 上；此开关显示其余注意力的去向。"},
    "research_excluded_note": {"en": "Special tokens excluded: rows renormalised over the other tokens; [CLS] and "
                                     "[SEP] mass are not defined (blank).",
                               "zh": "已排除特殊词元：各行在其余词元上重新归一化；[CLS] 与 [SEP] 上的注意力量无定义（留空）。"},
    "research_metrics_note": {"en": "Attention heads: computed on their softmax rows over the T tokens. Convolution "
                                    "heads (C0, C1, ...): computed on their kernels, each token's 9 weights over offsets "
                                    "-4..+4 (summing to 1), so local is exactly 1 and entropy is at most log 9 = 2.197; "
                                    "weight on offsets past the sentence's ends falls on zero padding and lands on no token. "
                                    "Normalised entropy divides by each row's own maximum, so both kinds read on one 0-1 scale.",
                              "zh": "注意力头：在其对 T 个词元的 softmax 行上计算。卷积头（C0、C1……）：在卷积核上计算，即每个词元在偏移 "
                                    "-4..+4 上的 9 个权重（和为 1），因此“局部”恰为 1，熵至多为 log 9 = 2.197；落在句子两端之外偏移上的权重"
                                    "乘以零填充，不落在任何词元上。归一化熵除以每行自身的最大值，两类头因此可在同一 0-1 标尺上比较。"},
    "research_uniform": {"en": "Uniform-attention baseline on this sentence (every row spread evenly): attention heads "
                               "{attn}, conv heads {conv}.",
                         "zh": "本句的均匀注意力基线（每行均匀分布）：注意力头 {attn}，卷积头 {conv}。"},
    "research_uniform_attn": {"en": "Uniform-attention baseline on this sentence (every row spread evenly over the tokens): {attn}.",
                              "zh": "本句的均匀注意力基线（每行在词元上均匀分布）：{attn}。"},
    "research_uniform_many": {"en": "Uniform-attention baseline, averaged over the sentences: attention heads {attn}, conv heads {conv}.",
                              "zh": "均匀注意力基线（对各句取平均）：注意力头 {attn}，卷积头 {conv}。"},
    "research_uniform_many_attn": {"en": "Uniform-attention baseline, averaged over the sentences: {attn}.",
                                   "zh": "均匀注意力基线（对各句取平均）：{attn}。"},
    "metric_entropy_norm": {"en": "Normalised entropy: a row's entropy divided by its maximum (log of the number of "
                                           "keys it can weigh: T tokens for an attention head, 9 offsets for a conv kernel); "
                                           "0 = all weight on one key, 1 = uniform (a row that can weigh only one key is left out).",
                                     "zh": "归一化熵：一行的熵除以其最大值（可分配权重的键数的对数：注意力头为 T 个词元，卷积核为 9 个偏移）；"
                                           "0 = 全部权重在一个键上，1 = 均匀（只能分配给一个键的行不计入）。"},
    "research_mname_entropy": {"en": "entropy", "zh": "熵"},
    "research_mname_entropy_norm": {"en": "normalised entropy", "zh": "归一化熵"},
    "research_mname_distance": {"en": "distance", "zh": "距离"},
    "research_mname_local": {"en": "local", "zh": "局部"},
    "research_mname_cls": {"en": "[CLS] mass", "zh": "[CLS] 权重"},
    "research_mname_sep": {"en": "[SEP] mass", "zh": "[SEP] 权重"},
    "research_mname_punct": {"en": "punctuation", "zh": "标点"},
    "research_mname_self": {"en": "self", "zh": "自身"},
    "research_mname_prev": {"en": "previous", "zh": "前一个"},
    "research_mname_next": {"en": "next", "zh": "后一个"},
    # from number to picture
    "research_click_one": {"en": "Click a cell to open that head's heatmap in Attention (or pick it below).",
                           "zh": "点击单元格即可在“注意力”页打开该头的热力图（或在下方选择）。"},
    "research_click_many": {"en": "Click a cell (or pick a head below), then open its heatmap on the sentence where its "
                                  "value is highest or lowest.",
                            "zh": "点击单元格（或在下方选择一个头），然后在该值最高或最低的句子上打开它的热力图。"},
    "research_pick": {"en": "Head to open", "zh": "要打开的头"},
    "research_open": {"en": "Open in Attention", "zh": "在“注意力”页打开"},
    "research_open_high": {"en": "Highest: {value} · “{sentence}”", "zh": "最高：{value} · “{sentence}”"},
    "research_open_low": {"en": "Lowest: {value} · “{sentence}”", "zh": "最低：{value} · “{sentence}”"},
    "research_pick_pair": {"en": "Pair to open", "zh": "要打开的头对"},
    "research_open_side": {"en": "Open {side}'s {head}", "zh": "打开 {side} 的 {head}"},
    "research_pair_sentence": {"en": "On the sentence where this pair's JS is", "zh": "在该头对 JS 散度为以下情况的句子上"},
    "research_highest": {"en": "highest", "zh": "最高"},
    "research_lowest": {"en": "lowest", "zh": "最低"},
    # head matching
    "research_same_layer": {"en": "Match within the same layer only", "zh": "只在同一层内匹配"},
    "research_a_to_b": {"en": "A → B: nearest head of B for each head of A", "zh": "A → B：A 的每个头在 B 中最近的头"},
    "research_b_to_a": {"en": "B → A: nearest head of A for each head of B", "zh": "B → A：B 的每个头在 A 中最近的头"},
    "research_one_to_one": {"en": "One-to-one: each head gets a different partner (minimum total JS)",
                            "zh": "一一对应：每个头配一个不同的伙伴（总 JS 最小）"},
    "research_matching_help": {"en": "Nearest partners may repeat (several heads can share one partner); the one-to-one "
                                     "assignment (Hungarian algorithm, scipy's linear_sum_assignment) cannot. A partner "
                                     "that is nearest both ways and kept one-to-one is a robust match.",
                               "zh": "最近伙伴可以重复（多个头可共享一个伙伴）；一一对应分配（匈牙利算法，scipy 的 linear_sum_assignment）"
                                     "则不能。双向最近且在一一对应中保留的伙伴是稳健的匹配。"},
    "research_col_head": {"en": "head", "zh": "头"},
    "research_col_partner": {"en": "partner", "zh": "伙伴"},
    "research_col_js": {"en": "JS", "zh": "JS"},
    "research_js_note": {"en": "Conv heads enter head matching as banded rows renormalised over the sentence's tokens "
                               "(the weight on padding past the ends is dropped). CKA uses every token; the special-token "
                               "switch does not apply to it.",
                         "zh": "卷积头以带状行参与头匹配，并在句子的词元上重新归一化（两端之外填充上的权重被舍去）。CKA 使用全部词元；"
                               "特殊词元开关对它不起作用。"},
    "research_cka_skipped": {"en": "CKA was not computed: {reason}.", "zh": "未计算 CKA：{reason}。"},
    # provenance
    "research_prov_title": {"en": "How {model} was made", "zh": "{model} 是如何得到的"},
    "research_prov_convbert": {"en": "Model {side} ({model}) was distilled from {teacher} with attention transfer (as in "
                                     "TinyBERT): its attention heads H0-H5 started as copies of {teacher}'s heads H0-H5 "
                                     "(query, key and value) and were trained to reproduce their attention; its conv heads' "
                                     "values started from heads H6-H11.",
                               "zh": "模型 {side}（{model}）通过注意力迁移（如 TinyBERT）从 {teacher} 蒸馏而来：它的注意力头 H0-H5 "
                                     "以 {teacher} 的 H0-H5 为初值（复制 query、key 和 value），并被训练去复现这些头的注意力；"
                                     "卷积头的 value 取自 H6-H11。"},
    "research_prov_convbert-free": {"en": "Model {side} ({model}) was distilled from {teacher} on hidden states and the pooled "
                                          "output only: no attention loss, and its attention heads' query and key were not "
                                          "copied (value copied from {teacher}'s heads H0-H5, conv values from H6-H11). What its "
                                          "attention heads attend to, they learned by themselves.",
                                    "zh": "模型 {side}（{model}）只依据隐藏状态和池化输出从 {teacher} 蒸馏而来：没有注意力损失，注意力头的 "
                                          "query 和 key 也未复制（value 复制自 {teacher} 的 H0-H5，卷积头的 value 复制自 H6-H11）。"
                                          "它的注意力头关注什么，是它自己学到的。"},
    "research_prov_bert3": {"en": "Model {side} ({model}) is a 3-layer BERT initialised from {teacher}'s layers 0, 3 and 5 "
                                  "(every weight copied) and trained on hidden states: its heads start as exact copies of "
                                  "those layers' heads.",
                            "zh": "模型 {side}（{model}）是一个 3 层 BERT，以 {teacher} 的第 0、3、5 层为初值（复制全部权重），"
                                  "并在隐藏状态上训练：它的头起初与这些层的头完全相同。"},
    "research_prov_teacher_convbert": {"en": "So its heads H0-H5 matching {teacher}'s H0-H5 is the training target, not a "
                                             "finding. To see what ConvBERT's attention learns by itself, compare with "
                                             "convbert-minilm-l6-free.",
                                       "zh": "因此它的 H0-H5 与 {teacher} 的 H0-H5 相匹配是训练目标，而不是发现。若想看 ConvBERT 的注意力"
                                             "自己学到什么，请与 convbert-minilm-l6-free 对比。"},
    "research_prov_teacher_convbert-free": {"en": "A match between its attention heads and {teacher}'s is learned, not copied "
                                                  "(though a head's value projection starts from {teacher}'s head of the same index).",
                                            "zh": "它的注意力头与 {teacher} 的头之间的匹配是学到的，而非复制的（不过每个头的 value 投影"
                                                  "以 {teacher} 同序号头为初值）。"},
    "research_prov_teacher_bert3": {"en": "So matches to {teacher}'s layers 0, 3 and 5 are inherited from the copy, not found.",
                                    "zh": "因此与 {teacher} 第 0、3、5 层的匹配来自复制，而不是发现。"},
    "research_prov_sibling": {"en": "Both models are students of {teacher}: differences between them come from how each "
                                    "was trained.",
                              "zh": "两个模型都是 {teacher} 的学生：它们之间的差异来自各自的训练方式。"},
    # many sentences: input
    "research_many_help": {"en": "One sentence per line, or upload a .txt (one per line) or CoNLL-U file (up to {read:,} lines "
                                 "are read). At most {n} sentences and {tokens:,} tokens in all are compared, sampled as you "
                                 "choose below; the page says which were used.",
                           "zh": "每行一个句子，或上传 .txt（每行一句）或 CoNLL-U 文件（最多读取 {read:,} 行）。最多对比 {n} 个句子、"
                                 "共 {tokens:,} 个词元，按下方选择的方式抽样；页面会说明使用了哪些句子。"},
    "research_source": {"en": "Sentences from", "zh": "句子来源"},
    "research_source_box": {"en": "the box", "zh": "文本框"},
    "research_source_file": {"en": "the uploaded file", "zh": "上传的文件"},
    "research_using_box": {"en": "Using the box ({n} non-empty lines).", "zh": "使用文本框（{n} 个非空行）。"},
    "research_using_box_ignored": {"en": "Using the box ({n} non-empty lines); the uploaded file “{name}” is ignored.",
                                   "zh": "使用文本框（{n} 个非空行）；已上传的文件“{name}”被忽略。"},
    "research_using_file": {"en": "Using the uploaded file “{name}”; the box is ignored.",
                            "zh": "使用上传的文件“{name}”；文本框被忽略。"},
    "research_using_file_only": {"en": "Using the uploaded file “{name}”.", "zh": "使用上传的文件“{name}”。"},
    "research_many_empty_box": {"en": "The box is empty: paste sentences (one per line), load the example set, or upload a "
                                      "file and choose it as the source.",
                                "zh": "文本框为空：请粘贴句子（每行一句）、载入示例句子集，或上传文件并将其选为来源。"},
    "research_many_no_file": {"en": "No file is loaded (a file the uploader refused, too large or of another type, is not "
                                    "kept). Upload a .txt or .conllu file, or use the box.",
                              "zh": "没有已载入的文件（被上传控件拒绝的文件——过大或类型不符——不会保留）。请上传 .txt 或 .conllu 文件，或使用文本框。"},
    "research_many_file_empty": {"en": "This file has no usable sentences: every line is empty once control and invisible "
                                       "characters are removed.",
                                 "zh": "此文件没有可用的句子：去掉控制字符和不可见字符后，每一行都是空的。"},
    "research_method": {"en": "Sampling", "zh": "抽样方式"},
    "research_method_first": {"en": "first sentences, in order", "zh": "按顺序取前面的句子"},
    "research_method_random": {"en": "random", "zh": "随机"},
    "research_method_stratified": {"en": "stratified by length", "zh": "按长度分层"},
    "research_method_help": {"en": "Random: a seeded random sample. Stratified: the length bands 1-8, 9-16, 17-32, 33-64 and "
                                   "65+ tokens take turns, so short and long sentences are equally represented as far as "
                                   "the set allows.",
                             "zh": "随机：带种子的随机样本。分层：1-8、9-16、17-32、33-64 和 65+ 个词元几个长度段轮流取句，"
                                   "在句子集允许的范围内使长短句得到同等代表。"},
    "research_seed": {"en": "Seed", "zh": "随机种子"},
    "research_max_sentences": {"en": "At most this many sentences", "zh": "最多句子数"},
    # many sentences: what was used
    "research_read_cap": {"en": "Only the first {n:,} lines of the file were read.", "zh": "只读取了文件的前 {n:,} 行。"},
    "research_sample_all": {"en": "Used all {used} sentences ({tokens:,} tokens).", "zh": "使用了全部 {used} 个句子（{tokens:,} 个词元）。"},
    "research_sample_dropped": {"en": "Used {used} of {total} sentences ({tokens:,} tokens; sampling: {method}, seed {seed}); "
                                      "{dropped} were dropped by the bound of {bound}.",
                                "zh": "使用了 {total} 个句子中的 {used} 个（{tokens:,} 个词元；抽样：{method}，种子 {seed}）；"
                                      "另有 {dropped} 个因 {bound} 的上限被舍弃。"},
    "research_bound_sentences": {"en": "{n} sentences", "zh": "{n} 个句子"},
    "research_bound_tokens": {"en": "{n:,} tokens", "zh": "{n:,} 个词元"},
    "research_skipped": {"en": "{n} sentences could not be compared and were skipped (first: “{sentence}”: {reason}).",
                         "zh": "{n} 个句子无法对比，已跳过（第一个：“{sentence}”：{reason}）。"},
    "research_stale": {"en": "These results were computed with special tokens {state}; press the button again to apply the "
                             "switch.",
                       "zh": "这些结果是在{state}特殊词元的情况下计算的；请再次点击按钮以应用开关。"},
    "research_state_included": {"en": "included", "zh": "包含"},
    "research_state_excluded": {"en": "excluded", "zh": "排除"},
    "research_sentences_used": {"en": "The sentences used", "zh": "使用的句子"},
    "research_col_sentence": {"en": "sentence", "zh": "句子"},
    "research_col_tokens": {"en": "tokens (A)", "zh": "词元数（A）"},
    # many sentences: summaries
    "research_summary_title": {"en": "Summary across sentences: mean and 95% interval, A - B on the same sentences",
                               "zh": "跨句汇总：均值与 95% 区间，以及同一批句子上的 A - B"},
    "research_summary_help": {"en": "Each sentence is one observation: a head group's value in a sentence is the metric "
                                    "averaged over that group's heads (of one layer, or of all layers). Intervals are "
                                    "Student-t intervals of the mean across sentences; A - B is paired (the same sentences), "
                                    "with a paired t-test p-value (not corrected for the many rows). Length bands count "
                                    "model A's tokens, [CLS]/[SEP] included.",
                              "zh": "每个句子是一个观测：某头组在一句中的值是该组各头（一层或全部层）的指标平均。区间是跨句均值的 "
                                    "Student-t 区间；A - B 为配对差（同一批句子），附配对 t 检验 p 值（未对多行做校正）。长度段按模型 A 的词元数计，"
                                    "含 [CLS]/[SEP]。"},
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
    "research_fig_by_layer": {"en": "{metric} by layer: mean and 95% interval across sentences (dotted: uniform baseline)",
                              "zh": "各层的{metric}：跨句均值与 95% 区间（点线：均匀基线）"},
    "research_fig_diff": {"en": "A - B by layer, paired on the same sentences, with 95% interval",
                          "zh": "各层的 A - B（同一批句子配对）及 95% 区间"},
    "research_mean_heatmaps": {"en": "Per head, mean over the sentences", "zh": "每个头在各句上的均值"},
    # downloads
    "research_downloads": {"en": "Results: the summary as CSV, everything per sentence (and the sentences) as NPZ, and "
                                 "Python that recomputes it with the library:",
                           "zh": "结果：汇总表（CSV），逐句的全部数据及句子本身（NPZ），以及用本库重新计算的 Python 代码："},
    "research_download_npz": {"en": "Download NPZ (per sentence)", "zh": "下载 NPZ（逐句）"},
    "research_reproduce": {"en": "Reproduce in Python (after `pip install -e .` in the repository; the NPZ holds the "
                                 "sentences):",
                           "zh": "在 Python 中复现（先在仓库中执行 `pip install -e .`；NPZ 中含有句子）："},
}
