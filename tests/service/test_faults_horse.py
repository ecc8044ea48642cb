"""A forked child bound to its parent's life ends when the parent is killed: by the kernel's
parent-death signal on Linux, and by the watch used where there is none (macOS)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

FORK_AND_BIND = """
import os, sys, time
from service.horse import die_with_parent, watch_parent

parent = os.getpid()
if os.fork() == 0:
    how = die_with_parent(parent) if sys.argv[1] == "auto" else (watch_parent(parent), "watch")[1]
    print(os.getpid(), how, flush=True)
    time.sleep(600)
    os._exit(0)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize(("mode", "how"), [("auto", "parent-death signal"), ("watch", "watch")])
def test_a_bound_child_dies_with_its_killed_parent(mode: str, how: str) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", FORK_AND_BIND, mode], stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    ) as parent:  # fmt: skip
        try:
            assert parent.stdout is not None
            child_pid, bound_by = parent.stdout.readline().split(maxsplit=1)
            child = int(child_pid)
            assert bound_by.strip() == how and _alive(child)
            parent.send_signal(signal.SIGKILL)
            parent.wait()
            deadline = time.monotonic() + 60
            while _alive(child):
                assert time.monotonic() < deadline, "the child outlived its parent"
                time.sleep(0.05)
        finally:
            if parent.poll() is None:
                parent.kill()
