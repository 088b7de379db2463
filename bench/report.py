"""Collect bench/out/*.json into bench/RESULTS.md and bench/results.png."""

from __future__ import annotations

import common

TARGETS = {
    ("attention", 512): (1.5e6, 3.0),
    ("model-view", 512): (5e6, 3.0),
    ("attention", 128): (None, 1.0),
    ("compare", 512): (3e6, 6.0),
    ("convolution", 512): (3e6, 6.0),
    ("compare", 128): (None, 2.0),
    ("convolution", 128): (None, 2.0),
}


def mb(x):
    return f"{x / 1e6:.2f} MB"


def verdict(ok):
    return "met" if ok else "**not met**"


def plot(app, bertviz, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 2, figsize=(10, 3.6), dpi=90)
    if bertviz:
        n = [r["tokens"] for r in bertviz["rows"]]
        ax[0].plot(
            n,
            [r["model_view_bytes"] / 1e6 for r in bertviz["rows"]],
            "s--",
            color="#c44",
            label="bertviz model_view HTML",
        )
        ax[0].plot(
            n,
            [r["head_view_bytes"] / 1e6 for r in bertviz["rows"]],
            "^--",
            color="#e88",
            label="bertviz head_view HTML",
        )
        ax[1].plot(
            n, [r["model_view_s"] for r in bertviz["rows"]], "s--", color="#c44", label="bertviz model_view build"
        )
    if app:
        for page, color in (
            ("attention", "#1f5fbf"),
            ("model-view", "#2a9d8f"),
            ("compare", "#8e44ad"),
            ("convolution", "#e67e22"),
        ):
            rows = [r for r in app["rows"] if r["page"] == page]
            ax[0].plot(
                [r["tokens"] for r in rows],
                [r["page_payload_bytes"] / 1e6 for r in rows],
                "o-",
                color=color,
                label=f"ours /{page}",
            )
            ax[1].plot(
                [r["tokens"] for r in rows],
                [r["enter_to_heatmap_s"] for r in rows],
                "o-",
                color=color,
                label=f"ours /{page} Enter-to-heatmap",
            )
    for a, title in zip(ax, ("bytes sent to the browser (MB, log)", "seconds (log)")):
        a.set_xscale("log", base=2)
        a.set_yscale("log")
        a.set_xlabel("tokens")
        a.set_title(title)
        a.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)


