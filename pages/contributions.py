"""/contributions: beyond attention weights. Raw attention beside norm-based attention, rollout, flow or ALTI
on one colour scale, what an output draws on, and input attribution with Captum."""

import numpy as np
import streamlit as st

from app import contrib_cache, controls, export_ui, heatmap, i18n, state
from app.compare import methods
from app.i18n import t
from bertviz_core import figures
from bertviz_core.analysis import contributions as C
from bertviz_core.models import mlm

METHODS = state.CONTRIB_METHODS  # shown on the right (the library's methods); raw attention is always on the left
MAX_CELLS = 192  # a ~420 px square cannot show more cells than that
ATTR_AUTO_TOKENS = 128  # above this, Integrated Gradients runs on request only


def error_text(exc: Exception) -> str:
    """A library error in the page's language (user-derived values escaped)."""
    key = f"contrib_err_{getattr(exc, 'code', '')}"
    if isinstance(exc, C.MethodUnavailable) and key in i18n.TEXT:
        return t(key, **{k: state.md_escape(v) if isinstance(v, str) else v for k, v in exc.params.items()})
    return state.md_escape(str(exc))


def method_name(method: str) -> str:
    return t(f"contrib_m_{method}")


st.title(t("contrib_title"))
st.write(t("contrib_intro"))
if st.session_state.get("contrib_method") not in METHODS:  # a shared link's value is read in state.URL_PARAMS
    st.session_state["contrib_method"] = METHODS[0]
model_id, text, _ = controls.model_and_sentence(pair=False)
lm, trace = state.trace_or_stop(model_id, text)
fs = controls.font_size()
T = len(trace)

c1, c2, c3 = st.columns([2, 3, 2])
method = c1.selectbox(t("contrib_method"), METHODS, format_func=method_name, key="contrib_method")
layer = controls.layer_slider(trace.n_layers, container=c2)
if methods.accumulated(method):
    c3.toggle(
        t("contrib_accumulate"),
        value=True,
        disabled=True,
        help=t("contrib_accumulate_help"),
        key="contrib_accumulate_fixed",
    )
    accumulate = True
else:
    accumulate = c3.toggle(t("contrib_accumulate"), help=t("contrib_accumulate_help"), key="contrib_accumulate")

shown = method
cap = methods.max_tokens(method)
if cap is not None and T > cap:  # degrade gracefully: say so, show rollout
    st.info(t("contrib_flow_cap", cap=cap, n=T))
    shown = methods.fallback(method)

right = raw = None
not_here = methods.unavailable_reason(lm, shown)  # compressed variants: no float weights per head (as /compare)
if not_here is not None:
    st.warning(
        t(
            "contrib_na_model",
            method=method_name(shown),
            model=state.md_escape(controls.model_name(lm.id)),
            reason=not_here,
        )
    )
else:
    try:
        with st.spinner(t("contrib_computing", method=method_name(shown))):
            raw = contrib_cache.mixing(lm, trace, methods.RAW)[layer]  # [T, T]
            right = contrib_cache.mixing(lm, trace, shown, accumulate, layer)[layer]  # [T, T]
    except ValueError as exc:
        st.warning(t("contrib_failed", reason=error_text(exc)))
    except Exception as exc:  # noqa: BLE001 - weights this method cannot read: the reason, never a traceback
        st.warning(t("contrib_failed", reason=methods.error_reason(exc)))

if right is not None:
    title_key = "contrib_right_acc" if accumulate else "contrib_right_layer"
    titles = (t("contrib_left", layer=layer), t(title_key, method=method_name(shown), layer=layer))
    zmax = float(max(raw.max(), right.max()))
    stem = f"contributions-{shown}-L{layer}" + ("-accumulated" if accumulate else "")

    def pair_figure():
        """The Plotly pair: drawn when BERTVIZ_HEATMAP=plotly, else built only when an export is clicked."""
        return figures.pair_heatmaps(
            raw,
            right,
            trace.tokens,
            titles=titles,
            zmax=zmax,
            font_size=fs,
            row_title=t("from_token"),
            col_title=t("to_token"),
            hover_value=t("contrib_share"),
            colorbar_title=t("contrib_share"),
            max_cells=MAX_CELLS,
            width=controls.pair_px(),
        )

    if heatmap.use_canvas():  # one canvas, both squares on one scale, every token pair (zoom to read them)
        labels = heatmap.token_labels(trace.tokens)
        heatmap.heatmap_panels(
            np.stack([raw, right]),
            labels,
            labels,
            key="contrib_heatmaps_canvas",
            panels=heatmap.Panels(grid=(1, 2), titles=titles, title_each=True),
            zmax=zmax,
            plot_px=(controls.pair_px() - 240) // 2,  # the Plotly pair's squares: ~344 px, 580 on a projector
            font_size=fs,
            row_title=t("from_token"),
            col_title=t("to_token"),
            value_label=t("contrib_share"),
            colorbar_title=t("contrib_share"),
            file_name=f"{stem}.png",
        )
        fig = pair_figure
    else:
        fig = pair_figure()
        st.plotly_chart(fig, width="content", key="contrib_heatmaps")
    export_ui.figure_downloads(fig, stem)
    st.caption(t("contrib_scale_note"))
    if trace.n_conv_heads:
        st.caption(t("contrib_conv_note", h=trace.n_heads, c=trace.n_conv_heads))
    if methods.max_tokens(shown) is not None:
        st.caption(t("contrib_flow_note", cap=methods.max_tokens(shown)))

    st.subheader(t("contrib_bars_title"))
    options = ["mean"] + [str(i) for i in range(T)]
    if st.session_state.get("contrib_output") not in options:
        st.session_state["contrib_output"] = "mean"
    output = st.selectbox(
        t("contrib_output"),
        options,
        key="contrib_output",
        format_func=lambda o: (
            t("contrib_output_mean") if o == "mean" else t("contrib_output_token", i=o, token=trace.tokens[int(o)])
        ),
    )
    row = None if output == "mean" else int(output)
    values = right.mean(0) if row is None else right[row]
    raw_values = raw.mean(0) if row is None else raw[row]
    label = t("contrib_output_mean") if row is None else t("contrib_output_token", i=row, token=trace.tokens[row])
    bars = figures.contribution_bars(
        [(method_name(shown), values), (method_name(methods.RAW), raw_values)],
        trace.tokens,
        title=t("contrib_bars_fig", output=label, layer=layer),
        y_title=t("contrib_share"),
        x_title=t("contrib_token"),
        font_size=fs,
        highlight=row,
    )
    st.plotly_chart(bars, width="stretch", key="contrib_bars")
    export_ui.figure_downloads(bars, f"contributions-{shown}-L{layer}-output-{output}")
    if row is None:
        st.caption(t("contrib_bars_note"))

