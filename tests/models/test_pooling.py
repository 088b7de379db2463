"""Mean pooling and pooled cosines (bertviz_core.models.pooling), the one copy distillation and compression use.
Oracles: a case worked out by hand; numpy on the models' own last hidden states."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import bertviz_core as bc
from bertviz_core.analysis import compress
from bertviz_core.models import pooling
from bertviz_core.training import distill


def test_mean_pool_averages_real_tokens_only_by_hand():
    hidden = torch.tensor([[[1.0, 2.0], [3.0, 4.0], [100.0, 100.0]], [[2.0, 0.0], [-1.0, 5.0], [8.0, 1.0]]])
    mask = torch.tensor([[1, 1, 0], [1, 1, 1]])
    np.testing.assert_allclose(pooling.mean_pool(hidden, mask).numpy(), [[2.0, 3.0], [3.0, 2.0]])
    empty = pooling.mean_pool(hidden[:1], torch.zeros(1, 3, dtype=torch.long))  # no real token: zeros, not nan
    assert torch.equal(empty, torch.zeros(1, 2))


def test_distillation_and_compression_share_one_pooling():
    assert distill.mean_pool is pooling.mean_pool and distill.pooled_cosines is pooling.pooled_cosines
    assert compress.mean_pool is pooling.mean_pool


def test_pooled_cosines_equal_numpy_on_the_models_outputs(models_root):
    a, b = bc.load_model("tiny-bert"), bc.load_model("tiny-electra")
    sentences = ["The quick brown fox.", "A much longer sentence about foxes and dogs and cats.", "Hi."]
    got = pooling.pooled_cosines(a.model, b.model, a.tokenizer, sentences, batch=2)
    expected = []
    for s in sentences:  # one sentence at a time: no padding at all
        enc = a.tokenizer(s, return_tensors="pt")
        with torch.no_grad():
            u = a.model(**enc).last_hidden_state[0].numpy().mean(0)
            v = b.model(**enc).last_hidden_state[0].numpy().mean(0)
        expected.append(float(u @ v / np.linalg.norm(u) / np.linalg.norm(v)))
    assert got == pytest.approx(expected, abs=1e-5)
    assert pooling.pooled_cosines(a.model, a.model, a.tokenizer, sentences) == pytest.approx([1.0] * 3, abs=1e-6)
