"""Ablation and masking controls with their results, for /intervene (and /model-view, later).

    from app import intervene_view
    intervene_view.section(lm, trace)                       # controls + results
    intervene_view.section(lm, trace, heads=["L2 H3"])      # preselect heads (e.g. clicked tiles)
    intervene_view.section(lm, trace, url_key="heads")      # the selection in the link (/intervene)

The head picker is a layers x heads grid of checkboxes (HeadGrid): one click switches exactly one head off.

Computation lives in bertviz_core.analysis.interventions; results are cached per
(model, sentence, heads, replacements) in a small process-wide LRU (app.state.caches.outcomes).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import bertviz_core as bc
from app import controls, export_ui, state
from app.i18n import t
from app.state import caches, url
from bertviz_core import figures
from bertviz_core.analysis import interventions as iv
from bertviz_core.analysis import metrics

JS_CHANGED = 0.001
CELL_PX = {False: 60, True: 68}  # the head grid's column width: room for "H10" and the editable-column icon
ROW_PX = {False: 35, True: 44}  # and its row height; keys: projector mode ("big") off / on


def cached_outcome(lm: bc.LoadedModel, trace: bc.Trace, ablate: tuple, replace: tuple) -> iv.Outcome:
    """iv.run through app.state.caches.outcomes (process-wide, shared read-only), in a capture slot."""

    def compute() -> iv.Outcome:
        with state.capture_slots:  # a forward pass (two with fill-mask and ablation): count it like one
            return iv.run(lm, trace.text, trace.text_b, ablate=ablate, replace=dict(replace), base=trace)

    return caches.outcomes.get_or_compute((lm.id, trace.text, trace.text_b, ablate, replace), compute)


def _key(prefix: str, trace: bc.Trace, key: str) -> str:
    """Widget keys tied to the model and sentence: a new sentence starts with no token masked, and with the heads
    `section` is given (`heads`, or the link's through `url_key`), else none."""
    return f"{key}_{prefix}_{abs(hash((trace.model_id, tuple(trace.token_ids)))) % 10**10}"


class HeadGrid:
    """The head picker: a layers x heads grid of checkboxes (st.data_editor), one cell per head.

    The selection is `base` (session state, set by the helpers and the preselection) with the editor's cell edits
    on top; a helper folds the edits into `base` and starts a fresh editor (a new key), so no edit is lost."""

    def __init__(self, trace: bc.Trace, key: str):
        self.names = metrics.head_names(trace)  # "L0 H0".. in slot order, the order selections are kept in
        self.rows = [f"L{layer}" for layer in range(trace.n_layers)]
        self.cols = metrics.slot_names(trace)  # "H0".., then ConvBERT's "C0"..
        self.base_key = _key("heads", trace, key)
        self.version_key = f"{self.base_key}_v"
        self.seeded_key = f"{self.base_key}_seeded"  # (heads asked for, heads the model lacks)

    @property
    def editor_key(self) -> str:
        return f"{self.base_key}_grid{st.session_state.get(self.version_key, 0)}"

    def ordered(self, chosen) -> list[str]:
        return sorted(set(chosen) & set(self.names), key=self.names.index)

    def seed(self, wanted: list[str], missing: list[str]) -> None:
        """The selection a new model or sentence starts with (clicked tiles, the URL), once."""
        if self.base_key not in st.session_state:
            st.session_state[self.base_key] = self.ordered(wanted)
            st.session_state[self.seeded_key] = (self.ordered(wanted), list(missing))

    def current(self) -> list[str]:
        """`base` with the editor's cell edits (as they stand before this run draws it)."""
        chosen = set(st.session_state.get(self.base_key, []))
        edits = (st.session_state.get(self.editor_key) or {}).get("edited_rows") or {}
        for row, changes in edits.items():
            for col, on in changes.items():
                if 0 <= int(row) < len(self.rows) and col in self.cols:
                    name = f"{self.rows[int(row)]} {col}"
                    if on:
                        chosen.add(name)
                    else:
                        chosen.discard(name)
        return self.ordered(chosen)

    def replace(self, chosen) -> None:
        st.session_state[self.base_key] = self.ordered(chosen)
        st.session_state[self.version_key] = st.session_state.get(self.version_key, 0) + 1

    def add_layer(self, pick_key: str) -> None:
        """Callback of "switch off a whole layer": tick every head of that layer, then empty the box."""
        layer = st.session_state.get(pick_key)
        if layer is not None:
            self.replace(self.current() + [f"L{layer} {col}" for col in self.cols])
        st.session_state[pick_key] = None

    def add_head(self, pick_key: str) -> None:
        """Callback of "one head across layers": tick that head in every layer, then empty the box."""
        col = st.session_state.get(pick_key)
        if col is not None:
            self.replace(self.current() + [f"{row} {col}" for row in self.rows])
        st.session_state[pick_key] = None

    def clear(self) -> None:
        self.replace([])

    def frame(self) -> pd.DataFrame:
        chosen = set(st.session_state.get(self.base_key, []))
        data = {col: [f"{row} {col}" in chosen for row in self.rows] for col in self.cols}
        return pd.DataFrame(data, index=pd.Index(self.rows))  # no words: the editor keeps its edits across languages

    def draw(self) -> list[str]:
        """The grid; returns the heads it has ticked (in slot order)."""
        big = bool(st.session_state.get("big"))
        config = {
            col: st.column_config.CheckboxColumn(
                col,
                width=CELL_PX[big],
                help=t("iv_col_conv" if col.startswith("C") else "iv_col_attn", n=col[1:]),
            )
            for col in self.cols
        }
        edited = st.data_editor(
            self.frame(),
            key=self.editor_key,
            column_config=config,
            num_rows="fixed",
            hide_index=False,
            width="content",
            row_height=ROW_PX[big],
        )
        return self.ordered(f"{row} {col}" for row in self.rows for col in self.cols if bool(edited.at[row, col]))


def head_picker(trace: bc.Trace, key: str, wanted: list[str], missing: list[str]) -> list[str]:
    """The grid, its helpers (a whole layer, one head across layers, clear) and the selection in words."""
    grid = HeadGrid(trace, key)
    grid.seed(wanted, missing)
    st.markdown(f"**{t('iv_heads')}**")
    st.caption(t("iv_heads_help"))
    chosen = grid.draw()
    c1, c2, c3 = st.columns([1, 1, 1], vertical_alignment="bottom")
    layer_key, head_key = f"{grid.base_key}_layer", f"{grid.base_key}_head"
    c1.selectbox(
        t("iv_layer_all"),
        list(range(trace.n_layers)),
        index=None,
        key=layer_key,
        placeholder=t("iv_pick_layer"),
        format_func=lambda v: f"L{v}",
        on_change=grid.add_layer,
        args=(layer_key,),
    )
    c2.selectbox(
        t("iv_head_all"),
        grid.cols,
        index=None,
        key=head_key,
        placeholder=t("iv_pick_head"),
        on_change=grid.add_head,
        args=(head_key,),
    )
    c3.button(t("iv_clear"), key=f"{grid.base_key}_clear", on_click=grid.clear, disabled=not chosen, width="stretch")
    seeded, dropped = st.session_state.get(grid.seeded_key, ([], []))
    if dropped and chosen == seeded:  # until the teacher changes the selection
        st.warning(t("iv_heads_missing", heads=", ".join(dropped)))
    _selection_text(chosen, grid)
    return chosen


def _selection_text(chosen: list[str], grid: HeadGrid) -> None:
    """ "2 heads off: L3 H1 L4 H0" as chips; a layer whose heads are all off is one chip."""
    if not chosen:
        st.caption(t("iv_no_head_off"))
        return
    chips = []
    for row in grid.rows:
        mine = [name for name in chosen if name.split(" ")[0] == row]
        if len(mine) == len(grid.cols) > 1:
            chips.append(t("iv_whole_layer", layer=row, n=len(mine)))
        else:
            chips += mine
    count = t("iv_one_head_off") if len(chosen) == 1 else t("iv_n_heads_off", n=len(chosen))
    st.markdown(f"**{count}:** " + " ".join(f":red-badge[{chip}]" for chip in chips))


def section(
    lm: bc.LoadedModel,
    trace: bc.Trace,
    heads: list[str] | None = None,
    key: str = "iv",
    url_key: str | None = None,
) -> iv.Outcome | None:
    """Draw the controls and, once something is chosen, the comparison. Returns the Outcome (or None).

    `heads` preselects heads ("L2 H3") for a new model or sentence; `url_key` names the session key that carries
    the selection in the link (app.state.url's `heads`): read when `heads` is None, written back every run."""
    missing: list[str] = []
    if heads is None and url_key is not None:
        heads, missing = url.checked_heads(
            st.session_state.get(url_key), trace.n_layers, trace.n_heads, trace.n_conv_heads
        )
    chosen = head_picker(trace, key, list(heads or []), missing)
    if url_key is not None:
        st.session_state[url_key] = url.heads_value(chosen) or None
    positions = [i for i, special in enumerate(trace.special or [False] * len(trace)) if not special]
    masked = st.pills(
        t("iv_tokens"),
        positions,
        selection_mode="multi",
        key=_key("tokens", trace, key),
        format_func=lambda i: f"{trace.tokens[i]}",
    )
    word = st.text_input(t("iv_replace"), key=_key("word", trace, key), max_chars=60).strip()
    if not chosen and not masked:
        st.info(t("iv_nothing"))
        _fill_note(lm, masked=False)
        return None
    try:
        ablate = tuple(iv.parse_heads(chosen, trace.n_layers, trace.n_heads, trace.n_conv_heads))
        replace = tuple((int(i), word or iv.MASK) for i in sorted(masked or []))
        with st.spinner(t("running", model=lm.label)):
            outcome = cached_outcome(lm, trace, ablate, replace)
    except ValueError as exc:
        st.error(t("iv_error", reason=state.md_escape(exc)))
        return None
    _results(lm, trace, outcome, key)
    return outcome


def _results(lm: bc.LoadedModel, trace: bc.Trace, outcome: iv.Outcome, key: str = "iv") -> None:
    changed = int((np.nan_to_num(outcome.js) > JS_CHANGED).sum())
    c1, c2 = st.columns(2)
    c1.metric(t("iv_cosine"), f"{outcome.cosine:.4f}", help=t("iv_cosine_help"))
    c2.metric(t("iv_changed_heads"), f"{changed} / {outcome.js.size}")
    if outcome.replaced:
        st.caption(t("iv_now_reads", tokens=state.md_escape(" ".join(outcome.trace.tokens))))
    names = metrics.slot_names(trace)
    fig = figures.numeric_heatmap(
        outcome.js,
        title=t("iv_js_title"),
        x_title=t("cz_head"),
        y_title=t("cz_layer"),
        colorscale="Reds",
        zmin=0.0,
        zmax=max(0.05, float(np.nanmax(outcome.js))),
        zmid=None,
        font_size=controls.font_size(),
        height=120 + 34 * trace.n_layers,
        x_labels=names,
        y_labels=[f"L{l}" for l in range(trace.n_layers)],
        colorbar_title=t("cz_js_colorbar"),
    )
    for layer, slot in outcome.ablated:  # mark the switched-off heads
        fig.add_annotation(x=names[slot], y=f"L{layer}", text="✕", showarrow=False, font={"size": 16, "color": "black"})
    st.plotly_chart(fig, width="stretch", key="iv_js_chart")
    export_ui.figure_downloads(fig, "intervene-attention-change" if key == "iv" else f"{key}-attention-change")
    st.caption(t("iv_js_caption"))
    masks = sorted(p for p, tok in outcome.replaced.items() if tok == lm.tokenizer.mask_token)
    _fill_note(lm, masked=bool(masks))
    if outcome.fill:
        _fill_tables(lm, trace, outcome, masks)


def _fill_tables(lm: bc.LoadedModel, trace: bc.Trace, outcome: iv.Outcome, masks: list[int]) -> None:
    """The guesses at each mask, under the name of the model that guessed (the model itself, or the bundled
    masked-word model for a model without a head), and what the ablation did to them."""
    st.subheader(t("iv_fill_title"))
    guesser = outcome.guessed_by or lm.id
    if guesser != lm.id:
        st.caption(t("iv_fill_by", guesser=guesser))
        if outcome.ablated:
            key = "iv_fill_guesser_ablated" if outcome.guess_ablated else "iv_fill_guesser_not_ablated"
            st.caption(t(key, model=state.md_escape(lm.id), guesser=guesser))
    for p in masks:
        rows = {
            t("iv_fill_token"): [w for w, _ in outcome.fill[p]],
            t("iv_fill_prob"): [round(v, 4) for _, v in outcome.fill[p]],
        }
        if outcome.fill_without_ablation:
            plain = dict(outcome.fill_without_ablation[p])
            rows[t("iv_fill_plain")] = [round(plain[w], 4) if w in plain else None for w, _ in outcome.fill[p]]
        st.caption(t("iv_fill_position", i=p, was=state.md_escape(trace.tokens[p])))
        st.dataframe(pd.DataFrame(rows), hide_index=True)


def _fill_note(lm: bc.LoadedModel, masked: bool) -> None:
    """Say where fill-mask stands for this model (never hide the feature): which model guesses, or why none can."""
    guess = iv.guesser(lm)
    if guess is not None and guess is not lm:
        st.info(t("iv_fill_guesser", model=state.md_escape(lm.id), guesser=guess.id, origin=iv.guesser_origin() or "?"))
    elif guess is None:
        reason = iv.no_mlm_reason(lm)
        st.caption(t({"bundled": "iv_fill_bundled", "student": "iv_fill_student"}.get(reason or "", "iv_fill_no_head")))
    if guess is not None and not masked:
        st.caption(t("iv_fill_no_mask"))
