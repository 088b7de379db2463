"""UI text of /compress: distillation, quantization and head pruning."""

TEXT = {
    "cz_title": {"en": "Making BERT smaller", "zh": "让 BERT 变小"},
    "cz_intro": {
        "en": "Three ways to compress a model, each a model id you can open on every page: "
        "`<model>@int8` (quantization), `<model>@prune=30%` (head pruning) and a distilled 3-layer "
        "student. The table compares them with the original; the maps show what happens to the heads.",
        "zh": "三种压缩模型的方法，每一种都是可以在所有页面打开的模型 ID：`<模型>@int8`（量化）、"
        "`<模型>@prune=30%`（注意力头剪枝）以及蒸馏得到的 3 层学生模型。下表将它们与原模型比较；"
        "热力图展示注意力头发生了什么。",
    },
    "cz_base": {"en": "Original model", "zh": "原始模型"},
    "cz_no_results": {
        "en": "No measurements are shipped for this model (run bench/bench_compress.py).",
        "zh": "此模型没有随附的测量结果（请运行 bench/bench_compress.py）。",
    },
    "cz_measured": {
        "en": "Measured on {date} by bench/bench_compress.py ({machine}; speed: CPU time per "
        "sentence on one thread, median of 30 runs, which other work on the machine does not inflate; "
        "int8 weights are packed, so its parameter count is the original's). Quality: mean cosine of "
        "mean-pooled sentence embeddings to the original on {n} held-out UD English EWT test sentences.",
        "zh": "由 bench/bench_compress.py 于 {date} 测得（{machine}；速度：单线程下每句的 CPU 时间，取 30 次运行的中位数，"
        "不受机器上其他任务的影响；int8 权重为打包存储，参数量按原模型计）。质量：在 {n} 个未参与训练的 UD English EWT 测试句上，"
        "与原模型平均池化句向量的平均余弦相似度。",
    },
    "cz_col_model": {"en": "model id", "zh": "模型 ID"},
    "cz_col_kind": {"en": "method", "zh": "方法"},
    "cz_col_size": {"en": "size (MB)", "zh": "大小（MB）"},
    "cz_col_params": {"en": "parameters", "zh": "参数量"},
    "cz_col_ms16": {"en": "ms / sentence, 16 tokens", "zh": "毫秒/句（16 个词元）"},
    "cz_col_ms128": {"en": "ms / sentence, 128 tokens", "zh": "毫秒/句（128 个词元）"},
    "cz_col_cosine": {"en": "cosine to original", "zh": "与原模型的余弦相似度"},
    "cz_col_compare": {"en": "open in /compare", "zh": "在 /compare 中打开"},
    "cz_kind_original": {"en": "original (fp32)", "zh": "原模型（fp32）"},
    "cz_kind_int8": {"en": "quantization: dynamic int8", "zh": "量化：动态 int8"},
    "cz_kind_prune": {"en": "pruning: {p}% of heads removed", "zh": "剪枝：移除 {p}% 的注意力头"},
    "cz_kind_distil": {"en": "distillation: 3-layer student", "zh": "蒸馏：3 层学生模型"},
    "cz_int8_kept": {
        "en": "int8: per-channel int8 weights (one scale per output row) and activations quantized on the fly, "
        "on every Linear layer except the {n} feed-forward output projections, kept in fp32 because "
        "they are the most sensitive (Q-BERT's idea: spend the bits where the loss is sharp). With "
        "them in int8 too, the cosine drops to about 0.97. Stated threshold: cosine >= {thr}.",
        "zh": "int8：按通道量化的 int8 权重（每个输出行一个缩放因子），激活在运行时量化；作用于所有线性层，"
        "但 {n} 个前馈网络输出投影层保持 fp32，因为它们最敏感（Q-BERT 的思路：把比特花在损失曲面"
        "陡峭的地方）。若它们也量化为 int8，余弦相似度会降到约 0.97。设定阈值：余弦相似度 >= {thr}。",
    },
    "cz_distil_absent": {
        "en": "distilbert-minilm-l3 (the distilled 3-layer student) is not here yet: its weights "
        "(bertviz_core/weights/distilbert-minilm-l3) are still being trained. It appears in this "
        "table once they are shipped.",
        "zh": "distilbert-minilm-l3（蒸馏得到的 3 层学生模型）尚未就绪：其权重"
        "（bertviz_core/weights/distilbert-minilm-l3）仍在训练中。权重发布后会出现在此表中。",
    },
    "cz_distil_unmeasured": {
        "en": "distilbert-minilm-l3 is shipped but was not measured yet (rerun bench/bench_compress.py).",
        "zh": "distilbert-minilm-l3 已发布，但尚未测量（请重新运行 bench/bench_compress.py）。",
    },
    "cz_prune_unsupported": {
        "en": "Head pruning does not apply to ConvBERT: its query feeds both its attention heads and "
        "its convolution heads, so a head cannot be cut out without changing a conv head.",
        "zh": "注意力头剪枝不适用于 ConvBERT：它的查询向量同时供给注意力头和卷积头，删去一个注意力头必然改变卷积头。",
    },
    "cz_pair": {"en": "Compare any two of them", "zh": "任选两个进行对比"},
    "cz_pair_link": {"en": "Open this pair in /compare", "zh": "在 /compare 中打开这一对"},
    "cz_explain": {"en": "How each method works", "zh": "各方法的原理"},
    "cz_explain_distil": {
        "en": "**Distillation (tutorial: DistilBERT, TinyBERT).** A small student learns to reproduce a big teacher. "
        "DistilBERT keeps every other layer of BERT, starts from the teacher's weights and trains on the "
        "teacher's outputs; TinyBERT also matches hidden states and attention maps layer by layer. "
        "`distilbert-minilm-l3` follows the DistilBERT recipe: 3 layers initialised from teacher layers 0, 3 "
        "and 5, trained on the teacher's hidden states and pooled output. It is half the depth, so its heads "
        "are compared with the teacher layer each student layer started from.",
        "zh": "**蒸馏（教程：DistilBERT、TinyBERT）。** 让小的学生模型学会复现大的教师模型。DistilBERT 保留 BERT 的"
        "隔层结构，用教师的权重初始化，并以教师的输出为训练目标；TinyBERT 还逐层匹配隐藏状态和注意力图。"
        "`distilbert-minilm-l3` 采用 DistilBERT 的做法：3 层，分别由教师的第 0、3、5 层初始化，以教师的隐藏状态"
        "和池化输出为目标训练。它的深度只有一半，因此每个学生层的注意力头与其初始化来源的教师层比较。",
    },
    "cz_explain_quant": {
        "en": "**Quantization (tutorial: Q-BERT).** Store weights as 8-bit integers with a scale instead of 32-bit "
        "floats: about 4x less memory for those layers and faster integer matrix products on a CPU. Q-BERT showed "
        "that layers differ in sensitivity (it used the Hessian) and gave the sensitive ones more bits. Here the "
        "feed-forward output projections, the most sensitive layers of this model, stay in fp32. The attention "
        "maps barely change: the JS map below is nearly blank.",
        "zh": "**量化（教程：Q-BERT）。** 用带缩放因子的 8 位整数代替 32 位浮点数存储权重：这些层的内存约减少到 1/4，"
        "CPU 上的整数矩阵乘法也更快。Q-BERT 发现各层的敏感度不同（用 Hessian 衡量），并为敏感层分配更多比特。"
        "这里，本模型最敏感的前馈网络输出投影层保持 fp32。注意力图几乎不变：下面的 JS 图几乎是空白的。",
    },
    "cz_explain_prune": {
        "en": "**Pruning (tutorial: Michel et al. 2019, 'Are Sixteen Heads Really Better than One?').** Put a gate "
        "ξ_h on every head's output and ask how much the output moves per unit of gate: the importance "
        "|∂L/∂ξ_h|, averaged over held-out sentences (L: the distance to the unpruned model's pooled output, "
        "taken to first order since it is 0 at ξ = 1; scores normalised per layer). Remove the least important "
        "heads first: their query, key and value rows and their columns of the output projection are really "
        "cut, so the model has fewer parameters. Many heads can go with little loss, and importance order beats "
        "a random order: see the curve.",
        "zh": "**剪枝（教程：Michel 等 2019，《十六个头真的比一个好吗？》）。** 在每个头的输出上加一个门 ξ_h，看门每变化"
        "一个单位输出移动多少：即重要性 |∂L/∂ξ_h|，在未参与训练的句子上取平均（L：与未剪枝模型池化输出的距离，"
        "因为它在 ξ = 1 处为 0，取一阶近似；分数按层归一化）。先移除最不重要的头：它们的查询、键、值的行以及输出"
        "投影中对应的列被真正删除，模型参数变少。许多头可以移除而几乎不损失质量，而且按重要性剪枝优于随机顺序："
        "见曲线。",
    },
    "cz_curve_title": {"en": "Pruning curve: quality vs share of heads removed", "zh": "剪枝曲线：质量与移除头的比例"},
    "cz_curve_x": {"en": "heads removed (%)", "zh": "移除的头（%）"},
    "cz_curve_y": {"en": "cosine to the original", "zh": "与原模型的余弦相似度"},
    "cz_curve_importance": {"en": "importance order (Michel et al.)", "zh": "按重要性（Michel 等）"},
    "cz_curve_random": {
        "en": "random order (mean of {n}; band: min-max)",
        "zh": "随机顺序（{n} 次平均；带：最小-最大）",
    },
    "cz_curve_caption": {
        "en": "Removing heads by ablation on the same {n} held-out sentences (a pruned model computes "
        "exactly the same function). At least one head is kept in every layer.",
        "zh": "在同样的 {n} 个留出句子上通过消融移除头（剪枝后的模型计算的是完全相同的函数）。每层至少保留一个头。",
    },
    "cz_importance_title": {
        "en": "Head importance (normalised per layer; computed on {n} UD EWT dev sentences)",
        "zh": "注意力头重要性（按层归一化；在 {n} 个 UD EWT 开发集句子上计算）",
    },
    "cz_importance": {"en": "importance", "zh": "重要性"},
    "cz_js_header": {
        "en": "What a variant does to the heads, on your sentence",
        "zh": "压缩对注意力头的影响（用你的句子）",
    },
    "cz_js_variant": {"en": "Variant", "zh": "压缩版本"},
    "cz_js_title": {
        "en": "Attention change per head: JS divergence, {variant} vs {base}",
        "zh": "每个头的注意力变化：JS 散度，{variant} 对比 {base}",
    },
    "cz_js_caption": {
        "en": "Jensen-Shannon divergence between the two models' attention rows of the same head, averaged "
        "over the tokens (0 = identical, log 2 ≈ 0.69 = nothing in common). Blank cells: heads the "
        "variant removed.",
        "zh": "同一个头在两个模型中的注意力行之间的 Jensen-Shannon 散度，对所有词元取平均（0 = 完全相同，"
        "log 2 ≈ 0.69 = 完全不同）。空白格：被剪掉的头。",
    },
    "cz_js_distil_caption": {
        "en": "The student has 3 layers: student layer i is compared with the teacher layer it started from ({pairs}).",
        "zh": "学生模型有 3 层：第 i 个学生层与其初始化来源的教师层比较（{pairs}）。",
    },
    "cz_student_layer": {"en": "L{i} (teacher L{j})", "zh": "L{i}（教师 L{j}）"},
    "cz_load_failed": {"en": "Could not open {model}: {reason}", "zh": "无法打开 {model}：{reason}"},
}
