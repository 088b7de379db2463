"""Mutation testing of one module with mutmut, in a work copy outside the repository.

    python bench/mutate.py analysis [--budget-min 18]        # run (or continue) the module's mutants
    python bench/mutate.py analysis --rerun survivors         # rerun survivors (after new tests)
    python bench/mutate.py analysis --report-only             # summarise the cached results
    make mutate MODULE=analysis BUDGET_MIN=18

Copies the project (sources, pages, tests, pytest.ini, this harness) to $MUTATE_DIR/<module> (default
/tmp/bertviz-mutate), writes a pyproject.toml there whose [tool.mutmut] is the repository's with
`only_mutate` and the test selection narrowed to MODULES[module] (a module of issue #17 is now the files it
was split into), and runs `mutmut run` with one child.
Results are cached in that folder's mutants/, so a run stopped by its budget continues where it left off
(a stopped run costs one clean run of the module's tests when it resumes).

What makes it fast enough for a shared 2-core machine:
- mutmut 3 runs, per mutant, only the tests that called the mutated function in its stats run, with -x;
  bench/mutmut_plugin.py orders them fastest first, so a killed mutant stops at its first failing test;
- each module's selection holds only tests that check it (unit tests before app tests);
- the fork server (bench/mutmut_warm.py) holds the heavy imports, the collected test modules and the
  bundled models, so a mutant's run forks with them in memory;
- timeouts: wall limit = TIMEOUT_MULTIPLIER x (the mutant's tests' measured time + TIMEOUT_CONSTANT), at
  least 80 s: a mutant counts as timed out only when it runs 4x longer than the clean tests plus 80 s.
  Each timeout is worth a look (`mutmut show NAME`): bench/RESULTS.md lists them.

The tests written to kill the survivors of issue #17 (once tests/*/test_mutants_<module>.py) now live beside
the tests of the functions they pin, in the selections below, so there is nothing to hold back and the
--hold-back option is gone: to measure a score without some tests, set MUTATE_HOLD_BACK to their node-id
prefixes (comma-separated; bench/mutmut_plugin.py deselects them) and `--rerun survivors` after releasing
them. Prints the score (killed or timed out / checked) and every survivor;
`cd $MUTATE_DIR/<module> && mutmut show NAME` shows a mutant's diff.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# module -> (files to mutate, test selection, models in the fork server). The selection: tests that check
# the module, cheapest first; slow page tests only where the module is page glue (state).
# "keep": bundled models preloaded and cached; "warm": loaded once then dropped from the cache, so
# loading.py's tests still load through the mutated code (with the imports warm).
MODULES = {
    "loading": (
        ["bertviz_core/models/loading.py"],
        [
            "tests/models/test_loading_ids.py",
            "tests/models/test_loading_routes.py",
            "tests/models/test_loading_token_limit.py",
            "tests/models/test_loading_rules.py",
            "tests/app/test_hostile.py::test_hostile_folders_refused_for_their_reason",
            "tests/app/test_hostile.py::test_hub_policy_registry_refuses_other_ids",
            "tests/app/test_hostile.py::test_hub_offline_fails_fast_without_the_offline_flag",
            "tests/tracing/test_capture.py::test_every_family_on_a_tiny_local_checkpoint",
            "tests/tracing/test_capture.py::test_registry_entries_work_as_labelled",
            "tests/app/test_url_params.py::test_every_load_refusal_has_a_message_in_both_languages",
            "tests/app/test_url_params.py::test_load_error_text_cuts_and_relativises",
        ],
        "warm",
    ),
    "capture": (
        [f"bertviz_core/tracing/{m}.py" for m in ("capture", "buffers", "hooks", "trace")],
        [
            "tests/tracing/test_capture.py",
            "tests/tracing/test_capture_pool.py",
            "tests/training/test_convbert.py::test_kernel_reconstruction_tiny_convbert",
            "tests/training/test_convbert.py::test_kernel_reconstruction_bundled_student",
            "--deselect",
            "tests/tracing/test_capture.py::test_core_never_imports_streamlit",  # a subprocess import check
            "--deselect",
            "tests/tracing/test_capture.py::test_registry_entries_work_as_labelled",  # loads every model
        ],
        "keep",
    ),
    "analysis": (
        [f"bertviz_core/analysis/{m}.py" for m in ("metrics", "compare", "cka", "words", "steps", "provenance")],
        [
            "tests/analysis/test_metrics.py",
            "tests/analysis/test_words.py",
            "tests/analysis/test_cka.py",
            "tests/analysis/test_provenance.py",
            "tests/analysis/test_compare_summaries.py",
            "tests/analysis/test_steps.py",
            "tests/analysis/test_compare.py",
            "tests/analysis/test_analysis.py",
            "tests/analysis/test_teaching.py",
            "tests/analysis/test_research.py",
            "tests/training/test_convbert.py::test_kernel_reconstruction_tiny_convbert",
            "tests/training/test_convbert.py::test_kernel_reconstruction_bundled_student",
            "--deselect",
            "tests/analysis/test_teaching.py::test_cosine_and_pca_against_scipy_and_svd",  # positions.py
            "--deselect",
            "tests/analysis/test_research.py::test_free_student_attention_heads_are_not_copies",  # weights
        ],
        "keep",
    ),
    "state": (
        ["app/state/*"],
        [
            "tests/app/test_state_url.py",
            "tests/app/test_state_text.py",
            "tests/app/test_state_captures.py",
            "tests/app/test_url_params.py",
            "tests/app/test_state_limits.py",
            "tests/app/test_i18n_and_urls.py",
            "--deselect",
            "tests/app/test_i18n_and_urls.py::test_every_key_has_both_languages_and_same_placeholders",
            "--deselect",
            "tests/app/test_i18n_and_urls.py::test_every_key_used_in_code_exists",
            "--deselect",
            "tests/app/test_i18n_and_urls.py::test_pages_have_no_hard_coded_titles",
            "--deselect",
            "tests/app/test_i18n_and_urls.py::test_every_page_in_chinese",  # i18n table checks, not state
            "--deselect",
            "tests/app/test_i18n_and_urls.py::test_lessons_open_their_views",  # lessons.py's links
            "--deselect",
            (
                "tests/app/test_i18n_and_urls.py::"
                "test_an_opened_lesson_keeps_its_explanation_in_the_sidebar_until_the_sentence_changes"
            ),
            # the bad-parameter sweep on 4 of the 12 pages (state.py's checks are shared; the other pages run the
            # same functions): every page is still opened by the suite, only not once per state.py mutant
            *[
                x
                for case in ("negative-repeated", "too-large")
                for page in (
                    "home",
                    "model_view",
                    "syntax",
                    "positions",
                    "intervene",
                    "compress",
                    "contributions",
                    "lessons",
                )
                for x in (
                    "--deselect",
                    f"tests/app/test_url_params.py::test_every_page_survives_bad_view_parameters[{case}-{page}]",
                )
            ],
        ],
        "keep",
    ),
}
COPY = ["bertviz_core", "app", "pages", "tests", "pytest.ini", "bench/mutmut_warm.py", "bench/mutmut_plugin.py"]
EXTRA_PYTEST_ARGS = ["-p", "bench.mutmut_plugin"]
TIMEOUT_MULTIPLIER, TIMEOUT_CONSTANT = 4.0, 20.0
KILLED = ("killed", "timeout", "segfault")  # segfault: mutmut's name for a child killed by a signal


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    return "[" + ", ".join(toml_value(x) for x in v) + "]"


def prepare(module: str, work: Path) -> None:
    targets, tests, models = MODULES[module]
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
    selection = list(tests)
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    config.update(
        only_mutate=targets,
        pytest_add_cli_args_test_selection=selection,
        pytest_add_cli_args=config.get("pytest_add_cli_args", []) + EXTRA_PYTEST_ARGS,
        timeout_multiplier=TIMEOUT_MULTIPLIER,
        timeout_constant=TIMEOUT_CONSTANT,
        process_isolation="forkserver",
        forkserver_warmup="import",
        log_to_file=True,
        preload_modules_file=str(work / "mutmut_preload.txt"),
    )
    (work / "mutmut_preload.txt").write_text("bench.mutmut_warm\n")
    (work / "mutmut_warm.json").write_text(
        json.dumps({"models": models, "selection": selection, "pytest_args": config["pytest_add_cli_args"]})
    )
    (work / "pyproject.toml").write_text(
        "[tool.mutmut]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in config.items())
    )


def mutmut(*args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "mutmut"), *args]


def finished_mutants(work: Path, since: int) -> list[str]:
    """Mutants whose run ended, from mutmut's debug log (from byte `since` on)."""
    log = work / "mutants" / "mutmut-debug.log"
    if not log.exists():
        return []
    with open(log, "rb") as f:
        f.seek(since)
        text = f.read().decode("utf-8", "replace")
    return re.findall(r"Finished (\S+): exit=", text)


