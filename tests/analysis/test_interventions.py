"""Head ablation, token masking and fill-mask (bertviz_core.analysis.interventions) (the /intervene page and
its Chromium check: tests/app/test_intervene_page.py).

Oracles: the model's own modules run by hand layer by layer with a head's context zeroed; a
forward pre-hook written here on each family's known projection path; the checkpoint's own
BertForMaskedLM loaded independently."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import bertviz_core as bc
from bertviz_core.analysis import interventions as iv
from bertviz_core.models import mlm

TEXT = "The animal didn't cross the street because it was too tired."


def manual_layer(layer, h, zero_slots=(), head_size=32):
    """One BERT/ConvBERT layer by hand from its modules, with the given slots of the context zeroed."""
    context = layer.attention.self(h)[0].clone()  # [1, T, slots * head_size]
    for s in zero_slots:
        context[..., s * head_size : (s + 1) * head_size] = 0
    attention = layer.attention.output(context, h)  # projection, residual, LayerNorm
    return layer.output(layer.intermediate(attention), attention)


def manual_run(lm, base, ablate_layer, slots):
    """Hidden states [L+1, T, D]: the plain run's up to the ablated layer, then layers by hand."""
    hidden = [torch.from_numpy(np.array(base.hidden_states[i]))[None] for i in range(ablate_layer + 1)]
    h = hidden[-1]
    with torch.no_grad():
        for i, layer in enumerate(lm.model.encoder.layer):
            if i < ablate_layer:
                continue
            h = manual_layer(layer, h, slots if i == ablate_layer else ())
            hidden.append(h)
    return torch.cat(hidden).numpy()


def test_ablating_no_head_reproduces_outputs_exactly(bert):
    base = bc.capture(bert, TEXT)
    out = iv.run(bert, TEXT, base=base)
    assert np.array_equal(out.trace.attentions, base.attentions)
    assert np.array_equal(out.trace.hidden_states, base.hidden_states)
    assert out.cosine == pytest.approx(1.0, abs=1e-12) and not out.js.any()
    enc = bert.tokenizer(TEXT, return_tensors="pt")
    with torch.no_grad():
        plain = bert.model(**enc).last_hidden_state
        with iv.head_gates(bert.model, torch.ones(6, 12)):  # gates of 1 everywhere: exact too
            gated = bert.model(**enc).last_hidden_state
    assert torch.equal(plain, gated)


def test_ablating_a_bert_head_equals_manual_recomputation(bert):
    base = bc.capture(bert, TEXT)
    out = iv.run(bert, TEXT, ablate=[(2, 5)], base=base)
    expected = manual_run(bert, base, 2, [5])
    np.testing.assert_array_equal(out.trace.hidden_states[:3], base.hidden_states[:3])  # before: untouched
    np.testing.assert_allclose(out.trace.hidden_states, expected, atol=2e-5)
    assert np.abs(out.trace.hidden_states[3] - base.hidden_states[3]).max() > 1e-3  # it did change
    # attention: unchanged up to the ablated layer, changed after it
    assert not out.js[:3].any() and out.js[3:].max() > 0
    assert out.cosine < 1.0


def test_ablating_a_convbert_conv_head_equals_manual_recomputation():
    conv = bc.load_model("convbert-minilm-l6")
    base = bc.capture(conv, TEXT)
    n_heads = base.n_heads  # 6 attention heads; conv head 2 is slot 6 + 2
    out = iv.run(conv, TEXT, ablate=[(1, n_heads + 2)], base=base)
    expected = manual_run(conv, base, 1, [n_heads + 2])
    np.testing.assert_allclose(out.trace.hidden_states, expected, atol=2e-5)
    assert np.abs(out.trace.hidden_states[2] - base.hidden_states[2]).max() > 1e-3
    assert out.js.shape == (6, 12) and not out.js[:2].any() and out.js[2:, 6:].max() > 0  # conv kernels change too
    # an attention slot is a different slice: ablating it gives another result
    other = iv.run(conv, TEXT, ablate=[(1, 2)], base=base)
    assert np.abs(other.trace.hidden_states[-1] - out.trace.hidden_states[-1]).max() > 1e-4