st.subheader(t("contrib_attr_title"))
c1, c2 = st.columns(2)
attr_method = c1.radio(
    t("contrib_attr_method"),
    C.ATTRIBUTION_METHODS,
    horizontal=True,
    key="contrib_attr_method",
    format_func=lambda m: t(f"contrib_a_{m}"),
)
target = c2.radio(
    t("contrib_target"), C.TARGETS, horizontal=True, key="contrib_target", format_func=lambda m: t(f"contrib_t_{m}")
)
other = None
if target == "similarity":
    st.session_state.setdefault("contrib_other", t("contrib_other_default"))
    other = state.clean_text(st.text_input(t("contrib_other"), key="contrib_other", max_chars=state.MAX_CHARS)) or None
run = True
if attr_method == "integrated_gradients" and T > ATTR_AUTO_TOKENS:
    st.caption(t("contrib_attr_long", n=ATTR_AUTO_TOKENS, steps=C.ig_steps(T)))
    run = contrib_cache.has_attribution(lm, trace.text, attr_method, target, other) or st.button(
        t("contrib_attr_run", n=T), key="contrib_attr_go"
    )
if run:
    try:
        with st.spinner(t("contrib_computing", method=t(f"contrib_a_{attr_method}"))):
            report = contrib_cache.attribution(lm, trace.text, attr_method, target, other)
    except ValueError as exc:
        st.info(t("contrib_failed", reason=error_text(exc)))
    else:
        attr_fig = figures.contribution_bars(
            [(t("contrib_attribution"), report["scores"])],
            report["tokens"],
            signed=True,
            title=t("contrib_attr_fig", method=t(f"contrib_a_{attr_method}"), target=t(f"contrib_t_{target}")),
            y_title=t("contrib_attribution"),
            x_title=t("contrib_token"),
            font_size=fs,
            highlight=report["mask_position"],
        )
        if report["quantized_layers"]:  # integer kernels have no real gradient: say so beside the bars
            st.warning(t("contrib_attr_quantized", n=report["quantized_layers"]))
        st.plotly_chart(attr_fig, width="stretch", key="contrib_attr")
        export_ui.figure_downloads(attr_fig, f"attribution-{attr_method}-{target}")
        if report["predicted"] is not None:
            if report["model"] != lm.id:  # no head of its own: the bundled masked-word model guessed (and is explained)
                origin = mlm.guesser_origin() or "?"
                st.info(t("contrib_attr_guesser", model=state.md_escape(lm.id), guesser=report["model"], origin=origin))
            st.caption(t("contrib_attr_predicted", word=state.md_escape(report["predicted"])))
        if attr_method == "integrated_gradients":
            change = report["f_input"] - report["f_baseline"]
            st.caption(
                t(
                    "contrib_attr_ig_note",
                    fx=report["f_input"],
                    fb=report["f_baseline"],
                    total=float(report["scores"].sum()),
                    gap=abs(report["delta"]) / max(abs(change), 1e-12),
                    steps=report["n_steps"],
                    baseline=state.md_escape(report["baseline_token"]),
                )
            )
        else:
            st.caption(t("contrib_attr_gxi_note", fx=report["f_input"]))

with st.expander(t("contrib_explain_title")):
    for key in (*methods.METHODS, "attr"):  # every method, then input attribution
        cap = methods.max_tokens(key) if key in methods.METHODS else None
        st.markdown(t(f"contrib_x_{key}", cap=cap) if cap is not None else t(f"contrib_x_{key}"))
state.sync_url("model", "text", "layer", "contrib_method")
controls.share_link("contributions")
