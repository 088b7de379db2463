"""/compress: int8, head pruning and distillation side by side (size, speed, quality, heads)."""

from urllib.parse import urlencode

import numpy as np
import pandas as pd
import streamlit as st

from app import controls, export_ui, state
from app.i18n import t
from bertviz_core import figures
from bertviz_core.analysis import compress, metrics, qbert
from bertviz_core.figures.compress import bits_curve_figure, curve_figure, eigenvalue_figure
from bertviz_core.models import student

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
    if model_id == compress.DISTILLED_ID:
        return t("cz_kind_distil")
    _, kind, value = compress.parse_variant(model_id)
    if kind == "q":
        return t("cz_kind_q", n=value)
    if kind == "qbert":
        return t("cz_kind_qbert", b=qbert.bits_text(value))
    return t("cz_kind_int8") if kind == "int8" else t("cz_kind_prune", p=round(value * 100))


def compare_url(a: str, b: str) -> str:
    return "/compare?" + urlencode({"model_a": a, "model_b": b})


def qbert_rows(res: dict) -> dict[str, dict]:
    """The table's numbers of `@q=4`, `@qbert=4`, `@q=3`, `@qbert=3` from the bits curve (simulated: size packed,
    parameters the original's, speed not measured)."""
    rows = {}
    for target in (4, 3):
        for key, kind in (("uniform", "q"), ("hessian", "qbert")):
            row = next((r for r in res[key] if r.get("target", r["bits"][0]) == target), None)
            if row is not None:
                rows[f"{res['model']}@{kind}={target}"] = {
                    "size_mb": row["packed_mb"],
                    "params": (entry or {}).get("params"),
                    "cosine": row["cosine"],
                }
    return rows


def allocation_names() -> dict[str, str]:
    """The three allocations of the bits curve, in the page's language (keys: the results file's)."""
    return {"uniform": t("cz_qbert_uniform"), "hessian": t("cz_qbert_hessian"), "reverse": t("cz_qbert_reverse")}


def loss_words(record: dict | None) -> str:
    """The loss the eigenvalues were measured on, in the page's language."""
    return t("cz_qbert_loss_mlm") if (record or {}).get("loss") == "mlm" else t("cz_qbert_loss_distillation")


def sentences_words(record: dict) -> str:
    """Where the eigenvalues' sentences came from, in the page's language (a source other than EWT dev as recorded)."""
    if "EWT dev" in record["sentences"]:
        return t("cz_qbert_ewt_dev", n=record["settings"]["batches"] * record["settings"]["batch_size"])
    return str(record["sentences"])


def verdict(res: dict, target: float) -> None:
    """Whether @qbert=target beats @q=target and the reverse order, from the paired differences (same sentences)."""
    comp = next((c for c in res.get("comparisons", []) if c["target"] == target), None)
    for d, other in ((comp or {}).get("vs_uniform"), f"@q={target:g}"), ((comp or {}).get("vs_reverse"), None):
        if d is None:
            continue
        values = {
            "b": qbert.bits_text(target),
            "other": other or t("cz_qbert_reverse_short"),
            "diff": d["diff"],
            "gap": abs(d["diff"]),
            "low": d["low"],
            "high": d["high"],
        }
        if d["low"] > 0:
            st.markdown(t("cz_qbert_better", **values))
        elif d["high"] < 0:
            st.markdown(t("cz_qbert_worse", **values))
        else:
            st.markdown(t("cz_qbert_tie", **values))


