"""Every benchmark in one run, written as one table into bench/README.md (`make bench`).

    .venv/bin/python -m bench.run_all                      # all of them, into bench/README.md
    .venv/bin/python -m bench.run_all --only fanout,lists  # a subset; prints the table
    .venv/bin/python -m bench.run_all --quick              # small sizes: a smoke test only
    .venv/bin/python -m bench.run_all --quick --only ingest --readme /tmp/README.md

Each benchmark runs in a Python process of its own, with its own temporary folder and
MLCHAT_HOME, under a time limit: one that fails or overruns gets a row saying why, and the rest
run on; processes it left behind are ended (found by a marker in their environment). A
benchmark whose module is not in this checkout gets a row saying so. A full run of every
benchmark writes bench/README.md; a subset or a quick run writes only where `--readme` says.
The machine's facts (cores, memory, load average, Python, date, commit) head the table.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from bench.table import markdown, splice

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "bench" / "README.md"
MARKER = "MLCHAT_BENCH_RUN"
"""Set in each benchmark's environment: whatever it starts carries it, so leftovers are found."""
QUICK_LIMIT_S = 300


@dataclass(frozen=True)
class Benchmark:
    name: str
    module: str
    function: str
    full: dict[str, Any]
    quick: dict[str, Any]
    limit_s: float
    """The most a full run may take here before it is stopped."""
    rough_minutes: float = 0.0
    """About how long a full run took on the 2-core development VM."""

    @property
    def file(self) -> str:
        return self.module.replace(".", "/") + ".py"


BENCHMARKS = [
    Benchmark("dispatch", "bench.dispatch", "run_dispatch",
              {"repeats": 30, "overhead": True}, {"repeats": 4, "overhead": False}, 2400, 4),
    Benchmark("throughput", "bench.throughput", "run_throughput",
              {"jobs": 200, "workers": [1, 2, 4]}, {"jobs": 10, "workers": [1, 2]}, 1200, 4),
    Benchmark("lists", "bench.lists", "run_lists",
              {"runs": 500, "seconds": 5.0}, {"runs": 50, "seconds": 1.0}, 900, 2),
    Benchmark("fanout", "bench.fanout", "run_fanout",
              {"clients": 1000, "events": 50}, {"clients": 50, "events": 5}, 900, 2),
    Benchmark("ingest", "bench.ingest", "run_ingest",
              {"megabytes": 200, "rounds": 2}, {"megabytes": 5, "rounds": 1}, 900, 2),
    Benchmark("planner", "bench.planner_latency", "run_planner_latency",
              {"messages": None}, {"messages": 20}, 900, 1),
    Benchmark("leaderboard", "bench.leaderboard_time", "run_leaderboard_time",
              {"rounds": 3}, {"rounds": 1, "algorithms": ["linear", "xgboost"]}, 900, 3),
    Benchmark("tuning", "bench.tuning_workers", "run_tuning_workers",
              {"trials": 40, "workers": [1, 3]}, {"trials": 6, "workers": [1, 3]}, 1500, 4),
]  # fmt: skip
BY_NAME = {b.name: b for b in BENCHMARKS}


@dataclass
class Outcome:
    """One benchmark's record, as the table reads it."""

    name: str
    status: str
    """ok, missing (its module is not in this checkout) or failed."""
    kwargs: dict[str, Any]
    file: str
    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0
    load: float = 0.0
    """The 1-minute load average when it started."""
    ended: list[int] = field(default_factory=list)
    """Processes it left running, ended after it."""


# --- in the benchmark's own process -------------------------------------------------------


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # Raised rather than dying at once, so the benchmark's `finally` stops what it started.
    raise SystemExit(128 + signum)


def run_child(name: str, quick: bool, out: Path, spec: Benchmark | None = None) -> int:
    """Run one benchmark here and write its record to `out`; exit status 0 unless it failed."""
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    benchmark = spec or BY_NAME[name]
    kwargs = benchmark.quick if quick else benchmark.full
    record: dict[str, Any] = {"status": "ok"}
    started = time.perf_counter()
    try:
        module = importlib.import_module(benchmark.module)
    except ModuleNotFoundError as error:
        if error.name != benchmark.module:
            raise
        record = {"status": "missing"}
    else:
        try:
            record["result"] = getattr(module, benchmark.function)(**kwargs)
        except Exception as error:
            traceback.print_exc()
            record = {"status": "failed", "error": _reason(error)}
    record["seconds"] = time.perf_counter() - started
    try:
        text = json.dumps(record)
    except (TypeError, ValueError) as error:
        text = json.dumps({"status": "failed", "error": f"its result is not JSON ({error})"})
    out.write_text(text)
    return 1 if record["status"] == "failed" else 0


def _reason(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}".strip().splitlines()
    first = text[0] if text else type(error).__name__
    return first if len(first) <= 240 else first[:239] + "…"


# --- in the orchestrating process -----------------------------------------------------------


def _marked_processes(token: str) -> list[int]:
    """Processes of this user whose environment carries `MARKER=token`."""
    wanted = f"{MARKER}={token}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            if wanted in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
    return found


