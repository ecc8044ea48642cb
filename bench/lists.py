"""List and health requests per second against a Litestar hello-world on the same uvicorn.

A fresh mlchat (API, one RQ worker, embedded Redis, SQLite under a temporary MLCHAT_HOME) gets
`runs` finished runs written straight into its database, their results copied from real runs
of each kind (bench/lists_seed.json: a classifier, a regressor, a tuning, a chart, a
leaderboard, a forecast), and a conversation with messages for every fifth run. One asyncio
httpx client then keeps 16 requests in flight against each endpoint in turn, and against a
hello-world Litestar app served by `service.cli.serve` (mlchat's uvicorn settings) in a process
of its own, for `seconds` each after a warm-up.

Requests/s follow the machine's load, and hello-world's are mostly the client's own cost (httpx
spends several times the server's CPU on a request): on a shared machine the ratios drift.
Each figure therefore also has the CPU time the serving process spent per request (its threads
included; PostgreSQL's own server process not), which the load barely moves, and `cpu_ratio`,
hello-world's CPU per request over the endpoint's: the ratio a client that cost nothing would
see. The target is on the requests/s ratio, as a client sees it.

Run: `.venv/bin/python bench/lists.py [--runs 500] [--seconds 5] [--postgres URL]`.
Target: every list endpoint at least a quarter of hello-world's requests/s.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.db.engines import sync_engine, sync_session_factory
from service.db.models import ApiKey, Conversation, Dataset, Message, Run, RunStatus, SqlConnection
from service.db.result_summary import result_summary
from service.embedded_redis import EmbeddedRedis, free_port
from tests.service.stack import Stack, create_postgres_database, drop_postgres_database

ROOT = Path(__file__).resolve().parents[1]
CONCURRENCY = 16
WARM_UP_S = 1.0
TENANT = "default"
"""The local tenant a loopback request without a key acts for (MLCHAT_TENANT's default)."""
SEED = json.loads((Path(__file__).with_name("lists_seed.json")).read_text())

ENDPOINTS = {
    "runs": "/api/v1/runs",
    "jobs": "/api/v1/ml/train",
    "datasets": "/api/v1/datasets",
    "conversations": "/api/v1/conversations",
    "connections": "/api/v1/connections",
    "keys": "/api/v1/admin/keys",
    "health": "/health",
}
"""What is measured, by the name its figures carry; `hello` is the baseline."""


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    latencies_s: list[float]
    response_bytes: int
    cpu_s: float
    """CPU time the serving process spent while the requests were counted."""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu_s / self.requests

    def percentile_ms(self, share: float) -> float:
        ordered = sorted(self.latencies_s)
        return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def process_cpu_s(pid: int) -> float:
    """The CPU time (user and system, all threads) process `pid` has spent so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_idle(pid: int, timeout_s: float = 180.0) -> None:
    """Until process `pid` is nearly idle: the API trains the planner's models in a thread
    after it starts, and that CPU would be counted against the first endpoint measured."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        before = process_cpu_s(pid)
        time.sleep(0.5)
        if process_cpu_s(pid) - before < 0.05:
            return


async def _load(url: str, seconds: float, cpu: Callable[[], float]) -> Load:
    """`CONCURRENCY` requests in flight for `seconds`, after a warm-up; every answer must be 200.
    `cpu` reads the serving process's CPU time."""
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        latencies: list[float] = []
        sizes: list[int] = []

        async def keep_asking(until: float, record: bool) -> None:
            while (start := time.perf_counter()) < until:
                response = await client.get(url)
                if response.status_code != 200:
                    raise RuntimeError(f"GET {url} answered {response.status_code}: "
                                       f"{response.text[:300]}")  # fmt: skip
                if record:
                    latencies.append(time.perf_counter() - start)
                    sizes.append(len(response.content))

        warm = time.perf_counter() + WARM_UP_S
        await asyncio.gather(*(keep_asking(warm, False) for _ in range(CONCURRENCY)))
        cpu_before = cpu()
        began = time.perf_counter()
        await asyncio.gather(*(keep_asking(began + seconds, True) for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - began
        cpu_s = cpu() - cpu_before
    return Load(len(latencies), elapsed, latencies, int(statistics.median(sizes)), cpu_s)


def _seed(database_url: str, runs: int) -> None:
    """`runs` finished runs of the local tenant, newest last (each result with its summary,
    as a worker writes it), with conversations, keys and connections beside them."""
    engine = sync_engine(database_url)
    now = datetime.now(UTC)
    try:
        with sync_session_factory(engine)() as session:
            datasets = {d.name: d.id for d in session.query(Dataset).filter_by(tenant=TENANT)}
            for i in range(runs):
                sample = SEED[i % len(SEED)]
                created = now - timedelta(minutes=runs - i)
                failed = i % 17 == 0
                session.add(Run(
                    tenant=TENANT, kind=sample["kind"], job_id=uuid.uuid4().hex,
                    status=RunStatus.FAILED if failed else RunStatus.FINISHED,
                    dataset_id=datasets.get(sample["config"]["dataset"]["name"]),
                    config=sample["config"], resolved=sample["config"],
                    result=None if failed else sample["result"],
                    summary=None if failed else result_summary(sample["result"]),
                    error="the worker running this job stopped" if failed else None,
                    progress=1.0, created_at=created, started_at=created + timedelta(seconds=1),
                    finished_at=created + timedelta(seconds=20),
                ))  # fmt: skip
            for i in range(runs // 5):
                created = now - timedelta(minutes=runs - 5 * i)
                conversation = Conversation(
                    tenant=TENANT, title=f"Conversation {i}", created_at=created,
                    updated_at=created, last_plan={"action": "train", **SEED[0]["config"]},
                )  # fmt: skip
                session.add(conversation)
                session.flush()
                for turn in range(2):
                    session.add(
                        Message(
                            conversation_id=conversation.id,
                            role="user",
                            content="train xgboost on penguins",
                            created_at=created,
                        )
                    )
                    session.add(Message(conversation_id=conversation.id, role="assistant",
                                        content="Run finished.", created_at=created,
                                        parts=[{"type": "plot", "figure": SEED[3]["result"]
                                                ["figure"], "turn": turn}]))  # fmt: skip
            for i in range(20):
                session.add(
                    ApiKey(
                        tenant=TENANT,
                        scope="read",
                        name=f"key {i}",
                        prefix=f"bench{i:04d}",
                        secret_hash=uuid.uuid4().hex,
                    )
                )
                session.add(SqlConnection(tenant=TENANT, name=f"warehouse{i}",
                                          url=f"sqlite:////tmp/bench-{i}.db"))  # fmt: skip
            session.commit()
    finally:
        engine.dispose()


def _hello_server(port: int, home: Path) -> subprocess.Popen[bytes]:
    log = (home / "hello.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.hello", "--port", str(port)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={"PATH": "/usr/bin:/bin",
                                                             "MLCHAT_HOME": str(home / "hello")},
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
        if process.poll() is not None:
            break
    process.kill()
    raise RuntimeError(f"the hello-world server did not start: {(home / 'hello.log').read_text()}")


def run_lists(runs: int = 500, seconds: float = 5.0, *, postgres_url: str | None = None
              ) -> dict[str, float]:  # fmt: skip
    """Requests/s and latency of each list endpoint, /health and a hello-world app, measured
    one after another by the same client; `postgres_url` puts mlchat on a fresh database of
    that server instead of SQLite."""
    home = Path(tempfile.mkdtemp(prefix="mlchat-bench-lists-"))
    pg_name = None
    if postgres_url:
        database_url, pg_name = create_postgres_database(postgres_url)
    else:
        database_url = f"sqlite:///{home / 'mlchat.db'}"
    stack = Stack(home=home, redis=EmbeddedRedis(home / "redis", persist=False),
                  database_url=database_url, settings={"MLCHAT_LOG_LEVEL": "WARNING"})  # fmt: skip
    hello = None
    try:
        stack.start(n_workers=1)  # /health answers 200 only with a worker
        _seed(database_url, runs)
        hello_port = free_port()
        hello = _hello_server(hello_port, home)
        figures: dict[str, float] = {"runs": float(runs)}
        assert stack.api is not None
        _wait_idle(stack.api.pid)
        targets = {"hello": (f"http://127.0.0.1:{hello_port}/", hello.pid)}
        targets.update({name: (stack.base_url + path, stack.api.pid)
                        for name, path in ENDPOINTS.items()})  # fmt: skip
        for name, (url, pid) in targets.items():
            load = asyncio.run(_load(url, seconds, functools.partial(process_cpu_s, pid)))
            figures[f"{name}_rps"] = load.rps
            figures[f"{name}_p50_ms"] = load.percentile_ms(0.50)
            figures[f"{name}_p99_ms"] = load.percentile_ms(0.99)
            figures[f"{name}_bytes"] = float(load.response_bytes)
            figures[f"{name}_cpu_ms"] = load.cpu_ms_per_request
        for name in ENDPOINTS:
            figures[f"{name}_ratio"] = figures[f"{name}_rps"] / figures["hello_rps"]
            figures[f"{name}_cpu_ratio"] = figures["hello_cpu_ms"] / figures[f"{name}_cpu_ms"]
        return figures
    finally:
        if hello is not None:
            hello.terminate()
            hello.wait(timeout=60)
        stack.stop()
        if pg_name and postgres_url:
            drop_postgres_database(postgres_url, pg_name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--postgres", help="a PostgreSQL server URL to run mlchat against")
    args = parser.parse_args()
    figures = run_lists(args.runs, args.seconds, postgres_url=args.postgres)
    print(f"{figures['runs']:.0f} runs; {CONCURRENCY} requests in flight, "
          f"{args.seconds:g} s per endpoint\n")  # fmt: skip
    print(f"{'endpoint':<14} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'bytes':>9} {'vs hello':>9}"
          f" {'cpu ms':>7} {'cpu vs hello':>12}")  # fmt: skip
    for name in ["hello", *ENDPOINTS]:
        ratio = "" if name == "hello" else f"{figures[f'{name}_ratio']:.2f}"
        cpu_ratio = "" if name == "hello" else f"{figures[f'{name}_cpu_ratio']:.2f}"
        print(
            f"{name:<14} {figures[f'{name}_rps']:>8.0f} {figures[f'{name}_p50_ms']:>8.1f} "
            f"{figures[f'{name}_p99_ms']:>8.1f} {figures[f'{name}_bytes']:>9.0f} {ratio:>9} "
            f"{figures[f'{name}_cpu_ms']:>7.2f} {cpu_ratio:>12}"
        )


if __name__ == "__main__":
    main()
