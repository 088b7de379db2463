"""The views of the second round (contributions, syntax, compression) at 16/128/512 tokens,
timed on a warm server through Streamlit's own websocket protocol (deploy/ws_classroom.py's
client).

Per page and size: open the page on one sentence (warm-up: models, imports, cached tables),
then type new sentences of n tokens (Enter, as the browser sends it) and time, from the
BackMsg leaving:
    first_chart_s   the first plotly_chart message of the run (the page's first figure)
    main_chart_s    the page's main figure (key below) arriving
    finished_s      the end of the run (every figure and table sent)
Server side only: the browser's drawing is not in these numbers (see bench_app.py's
timeline for /attention, where it is). Median of --runs sentences.

    python bench/bench_views.py [--sizes 16,128,512] [--runs 3] [--no-post-gc]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from functools import partial

import common
import ws_classroom
from local_app import streamlit_server

from bertviz_core.inputs.text import decode_text

# page -> (query, key of its main figure, what that figure is)
VIEWS = {
    "contributions": (
        {"model": "bert-minilm-l6"},
        "contrib_heatmaps",
        "raw attention beside norm-based attention (layer 0), bars; gradient x input / IG",
    ),
    "syntax": ({"model": "bert-minilm-l6"}, "syn_heatmap", "word-level attention of one head with dependency arcs"),
    "compress": ({"model": "bert-minilm-l6"}, "cz_js", "per-head JS change, base vs @int8, on the sentence"),
}


def fresh_texts(tokenizer, n: int, count: int, start: int) -> list[str]:
    """`count` real texts of exactly n tokens, from different speeches; each page gets its own
    (start) so that no page finds another's sentence in the shared trace cache."""
    files = sorted((common.SHARED / "corpora" / "state_union").glob("*.txt"))[start::5][:count]
    out = []
    for f in files:
        words = decode_text(f.read_bytes()).split()[100:]
        lo, hi = 1, len(words)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if len(tokenizer(" ".join(words[:mid]))["input_ids"]) <= n:
                lo = mid
            else:
                hi = mid - 1
        out.append(" ".join(words[:lo]))
    return out


async def timed_run(client: ws_classroom.StreamlitClient, msg, main_key: str, timeout: float) -> dict:
    """Send one BackMsg; time every plotly_chart and the end of the run."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    out = {"first_chart_s": None, "main_chart_s": None, "finished_s": None, "charts": 0, "problems": [], "bytes": 0}
    t0 = time.perf_counter()
    await client.ws.send(msg.SerializeToString())
    deadline = t0 + timeout
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            out["problems"].append("timeout")
            return out
        try:
            data = await asyncio.wait_for(client.ws.recv(), left)
        except TimeoutError:
            out["problems"].append("timeout")
            return out
        out["bytes"] += len(data)
        fm = ForwardMsg.FromString(data)
        kind = fm.WhichOneof("type")
        now = time.perf_counter() - t0
        if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
            el = fm.delta.new_element
            which = el.WhichOneof("type")
            if which == "text_input" and el.text_input.id.endswith("-text"):
                client.text_widget_id = el.text_input.id
            elif which == "plotly_chart":
                out["charts"] += 1
                if out["first_chart_s"] is None:
                    out["first_chart_s"] = now
                if main_key in el.plotly_chart.id and out["main_chart_s"] is None:
                    out["main_chart_s"] = now
            elif which == "exception":
                out["problems"].append(f"exception: {el.exception.message[:100]}")
        elif kind == "navigation":
            client.page_hash = fm.navigation.page_script_hash
        elif kind == "page_info_changed":
            client.query = fm.page_info_changed.query_string
        elif kind == "script_finished":
            if fm.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                continue
            out["finished_s"] = now
            return out


async def measure_view(base: str, page: str, texts: list[str], timeout: float = 600) -> list[dict]:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    query, key, _ = VIEWS[page]
    c = ws_classroom.StreamlitClient(base)
    await asyncio.to_thread(c.get_page, f"/{page}")
    await c.connect(timeout=120)
    try:
        msg = BackMsg()
        msg.rerun_script.query_string = ws_classroom.urlencode(
            {**query, "text": texts[0]}, quote_via=ws_classroom.quote
        )
        msg.rerun_script.page_name = page
        warm = await timed_run(c, msg, key, timeout)
        print(page, "opened", {k: warm[k] for k in ("finished_s", "charts", "problems")}, flush=True)
        runs = []
        for text in texts[1:]:
            msg = BackMsg()
            msg.rerun_script.query_string = c.query
            msg.rerun_script.page_script_hash = c.page_hash
            w = msg.rerun_script.widget_states.widgets.add()
            w.id, w.string_value = c.text_widget_id, text
            runs.append(await timed_run(c, msg, key, timeout))
            print(page, {k: (round(v, 3) if isinstance(v, float) else v) for k, v in runs[-1].items()}, flush=True)
        return runs
    finally:
        await c.close()


def median_of(runs: list[dict], key: str) -> float:
    """Median of runs[i][key] over the runs that have it (NaN if none has)."""
    return statistics.median([r[key] for r in runs if r[key] is not None] or [float("nan")])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="16,128,512")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pages", default=",".join(VIEWS))
    ap.add_argument("--no-post-gc", action="store_true")
    a = ap.parse_args(argv)
    env = ws_classroom.NO_POST_GC if a.no_post_gc else None
    tokenizer = ws_classroom.load_tokenizer()
    sizes = [int(x) for x in a.sizes.split(",")]
    out = {"machine": common.machine(), "loadavg_before": os.getloadavg(), "server_env": env or {}, "rows": []}
    with streamlit_server(timeout=300, env=env) as server:
        for p, page in enumerate(a.pages.split(",")):
            for n in sizes:
                texts = fresh_texts(tokenizer, n, a.runs + 1, start=p)
                runs = asyncio.run(measure_view(server.base_url, page, texts))
                med = partial(median_of, runs)
                out["rows"].append(
                    {
                        "page": page,
                        "tokens": n,
                        "main_figure": VIEWS[page][2],
                        "first_chart_s": med("first_chart_s"),
                        "main_chart_s": med("main_chart_s"),
                        "finished_s": med("finished_s"),
                        "runs": runs,
                    }
                )
                print(json.dumps({k: v for k, v in out["rows"][-1].items() if k != "runs"}), flush=True)
    out["loadavg_after"] = os.getloadavg()
    common.save("views" + ("_no_post_gc" if a.no_post_gc else ""), out)


if __name__ == "__main__":
    main()
