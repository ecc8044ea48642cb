"""Held-out-style cases over other datasets and phrasings, checked by the evaluation rules."""

from __future__ import annotations

import pytest

from agents.evaluation import check_case
from agents.planner import PlannedAction, plan_message
from tests.agents.planner_cases import CASES
from tests.agents.planner_data import Profiles


def conversation(dataset: str, messages: list[str], profiles: Profiles) -> PlannedAction:
    """The plan of the last message, each message planned after the plan before it."""
    plan: PlannedAction | None = None
    for message in messages:
        plan = plan_message(message, profiles[dataset], {"name": dataset}, plan)
    assert plan is not None
    return plan


def test_there_are_at_least_forty_cases() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("name", list(CASES))
def test_case(name: str, profiles: Profiles) -> None:
    dataset, messages, expect = CASES[name]

    plan = conversation(dataset, messages, profiles)

    assert check_case(expect, plan.model_dump()) == [], plan.message
