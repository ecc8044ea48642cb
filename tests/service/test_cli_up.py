"""`mlchat up` with no settings: embedded Redis, migrations, workers, API and page; Ctrl-C or
closing the terminal stops all."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from service.embedded_redis import free_port


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            child = int(status.parent.name)
            found |= {child, *_descendants(child)}
    return found


@pytest.mark.integration
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGHUP], ids=["ctrl-c", "terminal-closed"])
def test_up_serves_and_a_stop_signal_stops_every_child(
    tmp_path: Path, stop: signal.Signals
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLCHAT_")}
    env.update(MLCHAT_HOME=str(tmp_path / "home"), MLCHAT_LOG_JSON="0")
    log = (tmp_path / "up.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "up", "--port", str(port), "--workers", "2"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        health: dict[str, object] = {}
        while time.monotonic() < deadline:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).json()
                if health.get("status") == "ok" and health["workers"]["count"] == 2:  # type: ignore[index]
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        assert health.get("status") == "ok", health
        assert health["database"] == {"ok": True, "backend": "sqlite"}
        assert (tmp_path / "home" / "mlchat.db").exists()
        children = _descendants(process.pid)
        assert len(children) >= 4  # redis-server, api, two workers

        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert page.status_code == 200 and "<title>mlchat</title>" in page.text

        process.send_signal(stop)
        assert process.wait(timeout=30) == 0
        time.sleep(0.2)
        assert not _listening(port)
        assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()
