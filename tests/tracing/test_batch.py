"""Batched capture (bertviz_core.tracing.batch) against single-sentence capture(), the oracle."""

from __future__ import annotations

import numpy as np
import pytest

import bertviz_core as bc
from bertviz_core.tracing import batch

# 1 to ~40 tokens: every sentence but the longest is padded in its batch
TEXTS = [
    "Hi",
    "The cat sat.",
    "Dogs bark loudly at night near the old red barn.",
    "What if Google expanded on its search-engine (and now e-mail) wares into a full-fledged operating system?",
    "A much longer sentence here, with commas, clauses and a few more words, so that the padding of the others matters.",
    "Short one.",
]


@pytest.fixture(scope="module", params=["bert-minilm-l6", "convbert-minilm-l6"])
def lm(request):
    return bc.load_model(request.param)


def test_batched_equals_single_capture(lm):
    traces = batch.capture_batch(lm, TEXTS, batch_size=4)  # two batches, both padded
    lengths = {len(t) for t in traces}
    assert len(lengths) == len(TEXTS)  # all lengths differ
    for text, got in zip(TEXTS, traces):
        want = bc.capture(lm, text)
        assert got.tokens == want.tokens and got.token_ids == want.token_ids and got.text == text
        assert got.special == want.special and got.offsets == want.offsets
        np.testing.assert_allclose(got.attentions, want.attentions, atol=1e-5, rtol=0)
        np.testing.assert_allclose(got.hidden_states, want.hidden_states, atol=1e-5, rtol=0)
        np.testing.assert_array_equal(got.position_embeddings, want.position_embeddings)
        np.testing.assert_array_equal(got.token_type_embeddings, want.token_type_embeddings)
        if lm.family == "convbert":  # padding would leak into the conv windows of the last tokens
            np.testing.assert_allclose(got.conv_kernels, want.conv_kernels, atol=1e-5, rtol=0)
        else:
            assert got.conv_kernels is None
        np.testing.assert_allclose(got.attentions.sum(-1), 1, atol=1e-5)  # padding got no weight


def test_sentence_pairs_batched(bert):
    pairs = [("The cat sat.", "It purred."), ("Dogs bark.", "Cats meow at night, loudly and often.")]
    traces = batch.capture_batch(bert, [a for a, _ in pairs], [b for _, b in pairs])
    for (a, b), got in zip(pairs, traces):
        want = bc.capture(bert, a, b)
        assert got.b_start == want.b_start and got.tokens == want.tokens
        np.testing.assert_allclose(got.attentions, want.attentions, atol=1e-5, rtol=0)
        np.testing.assert_array_equal(got.token_type_embeddings, want.token_type_embeddings)


def test_batches_respect_size_and_cell_limits():
    lengths = [5, 50, 7, 6, 49, 100, 5]
    plan = batch.plan_batches(lengths, batch_size=3, max_cells=3 * 50**2)
    assert sorted(i for b in plan for i in b) == list(range(len(lengths)))
    for b in plan:
        assert len(b) <= 3
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) ** 2 <= 3 * 50**2
    assert [lengths[i] for b in plan for i in b] == sorted(lengths)  # sorted: least padding
    assert [100] in [[lengths[i] for i in b] for b in plan]  # too big to share: alone


def test_empty_text_is_refused(bert):
    with pytest.raises(ValueError, match="empty"):
        batch.capture_batch(bert, ["fine", "  "])


@pytest.mark.parametrize("family", ["distilbert", "albert", "roberta", "electra", "deberta-v2", "convbert"])
def test_batched_equals_single_on_tiny_models_of_every_family(models_root, family):
    lm = bc.load_model(f"tiny-{family}")
    texts = TEXTS[:4]
    for text, got in zip(texts, batch.capture_batch(lm, texts, batch_size=4)):
        want = bc.capture(lm, text)
        assert got.tokens == want.tokens
        np.testing.assert_allclose(got.attentions, want.attentions, atol=1e-5, rtol=0)
        np.testing.assert_allclose(got.hidden_states, want.hidden_states, atol=1e-5, rtol=0)
        if want.conv_kernels is not None:
            np.testing.assert_allclose(got.conv_kernels, want.conv_kernels, atol=1e-5, rtol=0)
