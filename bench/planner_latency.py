"""Latency of the builtin planner: in this process, and as `POST /api/v1/agent/plan` serves it.

The messages are the development set's requests (`bench/eval/dev_cases_*.jsonl`, never the
test set), each about one of the evaluation tables (`bench/eval/tables.py`). In-process, each
is planned by `agents.planner.plan_message` against its table's profile; over HTTP, by a fresh
mlchat API (no workers: planning dispatches nothing) that has the tables uploaded. The two take
turns message by message, after one untimed message each (the intent classifier is fitted on
first use), so the machine's load falls on both alike. Prints p50 and p99 of each.

Run: `.venv/bin/python bench/planner_latency.py [--messages N]` (all 374 by default).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agents.planner import plan_message
from bench.eval.run import ensure_tables, load
from bench.eval.tables import profiles
from tests.service.stack import running_stack

EVAL = Path(__file__).resolve().parent / "eval"


def dev_messages(count: int | None = None) -> list[dict[str, Any]]:
    """The development set's requests; `count` of them spread evenly over the set (and so over
    its languages) when given."""
    cases = [case for path in sorted(EVAL.glob("dev_cases_*.jsonl")) for case in load(path)]
    if count is None or count >= len(cases):
        return cases
    step = len(cases) / count
    return [cases[int(i * step)] for i in range(count)]


def _percentiles(seconds: list[float]) -> tuple[float, float]:
    """p50 and p99 in milliseconds."""
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return statistics.median(seconds) * 1000, cuts[98] * 1000


def run_planner_latency(messages: int | None = None) -> dict[str, float]:
    """p50 and p99 of the planner in-process and over HTTP, and the ratio of the medians."""
    cases = dev_messages(messages)
    tables = profiles()
    inprocess: list[float] = []
    over_http: list[float] = []
    with (
        tempfile.TemporaryDirectory() as home,
        running_stack(Path(home), n_workers=0) as stack,
        httpx.Client(base_url=stack.base_url, timeout=120) as http,
    ):
        ensure_tables(http)
        for i, case in enumerate([cases[0], *cases]):
            started = time.perf_counter()
            plan_message(case["message"], tables[case["dataset"]], {"name": case["dataset"]})
            planned_s = time.perf_counter() - started
            body = {"dataset": {"name": case["dataset"]}, "message": case["message"]}
            started = time.perf_counter()
            http.post("/api/v1/agent/plan", json=body).raise_for_status()
            served_s = time.perf_counter() - started
            if i > 0:  # the first is the warm-up
                inprocess.append(planned_s)
                over_http.append(served_s)
    inprocess_p50, inprocess_p99 = _percentiles(inprocess)
    http_p50, http_p99 = _percentiles(over_http)
    return {
        "messages": float(len(cases)),
        "inprocess_p50_ms": inprocess_p50,
        "inprocess_p99_ms": inprocess_p99,
        "http_p50_ms": http_p50,
        "http_p99_ms": http_p99,
        "ratio": http_p50 / inprocess_p50,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=None)
    args = parser.parse_args()
    figures = run_planner_latency(args.messages)
    print(f"{figures['messages']:.0f} dev messages")
    print(f"in-process: p50 {figures['inprocess_p50_ms']:.1f} ms, "
          f"p99 {figures['inprocess_p99_ms']:.1f} ms")  # fmt: skip
    print(f"over HTTP:  p50 {figures['http_p50_ms']:.1f} ms, p99 {figures['http_p99_ms']:.1f} ms")


if __name__ == "__main__":
    main()
