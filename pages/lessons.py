"""/lessons: presets for a class; each opens the right page with the right settings."""
from urllib.parse import urlencode

import streamlit as st

from app import controls, nav
from app.i18n import t
from app.lessons import LESSONS

st.title(t("lessons_title"))
st.write(t("lessons_intro"))
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
            st.switch_page(nav.page(lesson.page))
        url_path = nav.PAGES[lesson.page][1]
        c1.code(controls.absolute_url(f"/{url_path}?{urlencode({k: str(v) for k, v in lesson.state.items()})}"),
                language=None)
