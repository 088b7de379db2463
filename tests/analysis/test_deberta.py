"""The analyses of DeBERTa's score terms, against hand-computed cases, scipy and transformers' own code."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.spatial.distance import jensenshannon
from scipy.special import softmax
from transformers.models.deberta_v2 import modeling_deberta_v2 as deberta

from bertviz_core.analysis import deberta as dd
from bertviz_core.models.families import DisentangledTerms


def test_attention_from_terms_is_the_softmax_of_the_kept_sum():
    rng = np.random.default_rng(0)
    terms = rng.normal(size=(2, 3, 3, 5, 5))
    np.testing.assert_allclose(dd.attention_from_terms(terms), softmax(terms.sum(axis=2), axis=-1), atol=1e-12)
    np.testing.assert_allclose(
        dd.attention_from_terms(terms, (True, False, True)), softmax(terms[:, :, 0] + terms[:, :, 2], axis=-1)
    )
    with pytest.raises(ValueError):
        dd.attention_from_terms(terms, (False, False, False))


def test_term_shares_by_hand():
    terms = np.zeros((3, 2, 2))
    terms[0] = [[2, -2], [2, -2]]  # mean |.| 2
    terms[1] = [[1, 1], [-1, -1]]  # 1
    terms[2] = 1.0  # 1
    np.testing.assert_allclose(dd.term_shares(terms), [0.5, 0.25, 0.25])


def test_ablation_divergence_against_scipy():
    rng = np.random.default_rng(1)
    terms = rng.normal(size=(1, 2, 3, 4, 4)) * 2
    got = dd.ablation_divergence(terms)
    full = softmax(terms.sum(axis=2), axis=-1)
    for name, keep in dd.ABLATIONS.items():
        ablated = softmax(terms[:, :, list(np.flatnonzero(keep))].sum(axis=2), axis=-1)
        want = np.array(
            [[np.mean([jensenshannon(full[0, h, i], ablated[0, h, i]) ** 2 for i in range(4)]) for h in range(2)]]
        )
        np.testing.assert_allclose(got[name], want, atol=1e-10)  # scipy's distance is the root of the divergence


def test_a_head_made_positional_by_c2p_ranks_first_and_names_it():
    T = 6
    terms = np.zeros((1, 2, 3, T, T))
    terms[0, 0, 1] = np.eye(T, k=-1) * 8  # head 0: c2p alone points each token at the one before
    terms[0, 1, 0] = np.random.default_rng(2).normal(size=(T, T))  # head 1: content only
    ranked = dd.positional_heads(terms)
    assert (ranked[0].layer, ranked[0].head, ranked[0].main_term) == (0, 0, "c2p")
    assert ranked[0].js_c2c_only > 0.3 and ranked[1].js_c2c_only == pytest.approx(0.0, abs=1e-12)
    assert ranked[0].js_no_p2c == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("buckets,max_position", [(256, 512), (8, 64), (4, 20), (-1, 64)])
def test_buckets_equal_transformers_own(buckets, max_position):
    d = np.arange(-600, 601)
    want = deberta.make_log_bucket_position(torch.tensor(d), buckets, max_position) if buckets > 0 else torch.tensor(d)
    np.testing.assert_array_equal(dd.relative_position_bucket(d, buckets, max_position), want.numpy().astype(np.int64))


def test_buckets_by_hand_and_the_table_rows_are_clipped():
    b = dd.relative_position_bucket(np.array([0, 3, -4, 5, 200]), 8, 64)
    assert list(b[:3]) == [0, 3, -4] and b[3] > 4 and b[4] <= 64
    assert list(dd.embedding_row(np.array([-9, -8, 0, 7, 8]), 8)) == [-8, -8, 0, 7, 7]


def test_bucket_parameters_as_the_attention_reads_them():
    from transformers import DebertaV2Config

    assert DisentangledTerms.buckets(DebertaV2Config(position_buckets=256, max_relative_positions=-1)) == (
        256,
        512,
        256,
    )
    assert DisentangledTerms.buckets(DebertaV2Config(position_buckets=-1, max_relative_positions=64)) == (-1, 64, 64)
    for config in (
        DebertaV2Config(position_buckets=8, relative_attention=True),
        DebertaV2Config(relative_attention=True),
    ):
        module = deberta.DisentangledSelfAttention(config)
        assert DisentangledTerms.buckets(config)[1:] == (module.max_relative_positions, module.pos_ebd_size)


def test_layer_by_layer_work_gives_the_same_numbers_as_one_slice():
    rng = np.random.default_rng(5)
    terms = rng.normal(size=(3, 2, 3, 6, 6)) * 2
    whole = dd.ablation_divergence(terms)
    for layer in range(3):
        one = dd.ablation_divergence(terms[layer])
        for name in dd.ABLATIONS:
            np.testing.assert_allclose(whole[name][layer], one[name], atol=1e-12)
        np.testing.assert_allclose(dd.term_shares(terms)[layer], dd.term_shares(terms[layer]), atol=1e-12)
    assert dd.positional_heads(js=whole) == dd.positional_heads(terms)
    with pytest.raises(ValueError):
        dd.positional_heads()
