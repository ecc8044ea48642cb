"""Ingest of a large CSV: an upload to mlchat against pyarrow's own CSV reader and Parquet writer.

A CSV of about `megabytes` MB (sales rows: integer, float, date, categorical and yes/no
columns, some values missing) is written to a temporary folder. Then, on the same file:

- mlchat: `POST /api/v1/datasets` to a running API (its upload limit raised by
  `MLCHAT_MAX_DATASET_MB`), timed until the 201 answer: the upload streamed over loopback,
  spooled, hashed, converted to Parquet and profiled. Peak memory is the API process's RSS
  high-water mark (`VmHWM`, reset just before the upload through `/proc/<pid>/clear_refs`).
- the baseline: `pyarrow.csv.read_csv` and `pyarrow.parquet.write_table` in a fresh Python
  process, timed inside it, its peak memory from `getrusage` (`ru_maxrss`).

"Added" memory is the peak less the process's RSS just before the work (the API idle after its
start; the baseline after importing pyarrow). The two take turns, `rounds` times each (the
dataset deleted after each upload, so each upload ingests the file anew). Linux only (it reads
/proc).

Run: `.venv/bin/python bench/ingest.py [--megabytes 200]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.embedded_redis import EmbeddedRedis
from tests.service.stack import Stack

CHUNK_ROWS = 250_000
STORES = [f"store_{i:03d}" for i in range(60)]
CATEGORIES = ["grocery", "toys", "garden", "books", "music", "sports", "beauty", "tools",
              "kitchen", "office", "pets", "clothing"]  # fmt: skip
REGIONS = ["north", "south", "east", "west", "central"]
CHANNELS = ["online", "shop", "phone"]

BASELINE = """
import json, resource, sys, time
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

def rss_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))

idle_kb = rss_kb()
started = time.perf_counter()
table = pa_csv.read_csv(sys.argv[1])
pq.write_table(table, sys.argv[2])
seconds = time.perf_counter() - started
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_kb": peak_kb, "idle_kb": idle_kb,
                  "rows": table.num_rows}))
"""


def _chunk(rng: np.random.Generator, first_id: int, rows: int) -> pa.Table:
    def choice(values: list[str]) -> pa.Array:
        return pa.array(np.asarray(values)[rng.integers(0, len(values), rows)])

    def with_missing(values: np.ndarray, share: float) -> pa.Array:
        return pa.array(values, mask=rng.random(rows) < share)

    days = rng.integers(0, 1_500, rows).astype("timedelta64[D]") + np.datetime64("2020-01-01")
    return pa.table({
        "order_id": pa.array(np.arange(first_id, first_id + rows)),
        "order_date": pa.array(days.astype("datetime64[D]"), pa.date32()),
        "store": choice(STORES),
        "category": choice(CATEGORIES),
        "region": choice(REGIONS),
        "channel": choice(CHANNELS),
        "quantity": pa.array(rng.integers(1, 21, rows)),
        "unit_price": pa.array(rng.lognormal(3, 0.8, rows).round(2)),
        "discount": with_missing(rng.uniform(0, 0.4, rows).round(3), 0.05),
        "rating": with_missing(rng.uniform(1, 5, rows).round(1), 0.1),
        "returned": choice(["yes", "no"]),
        "customer_age": pa.array(rng.integers(18, 91, rows)),
    })  # fmt: skip


def write_csv(path: Path, megabytes: float, seed: int = 0) -> int:
    """A sales CSV of about `megabytes` MB at `path`; returns its row count."""
    rng = np.random.default_rng(seed)
    target = megabytes * 1_000_000
    rows = 0
    options = pa_csv.WriteOptions(quoting_style="needed")
    with pa.OSFile(str(path), "wb") as sink:
        first = _chunk(rng, 0, 1)
        with pa_csv.CSVWriter(sink, first.schema, write_options=options) as writer:
            while sink.tell() < target:
                per_row = sink.tell() / rows if rows else 80.0
                size = int(min(CHUNK_ROWS, max(1_000, (target - sink.tell()) / per_row)))
                writer.write_table(_chunk(rng, rows, size))
                rows += size
    return rows


def _status_kb(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def baseline(csv: Path, folder: Path) -> dict[str, float]:
    """pyarrow's read_csv and write_table on `csv`, in a fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", BASELINE, str(csv), str(folder / "baseline.parquet")],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return dict(json.loads(out.stdout))


