"""/compress: the seed's compression chapter. Quantization (int8, Q-BERT), head pruning and distillation (DistilBERT's
depth curve, TinyBERT-4) side by side: size, speed, quality, and what each does to the heads."""

import numpy as np
import pandas as pd
import streamlit as st

from app import compress_qbert, compress_students, controls, export_ui, state
from app.i18n import t
from bertviz_core import figures
from bertviz_core.analysis import compress, metrics, qbert, students
from bertviz_core.export import lesson_compress

BASES = ("bert-minilm-l6", "convbert-minilm-l6")

st.title(t("cz_title"))
big = bool(st.session_state.get("big"))  # projector mode: taller heatmaps, fewer colour-bar ticks
st.write(t("cz_intro"))
results = compress.results() or {}
st.session_state.setdefault("cz_base", BASES[0])
base_id = st.radio(t("cz_base"), BASES, key="cz_base", horizontal=True)
entry = results.get("models", {}).get(base_id)


def kind_label(model_id: str) -> str:
    if model_id == base_id:
        return t("cz_kind_original")
    distilled = compress_students.kind_label(model_id)
    if distilled is not None:
        return distilled
    _, kind, value = compress.parse_variant(model_id)
    if kind == "q":
        return t("cz_kind_q", n=value)
    if kind == "qbert":
        return t("cz_kind_qbert", b=qbert.bits_text(value))
    return t("cz_kind_int8") if kind == "int8" else t("cz_kind_prune", p=round(value * 100))


# ---- the variants and their numbers: quantized and pruned (bench_compress), Q-BERT (bench_qbert), students
numbers_of: dict[str, dict] = dict((entry or {}).get("variants", {}))
if not entry:
    numbers_of = {f"{base_id}@int8": {}} | ({f"{base_id}@prune=30%": {}} if base_id == students.TEACHER_ID else {})
qres = qbert.results()
if qres and qres["model"] == base_id:
    numbers_of |= {k: v for k, v in compress_qbert.qbert_rows(qres, (entry or {}).get("params")).items()}
distilled = compress_students.rows() if base_id == students.TEACHER_ID else {}
numbers_of |= distilled
variants = list(numbers_of)

rows = []
for model_id in [base_id] + variants:
    numbers = (entry or {}) if model_id == base_id else numbers_of[model_id]
    rows.append(
        {
            t("cz_col_model"): model_id,
            t("cz_col_kind"): kind_label(model_id),
            t("cz_col_size"): numbers.get("size_mb"),
            t("cz_col_params"): numbers.get("params"),
            t("cz_col_ms16"): numbers.get("ms16"),
            t("cz_col_ms128"): numbers.get("ms128"),
            t("cz_col_cosine"): 1.0 if model_id == base_id else numbers.get("cosine"),
            t("cz_col_interval"): compress_students.interval_text(numbers),
            t("cz_col_compare"): None if model_id == base_id else compress_students.compare_url(base_id, model_id),
        }
    )
st.dataframe(
    pd.DataFrame(rows),
    hide_index=True,
    width="stretch",
    placeholder="—",  # the original model has no /compare link; an unmeasured number stays a dash, never "None"
    column_config={
        t("cz_col_compare"): st.column_config.LinkColumn(t("cz_col_compare"), display_text="/compare ↗"),
        t("cz_col_cosine"): st.column_config.NumberColumn(format="%.4f"),
        t("cz_col_params"): st.column_config.NumberColumn(format="localized"),
    },
)
export_ui.table_download(rows, f"compress-{base_id}")
if entry:
    st.caption(
        t(
            "cz_measured",
            date=results["measured"],
            machine=results["machine"],
            threads=results["threads"],
            n=results["quality_sentences"],
        )
    )
    if results.get("speed_measured"):
        st.caption(t("cz_speed_remeasured", date=results["speed_measured"]))
    int8 = entry["variants"].get(f"{base_id}@int8", {})
    st.caption(t("cz_int8_kept", n=len(int8.get("fp32_layers", [])), thr=compress.INT8_MIN_COSINE))
else:
    st.warning(t("cz_no_results"))
if qres and qres["model"] == base_id:
    st.caption(t("cz_q_rows"))
if distilled:
    sres = students.results()
    if sres:
        st.caption(t("cz_students_measured", date=sres["measured"], n=sres["quality_sentences"]))
    unmeasured = [sid for sid, numbers in distilled.items() if not numbers]
    if unmeasured:
        st.caption(t("cz_student_unmeasured", models=", ".join(unmeasured)))
if base_id != students.TEACHER_ID:
    st.caption(t("cz_prune_unsupported"))