def log_size(work: Path) -> int:
    log = work / "mutants" / "mutmut-debug.log"
    return log.stat().st_size if log.exists() else 0


def run(module: str, work: Path, budget_s: float | None, names: list[str]) -> bool:
    """mutmut run; True if it finished, False if the budget stopped it."""
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MUTATE_HOLD_BACK": os.environ.get("MUTATE_HOLD_BACK", ""),
    }
    # SIGINT is how mutmut is stopped with its results kept; a shell starts background jobs with SIGINT
    # ignored, and Python keeps an ignored SIGINT ignored, so it is reset for mutmut
    proc = subprocess.Popen(
        mutmut("run", "--max-children", "1", *names),
        cwd=work,
        env=env,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509 - no threads here
    )
    try:
        proc.wait(timeout=budget_s)
        return True
    except subprocess.TimeoutExpired:
        print(f"\nbudget of {budget_s / 60:.0f} min used: stopping mutmut (results so far are kept)", flush=True)
        proc.send_signal(signal.SIGINT)  # mutmut stops its fork server and workers itself
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        return False


def statuses(work: Path) -> dict[str, str]:
    out = subprocess.run(
        mutmut("results", "--all", "true"),
        cwd=work,
        capture_output=True,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        check=False,  # no results yet (or mutmut failing) reads as no statuses
    ).stdout
    status: dict[str, str] = {}
    for line in out.splitlines():
        if ": " in line.strip():
            name, _, st = line.strip().rpartition(": ")
            status[name] = st
    return status


