"""Statistics for comparisons over many sentences: intervals across sentences, paired
differences between two models on the same sentences, sentence-length strata, and
bounded sampling of a sentence set.

Sentences are the unit of replication: a per-sentence value (e.g. a head group's mean
entropy in one layer) is one observation, and intervals are Student-t intervals of the
mean over sentences. Pure numpy + scipy.stats; nothing here knows about models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType

import numpy as np
import numpy.typing as npt

CONFIDENCE = 0.95

# Sentence length in tokens ([CLS]/[SEP] included): the same strata as the model card's quality table.
LENGTH_STRATA: tuple[tuple[int, int | None], ...] = ((1, 8), (9, 16), (17, 32), (33, 64), (65, None))

SAMPLING_METHODS = ("first", "random", "stratified")


class quiet_nan_mean:
    """A context in which np.nanmean over an all-nan slice (e.g. cls/sep with specials excluded) returns
    nan without its RuntimeWarning: there the nan is meant."""

    def __enter__(self) -> None:
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._w.__exit__(exc_type, exc, tb)


# ---------------------------------------------------------------- intervals
@dataclass(frozen=True)
class Interval:
    """Mean of n observations with a two-sided Student-t confidence interval (nan when n < 2)."""

    mean: np.ndarray | float
    low: np.ndarray | float
    high: np.ndarray | float
    n: np.ndarray | int
    sd: np.ndarray | float


def mean_interval(values: npt.ArrayLike, axis: int = 0, confidence: float = CONFIDENCE) -> Interval:
    """Mean over `axis` with its t-interval: mean +- t_{(1+c)/2, n-1} * sd / sqrt(n).

    NaNs are left out (each position counts its own n); with n < 2 the bounds are nan."""
    from scipy import stats

    x = np.asarray(values, dtype=np.float64)
    n = np.sum(~np.isnan(x), axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(x, axis=axis) / np.where(n > 0, n, np.nan)
        dev = np.where(np.isnan(x), 0.0, x - np.expand_dims(mean, axis))
        sd = np.sqrt(np.sum(dev**2, axis=axis) / np.where(n > 1, n - 1, np.nan))
        half = stats.t.ppf(0.5 + confidence / 2, np.where(n > 1, n - 1, np.nan)) * sd / np.sqrt(n)
    return Interval(mean=mean, low=mean - half, high=mean + half, n=n, sd=sd)


@dataclass(frozen=True)
class PairedDifference:
    """Mean of a - b over paired observations, its t-interval and the paired t-test's p-value."""

    mean: np.ndarray | float
    low: np.ndarray | float
    high: np.ndarray | float
    n: np.ndarray | int
    p_value: np.ndarray | float


def paired_difference(
    a: npt.ArrayLike, b: npt.ArrayLike, axis: int = 0, confidence: float = CONFIDENCE
) -> PairedDifference:
    """a - b observation by observation (the same sentences), summarised along `axis`.

    Equivalent to scipy.stats.ttest_rel(a, b) (two-sided) and its confidence_interval; pairs with a
    nan on either side are left out."""
    from scipy import stats

    d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    iv = mean_interval(d, axis=axis, confidence=confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = iv.mean / (iv.sd / np.sqrt(iv.n))
        p = 2 * stats.t.sf(np.abs(t), np.where(iv.n > 1, iv.n - 1, np.nan))
        p = np.where((iv.sd == 0) & (iv.n > 1), np.where(iv.mean == 0, 1.0, 0.0), p)  # no spread at all
    return PairedDifference(mean=iv.mean, low=iv.low, high=iv.high, n=iv.n, p_value=p)


# ---------------------------------------------------------------- length strata
def stratum_label(k: int) -> str:
    lo, hi = LENGTH_STRATA[k]
    return f"{lo}-{hi}" if hi is not None else f"{lo}+"


def length_strata(lengths: npt.ArrayLike) -> np.ndarray:
    """Index into LENGTH_STRATA of each sentence length (tokens, specials included)."""
    lengths = np.asarray(lengths, dtype=np.int64)
    out = np.full(lengths.shape, -1, dtype=np.int64)
    for k, (lo, hi) in enumerate(LENGTH_STRATA):
        out[(lengths >= lo) & (lengths <= (hi if hi is not None else np.iinfo(np.int64).max))] = k
    return out


# ---------------------------------------------------------------- sampling
@dataclass(frozen=True)
class Sample:
    """Which sentences of a candidate set are used, and why the others are not."""

    indices: list[int]  # into the candidates, ascending (file order)
    n_candidates: int
    tokens_used: int  # sum of the used sentences' lengths
    method: str
    seed: int
    max_sentences: int
    max_tokens: int
    dropped: int = field(init=False)
    stopped_by: str = field(init=False)  # "", "sentences" or "tokens": the bound that ended the sample

    def __post_init__(self) -> None:
        object.__setattr__(self, "dropped", self.n_candidates - len(self.indices))
        if not self.dropped:
            reason = ""
        elif len(self.indices) >= self.max_sentences:
            reason = "sentences"
        else:
            reason = "tokens"
        object.__setattr__(self, "stopped_by", reason)


def sampling_order(lengths: Sequence[int] | np.ndarray, method: str = "first", seed: int = 0) -> np.ndarray:
    """The order in which candidates are taken.

    first: file order. random: a seeded random permutation. stratified: each length stratum
    (LENGTH_STRATA) shuffled with the seed, then taken round-robin, one sentence per stratum in
    turn, so short and long sentences are equally represented as far as the set allows."""
    n = len(lengths)
    if method == "first":
        return np.arange(n)
    rng = np.random.default_rng(seed)
    if method == "random":
        return rng.permutation(n)
    if method == "stratified":
        strata = length_strata(lengths)
        queues = [list(rng.permutation(np.flatnonzero(strata == k))) for k in range(len(LENGTH_STRATA))]
        queues = [q for q in queues if q]
        order = []
        while queues:
            order += [q.pop(0) for q in queues]
            queues = [q for q in queues if q]
        return np.asarray(order, dtype=np.int64)
    raise ValueError(f"Unknown sampling method {method!r}; choose one of {', '.join(SAMPLING_METHODS)}.")


def sample_sentences(
    lengths: npt.ArrayLike, *, max_sentences: int, max_tokens: int, method: str = "first", seed: int = 0
) -> Sample:
    """Take candidates in `sampling_order` until either bound would be passed (at most
    `max_sentences`, at most `max_tokens` tokens in all); the sample is a prefix of that order."""
    lengths = np.asarray(lengths, dtype=np.int64)
    chosen: list[int] = []
    total = 0
    for i in sampling_order(lengths, method, seed):
        if len(chosen) >= max_sentences or total + int(lengths[i]) > max_tokens:
            break
        chosen.append(int(i))
        total += int(lengths[i])
    return Sample(
        indices=sorted(chosen),
        n_candidates=len(lengths),
        tokens_used=total,
        method=method,
        seed=int(seed),
        max_sentences=int(max_sentences),
        max_tokens=int(max_tokens),
    )