def _end_leftovers(token: str, grace_s: float = 30.0) -> list[int]:
    """End what a benchmark left running (SIGTERM, then SIGKILL after `grace_s`); their ids."""
    left = _marked_processes(token)
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while (alive := _marked_processes(token)) and time.monotonic() < deadline:
        time.sleep(0.5)
    for pid in alive:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return left


def run_benchmark(benchmark: Benchmark, quick: bool, limit_s: float | None = None) -> Outcome:
    """One benchmark in a process of its own, with its own temporary folder and MLCHAT_HOME."""
    kwargs = benchmark.quick if quick else benchmark.full
    limit = limit_s if limit_s is not None else (QUICK_LIMIT_S if quick else benchmark.limit_s)
    outcome = Outcome(benchmark.name, "failed", kwargs, benchmark.file, load=os.getloadavg()[0])
    token = uuid.uuid4().hex
    with tempfile.TemporaryDirectory(prefix=f"mlchat-bench-{benchmark.name}-") as folder:
        out = Path(folder) / "record.json"
        env = dict(os.environ, TMPDIR=folder, MLCHAT_HOME=str(Path(folder) / "home"))
        env[MARKER] = token
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        command = [sys.executable, "-m", "bench.run_all", "--child", benchmark.name,
                   "--out", str(out), *(["--quick"] if quick else [])]  # fmt: skip
        if benchmark.name not in BY_NAME:  # a benchmark made up by a test: passed whole
            command += ["--spec", json.dumps(benchmark.__dict__)]
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, env=env)
        try:
            child.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=120)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            outcome.error = f"stopped after its limit of {limit:.0f} s"
        outcome.seconds = time.perf_counter() - started
        outcome.ended = _end_leftovers(token)
        if out.exists():
            record = json.loads(out.read_text())
            outcome.status = record["status"]
            outcome.result = record.get("result", {})
            outcome.error = record.get("error", outcome.error)
        elif not outcome.error:
            outcome.error = f"its process ended with status {child.returncode} and no result"
        if outcome.ended:
            print(f"[bench] {benchmark.name}: ended {len(outcome.ended)} process(es) it left "
                  "running", file=sys.stderr)  # fmt: skip
    return outcome


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def machine_facts() -> dict[str, Any]:
    """What the figures depend on: cores, memory, CPU, Python, the commit, the time."""
    memory_kb = 0
    cpu = platform.processor()
    with contextlib.suppress(OSError):
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        memory_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
        cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
        cpu = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")),
                   cpu)  # fmt: skip
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _git("rev-parse", "--short", "HEAD") or "unknown",
        "uncommitted": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "cores": os.cpu_count() or 0,
        "cpu": cpu or "unknown CPU",
        "memory_gib": memory_kb / 1024 / 1024,
        "load_start": os.getloadavg(),
    }


def header(facts: dict[str, Any], quick: bool, minutes: float) -> str:
    """The facts as the lines above the table."""
    commit = f"`{facts['commit']}`" + (" with uncommitted changes" if facts["uncommitted"] else "")
    start = " / ".join(f"{v:.2f}" for v in facts["load_start"])
    mode = ("**Quick mode** (small sizes: a smoke test, not figures to compare). " if quick
            else "")  # fmt: skip
    return (
        f"{mode}Run of {facts['date']} at commit {commit}, Python {facts['python']}, "
        f"{facts['system']}, {facts['cores']} cores ({facts['cpu']}), "
        f"{facts['memory_gib']:.0f} GiB of memory. Load average (1 / 5 / 15 min) {start} at the "
        f"start, {facts['load_end'][0]:.2f} at the end; the run took {minutes:.1f} min."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help=f"comma-separated, of: {', '.join(BY_NAME)}")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--readme", type=Path, help="the README to write the table into")
    parser.add_argument("--json", type=Path, help="also write every record here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        spec = Benchmark(**json.loads(args.spec)) if args.spec else None
        return run_child(args.child, args.quick, args.out, spec)
    names = [n.strip() for n in args.only.split(",")] if args.only else list(BY_NAME)
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BY_NAME)}")
    facts = machine_facts()
    started = time.perf_counter()
    outcomes = []
    for name in names:
        print(f"[bench] {name}{' (quick)' if args.quick else ''} ...", file=sys.stderr, flush=True)
        outcome = run_benchmark(BY_NAME[name], args.quick)
        why = f" ({outcome.error})" if outcome.error else ""
        print(f"[bench] {name}: {outcome.status} in {outcome.seconds:.0f} s{why}",
              file=sys.stderr, flush=True)  # fmt: skip
        outcomes.append(outcome)
    facts["load_end"] = os.getloadavg()
    records = [outcome.__dict__ for outcome in outcomes]
    block = header(facts, args.quick, (time.perf_counter() - started) / 60) + "\n\n"
    block += markdown(records)
    print(block)
    if args.json:
        args.json.write_text(json.dumps({"facts": facts, "records": records}, indent=2))
    readme = args.readme or (README if not args.quick and not args.only else None)
    if readme is not None:
        readme.write_text(splice(readme.read_text() if readme.exists() else "", block))
        print(f"[bench] table written to {readme}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
