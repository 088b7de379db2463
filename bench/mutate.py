"""Mutation testing of one module with mutmut, in a work copy outside the repository.

    python bench/mutate.py capture [--budget-min 25] [--max-children 1]
    make mutate MODULE=capture BUDGET_MIN=25

Copies the project (sources, pages, tests, pytest.ini) to $MUTATE_DIR/<module> (default
/tmp/bertviz-mutate), writes a pyproject.toml there whose [tool.mutmut] is the repository's with
`only_mutate` and the test selection narrowed to MODULES[module], and runs `mutmut run`. Results
are cached in that folder's mutants/, so a second run continues where a stopped one left off.
With a budget, mutmut is interrupted (SIGINT, results kept) when it runs out. Prints the score
(killed / checked) and every surviving mutant; `mutmut show NAME` in the work folder shows its diff.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# module -> (file to mutate, targeted test selection: fast tests that check that module)
MODULES = {
    "capture": ("bertviz_core/capture.py", [
        "tests/test_capture.py", "tests/test_capture_pool.py",
        "tests/test_convbert.py::test_kernel_reconstruction_tiny_convbert",
        "-k", "not never_imports_streamlit and not registry"]),
    "loading": ("bertviz_core/loading.py", [
        "tests/test_hostile.py", "tests/test_capture.py::test_every_family_on_a_tiny_local_checkpoint"]),
    "analysis": ("bertviz_core/analysis.py", [
        "tests/test_analysis.py", "tests/test_teaching.py", "tests/test_convbert.py::test_kernel_reconstruction_tiny_convbert"]),
    "state": ("app/state.py", [
        "tests/test_state_limits.py", "tests/test_hostile.py", "tests/test_i18n_and_urls.py",
        "-k", "not every_key and not hard_coded and not chinese"]),
}
COPY = ["bertviz_core", "app", "pages", "tests", "pytest.ini", "bench/mutmut_warm.py"]
# modules whose mutants run on models preloaded by the fork server (bench/mutmut_warm.py); loading.py's
# tests must load models through the mutated code, so it keeps pytest-collection warm-up
PRELOAD = {"capture", "analysis", "state"}


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    return "[" + ", ".join(toml_value(x) for x in v) + "]"


def prepare(module: str, work: Path) -> None:
    target, tests = MODULES[module]
    work.mkdir(parents=True, exist_ok=True)
    for name in COPY:  # fresh sources; mutants/ (mutmut's cache) is kept
        src, dst = ROOT / name, work / name
        if dst.exists():
            shutil.rmtree(dst) if dst.is_dir() else dst.unlink()
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", "artifacts"))
        else:
            shutil.copy2(src, dst)
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    config.update(only_mutate=[target], pytest_add_cli_args_test_selection=tests)
    if module in PRELOAD:
        (work / "mutmut_preload.txt").write_text("bench.mutmut_warm\n")
        config.update(forkserver_warmup="import", preload_modules_file=str(work / "mutmut_preload.txt"))
    (work / "pyproject.toml").write_text(
        "[tool.mutmut]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in config.items()))


def run(work: Path, budget_s: float | None, max_children: int) -> bool:
    """mutmut run; True if it finished, False if the budget stopped it."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1"}
    mutmut = Path(sys.executable).parent / "mutmut"
    proc = subprocess.Popen([str(mutmut), "run", "--max-children", str(max_children)], cwd=work, env=env,
                            start_new_session=True)
    try:
        proc.wait(timeout=budget_s)
        return True
    except subprocess.TimeoutExpired:
        print(f"\nbudget of {budget_s / 60:.0f} min used: stopping mutmut (results so far are kept)", flush=True)
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        return False


def summary(work: Path) -> dict:
    out = subprocess.run([str(Path(sys.executable).parent / "mutmut"), "results", "--all", "true"], cwd=work,
                         capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"}).stdout
    status: dict[str, str] = {}
    for line in out.splitlines():
        if ": " in line.strip():
            name, _, st = line.strip().rpartition(": ")
            status[name] = st
    counts: dict[str, int] = {}
    for st in status.values():
        counts[st] = counts.get(st, 0) + 1
    checked = sum(n for st, n in counts.items() if st != "not checked")
    killed = counts.get("killed", 0) + counts.get("timeout", 0)
    return {"total": len(status), "checked": checked, "counts": counts,
            "score": killed / checked if checked else None,
            "survived": sorted(n for n, st in status.items() if st == "survived"),
            "no_tests": sorted(n for n, st in status.items() if st == "no tests")}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("module", choices=sorted(MODULES))
    ap.add_argument("--budget-min", type=float, default=None, help="stop mutmut after this many minutes")
    ap.add_argument("--max-children", type=int, default=1, help="parallel mutant runs (the machine is shared)")
    ap.add_argument("--report-only", action="store_true", help="summarise the cached results, run nothing")
    a = ap.parse_args(argv)
    work = Path(os.environ.get("MUTATE_DIR", "/tmp/bertviz-mutate")) / a.module
    t0 = time.time()
    finished = None
    if not a.report_only:
        prepare(a.module, work)
        finished = run(work, a.budget_min * 60 if a.budget_min else None, a.max_children)
    s = {"module": MODULES[a.module][0], "finished": finished, "minutes": round((time.time() - t0) / 60, 1),
         **summary(work)}
    (work / "summary.json").write_text(json.dumps(s, indent=1))
    score = "n/a" if s["score"] is None else f"{s['score']:.1%}"
    print(f"\n{s['module']}: {s['checked']}/{s['total']} mutants checked, score {score} "
          f"(killed or timed out / checked); {s['counts']}")
    for name in s["survived"]:
        print("  survived:", name)
    print(f"details: cd {work} && {Path(sys.executable).parent / 'mutmut'} show NAME")
    return 0


if __name__ == "__main__":
    sys.exit(main())
