"""pytest plugin for the mutation runs of bench/mutate.py (loaded with `-p bench.mutmut_plugin`).

- Fastest tests first: mutmut runs a mutant's tests with `-x`, so a killed mutant costs only the
  tests up to the first failure. mutmut passes the tests in set order; this sorts them by the
  call time mutmut measured in its stats run (mutants/mutmut-stats.json; new tests count as 0).
- Held-back tests: MUTATE_HOLD_BACK (comma-separated node-id prefixes) deselects tests, so a first
  pass measures the score without the tests written to kill its survivors; once released, mutmut
  finds them as new tests and collects their stats (the test selection, hence every cached result,
  stays the same).
Outside a mutation run (no stats file, no variable) it changes nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def _durations() -> dict[str, float]:
    path = Path("mutmut-stats.json")  # mutmut runs pytest inside mutants/
    try:
        return json.loads(path.read_text()).get("duration_by_test", {})
    except (OSError, ValueError):
        return {}


def pytest_collection_modifyitems(session, config, items):
    held = [p.strip() for p in os.environ.get("MUTATE_HOLD_BACK", "").split(",") if p.strip()]
    if held:
        drop = [it for it in items if any(it.nodeid.startswith(p) for p in held)]
        if drop:
            config.hook.pytest_deselected(items=drop)
            gone = {id(it) for it in drop}
            items[:] = [it for it in items if id(it) not in gone]
    durations = _durations()
    if durations:
        # stable: equal times keep pytest's order (module fixtures stay grouped where they can)
        items.sort(key=lambda it: durations.get(it.nodeid, 0.0))
