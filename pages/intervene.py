"""/intervene: ablate heads, mask or replace tokens, and see what changes (output and later attention)."""

import streamlit as st

from app import controls, intervene_view, state
from app.i18n import t

st.title(t("iv_title"))
st.write(t("iv_intro"))
model_id, text, _ = controls.model_and_sentence(pair=False)
lm, trace = state.trace_or_stop(model_id, text)
intervene_view.section(lm, trace, url_key="heads")
state.sync_url("model", "text", "heads")
controls.share_link("intervene")
