"""bc.fill_mask against a tiny BertForMaskedLM whose answer is known in closed form, and against the plain
transformers model's own logits; the errors the page turns into messages."""

from __future__ import annotations

import math

import pytest

import bertviz_core as bc
from bertviz_core.analysis import fill_mask as fm

MAT_WEIGHT, RUG_WEIGHT = 1000.0, 500.0


@pytest.fixture(scope="module")
def oracle(models_root):
    """A tiny BertForMaskedLM whose logits at every position are exactly its decoder bias: the head's transform
    has dense = 0 (gelu(0) = 0) and LayerNorm beta = 0, so it outputs the zero vector whatever the encoder
    says, and logits = 0 . E^T + bias. The bias is ln 1000 for "mat", ln 500 for "rug" and 0 elsewhere, so
    P(mat) = 1000 / (1000 + 500 + (V - 2)) by hand."""
    import torch
    from conftest import tiny_config
    from transformers import AutoTokenizer, BertForMaskedLM

    from bertviz_core.models import student

    tokenizer = AutoTokenizer.from_pretrained(student.teacher_path())
    torch.manual_seed(3)
    model = BertForMaskedLM(tiny_config("bert"))
    transform = model.cls.predictions.transform
    bias = torch.zeros(model.config.vocab_size)
    mat, rug = tokenizer.convert_tokens_to_ids(["mat", "rug"])
    bias[mat], bias[rug] = math.log(MAT_WEIGHT), math.log(RUG_WEIGHT)
    with torch.no_grad():
        transform.dense.weight.zero_()
        transform.dense.bias.zero_()
        transform.LayerNorm.bias.zero_()
        model.cls.predictions.bias.copy_(bias)
    folder = models_root / "tiny-bert-fill-oracle"
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return bc.load_model("tiny-bert-fill-oracle")


def test_fill_mask_probabilities_equal_the_hand_computed_softmax_of_the_decoder_bias(oracle):
    vocab = oracle.config.vocab_size
    denominator = MAT_WEIGHT + RUG_WEIGHT + (vocab - 2)  # every other token: e^0 = 1
    guesses = bc.fill_mask(oracle, "The cat sat on the [MASK].", top_k=3)
    assert len(guesses) == 1
    (first, p1), (second, p2), (_, p3) = guesses[0].candidates
    assert (first, second) == ("mat", "rug")
    assert p1 == pytest.approx(MAT_WEIGHT / denominator, rel=1e-5)
    assert p2 == pytest.approx(RUG_WEIGHT / denominator, rel=1e-5)
    assert p3 == pytest.approx(1 / denominator, rel=1e-5)


def test_fill_mask_reports_each_mask_at_its_token_index_in_order_with_the_model_that_guessed(oracle):
    # [CLS] the cat sat on the [MASK] . a [MASK] ! [SEP]: masks at token indices 6 and 9
    guesses = bc.fill_mask(oracle, "The cat sat on the [MASK]. A [MASK]!", top_k=2)
    assert [(g.mask, g.position) for g in guesses] == [(0, 6), (1, 9)]
    assert all(g.model == "tiny-bert-fill-oracle" and g.label == oracle.label for g in guesses)
    assert all(len(g.candidates) == 2 for g in guesses)


def test_fill_mask_accepts_mask_typed_in_any_case(oracle):
    upper = bc.fill_mask(oracle, "The cat sat on the [MASK].", top_k=2)
    for typed in ("[mask]", "[Mask]", "[mAsK]"):
        assert bc.fill_mask(oracle, f"The cat sat on the {typed}.", top_k=2) == upper


def test_fill_mask_equals_the_softmax_of_the_transformers_model_logits_at_each_mask(mlm_folder):
    import torch
    from transformers import AutoTokenizer, BertForMaskedLM

    lm = bc.load_model("tiny-bert-mlm")
    text = "The [MASK] sat on the [MASK] today."
    guesses = bc.fill_mask(lm, text, top_k=4)
    tokenizer = AutoTokenizer.from_pretrained(mlm_folder)
    reference = BertForMaskedLM.from_pretrained(mlm_folder).eval()
    enc = tokenizer(text, return_tensors="pt")  # the tokenizer itself turns "[MASK]" into the mask token
    with torch.no_grad():
        probs = reference(**enc).logits[0].softmax(-1)
    masks = (enc["input_ids"][0] == tokenizer.mask_token_id).nonzero().flatten().tolist()
    assert [g.position for g in guesses] == masks
    for guess in guesses:
        values, ids = probs[guess.position].topk(4)
        assert [t for t, _ in guess.candidates] == tokenizer.convert_ids_to_tokens(ids.tolist())
        assert [p for _, p in guess.candidates] == pytest.approx(values.tolist(), abs=1e-6)


