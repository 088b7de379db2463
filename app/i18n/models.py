"""UI text of the model names, as the pickers and figure titles show them: mlabel_<registry id>."""

TEXT = {
    "mlabel_bert-minilm-l6": {"en": "BERT · MiniLM-L6 (bundled)", "zh": "BERT · MiniLM-L6（内置）"},
    "mlabel_convbert-minilm-l6": {
        "en": "ConvBERT · MiniLM-L6 (bundled, distilled here)",
        "zh": "ConvBERT · MiniLM-L6（内置，本项目蒸馏）",
    },
    "mlabel_convbert-minilm-l6-free": {
        "en": "ConvBERT · MiniLM-L6, free attention (bundled, distilled here)",
        "zh": "ConvBERT · MiniLM-L6，自学注意力（内置，本项目蒸馏）",
    },
    "mlabel_distilbert-minilm-l3": {"en": "DistilBERT · 3 layers (bundled)", "zh": "DistilBERT · 3 层（内置）"},
    "mlabel_tinybert-minilm-l4": {
        "en": "TinyBERT-4 · 4 layers, hidden 312 (bundled)",
        "zh": "TinyBERT-4 · 4 层，隐藏维度 312（内置）",
    },
    "mlabel_deberta-minilm-l6": {
        "en": "DeBERTa · MiniLM-L6 (bundled, distilled in-house)",
        "zh": "DeBERTa · MiniLM-L6（内置，本项目蒸馏）",
    },
    "mlabel_bert-minilm-l6-mlm": {
        "en": "BERT · MiniLM-L6, retrained to fill in [MASK] (bundled)",
        "zh": "BERT · MiniLM-L6，重新训练以填补 [MASK]（内置）",
    },
    "mlabel_electra-minilm-l6": {
        "en": "ELECTRA · MiniLM-L6 discriminator (bundled, trained here)",
        "zh": "ELECTRA · MiniLM-L6 判别器（内置，本项目训练）",
    },
    "mlabel_bert-base-uncased": {"en": "BERT base uncased", "zh": "BERT base（不区分大小写）"},
    "mlabel_bert-base-multilingual-cased": {
        "en": "mBERT base cased (multilingual)",
        "zh": "多语言 BERT base（区分大小写）",
    },
    "mlabel_bert-base-chinese": {"en": "BERT base Chinese", "zh": "BERT base 中文"},
    "mlabel_biobert-base-cased-v1.2": {
        "en": "BioBERT base cased v1.2 (biomedical)",
        "zh": "BioBERT base v1.2（生物医学，区分大小写）",
    },
    "mlabel_distilbert-base-uncased": {"en": "DistilBERT base uncased", "zh": "DistilBERT base（不区分大小写）"},
    "mlabel_albert-base-v2": {"en": "ALBERT base v2", "zh": "ALBERT base v2"},
    "mlabel_roberta-base": {"en": "RoBERTa base", "zh": "RoBERTa base"},
    "mlabel_electra-small-discriminator": {"en": "ELECTRA small discriminator", "zh": "ELECTRA small 判别器"},
    "mlabel_deberta-v3-small": {"en": "DeBERTa-v3 small", "zh": "DeBERTa-v3 small"},
    "mlabel_conv-bert-base": {"en": "ConvBERT base (YituTech)", "zh": "ConvBERT base（YituTech）"},
}
