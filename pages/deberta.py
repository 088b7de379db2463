"""/deberta: DeBERTa's attention score as three terms (c2c, c2p, p2c), what each does to a head, and its buckets."""

import numpy as np
import pandas as pd
import streamlit as st

import bertviz_core as bc
from app import controls, export_ui, nav, state
from app.i18n import t
from bertviz_core import figures
from bertviz_core.analysis import deberta
from bertviz_core.models import heads, quality
from bertviz_core.models.families import family_spec

DEFAULT = "deberta-minilm-l6"  # this page's own default: it never changes the model the other pages show

st.title(t("deb_title"))
st.markdown(t("deb_intro"))


def has_terms(model_id) -> bool | None:
    """Whether the model's family adds its score from terms (its family spec says so); None if it cannot load."""
    entry = bc.registry.entry(model_id) if model_id else None
    if entry is not None:
        return family_spec(entry.family).score_terms is not None
    try:  # a hub id or local folder the user typed: ask the (cached) model itself
        return model_id is not None and family_spec(state.get_model(model_id).family).score_terms is not None
    except Exception:  # noqa: BLE001 - a model that cannot load: the capture below says why
        return None


def show(fig, key: str, stem: str) -> None:
    st.plotly_chart(fig, width="content", key=key)
    export_ui.figure_downloads(fig, f"deberta-{stem}")


users_model = st.session_state.get("model")
own_key = "model" if has_terms(users_model) else "deberta_model"


def _picked():
    st.session_state["model"] = st.session_state[own_key]


c1, c2 = st.columns([2, 3])
with c1:
    model_id = controls.model_picker(own_key, default=DEFAULT, on_pick=_picked)
with c2:
    text, _ = controls.sentence_inputs(pair=False)
if own_key != "model":
    st.caption(t("deb_default_model", model=state.md_escape(controls.model_name(users_model or state.DEFAULT_MODEL))))
if has_terms(model_id) is False:
    st.info(t("deb_not_deberta", model=state.md_escape(controls.model_name(model_id))))
    st.stop()
lm, trace = state.trace_or_stop(model_id, text, terms=True)  # a model that cannot load: the message, then stop
measured = quality.shipped_quality(lm.id)  # a bundled student: how close it is to its teacher, on held-out text
if measured is not None:
    low, high = measured["ci95"]
    numbers = {"cos": measured["heldout_cosine"], "low": low, "high": high, "n": measured["sentences"]}
    st.caption(t("deb_quality", model=lm.id, **numbers))

c1, c2 = st.columns([3, 2])
layer = controls.layer_slider(trace.n_layers, container=c1)
head = int(controls.head_select(trace.n_heads, mean=False, container=c2))
fs, name = controls.font_size(), controls.model_name(lm.id)
width = 1400 if st.session_state.get("big") else 940  # the main column of a 1920 px projector / a 1400 px window
size = {"width": width, "font_size": fs}
axes = {**size, "row_title": t("from_token"), "col_title": t("to_token")}
what = [t("deb_d_c2c"), t("deb_d_c2p"), t("deb_d_p2c")]
term_titles = [f"{term} · {line}" for term, line in zip(trace.deberta_term_names, what)]
terms, attention = trace.deberta_terms[layer, head], trace.attentions[layer, head]

# 1. the three terms of one head, on one diverging scale, beside the attention they make
st.subheader(t("deb_terms_title", layer=layer, head=head))
words = {"unused_note": t("deb_unused"), "term_colorbar": t("deb_term_value"), "attention_colorbar": t("weight")}
titles, subtitles = [*trace.deberta_term_names, t("deb_t_attention")], [*what, t("deb_d_attention")]
fig = figures.term_heatmaps(
    terms, attention, trace.tokens, titles=titles, subtitles=subtitles, used=trace.deberta_terms_used, **words, **axes
)
show(fig, "terms", f"terms-L{layer}-H{head}")
zmax, amax = fig.layout.coloraxis.cmax, fig.layout.coloraxis2.cmax
st.caption(f"{t('model_in_use', model=name)} · " + t("deb_terms_note", zmax=zmax, amax=amax))

with st.spinner(t("deb_computing")):
    summary = state.cached_term_summary(model_id, text)  # every head: shares, JS without each term, the ranking

