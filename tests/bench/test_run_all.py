"""`make bench`'s orchestrator: a quick run writes its table into a README, and a benchmark that
fails, is missing or overruns gets a row saying so while the others run on."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.run_all import Benchmark, run_benchmark
from bench.table import END, START, markdown

ROOT = Path(__file__).resolve().parents[2]


def _outside_table(text: str) -> tuple[str, str]:
    before, rest = text.split(START, 1)
    return before, rest.split(END, 1)[1]


@pytest.mark.integration
def test_quick_run_replaces_the_readme_table_and_keeps_the_prose(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text((ROOT / "bench" / "README.md").read_text())
    original = readme.read_text()
    assert START in original and END in original

    done = subprocess.run(
        [sys.executable, "-m", "bench.run_all", "--quick", "--only", "ingest",
         "--readme", str(readme)],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr[-3000:]
    written = readme.read_text()
    assert _outside_table(written) == _outside_table(original)
    table = written.split(START, 1)[1].split(END, 1)[0]
    assert "Quick mode" in table and "cores" in table and "Load average" in table
    rows = [line for line in table.splitlines() if line.startswith("| ingest |")]
    assert len(rows) == 2, table
    assert "x the time" in rows[0] and "failed" not in table
    assert (ROOT / "bench" / "README.md").read_text() == original  # only the copy was written


def test_failed_missing_and_overrunning_benchmarks_say_why() -> None:
    failing = Benchmark("bad-json", "json", "loads", {}, {"s": "{"}, limit_s=120)
    missing = Benchmark("unwritten", "bench.not_written_yet", "run", {}, {}, limit_s=120)
    # Returns a process it started (not JSON) and leaves it running.
    stray = Benchmark("stray", "subprocess", "Popen", {}, {"args": ["sleep", "300"]}, 120)
    slow = Benchmark("slow", "subprocess", "run", {}, {"args": ["sleep", "300"]}, 120)

    outcomes = [run_benchmark(failing, quick=True), run_benchmark(missing, quick=True),
                run_benchmark(stray, quick=True)]  # fmt: skip
    started = time.monotonic()
    outcomes.append(run_benchmark(slow, quick=True, limit_s=3))
    assert time.monotonic() - started < 60

    failed, absent, strayed, overran = outcomes
    assert failed.status == "failed" and failed.error.startswith("JSONDecodeError")
    assert absent.status == "missing"
    assert strayed.status == "failed" and "not JSON" in strayed.error
    assert len(strayed.ended) == 1
    assert not _running(strayed.ended[0])
    assert overran.status == "failed" and overran.error == "stopped after its limit of 3 s"

    table = markdown([outcome.__dict__ for outcome in outcomes])
    assert "| bad-json | — | failed: JSONDecodeError:" in table
    assert "| unwritten | — | not run (bench/not_written_yet.py missing) |" in table
    assert "| slow | — | failed: stopped after its limit of 3 s |" in table


def _running(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