def summary(work: Path) -> dict:
    status = statuses(work)
    counts: dict[str, int] = {}
    for st in status.values():
        counts[st] = counts.get(st, 0) + 1
    unchecked = ("not checked", "check was interrupted by user")
    checked = sum(n for st, n in counts.items() if st not in unchecked)
    killed = sum(counts.get(st, 0) for st in KILLED)
    return {
        "total": len(status),
        "checked": checked,
        "counts": counts,
        "score": killed / checked if checked else None,
        "survived": sorted(n for n, st in status.items() if st == "survived"),
        "no_tests": sorted(n for n, st in status.items() if st == "no tests"),
        "timeout": sorted(n for n, st in status.items() if st == "timeout"),
        "other": sorted(
            f"{n}: {st}"
            for n, st in status.items()
            if st not in (*KILLED, "survived", "no tests", "not checked") or st == "segfault"
        ),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("module", choices=sorted(MODULES))
    ap.add_argument("--budget-min", type=float, default=None, help="stop mutmut after this many minutes")
    ap.add_argument(
        "--rerun",
        nargs="+",
        default=[],
        metavar="NAME",
        help="rerun these mutants; 'survivors' = every survivor and no-tests mutant, "
        "'interrupted' = those whose check was interrupted",
    )
    ap.add_argument(
        "--fresh",
        action="store_true",
        help="with --rerun survivors: also rerun those already rerun since the last --fresh",
    )
    ap.add_argument("--report-only", action="store_true", help="summarise the cached results, run nothing")
    a = ap.parse_args(argv)
    work = Path(os.environ.get("MUTATE_DIR", "/tmp/bertviz-mutate")) / a.module
    t0 = time.time()
    finished = None
    if not a.report_only:
        # survivors already rerun (with the current tests) are listed in rerun_done.txt, so a rerun stopped
        # by its budget continues with the others; --fresh (after new tests) starts the list again
        done_file = work / "rerun_done.txt"
        if a.fresh and done_file.exists():
            done_file.unlink()
        done = set(done_file.read_text().split()) if done_file.exists() else set()
        names = []
        for n in a.rerun:
            if n in ("survivors", "interrupted"):
                wanted = ("survived", "no tests") if n == "survivors" else ("check was interrupted by user",)
                names += [m for m, st in statuses(work).items() if st in wanted and m not in done]
            else:
                names.append(n)
        if a.rerun and not names:
            print("nothing to rerun")
        else:
            prepare(a.module, work)
            since = log_size(work)
            finished = run(a.module, work, a.budget_min * 60 if a.budget_min else None, names)
            if a.rerun:
                ran = set(finished_mutants(work, since))
                with open(done_file, "a") as f:
                    f.writelines(f"{m}\n" for m in sorted(ran))
    s = {
        "module": ", ".join(MODULES[a.module][0]),
        "finished": finished,
        "minutes": round((time.time() - t0) / 60, 1),
        "held_back": os.environ.get("MUTATE_HOLD_BACK", ""),
        **summary(work),
    }
    (work / "summary.json").write_text(json.dumps(s, indent=1))
    score = "n/a" if s["score"] is None else f"{s['score']:.1%}"
    print(
        f"\n{s['module']}: {s['checked']}/{s['total']} mutants checked, score {score} "
        f"(killed or timed out / checked); {s['counts']}"
    )
    for key in ("survived", "no_tests", "timeout", "other"):
        for name in s[key]:
            print(f"  {key}:", name)
    print(f"details: cd {work} && {mutmut()[0]} show NAME")
    return 0


if __name__ == "__main__":
    sys.exit(main())
