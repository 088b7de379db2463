"""UI text of /compare's method choice (issue #12) and of the results folders of the corpus command on
/compare and /syntax (issue #14), in English and Chinese. The methods' own names, explanations and caveats
are /contributions' (contrib_m_*, contrib_x_*): referenced, not repeated."""

TEXT = {
    # ---------------------------------------------------------------- /compare: what is compared
    "cmpm_method": {"en": "What is compared", "zh": "对比的内容"},
    "cmpm_method_help": {"en": "Raw attention weights, or one of the methods of the Contributions page, computed in "
                               "the same way for both models.",
                         "zh": "原始注意力权重，或“贡献度”页面中的一种方法，对两个模型用同样的方式计算。"},
    "cmpm_m_attention": {"en": "Raw attention weights", "zh": "原始注意力权重"},
    "cmpm_whole_layer": {"en": "Whole layer (all heads together)", "zh": "整层（所有头合在一起）"},
    "cmpm_layer_only": {"en": "{method} mixes every head of a layer: there is no head slot to choose.",
                        "zh": "{method}把一层的所有头合在一起：无需选择头位置。"},
    "cmpm_heading": {"en": "{method}: **A** {a} · **B** {b}", "zh": "{method}：**A** {a} · **B** {b}"},
    "cmpm_title_head": {"en": "{side} · L{layer} · {head}", "zh": "{side} · 第 {layer} 层 · {head}"},
    "cmpm_title_layer": {"en": "{side} · L{layer} · whole layer", "zh": "{side} · 第 {layer} 层 · 整层"},
    "cmpm_title_acc": {"en": "{side} · input → L{layer}", "zh": "{side} · 输入 → 第 {layer} 层"},
    "cmpm_norm": {"en": "norm", "zh": "范数"},
    "cmpm_cap_attention_head": {
        "en": "Softmax weights of the head in this slot: each row sums to 1 (a convolution head's banded row loses "
              "the weights that fall past the sentence's ends).",
        "zh": "该位置上这个头的 softmax 权重：每行之和为 1（卷积头的带状行会丢失落在句子两端之外的权重）。"},
    "cmpm_cap_attention_mean": {
        "en": "Mean of each model's attention heads (ConvBERT's convolution heads are left out): each row sums to 1.",
        "zh": "每个模型各注意力头的平均（不含 ConvBERT 的卷积头）：每行之和为 1。"},
    "cmpm_cap_norm_head": {
        "en": "‖α_ij f_h(x_j)‖: the length of the vector this head moves from token j into token i. These are norms in "
              "each model's own units, not probabilities: rows do not sum to 1, and the two models' scales need not "
              "match.",
        "zh": "‖α_ij f_h(x_j)‖：该头从词元 j 搬运到词元 i 的向量长度。这是各模型自身尺度下的范数，不是概率："
              "各行之和不为 1，两个模型的尺度也未必一致。"},
    "cmpm_cap_norm_layer": {
        "en": "‖Σ_h α_ij f_h(x_j)‖ over every head of the layer (ConvBERT's convolution heads included), each row "
              "normalised to sum to 1.",
        "zh": "对本层所有头（包括 ConvBERT 的卷积头）计算 ‖Σ_h α_ij f_h(x_j)‖，每行归一化，和为 1。"},
    "cmpm_cap_rollout": {
        "en": "Accumulated from the input up to the output of layer {layer} (0.5 A + 0.5 I per layer, head mean): "
              "each row sums to 1.",
        "zh": "从输入累积到第 {layer} 层的输出（每层为各头平均的 0.5 A + 0.5 I）：每行之和为 1。"},
    "cmpm_cap_flow": {
        "en": "Max-flow from each token at the output of layer {layer} back to the input, through the same graph as "
              "rollout; computed for this layer only and capped at {cap} tokens. Rows normalised to sum to 1.",
        "zh": "从第 {layer} 层输出处的每个词元回到输入的最大流，所用的图与 rollout 相同；只为本层计算，上限为 {cap} 个词元。"
              "每行归一化，和为 1。"},
    "cmpm_cap_alti": {
        "en": "ALTI of layer {layer} alone (heads, residual and LayerNorm): each row sums to 1.",
        "zh": "仅第 {layer} 层的 ALTI（各头、残差与层归一化）：每行之和为 1。"},
    "cmpm_same_scale": {"en": "Both squares share one colour scale (0 to the larger of the two maxima).",
                        "zh": "两个方阵共用同一色标（0 到两者中较大的最大值）。"},
    "cmpm_pooled_norm": {"en": "Compared by words: a word's norms are summed over its pieces (the norm of a sum is at "
                               "most that) and averaged over the pieces it is read from.",
                         "zh": "按词对比：一个词的范数对其各词片求和（和的范数不超过此值），并对发出注意力的词片取平均。"},
    "cmpm_see_contrib": {"en": "How each method works, and its caveats", "zh": "各方法的原理与局限"},
    "cmpm_diff_note_mixing": {"en": "Red: A's output draws more on that token than B's; blue: B's draws more.",
                              "zh": "红色：A 的输出比 B 更多地依赖该词元；蓝色：B 依赖得更多。"},
    "cmpm_diff_note_norm": {"en": "Red: A moves a longer vector than B; blue: B's is longer (each in its own units).",
                            "zh": "红色：A 搬运的向量比 B 长；蓝色：B 的更长（各按自身尺度）。"},
    "cmpm_na": {"en": "{side} ({model}): {method} does not apply here. {reason}",
                "zh": "{side}（{model}）：{method}在这里不适用。{reason}"},
    "cmpm_na_int8": {"en": "Its weights are stored as packed int8, and this method needs the float weights of the "
                           "value and output projections. Compare the original model (without @int8) instead.",
                     "zh": "它的权重以压缩的 int8 形式存储，而此方法需要值投影和输出投影的浮点权重。请改为对比原始模型（不带 @int8）。"},
    "cmpm_na_prune": {"en": "Its pruned heads were cut out of the value and output projections, so the heads no longer "
                            "line up with the projections' slices. Compare the unpruned model instead.",
                      "zh": "它被剪枝的头已从值投影和输出投影中删去，各头不再与投影的切片对应。请改为对比未剪枝的模型。"},
    "cmpm_na_other": {"en": "Reason: {detail}", "zh": "原因：{detail}"},
    "cmpm_flow_both": {"en": "Attention flow is capped at {cap} tokens (one max-flow problem per token pair); this "
                             "input has {n} tokens in the longer tokenization. Showing attention rollout for both "
                             "models instead.",
                       "zh": "注意力流的上限为 {cap} 个词元（每对词元都要解一次最大流）；本输入在较长的分词下有 {n} 个词元。"
                             "改为对两个模型都显示注意力 rollout。"},

    # ---------------------------------------------------------------- results folders (both pages)
    "cmpm_many_mode": {"en": "Statistics from", "zh": "统计数据来自"},
    "cmpm_many_mode_run": {"en": "sentences run here", "zh": "在这里运行的句子"},
    "cmpm_many_mode_results": {"en": "results folders of the corpus command", "zh": "语料命令的结果文件夹"},
    "cmpm_res_intro": {
        "en": "Results written on this server by `python -m bertviz_core.corpus --model ID --input FILE --stats "
              "head-metrics,syntax --out results/NAME`: pick model A's folder and model B's, run on the same input. "
              "Only folders inside the server's results folder are listed.",
        "zh": "本服务器上由 `python -m bertviz_core.corpus --model ID --input FILE --stats head-metrics,syntax --out "
              "results/NAME` 写出的结果：为模型 A 和模型 B 各选一个在同一输入上运行的文件夹。只列出服务器结果文件夹中的文件夹。"},
    "cmpm_res_none": {
        "en": "No results folders were found in this server's results folder (set by BERTVIZ_RESULTS_DIR, by "
              "default results/ in the app's folder). Make one with: `python -m bertviz_core.corpus --model "
              "bert-minilm-l6 --input FILE.conllu --stats head-metrics,syntax --out results/NAME`",
        "zh": "本服务器的结果文件夹（由 BERTVIZ_RESULTS_DIR 指定，默认为应用目录下的 results/）中没有找到结果文件夹。"
              "生成方法：`python -m bertviz_core.corpus --model bert-minilm-l6 --input FILE.conllu --stats "
              "head-metrics,syntax --out results/NAME`"},
    "cmpm_res_folder": {"en": "Results folder", "zh": "结果文件夹"},
    "cmpm_res_folder_side": {"en": "Results of model {side}", "zh": "模型 {side} 的结果"},
    "cmpm_res_root": {"en": "(the results folder itself)", "zh": "（结果文件夹本身）"},
    "cmpm_res_error": {"en": "Cannot use these results: {reason}", "zh": "无法使用这些结果：{reason}"},
    "cmpm_res_show": {"en": "Show these results", "zh": "显示这些结果"},
    "cmpm_res_loaded": {"en": "**A** {model_a} ({name_a}) against **B** {model_b} ({name_b}): {n} sentences of {input}.",
                        "zh": "**A** {model_a}（{name_a}）对比 **B** {model_b}（{name_b}）：{input} 中的 {n} 个句子。"},
    "cmpm_res_of": {"en": "{model} on {input}: {n} sentences ({stats}).", "zh": "{model} 在 {input} 上：{n} 个句子（{stats}）。"},
    "cmpm_res_models_differ": {
        "en": "The models picked above are {pa} and {pb}; these results are of {ra} and {rb}. Everything below "
              "shows the results; the buttons open their own models.",
        "zh": "上面选择的模型是 {pa} 和 {pb}；这些结果属于 {ra} 和 {rb}。下面显示的都是这些结果；按钮会打开结果对应的模型。"},
    "cmpm_res_no_js": {
        "en": "Head matching (JS divergence) and CKA need the attention matrices and hidden states themselves, which "
              "results folders do not keep: run the sentences here for those.",
        "zh": "头匹配（JS 散度）和 CKA 需要注意力矩阵和隐藏状态本身，而结果文件夹不保存它们：如需这些，请在这里运行句子。"},
    "cmpm_res_special": {
        "en": "These results were computed with [CLS]/[SEP] {state} (--exclude-special); the switch above does not "
              "apply to loaded results.",
        "zh": "这些结果是在{state} [CLS]/[SEP] 的情况下计算的（--exclude-special）；上面的开关不作用于载入的结果。"},
    "cmpm_res_no_texts": {
        "en": "These folders keep no sentence texts (sentences.parquet, written by newer versions of the corpus "
              "command), so sentences cannot be opened from here and the uniform baseline is not shown.",
        "zh": "这些文件夹没有保存句子文本（sentences.parquet，由较新版本的语料命令写出），因此无法从这里打开句子，也不显示均匀基线。"},
    "cmpm_res_old_format": {
        "en": "{name} was written by an older corpus command that measured ConvBERT's convolution heads on banded "
              "rows, not on their kernels as this page does: rerun it for comparable numbers.",
        "zh": "{name} 由较旧的语料命令写出，它按带状行而不是像本页一样按卷积核来度量 ConvBERT 的卷积头：请重新运行以得到可比的数字。"},
    # reasons, by ResultsError code (values are names relative to the results folder, never server paths)
    "cmpm_rerr_outside_root": {"en": "'{name}' is outside the results folder; only folders inside it are read.",
                               "zh": "“{name}”在结果文件夹之外；只读取结果文件夹内的文件夹。"},
    "cmpm_rerr_not_found": {"en": "there is no results folder '{name}'.", "zh": "没有名为“{name}”的结果文件夹。"},
    "cmpm_rerr_no_meta": {"en": "'{name}' has no meta.json, so it was not written by the corpus command.",
                          "zh": "“{name}”中没有 meta.json，因此不是语料命令写出的文件夹。"},
    "cmpm_rerr_bad_meta": {"en": "the meta.json of '{name}' is not the corpus command's.",
                           "zh": "“{name}”中的 meta.json 不是语料命令写出的。"},
    "cmpm_rerr_too_large": {"en": "{file} is too large ({mb} MB; the limit is {limit} MB).",
                            "zh": "{file} 太大（{mb} MB；上限为 {limit} MB）。"},
    "cmpm_rerr_not_parquet": {"en": "{file} is not a Parquet table.", "zh": "{file} 不是 Parquet 表。"},
    "cmpm_rerr_bad_columns": {"en": "{file} lacks the columns {columns}: it is not the table the corpus command "
                                    "writes.",
                              "zh": "{file} 缺少列 {columns}：它不是语料命令写出的表。"},
    "cmpm_rerr_bad_values": {"en": "the column {column} of {file} does not hold what the corpus command writes.",
                             "zh": "{file} 的列 {column} 不是语料命令写出的内容。"},
    "cmpm_rerr_incomplete": {"en": "{file} is incomplete (a run that stopped early, or files from different runs).",
                             "zh": "{file} 不完整（运行中途停止，或文件来自不同的运行）。"},
    "cmpm_rerr_no_tables": {"en": "'{name}' holds no result table.", "zh": "“{name}”中没有结果表。"},
    "cmpm_rerr_no_head_metrics": {"en": "'{name}' (model {side}) has no head metrics: run the corpus command with "
                                        "--stats head-metrics.",
                                  "zh": "“{name}”（模型 {side}）没有注意力头指标：请用 --stats head-metrics 运行语料命令。"},
    "cmpm_rerr_different_input": {"en": "'{a}' and '{b}' were computed on different input files.",
                                  "zh": "“{a}”和“{b}”是在不同的输入文件上计算的。"},
    "cmpm_rerr_different_sentences": {"en": "'{a}' holds {na} sentences and '{b}' {nb}: run both on the same "
                                            "sentences (the same --max-sentences).",
                                      "zh": "“{a}”有 {na} 个句子，“{b}”有 {nb} 个：请在相同的句子上运行两者（相同的 --max-sentences）。"},
    "cmpm_rerr_different_special": {"en": "'{a}' and '{b}' differ in --exclude-special.",
                                    "zh": "“{a}”和“{b}”的 --exclude-special 设置不同。"},
    # /syntax
    "cmpm_syn_how": {"en": "Table from", "zh": "结果表来自"},
    "cmpm_syn_how_folder": {"en": "a results folder on this server", "zh": "本服务器上的结果文件夹"},
    "cmpm_syn_how_upload": {"en": "an uploaded syntax.parquet", "zh": "上传的 syntax.parquet"},
    "cmpm_syn_no_syntax": {"en": "'{name}' holds head metrics only: the corpus command wrote no syntax table there "
                                 "(run it on a CoNLL-U treebank with --stats syntax).",
                           "zh": "“{name}”中只有注意力头指标：语料命令没有在那里写出句法表（请在 CoNLL-U 树库上用 --stats syntax 运行）。"},
    "cmpm_syn_upload_large": {"en": "This file is too large ({mb} MB; the limit is {limit} MB).",
                              "zh": "此文件太大（{mb} MB；上限为 {limit} MB）。"},
}
