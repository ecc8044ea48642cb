"""`mlchat up`: a private Redis (unless one is configured), the API and N workers.

Children run in sessions of their own so that Ctrl-C reaches only this process, which then
stops them in order: the API first, then the workers (each finishing or abandoning its
job, and saying so on the run), then Redis.

A child that dies is started again: a worker at once; the embedded redis-server on the same
port, from its append-only file, so the queued jobs, runs' events and workers' records are
still there; the API and the workers reconnect by themselves. Redis dying over and over (a
full disk, a broken file) is not hidden by restarts: past REDIS_RESTARTS in REDIS_RESTART_WINDOW_S
`mlchat up` stops with an error.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from types import FrameType

from service.db.migrate import upgrade
from service.embedded_redis import EmbeddedRedis
from service.settings import Settings

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 15.0
REDIS_RESTARTS = 5
REDIS_RESTART_WINDOW_S = 60.0


class Supervisor:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.redis: EmbeddedRedis | None = None
        self.api: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes]] = []
        self.stopping = False
        self.redis_restarts: list[float] = []

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["MLCHAT_HOME"] = str(self.settings.home_dir)
        env["MLCHAT_DATABASE_URL"] = self.settings.resolved_database_url
        env["MLCHAT_REDIS_URL"] = self.settings.redis_url or ""
        env["MLCHAT_HOST"] = self.settings.host
        env["MLCHAT_PORT"] = str(self.settings.port)
        return env

    def _spawn(self, *args: str) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "service.cli", *args]
        return subprocess.Popen(command, env=self._env(), start_new_session=True)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.info("stopping", extra={"signal": signal.Signals(signum).name})
        self.stopping = True

    def run(self) -> int:
        self.settings.ensure_dirs()
        # SIGHUP too: closing the terminal must not leave the children (each in a session of
        # its own) running without their supervisor.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._on_signal)
        try:
            if not self.settings.redis_url:
                self.redis = EmbeddedRedis(self.settings.home_dir / "redis")
                self.settings.redis_url = self.redis.start()
            upgrade(self.settings.resolved_database_url)
            self.workers = [self._spawn("worker") for _ in range(self.settings.workers)]
            self.api = self._spawn("api")
            url = f"http://{self.settings.host}:{self.settings.port}/"
            log.info("mlchat is up", extra={"url": url, "workers": self.settings.workers})
            if sys.stderr.isatty() and self._api_listening():
                # The JSON log is for machines; a person at a terminal wants the address.
                print(f"\n  mlchat is up: open {url} in a browser. Ctrl-C stops it.\n",
                      file=sys.stderr, flush=True)  # fmt: skip
            return self._watch()
        finally:
            self._stop_all()

    def _api_listening(self, timeout_s: float = 60.0) -> bool:
        """Whether the API accepts connections within `timeout_s` (False if it exits)."""
        host = "127.0.0.1" if self.settings.host in {"0.0.0.0", "::"} else self.settings.host
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and not self.stopping:
            if self.api is None or self.api.poll() is not None:
                return False
            try:
                socket.create_connection((host, self.settings.port), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.2)
        return False

    def _watch(self) -> int:
        while not self.stopping:
            time.sleep(0.3)
            if self.api is not None and self.api.poll() is not None:
                log.error("the API exited", extra={"code": self.api.returncode})
                return 1
            if self._redis_lost_for_good():
                return 1
            for index, worker in enumerate(self.workers):
                if worker.poll() is not None and not self.stopping:
                    log.warning(
                        "a worker exited; starting another", extra={"code": worker.returncode}
                    )
                    self.workers[index] = self._spawn("worker")
        return 0

    def _redis_lost_for_good(self) -> bool:
        """Start the embedded redis-server again if it died; True when it cannot be kept up."""
        if self.redis is None or self.redis.alive() or self.stopping:
            return False
        return not self._restart_redis(self.redis)

    def _restart_redis(self, embedded: EmbeddedRedis) -> bool:
        """Start the dead embedded redis-server again; False when it keeps dying."""
        code = embedded.process.returncode if embedded.process is not None else None
        now = time.monotonic()
        self.redis_restarts = [t for t in self.redis_restarts if now - t < REDIS_RESTART_WINDOW_S]
        if len(self.redis_restarts) >= REDIS_RESTARTS:
            log.error(
                "the embedded redis-server keeps exiting; stopping (see its log)",
                extra={"code": code, "log": str(embedded.log_file)},
            )
            return False
        self.redis_restarts.append(now)
        log.warning("the embedded redis-server exited; starting it again", extra={"code": code})
        try:
            embedded.start()
        except RuntimeError:
            log.exception("the embedded redis-server did not start again")
            return False
        log.warning("the embedded redis-server is back", extra={"url": embedded.url})
        return True

    def _stop_all(self) -> None:
        self.stopping = True
        children = [p for p in [self.api, *self.workers] if p is not None]
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        # RQ finishes the current job on the first SIGTERM and abandons it on the second;
        # a person pressing Ctrl-C wants out now, so idle workers get a moment, busy ones the
        # second signal (each then records its run as stopped by the shutdown).
        _wait_all(self.workers, 3.0)
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if self.redis is not None:
            self.redis.stop()


def _wait_all(processes: list[subprocess.Popen[bytes]], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and any(p.poll() is None for p in processes):
        time.sleep(0.05)
