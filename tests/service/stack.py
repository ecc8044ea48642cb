"""A running mlchat for tests: embedded Redis, the API and real RQ workers as processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy.engine import make_url

from service.embedded_redis import EmbeddedRedis, free_port


@dataclass
class Stack:
    home: Path
    redis: EmbeddedRedis
    database_url: str
    port: int = field(default_factory=free_port)
    api: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)
    """MLCHAT_* (or other) variables this stack's processes get on top of the defaults."""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            MLCHAT_HOME=str(self.home),
            MLCHAT_REDIS_URL=self.redis.url,
            MLCHAT_DATABASE_URL=self.database_url,
            MLCHAT_PORT=str(self.port),
            MLCHAT_DEAD_AFTER_S="6",
            MLCHAT_HEARTBEAT_S="1",
            MLCHAT_LOG_JSON="0",
            MLCHAT_LOG_LEVEL="WARNING",
            MLCHAT_MAX_DATASET_MB="5",
        )
        env.update(self.settings)
        env.update(extra)
        return env

    def spawn(self, *args: str) -> subprocess.Popen[bytes]:
        with (self.home / f"{args[0]}-{uuid.uuid4().hex[:6]}.log").open("wb") as log:
            return subprocess.Popen(
                [sys.executable, "-m", "service.cli", *args],
                env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def start(self, n_workers: int = 2) -> None:
        self.redis.start()
        self.api = self.spawn("api")
        self.workers = [self.spawn("worker") for _ in range(n_workers)]
        self.wait_healthy(n_workers)

    def wait_healthy(self, n_workers: int, timeout_s: float = 600.0) -> dict[str, Any]:
        """Until the API answers /health with `n_workers` workers; the cap is for a start that
        never comes (a loaded machine takes minutes to import the ML libraries)."""
        deadline = time.monotonic() + timeout_s
        last: Any = None
        while time.monotonic() < deadline:
            if self.api is not None and self.api.poll() is not None:
                raise RuntimeError(f"the API exited: {self.logs()}")
            try:
                last = httpx.get(f"{self.base_url}/health", timeout=60).json()
                if last.get("workers", {}).get("count", 0) >= n_workers:
                    return dict(last)
            except httpx.HTTPError as exc:
                last = exc
            time.sleep(0.2)
        raise RuntimeError(f"mlchat did not become healthy: {last}\n{self.logs()}")

    def replace_dead_workers(self) -> None:
        alive = [w for w in self.workers if w.poll() is None]
        missing = len(self.workers) - len(alive)
        self.workers = alive + [self.spawn("worker") for _ in range(missing)]
        if missing:
            self.wait_healthy(len(self.workers))

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.home.glob("*.log"))

    def stop(self) -> None:
        processes = [p for p in [self.api, *self.workers] if p is not None]
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=60)  # a job finishing, on a busy machine
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.redis.stop()


@contextmanager
def running_stack(
    home: Path, postgres_url: str | None = None, n_workers: int = 2
) -> Iterator[Stack]:
    """A started stack on SQLite under `home`, or on a fresh database of `postgres_url`'s
    server; stopped, and that database dropped, when the block ends."""
    pg_name = None
    if postgres_url:
        database_url, pg_name = create_postgres_database(postgres_url)
    else:
        database_url = f"sqlite:///{home / 'mlchat.db'}"
    stack = Stack(home=home, redis=EmbeddedRedis(home / "redis", persist=False),
                  database_url=database_url)  # fmt: skip
    try:
        stack.start(n_workers=n_workers)
        yield stack
    finally:
        stack.stop()
        if pg_name and postgres_url:
            drop_postgres_database(postgres_url, pg_name)


def create_postgres_database(server_url: str) -> tuple[str, str]:
    """A fresh database on the server for one test session; returns (url, name)."""
    name = f"mlchat_test_{uuid.uuid4().hex[:10]}"
    url = make_url(server_url)
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False), name


def drop_postgres_database(server_url: str, name: str) -> None:
    conninfo = (
        make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
