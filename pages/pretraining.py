"""/pretraining: how BERTs are pretrained, each task on the user's sentence: masked-word prediction (the guesses and
where the mask looks), next-sentence prediction on a pair, ELECTRA's replaced-token detection, ERNIE's masking."""

import streamlit as st

from app import controls, electra_view, state
from app import pretraining_view as pv
from app.i18n import t

st.title(t("pre_title"))
st.markdown(t("pre_intro"))

own_key = pv.mlm_key()  # the user's model guesses when it has a masked-LM head; else this page's own


def _picked():
    st.session_state["model"] = st.session_state[own_key]


# 1. masked-word prediction
st.subheader(t("pre_fm_title"))
st.markdown(t("pre_fm_text"))
c1, c2 = st.columns([2, 3])
with c1:
    model_id = controls.model_picker(own_key, default=pv.MLM_MODEL, on_pick=_picked)
with c2:
    st.session_state.setdefault("mask_text", pv.DEFAULT_MASK_TEXT)
    st.text_input(t("pre_fm_sentence"), key="mask_text", help=t("pre_fm_sentence_help"))
mask_text = state.clean_text(st.session_state.get("mask_text"))
lm = pv.model_or_stop(model_id)
pv.fill_mask_section(lm, mask_text)

# 2. next-sentence prediction, on the user's sentence pair (sections 3 and 4 use sentence A)
st.subheader(t("pre_nsp_title"))
st.markdown(t("pre_nsp_text"))
text, text_b = controls.sentence_inputs(pair=True)
text, text_b = state.clean_text(text), state.clean_text(text_b)
pv.next_sentence_box(pv.nsp_model(), text, text_b)

# 3. ELECTRA: replaced-token detection
st.subheader(t("pre_el_title"))
st.markdown(t("pre_el_text"))
electra_view.electra_section(lm, text)

# 4. ERNIE: knowledge masking
st.subheader(t("pre_mk_title"))
st.markdown(t("pre_mk_text"))
pv.masking_section(text)

state.sync_url(*(["model"] if own_key == "model" else []), "mask_text", "text", "text_b")
controls.share_link("pretraining")