def test_fill_mask_without_a_mask_raises_no_mask(oracle):
    with pytest.raises(bc.FillMaskError) as info:
        bc.fill_mask(oracle, "The cat sat on the mat.")
    assert info.value.code == "no_mask"
    assert isinstance(info.value, ValueError)


def test_fill_mask_with_twenty_masks_says_twenty_is_too_many(oracle):
    with pytest.raises(bc.FillMaskError) as info:
        bc.fill_mask(oracle, " ".join(["[MASK]"] * 20))
    assert (info.value.code, info.value.count, info.value.limit) == ("too_many_masks", 20, fm.MAX_MASKS)
    assert "20 masks" in str(info.value)


def test_fill_mask_allows_exactly_the_limit_of_masks(oracle):
    assert len(bc.fill_mask(oracle, " ".join(["[MASK]"] * fm.MAX_MASKS), top_k=1)) == fm.MAX_MASKS


def test_fill_mask_longer_than_the_model_takes_raises_too_long(oracle):
    with pytest.raises(bc.FillMaskError) as info:
        bc.fill_mask(oracle, "word " * (oracle.max_tokens + 5) + "[MASK]")
    assert info.value.code == "too_long"


def test_fill_mask_on_a_model_without_mlm_head_raises_no_head_with_its_reason(models_root):
    lm = bc.load_model("tiny-bert")  # a plain BertModel checkpoint
    with pytest.raises(bc.FillMaskError) as info:
        bc.fill_mask(lm, "The cat sat on the [MASK].")
    assert info.value.code == "no_head"
    assert "masked-language-model head" in str(info.value)


def test_fill_mask_on_the_bundled_bert_raises_no_head(bert):
    with pytest.raises(bc.FillMaskError) as info:
        bc.fill_mask(bert, "The cat sat on the [MASK].")
    assert info.value.code == "no_head"


def test_a_typed_sep_between_masks_stays_text(oracle):
    ids, positions = fm.masked_ids(oracle.tokenizer, "a [SEP] [MASK]")
    tokens = oracle.tokenizer.convert_ids_to_tokens(ids)
    assert tokens == ["[CLS]", "a", "[", "sep", "]", "[MASK]", "[SEP]"]
    assert positions == [5]


def test_mask_attention_is_the_transformers_models_attention_from_each_mask(mlm_folder):
    import torch
    from transformers import AutoTokenizer, BertForMaskedLM

    lm = bc.load_model("tiny-bert-mlm")
    text = "The [MASK] sat on the [MASK] today."
    looked = fm.mask_attention(lm, text)
    tokenizer = AutoTokenizer.from_pretrained(mlm_folder)
    reference = BertForMaskedLM.from_pretrained(mlm_folder, attn_implementation="eager").eval()
    enc = tokenizer(text, return_tensors="pt")
    with torch.no_grad():
        attentions = reference(**enc, output_attentions=True).attentions
    masks = (enc["input_ids"][0] == tokenizer.mask_token_id).nonzero().flatten().tolist()
    assert list(looked.positions) == masks == [g.position for g in bc.fill_mask(lm, text)]
    assert list(looked.tokens) == tokenizer.convert_ids_to_tokens(enc["input_ids"][0].tolist())
    expected = torch.stack([a[0][:, masks, :] for a in attentions]).numpy()  # [layers, heads, masks, T]
    assert looked.rows.shape == expected.shape
    assert looked.rows == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("text, code", [("No mask here.", "no_mask"), (" ".join(["[MASK]"] * 20), "too_many_masks")])
def test_mask_attention_refuses_what_fill_mask_refuses(oracle, text, code):
    with pytest.raises(bc.FillMaskError) as err:
        fm.mask_attention(oracle, text)
    assert err.value.code == code
