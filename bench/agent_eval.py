"""The planner evaluation: every case of an eval file against a running mlchat server.

Run (with `mlchat up` serving on the default port):

    .venv/bin/python bench/agent_eval.py [--url http://127.0.0.1:8000] [--cases FILE]

Each case (see ../shared/eval/README.md) is sent to `POST /api/v1/agent/plan`; the plan is
checked against the case's expectations. Prints each failure, the accuracy and the median
latency (the server's answer time as this client sees it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.evaluation import check_case

DEFAULT_CASES = Path(__file__).resolve().parents[2] / "shared" / "eval" / "plan_cases_public.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    args = parser.parse_args()
    cases = [json.loads(line) for line in args.cases.read_text().splitlines() if line.strip()]
    passed, latencies = 0, []
    with httpx.Client(base_url=args.url, timeout=120) as http:
        for case in cases:
            started = time.perf_counter()
            response = http.post(
                "/api/v1/agent/plan",
                json={"dataset": {"name": case["dataset"]}, "message": case["message"]},
            )
            latencies.append(time.perf_counter() - started)
            plan = response.json() if response.status_code == 200 else {"action": "http-error"}
            problems = check_case(case["expect"], plan)
            if problems:
                print(f"FAIL {case['id']}: {case['message']!r}")
                for problem in problems:
                    print(f"     {problem}")
                print(f"     plan: {json.dumps(plan)[:400]}")
            else:
                passed += 1
    median_ms = 1000 * statistics.median(latencies)
    print(f"accuracy {passed}/{len(cases)} ({passed / len(cases):.0%}), "
          f"median latency {median_ms:.1f} ms")  # fmt: skip
    return 0 if passed == len(cases) else 1


if __name__ == "__main__":
    raise SystemExit(main())
