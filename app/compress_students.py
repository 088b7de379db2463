"""The distilled students on /compress (bertviz_core.analysis.students): their rows in the table, the depth curve
(DistilBERT students of 2, 3 and 4 layers) and TinyBERT-4's layer-to-layer transfer.

    from app import compress_students
    numbers = compress_students.rows()              # {student id: the table's numbers}
    compress_students.depth_section()
    compress_students.tinybert_section()

Numbers come from bench/bench_students.py (bertviz_core/data/students_results.json, dated); a student shipped but
not measured yet shows dashes, one still in training is absent.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from app import controls, export_ui
from app.i18n import t
from bertviz_core.analysis import students
from bertviz_core.export import lesson_compress
from bertviz_core.figures.students import layer_map_figure
from bertviz_core.models import tinybert


def kind_label(model_id: str) -> str | None:
    """The table's "method" of a distilled student, None for any other model."""
    kind = students.kind_of(model_id)
    if kind is None:
        return None
    if kind == tinybert.KIND:
        return t("cz_kind_tinybert")
    return t("cz_kind_distil", n=students.n_layers(kind))


def rows() -> dict[str, dict]:
    """{shipped student id: its measured numbers} (empty dicts for one not measured yet)."""
    measured = (students.results() or {}).get("students", {})
    return {sid: measured.get(sid, {}) for sid in students.shipped()}


def interval_text(numbers: dict) -> str | None:
    return f"[{numbers['low']:.4f}, {numbers['high']:.4f}]" if "low" in numbers else None


def compare_url(a: str, b: str, tab: str | None = None) -> str:
    """/compare of a and b on the sentence the page shows (once typed), opened at `tab` (a state.url.COMPARE_TABS)."""
    text = st.session_state.get("text")
    extra = ({"text": text} if text else {}) | ({"tab": tab} if tab else {})
    return "/compare?" + urlencode({"model_a": a, "model_b": b} | extra)


def depth_section() -> None:
    """Where quality falls as layers go: held-out cosine against depth, the teacher at 6 layers."""
    st.subheader(t("cz_depth_header"))
    st.markdown(t("cz_depth_intro"))
    res = students.results() or {}
    points = students.depth_points(res)
    missing = [k for k in students.DEPTH_KINDS if not any(p["layers"] == students.n_layers(k) for p in points)]
    if points:
        fig = lesson_compress.depth_curve(points, t, controls.font_size())
        st.plotly_chart(fig, width="stretch", key="cz_depth")
        export_ui.figure_downloads(fig, "compress-depth-curve")
        st.caption(t("cz_depth_caption", n=res["quality_sentences"], date=res["measured"]))
    if missing:
        items = [t("cz_depth_item", n=students.n_layers(k)) for k in missing]
        st.info(t("cz_depth_missing", students=t("cz_depth_and").join(items)))
    st.markdown(f"**{t('cz_distil_paper')}**")
    st.markdown(t("cz_distil_paper_table"))


def tinybert_section(base_id: str) -> None:
    """TinyBERT-4: the method, its paper's setting beside ours, the layer map with each layer's transfer loss, and
    the way into /compare's head matching."""
    st.subheader(t("cz_tiny_header"))
    st.markdown(t("cz_tiny_intro"))
    sid = students.TINYBERT_ID
    numbers = rows().get(sid)
    if numbers is None:
        st.info(t("cz_tiny_absent", model=sid))
        return
    transfer, initial = numbers.get("transfer"), numbers.get("transfer_initial")
    if transfer is None or initial is None:
        st.info(t("cz_tiny_unmeasured", model=sid))
        return
    layers = transfer["layers"]
    fig = layer_map_figure(
        [r["teacher"] for r in layers],
        students.results()["teacher"]["layers"],
        title=t("cz_tiny_map_title"),
        teacher_name=t("cz_tiny_teacher", model=base_id),
        student_name=t("cz_tiny_student"),
        layer_words="L{n}",
        embedding_words=t("cz_tiny_emb"),
        edge_labels=[f"{r['hidden']:.3f}" for r in layers],
        embedding_label=f"{transfer['embedding']:.3f}",
        font_size=controls.font_size(),
        height=340 if st.session_state.get("big") else 280,
    )
    st.plotly_chart(fig, width="stretch", key="cz_tiny_map")
    export_ui.figure_downloads(fig, "compress-tinybert-layer-map")
    st.caption(t("cz_tiny_map_caption", n=transfer["sentences"]))
    table = [
        {
            t("cz_tiny_col_student"): f"L{r['student']}",
            t("cz_tiny_col_teacher"): f"L{r['teacher']}",
            t("cz_tiny_col_hidden"): r["hidden"],
            t("cz_tiny_col_hidden0"): first["hidden"],
            t("cz_tiny_col_attn"): r["attention"],
            t("cz_tiny_col_attn0"): first["attention"],
        }
        for r, first in zip(layers, initial["layers"], strict=True)
    ]
    st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
    export_ui.table_download(table, "compress-tinybert-transfer")
    st.markdown(
        t(
            "cz_tiny_quality",
            cosine=numbers["cosine"],
            low=numbers["low"],
            high=numbers["high"],
            n=numbers["n"],
            url=compare_url(base_id, sid, tab="matching"),
        )
    )
    st.markdown(f"**{t('cz_tiny_paper')}**")
    teacher = students.results()["teacher"]
    st.markdown(
        t(
            "cz_tiny_paper_table",
            steps=_steps(sid),
            cosine=numbers["cosine"],
            smaller=teacher["params"] / numbers["params"],
            faster=teacher.get("ms128", float("nan")) / numbers.get("ms128", float("nan")),
        )
    )


def _steps(sid: str) -> str:
    """The training's steps and where its output stage began, from the shipped training log."""
    import json

    log_file = students.folder(sid) / "training_log.json"
    if not log_file.is_file():
        return "—"
    last = (json.loads(log_file.read_text()).get("phases") or [{}])[-1]  # the settings the run finished with
    if not last.get("steps") or not last.get("output_from"):
        return "—"
    return t("cz_tiny_steps", steps=last["steps"], output_from=last["output_from"])
