"""DeBERTa's score terms (c2c, c2p, p2c) captured through hooks, against the model's own scores.

The oracle is the model itself: torch's softmax is wrapped while the model runs, so the scores it
receives are recorded as the model computed them (no code of ours involved); the captured terms must
sum to those scores, and their softmax must be the model's own output_attentions."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import tiny_config

import bertviz_core as bc

TEXT = "The quick brown fox jumps over the lazy dog near the quiet river bank."

# the configurations the issue names: shared key on and off, one relative term only, buckets off and on
CONFIGS = {
    "shared-key": {"share_att_key": True, "pos_att_type": ["p2c", "c2p"], "position_buckets": 8},
    "separate-keys": {"share_att_key": False, "pos_att_type": ["p2c", "c2p"], "position_buckets": 8},
    "c2p-only": {"share_att_key": True, "pos_att_type": ["c2p"], "position_buckets": 8},
    "p2c-only": {"share_att_key": False, "pos_att_type": ["p2c"], "position_buckets": 8},
    "no-buckets": {"share_att_key": True, "pos_att_type": ["p2c", "c2p"], "position_buckets": -1},
}


@pytest.fixture(scope="module")
def deberta_variants(models_root):
    from transformers import AutoModel, AutoTokenizer

    from bertviz_core.models import student

    tokenizer = AutoTokenizer.from_pretrained(student.teacher_path())
    for name, extra in CONFIGS.items():
        config = tiny_config("deberta-v2")
        for key, value in extra.items():
            setattr(config, key, value)
        config.initializer_range = 0.2  # scores of order 1 (the default 0.02 makes every term tiny)
        torch.manual_seed(3)
        folder = models_root / f"tiny-deberta-{name}"
        AutoModel.from_config(config).save_pretrained(folder)
        tokenizer.save_pretrained(folder)
    return models_root


def model_scores_and_probs(lm, text):
    """The scores each attention softmax of the model receives, and the model's output_attentions."""
    seen = []
    real = torch.nn.functional.softmax

    def recording(x, *args, **kwargs):
        if x.dim() == 4:
            seen.append(x[0].detach().clone())
        return real(x, *args, **kwargs)

    enc = lm.tokenizer(text, return_tensors="pt")
    torch.nn.functional.softmax = recording
    try:
        with torch.no_grad():
            out = lm.model(**enc, output_attentions=True)
    finally:
        torch.nn.functional.softmax = real
    return torch.stack(seen).numpy(), torch.stack([a[0] for a in out.attentions]).numpy()


def check_terms_against_the_model(lm, text):
    trace = bc.capture(lm, text, terms=True)
    scores, probs = model_scores_and_probs(lm, text)
    terms = trace.deberta_terms
    L, H, T = scores.shape[0], scores.shape[1], scores.shape[-1]
    assert terms.shape == (L, H, 3, T, T) and trace.deberta_term_names == ("c2c", "c2p", "p2c")
    assert np.abs(terms.sum(axis=2) - scores).max() <= 1e-5
    summed = torch.from_numpy(terms.sum(axis=2)).softmax(-1).numpy()
    assert np.abs(summed - probs).max() <= 1e-5
    np.testing.assert_allclose(trace.attentions, probs, atol=1e-6)  # the captured attention is the model's own
    return trace


@pytest.mark.parametrize("name", list(CONFIGS))
def test_terms_sum_to_the_models_scores_and_their_softmax_is_its_attention(deberta_variants, name):
    lm = bc.load_model(f"tiny-deberta-{name}")
    trace = check_terms_against_the_model(lm, TEXT)
    used = tuple(t in ("c2c", *CONFIGS[name]["pos_att_type"]) for t in ("c2c", "c2p", "p2c"))
    assert trace.deberta_terms_used == used
    for k, on in enumerate(used):
        if not on:  # a term the config leaves out is zeros
            assert not trace.deberta_terms[:, :, k].any()
        else:
            assert np.abs(trace.deberta_terms[:, :, k]).max() > 0.1  # so the 1e-5 check has teeth


def test_terms_of_the_bundled_student_sum_to_its_scores():
    lm = bc.load_model("deberta-minilm-l6")
    trace = check_terms_against_the_model(lm, TEXT)
    assert trace.deberta_terms_used == (True, True, True)


def test_terms_only_when_asked_and_only_for_deberta(deberta_variants, bert):
    lm = bc.load_model("tiny-deberta-shared-key")
    plain = bc.capture(lm, TEXT)
    assert plain.deberta_terms is None and plain.deberta_terms_used == ()
    asked = bc.capture(lm, TEXT, terms=True)
    np.testing.assert_array_equal(plain.attentions, asked.attentions)  # asking changes nothing else
    assert asked.nbytes == plain.nbytes + asked.deberta_terms.nbytes
    assert bc.capture(bert, TEXT, terms=True).deberta_terms is None


def test_terms_leave_the_modules_list_of_terms_as_it_was(deberta_variants):
    lm = bc.load_model("tiny-deberta-p2c-only")
    bc.capture(lm, TEXT, terms=True)
    assert all(layer.attention.self.pos_att_type == ["p2c"] for layer in lm.model.encoder.layer)
