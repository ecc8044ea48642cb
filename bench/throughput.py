"""Job throughput: quick jobs through mlchat's API against no-op jobs through bare RQ, with 1, 2
and 4 workers on each side, on the same embedded Redis.

mlchat's side posts `jobs` explore jobs (`describe` on the iris sample, a job of milliseconds)
to POST /api/v1/ml/explore, one after another, and counts until every run's final event is on
its stream. Bare RQ's side enqueues as many `bench.noop.mark` jobs, worked by the same number
of plain RQ workers with the same libraries loaded before they fork (as `bench/dispatch.py`
does), and counts until each has written its entry. Each side is timed from its first submit
to its last job's end; the sides take turns at each worker count, after a few untimed jobs.

Run: `.venv/bin/python bench/throughput.py [--jobs 200] [--workers 1,2,4]`.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import redis
from rq import Queue, Worker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.dispatch import start_bare_worker
from bench.streams import count_entries, started_to_final_s, until_final
from tests.service.stack import Stack, running_stack

JOB = {"explorer": "describe", "dataset": {"name": "iris"}}
BARE_QUEUE = "bench-noop"


def _bare_workers(stack: Stack, client: redis.Redis, count: int) -> list[subprocess.Popen[bytes]]:
    """`count` plain RQ workers, once each has registered with Redis."""
    workers = [start_bare_worker(stack) for _ in range(count)]
    queue = Queue(BARE_QUEUE, connection=client)
    deadline = time.monotonic() + 600
    while len(Worker.all(queue=queue)) < count:
        if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
            raise RuntimeError("the bare RQ workers did not start")
        time.sleep(0.2)
    return workers


def _stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(timeout=120)


def _bare_round(client: redis.Redis, jobs: int, tag: str) -> float:
    """Seconds from the first enqueue until `jobs` no-op jobs have each written their entry."""
    queue = Queue(BARE_QUEUE, connection=client)
    stream = f"bench:throughput:{tag}"
    started = time.perf_counter()
    for _ in range(jobs):
        queue.enqueue("bench.noop.mark", stream)
    count_entries(client, stream, jobs)
    return time.perf_counter() - started


def _mlchat_round(http: httpx.Client, client: redis.Redis, jobs: int) -> tuple[float, float, int]:
    """Seconds from the first POST until every run's final event; the median seconds a job took
    in its work horse (`started` to final); how many did not finish."""
    started = time.perf_counter()
    run_ids = [
        http.post("/api/v1/ml/explore", json=JOB).raise_for_status().json()["run_id"]
        for _ in range(jobs)
    ]
    events = until_final(client, run_ids)
    seconds = time.perf_counter() - started
    not_finished = sum(1 for run in events.values() if run[-1]["type"] != "finished")
    in_job = statistics.median(started_to_final_s(run) for run in events.values())
    return seconds, in_job, not_finished


def _scale(stack: Stack, count: int) -> None:
    while len(stack.workers) < count:
        stack.workers.append(stack.spawn("worker"))
    stack.wait_healthy(count)


def run_throughput(jobs: int = 200, workers: Sequence[int] = (1, 2, 4)) -> dict[str, Any]:
    """Jobs a second through mlchat and through bare RQ for each worker count, and the ratio."""
    counts = sorted(set(workers))
    by_count: dict[str, dict[str, float]] = {}
    with (
        tempfile.TemporaryDirectory() as home,
        running_stack(Path(home), n_workers=counts[0]) as stack,
        httpx.Client(base_url=stack.base_url, timeout=120) as http,
    ):
        client = redis.Redis.from_url(stack.redis.url)
        for count in counts:
            bare_workers = _bare_workers(stack, client, count)
            try:
                _bare_round(client, 2 * count, f"warm-{count}")  # each worker's first forks
                bare_s = _bare_round(client, jobs, str(count))
            finally:
                _stop(bare_workers)
            _scale(stack, count)
            _mlchat_round(http, client, 2 * count)
            mlchat_s, in_job_s, not_finished = _mlchat_round(http, client, jobs)
            by_count[str(count)] = {
                "bare_jobs_s": jobs / bare_s,
                "mlchat_jobs_s": jobs / mlchat_s,
                "ratio": bare_s / mlchat_s,
                "job_ms": in_job_s * 1000,
                "not_finished": float(not_finished),
            }
    return {"jobs": jobs, "job": "explore describe on iris", "workers": by_count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    args = parser.parse_args()
    figures = run_throughput(args.jobs, [int(n) for n in args.workers.split(",")])
    for count, row in figures["workers"].items():
        print(
            f"{count} worker(s), {args.jobs} jobs: mlchat {row['mlchat_jobs_s']:.1f} jobs/s, "
            f"bare RQ {row['bare_jobs_s']:.1f} jobs/s, ratio {row['ratio']:.2f}; a job took "
            f"{row['job_ms']:.0f} ms from started to its end; "
            f"{row['not_finished']:.0f} did not finish"
        )


if __name__ == "__main__":
    main()
