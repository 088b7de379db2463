"""UI text of / (home): the introduction and one line per view (home_<page name of app/nav.py>)."""

TEXT = {
    "home_intro": {
        "en": "See inside BERT-family encoders: type a sentence, and watch every layer and head "
        "attend, convolve and mix, with the model's real numbers.",
        "zh": "透视 BERT 系列编码器：输入一个句子，用模型的真实数值观察每一层、每个头如何注意、卷积与混合信息。",
    },
    "home_views": {"en": "Views", "zh": "视图"},
    "home_attention": {
        "en": "one head's attention as a heatmap: who looks at whom.",
        "zh": "单个注意力头的热力图：哪个词元关注哪个词元。",
    },
    "home_model_view": {
        "en": "every layer and head at once; click one to open it.",
        "zh": "一次查看所有层和头；点击任意一个可打开。",
    },
    "home_offline": {
        "en": "Works offline with the bundled models; models marked 'needs internet' load from the Hugging Face Hub.",
        "zh": "内置模型可离线使用；标有“需要联网”的模型需从 Hugging Face Hub 下载。",
    },
    "home_convolution": {
        "en": "ConvBERT's span-based dynamic convolution heads, beside its attention heads.",
        "zh": "ConvBERT 基于跨度的动态卷积头，与其注意力头并排展示。",
    },
    "home_compare": {
        "en": "two models on one sentence, head by head: differences, metrics, matching heads.",
        "zh": "两个模型处理同一句子，逐头对比：差异、指标、最相似的头。",
    },
    "home_positions": {
        "en": "learned position embeddings against the sinusoids of the original Transformer.",
        "zh": "学习得到的位置嵌入与原始 Transformer 的正弦位置编码对比。",
    },
    "home_step_by_step": {
        "en": "one head's attention computed step by step from X to the attention row, with the model's own weights.",
        "zh": "用模型自身权重，从 X 到注意力行逐步计算一个头的注意力。",
    },
    "home_lessons": {
        "en": "ready-made lessons for a class: each opens the right view with the right settings.",
        "zh": "为课堂准备的课程：每一课都会以合适的设置打开相应视图。",
    },
    "home_compress": {
        "en": "distil, quantize, prune: what each does to size, speed, quality and the heads.",
        "zh": "蒸馏、量化、剪枝：各自对模型大小、速度、质量和注意力头的影响。",
    },
    "home_intervene": {
        "en": "switch heads off, mask or replace tokens, and see what changes downstream.",
        "zh": "关闭注意力头、遮盖或替换词元，观察后续发生的变化。",
    },
    "home_contributions": {
        "en": "Beyond attention weights: norm-based attention, rollout, flow, ALTI and input "
        "attribution (Integrated Gradients), beside the raw attention.",
        "zh": "超越注意力权重：基于范数的注意力、rollout、注意力流、ALTI 和输入归因"
        "（积分梯度），与原始注意力并排对比。",
    },
    "home_syntax": {
        "en": "Which heads track syntax: per dependency relation, the head whose most-attended word is "
        "the syntactic head most often, against a fixed-offset baseline (Clark et al. 2019); a "
        "sentence's dependency arcs over a head's attention.",
        "zh": "哪些注意力头追踪句法：对每种依存关系，找出“最受关注的词恰为句法中心词”比例最高的头，并与固定偏移基线比较"
        "（Clark 等，2019）；并把句子的依存弧画在某个头的注意力上。",
    },
}
