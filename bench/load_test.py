"""Many students, one server: N concurrent browser sessions against one `streamlit run`
(deploy/browser_classroom.py), the summary saved to bench/out/load.json.

Each session opens /attention, then types its own sentences one after another and checks
that the heatmap shows exactly its own tokens (no cross-talk). Records Enter-to-heatmap
latency (p50/p95), errors, cross-talk and the server's peak memory.

    python bench/load_test.py --sessions 30 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import common  # puts the project and deploy/ on sys.path
from browser_classroom import main_async


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args(argv)
    summary = asyncio.run(main_async(a.sessions, a.rounds))
    print(summary)
    common.save("load", {"machine": common.machine(), **summary})
    return 0 if summary["errors"] == 0 and summary["crosstalk"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
