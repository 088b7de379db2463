"""/positions: learned position embeddings vs. sinusoids, and what this sentence adds."""

import streamlit as st

from app import controls, export_ui, nav, state
from app.i18n import t
from bertviz_core.analysis import positions
from bertviz_core.figures.charts import dims_over_position, pca_path_figure
from bertviz_core.figures.heatmaps import numeric_heatmap
from bertviz_core.models import families
from bertviz_core.models.families import family_spec


def show(fig, key):
    st.plotly_chart(fig, width="stretch", key=key)
    export_ui.figure_downloads(fig, f"positions-{key}")


st.title(t("pos_title"))
st.markdown(t("pos_note"))
model_id, text, text_b = controls.model_and_sentence(pair=True)
lm, trace = state.trace_or_stop(model_id, text, text_b)
scheme = t(
    {families.LEARNED_OFFSET: "pos_scheme_roberta", families.RELATIVE: "pos_scheme_relative"}.get(  # the spec's scheme
        family_spec(lm.family).position_scheme, "pos_scheme_learned"
    )
)
st.caption(t("pos_scheme", model=controls.model_name(lm.id), scheme=scheme))
fs = controls.font_size()

table, first = positions.learned_table(lm)
c1, c2, c3, c4 = st.columns(4)
n = c1.slider(t("pos_n"), 8, 512, 128, step=8, key="pos_n")
d = c2.select_slider(
    t("pos_d"),
    [16, 32, 64, 128, 256, 384, 512, 768],
    value=table.shape[1] if table is not None and table.shape[1] in (128, 256, 384, 768) else 384,
    key="pos_d",
)
dims = c3.multiselect(
    t("pos_dims"),
    list(range(min(d, table.shape[1] if table is not None else d))),
    default=positions.default_dims(d),
    key="pos_dims",
)
three_d = c4.toggle(t("pos_3d"), key="pos_3d")

sinus = positions.sinusoidal(n, d)
learned = table[first : first + n] if table is not None else None
columns = st.columns(2)
for col, name, p in (
    (columns[0], t("pos_learned", model=controls.model_name(lm.id)), learned),
    (columns[1], t("pos_sin"), sinus),
):
    with col:
        st.subheader(name)
        if p is sinus:
            st.latex(
                r"PE_{(i,\,2j)} = \sin\left(i / 10000^{2j/d}\right) \\ PE_{(i,\,2j+1)} = \cos\left(i / 10000^{2j/d}\right)"
            )
        if p is None:
            st.info(t("pos_none", model=controls.model_name(lm.id), scheme=scheme))
            if family_spec(lm.family).score_terms is not None:  # DeBERTa: where its positions are instead
                st.page_link(nav.page("deberta"), label=t("pos_see_deberta"), icon=":material/arrow_forward:")
            continue
        show(
            numeric_heatmap(
                positions.cosine_similarity_matrix(p),
                title=t("pos_cos_title"),
                x_title=t("pos_position"),
                y_title=t("pos_position"),
                zmin=-1,
                zmax=1,
                zmid=0,
                font_size=fs,
                height=440,
                colorbar_title=t("pos_cos"),
            ),
            f"cos_{name}",
        )
        far = [int(i) for i in positions.outliers(p)]
        inliers = [i for i in range(len(p)) if i not in far] if far and len(far) < len(p) // 4 else None
        path, var = positions.pca_path(p, 3 if three_d else 2, fit_rows=inliers)
        show(
            pca_path_figure(
                path,
                title=t("pos_pca_title", var=float(var.sum())),
                font_size=fs,
                position_title=t("pos_position"),
                axis_prefix=t("pos_pc"),
                outliers=far if inliers is not None else None,
            ),
            f"pca_{name}",
        )
        if inliers is not None:
            st.caption(t("pos_outlier", p=", ".join(map(str, far))))
        show(
            dims_over_position(
                p,
                [x for x in dims if x < p.shape[1]],
                title=t("pos_dims_title"),
                font_size=fs,
                x_title=t("pos_position"),
                y_title=t("pos_value"),
                dim_label=t("pos_dim"),
            ),
            f"dims_{name}",
        )

st.header(t("pos_sentence_title"))
if trace.position_embeddings is None:
    st.caption(t("pos_none_sentence", model=controls.model_name(lm.id)))
else:
    k = min(64, trace.position_embeddings.shape[1])
    show(
        numeric_heatmap(
            trace.position_embeddings[:, :k],
            title=t("pos_added", k=k, d=trace.position_embeddings.shape[1]),
            x_title=t("pos_dim"),
            y_title=t("token"),
            y_labels=trace.tokens,
            font_size=fs,
            height=max(320, 24 * len(trace) + 120),
        ),
        "added_pos",
    )
if trace.token_type_embeddings is not None and trace.b_start is not None:
    k = min(64, trace.token_type_embeddings.shape[1])
    show(
        numeric_heatmap(
            trace.token_type_embeddings[:, :k],
            title=t("pos_token_type"),
            x_title=t("pos_dim"),
            y_title=t("token"),
            y_labels=trace.tokens,
            font_size=fs,
            height=max(320, 24 * len(trace) + 120),
        ),
        "added_tt",
    )
state.sync_url("model", "text", "text_b")
controls.share_link("positions")