# ---- any pair in /compare
st.subheader(t("cz_pair"))
everything = [base_id] + variants
c1, c2, c3 = st.columns([2, 2, 2])
pair_a = c1.selectbox(t("model_a"), everything, key="cz_pair_a")
pair_b = c2.selectbox(t("model_b"), everything, index=min(1, len(everything) - 1), key="cz_pair_b")
c3.markdown(f"[{t('cz_pair_link')}]({compress_students.compare_url(pair_a, pair_b)})")

# ---- how each method works (the tutorial's compression sections)
st.subheader(t("cz_explain"))
e1, e2, e3 = st.columns(3)
e1.markdown(t("cz_explain_distil"))
e2.markdown(t("cz_explain_quant"))
e3.markdown(t("cz_explain_prune"))

# ---- pruning: curve and importance (precomputed by bench/bench_compress.py)
if entry and entry.get("curve"):
    curve = entry["curve"]
    c1, c2 = st.columns(2)
    with c1:
        curve_fig = lesson_compress.pruning_curve(curve, t, controls.font_size())
        st.plotly_chart(curve_fig, width="stretch", key="cz_curve")
        export_ui.figure_downloads(curve_fig, f"compress-pruning-curve-{base_id}")
        st.caption(t("cz_curve_caption", n=results["quality_sentences"]))
    with c2:
        importance = np.asarray(entry["importance"], dtype=np.float32)
        n_attn = importance.shape[1] if base_id != "convbert-minilm-l6" else importance.shape[1] // 2
        importance_fig = figures.numeric_heatmap(
            importance[:, :n_attn],
            title=t("cz_importance_title", n=results["importance_sentences"]),
            x_title=t("cz_head"),
            y_title=t("cz_layer"),
            colorscale="Viridis",
            zmid=None,
            x_labels=[f"H{h}" for h in range(n_attn)],
            y_labels=[f"L{l}" for l in range(importance.shape[0])],
            colorbar_title=t("cz_importance"),
            font_size=controls.font_size(),
            height=480 if big else 380,
            colorbar_ticks=5 if big else None,
        )
        st.plotly_chart(importance_fig, width="stretch", key="cz_importance")
        export_ui.figure_downloads(importance_fig, f"compress-head-importance-{base_id}")

if base_id == students.TEACHER_ID:
    compress_students.depth_section()
    compress_students.tinybert_section(base_id)
compress_qbert.qbert_section(base_id, qres if qres and qres["model"] == base_id else None)

# ---- per-head attention change on the user's sentence
st.subheader(t("cz_js_header"))
c1, c2 = st.columns([1, 2])
with c1:
    variant = st.selectbox(
        t("cz_js_variant"), variants, key="cz_variant", format_func=lambda v: f"{v} · {kind_label(v)}"
    )
with c2:
    text, _ = controls.sentence_inputs(pair=False)
base_lm, base_trace = state.trace_or_stop(base_id, text)
variant_lm, variant_trace = state.trace_or_stop(variant, text)
layer_map = None
y_labels = [f"L{l}" for l in range(variant_trace.n_layers)]
student_kind = students.kind_of(variant)
if student_kind is not None:
    layer_map = students.layer_map(student_kind)
    y_labels = [t("cz_student_layer", i=i, j=j) for i, j in enumerate(layer_map)]
try:
    js = compress.attention_change(base_trace, variant_trace, layer_map)
except ValueError as exc:
    st.error(t("cz_load_failed", model=state.md_escape(variant), reason=state.md_escape(exc)))
    st.stop()
slot_names = metrics.slot_names(variant_trace)
js_fig = figures.numeric_heatmap(
    js,
    title=t("cz_js_title", variant=variant, base=base_id),
    x_title=t("cz_head"),
    y_title=t("cz_layer"),
    colorscale="Reds",
    zmin=0.0,
    zmax=max(0.05, float(np.nanmax(js)) if np.isfinite(js).any() else 0.05),
    zmid=None,
    x_labels=slot_names,
    y_labels=y_labels,
    colorbar_title=t("cz_js_colorbar"),
    font_size=controls.font_size(),
    height=(160 + 56 * len(y_labels)) if big else (120 + 34 * len(y_labels)),
    colorbar_ticks=4 if big else None,  # at most 4 labels, each with room for the projector font
)
st.plotly_chart(js_fig, width="stretch", key="cz_js")
export_ui.figure_downloads(js_fig, f"compress-attention-change-{variant}")
st.caption(t("cz_js_caption"))
if layer_map is not None:
    st.caption(
        t("cz_js_distil_caption", n=len(layer_map), pairs=", ".join(f"{i}→{j}" for i, j in enumerate(layer_map)))
    )
state.sync_url("text")
controls.share_link("compress")
