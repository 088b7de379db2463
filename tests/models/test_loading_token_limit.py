"""The token limit of a loaded model (LoadedModel.max_tokens): each family's position table, a DeBERTa's
tokenizer, at most 512; a longer text is cut to it and runs."""

from __future__ import annotations

import pytest

import bertviz_core as bc


@pytest.mark.parametrize("family,limit", [("bert", 64), ("roberta", 64), ("distilbert", 64), ("deberta-v2", 512)])
def test_token_limit_of_each_family(models_root, family, limit):
    """BERT-likes: their position table (64 here); RoBERTa: 66 positions minus padding_idx + 1; DeBERTa
    (relative positions): the tokenizer's limit, at most 512. A text longer than the limit runs."""
    lm = bc.load_model(f"tiny-{family}")
    assert lm.max_tokens == limit
    trace = bc.capture(lm, "word " * (limit + 10))
    assert len(trace) == limit and trace.dropped_tokens >= 10  # cut to the limit, and the model ran on it


def test_deberta_limit_follows_its_tokenizer(models_folder, models_root, fresh_cache):
    import json
    import shutil

    shutil.copytree(models_root / "tiny-deberta-v2", models_folder / "short-deberta")
    cfg = models_folder / "short-deberta" / "tokenizer_config.json"
    data = json.loads(cfg.read_text())
    data["model_max_length"] = 100
    cfg.write_text(json.dumps(data))
    lm = bc.load_model("short-deberta")
    assert lm.max_tokens == 100 and lm.label == "short-deberta"


def test_token_limit_is_at_most_512_for_longer_position_tables(models_folder, fresh_cache):
    import torch
    from conftest import tiny_config
    from transformers import AutoModel

    cfg = tiny_config("bert")
    cfg.max_position_embeddings = 1024
    torch.manual_seed(0)
    AutoModel.from_config(cfg).save_pretrained(models_folder / "long")
    for f in (models_folder / "good").iterdir():  # the tokenizer
        if f.suffix != ".safetensors" and f.name != "config.json":
            (models_folder / "long" / f.name).write_bytes(f.read_bytes())
    assert bc.load_model("long").max_tokens == 512
