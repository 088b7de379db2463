"""Server start to the first painted /attention heatmap, cold and warmed (issue #30, point 7).

    .venv/bin/python bench/bench_first_paint.py [runs] [delay_s]

Each run starts a fresh server, waits until it answers its health check, waits `delay_s` seconds (a teacher
starting the server, then opening the laptop's browser: default 10) and opens /attention in Chromium; the time
is from opening the page to the heatmap's first painted frame (the default sentence, the bundled BERT).
"cold": `streamlit run app/main.py` with the warm-up off (BERTVIZ_WARMUP=0: every server before this change);
"warm": `python app/serve.py` (what `make app` runs), which warms the model and the figure path as it starts.
Runs alternate between the two so the machine's drift hits both. Writes bench/out/first_paint.json.
"""

from __future__ import annotations

import statistics
import sys
import time

import common  # noqa: F401  (puts the project on sys.path)
from common import ROOT, machine, save

sys.path.insert(0, str(ROOT / "deploy"))
from local_app import browser, streamlit_server

PAINTED_JS = """() => new Promise(resolve => {
  const ready = () => [...document.querySelectorAll('.js-plotly-plot')].some(p =>
      (p._fullData || []).some(d => d.type === 'heatmap') && p.querySelector('image, .hm')) ||
      [...document.querySelectorAll("[data-testid='bv-heatmap-root']")].some(r => +r.dataset.painted > 0);
  const poll = () => ready() ? requestAnimationFrame(() => resolve(performance.now())) : setTimeout(poll, 20);
  poll();
})"""


def one_run(mode: str, delay: float) -> dict:
    env = {"BERTVIZ_WARMUP": "1" if mode == "warm" else "0", "OMP_NUM_THREADS": "2"}
    t_start = time.perf_counter()
    with streamlit_server(env=env, serve=mode == "warm", timeout=120) as proc:
        ready = time.perf_counter() - t_start
        time.sleep(delay)
        with browser() as b:
            page = b.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(proc.base_url + "/attention", wait_until="domcontentloaded")
            painted = page.evaluate(PAINTED_JS) / 1000  # the page's clock: 0 = the navigation's start
    return {"mode": mode, "server_ready_s": round(ready, 2), "delay_s": delay, "open_to_painted_s": round(painted, 2)}


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    delay = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
    rows = []
    for r in range(runs):
        for mode in ("cold", "warm") if r % 2 == 0 else ("warm", "cold"):
            rows.append(one_run(mode, delay))
            print(rows[-1], flush=True)
    summary = {
        mode: statistics.median(row["open_to_painted_s"] for row in rows if row["mode"] == mode)
        for mode in ("cold", "warm")
    }
    print("median open-to-painted:", summary)
    save("first_paint", {"machine": machine(), "runs": rows, "median_open_to_painted_s": summary})


if __name__ == "__main__":
    main()