def qbert_figures(base: str, res: dict, record: dict) -> None:
    """The bits curve (three allocations) beside the per-layer eigenvalue bars."""
    c1, c2 = st.columns(2)
    with c1:
        names = allocation_names()
        fig = bits_curve_figure(
            res,
            names=names,
            title=t("cz_qbert_curve_title"),
            x_title=t("cz_qbert_curve_x"),
            y_title=t("cz_curve_y"),
            font_size=controls.font_size(),
        )
        st.plotly_chart(fig, width="stretch", key="cz_qbert_curve")
        export_ui.figure_downloads(fig, f"compress-qbert-bits-{base}")
        st.caption(t("cz_qbert_curve_caption", n=res["quality_sentences"], date=res["measured"]))
    with c2:
        fig = eigenvalue_figure(
            record["layers"],
            title=t("cz_qbert_eig_title"),
            x_labels=[f"L{i}" for i in range(len(record["layers"]))],
            y_title=t("cz_qbert_eig_y"),
            omega_name=t("cz_qbert_omega"),
            batch_name=t("cz_qbert_batch"),
            font_size=controls.font_size(),
        )
        st.plotly_chart(fig, width="stretch", key="cz_qbert_eig")
        export_ui.figure_downloads(fig, f"compress-qbert-eigenvalues-{base}")
        s = record["settings"]
        st.caption(
            t(
                "cz_qbert_eig_caption",
                loss=loss_words(record),
                sentences=sentences_words(record),
                batches=s["batches"],
                size=s["batch_size"],
                tol=s["tol"],
                max_iter=s["max_iter"],
                seconds=record["seconds"],
            )
        )


def qbert_tables(base: str, res: dict, record: dict) -> None:
    """Per layer: eigenvalues, iterations, convergence and the bits @qbert gives; then every allocation measured."""
    bits_at = {r["target"]: r["bits"] for r in res["hessian"]}
    rows = []
    for i, layer in enumerate(record["layers"]):
        row = {
            t("cz_qbert_col_layer"): f"L{i}",
            t("cz_qbert_col_eigs"): ", ".join(f"{e:.3f}" for e in layer["eigenvalues"]),
            "Ω": round(layer["omega"], 3),
            t("cz_qbert_col_iters"): ", ".join(map(str, layer["iterations"])),
            t("cz_qbert_col_rel"): ", ".join(f"{r:.1e}" for r in layer["rel_change"]),
            t("cz_qbert_col_converged"): all(layer["converged"]),
        }
        row |= {t("cz_qbert_col_bits", b=b): bits_at[b][i] for b in (3, 4) if b in bits_at}
        if res.get("probe"):
            row[t("cz_qbert_col_probe", b=res["probe_bits"])] = res["probe"][i]
        rows.append(row)
    st.markdown(f"**{t('cz_qbert_layers')}**")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if res.get("probe"):
        st.caption(t("cz_qbert_probe_caption", b=res["probe_bits"]))
    rows = [
        {
            t("cz_qbert_col_alloc"): allocation_names()[key],
            t("cz_qbert_col_target"): r.get("target", r["bits"][0]),
            t("cz_qbert_col_perlayer"): " ".join(map(str, r["bits"])),
            t("cz_qbert_col_packed"): r["packed_mb"],
            t("cz_col_cosine"): r["cosine"],
            t("cz_qbert_col_low"): r["low"],
            t("cz_qbert_col_high"): r["high"],
        }
        for key in ("uniform", "hessian", "reverse")
        for r in res[key]
    ]
    st.markdown(f"**{t('cz_qbert_allocations')}**")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    export_ui.table_download(rows, f"compress-qbert-{base}")
    st.caption(t("cz_qbert_packed_caption", fp32=res["fp32_mb"]))


