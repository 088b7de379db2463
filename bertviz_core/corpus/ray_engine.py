"""The Ray engine of a corpus run (`python -m bertviz_core.corpus ... --workers N`, see bertviz_core.corpus.run).

One actor per worker holds the model and takes chunks of sentences (bertviz_core.corpus.chunks); their
results are merged here. `ray.init()` starts a local Ray on this machine unless one is running or an
address names a cluster whose nodes have this package installed. Ray is an optional extra:
`pip install ray==2.60.0` (it is in requirements-dev.txt).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bertviz_core.corpus.chunks import DEFAULT_CHUNK, merge_chunks, process_chunk, split_chunks

if TYPE_CHECKING:
    from types import ModuleType

    from tqdm import tqdm

    from bertviz_core.corpus.chunks import Item

FORWARDED_ENV = ("HF_HUB_OFFLINE", "HF_HOME", "BERTVIZ_MODELS_DIR", "BERTVIZ_HUB_POLICY")  # passed on to workers


class Worker:
    """A Ray actor's body: loads the model once, then processes chunks."""

    def __init__(self, model_id: str, threads: int = 1) -> None:
        import torch

        import bertviz_core as bc

        torch.set_num_threads(max(1, threads))
        self.lm = bc.load_model(model_id)

    def ready(self) -> bool:
        return True

    def process(
        self,
        start: int,
        chunk: Sequence[Item],
        stats: tuple[str, ...],
        conv_heads: bool,
        batch_size: int,
        exclude_special: bool = False,
    ) -> dict[str, Any]:
        return process_chunk(
            self.lm,
            chunk,
            stats,
            start=start,
            conv_heads=conv_heads,
            batch_size=batch_size,
            exclude_special=exclude_special,
        )


def init_kwargs(workers: int, address: str | None, threads: int) -> dict[str, Any]:
    """ray.init's keyword arguments: quiet, this package importable and the hub settings passed on to the
    workers; for a local Ray, CPUs for every worker's threads at this process's priority."""
    root = str(Path(__file__).resolve().parents[2])
    env = {
        "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p),
        "TOKENIZERS_PARALLELISM": "false",
    }
    for key in FORWARDED_ENV:
        if key in os.environ:
            env[key] = os.environ[key]
    kwargs: dict[str, Any] = {
        "include_dashboard": False,
        "log_to_driver": False,
        "logging_level": "ERROR",
        "runtime_env": {"env_vars": env},
    }
    if not address:
        kwargs["num_cpus"] = max(workers * threads, 1)
        # Ray runs its workers at nice 15 by default; here they do all the work while this process waits,
        # so on a busy machine they would starve (minutes instead of seconds): run them at our priority
        kwargs["_system_config"] = {"worker_niceness": 0}
    return kwargs


def start_ray(ray: ModuleType, workers: int, address: str | None, threads: int) -> bool:
    """Start (or join) Ray unless it is running; True when this call started it (the caller shuts it down)."""
    if ray.is_initialized():
        return False
    kwargs = init_kwargs(workers, address, threads)
    for attempt in (1, 2):  # a busy machine can miss Ray's fixed 30 s raylet start-up wait: retry once
        try:
            ray.init(address=address, **kwargs)
            break
        except Exception as exc:
            ray.shutdown()
            if attempt == 2 or "timed out during startup" not in str(exc):
                raise
    return True


def run_chunks(
    ray: ModuleType,
    actors: list[Any],
    chunks: list[tuple[int, Sequence[Item]]],
    args: tuple[Any, ...],
    bar: tqdm | None = None,
) -> list[dict[str, Any]]:
    """Every chunk's process_chunk result, in chunk order, from `actors` (Worker actors) kept busy with two
    chunks in flight each. `args`: Worker.process's arguments after the chunk."""
    pending: dict[Any, tuple[int, Any]] = {}  # ObjectRef of a chunk's result -> (chunk index, actor)
    queue = list(range(len(chunks)))
    results: dict[int, dict[str, Any]] = {}
    free = list(actors) * 2  # two chunks in flight per actor: no idle gap between chunks
    while queue or pending:
        while queue and free:
            a, c = free.pop(0), queue.pop(0)
            start, chunk = chunks[c]
            pending[a.process.remote(start, chunk, *args)] = (c, a)
        done, _ = ray.wait(list(pending), num_returns=1)
        c, a = pending.pop(done[0])
        results[c] = ray.get(done[0])
        free.append(a)
        if bar is not None:
            bar.update(len(chunks[c][1]))
    return [results[c] for c in range(len(chunks))]


def run_ray(
    model_id: str,
    items: Sequence[Item],
    stats: tuple[str, ...],
    *,
    workers: int = 1,
    address: str | None = None,
    threads: int = 1,
    conv_heads: bool = True,
    batch_size: int = 32,
    chunk_size: int = DEFAULT_CHUNK,
    bar: tqdm | None = None,
    timings: dict[str, float] | None = None,
    exclude_special: bool = False,
) -> dict[str, Any]:
    """Ray actors, each holding the model, take chunks of sentences; counts and rows are merged here.

    Starts a local Ray (`ray.init()`) unless one is running or `address` names a cluster; a Ray this
    call started is shut down before returning. `timings["startup"]`: seconds until every actor
    holds its model."""
    try:
        import ray
    except ImportError:
        raise ValueError("Ray is not installed: pip install ray==2.60.0 (or run without --workers).") from None
    if workers < 1:
        raise ValueError("--workers must be at least 1 for Ray.")
    t0 = time.perf_counter()
    started = start_ray(ray, workers, address, threads)
    try:
        actor = ray.remote(num_cpus=threads)(Worker)
        actors = [actor.remote(model_id, threads) for _ in range(workers)]
        # model loaded everywhere (a load error surfaces here). The ignore: ray types an actor's methods as plain
        # callables unless they are decorated with @ray.method (ray is optional here, so Worker's are not)
        ray.get([a.ready.remote() for a in actors])  # type: ignore[attr-defined]
        if timings is not None:
            timings["startup"] = time.perf_counter() - t0
        parts = run_chunks(
            ray, actors, split_chunks(items, chunk_size), (stats, conv_heads, batch_size, exclude_special), bar
        )
        return merge_chunks(parts, stats)
    finally:
        if started:
            ray.shutdown()
