"""The agent's evaluation: single requests and scripted conversations against a running mlchat.

Run (with `mlchat up` serving on the default port):

    .venv/bin/python bench/agent_eval.py [--url http://127.0.0.1:8000]
        [--set dev|test|public|fresh|fresh2|fresh3] [--failures]

`dev` is the development set (`bench/eval/dev_*.jsonl`): tune on it. `test` is the held-apart
set (`bench/eval/test_*.jsonl`): run it only to report, never to tune. `public` is
`../shared/eval/`. The seven evaluation tables (`bench/eval/tables.py`) are uploaded first if
the server lacks them. Prints the accuracy overall, by language and by action, with latency.

`probe_results` is the probe of questions about results (`bench/eval/probe_results.jsonl`,
on the tables of `bench/eval/probe_tables.py` and the penguins sample): scripted
conversations that train, tune, rank, fail and cancel runs and ask about them. Besides every
turn it scores the questions about results alone, in its tuning half, its held-out half and
a fresh held-out part written after the tuning (see bench/README.md).

`fresh` and `fresh2` are independent sets written apart from the planner, each on tables of its
own (`bench/eval/fresh_tables.py`, `bench/eval/fresh2_tables.py`), uploaded first if missing.

`fresh3` is a third independent set (`bench/eval/fresh3_*.jsonl`, on the tables of
`bench/eval/fresh3_tables.py`), written without reading the planner. It is held out: run it
only to report, never to tune the planner on it (and do not read its cases while tuning).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.eval.fresh2_tables import write_fresh2_csvs
from bench.eval.fresh3_tables import write_fresh3_csvs
from bench.eval.fresh_tables import write_fresh_csvs
from bench.eval.probe_tables import write_probe_csvs
from bench.eval.report import Outcome, Report
from bench.eval.run import ensure_tables, load, run_cases, run_conversations

EVAL = Path(__file__).resolve().parent / "eval"
PUBLIC = Path(__file__).resolve().parents[2] / "shared" / "eval" / "plan_cases_public.jsonl"
SETS = {
    "dev": (sorted(EVAL.glob("dev_cases*.jsonl")), sorted(EVAL.glob("dev_conversations*.jsonl"))),
    "test": ([EVAL / "test_cases.jsonl"], [EVAL / "test_conversations.jsonl"]),
    "public": ([PUBLIC], []),
    "probe_results": ([], [EVAL / "probe_results.jsonl"]),
    "fresh": ([EVAL / "fresh_cases.jsonl"], [EVAL / "fresh_conversations.jsonl"]),
    "fresh2": ([EVAL / "fresh2_cases.jsonl"], [EVAL / "fresh2_conversations.jsonl"]),
    "fresh3": ([EVAL / "fresh3_cases.jsonl"], [EVAL / "fresh3_conversations.jsonl"]),
}
RESULT_ACTIONS = {"explain_run", "compare_runs", "job_status"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--set", choices=sorted(SETS), default="dev")
    parser.add_argument("--failures", action="store_true", help="print every failed case")
    parser.add_argument("--no-conversations", action="store_true")
    args = parser.parse_args()
    case_files, conversation_files = SETS[args.set]
    reports: list[Report] = []
    with httpx.Client(base_url=args.url, timeout=300) as http:
        ensure_tables(http)
        if args.set == "probe_results":
            ensure_tables(http, write_probe_csvs)
        if args.set == "fresh":
            ensure_tables(http, write_fresh_csvs)
        if args.set == "fresh2":
            ensure_tables(http, write_fresh2_csvs)
        if args.set == "fresh3":
            ensure_tables(http, write_fresh3_csvs)
        cases = [case for path in case_files if path.exists() for case in load(path)]
        if cases:
            reports.append(run_cases(http, cases, f"{args.set} requests"))
        if not args.no_conversations:
            scripts = [c for path in conversation_files if path.exists() for c in load(path)]
            if scripts:
                reports.append(run_conversations(http, scripts, f"{args.set} conversation turns"))
            if scripts and args.set == "probe_results":
                reports += question_reports(scripts, reports[-1])
    for report in reports:
        print("\n".join(report.lines(failures=args.failures)))
    return 0


def question_reports(scripts: list[dict[str, Any]], turns: Report) -> list[Report]:
    """The questions about results among a probe's turns, in each half of the probe."""
    halves = {script["id"]: script.get("half", "") for script in scripts}
    asked = {
        f"{script['id']}#{number}"
        for script in scripts
        for number, turn in enumerate(script["turns"], start=1)
        if _expected(turn.get("expect") or {}) & RESULT_ACTIONS
    }
    reports = []
    parts = (("tune", "tuning half"), ("held", "held-out half"), ("fresh", "fresh held-out part"))
    for half, title in parts:
        outcomes: list[Outcome] = [
            o for o in turns.outcomes
            if o.case_id in asked and halves[o.case_id.split("#")[0]] == half
        ]  # fmt: skip
        reports.append(Report(f"probe questions about results, {title}", outcomes))
    return reports


def _expected(expect: dict[str, Any]) -> set[str]:
    return {str(a) for a in [expect.get("action"), *(expect.get("action_in") or [])] if a}


if __name__ == "__main__":
    raise SystemExit(main())
