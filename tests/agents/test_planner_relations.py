"""Relations between columns set the axes; a metric asked for sets the task it belongs to."""

from __future__ import annotations

import itertools

import pytest

from agents.planner import plan_message
from tests.agents.planner_data import Profiles

NUMERIC = {"bill length": "bill_length_mm", "flipper length": "flipper_length_mm",
           "body mass": "body_mass_g", "bill depth": "bill_depth_mm"}  # fmt: skip
PAIRS = list(itertools.permutations(NUMERIC, 2))


@pytest.mark.parametrize(("y", "x"), PAIRS)
def test_y_as_a_function_of_x_puts_x_on_the_axis(profiles: Profiles, y: str, x: str) -> None:
    for relation in ("as a function of", "depending on"):
        plan = plan_message(f"{y} {relation} {x}", profiles["penguins"], {"name": "penguins"})
        assert plan.action == "explore", plan.message
        assert (plan.config or {})["columns"] == [NUMERIC[x], NUMERIC[y]]


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_a_against_b_keeps_the_order_said(profiles: Profiles, a: str, b: str) -> None:
    plan = plan_message(f"{a} against {b}", profiles["penguins"], {"name": "penguins"})
    assert (plan.config or {})["columns"] == [NUMERIC[a], NUMERIC[b]]


@pytest.mark.parametrize("metric", ["rmse", "mae", "r2"])
def test_a_regression_metric_makes_a_count_target_a_regression(
    profiles: Profiles, metric: str
) -> None:
    plain = plan_message("predict year with lightgbm", profiles["penguins"], {"name": "penguins"})
    asked = plan_message(f"predict year with lightgbm, minimise {metric}", profiles["penguins"],
                         {"name": "penguins"})  # fmt: skip
    assert (plain.config or {})["task_type"] == "classification"
    assert (asked.config or {})["task_type"] == "regression"


@pytest.mark.parametrize("noun", ["columns", "fields", "variables", "attributes"])
def test_a_question_about_the_tables_columns_describes_it(profiles: Profiles, noun: str) -> None:
    for asked in (f"what are the {noun}?", f"which {noun} are there", f"list the {noun}",
                  f"show me the {noun} of this table"):  # fmt: skip
        plan = plan_message(asked, profiles["penguins"], {"name": "penguins"})
        assert plan.action == "describe", asked
    plan = plan_message(f"show the body mass {noun[:-1]} as a histogram", profiles["penguins"],
                        {"name": "penguins"})  # fmt: skip
    assert plan.action == "explore"
