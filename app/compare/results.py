"""/compare's results-folder section: model A's and model B's head metrics over a corpus, from two
folders written by the corpus command (listed from the server's results folder only)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import controls, results_view, state
from app.compare.metrics import metrics_section
from app.compare.summary import summary_csv, summary_section
from app.i18n import t
from bertviz_core.corpus import results as corpus
from bertviz_core.models import heads


def _propose_b() -> None:
    names = results_view.folders()
    a = st.session_state.get("res_a")
    if a in names and len(names) > 1:
        st.session_state["res_b"] = results_view.propose(names, st.session_state.get("model_b", ""), like=a)


def _pick_folders(names: list[str], model_a: str, model_b: str) -> tuple[str, str]:
    """Folder pickers for A and B (proposed: a run of each model, on the same input where there is one)."""
    if st.session_state.get("res_a") not in names:
        st.session_state["res_a"] = results_view.propose(names, model_a)
    if st.session_state.get("res_b") not in names:
        st.session_state["res_b"] = results_view.propose(names, model_b, like=st.session_state["res_a"])
    c1, c2 = st.columns(2)
    name_a = c1.selectbox(
        t("cmpm_res_folder_side", side="A"),
        names,
        key="res_a",
        on_change=_propose_b,
        format_func=results_view.folder_label,
    )
    name_b = c2.selectbox(
        t("cmpm_res_folder_side", side="B"), names, key="res_b", format_func=results_view.folder_label
    )
    return name_a, name_b


def results_section(model_a: str, model_b: str, exclude: bool) -> None:
    """Model A's and model B's head metrics over a corpus, from two folders written by the corpus command
    (listed from the server's results folder only): the same summaries and maps as a run here, without
    head matching (results keep no attention matrices)."""
    st.caption(t("cmpm_res_intro"))
    names = results_view.folders()
    if not names:
        st.info(t("cmpm_res_none"))
        return
    name_a, name_b = _pick_folders(names, model_a, model_b)
    try:
        res_a, res_b = results_view.load(name_a), results_view.load(name_b)
        result = corpus.results_comparison(res_a, res_b)
    except ValueError as exc:  # corpus.ResultsError: the reason, never a traceback
        st.error(t("cmpm_res_error", reason=results_view.reason(exc)))
        return
    label = lambda mid: state.md_escape(controls.model_name(mid))
    shown = lambda n: t("cmpm_res_root") if n == "." else state.md_escape(n)
    st.markdown(
        t(
            "cmpm_res_loaded",
            model_a=label(result["model_a"]),
            name_a=shown(res_a["name"]),
            model_b=label(result["model_b"]),
            name_b=shown(res_b["name"]),
            n=result["n_sentences"],
            input=state.md_escape(results_view.input_name(result["input"])),
        )
    )
    if (result["model_a"], result["model_b"]) != (model_a, model_b):
        st.info(
            t(
                "cmpm_res_models_differ",
                pa=label(model_a),
                pb=label(model_b),
                ra=label(result["model_a"]),
                rb=label(result["model_b"]),
            )
        )
    if result["exclude_special"] != exclude:
        st.caption(
            t(
                "cmpm_res_special",
                state=t("research_state_excluded" if result["exclude_special"] else "research_state_included"),
            )
        )
    if not any(result["sentences"]):
        st.caption(t("cmpm_res_no_texts"))
    for res, kinds in ((res_a, result["kinds_a"]), (res_b, result["kinds_b"])):
        if res["meta"].get("format", 1) < 2 and heads.CONV in kinds:
            st.warning(t("cmpm_res_old_format", name=shown(res["name"])))
    with st.expander(t("research_sentences_used")):
        st.dataframe(
            pd.DataFrame(
                {t("research_col_tokens"): result["lengths_a"], t("research_col_sentence"): result["sentences"]}
            ),
            height=240,
            key="res_sentences_df",
        )
    summary_section(result, key="res")
    st.markdown(f"**{t('research_mean_heatmaps')}**")
    metrics_section(
        result, controls.model_name(result["model_a"]), controls.model_name(result["model_b"]), key="res", many=True
    )
    st.caption(t("cmpm_res_no_js"))
    st.download_button(
        t("export_csv"),
        data=lambda: summary_csv(result),
        file_name="results-summary.csv",
        mime="text/csv",
        on_click="ignore",
        key="res_csv",
        icon=":material/table:",
    )
