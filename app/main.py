"""Entrypoint: `streamlit run app/main.py`. Router plus the shared frame (sidebar)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st

from app import i18n, lessons, nav, state, warmup
from app.i18n import t

warmup.start()  # once per process, in the background (app/serve.py starts it with the server already)
st.set_page_config(page_title="BERT Inside", page_icon="🔎", layout="wide")
state.init_session()

page = st.navigation(nav.all_pages(), expanded=True)  # every page in view: no "View 3 more" hiding Lessons

with st.sidebar:
    st.session_state.setdefault("lang", "en")
    st.radio(t("language"), list(i18n.LANGUAGES), format_func=i18n.LANGUAGES.get, key="lang", horizontal=True)
    st.toggle(t("projector"), key="big")
    lesson = lessons.on_screen(st.session_state, nav.name_of(page))
    if lesson is not None:  # the lesson's explanation stays beside its figure (texts are ours, not the user's)
        with st.container(border=True):
            st.markdown(f"**{t('lesson_now')}: {t(f'lesson_{lesson.key}_title')}**")
            st.markdown(t(f"lesson_{lesson.key}_text"))
            if st.button(t("lesson_hide"), key="lesson_hide"):
                st.session_state["lesson_active"] = None
                st.rerun()

if st.session_state.get("big"):
    # constant CSS only (never user text): Streamlit sizes text in rem, so scaling the root scales all
    st.markdown("<style>html { font-size: 125%; }</style>", unsafe_allow_html=True)

page.run()
