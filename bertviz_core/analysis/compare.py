"""Model A against model B: JS divergence between their heads, head matching, metrics and CKA over
sentence pairs (one sentence or many, memory flat), and the summaries, downloads and reproducible
snippet of a many-sentence comparison."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from bertviz_core.analysis.cka import CKA_MAX_BYTES, CKAAccumulator
from bertviz_core.analysis.js_matrix import pairwise_js
from bertviz_core.analysis.metrics import METRICS, all_heads, head_names, slot_kinds, trace_metrics, uniform_baseline
from bertviz_core.analysis.stats import quiet_nan_mean
from bertviz_core.analysis.words import alignment, in_units, special_units
from bertviz_core.models import heads
from bertviz_core.models.heads import ATTN, CONV
from bertviz_core.tracing.capture import Trace

if TYPE_CHECKING:
    from bertviz_core.models.loading import LoadedModel


# ---------------------------------------------------------------- comparing models
def js_divergence(p: np.ndarray, q: np.ndarray, axis: int = -1) -> np.ndarray:
    """Jensen-Shannon divergence (nats, in [0, log 2]) between distributions along `axis`."""
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    p = p / np.clip(p.sum(axis, keepdims=True), 1e-12, None)
    q = q / np.clip(q.sum(axis, keepdims=True), 1e-12, None)
    m = 0.5 * (p + q)

    def kl(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(a > 0, a * np.log(a / np.where(b > 0, b, 1)), 0.0).sum(axis)

    return 0.5 * kl(p, m) + 0.5 * kl(q, m)


def query_rows(T: int, max_rows: int | None) -> np.ndarray:
    """All T query rows, or `max_rows` evenly spaced ones (first and last included) when T is larger."""
    if not max_rows or T <= max_rows:
        return np.arange(T)
    return np.unique(np.linspace(0, T - 1, max_rows).round().astype(int))


def head_js_matrix(heads_a: np.ndarray, heads_b: np.ndarray, max_rows: int | None = None) -> np.ndarray:
    """JS divergence between every head of A and every head of B, averaged over query tokens.

    heads_a [Na, T, T], heads_b [Nb, T, T] (same T, e.g. after word alignment) -> [Na, Nb].
    With `max_rows`, the average runs over that many evenly spaced query rows (an estimate;
    exact when T <= max_rows). All pairs at once in float32 (js_matrix.pairwise_js: sparse heads
    such as ConvBERT's convolution heads summed over their support, dense pairs in cache-sized blocks).
    """
    rows = query_rows(heads_a.shape[-2], max_rows)
    return pairwise_js(np.asarray(heads_a)[:, rows], np.asarray(heads_b)[:, rows])


def units_js(
    flat_a: np.ndarray, flat_b: np.ndarray, keep: np.ndarray | None = None, max_rows: int | None = None
) -> np.ndarray:
    """head_js_matrix over the units in `keep` only: their rows, and each row renormalised over
    their columns (keep None: every unit). flat_x [N, U, U] -> [Na, Nb] (nan if nothing is kept)."""
    U = flat_a.shape[-1]
    idx = np.arange(U) if keep is None else np.flatnonzero(keep)
    if len(idx) == 0:
        return np.full((len(flat_a), len(flat_b)), np.nan)
    rows = idx[query_rows(len(idx), max_rows)]
    if len(idx) == U:
        return head_js_matrix(flat_a[:, rows], flat_b[:, rows])
    return head_js_matrix(flat_a[:, rows][:, :, idx], flat_b[:, rows][:, :, idx])


class ComparisonAccumulator:
    """Model A vs model B over sentence pairs, added one pair at a time; keeps per-sentence
    statistics only (no trace, no attention matrix), so memory does not grow with sentence length.

    Per sentence: every metric of every head of both models ([layers, slots]), the uniform-attention
    baseline per head kind, the head x head JS matrix (with `matching`) and CKA sums. `result()` gives
    the means (as compare_traces always did) plus the per-sentence arrays for intervals. With
    metrics=False, the metrics and baselines are skipped (head matching alone: the result has no
    metrics_* or baseline_* keys)."""

    def __init__(
        self,
        *,
        matching: bool = True,
        max_rows: int | None = None,
        exclude_special: bool = False,
        cka_max_bytes: int = CKA_MAX_BYTES,
        metrics: bool = True,
    ) -> None:
        self.matching, self.max_rows, self.exclude_special = matching, max_rows, exclude_special
        self.metrics = metrics
        self.metrics_a: list[dict[str, np.ndarray]] = []
        self.metrics_b: list[dict[str, np.ndarray]] = []
        self.baseline_a: list[dict[str, dict[str, float]]] = []
        self.baseline_b: list[dict[str, dict[str, float]]] = []
        self.js: list[np.ndarray] = []
        self.sentences: list[str] = []
        self.lengths_a: list[int] = []
        self.lengths_b: list[int] = []
        self.by_words = False
        # (model ids, head names) of the first pair: every pair must match it
        self.shape: tuple[str, str, list[str], list[str]] | None = None
        self._cka = CKAAccumulator(cka_max_bytes)

    def __len__(self) -> int:
        return len(self.sentences)

    def add(self, a: Trace, b: Trace) -> None:
        """One sentence run through both models. Raises ValueError (nothing stored) if the two
        traces cannot be aligned or do not match the models of the earlier pairs."""
        shape = (a.model_id, b.model_id, head_names(a), head_names(b))
        if self.shape is None:
            self.shape = shape
            self.kinds_a, self.kinds_b = slot_kinds(a), slot_kinds(b)
        elif shape != self.shape:
            raise ValueError("Every sentence pair must come from the same two models.")
        if self.matching:  # first, so a sentence that cannot be aligned leaves no trace in the results
            groups_a, groups_b, _, pooled = alignment(a, b)
            ha, xa = in_units(a, all_heads(a)[0], groups_a)
            hb, xb = in_units(b, all_heads(b)[0], groups_b)
            keep = ~special_units(a, groups_a) if self.exclude_special else None
            js = units_js(ha.reshape(-1, *ha.shape[-2:]), hb.reshape(-1, *hb.shape[-2:]), keep, self.max_rows)
            del ha, hb
            self._cka.add(xa, xb)
            self.js.append(js.astype(np.float32))
            self.by_words |= pooled
        if self.metrics:
            for side, trace in (("a", a), ("b", b)):
                values = trace_metrics(trace, self.exclude_special)
                getattr(self, f"metrics_{side}").append({k: v.astype(np.float32) for k, v in values.items()})
                getattr(self, f"baseline_{side}").append(uniform_baseline(trace, self.exclude_special))
        self.sentences.append(a.text)
        self.lengths_a.append(len(a))
        self.lengths_b.append(len(b))

    def result(self) -> dict[str, Any]:
        if not self.sentences or self.shape is None:
            raise ValueError("No sentences to compare.")
        stack = lambda ms: {k: np.stack([m[k] for m in ms]) for k in ms[0]}
        base = lambda bs: {
            k: np.array([[b[ATTN][k], b.get(CONV, {}).get(k, np.nan)] for b in bs]) for k in METRICS
        }  # {m: [S, 2]}: attention heads, conv heads
        per: dict[str, Any] = {"js": np.stack(self.js) if self.matching else None}
        out: dict[str, Any] = {}
        if self.metrics:
            per.update(
                metrics_a=stack(self.metrics_a),
                metrics_b=stack(self.metrics_b),
                baseline_a=base(self.baseline_a),
                baseline_b=base(self.baseline_b),
            )
            with np.errstate(invalid="ignore"), quiet_nan_mean():
                out["metrics_a"] = {k: np.nanmean(v, axis=0) for k, v in per["metrics_a"].items()}
                out["metrics_b"] = {k: np.nanmean(v, axis=0) for k, v in per["metrics_b"].items()}
        _, _, names_a, names_b = self.shape
        out.update(
            names_a=names_a,
            names_b=names_b,
            kinds_a=self.kinds_a,
            kinds_b=self.kinds_b,
            model_a=self.shape[0],
            model_b=self.shape[1],
            n_sentences=len(self.sentences),
            sentences=list(self.sentences),
            lengths_a=np.array(self.lengths_a),
            lengths_b=np.array(self.lengths_b),
            exclude_special=self.exclude_special,
            max_rows=self.max_rows,
            matching=self.matching,
            per_sentence=per,
        )
        if self.matching:
            with quiet_nan_mean():
                out.update(
                    js=np.nanmean(per["js"], axis=0),
                    by_words=self.by_words,
                    cka=self._cka.matrix(),
                    cka_skipped=self._cka.skipped,
                )
        return out


def compare_traces(
    pairs: Iterable[tuple[Trace, Trace]],
    matching: bool = True,
    max_rows: int | None = None,
    exclude_special: bool = False,
    metrics: bool = True,
) -> dict[str, Any]:
    """Metrics, head matching and CKA for model A vs model B over sentence pairs (any iterable,
    e.g. a generator: each pair is reduced to its statistics and may be freed before the next).

    Returns metrics_a/metrics_b {name: [L, N]} (means over sentences), names_a/names_b, kinds_a/kinds_b
    (heads.ATTN / heads.CONV per slot), n_sentences, sentences, lengths_a/lengths_b, per_sentence
    (metrics_a/metrics_b {name: [S, L, N]}, baseline_a/baseline_b {name: [S, 2]} = uniform weights for
    attention / conv heads, js [S, L*Na, L*Nb]) and, with `matching`: js [L*Na, L*Nb] (mean over
    sentences; `max_rows` as in head_js_matrix), cka [La+1, Lb+1] (linear CKA on word- or
    token-aligned hidden states of all sentences together) and by_words (True if any sentence
    needed word alignment). See ComparisonAccumulator (metrics=False: head matching only, no metric
    keys); exclude_special as in head_metrics."""
    acc = ComparisonAccumulator(matching=matching, max_rows=max_rows, exclude_special=exclude_special, metrics=metrics)
    for a, b in pairs:
        acc.add(a, b)
    return acc.result()


def compare_many(
    lm_a: LoadedModel,
    lm_b: LoadedModel,
    sentences: Iterable[str],
    *,
    matching: bool = True,
    max_rows: int | None = None,
    exclude_special: bool = False,
    capture: Callable[[LoadedModel, str], Trace] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """compare_traces over sentences captured one at a time: each sentence's two traces are
    reduced to statistics and dropped before the next sentence is run, so memory stays flat.

    sentences: any iterable of str (a generator is fine). capture(lm, text) -> Trace defaults to
    bertviz_core.tracing.capture.capture (pass a cached or rate-limited one if you like). progress(i, n_done)
    is called after each sentence. A sentence that cannot be run or aligned is skipped; the result's
    "skipped" lists (index, sentence, reason)."""
    if capture is None:
        from bertviz_core.tracing.capture import capture as capture_trace

        capture = capture_trace
    acc = ComparisonAccumulator(matching=matching, max_rows=max_rows, exclude_special=exclude_special)
    skipped: list[tuple[int, str, str]] = []
    for i, sentence in enumerate(sentences):
        try:
            acc.add(capture(lm_a, sentence), capture(lm_b, sentence))
        except ValueError as exc:
            skipped.append((i, sentence, str(exc)))
        if progress is not None:
            progress(i, len(acc))
    out = acc.result()
    out["skipped"] = skipped
    return out


def closest_partners(js: np.ndarray, names_a: list[str], names_b: list[str]) -> list[tuple[str, str, float]]:
    """For each head of A, the head of B with the smallest JS divergence."""
    best = js.argmin(1)
    return [(names_a[i], names_b[j], float(js[i, j])) for i, j in enumerate(best)]


def _layers_of(names: list[str]) -> np.ndarray:
    return np.array([heads.parse_qualified(n)[0] for n in names])


def match_heads(
    js: np.ndarray, names_a: list[str], names_b: list[str], same_layer: bool = False
) -> dict[str, list[tuple[str, str, float]]]:
    """Head matching from a JS matrix [A heads, B heads] (low = similar), three ways:

    a_to_b: each head of A and its nearest head of B; b_to_a: each head of B and its nearest head of A
    (nearest partners may repeat: several heads can share one partner); one_to_one: the assignment
    pairing each head with a different partner that minimises the total JS (Hungarian algorithm,
    scipy.optimize.linear_sum_assignment; min(#A, #B) pairs). With `same_layer`, partners come from
    the same layer index only (heads of a layer the other model lacks get none).
    Each list holds (head, partner, js) with js a float."""
    from scipy.optimize import linear_sum_assignment

    js = np.asarray(js, dtype=np.float64)
    la, lb = _layers_of(names_a), _layers_of(names_b)
    allowed = (la[:, None] == lb[None]) if same_layer else np.ones(js.shape, bool)
    allowed &= ~np.isnan(js)
    masked = np.where(allowed, js, np.inf)

    def nearest(m: np.ndarray, ok: np.ndarray, rows: list[str], cols: list[str]) -> list[tuple[str, str, float]]:
        return [(rows[i], cols[int(np.argmin(m[i]))], float(m[i].min())) for i in range(len(m)) if ok[i].any()]

    one: list[tuple[str, str, float]] = []
    blocks = sorted(set(la) & set(lb)) if same_layer else [None]
    for layer in blocks:
        ia = np.flatnonzero(la == layer) if same_layer else np.arange(len(names_a))
        ib = np.flatnonzero(lb == layer) if same_layer else np.arange(len(names_b))
        block = masked[np.ix_(ia, ib)]
        finite = np.isfinite(block)
        if not finite.any():
            continue
        cost = np.where(finite, block, block[finite].max() * 10 + 1e6)  # forbidden pairs: never chosen if avoidable
        r, c = linear_sum_assignment(cost)
        one += [(names_a[ia[i]], names_b[ib[j]], float(block[i, j])) for i, j in zip(r, c) if finite[i, j]]
    return {
        "a_to_b": nearest(masked, allowed, names_a, names_b),
        "b_to_a": nearest(masked.T, allowed.T, names_b, names_a),
        "one_to_one": one,
    }


# ---------------------------------------------------------------- summaries over sentences
GROUPS = (ATTN, CONV)


def group_values(
    result: dict[str, Any], side: str, metric: str, group: str, layer: int | None = None
) -> np.ndarray | None:
    """Per-sentence value [S] of a head group: the metric averaged over the group's heads of `layer`
    (None: of every layer). side "a" or "b"; None if that model has no such heads or layer."""
    values = result["per_sentence"][f"metrics_{side}"][metric]  # [S, L, N]
    kinds = np.array(result[f"kinds_{side}"])
    if not (kinds == group).any() or (layer is not None and layer >= values.shape[1]):
        return None
    chosen = values[:, :, kinds == group] if layer is None else values[:, layer, kinds == group]
    with quiet_nan_mean():
        return np.nanmean(chosen.reshape(len(values), -1), axis=1)


def summary_rows(
    result: dict[str, Any], metrics: Iterable[str] | None = None, confidence: float = 0.95
) -> list[dict[str, Any]]:
    """Per metric, layer ("all" = every layer), head group (attention / conv) and sentence length
    ("all", then the stats.LENGTH_STRATA present, by model A's token count): mean of A and of B with
    their t-intervals across sentences, the paired difference A - B on the same sentences (interval,
    paired t-test p-value; where both models have the group) and the uniform-attention baseline."""
    from bertviz_core.analysis import stats

    metrics = list(metrics or METRICS)
    strata = stats.length_strata(result["lengths_a"])
    n_layers = max(
        result["per_sentence"]["metrics_a"][metrics[0]].shape[1],
        result["per_sentence"]["metrics_b"][metrics[0]].shape[1],
    )
    selections = [("all", np.ones(len(strata), bool))] + [
        (stats.stratum_label(k), strata == k) for k in range(len(stats.LENGTH_STRATA)) if (strata == k).any()
    ]
    rows: list[dict[str, Any]] = []
    for metric in metrics:
        for layer in [None, *range(n_layers)]:
            for group in GROUPS:
                va = group_values(result, "a", metric, group, layer)
                vb = group_values(result, "b", metric, group, layer)
                if va is None and vb is None:
                    continue
                gi = GROUPS.index(group)
                for label, sel in selections:
                    row: dict[str, Any] = {
                        "metric": metric,
                        "layer": "all" if layer is None else layer,
                        "group": group,
                        "length": label,
                        "n": int(sel.sum()),
                    }
                    for side, v in (("a", va), ("b", vb)):
                        iv = stats.mean_interval(v[sel], confidence=confidence) if v is not None else None
                        base = result["per_sentence"][f"baseline_{side}"][metric][sel, gi]
                        mean, low, high = (iv.mean, iv.low, iv.high) if iv is not None else (None, None, None)
                        with quiet_nan_mean():
                            row.update(
                                {
                                    f"{side}_mean": _f(mean),
                                    f"{side}_low": _f(low),
                                    f"{side}_high": _f(high),
                                    f"{side}_uniform": _f(np.nanmean(base) if v is not None else None),
                                }
                            )
                    d = (
                        stats.paired_difference(va[sel], vb[sel], confidence=confidence)
                        if (va is not None and vb is not None)
                        else None
                    )
                    diff = (d.mean, d.low, d.high, d.p_value) if d is not None else (None, None, None, None)
                    row.update(diff_mean=_f(diff[0]), diff_low=_f(diff[1]), diff_high=_f(diff[2]), p_value=_f(diff[3]))
                    rows.append(row)
    return rows


def _f(x: float | np.ndarray | None) -> float:
    return float("nan") if x is None else float(x)


def extreme_sentences(values: np.ndarray) -> tuple[int, int]:
    """Indices of the sentences where a per-sentence value [S] is highest and lowest (nan ignored)."""
    values = np.asarray(values, dtype=np.float64)
    if np.isnan(values).all():
        return 0, 0
    return int(np.nanargmax(values)), int(np.nanargmin(values))


def comparison_to_npz(result: dict[str, Any], extra: dict[str, Any] | None = None) -> bytes:
    """Everything of a comparison as one .npz (numpy only, no pickles): per-sentence metrics
    (metrics_a__entropy [S, L, N], ...), baselines, JS, CKA, head names and kinds, the sentences
    and their lengths, and `extra` scalars (e.g. sampling method and seed)."""
    import io

    per = result["per_sentence"]
    arrays = {
        "sentences": np.array(result["sentences"], dtype=str),
        "lengths_a": result["lengths_a"],
        "lengths_b": result["lengths_b"],
        "names_a": np.array(result["names_a"], dtype=str),
        "names_b": np.array(result["names_b"], dtype=str),
        "kinds_a": np.array(result["kinds_a"], dtype=str),
        "kinds_b": np.array(result["kinds_b"], dtype=str),
        "model_a": np.array(result["model_a"]),
        "model_b": np.array(result["model_b"]),
        "exclude_special": np.array(result["exclude_special"]),
    }
    for side in "ab":
        for k, v in per[f"metrics_{side}"].items():
            arrays[f"metrics_{side}__{k}"] = v
        for k, v in per[f"baseline_{side}"].items():
            arrays[f"baseline_{side}__{k}"] = v
    if per.get("js") is not None:
        arrays["js"] = per["js"]
    if result.get("cka") is not None:
        arrays["cka"] = result["cka"]
    for k, v in (extra or {}).items():
        arrays[f"info__{k}"] = np.array(v)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def reproduce_snippet(
    model_a: str, model_b: str, *, exclude_special: bool, max_rows: int | None, npz_name: str = "comparison.npz"
) -> str:
    """Python that recomputes a many-sentence comparison from its downloaded .npz (same sentences)."""
    return (
        "import numpy as np\n"
        "import bertviz_core as bc\n"
        "from bertviz_core.analysis import compare\n\n"
        f"saved = np.load({npz_name!r})\n"
        "sentences = [str(s) for s in saved['sentences']]\n"
        f"a, b = bc.load_model({model_a!r}), bc.load_model({model_b!r})\n"
        f"result = compare.compare_many(a, b, sentences, exclude_special={bool(exclude_special)}, "
        f"max_rows={max_rows!r})\n"
        "rows = compare.summary_rows(result)  # mean, 95% interval, paired A - B, per layer/group/length\n"
        "print(len(result['sentences']), 'sentences;', rows[0])\n"
    )
