"""The /compress view in a lesson pack ("Making BERT small: which heads and layers can go?"): the figures of the
shipped measurements /compress draws, in the pack's words. Heads: the pruning curve (importance order against
random orders) and each head's importance; layers: the DistilBERT depth curve and Q-BERT's per-layer Hessian
eigenvalues. Nothing is computed here: the numbers are the ones bench/ measured and the package ships."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from bertviz_core import figures
from bertviz_core.analysis import compress, qbert, students
from bertviz_core.figures.compress import curve_figure, eigenvalue_figure
from bertviz_core.figures.students import depth_curve_figure

if TYPE_CHECKING:
    import plotly.graph_objects as go

BASE = students.TEACHER_ID  # the model whose heads and layers the lesson removes
# i18n keys this view uses (app/i18n/compress.py, compress_students.py; lesson_pack.LABEL_KEYS includes them)
LABEL_KEYS = (
    "cz_curve_title",
    "cz_curve_x",
    "cz_curve_y",
    "cz_curve_importance",
    "cz_curve_random",
    "cz_curve_caption",
    "cz_importance_title",
    "cz_head",
    "cz_layer",
    "cz_importance",
    "cz_depth_title",
    "cz_depth_x",
    "cz_depth_hover",
    "cz_depth_teacher",
    "cz_depth_students",
    "cz_depth_caption",
    "cz_qbert_eig_title",
    "cz_qbert_eig_y",
    "cz_qbert_omega",
    "cz_qbert_batch",
    "cz_pack_eig_caption",
)


def compress_view(
    state: dict[str, Any], t: Callable[..., str], src: object, fs: int
) -> tuple[list[go.Figure], list[str]]:
    """The figures and captions of the lesson (the state is unused: every figure is a shipped measurement).
    ValueError when the package ships none of them."""
    figs: list[go.Figure] = []
    caps: list[str] = []
    for part in (_heads, _depth, _eigenvalues):
        drawn = part(t, fs)
        if drawn is not None:
            figs += drawn[0]
            caps += drawn[1]
    if not figs:
        raise ValueError("No compression measurements are shipped (run bench/bench_compress.py).")
    return figs, caps


def pruning_curve(curve: dict, t: Callable[..., str], fs: int) -> go.Figure:
    """The pruning curve in `t`'s words (the /compress page draws the same)."""
    return curve_figure(
        curve,
        title=t("cz_curve_title"),
        x_title=t("cz_curve_x"),
        y_title=t("cz_curve_y"),
        importance_name=t("cz_curve_importance"),
        random_name=t("cz_curve_random", n=len(curve["random"])),
        font_size=fs,
    )


def depth_curve(points: list[dict], t: Callable[..., str], fs: int) -> go.Figure:
    """The depth curve (students.depth_points) in `t`'s words."""
    return depth_curve_figure(
        points,
        title=t("cz_depth_title"),
        x_title=t("cz_depth_x"),
        y_title=t("cz_curve_y"),
        hover_words=t("cz_depth_hover"),
        teacher_name=t("cz_depth_teacher"),
        student_name=t("cz_depth_students"),
        font_size=fs,
    )


def eigenvalue_bars(record: dict, t: Callable[..., str], fs: int) -> go.Figure:
    """Q-BERT's per-layer Hessian eigenvalues (qbert.shipped_sensitivity) in `t`'s words."""
    return eigenvalue_figure(
        record["layers"],
        title=t("cz_qbert_eig_title"),
        x_labels=[f"L{i}" for i in range(len(record["layers"]))],
        y_title=t("cz_qbert_eig_y"),
        omega_name=t("cz_qbert_omega"),
        batch_name=t("cz_qbert_batch"),
        font_size=fs,
    )


def _heads(t: Callable[..., str], fs: int) -> tuple[list[go.Figure], list[str]] | None:
    res = compress.results() or {}
    entry = res.get("models", {}).get(BASE)
    if not entry or not entry.get("curve"):
        return None
    curve_fig = pruning_curve(entry["curve"], t, fs)
    importance = np.asarray(entry["importance"], dtype=np.float32)
    importance_fig = figures.numeric_heatmap(
        importance,
        title=t("cz_importance_title", n=res["importance_sentences"]),
        x_title=t("cz_head"),
        y_title=t("cz_layer"),
        colorscale="Viridis",
        zmid=None,
        x_labels=[f"H{h}" for h in range(importance.shape[1])],
        y_labels=[f"L{layer}" for layer in range(importance.shape[0])],
        colorbar_title=t("cz_importance"),
        font_size=fs,
        height=420,
    )
    return [curve_fig, importance_fig], [t("cz_curve_caption", n=res["quality_sentences"]), ""]


def _depth(t: Callable[..., str], fs: int) -> tuple[list[go.Figure], list[str]] | None:
    res = students.results() or {}
    points = students.depth_points(res)
    if not points:
        return None
    fig = depth_curve(points, t, fs)
    return [fig], [t("cz_depth_caption", n=res["quality_sentences"], date=res["measured"])]


def _eigenvalues(t: Callable[..., str], fs: int) -> tuple[list[go.Figure], list[str]] | None:
    record = qbert.shipped_sensitivity(BASE)
    if record is None:
        return None
    fig = eigenvalue_bars(record, t, fs)
    return [fig], [t("cz_pack_eig_caption")]
