"""Run every benchmark, then write bench/RESULTS.md and bench/results.png."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for script in (
    "bench_capture.py",
    "bench_bertviz.py",
    "convbert_quality.py",
    "bench_app.py",
    "load_test.py",
    "report.py",
):
    print(f"== {script}", flush=True)
    subprocess.run([sys.executable, str(HERE / script)], cwd=HERE, check=script != "load_test.py")