# each family's output projection, written out here independently of interventions.output_projections
PROJECTION = {
    "bert": "encoder.layer.{i}.attention.output.dense",
    "convbert": "encoder.layer.{i}.attention.output.dense",
    "roberta": "encoder.layer.{i}.attention.output.dense",
    "electra": "encoder.layer.{i}.attention.output.dense",
    "deberta-v2": "encoder.layer.{i}.attention.output.dense",
    "distilbert": "transformer.layer.{i}.attention.out_lin",
    "albert": "encoder.albert_layer_groups.0.albert_layers.0.attention.dense",
}


@pytest.mark.parametrize("family", sorted(PROJECTION))
def test_every_family_ablates_the_right_slice(models_root, family):
    lm = bc.load_model(f"tiny-{family}")
    enc = lm.tokenizer("The quick brown fox jumps.", return_tensors="pt")
    size = iv.head_size(lm.model)
    n_attn, n_conv = iv.slot_counts(lm.model)
    slot = n_attn + n_conv - 1  # the last slot (ConvBERT: its last conv head)
    calls = []

    def zero_last(module, args):  # by hand: zero the slice, in layer 1 only
        calls.append(1)
        if len(calls) % 2 == 0:  # the second call is layer 1 (ALBERT shares one module)
            x = args[0].clone()
            x[..., slot * size : (slot + 1) * size] = 0
            return (x,)

    paths = {PROJECTION[family].format(i=i) for i in range(2)}
    with torch.no_grad():
        handles = [lm.model.get_submodule(p).register_forward_pre_hook(zero_last) for p in paths]
        try:
            expected = lm.model(**enc).last_hidden_state
        finally:
            for h in handles:
                h.remove()
        with iv.head_gates(lm.model, {1: {slot: 0.0}}):
            got = lm.model(**enc).last_hidden_state
        plain = lm.model(**enc).last_hidden_state
    assert torch.allclose(got, expected, atol=1e-6)
    assert not torch.allclose(got, plain, atol=1e-6)


def test_masking_and_replacing_tokens(bert):
    base = bc.capture(bert, "The cat sat on the mat.")
    out = iv.run(bert, "The cat sat on the mat.", replace={2: iv.MASK}, base=base)
    assert out.trace.tokens[2] == "[MASK]" and out.replaced == {2: "[MASK]"}
    ids = list(base.token_ids)
    ids[2] = bert.tokenizer.mask_token_id
    with torch.no_grad():
        expected = bert.model(input_ids=torch.tensor([ids])).last_hidden_state[0].numpy()
    np.testing.assert_allclose(out.trace.hidden_states[-1], expected, atol=1e-5)
    assert out.js[0].max() > 0  # masking changes attention from layer 0
    dog = iv.run(bert, "The cat sat on the mat.", replace={2: "dog"}, base=base)
    assert dog.trace.tokens[2] == "dog"
    with pytest.raises(ValueError, match="exactly one token"):
        iv.run(bert, "The cat sat on the mat.", replace={2: "unbelievabilityness"}, base=base)
    with pytest.raises(ValueError, match="special token"):
        iv.run(bert, "The cat sat on the mat.", replace={0: iv.MASK}, base=base)
    with pytest.raises(ValueError, match="does not exist"):
        iv.run(bert, "The cat sat on the mat.", replace={99: iv.MASK}, base=base)


def test_parse_heads_names_and_errors():
    assert iv.parse_heads(["L2 H3", "L0 C1", "L2 H3"], 6, 6, 6) == [(0, 7), (2, 3)]
    with pytest.raises(ValueError, match="does not exist"):
        iv.parse_heads(["L6 H0"], 6, 12)
    with pytest.raises(ValueError, match="does not exist"):
        iv.parse_heads(["L0 C0"], 6, 12)


