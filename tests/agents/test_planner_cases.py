"""Held-out-style cases over other datasets and phrasings, checked by the evaluation rules."""

from __future__ import annotations

import pytest

from agents.planner import PlannedAction, plan_message
from bench.evaluation import check_case
from tests.agents.planner_cases import CASES, VARIED_CASES
from tests.agents.planner_data import Profiles


def conversation(dataset: str, messages: list[str], profiles: Profiles) -> PlannedAction:
    """The plan of the last message, each message planned after the plan before it."""
    plan: PlannedAction | None = None
    for message in messages:
        plan = plan_message(message, profiles[dataset], {"name": dataset}, plan)
    assert plan is not None
    return plan


ALL_CASES = {**CASES, **VARIED_CASES}


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 40
    assert len(VARIED_CASES) >= 50
    assert not set(CASES) & set(VARIED_CASES)


@pytest.mark.parametrize("name", list(ALL_CASES))
def test_case(name: str, profiles: Profiles) -> None:
    dataset, messages, expect = ALL_CASES[name]

    plan = conversation(dataset, messages, profiles)

    assert check_case(expect, plan.model_dump()) == [], plan.message
