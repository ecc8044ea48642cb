"""The benchmarks' results as one Markdown table, and that table spliced into bench/README.md.

Each benchmark's figures (the dict its `run_*` function returns) become one or more rows:
benchmark, what is measured, mlchat's figure, the baseline's, their ratio, the target. A
benchmark that did not run says why in its row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

START = "<!-- bench:table:start -->"
END = "<!-- bench:table:end -->"
HEADER = ("benchmark", "measure", "mlchat", "baseline", "ratio", "target", "load")

Row = tuple[str, str, str, str, str, str]
Figures = Mapping[str, Any]


def _verdict(met: bool) -> str:
    return "met" if met else "**missed**"


def _plural(count: float, word: str) -> str:
    return f"{count:.0f} {word}" + ("" if count == 1 else "s")


def dispatch_rows(r: Figures, kwargs: Figures) -> list[Row]:
    rows: list[Row] = [(
        "dispatch", f"`POST /ml/train` to its `started` event, median (quartiles) of "
        f"{r['repeats']:.0f}",
        f"{r['mlchat_ms']:.1f} ms ({r['mlchat_q1_ms']:.1f}-{r['mlchat_q3_ms']:.1f})",
        f"bare RQ {r['bare_ms']:.1f} ms ({r['bare_q1_ms']:.1f}-{r['bare_q3_ms']:.1f})",
        f"{r['ratio']:.2f}x the time", f"≤ 2x — {_verdict(r['ratio'] <= 2.0)}",
    )]  # fmt: skip
    if "overhead_pct" in r:
        rows.append((
            "dispatch", "a ~5 s xgboost fit in a worker job against called directly, median of 5",
            f"{r['in_worker_s']:.2f} s", f"{r['direct_s']:.2f} s",
            f"{r['in_worker_s'] / r['direct_s']:.2f}x ({r['overhead_pct']:+.1f}%)",
            f"< +10% — {_verdict(r['overhead_pct'] < 10)}",
        ))  # fmt: skip
    return rows


def throughput_rows(r: Figures, kwargs: Figures) -> list[Row]:
    rows: list[Row] = []
    for count, row in r["workers"].items():
        late = f"; {row['not_finished']:.0f} did not finish" if row["not_finished"] else ""
        rows.append((
            "throughput", f"{r['jobs']} jobs, {_plural(int(count), 'worker')}",
            f"{row['mlchat_jobs_s']:.1f} jobs/s (explore `describe` on iris, "
            f"{row['job_ms']:.0f} ms each in its work horse{late})",
            f"bare RQ {row['bare_jobs_s']:.1f} jobs/s (no-op)",
            f"{row['ratio']:.2f}x the rate", "",
        ))  # fmt: skip
    return rows


def lists_rows(r: Figures, kwargs: Figures) -> list[Row]:
    hello = r["hello_rps"]
    baseline = f"Litestar hello-world {hello:.0f} req/s"
    runs = kwargs.get("runs", "?")
    quarter = "≥ 0.25x"

    def share(rps: float) -> str:
        return f"{rps / hello:.2f}x the rate"

    return [
        ("lists", f"`GET /api/v1/runs` ({runs} runs)",
         f"{r['runs_rps']:.0f} req/s (p50 {r['runs_p50_ms']:.0f} ms, "
         f"p99 {r['runs_p99_ms']:.0f} ms)",
         baseline, share(r["runs_rps"]), f"{quarter} — {_verdict(r['runs_rps'] >= hello / 4)}"),
        ("lists", "`GET /api/v1/datasets`", f"{r['datasets_rps']:.0f} req/s", baseline,
         share(r["datasets_rps"]), f"{quarter} — {_verdict(r['datasets_rps'] >= hello / 4)}"),
        ("lists", "`GET /health`", f"{r['health_rps']:.0f} req/s", baseline,
         share(r["health_rps"]), ""),
    ]  # fmt: skip


def fanout_rows(r: Figures, kwargs: Figures) -> list[Row]:
    clients, lost = r["clients"], r["lost"]
    if lost:
        verdict = "**missed**"
    else:
        verdict = "met" if clients >= 1000 else "0 lost; not run at 1,000 clients"
    return [(
        "fanout", f"{clients} clients on `/ws/feed`, {r['events']} events",
        f"{lost} lost; event to client p50 {r['p50_ms']:.0f} ms, p99 {r['p99_ms']:.0f} ms",
        "—", "—", f"1,000 clients, 0 lost — {verdict}",
    )]  # fmt: skip


def ingest_rows(r: Figures, kwargs: Figures) -> list[Row]:
    return [
        ("ingest", f"{r['csv_mb']:.0f} MB CSV ({r['rows']:,.0f} rows) to Parquet: time",
         f"{r['mlchat_s']:.1f} s (`POST /api/v1/datasets`)",
         f"{r['baseline_s']:.1f} s (`pyarrow.csv.read_csv` + `pq.write_table`)",
         f"{r['time_ratio']:.2f}x the time", ""),
        ("ingest", "peak memory (RSS; added over the idle process)",
         f"{r['mlchat_peak_mb']:.0f} MB (+{r['mlchat_added_mb']:.0f} MB)",
         f"{r['baseline_peak_mb']:.0f} MB (+{r['baseline_added_mb']:.0f} MB)",
         f"{r['memory_ratio']:.2f}x the added memory", ""),
    ]  # fmt: skip


def planner_rows(r: Figures, kwargs: Figures) -> list[Row]:
    return [(
        "planner", f"builtin planner, {r['messages']:.0f} dev-set messages, p50 / p99",
        f"{r['http_p50_ms']:.1f} / {r['http_p99_ms']:.1f} ms (`POST /api/v1/agent/plan`)",
        f"{r['inprocess_p50_ms']:.1f} / {r['inprocess_p99_ms']:.1f} ms (in-process)",
        f"{r['ratio']:.1f}x the median", "",
    )]  # fmt: skip


def leaderboard_rows(r: Figures, kwargs: Figures) -> list[Row]:
    names = ", ".join(r["algorithms"])
    raw = f"{r['raw_fits_s']:.1f} s (sum of the raw library fits)"
    return [
        ("leaderboard", f"{names} on {r['dataset']}: `POST` to the final event",
         f"{r['leaderboard_s']:.1f} s (of which the fits {r['entry_fits_s']:.1f} s)", raw,
         f"{r['ratio']:.1f}x the time", ""),
        ("leaderboard", "the same, in the worker (`started` to `finished`)",
         f"{r['in_worker_s']:.1f} s", raw, f"{r['in_worker_ratio']:.1f}x the time", ""),
    ]  # fmt: skip


_WORKER_KEY = re.compile(
    r"^(?:wall_s_|wall_|workers_|seconds_)?(\d+)(?:_workers?)?(?:_wall)?(?:_s)?$"
)


def _worker_seconds(r: Figures) -> dict[int, float]:
    """Wall seconds by worker count, from `{"wall_s": {"1": 80.0, "3": 30.0}}` or flat keys
    such as `wall_s_1` or `workers_3_s`."""
    for value in r.values():
        if (isinstance(value, Mapping) and value and all(str(k).isdigit() for k in value)
                and all(isinstance(v, int | float) for v in value.values())):  # fmt: skip
            return {int(k): float(v) for k, v in value.items()}
    found = {}
    for key, value in r.items():
        match = _WORKER_KEY.match(str(key))
        if match and isinstance(value, int | float):
            found[int(match[1])] = float(value)
    return found


def tuning_rows(r: Figures, kwargs: Figures) -> list[Row]:
    seconds = _worker_seconds(r)
    speedup = next((v for k, v in r.items() if "speed" in k and isinstance(v, int | float)), None)
    if len(seconds) < 2:
        return generic_rows("tuning", r)
    fewest, most = min(seconds), max(seconds)
    speedup = speedup if speedup is not None else seconds[fewest] / seconds[most]
    trials = r.get("trials", kwargs.get("trials", "?"))
    return [(
        "tuning", f"{trials} trials, one study on {fewest} vs {most} workers",
        f"{seconds[most]:.1f} s on {_plural(most, 'worker')}",
        f"{seconds[fewest]:.1f} s on {_plural(fewest, 'worker')}",
        f"{speedup:.2f}x faster", f"≥ 2x — {_verdict(speedup >= 2)}",
    )]  # fmt: skip


def generic_rows(name: str, r: Figures) -> list[Row]:
    """Any figures, as `key value` pairs, for results of a shape this file does not know."""
    shown = "; ".join(f"{k} {_plain(v)}" for k, v in r.items())
    return [(name, "figures", shown, "", "", "")]


def _plain(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_plain(v)}" for k, v in value.items()) + "}"
    return str(value)


ROWS: dict[str, Callable[[Figures, Figures], list[Row]]] = {
    "dispatch": dispatch_rows,
    "throughput": throughput_rows,
    "lists": lists_rows,
    "fanout": fanout_rows,
    "ingest": ingest_rows,
    "planner": planner_rows,
    "leaderboard": leaderboard_rows,
    "tuning": tuning_rows,
}


def rows_of(record: Figures) -> list[Row]:
    """The rows of one benchmark's record (`name`, `status`, `result` or `error`, `file`)."""
    name = str(record["name"])
    status = record["status"]
    if status == "missing":
        return [(name, "—", f"not run ({record['file']} missing)", "", "", "")]
    if status != "ok":
        return [(name, "—", f"failed: {record.get('error', 'no reason given')}", "", "", "")]
    make = ROWS.get(name)
    try:
        return make(record["result"], record.get("kwargs", {})) if make else []
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        # A result of another shape than expected is still shown, if less tidily.
        return generic_rows(name, record["result"])


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(records: Sequence[Figures]) -> str:
    """The table of every record's rows, with the load average when each benchmark started."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + " --- |" * len(HEADER)]
    for record in records:
        load = f"{record['load']:.1f}" if "load" in record else ""
        for row in rows_of(record):
            lines.append("| " + " | ".join(_cell(c) for c in (*row, load)) + " |")
    return "\n".join(lines)


def splice(readme: str, block: str) -> str:
    """`readme` with the text between the table's markers replaced by `block`; without the
    markers, a section holding them is added at the end."""
    fenced = f"{START}\n{block.strip()}\n{END}"
    if START in readme and END in readme and readme.index(START) < readme.index(END):
        before, rest = readme.split(START, 1)
        _, after = rest.split(END, 1)
        return before + fenced + after
    return readme.rstrip("\n") + "\n\n## `make bench`: every benchmark\n\n" + fenced + "\n"
