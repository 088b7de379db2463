"""/compare's sections (Streamlit glue), one module each, shared by the one-sentence tabs, the
many-sentence run and the corpus command's results folders:

- `common`: navigation to /attention, provenance notes, labels and widths;
- `methods`: what is compared (raw attention or a /contributions method), also used by /contributions;
- `heads`: the heads tab (A, B and A - B for one layer and head slot);
- `metrics`: per-head metric heatmaps (click to pick a head) and the open panel;
- `matching`: head matching (JS between every pair of heads) and layer CKA;
- `summary`: means and intervals over many sentences, and their CSV;
- `many`: the many-sentence section (sampling, run, downloads);
- `results`: two results folders of the corpus command side by side.

Numbers lead to pictures: a click on a metric or head-matching cell (an invisible marker per cell,
since Plotly heatmaps send no selection events) picks that head; on one sentence it opens the head
in /attention at once, over many sentences it offers the sentences where the value is highest and
lowest. Navigation sets the /attention state (model, text, layer, head token from bertviz_core.models.heads)
in a callback and switches page on the next run (`common.pending_navigation`, first thing on the page).
"""
