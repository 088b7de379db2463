"""UI text of hostile-input and validation messages: URL parameters, layers, heads and tokens out of
range, inputs cut to length, and why a model could not be loaded or run (issues #17, #19)."""

TEXT = {
    # the model or the input
    "model_failed": {"en": "Could not load model '{model}': {reason}", "zh": "无法加载模型“{model}”：{reason}"},
    "capture_failed": {"en": "The model could not run on this input: {reason}", "zh": "模型无法处理此输入：{reason}"},
    "truncated": {
        "en": "The input was too long for the model: kept the first {kept} tokens, dropped {dropped}.",
        "zh": "输入超出模型长度限制：保留前 {kept} 个词元，舍弃 {dropped} 个。",
    },
    "chars_cut": {"en": "Only the first {n} characters were used.", "zh": "只使用了前 {n} 个字符。"},
    "bad_head": {
        "en": "That head does not exist in this model; showing the average instead.",
        "zh": "该模型没有这个注意力头，改为显示平均值。",
    },
    # URL parameters (app/state/url.py): shown when a link carries a value that cannot be used
    "hard_url_bad": {
        "en": "The link's value for '{param}' cannot be used ({value}); the default is used instead.",
        "zh": "链接中参数“{param}”的值无法使用（{value}），已改用默认值。",
    },
    "hard_url_repeated": {
        "en": "The link gives '{param}' {n} times; the first value ({value}) is used.",
        "zh": "链接中参数“{param}”出现了 {n} 次；使用第一个值（{value}）。",
    },
    # values out of range for this model or sentence (app/controls.py, app/state/url.py)
    "hard_layer_range": {
        "en": "Layer {value} does not exist in this model (its layers are 0 to {last}); showing layer {shown}.",
        "zh": "此模型没有第 {value} 层（层号为 0 到 {last}）；改为显示第 {shown} 层。",
    },
    "hard_one_layer": {"en": "Layer 0 (this model has a single layer)", "zh": "第 0 层（此模型只有一层）"},
    "hard_head_missing": {
        "en": "This model has no head '{value}'; showing {shown} instead.",
        "zh": "此模型没有头“{value}”；改为显示 {shown}。",
    },
    "hard_query_range": {
        "en": "Token {value} does not exist in this sentence (tokens 0 to {last}); showing token {shown}.",
        "zh": "此句子没有第 {value} 个词元（词元编号为 0 到 {last}）；改为显示第 {shown} 个词元。",
    },
    "hard_text_b_cut": {
        "en": "Only the first {n} characters of the second sentence were used.",
        "zh": "第二个句子只使用了前 {n} 个字符。",
    },
    # model loading refusals (ModelLoadError.reason); {detail} is a file name or a family, never a server path
    "hard_load_invalid_id": {
        "en": "this is not a valid model id (a registry id, a Hugging Face Hub id such as "
        "owner/name, or a folder in the models folder).",
        "zh": "这不是有效的模型 ID（应为列表中的模型、owner/name 形式的 Hugging Face Hub ID，"
        "或模型文件夹中的文件夹）。",
    },
    "hard_load_outside_models_dir": {
        "en": "local models are only read from the models folder, and this one (or its file {detail}) lies outside it.",
        "zh": "本地模型只能从模型文件夹读取，而它（或其中的文件 {detail}）位于文件夹之外。",
    },
    "hard_bidi": {
        "en": "This text holds invisible direction controls, which reorder how it is displayed (the model reads the "
        "characters in their stored order). Here it is with each one written out: {shown}",
        "zh": "这段文字含有不可见的方向控制字符，会改变它的显示顺序（模型按存储顺序读取字符）。下面把每个控制字符写了出来：{shown}",
    },
    "hard_load_outside_models_dir_plain": {
        "en": "local models are only read from the models folder, and this one lies outside it.",
        "zh": "本地模型只能从模型文件夹读取，而它位于文件夹之外。",
    },
    "hard_load_not_a_model_folder": {
        "en": "this is not a usable model folder ({detail}).",
        "zh": "这不是可用的模型文件夹（{detail}）。",
    },
    "hard_load_pickled_weights": {
        "en": "its weights are pickled ({detail}); pickled files are refused because "
        "loading them can run code. Save the model as safetensors.",
        "zh": "它的权重是 pickle 格式（{detail}）；加载 pickle 文件可能执行代码，因此被拒绝。"
        "请将模型保存为 safetensors 格式。",
    },
    "hard_load_custom_code": {
        "en": "it asks for its own code (auto_map in {detail}); custom or remote code is never run here.",
        "zh": "它要求运行自带的代码（{detail} 中的 auto_map）；本应用从不运行自定义或远程代码。",
    },
    "hard_load_unsupported_family": {
        "en": "its model type ({detail}) is not supported; supported: BERT, ConvBERT, "
        "DistilBERT, ALBERT, RoBERTa, XLM-R, ELECTRA, DeBERTa-v2/v3.",
        "zh": "不支持它的模型类型（{detail}）；支持：BERT、ConvBERT、DistilBERT、ALBERT、"
        "RoBERTa、XLM-R、ELECTRA、DeBERTa-v2/v3。",
    },
    "hard_load_no_attention": {
        "en": "the model returned no attention probabilities.",
        "zh": "该模型没有返回注意力概率。",
    },
    "hard_load_missing_weights": {
        "en": "its bundled weights are missing from this installation.",
        "zh": "此安装中缺少它的内置权重。",
    },
    "hard_load_not_listed": {
        "en": "it is not in the model list, and this server only loads listed models.",
        "zh": "它不在模型列表中，而本服务器只加载列表中的模型。",
    },
    "hard_load_offline": {
        "en": "it must be downloaded from the Hugging Face Hub, and this machine is offline. "
        "The bundled models work offline.",
        "zh": "它需要从 Hugging Face Hub 下载，而本机处于离线状态。内置模型可离线使用。",
    },
    "hard_load_load_failed": {"en": "loading failed: {detail}", "zh": "加载失败：{detail}"},
    "hard_load_other": {"en": "{detail}", "zh": "{detail}"},
    "hard_detail_none": {"en": "no details", "zh": "无详细信息"},
}
