"""Drawing for /compare: shared by the one-sentence and many-sentence sections.

Numbers lead to pictures: a click on a metric or head-matching cell (an invisible marker per cell,
since Plotly heatmaps send no selection events) picks that head; on one sentence it opens the head
in /attention at once, over many sentences it offers the sentences where the value is highest and
lowest. Navigation sets the /attention state (model, text, layer, head token from bertviz_core.models.heads)
in a callback and switches page on the next run (`pending_navigation`, first thing on the page).
"""
from __future__ import annotations

import threading

import cachetools
import numpy as np
import pandas as pd
import streamlit as st

import bertviz_core as bc
from app import contrib_cache, controls, export_ui, i18n, nav, results_view, state
from app.i18n import t
from bertviz_core.analysis import metrics as analysis
from bertviz_core.analysis import compress
from bertviz_core.corpus import results as corpus
from bertviz_core.inputs import text as text_input
from bertviz_core import figures
from bertviz_core.models import heads
from bertviz_core.analysis import stats
from bertviz_core.analysis import contributions as C
from bertviz_core.models.loading import scrub_paths
from bertviz_core.figures import research as rfig

COLUMN_PX = 470  # half of the wide layout's main column in a 1400 px window
STEMS = {"one": "compare", "many": "compare-many", "res": "compare-results"}  # download file names per section


def pair_px() -> int:
    """Width asked for the two squares side by side: 1152 px (1476 in projector mode); a narrower
    main column (a 1400 px window) shrinks the figure to fit, a 1920 px one shows it whole."""
    return int(1.8 * controls.heatmap_px())
MAX_SENTENCES = 200        # compared at most (a bound on the work, with MAX_TOKENS)
MAX_TOKENS = 20_000        # tokens in all (the longer tokenization of A and B, [CLS]/[SEP] included)
MAX_READ_LINES = 20_000    # lines read from an upload or the box before sampling
GOTO = "_compare_goto"


# ---------------------------------------------------------------- navigation
def pending_navigation() -> None:
    """Call first on the page: finish a click that asked to open a head in /attention."""
    if st.session_state.pop(GOTO, False):
        st.switch_page(nav.page("attention"))


def goto_attention(model_id: str, text: str, layer: int, head: heads.HeadId) -> None:
    """Set what /attention shows (in a callback, before widgets exist) and switch on the next run."""
    st.session_state.update({"model": model_id, "text": text, "text_b": "", "layer": int(layer),
                             "head": heads.to_token(head), GOTO: True})


def _head_of(summary: dict, side: str, flat: int) -> tuple[int, heads.HeadId]:
    """Layer and head id of the flat head index (layer-major, all_heads order) of model A or B."""
    layer, head = heads.parse_qualified(summary[f"names_{side}"][int(flat)])
    return layer, head


def _points(key: str) -> list:
    event = st.session_state.get(key)
    try:
        return list(event["selection"]["points"]) if event else []
    except (KeyError, TypeError):
        return []


# ---------------------------------------------------------------- provenance
def provenance_notes(model_a: str, model_b: str) -> None:
    """How an in-house student was trained, wherever it is compared (a warning beside its teacher)."""
    for p in analysis.comparison_provenance(model_a, model_b):
        text = t(f"research_prov_{p['kind']}", side=p["side"], model=p["model"], teacher=p["teacher"])
        if p["relation"] == "teacher":
            st.warning(text + " " + t(f"research_prov_teacher_{p['kind']}", teacher=p["teacher"]))
        elif p["relation"] == "sibling":
            st.info(text + " " + t("research_prov_sibling", teacher=p["teacher"]))
        else:
            st.info(text)


# ---------------------------------------------------------------- one-sentence summaries
_summaries = cachetools.LRUCache(maxsize=64)  # each a few hundred KB at most
_summaries_lock = threading.Lock()


def cached_comparison(model_a: str, model_b: str, text: str, matching: bool, exclude_special: bool) -> dict:
    """analysis.compare_traces for one sentence, cached per switch setting, so view changes and tab
    switches are free. Heavy (JS over every pair of heads), so it takes a capture slot."""
    key = (model_a, model_b, state.clean_text(text), matching, exclude_special)
    with _summaries_lock:
        summary = _summaries.get(key)
    if summary is None:
        pair = (state.cached_trace(model_a, text), state.cached_trace(model_b, text))
        with state._capture_slots:
            summary = analysis.compare_traces([pair], matching=matching, max_rows=state.JS_MAX_ROWS,
                                              exclude_special=exclude_special)
        with _summaries_lock:
            _summaries[key] = summary
    return summary


# ---------------------------------------------------------------- what is compared (issue #12)
METHODS = C.METHODS                 # "attention" (raw weights), then /contributions' methods, same names
PER_HEAD = ("attention", "norm")    # a head slot can be chosen; the others mix a whole layer
NEEDS_WEIGHTS = ("norm", "alti")    # computed from the model's value and output projections
NORM_CACHE_BYTES = 128 * 2**20      # norm_attention of two 512-token traces of the bundled models
_norms = cachetools.LRUCache(maxsize=NORM_CACHE_BYTES, getsizeof=lambda a: a.nbytes)
_norms_lock = threading.Lock()


def _shown_name(lm) -> str:
    """The model's name in the UI language where the registry has one, else its own label (variants,
    local folders), escaped for markdown."""
    key = f"mlabel_{lm.id}"
    return state.md_escape(t(key) if key in i18n.TEXT else lm.label)


