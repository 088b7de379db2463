"""bertviz_core.analysis.electra: `replaced_token_scores` (the discriminator's per-token probability of "replaced")
and `roc_auc`. Oracles: an ElectraForPreTraining holding the same weights, run as transformers loads it itself
(a hub-like folder saved with save_pretrained, and the in-house student's compact folder); sklearn's ROC AUC and
hand-counted pairs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from conftest import tiny_config

import bertviz_core as bc
from bertviz_core.analysis import electra
from bertviz_core.models import registry, student


# ---------------------------------------------------------------- roc_auc
def test_roc_auc_counts_the_pairs_ranked_right_by_hand():
    # replaced: 0.35, 0.8; original: 0.1, 0.4 -> pairs (0.35>0.1 yes, 0.35>0.4 no, 0.8>both yes) = 3 of 4
    assert electra.roc_auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == 0.75
    # a tie between a replaced and an original token counts one half: (1 + 0.5) / 2
    assert electra.roc_auc([0.2, 0.5, 0.5], [0, 0, 1]) == 0.75
    assert np.isnan(electra.roc_auc([0.1, 0.2], [1, 1]))  # one class only: undefined


def test_roc_auc_agrees_with_sklearn_on_scores_with_ties():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    labels = rng.random(2000) < 0.2
    scores = np.round(rng.random(2000) + 0.3 * labels, 2)  # rounded: many ties
    assert abs(electra.roc_auc(scores, labels) - roc_auc_score(labels, scores)) < 1e-12


# ---------------------------------------------------------------- a hub-like ELECTRA discriminator
@pytest.fixture(scope="module")
def discriminator_folder(models_root):
    """A tiny ElectraForPreTraining (random, head included; embedding_size 16 < hidden: a projection, as the hub
    discriminators have) saved with save_pretrained beside the other tiny checkpoints."""
    from transformers import AutoTokenizer, ElectraForPreTraining

    folder = models_root / "tiny-electra-discriminator"
    if not folder.exists():
        torch.manual_seed(3)
        ElectraForPreTraining(tiny_config("electra")).save_pretrained(folder)
        AutoTokenizer.from_pretrained(student.teacher_path()).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def generator_folder(models_root):
    """A tiny ELECTRA generator (ElectraForMaskedLM): an ELECTRA checkpoint without the discriminator head."""
    from transformers import AutoTokenizer, ElectraForMaskedLM

    folder = models_root / "tiny-electra-generator"
    if not folder.exists():
        torch.manual_seed(4)
        ElectraForMaskedLM(tiny_config("electra")).save_pretrained(folder)
        AutoTokenizer.from_pretrained(student.teacher_path()).save_pretrained(folder)
    return folder


SENTENCE = "The chef cooked the meal in the kitchen."


def test_scores_are_the_sigmoid_of_the_checkpoint_s_own_logits(discriminator_folder):
    from transformers import ElectraForPreTraining

    lm = bc.load_model(discriminator_folder.name)
    reference = ElectraForPreTraining.from_pretrained(discriminator_folder).eval()  # its own copy of everything
    ids = lm.tokenizer(SENTENCE)["input_ids"]
    with torch.no_grad():
        expected = torch.sigmoid(reference(input_ids=torch.tensor([ids])).logits[0])
    r = bc.replaced_token_scores(lm, SENTENCE)
    assert r.ids == ids and r.tokens[0] == "[CLS]" and r.tokens[-1] == "[SEP]" and len(r.probs) == len(ids)
    torch.testing.assert_close(torch.tensor(r.probs), expected)
    assert float(expected.std()) > 1e-3  # random weights: the probabilities differ from token to token
    assert bc.replaced_token_scores(lm, ids).probs == r.probs  # the same ids given as a list
    swapped = [*ids[:3], lm.tokenizer.convert_tokens_to_ids("ate"), *ids[4:]]  # a word replaced by hand
    with torch.no_grad():
        expected = torch.sigmoid(reference(input_ids=torch.tensor([swapped])).logits[0])
    torch.testing.assert_close(torch.tensor(bc.replaced_token_scores(lm, swapped).probs), expected)


def test_the_head_wraps_the_encoder_pages_capture_and_is_loaded_once(discriminator_folder):
    lm = bc.load_model(discriminator_folder.name)
    head = electra.discriminator(lm)
    assert head.electra is lm.model and electra.discriminator(lm) is head
    other = dataclasses.replace(lm, model=bc.load_model(discriminator_folder.name).model)
    assert electra.discriminator(other) is not head


def test_models_without_a_discriminator_head_raise_a_coded_error(bert, generator_folder, models_root):
    cases = (
        (bert, "family"),  # a BERT: its family has no replaced-token head
        (bc.load_model("tiny-electra"), "no_head"),  # an ELECTRA encoder saved without any head
        (bc.load_model(generator_folder.name), "no_head"),  # an ELECTRA generator: an MLM head, not this one
    )
    for lm, code in cases:
        with pytest.raises(electra.NoDiscriminator, match="no replaced-token-detection") as info:
            bc.replaced_token_scores(lm, SENTENCE)
        assert isinstance(info.value, ValueError) and info.value.code == code, lm.id


def test_input_it_cannot_score_gets_a_coded_error(discriminator_folder):
    lm = bc.load_model(discriminator_folder.name)
    for bad, code in (([], "bad_ids"), ([101, 10**6, 102], "bad_ids"), ([101, -1, 102], "bad_ids")):
        with pytest.raises(electra.ReplacedTokenError) as info:
            bc.replaced_token_scores(lm, bad)
        assert info.value.code == code
    with pytest.raises(electra.ReplacedTokenError) as info:
        bc.replaced_token_scores(lm, "word " * (lm.max_tokens + 5))
    assert info.value.code == "too_long" and str(lm.max_tokens) in str(info.value)


# ---------------------------------------------------------------- the in-house student
@pytest.fixture(scope="module")
def electra_student_folder(tmp_path_factory):
    """An "electra" student (the bundled encoder, a seeded fresh head) in its compact form."""
    torch.manual_seed(5)
    model = student.new_student(kind="electra")
    student.init_from_teacher(model, student.teacher_state(), kind="electra")
    folder = tmp_path_factory.mktemp("electra_models") / "electra-minilm-l6"
    student.save_student(model, folder, kind="electra")
    return folder


def check_student_scores(lm, folder):
    reference = student.load_student(folder)  # an ElectraForPreTraining with the same weights, head included
    assert type(reference).__name__ == "ElectraForPreTraining"
    ids = lm.tokenizer(SENTENCE)["input_ids"]
    with torch.no_grad():
        expected = torch.sigmoid(reference(input_ids=torch.tensor([ids])).logits[0])
    torch.testing.assert_close(torch.tensor(bc.replaced_token_scores(lm, SENTENCE).probs), expected)
    assert electra.discriminator(lm).electra is lm.model


def test_the_student_s_head_is_found_in_the_models_folder(electra_student_folder, tmp_path, monkeypatch, fresh_cache):
    import shutil

    folder = tmp_path / "my-electra-student"  # not a registry id: the models folder is where it is looked up
    shutil.copytree(electra_student_folder, folder)
    monkeypatch.setenv("BERTVIZ_MODELS_DIR", str(tmp_path))
    lm = bc.load_model(folder.name)
    assert type(lm.model).__name__ == "ElectraModel"  # what capture() hooks
    assert bc.capture(lm, SENTENCE).attentions.shape[:2] == (6, 12)
    check_student_scores(lm, folder)


def test_the_bundled_student_s_head_is_found(electra_student_folder, monkeypatch):
    from transformers import AutoTokenizer

    from bertviz_core.models.loading import finish_loaded

    entry = registry.ModelEntry("electra-minilm-l6", "ELECTRA", "electra", "bundled", "")
    monkeypatch.setattr(registry, "entry", lambda model_id: entry if model_id == entry.id else None)
    monkeypatch.setattr(registry, "WEIGHTS_DIR", electra_student_folder.parent)
    assert student.REGISTRY_IDS["electra"] == entry.id
    encoder = student.load_encoder(electra_student_folder)
    tokenizer = AutoTokenizer.from_pretrained(student.teacher_path())
    check_student_scores(finish_loaded(entry.id, entry.label, encoder, tokenizer), electra_student_folder)
    other = finish_loaded("other-electra", "x", encoder, tokenizer)  # bundled, without a student folder
    monkeypatch.setattr(
        registry, "entry", lambda model_id: registry.ModelEntry(model_id, "x", "electra", "bundled", "")
    )
    with pytest.raises(electra.NoDiscriminator) as info:
        bc.replaced_token_scores(other, SENTENCE)
    assert info.value.code == "bundled"


def test_an_mlm_student_has_no_discriminator(tmp_path, monkeypatch, fresh_cache):
    model = student.new_student(kind="mlm")
    student.init_from_teacher(model, student.teacher_state(), kind="mlm")
    student.save_student(model, tmp_path / "my-mlm-student", kind="mlm")
    monkeypatch.setenv("BERTVIZ_MODELS_DIR", str(tmp_path))
    with pytest.raises(electra.NoDiscriminator) as info:
        bc.replaced_token_scores(bc.load_model("my-mlm-student"), SENTENCE)
    assert info.value.code == "family"  # its encoder is a BERT: no discriminator class in that family
