"""Position encodings: the model's learned table and the original Transformer's sinusoids."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from bertviz_core.models.families import family_spec

if TYPE_CHECKING:
    from bertviz_core.models.loading import LoadedModel


def sinusoidal(n_positions: int, d: int, base: float = 10000.0) -> np.ndarray:
    """PE[i, 2j] = sin(i / base^(2j/d)), PE[i, 2j+1] = cos(i / base^(2j/d)) -> [n_positions, d]."""
    if n_positions < 1 or d < 2:
        raise ValueError("Need at least 1 position and 2 dimensions.")
    i = np.arange(n_positions)[:, None]
    two_j = np.arange(0, d, 2)[None, :]
    angle = i / np.power(base, two_j / d)
    pe = np.zeros((n_positions, d), dtype=np.float64)
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle[:, : d // 2])
    return pe.astype(np.float32)


def cosine_similarity_matrix(p: np.ndarray) -> np.ndarray:
    """[n, d] -> [n, n] cosine similarity between rows."""
    p = np.asarray(p, dtype=np.float64)
    unit = p / np.clip(np.linalg.norm(p, axis=1, keepdims=True), 1e-12, None)
    return (unit @ unit.T).astype(np.float32)


def pca_path(p: np.ndarray, k: int = 3, fit_rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Project rows onto their top-k principal components -> ([n, k], explained variance ratio [k]).

    `fit_rows`: the rows the components are fitted on (e.g. all but outliers); every row is projected."""
    from sklearn.decomposition import PCA

    p = np.asarray(p, dtype=np.float64)
    fit = p if fit_rows is None else p[fit_rows]
    k = min(k, *fit.shape)
    pca = PCA(n_components=k).fit(fit)
    return pca.transform(p).astype(np.float32), pca.explained_variance_ratio_


def outliers(p: np.ndarray, factor: float = 4.0) -> np.ndarray:
    """Indices of rows far from the rest: distance to the median row above `factor` x the median
    distance (BERT's position 0, trained on [CLS] only, is such a row)."""
    p = np.asarray(p, dtype=np.float64)
    dist = np.linalg.norm(p - np.median(p, axis=0), axis=1)
    return np.flatnonzero(dist > factor * max(float(np.median(dist)), 1e-12))


def default_dims(d: int) -> list[int]:
    """Four dimensions spread from fast to slow (sinusoid frequency falls with the dimension)."""
    return sorted({0, d // 8, d // 4, d // 2} - {d})


def learned_table(lm: LoadedModel) -> tuple[np.ndarray | None, int]:
    """The model's absolute position-embedding table and the index of position 0 in it.

    Returns (weight [max_positions, E] or None, first_row). RoBERTa-style models start at
    padding_idx + 1. None when the model adds no absolute positions (e.g. DeBERTa-v3); both from
    the family's spec (bertviz_core.models.families)."""
    emb = getattr(getattr(lm.model, "embeddings", None), "position_embeddings", None)
    config = lm.model.config
    spec = family_spec(config)
    if emb is None or not spec.has_absolute_positions(config):
        return None, 0
    return emb.weight.detach().float().numpy(), spec.position_offset(config)
