"""UI text of /compress: distillation, quantization and head pruning."""

TEXT = {
    "cz_title": {"en": "Making BERT smaller", "zh": "让 BERT 变小"},
    "cz_intro": {
        "en": "Three ways to compress a model, each a model id you can open on every page: "
        "`<model>@int8` (quantization; also `<model>@q=4` and Q-BERT's `<model>@qbert=4`, below), "
        "`<model>@prune=30%` (head pruning) and distilled students (DistilBERT, TinyBERT). The table compares them with the original; the maps show what happens to the heads.",
        "zh": "三种压缩模型的方法，每一种都是可以在所有页面打开的模型 ID：`<模型>@int8`（量化；另有 `<模型>@q=4` "
        "和 Q-BERT 的 `<模型>@qbert=4`，见下文）、"
        "`<模型>@prune=30%`（注意力头剪枝）以及蒸馏得到的学生模型（DistilBERT、TinyBERT）。下表将它们与原模型比较；"
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
    "cz_speed_remeasured": {
        "en": "Speeds re-measured on {date} (the same script, `--speed-only`), so every row's speed is from one run.",
        "zh": "速度于 {date} 重新测量（同一脚本，`--speed-only`），因此各行的速度来自同一次运行。",
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
    "cz_int8_kept": {
        "en": "int8: per-channel int8 weights (one scale per output row) and activations quantized on the fly, "
        "on every Linear layer except the {n} feed-forward output projections, kept in fp32 because "
        "they are the most sensitive (Q-BERT's idea: spend the bits where the loss is sharp). With "
        "them in int8 too, the cosine drops to about 0.97. Stated threshold: cosine >= {thr}.",
        "zh": "int8：按通道量化的 int8 权重（每个输出行一个缩放因子），激活在运行时量化；作用于所有线性层，"
        "但 {n} 个前馈网络输出投影层保持 fp32，因为它们最敏感（Q-BERT 的思路：把比特花在损失曲面"
        "陡峭的地方）。若它们也量化为 int8，余弦相似度会降到约 0.97。设定阈值：余弦相似度 >= {thr}。",
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
        "`distilbert-minilm-l3` is a DistilBERT (no token types, no pooler) made by the DistilBERT recipe: 3 layers "
        "initialised from teacher layers 0, 3 and 5, trained on the teacher's hidden states and pooled output. It is half the depth, so its heads "
        "are compared with the teacher layer each student layer started from. Its 2- and 4-layer siblings "
        "(`distilbert-minilm-l2`, `distilbert-minilm-l4`: teacher layers 0, 5 and 0, 2, 3, 5, the same recipe) draw "
        "the depth curve with it.",
        "zh": "**蒸馏（教程：DistilBERT、TinyBERT）。** 让小的学生模型学会复现大的教师模型。DistilBERT 保留 BERT 的"
        "隔层结构，用教师的权重初始化，并以教师的输出为训练目标；TinyBERT 还逐层匹配隐藏状态和注意力图。"
        "`distilbert-minilm-l3` 是一个 DistilBERT（无句段类型嵌入、无池化层），采用 DistilBERT 的做法：3 层，分别由教师的第 0、3、5 层初始化，以教师的隐藏状态"
        "和池化输出为目标训练。它的深度只有一半，因此每个学生层的注意力头与其初始化来源的教师层比较。"
        "它的 2 层和 4 层兄弟模型（`distilbert-minilm-l2`、`distilbert-minilm-l4`：分别由教师第 0、5 层和第 0、2、3、5 层初始化，"
        "训练方法相同）与它一起画出深度曲线。",
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
        "en": "The student has {n} layers: student layer i is compared with the teacher layer it learned from "
        "({pairs}).",
        "zh": "学生模型有 {n} 层：第 i 个学生层与它所学习的教师层比较（{pairs}）。",
    },
    "cz_student_layer": {"en": "L{i} (teacher L{j})", "zh": "L{i}（教师 L{j}）"},
    "cz_load_failed": {"en": "Could not open {model}: {reason}", "zh": "无法打开 {model}：{reason}"},
    # ---- Q-BERT (issue #28): bertviz_core.analysis.qbert, bench/bench_qbert.py
    "cz_kind_q": {"en": "quantization: {n}-bit weights (simulated)", "zh": "量化：{n} 位权重（模拟）"},
    "cz_kind_qbert": {
        "en": "Q-BERT: mixed precision, mean ≤ {b} bits (simulated)",
        "zh": "Q-BERT：混合精度，平均 ≤ {b} 位（模拟）",
    },
    "cz_q_rows": {
        "en": "`@q=N` and `@qbert=B` rows: simulated low-bit weights (dequantized to float32), so they run at the "
        "original's speed and size in memory; the size shown is what the weights would take packed, their "
        "speed was not measured (no low-bit kernels here).",
        "zh": "`@q=N` 与 `@qbert=B` 行：模拟的低比特权重（反量化回 float32），因此运行速度和内存占用与原模型相同；"
        "表中的大小是权重打包存储时所占的空间，速度未测量（这里没有低比特计算核）。",
    },
    "cz_qbert_header": {
        "en": "Q-BERT: Hessian-aware mixed precision with group-wise quantization",
        "zh": "Q-BERT：基于 Hessian 的混合精度与分组量化",
    },
    "cz_qbert_intro": {
        "en": "**Q-BERT (Shen et al. 2020).** Layers whose loss surface is sharper keep more bits. The sharpness of "
        "a layer is the top eigenvalue of the Hessian of a loss with respect to its weights, found by power "
        "iteration with Hessian-vector products (no Hessian is ever built: each product is one more backward "
        "pass). Q-BERT's sensitivity of a layer is |mean| + std of that eigenvalue over batches (Ω). "
        "`<model>@q=N` gives every layer N bits (2-8); `<model>@qbert=B` chooses each layer's bits from 2 to 8, "
        "with a mean of at most B (B may be fractional, e.g. 3.5), minimising Σ Ω × (quantization error of the "
        "layer's weights)². Group-wise: one range per head for the query, key and value weights, one per output "
        "row elsewhere; embeddings at 8 bits; biases, LayerNorms and activations stay fp32. "
        "**Simulated, not real low-bit kernels:** weights are quantized and turned back into float32, so the "
        "quality is that of low-bit weights but speed and memory are the original's; the packed size is what "
        "storing them would take. The control: the same allocation given the eigenvalues in reverse order.",
        "zh": "**Q-BERT（Shen 等 2020）。** 损失曲面越陡的层保留越多比特。一层的陡峭程度是损失对该层权重的 Hessian "
        "矩阵的最大特征值，用 Hessian-向量积做幂迭代求得（从不构造 Hessian 本身：每次乘积只是多做一次反向传播）。"
        "Q-BERT 对一层敏感度的度量是该特征值在各批数据上的 |均值| + 标准差（Ω）。`<模型>@q=N` 让每层都用 N 位"
        "（2-8）；`<模型>@qbert=B` 为每层在 2 到 8 位之间选择比特数，平均不超过 B（B 可以是小数，如 3.5），"
        "使 Σ Ω ×（该层权重的量化误差）² 最小。分组量化：查询、键、值权重每个头一个范围，其他矩阵每个输出行一个范围；"
        "嵌入为 8 位；偏置、LayerNorm 和激活保持 fp32。**这是模拟，不是真正的低比特计算核**：权重量化后再转回 "
        "float32，因此质量是低比特权重的质量，但速度和内存与原模型相同；打包大小是按低比特存储所需的空间。"
        "对照组：同样的分配方法，但特征值顺序颠倒。",
    },
    "cz_qbert_unmeasured": {
        "en": "The bits curve was measured for bert-minilm-l6 only (bench/bench_qbert.py). {model}@q=N and "
        "{model}@qbert=B still load on every page; for @qbert the eigenvalues are computed on first load "
        "(a few minutes on this server).",
        "zh": "比特曲线只对 bert-minilm-l6 测量过（bench/bench_qbert.py）。{model}@q=N 和 {model}@qbert=B 仍可在"
        "所有页面打开；@qbert 的特征值在首次加载时计算（在本服务器上需要几分钟）。",
    },
    "cz_qbert_curve_title": {
        "en": "Quality vs mean bits per layer: three allocations",
        "zh": "质量与每层平均比特数：三种分配方式",
    },
    "cz_qbert_curve_x": {"en": "mean bits per encoder layer", "zh": "每个编码器层的平均比特数"},
    "cz_qbert_uniform": {"en": "uniform (@q=N)", "zh": "均匀（@q=N）"},
    "cz_qbert_hessian": {"en": "Hessian order (@qbert=B)", "zh": "按 Hessian 排序（@qbert=B）"},
    "cz_qbert_reverse": {"en": "reverse order (control)", "zh": "逆序（对照）"},
    "cz_qbert_curve_caption": {
        "en": "Mean cosine of mean-pooled sentence embeddings to the original on {n} held-out UD English EWT test "
        "sentences, with 95% intervals; measured on {date} by bench/bench_qbert.py. Hover a point for the bits "
        "of each layer.",
        "zh": "在 {n} 个留出的 UD English EWT 测试句上，与原模型平均池化句向量的平均余弦相似度，附 95% 置信区间；"
        "由 bench/bench_qbert.py 于 {date} 测得。将鼠标悬停在点上可查看每层的比特数。",
    },
    "cz_qbert_eig_title": {
        "en": "Top Hessian eigenvalue per layer",
        "zh": "每层 Hessian 最大特征值",
    },
    "cz_qbert_eig_y": {"en": "top eigenvalue", "zh": "最大特征值"},
    "cz_qbert_omega": {"en": "Ω = |mean| + std (Q-BERT's sensitivity)", "zh": "Ω = |均值| + 标准差（Q-BERT 的敏感度）"},
    "cz_qbert_batch": {"en": "one batch's eigenvalue", "zh": "单批特征值"},
    "cz_qbert_eig_caption": {
        "en": "Loss: {loss}. Data: {sentences} (not the test sentences), {batches} batches of {size}. Power "
        "iteration stops when the estimate changes by less than {tol} (relative) between two products, or "
        "after {max_iter}; {seconds} s on this server.",
        "zh": "损失：{loss}。数据：{sentences}（不是测试句），{batches} 批，每批 {size} 句。当两次乘积之间估计值的"
        "相对变化小于 {tol} 时幂迭代停止，最多 {max_iter} 次；在本服务器上用时 {seconds} 秒。",
    },
    "cz_qbert_better": {
        "en": "@qbert={b} beats {other} by {diff:+.4f} cosine (95% interval of the paired difference "
        "{low:+.4f} to {high:+.4f}, same sentences).",
        "zh": "@qbert={b} 比 {other} 的余弦相似度高 {diff:+.4f}（同一批句子上配对差值的 95% 区间为 {low:+.4f} 到 "
        "{high:+.4f}）。",
    },
    "cz_qbert_worse": {
        "en": "@qbert={b} does not beat {other}: its cosine is lower by {gap:.4f} (paired difference {diff:+.4f}, "
        "95% interval {low:+.4f} to {high:+.4f}, same sentences).",
        "zh": "@qbert={b} 没有胜过 {other}：余弦相似度低 {gap:.4f}（配对差值 {diff:+.4f}，同一批句子上的 95% 区间为 "
        "{low:+.4f} 到 {high:+.4f}）。",
    },
    "cz_qbert_tie": {
        "en": "@qbert={b} and {other} cannot be told apart: difference {diff:+.4f} cosine (95% interval "
        "{low:+.4f} to {high:+.4f}, same sentences).",
        "zh": "@qbert={b} 与 {other} 无法区分：余弦相似度差 {diff:+.4f}（95% 区间 {low:+.4f} 到 {high:+.4f}，"
        "同一批句子）。",
    },
    "cz_qbert_reverse_short": {"en": "the reverse order", "zh": "逆序分配"},
    "cz_qbert_layers": {"en": "Per layer", "zh": "逐层"},
    "cz_qbert_col_layer": {"en": "layer", "zh": "层"},
    "cz_qbert_col_eigs": {"en": "eigenvalue per batch", "zh": "每批的特征值"},
    "cz_qbert_col_iters": {"en": "iterations per batch", "zh": "每批迭代次数"},
    "cz_qbert_col_rel": {"en": "last relative change", "zh": "最后一次相对变化"},
    "cz_qbert_col_converged": {"en": "converged", "zh": "已收敛"},
    "cz_qbert_col_bits": {"en": "bits at @qbert={b}", "zh": "@qbert={b} 时的比特数"},
    "cz_qbert_allocations": {"en": "Every allocation measured", "zh": "测量过的全部分配"},
    "cz_qbert_col_alloc": {"en": "allocation", "zh": "分配方式"},
    "cz_qbert_col_target": {"en": "mean bits asked", "zh": "要求的平均比特数"},
    "cz_qbert_col_perlayer": {"en": "bits per layer", "zh": "每层比特数"},
    "cz_qbert_col_packed": {"en": "packed size (MB)", "zh": "打包大小（MB）"},
    "cz_qbert_col_low": {"en": "95% low", "zh": "95% 下限"},
    "cz_qbert_col_high": {"en": "95% high", "zh": "95% 上限"},
    "cz_qbert_packed_caption": {
        "en": "Packed size: bits × weights, plus one fp32 scale and one zero point per group, everything not "
        "quantized (biases, LayerNorms, the pooler) at 32 bits. The fp32 model: {fp32} MB.",
        "zh": "打包大小：比特数 × 权重数，加上每组一个 fp32 缩放因子和一个零点；未量化的部分（偏置、LayerNorm、"
        "池化层）按 32 位计。fp32 模型：{fp32} MB。",
    },
    "cz_qbert_paper": {"en": "Q-BERT's setting next to ours", "zh": "Q-BERT 论文的设置与我们的对比"},
    "cz_qbert_paper_table": {
        "en": "| | Q-BERT (Shen et al., AAAI 2020) | here |\n| --- | --- | --- |\n"
        "| model | BERT-base (12 layers, 768 wide), fine-tuned | bert-minilm-l6 (6 layers, 384 wide), a sentence "
        "encoder; any BERT-family model loads |\n"
        "| tasks | SST-2, MNLI, CoNLL-03, SQuAD v1.1 | no task: closeness to the original's sentence embeddings |\n"
        "| Hessian loss | the task's loss on its training data | {loss} |\n"
        "| eigenvalues | power iteration per encoder layer; Ω = abs(mean) + std over data | the same, {batches} "
        "batches of {size} sentences |\n"
        "| bits | 2-8 bits, layers sorted by Ω | 2-8 bits, chosen by minimising Σ Ω × error² |\n"
        "| groups | buckets of output rows inside each head's matrices | one per head (Q, K, V), one per row "
        "elsewhere |\n"
        "| embeddings, activations | 8 bits, 8 bits | 8 bits, fp32 |\n"
        "| after quantizing | fine-tuned with quantization (quantization-aware) | nothing: post-training only |\n"
        "| kernels | simulated (sizes reported, not speed) | simulated (sizes reported, not speed) |\n"
        "| result | at most 2.3% accuracy lost, up to 13× smaller weights | at 3 bits: uniform {u3}, Q-BERT "
        "{h3} cosine |",
        "zh": "| | Q-BERT（Shen 等，AAAI 2020） | 本页 |\n| --- | --- | --- |\n"
        "| 模型 | BERT-base（12 层，宽 768），经过微调 | bert-minilm-l6（6 层，宽 384），句向量编码器；任何 BERT 系模型都可加载 |\n"
        "| 任务 | SST-2、MNLI、CoNLL-03、SQuAD v1.1 | 无任务：与原模型句向量的接近程度 |\n"
        "| Hessian 的损失 | 任务在训练数据上的损失 | {loss} |\n"
        "| 特征值 | 每个编码器层做幂迭代；Ω = 均值的绝对值 + 标准差 | 相同，{batches} 批，每批 {size} 句 |\n"
        "| 比特 | 2-8 位，按 Ω 对层排序 | 2-8 位，通过最小化 Σ Ω × 误差² 选择 |\n"
        "| 分组 | 每个头的矩阵内按输出行分桶 | Q、K、V 每头一组，其余每行一组 |\n"
        "| 嵌入、激活 | 8 位、8 位 | 8 位、fp32 |\n"
        "| 量化之后 | 带量化微调（量化感知训练） | 无：仅训练后量化 |\n"
        "| 计算核 | 模拟（报告大小，不报告速度） | 模拟（报告大小，不报告速度） |\n"
        "| 结果 | 精度损失最多 2.3%，权重最多缩小 13 倍 | 3 位时：均匀 {u3}，Q-BERT {h3}（余弦相似度） |",
    },
    "cz_qbert_col_probe": {"en": "cosine, only this layer at {b} bits", "zh": "仅此层 {b} 位时的余弦相似度"},
    "cz_qbert_probe_caption": {
        "en": "Last column: a check, not used to choose bits: the cosine to the original when only that layer is "
        "quantized (to {b} bits), on the same held-out sentences. A layer the Hessian calls flat but whose column is "
        "low is one the eigenvalue misjudges.",
        "zh": "最后一列是检验，不参与比特分配：只量化该层（到 {b} 位）时，在同样的留出句子上与原模型的余弦相似度。"
        "若 Hessian 认为某层平坦、而这一列却很低，说明特征值误判了该层。",
    },
    "cz_qbert_loss_distillation": {
        "en": "1 - cosine of the mean-pooled last hidden states to the full-precision model",
        "zh": "1 - 与全精度模型平均池化最后一层隐藏状态的余弦相似度",
    },
    "cz_qbert_loss_mlm": {
        "en": "masked-LM cross-entropy, 15% of each sentence's words masked (fixed seed)",
        "zh": "掩码语言模型交叉熵，每句 15% 的词被遮盖（固定随机种子）",
    },
    "cz_qbert_ewt_dev": {"en": "{n} UD English EWT dev sentences", "zh": "{n} 个 UD English EWT 开发集句子"},
}
