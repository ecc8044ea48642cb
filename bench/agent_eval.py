"""The agent's evaluation: single requests and scripted conversations against a running mlchat.

Run (with `mlchat up` serving on the default port):

    .venv/bin/python bench/agent_eval.py [--url http://127.0.0.1:8000] [--set dev|test|public]
        [--failures]

`dev` is the development set (`bench/eval/dev_*.jsonl`): tune on it. `test` is the held-apart
set (`bench/eval/test_*.jsonl`): run it only to report, never to tune. `public` is
`../shared/eval/`. The seven evaluation tables (`bench/eval/tables.py`) are uploaded first if
the server lacks them. Prints the accuracy overall, by language and by action, with latency.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.eval.report import Report
from bench.eval.run import ensure_tables, load, run_cases, run_conversations

EVAL = Path(__file__).resolve().parent / "eval"
PUBLIC = Path(__file__).resolve().parents[2] / "shared" / "eval" / "plan_cases_public.jsonl"
SETS = {
    "dev": (sorted(EVAL.glob("dev_cases*.jsonl")), sorted(EVAL.glob("dev_conversations*.jsonl"))),
    "test": ([EVAL / "test_cases.jsonl"], [EVAL / "test_conversations.jsonl"]),
    "public": ([PUBLIC], []),
}


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
        cases = [case for path in case_files if path.exists() for case in load(path)]
        reports.append(run_cases(http, cases, f"{args.set} requests"))
        if not args.no_conversations:
            scripts = [c for path in conversation_files if path.exists() for c in load(path)]
            if scripts:
                reports.append(run_conversations(http, scripts, f"{args.set} conversation turns"))
    for report in reports:
        print("\n".join(report.lines(failures=args.failures)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