def method_label(method: str) -> str:
    return t("cmpm_m_attention") if method == "attention" else t(f"contrib_m_{method}")


def cached_norms(lm, trace) -> np.ndarray:
    """bc.norm_attention through a bounded process-wide cache (read-only), in a capture slot."""
    key = (lm.id, trace.text, trace.text_b)
    with _norms_lock:
        norms = _norms.get(key)
    if norms is None:
        with state._capture_slots:
            norms = bc.norm_attention(lm, trace)
        norms.setflags(write=False)
        with _norms_lock:
            _norms[key] = norms
    return norms


def unavailable_reason(lm, method: str) -> str | None:
    """Why `method` cannot run on this model, known before trying (compressed variants), translated."""
    if method not in NEEDS_WEIGHTS or "@" not in lm.id:
        return None
    try:
        _, kind, _ = compress.parse_variant(lm.id)
    except ValueError:
        return None
    return t("cmpm_na_int8") if kind == "int8" else t("cmpm_na_prune")


def error_reason(exc: Exception) -> str:
    """A library error in the page's language (as /contributions translates them), user values escaped."""
    key = f"contrib_err_{getattr(exc, 'code', '')}"
    if isinstance(exc, C.MethodUnavailable) and key in i18n.TEXT:
        return t(key, **{k: state.md_escape(v) if isinstance(v, str) else v for k, v in exc.params.items()})
    return t("cmpm_na_other", detail=state.md_escape(scrub_paths(f"{type(exc).__name__}: {exc}")[:300]))


def method_matrix(lm, trace, method: str, layer: int, slot: str) -> np.ndarray | None:
    """[T, T] of `method` for one layer: a head slot (raw attention, norm) or the whole layer; None when the
    model has no head in this slot. Raises (MethodUnavailable, ...) when the method does not apply."""
    if method == "attention":
        return analysis.head_matrix(trace, layer, slot)
    if method == "norm" and slot != heads.MEAN:
        norms = cached_norms(lm, trace)
        return norms[layer, int(slot)] if int(slot) < norms.shape[1] else None
    return contrib_cache.mixing(lm, trace, method, False, layer)[layer]


def method_caption(method: str, slot: str, layer: int) -> str:
    if method == "attention":
        return t("cmpm_cap_attention_mean" if slot == heads.MEAN else "cmpm_cap_attention_head")
    if method == "norm":
        return t("cmpm_cap_norm_layer" if slot == heads.MEAN else "cmpm_cap_norm_head")
    return t(f"cmpm_cap_{method}", layer=layer, cap=C.FLOW_MAX_TOKENS)


