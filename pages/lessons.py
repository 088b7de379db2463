"""/lessons: presets for a class; each opens the right page with the right settings, or goes home
with the teacher as one offline HTML file (every figure, interactive, with its explanation)."""

import datetime
import json
from urllib.parse import urlencode

import streamlit as st

from app import controls, i18n, nav, state
from app.i18n import t
from app.lessons import LESSONS
from app.state import caches
from bertviz_core import export
from bertviz_core.export import lesson_pack


def _pack(lessons_json: str, lang: str, font_size: int) -> tuple[bytes, int]:
    """The offline pack of the given lessons, shared by all sessions (one per lessons x language x font:
    caches.lesson_packs)."""
    return caches.lesson_packs.get_or_compute(
        (lessons_json, lang, font_size), lambda: _build_pack(lessons_json, lang, font_size)
    )


def _build_pack(lessons_json: str, lang: str, font_size: int) -> tuple[bytes, int]:
    """The offline pack of the given lessons: (HTML bytes, number of figures)."""
    tr = lesson_pack.translator(i18n.TEXT, lang)
    sources = lesson_pack.Sources(get_model=state.get_model, get_trace=state.cached_trace)
    sections = [
        lesson_pack.lesson_section(
            tr(f"lesson_{key}_title"),
            tr(f"lesson_{key}_text"),
            page,
            values,
            t=tr,
            sources=sources,
            font_size=font_size,
        )
        for key, page, values in json.loads(lessons_json)
    ]
    title = sections[0].title if len(sections) == 1 else tr("export_pack_all_title")
    meta = tr("export_pack_meta", date=datetime.date.today().isoformat())
    html = lesson_pack.build_pack(title, sections, meta=meta, lang=lang)
    return html.encode("utf-8"), lesson_pack.figure_count(sections)


def pack_buttons(lessons, name: str, where) -> None:
    """ "Prepare" builds the pack (cached); then its download button states the size."""
    spec = json.dumps([[ls.key, ls.page, ls.state] for ls in lessons], ensure_ascii=False, sort_keys=True)
    args = (spec, i18n.lang(), controls.font_size())
    flag = f"pack_ready_{name}"
    if not st.session_state.get(flag) and where.button(
        t("export_pack_prepare"), key=f"pack_{name}", help=t("export_pack_help"), icon=":material/backpack:"
    ):
        st.session_state[flag] = True
    if st.session_state.get(flag):
        try:
            with st.spinner(t("export_pack_building")):
                data, n = _pack(*args)
        except (ValueError, export.ExportError, OSError) as exc:
            where.error(t("export_pack_failed", reason=state.md_escape(exc)))
            return
        where.download_button(
            t("export_pack_ready", size=export.human_size(len(data)), n=n),
            data=data,
            file_name=f"lesson-{name}.html",
            mime="text/html",
            on_click="ignore",
            key=f"pack_dl_{name}",
            icon=":material/download:",
            help=t("export_pack_help"),
        )


st.title(t("lessons_title"))
st.write(t("lessons_intro"))
with st.container(border=True):
    st.markdown(f"**{t('export_pack_all')}**")
    pack_buttons(LESSONS, "all", st)
for lesson in LESSONS:
    with st.container(border=True):
        c1, c2 = st.columns([5, 1])
        c1.subheader(t(f"lesson_{lesson.key}_title"))
        c1.write(t(f"lesson_{lesson.key}_text"))
        if c2.button(t("lesson_open"), key=f"open_{lesson.key}", type="primary"):
            for key, value in lesson.state.items():
                st.session_state[key] = value
            if "text_b" not in lesson.state:
                st.session_state["text_b"] = ""
            st.session_state["lesson_active"] = lesson.key  # its explanation stays in the sidebar
            st.switch_page(nav.page(lesson.page))
        url_path = nav.PAGES[lesson.page][1]
        query = urlencode(state.with_language({k: str(v) for k, v in lesson.state.items()}))
        actions = c1.container(horizontal=True, gap="small")  # the link and the pack on one line, as on the pages
        with actions.popover(t("copy_link"), icon=":material/link:"):  # the link to share, with a copy button
            st.code(controls.absolute_url(f"/{url_path}?{query}"), language=None)
        pack_buttons([lesson], lesson.key, actions)
