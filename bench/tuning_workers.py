"""Tuning wall time on 1 and on 3 workers: the same study, trials shared across workers.

Run: `.venv/bin/python bench/tuning_workers.py [--trials 40] [--workers 1 3]` (a few minutes).

For each worker count a stack of its own starts (embedded Redis, the API, N `mlchat worker`
processes, a temporary MLCHAT_HOME, SQLite), warms every worker up with a short tuning, then
times one tuning from `POST /api/v1/ml/tune` to its final event: the same dataset, algorithm,
search space, seed and trial count each time. Every job is held to one CPU core
(MLCHAT_LIMIT_CPU_CORES=1, and the forest's own `n_jobs=1`), so a speed-up comes from trials
running side by side on several workers, never from one fit taking more threads. The result
is the wall time per worker count and the speed-up of each against the first; it cannot pass
the number of cores the machine has (a 2-core machine gives 3 workers 2 cores).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.embedded_redis import EmbeddedRedis
from tests.service.helpers import wait_for
from tests.service.stack import Stack

STUDY = {
    "algorithm": "random_forest", "dataset": {"name": "breast_cancer"},
    "target_column": "diagnosis", "split": {"random_state": 7},
    # The number of trees fixed: the trials' cost then varies little with what is sampled.
    "hyperparameters": {"n_jobs": 1, "n_estimators": 300},
}  # fmt: skip
ONE_CORE = {"MLCHAT_LIMIT_CPU_CORES": "1", "MLCHAT_LIMIT_CONCURRENT_JOBS": "16"}


def _tune(client: httpx.Client, trials: int) -> dict[str, Any]:
    """Tune until the run ends; the finished job, with its wall time from the request."""
    started = time.perf_counter()
    accepted = client.post("/api/v1/ml/tune", json={**STUDY, "n_trials": trials})
    accepted.raise_for_status()
    job = wait_for(client, "tune", accepted.json()["job_id"], {"finished", "failed", "cancelled"})
    if job["status"] != "finished":
        raise RuntimeError(f"the tuning ended {job['status']}: {job.get('error')}")
    return {**job, "wall_s": time.perf_counter() - started}


def _time_tuning(n_workers: int, trials: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="mlchat-bench-tune-") as folder:
        home = Path(folder)
        stack = Stack(
            home=home,
            redis=EmbeddedRedis(home / "redis", persist=False),
            database_url=f"sqlite:///{home / 'mlchat.db'}",
            settings=dict(ONE_CORE),
        )
        try:
            stack.start(n_workers=n_workers)
            with httpx.Client(base_url=stack.base_url, timeout=60) as client:
                _tune(client, max(2, n_workers))  # every worker forks and fits once
                return _tune(client, trials)
        finally:
            stack.stop()


def run_tuning_workers(trials: int = 40, workers: tuple[int, ...] = (1, 3)) -> dict[str, float]:
    """Wall time of the same `trials`-trial tuning on each number of `workers`, and the
    speed-up of each against the first: `workers_{n}_s`, `speedup_{n}`, with `trials`,
    `cpu_cores` (of this machine) and `workers_{n}_helped` (trials not run by the tuning's
    own job) beside them."""
    figures: dict[str, float] = {"trials": float(trials), "cpu_cores": float(os.cpu_count() or 1)}
    for n_workers in workers:
        job = _time_tuning(n_workers, trials)
        ran = job["result"]["trials"]
        if len(ran) != trials:
            raise RuntimeError(f"{n_workers} workers ran {len(ran)} trials, not {trials}")
        own = ran[0]["worker"] if ran else None
        figures[f"workers_{n_workers}_s"] = float(job["wall_s"])
        figures[f"workers_{n_workers}_helped"] = float(sum(t["worker"] != own for t in ran))
    base = workers[0]
    for n_workers in workers[1:]:
        speedup = figures[f"workers_{base}_s"] / figures[f"workers_{n_workers}_s"]
        figures[f"speedup_{n_workers}"] = speedup
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 3])
    args = parser.parse_args()
    figures = run_tuning_workers(args.trials, tuple(args.workers))
    print(f"{args.trials} trials of random_forest on breast_cancer, one core a job, "
          f"{figures['cpu_cores']:.0f} CPU cores")  # fmt: skip
    for n_workers in args.workers:
        line = f"{n_workers} worker(s): {figures[f'workers_{n_workers}_s']:.1f} s"
        line += f", {figures[f'workers_{n_workers}_helped']:.0f} trials run by helpers"
        if f"speedup_{n_workers}" in figures:
            line += f", speed-up {figures[f'speedup_{n_workers}']:.2f}x"
        print(line)


if __name__ == "__main__":
    main()