# 2. each term's share, per layer x head
st.subheader(t("deb_shares_title"))
shares = np.moveaxis(summary["shares"], -1, 0)  # [3, L, H]
panels = {**size, "mark": (layer, head)}
show(figures.layer_head_panels(shares, titles=term_titles, colorbar_title=t("deb_share"), **panels), "shares", "shares")
st.caption(t("deb_share_note"))

# 3. the attention without each term: this head, then every head, then the most positional heads
js = summary["js"]
st.subheader(t("deb_ablation_title", layer=layer, head=head))
ablation_titles = [
    t("deb_ab_real"),
    t("deb_ab_c2c_only", js=js["c2c_only"][layer, head]),
    t("deb_ab_no_c2p", js=js["no_c2p"][layer, head]),
    t("deb_ab_no_p2c", js=js["no_p2c"][layer, head]),
]
fig = figures.ablation_panels(
    terms, attention, trace.tokens, titles=ablation_titles, colorbar_title=t("weight"), **axes
)
show(fig, "ablations", f"without-terms-L{layer}-H{head}")
st.caption(t("deb_ablation_note"))
st.markdown(f"**{t('deb_js_title')}**")
js_titles = [t("deb_js_c2c_only"), t("deb_js_no_c2p"), t("deb_js_no_p2c")]
js_maps = np.stack([js[name] for name in deberta.ABLATIONS])
fig = figures.layer_head_panels(js_maps, titles=js_titles, colorbar_title=t("deb_js"), colorscale="Reds", **panels)
show(fig, "js", "js-without-terms")

st.subheader(t("deb_positional_title"))
if not any(trace.deberta_terms_used[1:]):
    st.info(t("deb_no_position_terms"))
else:
    top = summary["ranked"][:8]
    named = [f"{heads.qualified(p.layer, heads.attn(p.head))} ({p.main_term})" for p in top[:3]]
    st.markdown(t("deb_most_positional", heads=", ".join(named)))
    table = {
        t("layer"): [p.layer for p in top],
        t("head"): [heads.display(heads.attn(p.head)) for p in top],
        t("deb_col_c2c_only"): [p.js_c2c_only for p in top],
        t("deb_col_no_c2p"): [p.js_no_c2p for p in top],
        t("deb_col_no_p2c"): [p.js_no_p2c for p in top],
        t("deb_col_main"): [p.main_term for p in top],
    }
    st.dataframe(pd.DataFrame(table).style.format(precision=3), hide_index=True, key="positional")

# 4. relative distances -> buckets
st.subheader(t("deb_buckets_title"))
spec = family_spec(lm.family)
buckets, max_position, span = spec.score_terms.buckets(lm.model.config)
reach = len(trace) - 1
words = {
    "title": t("deb_bucket_fig_title", model=name),
    "x": t("deb_x_distance"),
    "y": t("deb_y_bucket"),
    "bucket": t("deb_bucket"),
    "row": t("deb_row"),
    "exact": t("deb_exact"),
    "log": t("deb_log"),
    "table_end": t("deb_table_end", span=span),
    "sentence": t("deb_sentence", reach=reach),
}
show(
    figures.position_bucket_figure(buckets, max_position, span, reach=reach, names=words, **size), "buckets", "buckets"
)
numbers = {"model": state.md_escape(name), "span": span, "last": span - 1, "reach": reach}
if buckets > 0:
    mid = buckets // 2
    st.caption(t("deb_bucket_caption", buckets=buckets, mid=mid, log=mid - 1, max_position=max_position, **numbers))
else:
    st.caption(t("deb_bucket_caption_none", **numbers))

# 5. where a word is: BERT's table, ConvBERT's kernels, DeBERTa's relative terms
st.subheader(t("deb_where_title"))
st.markdown(t("deb_where_text"))
absolute = spec.has_absolute_positions(lm.model.config)
st.caption(t("deb_abs_too" if absolute else "deb_abs_none", model=state.md_escape(name)))
c1, c2 = st.columns(2)
c1.page_link(nav.page("positions"), label=t("deb_link_positions"), icon=":material/table_rows:")
c2.page_link(nav.page("convolution"), label=t("deb_link_convolution"), icon=":material/view_week:")

state.sync_url(*(["model"] if own_key == "model" else []), "text", "layer", "head")
controls.share_link("deberta")
