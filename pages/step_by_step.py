"""/step-by-step: from X to one attention row (or one ConvBERT kernel) with the model's own weights."""

import numpy as np
import streamlit as st

from app import controls, export_ui, state
from app.i18n import t
from bertviz_core.analysis import steps
from bertviz_core.figures.charts import token_bars
from bertviz_core.figures.heatmaps import numeric_heatmap

st.title(t("step_title"))
st.write(t("step_intro"))
model_id, text, _ = controls.model_and_sentence(pair=False)
lm, trace = state.trace_or_stop(model_id, text)
st.caption(t("model_in_use", model=controls.model_name(lm.id)))
fs = controls.font_size()

c1, c2, c3 = st.columns(3)
layer = controls.layer_slider(trace.n_layers, container=c1)
head = controls.head_select(trace.n_heads, trace.n_conv_heads, mean=False, label_key="step_head", container=c2)
query = controls.query_select(trace.tokens, container=c3)
labels = trace.tokens


def show(fig, key):
    st.plotly_chart(fig, width="stretch", key=key)
    export_ui.figure_downloads(fig, f"step-L{layer}-{head}-{key}")


st.subheader(t("step1"))
st.latex(r"X \in \mathbb{R}^{T \times d_{model}}")
st.caption(t("step1_text", shape=f"[{len(trace)}, {trace.hidden_states.shape[-1]}]"))
show(
    numeric_heatmap(
        trace.hidden_states[layer],
        title="X",
        x_title=t("pos_dim"),
        y_title=t("token"),
        y_labels=labels,
        font_size=fs,
        height=max(300, 22 * len(trace) + 110),
    ),
    "x",
)
try:
    if head.startswith("c"):
        c = int(head[1:])
        walk = steps.conv_walk(lm, trace, layer, c, query)
        K = len(walk["kernel"])
        offsets = [f"{o:+d}" for o in range(-(K // 2), K // 2 + 1)]
        st.subheader(t("conv1"))
        st.latex(rf"\tilde K = \mathrm{{Pointwise}}(\mathrm{{Depthwise}}_{{{K}}}(X))")
        st.caption(t("conv1_text", k=K, shape=f"[{len(trace)}, {walk['d_head']}]"))
        show(
            numeric_heatmap(
                walk["key_conv"],
                title=t("fig_key_conv"),
                x_title=t("pos_dim"),
                y_title=t("token"),
                y_labels=labels,
                font_size=fs,
                height=max(300, 22 * len(trace) + 110),
            ),
            "kc",
        )
        st.subheader(t("conv2"))
        st.latex(rf"\ell_i = W_{{kernel}}\,(\tilde K_i \odot Q_i) + b \in \mathbb{{R}}^{{{K}}}")
        st.caption(t("conv2_text", k=K))
        show(
            token_bars(
                walk["logits"],
                offsets,
                title=t("fig_logits"),
                font_size=fs,
                y_title=t("fig_logit"),
                bar_name=t("fig_recomputed"),
            ),
            "logits",
        )
        st.subheader(t("conv3", k=K))
        st.latex(r"\kappa_i = \mathrm{softmax}(\ell_i)")
        st.caption(t("conv3_text", diff=walk["max_diff"]))
        show(
            token_bars(
                walk["kernel"],
                offsets,
                title=t("fig_kernel"),
                font_size=fs,
                y_title=t("weight"),
                compare=walk["captured"],
                compare_name=t("fig_captured"),
                bar_name=t("fig_recomputed"),
            ),
            "kernel",
        )
        st.subheader(t("conv4"))
        st.latex(rf"o_i = \sum_{{k=-{K // 2}}}^{{{K // 2}}} \kappa_{{i,k}}\, V_{{i+k}}")
        st.caption(
            t(
                "conv4_text",
                a=int(walk["positions"][0]),
                b=int(walk["positions"][-1]),
                shape=f"[{walk['d_head']}]",
                diff=walk["output_diff"],
            )
        )
        show(
            numeric_heatmap(
                walk["output"][None],
                title=t("fig_output"),
                x_title=t("pos_dim"),
                y_title="",
                font_size=fs,
                height=200,
                y_labels=[labels[query]],
            ),
            "out",
        )
    else:
        walk = steps.attention_walk(lm, trace, layer, int(head), query)
        dk = walk["d_head"]
        shape = f"[{len(trace)}, {dk}]"
        st.subheader(t("step2"))
        st.latex(r"Q = X W_Q + b_Q,\quad K = X W_K + b_K,\quad V = X W_V + b_V")
        st.caption(t("step2_text", d=dk, shape=shape))
        cols = st.columns(3)
        for col, name in zip(cols, ("Q", "K", "V")):
            with col:
                show(
                    numeric_heatmap(
                        walk[name],
                        title=name,
                        x_title=t("pos_dim"),
                        y_title=t("token"),
                        y_labels=labels,
                        font_size=fs,
                        height=max(300, 22 * len(trace) + 110),
                    ),
                    name,
                )
        st.subheader(t("step3"))
        st.latex(r"s_j = \frac{q_i \cdot k_j}{\sqrt{d_k}}")
        st.caption(t("step3_text", s=float(np.sqrt(dk)), shape=f"[{len(trace)}]"))
        show(
            token_bars(
                walk["scores"],
                labels,
                title=f"{t('fig_scores')} · {t('step_query_row')} {labels[query]}",
                highlight=query,
                font_size=fs,
                y_title=t("fig_score"),
                bar_name=t("fig_recomputed"),
            ),
            "scores",
        )
        st.subheader(t("step4"))
        st.latex(r"a_j = \frac{e^{s_j}}{\sum_{j'} e^{s_{j'}}}")
        st.caption(t("step4_text", diff=walk["max_diff"]))
        show(
            token_bars(
                walk["probs"],
                labels,
                title=t("weight"),
                highlight=query,
                font_size=fs,
                y_title=t("weight"),
                compare=walk["captured"],
                compare_name=t("fig_captured"),
                bar_name=t("fig_recomputed"),
            ),
            "probs",
        )
        st.subheader(t("step5"))
        st.latex(r"o_i = \sum_j a_j\, v_j")
        st.caption(t("step5_text", shape=f"[{dk}]"))
        show(
            numeric_heatmap(
                walk["context"][None],
                title=t("fig_output"),
                x_title=t("pos_dim"),
                y_title="",
                font_size=fs,
                height=200,
                y_labels=[labels[query]],
            ),
            "ctx",
        )
except ValueError as exc:
    st.info(t("step_unsupported", reason=str(exc)))
state.sync_url("model", "text", "layer", "head", "query")
controls.share_link("step-by-step")
