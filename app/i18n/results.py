"""UI text of the corpus command's results folders, read on /compare and /syntax (issue #14), and
why a folder or file cannot be used (cmpm_rerr_<ResultsError code>)."""

TEXT = {
    # results folders
    "cmpm_res_intro": {
        "en": "Results written on this server by `python -m bertviz_core corpus --model ID --input FILE "
        "--out results/NAME` (a .conllu file gives head metrics and syntax, a .txt file head metrics): pick model A's folder and model B's, run on the same input. "
        "Only folders inside the server's results folder are listed.",
        "zh": "本服务器上由 `python -m bertviz_core corpus --model ID --input FILE --out results/NAME` "
        "写出的结果（.conllu 文件给出注意力头指标和句法，.txt 文件给出注意力头指标）：为模型 A 和模型 B 各选一个在同一输入上运行的文件夹。只列出服务器结果文件夹中的文件夹。",
    },
    "cmpm_res_none": {
        "en": "No results folders were found in this server's results folder (set by BERTVIZ_RESULTS_DIR, by "
        "default results/ in the app's folder). Make one with: `python -m bertviz_core corpus --model "
        "bert-minilm-l6 --input FILE.conllu --out results/NAME` (FILE.txt: head metrics only)",
        "zh": "本服务器的结果文件夹（由 BERTVIZ_RESULTS_DIR 指定，默认为应用目录下的 results/）中没有找到结果文件夹。"
        "生成方法：`python -m bertviz_core corpus --model bert-minilm-l6 --input FILE.conllu --out "
        "results/NAME`（FILE.txt：只有注意力头指标）",
    },
    "cmpm_res_folder": {"en": "Results folder", "zh": "结果文件夹"},
    "cmpm_res_folder_side": {"en": "Results of model {side}", "zh": "模型 {side} 的结果"},
    "cmpm_res_root": {"en": "(the results folder itself)", "zh": "（结果文件夹本身）"},
    "cmpm_res_error": {"en": "Cannot use these results: {reason}", "zh": "无法使用这些结果：{reason}"},
    "cmpm_res_show": {"en": "Show these results", "zh": "显示这些结果"},
    "cmpm_res_loaded": {
        "en": "**A** {model_a} ({name_a}) against **B** {model_b} ({name_b}): {n} sentences of {input}.",
        "zh": "**A** {model_a}（{name_a}）对比 **B** {model_b}（{name_b}）：{input} 中的 {n} 个句子。",
    },
    "cmpm_res_of": {
        "en": "{model} on {input}: {n} sentences ({stats}).",
        "zh": "{model} 在 {input} 上：{n} 个句子（{stats}）。",
    },
    "cmpm_res_models_differ": {
        "en": "The models picked above are {pa} and {pb}; these results are of {ra} and {rb}. Everything below "
        "shows the results; the buttons open their own models.",
        "zh": "上面选择的模型是 {pa} 和 {pb}；这些结果属于 {ra} 和 {rb}。下面显示的都是这些结果；按钮会打开结果对应的模型。",
    },
    "cmpm_res_no_js": {
        "en": "Head matching (JS divergence) and CKA need the attention matrices and hidden states themselves, which "
        "results folders do not keep: run the sentences here for those.",
        "zh": "头匹配（JS 散度）和 CKA 需要注意力矩阵和隐藏状态本身，而结果文件夹不保存它们：如需这些，请在这里运行句子。",
    },
    "cmpm_res_special": {
        "en": "These results were computed with [CLS]/[SEP] {state} (--exclude-special); the switch above does not "
        "apply to loaded results.",
        "zh": "这些结果是在{state} [CLS]/[SEP] 的情况下计算的（--exclude-special）；上面的开关不作用于载入的结果。",
    },
    "cmpm_res_no_texts": {
        "en": "These folders keep no sentence texts (sentences.parquet, written by newer versions of the corpus "
        "command), so sentences cannot be opened from here and the uniform baseline is not shown.",
        "zh": "这些文件夹没有保存句子文本（sentences.parquet，由较新版本的语料命令写出），因此无法从这里打开句子，也不显示均匀基线。",
    },
    "cmpm_res_old_format": {
        "en": "{name} was written by an older corpus command that measured ConvBERT's convolution heads on banded "
        "rows, not on their kernels as this page does: rerun it for comparable numbers.",
        "zh": "{name} 由较旧的语料命令写出，它按带状行而不是像本页一样按卷积核来度量 ConvBERT 的卷积头：请重新运行以得到可比的数字。",
    },
    # reasons, by ResultsError code (values are names relative to the results folder, never server paths)
    "cmpm_rerr_outside_root": {
        "en": "'{name}' is outside the results folder; only folders inside it are read.",
        "zh": "“{name}”在结果文件夹之外；只读取结果文件夹内的文件夹。",
    },
    "cmpm_rerr_not_found": {"en": "there is no results folder '{name}'.", "zh": "没有名为“{name}”的结果文件夹。"},
    "cmpm_rerr_no_meta": {
        "en": "'{name}' has no meta.json, so it was not written by the corpus command.",
        "zh": "“{name}”中没有 meta.json，因此不是语料命令写出的文件夹。",
    },
    "cmpm_rerr_bad_meta": {
        "en": "the meta.json of '{name}' is not the corpus command's.",
        "zh": "“{name}”中的 meta.json 不是语料命令写出的。",
    },
    "cmpm_rerr_too_large": {
        "en": "{file} is too large ({mb} MB; the limit is {limit} MB).",
        "zh": "{file} 太大（{mb} MB；上限为 {limit} MB）。",
    },
    "cmpm_rerr_not_parquet": {"en": "{file} is not a Parquet table.", "zh": "{file} 不是 Parquet 表。"},
    "cmpm_rerr_bad_columns": {
        "en": "{file} lacks the columns {columns}: it is not the table the corpus command writes.",
        "zh": "{file} 缺少列 {columns}：它不是语料命令写出的表。",
    },
    "cmpm_rerr_bad_values": {
        "en": "the column {column} of {file} does not hold what the corpus command writes.",
        "zh": "{file} 的列 {column} 不是语料命令写出的内容。",
    },
    "cmpm_rerr_incomplete": {
        "en": "{file} is incomplete (a run that stopped early, or files from different runs).",
        "zh": "{file} 不完整（运行中途停止，或文件来自不同的运行）。",
    },
    "cmpm_rerr_no_tables": {"en": "'{name}' holds no result table.", "zh": "“{name}”中没有结果表。"},
    "cmpm_rerr_no_head_metrics": {
        "en": "'{name}' (model {side}) has no head metrics: run the corpus command with --stats head-metrics.",
        "zh": "“{name}”（模型 {side}）没有注意力头指标：请用 --stats head-metrics 运行语料命令。",
    },
    "cmpm_rerr_different_input": {
        "en": "'{a}' and '{b}' were computed on different input files.",
        "zh": "“{a}”和“{b}”是在不同的输入文件上计算的。",
    },
    "cmpm_rerr_different_sentences": {
        "en": "'{a}' holds {na} sentences and '{b}' {nb}: run both on the same sentences (the same --max-sentences).",
        "zh": "“{a}”有 {na} 个句子，“{b}”有 {nb} 个：请在相同的句子上运行两者（相同的 --max-sentences）。",
    },
    "cmpm_rerr_different_special": {
        "en": "'{a}' and '{b}' differ in --exclude-special.",
        "zh": "“{a}”和“{b}”的 --exclude-special 设置不同。",
    },
}