def heads_section(side_a: tuple, side_b: tuple, labels: list[str], max_cells: int) -> None:
    """What is compared (raw attention or a /contributions method), a synchronised layer and head slot;
    A and B on one colour scale, and A - B. Where a method does not apply to a model, the page says why
    and shows the other model alone.

    side_x = (loaded model, trace, word groups or None when compared token by token)."""
    (lm_a, a, groups_a), (lm_b, b, groups_b) = side_a, side_b
    names_a, names_b = analysis.slot_names(a), analysis.slot_names(b)
    n_layers = min(a.n_layers, b.n_layers)
    slots = [heads.MEAN] + [str(k) for k in range(max(len(names_a), len(names_b)))]
    if st.session_state.get("head") not in slots:
        st.session_state["head"] = heads.MEAN
    if st.session_state.get("compare_method") not in METHODS:
        st.session_state["compare_method"] = "attention"
    name = lambda names, k: names[k] if k < len(names) else t("missing")  # noqa: E731
    c0, c1, c2 = st.columns([3, 3, 2])
    method = c0.selectbox(t("cmpm_method"), METHODS, key="compare_method", format_func=method_label,
                          help=t("cmpm_method_help"))
    layer = controls.layer_slider(n_layers, container=c1)  # checks the range, one-layer models too
    if method in PER_HEAD:
        mean_label = t("all_heads") if method == "attention" else t("cmpm_whole_layer")
        head = c2.selectbox(t("compare_head"), slots, key="head", help=t("compare_head_help"),
                            format_func=lambda s: mean_label if s == heads.MEAN else
                            t("compare_head_label", k=s, a=name(names_a, int(s)), b=name(names_b, int(s))))
    else:
        head = heads.MEAN
        c2.caption(t("cmpm_layer_only", method=method_label(method)))
    shown = method
    longest = max(len(a), len(b))
    if method == "flow" and longest > C.FLOW_MAX_TOKENS:  # degrade gracefully, the same way for both
        st.info(t("cmpm_flow_both", cap=C.FLOW_MAX_TOKENS, n=longest))
        shown = "rollout"

    def pick(side, lm, trace, groups):  # [U, U] pooled to words if needed; None if absent or not applicable
        reason = unavailable_reason(lm, shown)
        m = None
        if reason is None:
            try:
                with st.spinner(t("contrib_computing", method=method_label(shown))):
                    m = method_matrix(lm, trace, shown, layer, head)
            except Exception as exc:  # MethodUnavailable or a model whose weights do not fit: say why
                reason = error_reason(exc)
        if reason is not None:
            st.warning(t("cmpm_na", side=side, model=_shown_name(lm),
                         method=method_label(shown), reason=reason))
            return None, True
        return (m if m is None or groups is None else analysis.pool_to_words(m, groups)), False

    (ma, na_a), (mb, na_b) = pick("A", lm_a, a, groups_a), pick("B", lm_b, b, groups_b)
    if ma is None and mb is None:
        if not (na_a or na_b):  # neither model has this slot: cannot happen with the slots offered
            st.info(t("slot_missing", tag="A", k=head, other="B"))
        return
    zmax = float(max(np.nanmax(m) for m in (ma, mb) if m is not None)) or 1.0
    fs = controls.font_size()
    per_head = shown in PER_HEAD and head != heads.MEAN
    value = t("weight") if shown == "attention" else t("cmpm_norm") if per_head else t("contrib_share")
    axes = dict(font_size=fs, row_title=t("from_token"), col_title=t("to_token"), max_cells=max_cells)
    head_name = lambda names: t("all_heads") if head == heads.MEAN else names[int(head)]  # noqa: E731

    def title(side, names):
        if shown in C.ACCUMULATED:
            return t("cmpm_title_acc", side=side, layer=layer)
        if shown != "attention" and head == heads.MEAN:
            return t("cmpm_title_layer", side=side, layer=layer)
        return t("cmpm_title_head", side=side, layer=layer, head=head_name(names))

    st.markdown(t("cmpm_heading", method=method_label(shown), a=_shown_name(lm_a),
                  b=_shown_name(lm_b)))
    notes = [method_caption(shown, head, layer), t("cmpm_same_scale")]
    stem = ("compare" if shown == "attention" else f"compare-{shown}") + \
        f"-L{layer}-" + ("mean" if head == heads.MEAN else f"H{head}")  # e.g. compare-L3-H1, compare-norm-L3-mean
    if shown == "norm" and per_head and (groups_a is not None or groups_b is not None):
        notes.append(t("cmpm_pooled_norm"))
    if ma is None or mb is None:  # one model has no head in this slot, or the method does not apply to it
        m, tag, names = (ma, "A", names_a) if mb is None else (mb, "B", names_b)
        if not (na_a or na_b):
            st.info(t("slot_missing", tag="B" if mb is None else "A", k=head, other=tag))
        single = figures.matrix_heatmap(m, labels, labels, title=title(tag, names), zmax=zmax,
                                        hover_value=value, colorbar_title=value, width=COLUMN_PX, **axes)
        st.plotly_chart(single, width="content", key=f"heat_{tag}")
        export_ui.figure_downloads(single, f"{stem}-{tag}")
        st.caption(" ".join(notes[:1]))
        _contrib_link(shown)
        return
    pair = figures.pair_heatmaps(ma, mb, labels, titles=(title("A", names_a), title("B", names_b)),
                                 zmax=zmax, width=pair_px(), hover_value=value, colorbar_title=value, **axes)
    st.plotly_chart(pair, width="content", key="heat_pair")
    export_ui.figure_downloads(pair, f"{stem}-pair")
    st.caption(" ".join(notes))
    diff = ma - mb
    lim = float(np.abs(diff).max()) or 1.0
    left, right = st.columns(2)
    diff_fig = figures.matrix_heatmap(diff, labels, labels, title=t("compare_diff"), zmin=-lim, zmax=lim,
                                      zmid=0, colorscale=figures.DIFF_SCALE, colorbar_title="A - B",
                                      hover_value="A - B", width=COLUMN_PX, **axes)
    left.plotly_chart(diff_fig, width="content", key="heat_diff")
    export_ui.figure_downloads(diff_fig, f"{stem}-difference", container=left)
    right.caption(t("compare_diff_note") if shown == "attention" else
                  t("cmpm_diff_note_norm") if per_head else t("cmpm_diff_note_mixing"))
    with right:
        _contrib_link(shown)


def _contrib_link(method: str) -> None:
    """The methods are explained once, on /contributions (with their papers and caveats)."""
    if method != "attention" and nav.exists("contributions"):
        st.page_link(nav.page("contributions"), label=t("cmpm_see_contrib"), icon=":material/menu_book:")


def metric_label(metric: str) -> str:
    return t(f"research_mname_{metric}")


def metric_caption(metric: str) -> str:
    return t("metric_" + metric)


def _fmt(x: float) -> str:
    return "–" if x is None or not np.isfinite(x) else f"{x:.3f}"


def _uniform_caption(summary: dict, metric: str, many: bool) -> str:
    base = [summary["per_sentence"][f"baseline_{s}"][metric] for s in "ab"]  # [S, 2] each
    with np.errstate(invalid="ignore"), analysis._quiet_nan_mean():
        attn = np.nanmean(np.concatenate([b[:, 0] for b in base]))
        conv = np.nanmean(np.concatenate([b[:, 1] for b in base]))
    has_conv = any(analysis.CONV in summary[f"kinds_{s}"] for s in "ab")
    suffix = "_many" if many else ""
    if has_conv:
        return t(f"research_uniform{suffix}", attn=_fmt(attn), conv=_fmt(conv))
    return t(f"research_uniform{suffix}_attn", attn=_fmt(attn))


