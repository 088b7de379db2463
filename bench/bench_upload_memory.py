"""Server memory over a 200-sentence, 512-token upload on /compare "Over many sentences" (issue #19).

Starts the app (one Streamlit server on 127.0.0.1), opens /compare in Debian's Chromium, uploads a
.txt file of N passages of at least 512 tokens each (real prose from the shared corpora), presses
"Compare over these sentences" and samples the server process's RSS every 0.1 s from before the
upload until the result shows, then for a few seconds more. The page bounds the work (at most 200
sentences and 20,000 tokens: the warning on the page says how many passages it used); this measures
what a student's upload costs the server that the whole class shares.

    python bench/bench_upload_memory.py --sentences 200

Writes bench/out/upload_memory.json: RSS before the page, after the models loaded, before the upload,
peak during the run, after; the number of passages used (read from the page); the RSS curve.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import threading
import time
from pathlib import Path

import common  # puts the project and deploy/ on sys.path
import local_app
from bench_many_memory import long_texts


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Sampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.every, self.running, self.curve, self.t0 = pid, every, True, [], time.time()

    def run(self):
        while self.running:
            self.curve.append((round(time.time() - self.t0, 2), round(rss_mb(self.pid), 1)))
            time.sleep(self.every)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3, help="runs of the same upload (2nd: same session, 3rd: another)")
    args = parser.parse_args()
    import bertviz_core as bc

    tokenizer = bc.load_model("bert-minilm-l6").tokenizer
    texts = long_texts(tokenizer, args.sentences)
    lengths = [len(tokenizer(t)["input_ids"]) for t in texts]
    upload = Path(tempfile.mkdtemp()) / "passages.txt"
    upload.write_text("\n".join(texts) + "\n", encoding="utf-8")

    with local_app.streamlit_server(timeout=120) as server, local_app.browser() as b:
        pid = server.pid
        out = {
            "machine": common.machine(),
            "passages_in_file": len(texts),
            "file_bytes": upload.stat().st_size,
            "tokens_per_passage_min": min(lengths),
            "rss_server_start_mb": round(rss_mb(pid), 1),
        }
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(300_000)
        page.goto(
            server.base_url + "/compare?model=bert-minilm-l6&model_b=convbert-minilm-l6"
            "&text=The%20cat%20sat%20on%20the%20mat."
        )
        local_app.wait_for_plot(page, timeout=180_000)
        page.get_by_role("tab", name="Over many sentences").click()
        page.get_by_text("Compare over these sentences").wait_for(timeout=60_000)
        local_app.wait_idle(page)
        time.sleep(2)
        out["rss_models_loaded_mb"] = round(rss_mb(pid), 1)
        sampler = Sampler(pid)
        sampler.start()
        page.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(str(upload))
        page.wait_for_timeout(1500)
        local_app.wait_idle(page)
        out["rss_after_upload_mb"] = round(rss_mb(pid), 1)
        t_run = time.time()
        page.get_by_role("button", name="Compare over these sentences").click()
        page.get_by_text(re.compile(r"Averaged over \d+ sentences")).wait_for(timeout=1_800_000)
        out["run_seconds"] = round(time.time() - t_run, 1)
        used = page.get_by_text(re.compile(r"Averaged over \d+ sentences")).inner_text()
        out["sentences_used"] = int(re.search(r"(\d+) sentences", used).group(1))
        warning = page.locator('[data-testid="stAlert"]').all_inner_texts()
        out["page_notices"] = [w for w in warning if "sentence" in w.lower()][:3]
        time.sleep(5)
        out["rss_after_first_run_mb"] = round(rss_mb(pid), 1)
        # the same upload again in the same session, then from a second session: does memory keep growing?
        for run in range(2, args.runs + 1):
            other = b.new_page(viewport={"width": 1400, "height": 1000}) if run % 2 else page
            other.set_default_timeout(300_000)
            if other is not page:
                other.goto(
                    server.base_url + "/compare?model=bert-minilm-l6&model_b=convbert-minilm-l6"
                    "&text=The%20cat%20sat%20on%20the%20mat."
                )
                local_app.wait_for_plot(other, timeout=180_000)
                other.get_by_role("tab", name="Over many sentences").click()
                other.get_by_text("Compare over these sentences").wait_for(timeout=60_000)
                other.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(str(upload))
                other.wait_for_timeout(1500)
                local_app.wait_idle(other)
            other.get_by_role("button", name="Compare over these sentences").click()
            other.wait_for_timeout(3000)
            other.get_by_text(re.compile(r"Averaged over \d+ sentences")).wait_for(timeout=1_800_000)
            local_app.wait_idle(other)
            time.sleep(5)
            out[f"rss_after_run{run}_mb"] = round(rss_mb(pid), 1)
        sampler.running = False
        sampler.join()
        out["rss_after_mb"] = round(rss_mb(pid), 1)
        out["rss_peak_mb"] = max(r for _, r in sampler.curve)
        out["peak_growth_over_models_loaded_mb"] = round(out["rss_peak_mb"] - out["rss_models_loaded_mb"], 1)
        out["curve"] = sampler.curve[::5]
    print({k: v for k, v in out.items() if k not in ("curve", "machine")})
    common.save("upload_memory", out)


if __name__ == "__main__":
    main()
