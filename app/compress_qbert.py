"""Q-BERT on /compress (bertviz_core.analysis.qbert): the table's rows of `@q=N` and `@qbert=B`, whether Hessian-aware
allocation won here, the bits curve beside the per-layer eigenvalues, the tables, and the paper's setting beside ours.

    from app import compress_qbert
    rows = compress_qbert.qbert_rows(qbert.results(), base_params)
    compress_qbert.qbert_section(base_id, qbert.results())

Numbers come from bench/bench_qbert.py (shipped, dated).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import controls, export_ui
from app.i18n import t
from bertviz_core.analysis import qbert
from bertviz_core.export import lesson_compress
from bertviz_core.figures.compress import bits_curve_figure


def qbert_rows(res: dict, base_params: int | None) -> dict[str, dict]:
    """The table's numbers of `@q=4`, `@qbert=4`, `@q=3`, `@qbert=3` from the bits curve (simulated: size packed,
    parameters the original's, speed not measured)."""
    rows = {}
    for target in (4, 3):
        for key, kind in (("uniform", "q"), ("hessian", "qbert")):
            row = next((r for r in res[key] if r.get("target", r["bits"][0]) == target), None)
            if row is not None:
                rows[f"{res['model']}@{kind}={target}"] = {
                    "size_mb": row["packed_mb"],
                    "params": base_params,
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
        fig = lesson_compress.eigenvalue_bars(record, t, controls.font_size())
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