def metrics_section(summary: dict, label_a: str, label_b: str, key: str, many: bool = False) -> None:
    """Per-head metric heatmaps for A and B (clickable), the uniform baseline, and all metrics as a table."""
    exclude = summary.get("exclude_special", False)
    options = [m for m in analysis.METRICS if not (exclude and m in ("cls", "sep"))]
    if st.session_state.get(f"{key}_metric") not in options:
        st.session_state.pop(f"{key}_metric", None)
    metric = st.selectbox(t("metric"), options, key=f"{key}_metric",
                          format_func=lambda m: f"{metric_label(m)}: {metric_caption(m)}")
    st.caption(metric_caption(metric) + " " + _uniform_caption(summary, metric, many))
    st.caption(t("research_metrics_note"))
    if exclude:
        st.caption(t("research_excluded_note"))
    a, b = summary["metrics_a"][metric], summary["metrics_b"][metric]
    finite = np.concatenate([a[np.isfinite(a)], b[np.isfinite(b)]])
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    fs = controls.font_size()
    st.caption(t("research_click_many" if many else "research_click_one"))
    c1, c2 = st.columns(2)
    for col, side, label, values in ((c1, "a", label_a, a), (c2, "b", label_b, b)):
        names = summary[f"names_{side}"]
        L, N = values.shape
        slot_labels = [figures.escape_label(heads.parse_qualified(n)[1].name) for n in names[:N]]
        fig = figures.metric_heatmap(values, [heads.parse_qualified(n)[1].name for n in names[:N]],
                                     title=f"{side.upper()}: {label}", zmin=lo, zmax=hi, font_size=fs)
        rfig.add_click_targets(fig, [slot_labels[i % N] for i in range(L * N)], [f"L{i // N}" for i in range(L * N)],
                               [[side, i] for i in range(L * N)],
                               [f"{side.upper()} · {names[i]}: {_fmt(float(values.flat[i]))}" for i in range(L * N)])
        chart_key = f"{key}_m{side}"
        col.plotly_chart(fig, width="stretch", key=chart_key, on_select=_on_pick(chart_key, key, summary, many),
                         selection_mode="points")
        export_ui.figure_downloads(fig, f"{STEMS[key]}-metric-{metric}-{side.upper()}", container=col)
    _open_panel(summary, key, metric, many)
    rows = []
    for tag, label, values, names in (("A", label_a, summary["metrics_a"], summary["names_a"]),
                                      ("B", label_b, summary["metrics_b"], summary["names_b"])):
        L, N = values["entropy"].shape
        for l in range(L):
            for h in range(N):
                rows.append({t("col_model"): f"{tag}: {label}", t("col_layer"): l,
                             t("col_head"): heads.parse_qualified(names[l * N + h])[1].name,
                             **{metric_label(m): round(float(values[m][l, h]), 4) for m in options}})
    st.markdown(f"**{t('metrics_table')}**")
    st.dataframe(pd.DataFrame(rows), hide_index=True, height=320, key=f"{key}_table")


def _on_pick(chart_key: str, key: str, summary: dict, many: bool):
    """Click callback of a metric heatmap: pick the head; on one sentence, open it at once."""
    def callback():
        points = _points(chart_key)
        if not points or "customdata" not in points[0]:
            return
        side, flat = points[0]["customdata"]
        st.session_state[f"{key}_pick"] = f"{side}:{int(flat)}"
        if not many:
            layer, head = _head_of(summary, side, flat)
            goto_attention(summary[f"model_{side}"], summary["sentences"][0], layer, head)
    return callback


def _pick_options(summary: dict) -> list[str]:
    return [f"{s}:{i}" for s in "ab" for i in range(len(summary[f"names_{s}"]))]


def _pick_label(summary: dict, option: str) -> str:
    side, flat = option.split(":")
    return f"{side.upper()} · {summary[f'names_{side}'][int(flat)]}"


def _open_panel(summary: dict, key: str, metric: str, many: bool) -> None:
    """The picked head (by click or from the list) and the button(s) that open it in /attention."""
    options = _pick_options(summary)
    if st.session_state.get(f"{key}_pick") not in options:
        st.session_state[f"{key}_pick"] = options[0]
    c1, c2, c3 = st.columns([2, 3, 3])
    pick = c1.selectbox(t("research_pick"), options, key=f"{key}_pick",
                        format_func=lambda o: _pick_label(summary, o))
    side, flat = pick.split(":")
    layer, head = _head_of(summary, side, flat)
    model = summary[f"model_{side}"]
    if not many:
        c2.button(t("research_open"), key=f"{key}_open", on_click=goto_attention,
                  args=(model, summary["sentences"][0], layer, head))
        return
    values = summary["per_sentence"][f"metrics_{side}"][metric][:, layer, heads.to_slot(head, _n_attn(summary, side))]
    hi, lo = analysis.extreme_sentences(values)
    for col, idx, label in ((c2, hi, "research_open_high"), (c3, lo, "research_open_low")):
        sentence = summary["sentences"][idx]  # "" when a results folder keeps no texts: nothing to open
        col.button(t(label, value=_fmt(float(values[idx])), sentence=_short(sentence) or f"#{idx + 1}"),
                   key=f"{key}_open_{label}", on_click=goto_attention, args=(model, sentence, layer, head),
                   width="stretch", disabled=not sentence)


def _n_attn(summary: dict, side: str) -> int:
    return sum(k == analysis.ATTN for k in summary[f"kinds_{side}"])


def _short(sentence: str, n: int = 48) -> str:
    return sentence if len(sentence) <= n else sentence[: n - 1] + "…"


