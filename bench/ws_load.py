"""A classroom without browsers (deploy/ws_classroom.py), with --save for bench/out/.

    python bench/ws_load.py --sessions 30                      # starts its own server
    python bench/ws_load.py --sessions 60 --replicas 2         # two replicas behind nginx (deploy/)
    python bench/ws_load.py --url http://127.0.0.1:8501 --sessions 10
    python bench/ws_load.py --capacity 10,30,60,100 [--replicas 2] --save capacity   # the capacity table

The load generator measures a deployment, so it lives in deploy/ (the tests import it from there); this
file keeps the documented command and adds saving the rows with the machine's facts (bench/common.py).
Other benchmarks import deploy/ws_classroom.py itself (bench/common.py puts deploy/ on sys.path).
"""

from __future__ import annotations

import sys

import common  # puts the project and deploy/ on sys.path
import ws_classroom


def save_rows(args, rows: list[dict]) -> None:
    """After every level: a run stopped from outside keeps what it measured."""
    if args.save:
        common.save(args.save, {"machine": common.machine(), "rows": rows})


def main(argv=None) -> int:
    ap = ws_classroom.arg_parser()
    ap.add_argument("--save", help="write the rows to bench/out/<name>.json")
    return ws_classroom.main(argv, ap, save_rows)


if __name__ == "__main__":
    sys.exit(main())
