"""Download buttons for figures, traces and tables (Streamlit glue over bertviz_core.export).

    from app import export_ui
    st.plotly_chart(fig, key="attention_heatmap")
    export_ui.figure_downloads(fig, "attention")      # one compact "Download" popover under the chart
    export_ui.trace_downloads(trace, "trace")          # NPZ (and JSON for short inputs)
    export_ui.table_download(df, "head_metrics")       # CSV

Nothing is computed while the page runs: each button hands Streamlit a callable that builds the
file only when it is clicked (on a separate thread, without rerunning the page), so adding the
buttons costs the page a few milliseconds (see bench/bench_export.py).
"""

from __future__ import annotations

import re

import streamlit as st

from app.i18n import t
from bertviz_core import export


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "figure"


def _static_ok() -> str | None:
    """None if PNG/SVG/PDF can be made here, else the reason (shown as the buttons' help)."""
    try:
        export.chromium_path()
        return None
    except export.ExportError:
        return t("export_no_browser")


def _built(fig):
    return fig() if callable(fig) else fig


def figure_downloads(fig, name: str, *, container=None) -> None:
    """A compact "Download" popover with PNG (projector), PNG (print, 300 dpi), SVG, PDF and an
    offline HTML of `fig`, each built only when clicked.

    `name` is the file name stem (e.g. "attention-L3-H1") and must be unique on the page (it keys
    the widgets). `container` is where the popover goes (default: the current position). `fig` may also be a
    function returning the figure, called only when a button is clicked (a page that draws a canvas heatmap
    builds its Plotly figure for export only)."""
    stem = _slug(name)
    where = container if container is not None else st
    problem = _static_ok()
    with where.popover(t("export_download"), icon=":material/download:"):
        rows = (
            ("png", "projector", f"{stem}.png", t("export_png_projector")),
            ("png", "print", f"{stem}-print.png", t("export_png_print")),
            ("svg", None, f"{stem}.svg", t("export_svg")),
            ("pdf", None, f"{stem}.pdf", t("export_pdf")),
        )
        for fmt, resolution, file_name, label in rows:
            st.download_button(
                label,
                data=(lambda f=fmt, r=resolution: export.figure_bytes(_built(fig), f, r or "projector")),
                file_name=file_name,
                mime=export.MIME[fmt],
                on_click="ignore",
                key=f"export_{stem}_{fmt}_{resolution}",
                disabled=problem is not None,
                help=problem,
                width="stretch",
            )
        st.download_button(
            t("export_html"),
            data=lambda: export.to_html(_built(fig)).encode("utf-8"),
            file_name=f"{stem}.html",
            mime=export.MIME["html"],
            on_click="ignore",
            key=f"export_{stem}_html",
            help=t("export_html_help"),
            width="stretch",
        )


def trace_downloads(trace, name: str = "trace", *, container=None) -> None:
    """Buttons for the captured Trace: NPZ (numpy) always, JSON for short inputs (up to
    export.JSON_MAX_TOKENS tokens). Built only when clicked."""
    stem = _slug(name)
    where = container if container is not None else st
    with where.popover(t("export_trace"), icon=":material/database:"):
        st.caption(t("export_trace_help"))
        st.download_button(
            t("export_npz"),
            data=lambda: export.trace_to_npz(trace),
            file_name=f"{stem}.npz",
            mime=export.MIME["npz"],
            on_click="ignore",
            key=f"export_{stem}_npz",
            width="stretch",
        )
        too_long = len(trace) > export.JSON_MAX_TOKENS
        st.download_button(
            t("export_json"),
            data=lambda: export.trace_to_json(trace).encode("utf-8"),
            file_name=f"{stem}.json",
            mime=export.MIME["json"],
            on_click="ignore",
            key=f"export_{stem}_json",
            disabled=too_long,
            width="stretch",
            help=t("export_json_too_long", n=len(trace), max=export.JSON_MAX_TOKENS) if too_long else None,
        )


def table_download(df, name: str, *, container=None) -> None:
    """One CSV download button for a table (pandas DataFrame, list of row dicts or dict of columns)."""
    stem = _slug(name)
    where = container if container is not None else st
    where.download_button(
        t("export_csv"),
        data=lambda: export.table_to_csv(df),
        file_name=f"{stem}.csv",
        mime=export.MIME["csv"],
        on_click="ignore",
        key=f"export_{stem}_csv",
        icon=":material/table:",
    )