@contextmanager
def _api(folder: Path, megabytes: float) -> Iterator[Stack]:
    """A fresh mlchat API (no workers: an upload is ingested by the API) taking `megabytes`."""
    home = folder / "mlchat"
    home.mkdir()
    stack = Stack(home=home, redis=EmbeddedRedis(home / "redis", persist=False),
                  database_url=f"sqlite:///{home}/mlchat.db",
                  settings={"MLCHAT_MAX_DATASET_MB": str(int(2 * megabytes) + 10)})  # fmt: skip
    stack.start(n_workers=0)
    try:
        yield stack
    finally:
        stack.stop()


def upload(stack: Stack, csv: Path) -> dict[str, float]:
    """`csv` uploaded to `stack`'s API: seconds to the answer and the API's memory; the dataset
    is deleted after, so that the next upload ingests the file again."""
    assert stack.api is not None
    pid = stack.api.pid
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # the high-water mark, reset to now
    idle_kb = _status_kb(pid, "VmRSS")
    with httpx.Client(base_url=stack.base_url, timeout=1800) as http, csv.open("rb") as data:
        started = time.perf_counter()
        response = http.post(
            "/api/v1/datasets", files={"file": ("sales.csv", data, "text/csv")},
            data={"name": "sales"},
        )  # fmt: skip
        seconds = time.perf_counter() - started
        dataset = response.raise_for_status().json()
        peak_kb = _status_kb(pid, "VmHWM")
        http.delete(f"/api/v1/datasets/{dataset['id']}").raise_for_status()
    return {"seconds": seconds, "peak_kb": peak_kb, "idle_kb": idle_kb,
            "rows": dataset["row_count"]}  # fmt: skip


def run_ingest(megabytes: float = 200, rounds: int = 2) -> dict[str, float]:
    """Seconds and peak memory of mlchat's upload and of the pyarrow baseline (the two taking
    turns, `rounds` of each: the median time, the largest peak), and their ratios."""
    measured: dict[str, list[dict[str, float]]] = {"mlchat": [], "baseline": []}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        csv = folder / "sales.csv"
        rows = write_csv(csv, megabytes)
        size_mb = csv.stat().st_size / 1_000_000
        with _api(folder, megabytes) as stack:
            for _ in range(rounds):
                measured["baseline"].append(baseline(csv, folder))
                measured["mlchat"].append(upload(stack, csv))
    counted = {int(m["rows"]) for side in measured.values() for m in side}
    if counted != {rows}:
        raise RuntimeError(f"rows: {rows} written, {sorted(counted)} read")
    figures = {"csv_mb": size_mb, "rows": float(rows), "rounds": float(rounds)}
    for side, runs in measured.items():
        peak = max(runs, key=lambda m: m["peak_kb"])
        figures |= {
            f"{side}_s": statistics.median(m["seconds"] for m in runs),
            f"{side}_peak_mb": peak["peak_kb"] / 1024,
            f"{side}_added_mb": (peak["peak_kb"] - peak["idle_kb"]) / 1024,
        }
    figures["time_ratio"] = figures["mlchat_s"] / figures["baseline_s"]
    figures["memory_ratio"] = figures["mlchat_added_mb"] / figures["baseline_added_mb"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    figures = run_ingest(args.megabytes, args.rounds)
    print(f"{figures['csv_mb']:.0f} MB CSV, {figures['rows']:.0f} rows")
    for side in ("mlchat", "baseline"):
        print(f"{side}: {figures[f'{side}_s']:.1f} s, peak {figures[f'{side}_peak_mb']:.0f} MB "
              f"(+{figures[f'{side}_added_mb']:.0f} MB)")  # fmt: skip
    print(f"ratios: time {figures['time_ratio']:.2f}, added memory {figures['memory_ratio']:.2f}")


if __name__ == "__main__":
    main()
