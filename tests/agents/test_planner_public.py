"""The fifteen public planner cases, checked by the evaluation rules, with the score printed."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

import pytest

from agents.planner import plan_message
from bench.evaluation import check_case
from tests.agents.planner_data import Profiles

CASES = [
    json.loads(line)
    for line in (Path(__file__).parent / "plan_cases_public.jsonl").read_text().splitlines()
    if line.strip()
]


def _plan(case: dict[str, Any], profiles: Profiles) -> dict[str, Any]:
    dataset = case["dataset"]
    return plan_message(case["message"], profiles[dataset], {"name": dataset}).model_dump()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_public_case(case: dict[str, Any], profiles: Profiles) -> None:
    assert check_case(case["expect"], _plan(case, profiles)) == []


def test_public_score_and_latency(profiles: Profiles, capsys: pytest.CaptureFixture[str]) -> None:
    for case in CASES:  # warm the caches (registries, column indexes) first
        _plan(case, profiles)
    passed, seconds = 0, []
    for case in CASES:
        start = time.perf_counter()
        plan = _plan(case, profiles)
        seconds.append(time.perf_counter() - start)
        passed += not check_case(case["expect"], plan)
    with capsys.disabled():
        print(
            f"\nplanner public score: {passed}/{len(CASES)}; "
            f"median latency {statistics.median(seconds) * 1000:.2f} ms, "
            f"max {max(seconds) * 1000:.2f} ms"
        )
    assert passed >= 14