def test_fill_mask_returns_the_checkpoints_own_top_k(mlm_folder):
    from transformers import BertForMaskedLM

    lm = bc.load_model("tiny-bert-mlm")
    assert iv.no_mlm_reason(lm) is None
    out = iv.run(lm, "The cat sat on the mat.", replace={3: iv.MASK}, k=5)
    reference = BertForMaskedLM.from_pretrained(mlm_folder).eval()
    ids = list(out.trace.token_ids)
    with torch.no_grad():
        probs = reference(input_ids=torch.tensor([ids])).logits[0, 3].softmax(-1)
    values, top = probs.topk(5)
    assert [w for w, _ in out.fill[3]] == lm.tokenizer.convert_ids_to_tokens(top.tolist())
    np.testing.assert_allclose([p for _, p in out.fill[3]], values.numpy(), rtol=1e-5)
    # with a head ablated, predictions come from the ablated model, and the plain ones are kept beside them
    both = iv.run(lm, "The cat sat on the mat.", replace={3: iv.MASK}, ablate=[(0, 1)], k=5)
    assert both.fill_without_ablation == out.fill and both.fill != out.fill


def test_models_without_mlm_head_say_why(bert, models_root):
    assert iv.no_mlm_reason(bert) == "bundled"
    assert iv.no_mlm_reason(bc.load_model("tiny-bert")) == "no_head"  # a plain BertModel checkpoint
    roberta = bc.load_model("tiny-roberta")  # no head and a vocabulary of its own: nobody can guess for it
    assert iv.guesser(roberta) is None
    out = iv.run(roberta, "The cat sat.", replace={2: iv.MASK})
    assert out.fill is None and out.guessed_by is None


def guesser_top_k(guess, ids, position, gates=None):
    """The bundled masked-word model's own top-5 at `position` of `ids` (transformers' forward, gates optional)."""
    model = iv.mlm_model(guess)
    with torch.no_grad(), iv.head_gates(guess.model, gates or {}):
        probs = model(input_ids=torch.tensor([ids])).logits[0, position].double().softmax(-1)
    values, top = probs.topk(5)
    return guess.tokenizer.convert_ids_to_tokens(top.tolist()), values.numpy()


def test_a_model_without_a_head_has_its_masks_guessed_by_the_bundled_mlm_model(bert):
    guess = iv.guesser(bert)
    assert guess is not None and guess.id == mlm.GUESSER_ID == "bert-minilm-l6-mlm" and guess is not bert
    out = iv.run(bert, "The cat sat on the mat.", replace={6: iv.MASK})
    assert out.guessed_by == guess.id
    words, probs = guesser_top_k(guess, out.trace.token_ids, 6)
    assert [w for w, _ in out.fill[6]] == words
    np.testing.assert_allclose([p for _, p in out.fill[6]], probs, rtol=1e-5)
    assert iv.guesser(guess) is guess  # the MLM model guesses for itself


def test_heads_switched_off_in_bert_are_switched_off_in_the_guesser_retrained_from_it(bert):
    assert iv.guesser_origin() == bert.id
    heads = [(5, 3), (4, 1), (3, 0)]
    out = iv.run(bert, "The cat sat on the mat.", replace={6: iv.MASK}, ablate=heads)
    assert out.guess_ablated
    guess = iv.guesser(bert)
    words, probs = guesser_top_k(guess, out.trace.token_ids, 6, iv.ablation_gates(heads))
    assert [w for w, _ in out.fill[6]] == words
    np.testing.assert_allclose([p for _, p in out.fill[6]], probs, rtol=1e-5)
    plain_words, _ = guesser_top_k(guess, out.trace.token_ids, 6)
    assert [w for w, _ in out.fill_without_ablation[6]] == plain_words and out.fill != out.fill_without_ablation


def test_heads_of_another_model_are_not_switched_off_in_the_guesser(convbert):
    out = iv.run(convbert, "The cat sat on the mat.", replace={6: iv.MASK}, ablate=[(5, 3)])
    assert out.guessed_by == mlm.GUESSER_ID and not out.guess_ablated and out.fill_without_ablation is None
    words, _ = guesser_top_k(iv.guesser(convbert), out.trace.token_ids, 6)
    assert [w for w, _ in out.fill[6]] == words