def qbert_section(base: str, res: dict | None) -> None:
    """Q-BERT: what it does, whether it won here, the curve and the eigenvalues, and the paper's setting beside ours."""
    st.subheader(t("cz_qbert_header"))
    st.markdown(t("cz_qbert_intro"))
    record = qbert.shipped_sensitivity(base)
    if res is None or record is None:
        st.info(t("cz_qbert_unmeasured", model=base))
    else:
        verdict(res, 3)
        qbert_figures(base, res, record)
        qbert_tables(base, res, record)
    settings = (record or {}).get("settings", qbert.SHIPPED_SETTINGS)
    u3 = next((r["cosine"] for r in (res or {}).get("uniform", []) if r["bits"][0] == 3), None)
    h3 = next((r["cosine"] for r in (res or {}).get("hessian", []) if r["target"] == 3), None)
    st.markdown(f"**{t('cz_qbert_paper')}**")
    st.markdown(
        t(
            "cz_qbert_paper_table",
            loss=loss_words(record),
            batches=settings["batches"],
            size=settings["batch_size"],
            u3="—" if u3 is None else f"{u3:.3f}",
            h3="—" if h3 is None else f"{h3:.3f}",
        )
    )


# ---- the variants and their numbers
variants = (
    list(entry["variants"])
    if entry
    else ([f"{base_id}@int8"] + ([f"{base_id}@prune=30%"] if base_id == "bert-minilm-l6" else []))
)
distilled = base_id == "bert-minilm-l6" and compress.distilled_available()
if distilled and compress.DISTILLED_ID not in variants:
    variants.append(compress.DISTILLED_ID)
if not distilled:
    variants = [v for v in variants if v != compress.DISTILLED_ID]
qres = qbert.results()
quantized = qbert_rows(qres) if qres and qres["model"] == base_id else {}
variants += [v for v in quantized if v not in variants]

rows = []
for model_id in [base_id] + variants:
    numbers = entry if model_id == base_id else (entry or {}).get("variants", {}).get(model_id, quantized.get(model_id))
    numbers = numbers or {}
    rows.append(
        {
            t("cz_col_model"): model_id,
            t("cz_col_kind"): kind_label(model_id),
            t("cz_col_size"): numbers.get("size_mb"),
            t("cz_col_params"): numbers.get("params"),
            t("cz_col_ms16"): numbers.get("ms16"),
            t("cz_col_ms128"): numbers.get("ms128"),
            t("cz_col_cosine"): 1.0 if model_id == base_id else numbers.get("cosine"),
            t("cz_col_compare"): None if model_id == base_id else compare_url(base_id, model_id),
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
    int8 = entry["variants"].get(f"{base_id}@int8", {})
    st.caption(t("cz_int8_kept", n=len(int8.get("fp32_layers", [])), thr=compress.INT8_MIN_COSINE))
if quantized:
    st.caption(t("cz_q_rows"))
else:
    st.warning(t("cz_no_results"))
if base_id == "bert-minilm-l6":
    if not distilled:
        st.info(t("cz_distil_absent"))
    elif compress.DISTILLED_ID not in (entry or {}).get("variants", {}):
        st.caption(t("cz_distil_unmeasured"))
else:
    st.caption(t("cz_prune_unsupported"))

# ---- any pair in /compare
st.subheader(t("cz_pair"))
everything = [base_id] + variants
c1, c2, c3 = st.columns([2, 2, 2])
pair_a = c1.selectbox(t("model_a"), everything, key="cz_pair_a")
pair_b = c2.selectbox(t("model_b"), everything, index=min(1, len(everything) - 1), key="cz_pair_b")
c3.markdown(f"[{t('cz_pair_link')}]({compare_url(pair_a, pair_b)})")

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
        curve_fig = curve_figure(
            curve,
            title=t("cz_curve_title"),
            x_title=t("cz_curve_x"),
            y_title=t("cz_curve_y"),
            importance_name=t("cz_curve_importance"),
            random_name=t("cz_curve_random", n=len(curve["random"])),
            font_size=controls.font_size(),
        )
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

qbert_section(base_id, qres if qres and qres["model"] == base_id else None)

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
if variant == compress.DISTILLED_ID:
    layer_map = [student.teacher_layer_of("distilbert3", i) for i in range(variant_trace.n_layers)]
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
    st.caption(t("cz_js_distil_caption", pairs=", ".join(f"{i}→{j}" for i, j in enumerate(layer_map))))
state.sync_url("text")
controls.share_link("compress")
