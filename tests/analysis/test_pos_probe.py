"""The UPOS probe (bertviz_core.analysis.pos_probe): its arithmetic against a hand-made probe and against sklearn's
own pipeline, its storage, word features against the model's hidden states, and the bundled probe against gold
UD English EWT test tags (it was fitted on EWT dev only)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from bertviz_core.analysis import pos_probe
from bertviz_core.inputs import conllu

EWT_TEST = Path(__file__).resolve().parents[3] / "shared/data/ud-english-ewt/en_ewt-ud-test.conllu"


def test_predict_takes_the_highest_score_by_hand():
    # scores of [1, 0]: 2 + 0, -1 + 1, 0 + 0 -> the first label; of [0, 1]: 0, 3 + 1, 0 -> the second
    probe = pos_probe.UposProbe(
        2, np.array([[2.0, 0.0], [-1.0, 3.0], [0.0, 0.0]]), np.array([0.0, 1.0, 0.0]), ("A", "B", "C")
    )
    assert probe.predict(np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])) == ["A", "B", "C"]


def test_saved_probe_reads_back_with_float16_weights(tmp_path):
    probe = pos_probe.UposProbe(3, np.array([[0.5, -2.25]]), np.array([0.125]), ("NOUN",))
    pos_probe.save_probe(probe, tmp_path / "p.npz")
    back = pos_probe.read_probe(tmp_path / "p.npz")
    assert back.layer == 3 and back.labels == ("NOUN",)
    assert back.weight.dtype == np.float16
    np.testing.assert_array_equal(back.weight, [[0.5, -2.25]])  # exact in float16
    np.testing.assert_array_equal(back.bias, [0.125])


def test_fitted_probe_on_raw_features_scores_as_sklearn_on_standardised_ones():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 6)) * np.array([1, 10, 0.1, 5, 1, 2]) + np.array([0, 50, -3, 1, 0, 7])
    y = (x[:, 1] > 50).astype(int) + 2 * (x[:, 2] > -3)  # labels 0..3: ADJ, ADP, ADV, AUX
    probe = pos_probe.fit_probe(x, y, layer=1)
    reference = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=500)).fit(x, y)
    scores = x @ probe.weight.T + probe.bias
    np.testing.assert_allclose(scores[:, :4], reference.decision_function(x), rtol=1e-4, atol=1e-3)
    assert (scores[:, 4:] < -1e3).all()  # tags never seen in training are never predicted
    assert probe.predict(x) == [pos_probe.UPOS[k] for k in reference.predict(x)]


def test_word_features_average_each_words_pieces_hidden_states(bert):
    words = ["The", "ubiquity", "grows"]
    [[layer0, layer3]] = pos_probe.word_features(bert.model, bert.tokenizer, [words], [0, 3])
    ids = bert.tokenizer(words, is_split_into_words=True)["input_ids"]
    assert bert.tokenizer.convert_ids_to_tokens(ids) == ["[CLS]", "the", "u", "##bi", "##qui", "##ty", "grows", "[SEP]"]
    with torch.no_grad():
        hidden = bert.model(input_ids=torch.tensor([ids]), output_hidden_states=True).hidden_states
    h0, h3 = hidden[0][0].numpy(), hidden[3][0].numpy()
    np.testing.assert_allclose(layer0, np.stack([h0[1], h0[2:6].mean(0), h0[6]]), atol=1e-5)
    np.testing.assert_allclose(layer3, np.stack([h3[1], h3[2:6].mean(0), h3[6]]), atol=1e-5)


def test_bundled_probe_tags_a_simple_sentence_as_a_person_would(bert):
    tags = pos_probe.tag_words(bert.model, bert.tokenizer, ["The", "cat", "sat", "on", "the", "mat", "."])
    assert tags == ["DET", "NOUN", "VERB", "ADP", "DET", "NOUN", "PUNCT"]
    assert pos_probe.tag_words(bert.model, bert.tokenizer, []) == []


@pytest.mark.skipif(not EWT_TEST.is_file(), reason="UD English EWT is not on this machine")
def test_bundled_probe_agrees_with_gold_ewt_test_tags_on_most_words(bert):
    sentences = conllu.conllu_words(EWT_TEST.read_text(encoding="utf-8"))[:60]
    right = total = 0
    for sentence in sentences:
        tags = pos_probe.tag_words(bert.model, bert.tokenizer, [w[0] for w in sentence])
        for (_, gold, _), tag in zip(sentence, tags):
            if gold != conllu.MULTIWORD:
                right, total = right + (gold == tag), total + 1
    assert total > 500
    assert right / total > 0.88  # the card says 92.9% on all of EWT test


def test_tagger_is_tag_words_on_the_given_model(bert):
    tag = pos_probe.tagger(bert.model, bert.tokenizer)
    assert tag(["Dogs", "bark", "."]) == ["NOUN", "VERB", "PUNCT"]
