"""/ (home): what the app shows, with a link to every view."""

import streamlit as st

from app import nav
from app.i18n import t

st.title(t("app_title"))
st.write(t("home_intro"))
st.subheader(t("home_views"))
for name in nav.PAGES:
    if name == "home" or not nav.exists(name):
        continue
    c1, c2 = st.columns([1, 4])
    c1.page_link(nav.page(name), icon="➡️")
    c2.write(t(f"home_{name}"))
st.caption(t("home_offline"))