def main():
    cap, app, bv, quality, load = (common.load(k) for k in ("capture", "app", "bertviz", "quality", "load"))
    lines = [
        "# Benchmark results",
        "",
        "Produced by `make bench` (`bench/run_all.py`); raw figures in `bench/out/*.json`.",
        "",
    ]
    m = (app or cap or {}).get("machine", {})
    lines += [
        (
            f"Machine: {m.get('cores')} cores, {m.get('cpu')}; Python {m.get('python')}, torch {m.get('torch')}, "
            f"transformers {m.get('transformers')}, streamlit {m.get('streamlit')}, plotly {m.get('plotly')}; date {m.get('date')}."
        ),
        "Model: the bundled BERT (all-MiniLM-L6-v2, 6 layers x 12 heads); ConvBERT pages use the bundled ConvBERT.",
        "",
        "![bytes and time against bertviz](results.png)",
        "",
    ]
    if cap:
        lines += [
            "## capture() against a plain eager forward pass",
            "",
            "| tokens | plain forward | capture() | ratio | target <= 1.15x |",
            "| --- | --- | --- | --- | --- |",
        ]
        lines += [
            f"| {r['tokens']} | {r['plain_forward_s'] * 1e3:.1f} ms | {r['capture_s'] * 1e3:.1f} ms | {r['ratio']:.2f}x | {verdict(r['ratio'] <= 1.15)} |"
            for r in cap["rows"]
        ]
        lines += [""]
    if app:
        lines += [
            "## The app in Chromium (warm server)",
            "",
            (
                "Payload: bytes received over Streamlit's websocket for the page's data (static JS/CSS is cached by the "
                "browser and not counted). Enter-to-heatmap: median over runs of typing a new sentence of that length, "
                "pressing Enter, until the heatmaps show it."
            ),
            "",
            "| page | tokens | payload | Enter-to-heatmap | target | verdict |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for r in app["rows"]:
            target = TARGETS.get((r["page"], r["tokens"]))
            if target:
                size_ok = target[0] is None or r["page_payload_bytes"] <= target[0]
                t_text = (f"<= {mb(target[0])}, " if target[0] else "") + f"<= {target[1]:.0f} s"
                v = verdict(size_ok and r["enter_to_heatmap_s"] <= target[1])
            else:
                t_text, v = "", ""
            lines.append(
                f"| /{r['page']} | {r['tokens']} | {mb(r['page_payload_bytes'])} | {r['enter_to_heatmap_s']:.2f} s | {t_text} | {v} |"
            )
        matching = [r for r in app["rows"] if "matching_tab_s" in r]
        if matching:
            lines += [
                "",
                "/compare computes head matching (JS divergence of every head pair, CKA) only when its tab is "
                "opened: first opening after a new sentence, "
                + ", ".join(f"{r['tokens']} tokens {r['matching_tab_s']:.2f} s" for r in matching)
                + ".",
            ]
        lines += [
            "",
            f"Server peak memory (RSS high-water mark) over the whole run: {app['server_peak_rss_mb']:.0f} MB.",
            "",
        ]
    if bv:
        lines += [
            "## bertviz 1.4 on the same model and inputs",
            "",
            "| tokens | head_view HTML | model_view HTML | model_view build |",
            "| --- | --- | --- | --- |",
        ]
        lines += [
            f"| {r['tokens']} | {mb(r['head_view_bytes'])} | {mb(r['model_view_bytes'])} | {r['model_view_s']:.2f} s |"
            for r in bv["rows"]
        ]
        lines += [""]
    if quality:
        lines += [
            "## ConvBERT student quality",
            "",
            f"Mean cosine of mean-pooled sentence embeddings, teacher vs shipped student, on {quality['sentences']} "
            f"UD English EWT test sentences: **{quality['heldout_cosine']:.4f}** (target >= 0.95; untrained student "
            f"{quality['untrained_cosine']:.4f})."
            + (
                " By length: "
                + ", ".join(f"{b['tokens']} tokens {b['cosine']:.3f} ({b['sentences']})" for b in quality["by_length"])
                + "."
                if quality.get("by_length")
                else ""
            ),
            "",
        ]
    if load:
        lines += [
            "## Classroom load test",
            "",
            (
                f"{load['sessions']} concurrent Chromium sessions on one server (joining one every {load.get('arrival_s', 0):g} s, "
                f"timeout {load.get('timeout_s', 180):g} s), each typing {load['rounds'] - 1} new sentences after opening the page: {load['typed_requests']} typed requests, p50 {load['p50_s']:.2f} s, p95 {load['p95_s']:.2f} s, "
                f"max {load['max_s']:.2f} s; first load p50 {load['first_load_p50_s']:.2f} s; errors {load['errors']}; "
                f"cross-talk {load['crosstalk']}; server peak memory {load['server_peak_rss_mb']:.0f} MB; wall {load['wall_s']:.0f} s."
            ),
            "",
        ]
    lines += [
        "## What limits the figures (notes of 2026-11-26, second session)",
        "",
        (
            "- Heatmaps: Plotly's automargin, with a square (scaleanchor) plot, measured every tick label and redrew "
            "several times: ~0.5 s of the browser's time at 128 tokens. Margins are now computed in Python from the "
            "label lengths and tick labels are budgeted by pixels; /attention at 128 tokens went from 1.65 s to the "
            "figure above. What remains is Streamlit's rerun round trip (~0.3 s to the chart message) and Plotly "
            "drawing in headless Chromium with software rendering."
        ),
        (
            "- /compare draws A and B in one figure and computes head metrics and head matching only in their tabs "
            "(st.tabs with on_change='rerun'), cached per sentence; JS divergence uses sum m log m in float32 torch "
            "(64 s -> 9 s for 72 x 72 heads at 512 tokens) and, above 128 tokens, averages over 128 evenly spaced "
            "query tokens (stated on the page). Server peak memory fell from 5.7 GB to the figure above."
        ),
        (
            "- capture() at 512 tokens is not within 1.15x: it must write 6 x 12 x 512 x 512 float32 (75 MB) of "
            "attention into fresh memory, which a plain forward pass never keeps. In this VM, first-touching 75 MB "
            "costs 40-60 ms (keeping the model's own tensors instead of copying costs as much: fresh pages either "
            "way). The copy goes straight into one preallocated array (no stacking); at 16 and 128 tokens the "
            "overhead is tokenization and bookkeeping."
        ),
        (
            "- /attention at 512 tokens sends 1.50 MB, at the limit: the 512 x 512 float32 matrix alone is 1.40 MB "
            "once base64-encoded."
        ),
        (
            "- The load test runs all 30 headless Chromium pages on the same 2 cores as the server, so its "
            "latencies measure the load generator as much as the app; correctness (0 errors, 0 cross-talk) is the "
            "point of that row."
        ),
        "",
    ]
    (common.ROOT / "bench" / "RESULTS.md").write_text("\n".join(lines))
    plot(app, bv, common.ROOT / "bench" / "results.png")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
