"""UI text of /compress's distilled students: the depth curve and TinyBERT-4 (app/compress_students.py)."""

TEXT = {
    "cz_kind_distil": {"en": "distillation: DistilBERT, {n} layers", "zh": "蒸馏：DistilBERT，{n} 层"},
    "cz_kind_tinybert": {
        "en": "distillation: TinyBERT-4 (4 layers, hidden 312)",
        "zh": "蒸馏：TinyBERT-4（4 层，隐藏维度 312）",
    },
    "cz_col_interval": {"en": "95% interval", "zh": "95% 置信区间"},
    "cz_students_measured": {
        "en": "Distilled students: measured on {date} by bench/bench_students.py on {n} held-out UD English EWT test "
        "sentences (interval: 95% t-interval over sentences); TinyBERT-4 is 312 wide, so its sentence embedding is "
        "compared with the teacher's through its learned projection W_h.",
        "zh": "蒸馏学生模型：由 bench/bench_students.py 于 {date} 在 {n} 个未参与训练的 UD English EWT 测试句上测得"
        "（区间：按句子计算的 95% t 区间）；TinyBERT-4 宽 312，因此它的句向量经过学习得到的投影 W_h 再与教师比较。",
    },
    "cz_student_unmeasured": {
        "en": "{models}: shipped but not measured yet (run bench/bench_students.py).",
        "zh": "{models}：已发布，但尚未测量（请运行 bench/bench_students.py）。",
    },
    "cz_depth_header": {"en": "How many layers can go? The depth curve", "zh": "能去掉多少层？深度曲线"},
    "cz_depth_intro": {
        "en": "DistilBERT students of 2, 3 and 4 layers at the teacher's width (384), each started from teacher "
        "layers spread over its depth and trained by the same recipe (hidden states of the mapped layers and the "
        "pooled output, 3,000 steps). The curve shows where quality falls as layers go; the teacher has 6.",
        "zh": "宽度与教师相同（384）的 2、3、4 层 DistilBERT 学生模型，各自以均匀分布在教师深度上的层为初值，并用相同的方法"
        "训练（对应层的隐藏状态与池化输出，3,000 步）。曲线显示随着层数减少质量在哪里下降；教师有 6 层。",
    },
    "cz_depth_title": {"en": "Held-out cosine to the teacher by depth", "zh": "按深度的留出余弦相似度"},
    "cz_depth_x": {"en": "layers", "zh": "层数"},
    "cz_depth_hover": {
        "en": "{layers} layers: cosine {cosine:.4f} [{low:.4f}, {high:.4f}]; {ms16} ms at 16 tokens, {ms128} ms at 128",
        "zh": "{layers} 层：余弦相似度 {cosine:.4f} [{low:.4f}, {high:.4f}]；16 个词元 {ms16} 毫秒，128 个词元 {ms128} 毫秒",
    },
    "cz_depth_caption": {
        "en": "Bars: 95% interval over {n} held-out UD English EWT test sentences; the point at 6 layers is the "
        "teacher itself. Measured {date} (bench/bench_students.py).",
        "zh": "误差线：在 {n} 个未参与训练的 UD English EWT 测试句上的 95% 区间；6 层处的点就是教师本身。测于 {date}"
        "（bench/bench_students.py）。",
    },
    "cz_depth_missing": {
        "en": "Not on the curve yet (still in training with the same recipe): {students}. The curve shows only what "
        "was measured.",
        "zh": "尚未出现在曲线上（仍在用相同方法训练）：{students}。曲线只显示已测量的部分。",
    },
    "cz_depth_item": {"en": "the {n}-layer student", "zh": "{n} 层学生模型"},
    "cz_depth_and": {"en": " and ", "zh": "和"},
    "cz_depth_teacher": {"en": "teacher (6 layers)", "zh": "教师（6 层）"},
    "cz_depth_students": {"en": "DistilBERT students", "zh": "DistilBERT 学生模型"},
    "cz_tiny_header": {"en": "TinyBERT-4: distilled layer by layer", "zh": "TinyBERT-4：逐层蒸馏"},
    "cz_tiny_intro": {
        "en": "TinyBERT (Jiao et al. 2020) makes the student narrower as well as shallower, so it cannot copy the "
        "teacher's weights. It learns the teacher layer to layer instead: its embeddings and each student layer's "
        "hidden states are mapped to the teacher's width by learned projections (W_e, W_h) and pulled towards the "
        "teacher layer it is assigned (mean squared error), each head's attention scores towards the same head of "
        "that layer; a last stage trains the output. `tinybert-minilm-l4` has TinyBERT-4's shape (4 layers, 12 "
        "heads, hidden 312, feed-forward 1200) under the bundled 6-layer BERT.",
        "zh": "TinyBERT（Jiao 等 2020）让学生模型既更浅又更窄，因此无法复制教师的权重。它改为逐层学习教师：嵌入和每个学生层的"
        "隐藏状态经学习得到的投影（W_e、W_h）映射到教师的宽度，并被拉向指定的教师层（均方误差），每个头的注意力分数被拉向"
        "该层的同一个头；最后一个阶段训练输出。`tinybert-minilm-l4` 采用 TinyBERT-4 的结构（4 层、12 个头、隐藏维度 312、"
        "前馈 1200），教师是内置的 6 层 BERT。",
    },
    "cz_tiny_absent": {
        "en": "{model} is not shipped yet (still in training: python -m bertviz_core.training.distill --student "
        "tinybert4). This section shows its layer map and losses once it is.",
        "zh": "{model} 尚未发布（仍在训练：python -m bertviz_core.training.distill --student tinybert4）。发布后本节将显示"
        "它的层映射和损失。",
    },
    "cz_tiny_unmeasured": {
        "en": "{model} is shipped but its transfer losses were not measured yet (run bench/bench_students.py).",
        "zh": "{model} 已发布，但其迁移损失尚未测量（请运行 bench/bench_students.py）。",
    },
    "cz_tiny_map_title": {
        "en": "Which teacher layer each student layer learned (line: hidden-state MSE after training)",
        "zh": "每个学生层学习的教师层（连线：训练后的隐藏状态均方误差）",
    },
    "cz_tiny_teacher": {"en": "teacher ({model})", "zh": "教师（{model}）"},
    "cz_tiny_student": {"en": "TinyBERT-4", "zh": "TinyBERT-4"},
    "cz_tiny_emb": {"en": "Emb", "zh": "嵌入"},
    "cz_tiny_map_caption": {
        "en": "TinyBERT's uniform map g(m) = ⌈m × 6/4⌉: student layers 1-4 learn teacher layers 2, 3, 5, 6 counting from "
        "1 as the paper does (L0-L3 and L1, L2, L4, L5 in this app, which counts from 0 as /compare's head names do). Numbers: "
        "mean squared error per element on {n} held-out UD EWT test sentences, through W_e (embeddings) and W_h "
        "(layers).",
        "zh": "TinyBERT 的均匀映射 g(m) = ⌈m × 6/4⌉：按论文从 1 计数，学生第 1-4 层学习教师第 2、3、5、6 层（本应用与 /compare 的头名称一样从 0 计数："
        "L0-L3 与 L1、L2、L4、L5）。数字：在 {n} 个未参与训练的"
        " UD EWT 测试句上每个元素的均方误差，经过 W_e（嵌入）和 W_h（各层）。",
    },
    "cz_tiny_col_student": {"en": "student layer", "zh": "学生层"},
    "cz_tiny_col_teacher": {"en": "teacher layer", "zh": "教师层"},
    "cz_tiny_col_hidden": {"en": "hidden MSE (trained)", "zh": "隐藏状态 MSE（训练后）"},
    "cz_tiny_col_hidden0": {"en": "hidden MSE (at start)", "zh": "隐藏状态 MSE（初始）"},
    "cz_tiny_col_attn": {"en": "attention-score MSE (trained)", "zh": "注意力分数 MSE（训练后）"},
    "cz_tiny_col_attn0": {"en": "attention-score MSE (at start)", "zh": "注意力分数 MSE（初始）"},
    "cz_tiny_quality": {
        "en": "Held-out cosine of its sentence embedding (through W_h) to the teacher's: **{cosine:.4f}** "
        "[{low:.4f}, {high:.4f}] on {n} UD EWT test sentences. Its heads beside the heads of the teacher layers they "
        "learned from: the map of the section below (pick `tinybert-minilm-l4`), or every pair of heads in "
        "[/compare's head matching]({url}).",
        "zh": "它的句向量（经过 W_h）与教师句向量的留出余弦相似度：**{cosine:.4f}** [{low:.4f}, {high:.4f}]（{n} 个 UD EWT "
        "测试句）。它的头与所学教师层的头并排比较：见下方一节的热力图（选择 `tinybert-minilm-l4`），或在"
        "[/compare 的头匹配]({url})中查看每一对头。",
    },
    "cz_tiny_paper": {"en": "TinyBERT's setting and ours", "zh": "TinyBERT 原文的设置与本页的设置"},
    "cz_tiny_steps": {
        "en": "{steps} steps, output stage from step {output_from}",
        "zh": "{steps} 步，从第 {output_from} 步起训练输出",
    },
    "cz_tiny_paper_table": {
        "en": "| | TinyBERT-4 (Jiao et al., Findings of EMNLP 2020) | here |\n| --- | --- | --- |\n"
        "| teacher | BERT-base: 12 layers, 768 wide, 109 M parameters | bert-minilm-l6: 6 layers, 384 wide, 22.7 M |\n"
        "| student | 4 layers, 312 wide, 12 heads, FFN 1200: 14.5 M | the same shape (a 30,522-word vocabulary too) |\n"
        "| layer map | g(m) = 3m: teacher layers 3, 6, 9, 12 | g(m) = ⌈1.5 m⌉: teacher layers 2, 3, 5, 6 |\n"
        "| start | random layers | random layers; embeddings on the teacher's top 312 principal directions |\n"
        "| losses | embeddings, hidden states (MSE through W_e, W_h), attention scores (MSE); then the "
        "prediction layer (soft cross-entropy) | the same; then the mean-pooled output through W_h (cosine): the "
        "teacher is a sentence encoder with no prediction layer |\n"
        "| data | general distillation on English Wikipedia, then task data with augmentation | public-domain "
        "presidential speeches (22,630 sentences): {steps} |\n"
        "| result | 96.8% of BERT-base's GLUE score, 7.5× smaller, 9.4× faster | held-out cosine {cosine:.3f} to the "
        "teacher (through W_h), {smaller:.1f}× fewer parameters, {faster:.1f}× faster at 128 tokens |",
        "zh": "| | TinyBERT-4（Jiao 等，Findings of EMNLP 2020） | 本页 |\n| --- | --- | --- |\n"
        "| 教师 | BERT-base：12 层，宽 768，1.09 亿参数 | bert-minilm-l6：6 层，宽 384，2,270 万参数 |\n"
        "| 学生 | 4 层，宽 312，12 个头，前馈 1200：1,450 万参数 | 相同结构（词表同为 30,522 词） |\n"
        "| 层映射 | g(m) = 3m：教师第 3、6、9、12 层 | g(m) = ⌈1.5 m⌉：教师第 2、3、5、6 层 |\n"
        "| 初始化 | 随机的层 | 随机的层；嵌入取教师前 312 个主成分方向上的投影 |\n"
        "| 损失 | 嵌入、隐藏状态（经 W_e、W_h 的均方误差）、注意力分数（均方误差）；然后是预测层（软交叉熵） | 相同；然后是"
        "经 W_h 的平均池化输出（余弦）：教师是句向量编码器，没有预测层 |\n"
        "| 数据 | 先在英文维基百科上做通用蒸馏，再用增强后的任务数据 | 公有领域的美国总统演讲（22,630 句）：{steps} |\n"
        "| 结果 | 达到 BERT-base GLUE 分数的 96.8%，小 7.5 倍，快 9.4 倍 | 与教师的留出余弦相似度 {cosine:.3f}（经 W_h），"
        "参数少 {smaller:.1f} 倍，128 个词元时快 {faster:.1f} 倍 |",
    },
    "cz_pack_eig_caption": {
        "en": "Q-BERT's sensitivity per layer: the top Hessian eigenvalue of the loss (bars: |mean| + std over "
        "batches, Ω). Layers with a sharper loss keep more bits in @qbert.",
        "zh": "Q-BERT 的逐层敏感度：损失的 Hessian 最大特征值（柱：各批的 |均值| + 标准差，Ω）。损失更陡的层在 @qbert 中"
        "保留更多比特。",
    },
    "cz_distil_paper": {"en": "DistilBERT's setting and ours", "zh": "DistilBERT 原文的设置与本页的设置"},
    "cz_distil_paper_table": {
        "en": "| | DistilBERT (Sanh et al. 2019) | here |\n| --- | --- | --- |\n"
        "| teacher | BERT-base: 12 layers, 768 wide | bert-minilm-l6: 6 layers, 384 wide, a sentence encoder |\n"
        "| student | 6 layers, the teacher's width; no token-type embeddings, no pooler | 2, 3 or 4 layers, the "
        "teacher's width; the same architecture (`DistilBertModel`) |\n"
        "| start | one teacher layer out of two | teacher layers 0, 5 / 0, 3, 5 / 0, 2, 3, 5 (token type 0 folded into "
        "the position embeddings) |\n"
        "| losses | soft-target cross-entropy on the teacher's MLM output, MLM, cosine of the last hidden states | "
        "no MLM head on this teacher, so neither MLM term; hidden-state MSE of each student layer against its "
        "teacher layer, and 5 × (1 - cosine) of the mean-pooled output |\n"
        "| data | English Wikipedia and the Toronto Book Corpus, 90 hours on 8 V100 GPUs | public-domain presidential "
        "speeches (22,630 sentences), 3,000 steps of 32 on a 2-core CPU |\n"
        "| result | 97% of BERT's GLUE score, 40% smaller, 60% faster | the table and the curve above |",
        "zh": "| | DistilBERT（Sanh 等 2019） | 本页 |\n| --- | --- | --- |\n"
        "| 教师 | BERT-base：12 层，宽 768 | bert-minilm-l6：6 层，宽 384，句向量编码器 |\n"
        "| 学生 | 6 层，宽度与教师相同；无句段类型嵌入，无池化层 | 2、3 或 4 层，宽度与教师相同；相同结构（`DistilBertModel`） |\n"
        "| 初始化 | 教师每两层取一层 | 教师第 0、5 / 0、3、5 / 0、2、3、5 层（句段类型 0 并入位置嵌入） |\n"
        "| 损失 | 教师 MLM 输出上的软目标交叉熵、MLM、最后一层隐藏状态的余弦 | 本教师没有 MLM 头，因此两个 MLM 项都不适用；"
        "每个学生层与对应教师层的隐藏状态均方误差，加上平均池化输出的 5 × (1 - 余弦) |\n"
        "| 数据 | 英文维基百科和 Toronto Book Corpus，8 块 V100 GPU 上 90 小时 | 公有领域的美国总统演讲（22,630 句），"
        "在 2 核 CPU 上 3,000 步、每步 32 个样本 |\n"
        "| 结果 | 达到 BERT GLUE 分数的 97%，小 40%，快 60% | 见上面的表和曲线 |",
    },
}
