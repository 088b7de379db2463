"""/model-view: every layer x head as thumbnails; clicking one opens /attention."""
import streamlit as st

from app import controls, nav, state
from app.i18n import t
from bertviz_core import figures

st.title(t("model_view_title"))
model_id, text, text_b = controls.model_and_sentence(pair=True)
lm, trace = state.trace_or_stop(model_id, text, text_b)
st.caption(t("model_view_caption"))

fig = figures.model_view_grid(trace.attentions, row_label=t("layer"), col_label=t("head"),
                              font_size=controls.font_size())
event = st.plotly_chart(fig, width="content", on_select="rerun", selection_mode="points", key="grid")
points = (event or {}).get("selection", {}).get("points", []) if event else []
if points and "customdata" in points[0]:
    layer, head = points[0]["customdata"]
    st.session_state["layer"], st.session_state["head"] = int(layer), str(head)
    st.switch_page(nav.page("attention"))

c1, c2, c3 = st.columns([2, 2, 2])
pick_layer = c1.selectbox(t("layer"), range(trace.n_layers), key="mv_layer")
pick_head = c2.selectbox(t("head"), range(trace.n_heads), key="mv_head", format_func=lambda h: t("head_n", n=h))
if c3.button(t("open_in_attention")):
    st.session_state["layer"], st.session_state["head"] = int(pick_layer), str(pick_head)
    st.switch_page(nav.page("attention"))
state.sync_url("model", "text", "text_b")
controls.share_link("model-view")