# ---------------------------------------------------------------- head matching
def matching_section(summary: dict, key: str, many: bool = False) -> None:
    js, na, nb = summary["js"], summary["names_a"], summary["names_b"]
    fs = controls.font_size()
    st.markdown(f"**{t('js_title')}**")
    st.caption(t("research_js_note"))
    fig = figures.matrix_heatmap(js, na, nb, title="", zmin=0, zmax=float(np.log(2)),
                                 colorscale="Viridis_r", colorbar_title="JS", font_size=fs,
                                 row_title="A", col_title="B", hover_value="JS", height=760)
    xa, xb = figures.token_labels(na), figures.token_labels(nb)
    cells = [(i, j) for i in range(len(na)) for j in range(len(nb))]
    rfig.add_click_targets(fig, [xb[j] for _, j in cells], [xa[i] for i, _ in cells], [[i, j] for i, j in cells],
                           [f"A {na[i]} · B {nb[j]}: JS {_fmt(float(js[i, j]))}" for i, j in cells],
                           marker_px=max(6, 600 // max(len(na), len(nb))))
    chart_key = f"{key}_js"
    st.plotly_chart(fig, width="content", key=chart_key, on_select=_on_pair_pick(chart_key, key),
                    selection_mode="points")
    export_ui.figure_downloads(fig, f"{STEMS[key]}-head-matching-js")
    _pair_panel(summary, key, many)

    same_layer = st.toggle(t("research_same_layer"), key=f"{key}_same_layer")
    st.caption(t("research_matching_help"))
    matched = analysis.match_heads(js, na, nb, same_layer=same_layer)
    cols = [t("research_col_head"), t("research_col_partner"), t("research_col_js")]
    c1, c2, c3 = st.columns(3)
    for col, what in ((c1, "a_to_b"), (c2, "b_to_a"), (c3, "one_to_one")):
        col.markdown(f"**{t('research_' + what)}**")
        rows = [(h, p, round(v, 4)) for h, p, v in matched[what]]
        col.dataframe(pd.DataFrame(rows, columns=cols), hide_index=True, height=300, key=f"{key}_{what}")
    cka = summary.get("cka")
    if cka is None:
        st.caption(t("research_cka_skipped", reason=state.md_escape(summary.get("cka_skipped", ""))))
        return
    layers_a = ["emb"] + [f"L{l}" for l in range(cka.shape[0] - 1)]
    layers_b = ["emb"] + [f"L{l}" for l in range(cka.shape[1] - 1)]
    st.markdown(f"**{t('cka_title')}**")
    cka_fig = figures.matrix_heatmap(cka, layers_a, layers_b, title="", zmin=0, zmax=1,
                                     colorscale="Viridis", colorbar_title="CKA", font_size=fs,
                                     row_title=t("cka_rows"), col_title=t("cka_cols"), hover_value="CKA", height=460)
    st.plotly_chart(cka_fig, width="content", key=f"{key}_cka")
    export_ui.figure_downloads(cka_fig, f"{STEMS[key]}-layer-cka")


def _on_pair_pick(chart_key: str, key: str):
    def callback():
        points = _points(chart_key)
        if points and "customdata" in points[0]:
            i, j = points[0]["customdata"]
            st.session_state[f"{key}_pair_a"], st.session_state[f"{key}_pair_b"] = int(i), int(j)
    return callback


def _pair_panel(summary: dict, key: str, many: bool) -> None:
    """The picked pair of heads (click a JS cell, or pick A's head: B's nearest is proposed): open
    either head in /attention (over many sentences: on the sentence where the pair's JS is highest
    or lowest)."""
    js, na, nb = summary["js"], summary["names_a"], summary["names_b"]

    def propose_partner():
        i = st.session_state[f"{key}_pair_a"]
        if np.isfinite(js[i]).any():
            st.session_state[f"{key}_pair_b"] = int(np.nanargmin(js[i]))

    if st.session_state.get(f"{key}_pair_a") not in range(len(na)):
        st.session_state[f"{key}_pair_a"] = 0
        propose_partner()
    if st.session_state.get(f"{key}_pair_b") not in range(len(nb)):
        st.session_state[f"{key}_pair_b"] = 0
    c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
    i = c1.selectbox(t("research_pick_pair") + " · A", range(len(na)), key=f"{key}_pair_a",
                     format_func=lambda k: na[k], on_change=propose_partner)
    j = c2.selectbox("B", range(len(nb)), key=f"{key}_pair_b", format_func=lambda k: nb[k])
    c2.caption(f"JS {_fmt(float(js[i, j]))}")
    sentence = summary["sentences"][0]
    if many:
        values = summary["per_sentence"]["js"][:, i, j]
        hi, lo = analysis.extreme_sentences(values)
        which = c1.radio(t("research_pair_sentence"), ["high", "low"], key=f"{key}_pair_which", horizontal=True,
                         format_func=lambda w: t("research_highest" if w == "high" else "research_lowest"))
        k = hi if which == "high" else lo
        sentence = summary["sentences"][k]
        c1.caption(f"“{state.md_escape(_short(sentence, 80))}” (JS {_fmt(float(values[k]))})")
    for col, side, flat in ((c3, "a", i), (c4, "b", j)):
        layer, head = _head_of(summary, side, flat)
        col.button(t("research_open_side", side=side.upper(), head=summary[f"names_{side}"][flat]),
                   key=f"{key}_open_pair_{side}", on_click=goto_attention,
                   args=(summary[f"model_{side}"], sentence, layer, head), width="stretch")


# ---------------------------------------------------------------- many sentences
def _load_example() -> None:
    st.session_state["many_text"] = (bc.registry.WEIGHTS_DIR.parent / "data" / "example_sentences.txt").read_text()
    st.session_state["many_source"] = "box"


def _uploaded() -> None:
    st.session_state["many_source"] = "file" if st.session_state.get("many_upload") is not None else "box"


def _clean_lines(lines) -> list[str]:
    return [s for s in (state.clean_text(x) for x in lines) if s]


def read_candidates(source: str, upload) -> tuple[list[str], bool]:
    """Candidate sentences from the chosen source (cleaned, empty lines dropped) and whether the
    MAX_READ_LINES cap cut them. Raises ValueError for a file that cannot be read."""
    if source == "file":
        if upload is None:
            return [], False
        lines = text_input.parse_sentence_upload(upload.name, upload.getvalue(), MAX_READ_LINES + 1)
    else:
        lines = st.session_state.get("many_text", "").splitlines()[: MAX_READ_LINES + 1]
    sentences = _clean_lines(lines)
    return sentences[:MAX_READ_LINES], len(lines) > MAX_READ_LINES


def token_lengths(lms, sentences: list[str]) -> np.ndarray:
    """Tokens per sentence ([CLS]/[SEP] included, capped at each model's limit): the larger of the models'."""
    out = np.zeros(len(sentences), dtype=np.int64)
    for lm in lms:
        ids = lm.tokenizer(sentences, add_special_tokens=True, verbose=False)["input_ids"]
        out = np.maximum(out, [min(len(x), lm.max_tokens) for x in ids])
    return out


def _capture_uncached(lm, text: str):
    """One forward pass outside the trace cache (many-sentence traces are reduced and dropped at once)."""
    with state._capture_slots:
        return bc.capture(lm, text)


def many_section(model_a: str, model_b: str, lm_a, lm_b, exclude: bool) -> None:
    mode = st.radio(t("cmpm_many_mode"), ["run", "results"], key="many_mode", horizontal=True,
                    format_func=lambda m: t(f"cmpm_many_mode_{m}"))
    if mode == "results":
        results_section(model_a, model_b, exclude)
        return
    st.caption(t("research_many_help", n=MAX_SENTENCES, tokens=MAX_TOKENS, read=MAX_READ_LINES))
    st.button(t("many_example"), on_click=_load_example)
    st.text_area(t("many_sentences"), key="many_text", height=160)
    upload = st.file_uploader(t("many_upload"), type=["txt", "conllu", "conll"], key="many_upload",
                              on_change=_uploaded)
    st.session_state.setdefault("many_source", "file" if upload is not None else "box")
    source = st.radio(t("research_source"), ["box", "file"], key="many_source", horizontal=True,
                      format_func=lambda s: t(f"research_source_{s}"))
    n_box = sum(1 for line in st.session_state.get("many_text", "").splitlines() if line.strip())
    name = state.md_escape(upload.name) if upload is not None else ""
    if source == "box":
        st.caption(t("research_using_box_ignored", n=n_box, name=name) if upload is not None
                   else t("research_using_box", n=n_box))
    elif upload is not None:
        st.caption(t("research_using_file", name=name) if n_box else t("research_using_file_only", name=name))
    c1, c2, c3 = st.columns(3)
    method = c1.selectbox(t("research_method"), list(stats.SAMPLING_METHODS), key="many_method",
                          format_func=lambda m: t(f"research_method_{m}"), help=t("research_method_help"))
    seed = int(c2.number_input(t("research_seed"), min_value=0, max_value=2**31 - 1, value=0, step=1,
                               key="many_seed"))
    limit = int(c3.number_input(t("research_max_sentences"), min_value=1, max_value=MAX_SENTENCES,
                                value=MAX_SENTENCES, step=10, key="many_max"))
    if st.button(t("many_run"), type="primary"):
        _run_many(model_a, model_b, lm_a, lm_b, exclude, source, upload, method, seed, limit)
    saved = st.session_state.get("many_summary")
    if saved and saved["models"] == (model_a, model_b):
        _show_many(saved, lm_a.label, lm_b.label, exclude)


def _run_many(model_a, model_b, lm_a, lm_b, exclude, source, upload, method, seed, limit) -> None:
    try:
        candidates, capped = read_candidates(source, upload)
    except ValueError as exc:
        st.error(t("upload_error", reason=state.md_escape(exc)))
        return
    if not candidates:
        st.warning(t("research_many_no_file") if source == "file" and upload is None else
                   t("research_many_empty_box") if source == "box" else t("research_many_file_empty"))
        return
    lengths = token_lengths((lm_a, lm_b), candidates)
    sample = stats.sample_sentences(lengths, max_sentences=limit, max_tokens=MAX_TOKENS, method=method, seed=seed)
    chosen = [candidates[i] for i in sample.indices]
    bar = st.progress(0.0)

    def progress(i, done):
        bar.progress((i + 1) / len(chosen), text=t("many_progress", i=i + 1, n=len(chosen)))

    try:
        result = analysis.compare_many(lm_a, lm_b, (s for s in chosen), max_rows=state.JS_MAX_ROWS,
                                       exclude_special=exclude, capture=_capture_uncached, progress=progress)
    except ValueError as exc:  # every sentence skipped
        st.error(t("upload_error", reason=state.md_escape(exc)))
        return
    st.session_state["many_summary"] = {"models": (model_a, model_b), "result": result, "sample": sample,
                                        "capped": capped, "exclude": exclude}


def _show_many(saved: dict, label_a: str, label_b: str, exclude: bool) -> None:
    result, sample = saved["result"], saved["sample"]
    if saved["capped"]:
        st.caption(t("research_read_cap", n=MAX_READ_LINES))
    if sample.dropped:
        bound = (t("research_bound_sentences", n=sample.max_sentences) if sample.stopped_by == "sentences"
                 else t("research_bound_tokens", n=sample.max_tokens))
        st.warning(t("research_sample_dropped", used=len(sample.indices), total=sample.n_candidates,
                     tokens=sample.tokens_used, method=t(f"research_method_{sample.method}"), seed=sample.seed,
                     dropped=sample.dropped, bound=bound))
    else:
        st.info(t("research_sample_all", used=len(sample.indices), tokens=sample.tokens_used))
    if result.get("skipped"):
        _, sentence, reason = result["skipped"][0]
        st.warning(t("research_skipped", n=len(result["skipped"]), sentence=state.md_escape(_short(sentence)),
                     reason=state.md_escape(reason)))
    st.success(t("many_done", n=result["n_sentences"]))
    if saved["exclude"] != exclude:
        st.caption(t("research_stale", state=t("research_state_excluded" if saved["exclude"]
                                              else "research_state_included")))
    with st.expander(t("research_sentences_used")):
        st.dataframe(pd.DataFrame({t("research_col_tokens"): result["lengths_a"],
                                   t("research_col_sentence"): result["sentences"]}), height=240, key="many_sentences_df")
    summary_section(result, key="many")
    st.markdown(f"**{t('research_mean_heatmaps')}**")
    metrics_section(result, label_a, label_b, key="many", many=True)
    matching_section(result, key="many", many=True)
    downloads(result, sample)


# ---------------------------------------------------------------- results folders of the corpus command
def _propose_b() -> None:
    names = results_view.folders()
    a = st.session_state.get("res_a")
    if a in names and len(names) > 1:
        st.session_state["res_b"] = results_view.propose(names, st.session_state.get("model_b", ""), like=a)


def results_section(model_a: str, model_b: str, exclude: bool) -> None:
    """Model A's and model B's head metrics over a corpus, from two folders written by the corpus command
    (listed from the server's results folder only): the same summaries and maps as a run here, without
    head matching (results keep no attention matrices)."""
    st.caption(t("cmpm_res_intro"))
    names = results_view.folders()
    if not names:
        st.info(t("cmpm_res_none"))
        return
    if st.session_state.get("res_a") not in names:
        st.session_state["res_a"] = results_view.propose(names, model_a)
    if st.session_state.get("res_b") not in names:
        st.session_state["res_b"] = results_view.propose(names, model_b, like=st.session_state["res_a"])
    c1, c2 = st.columns(2)
    name_a = c1.selectbox(t("cmpm_res_folder_side", side="A"), names, key="res_a", on_change=_propose_b,
                          format_func=results_view.folder_label)
    name_b = c2.selectbox(t("cmpm_res_folder_side", side="B"), names, key="res_b",
                          format_func=results_view.folder_label)
    try:
        res_a, res_b = results_view.load(name_a), results_view.load(name_b)
        result = corpus.results_comparison(res_a, res_b)
    except ValueError as exc:  # corpus.ResultsError: the reason, never a traceback
        st.error(t("cmpm_res_error", reason=results_view.reason(exc)))
        return
    label = lambda mid: state.md_escape(controls.model_name(mid))  # noqa: E731
    shown = lambda n: t("cmpm_res_root") if n == "." else state.md_escape(n)  # noqa: E731
    st.markdown(t("cmpm_res_loaded", model_a=label(result["model_a"]), name_a=shown(res_a["name"]),
                  model_b=label(result["model_b"]), name_b=shown(res_b["name"]), n=result["n_sentences"],
                  input=state.md_escape(results_view.input_name(result["input"]))))
    if (result["model_a"], result["model_b"]) != (model_a, model_b):
        st.info(t("cmpm_res_models_differ", pa=label(model_a), pb=label(model_b), ra=label(result["model_a"]),
                  rb=label(result["model_b"])))
    if result["exclude_special"] != exclude:
        st.caption(t("cmpm_res_special", state=t("research_state_excluded" if result["exclude_special"]
                                                 else "research_state_included")))
    if not any(result["sentences"]):
        st.caption(t("cmpm_res_no_texts"))
    for res, kinds in ((res_a, result["kinds_a"]), (res_b, result["kinds_b"])):
        if res["meta"].get("format", 1) < 2 and analysis.CONV in kinds:
            st.warning(t("cmpm_res_old_format", name=shown(res["name"])))
    with st.expander(t("research_sentences_used")):
        st.dataframe(pd.DataFrame({t("research_col_tokens"): result["lengths_a"],
                                   t("research_col_sentence"): result["sentences"]}), height=240,
                     key="res_sentences_df")
    summary_section(result, key="res")
    st.markdown(f"**{t('research_mean_heatmaps')}**")
    metrics_section(result, controls.model_name(result["model_a"]), controls.model_name(result["model_b"]),
                    key="res", many=True)
    st.caption(t("cmpm_res_no_js"))
    st.download_button(t("export_csv"), data=lambda: _summary_csv(result), file_name="results-summary.csv",
                       mime="text/csv", on_click="ignore", key="res_csv", icon=":material/table:")


def summary_section(result: dict, key: str = "many") -> None:
    """Mean and 95% interval per layer and head group, paired A - B, split by sentence length.
    `key` names the section in the download file names (STEMS)."""
    st.markdown(f"**{t('research_summary_title')}**")
    st.caption(t("research_summary_help"))
    exclude = result.get("exclude_special", False)
    options = [m for m in analysis.METRICS if not (exclude and m in ("cls", "sep"))]
    if st.session_state.get("many_summary_metric") not in options:
        st.session_state.pop("many_summary_metric", None)
    metric = st.selectbox(t("metric"), options, key="many_summary_metric", format_func=metric_label)
    rows = analysis.summary_rows(result, [metric])
    L = max(result["per_sentence"]["metrics_a"][metric].shape[1], result["per_sentence"]["metrics_b"][metric].shape[1])
    fs = controls.font_size()
    by_layer = [r for r in rows if r["length"] == "all" and r["layer"] != "all"]
    series, diffs = [], []
    for group in analysis.GROUPS:
        g = {r["layer"]: r for r in by_layer if r["group"] == group}
        if not g:
            continue
        col = lambda k: np.array([g[l][k] if l in g else np.nan for l in range(L)])  # noqa: E731
        gname = t(f"research_group_{group}")
        for side in "ab":
            if np.isfinite(col(f"{side}_mean")).any():
                series.append({"name": f"{side.upper()} · {gname}", "mean": col(f"{side}_mean"),
                               "low": col(f"{side}_low"), "high": col(f"{side}_high"),
                               "baseline": col(f"{side}_uniform")})
        if np.isfinite(col("diff_mean")).any():
            diffs.append({"name": f"A - B · {gname}", "mean": col("diff_mean"), "low": col("diff_low"),
                          "high": col("diff_high")})
    layers = [f"L{l}" for l in range(L)]
    c1, c2 = st.columns(2)
    by_layer_fig = rfig.interval_plot(layers, series, title=t("research_fig_by_layer", metric=metric_label(metric)),
                                      x_title=t("layer"), y_title=metric_label(metric), font_size=fs)
    c1.plotly_chart(by_layer_fig, width="stretch", key="many_intervals")
    export_ui.figure_downloads(by_layer_fig, f"{STEMS[key]}-{metric}-by-layer", container=c1)
    if diffs:
        diff_fig = rfig.interval_plot(layers, diffs, title=t("research_fig_diff"), x_title=t("layer"),
                                      y_title=f"A - B · {metric_label(metric)}", font_size=fs, zero_line=True)
        c2.plotly_chart(diff_fig, width="stretch", key="many_diffs")
        export_ui.figure_downloads(diff_fig, f"{STEMS[key]}-{metric}-difference-by-layer", container=c2)
    st.dataframe(summary_table(rows), hide_index=True, height=320, key="many_summary_table")


def summary_table(rows: list[dict]) -> pd.DataFrame:
    """summary_rows in the UI language, intervals as '[low, high]'."""
    ci = lambda lo, hi: "–" if not (np.isfinite(lo) and np.isfinite(hi)) else f"[{lo:.3f}, {hi:.3f}]"  # noqa: E731
    out = []
    for r in rows:
        out.append({
            t("metric"): metric_label(r["metric"]),
            t("research_col_layer"): t("research_all_layers") if r["layer"] == "all" else f"L{r['layer']}",
            t("research_col_group"): t(f"research_group_{r['group']}"),
            t("research_col_length"): t("research_all_lengths") if r["length"] == "all" else r["length"],
            t("research_col_n"): r["n"],
            t("research_col_mean", side="A"): _fmt(r["a_mean"]), t("research_col_ci", side="A"): ci(r["a_low"], r["a_high"]),
            t("research_col_uniform", side="A"): _fmt(r["a_uniform"]),
            t("research_col_mean", side="B"): _fmt(r["b_mean"]), t("research_col_ci", side="B"): ci(r["b_low"], r["b_high"]),
            t("research_col_uniform", side="B"): _fmt(r["b_uniform"]),
            t("research_col_diff"): _fmt(r["diff_mean"]), t("research_col_diff_ci"): ci(r["diff_low"], r["diff_high"]),
            t("research_col_p"): "–" if not np.isfinite(r["p_value"]) else f"{r['p_value']:.2g}",
        })
    return pd.DataFrame(out)


def downloads(result: dict, sample) -> None:
    st.markdown(t("research_downloads"))
    c1, c2 = st.columns(2)
    c1.download_button(t("export_csv"), data=lambda: _summary_csv(result), file_name="comparison-summary.csv",
                       mime="text/csv", on_click="ignore", key="many_csv", icon=":material/table:")
    c2.download_button(t("research_download_npz"), on_click="ignore", key="many_npz", file_name="comparison.npz",
                       mime="application/octet-stream", icon=":material/database:",
                       data=lambda: analysis.comparison_to_npz(result, {"sampling": sample.method, "seed": sample.seed,
                                                                        "max_sentences": sample.max_sentences,
                                                                        "max_tokens": sample.max_tokens,
                                                                        "candidates": sample.n_candidates}))
    st.caption(t("research_reproduce"))
    st.code(analysis.reproduce_snippet(result["model_a"], result["model_b"], exclude_special=result["exclude_special"],
                                       max_rows=result["max_rows"]), language="python")


def _summary_csv(result: dict) -> bytes:
    from bertviz_core import export

    return export.table_to_csv(analysis.summary_rows(result))
