"""bertviz_core.models.mlm: the one MLM-head loader of fill-mask (interventions) and masked-word attribution
(contributions). Oracles: a BertForMaskedLM saved here, run as transformers loads it itself."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from conftest import tiny_config

import bertviz_core as bc
from bertviz_core.analysis import interventions as iv
from bertviz_core.analysis.contributions import MethodUnavailable, masked_lm
from bertviz_core.models import mlm


@pytest.fixture(scope="module")
def mlm_folder(models_root):
    """A tiny BertForMaskedLM (random, head included) saved with save_pretrained."""
    from transformers import AutoTokenizer, BertForMaskedLM

    from bertviz_core.models import student

    folder = models_root / "tiny-bert-mlm"
    if not folder.exists():
        torch.manual_seed(0)
        BertForMaskedLM(tiny_config("bert")).save_pretrained(folder)
        AutoTokenizer.from_pretrained(student.teacher_path()).save_pretrained(folder)
    return folder


def test_the_head_wraps_the_loaded_encoder_and_predicts_as_the_checkpoint(mlm_folder):
    from transformers import BertForMaskedLM

    lm = bc.load_model("tiny-bert-mlm")
    model = mlm.mlm_model(lm)
    assert getattr(model, model.base_model_prefix) is lm.model  # one encoder in memory: the one pages capture
    assert mlm.mlm_model(lm) is model and masked_lm(lm) is model and iv.mlm_model(lm) is model  # loaded once
    assert mlm.no_mlm_reason(lm) is None and mlm.mlm_status(lm).message(lm.label) == ""
    reference = BertForMaskedLM.from_pretrained(mlm_folder).eval()  # its own copy of everything
    ids = lm.tokenizer("The cat [MASK] on the mat.", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        torch.testing.assert_close(model(input_ids=ids).logits, reference(input_ids=ids).logits)


def test_each_loaded_model_has_its_own_head(mlm_folder):
    lm = bc.load_model("tiny-bert-mlm")
    other = dataclasses.replace(lm, model=bc.load_model("tiny-bert-mlm").model)  # another LoadedModel
    assert mlm.mlm_model(other) is not mlm.mlm_model(lm)


def test_models_without_a_head_say_why_alike_for_both_users(bert, models_root):
    tiny = bc.load_model("tiny-bert")  # saved with AutoModel: no head, architectures say so
    for lm, reason in ((bert, "bundled"), (tiny, "no_head")):
        status = mlm.mlm_status(lm)
        assert status.model is None and status.reason == reason == iv.no_mlm_reason(lm)
        assert iv.mlm_model(lm) is None
        with pytest.raises(MethodUnavailable, match="has no masked-language-model head, so it cannot predict") as info:
            masked_lm(lm)
        assert info.value.code == "no_mlm" and info.value.params == {"model": lm.label}


def test_status_messages_name_the_model_and_the_cause():
    assert mlm.MlmStatus(reason="no_head", missing="cls.predictions.bias").message("M") == (
        "M has no trained masked-language-model head (missing cls.predictions.bias)."
    )
    assert mlm.MlmStatus(reason="no_head", error="no file").message("M") == (
        "M: its masked-language-model head could not be loaded (no file)."
    )
    assert mlm.MlmStatus(reason="student").message("M") == (
        "M has no masked-language-model head, so it cannot predict a masked word."
    )
    assert set(mlm.REASONS) == {"bundled", "student", "no_head"}


def test_the_bundled_mlm_model_guesses_for_models_that_read_its_vocabulary(bert, models_root):
    guess = mlm.guesser(bert)
    assert guess is not None and guess.id == mlm.GUESSER_ID and mlm.mlm_model(guess) is not None
    assert mlm.same_vocabulary(bert, guess) and mlm.guesser(bert) is guess  # decided once
    assert mlm.guesser(guess) is guess  # a model with its own head guesses itself
    assert mlm.guesser_origin() == "bert-minilm-l6"  # read from its bertviz_base.json
    roberta = bc.load_model("tiny-roberta")  # its own BPE vocabulary: the same ids are other pieces
    assert not mlm.same_vocabulary(roberta, guess) and mlm.guesser(roberta) is None
