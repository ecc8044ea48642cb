"""The empty chat's suggestions: about the dataset's own columns, and each one, sent as it is,
planned into what it says and accepted by the real validators."""

from __future__ import annotations

import pytest

from agents.planner import plan_message
from agents.starters import starters
from agents.validation import check_action
from ml_backend.datasets import SAMPLE_DATASETS
from ml_backend.schema import ColumnKind
from tests.agents.planner_data import Profiles

TABLES = [*SAMPLE_DATASETS, "customers", "housing", "churn", "house_sales", "sales"]


def _hint(name: str) -> str | None:
    sample = SAMPLE_DATASETS.get(name)
    return sample.target if sample is not None else None


@pytest.mark.parametrize("name", TABLES)
def test_each_suggestion_plans_what_it_says_on_the_dataset(name: str, profiles: Profiles) -> None:
    profile = profiles[name]
    suggested = starters(profile, _hint(name))

    actions = [s.action for s in suggested]
    assert actions[0] == "describe" and "explore" in actions
    assert {"train", "forecast"} & set(actions), actions
    for starter in suggested:
        plan = plan_message(starter.text, profile, {"name": name}, None)
        assert plan.action == starter.action, (starter.text, plan.message)
        assert plan.config is not None
        if plan.action != "describe":
            check_action(plan.action, plan.config, profile)
        named = [w.strip(",") for w in starter.text.split() if w.strip(",") in profile.column_names]
        planned = {*plan.config.get("columns", []), plan.config.get("target_column")}
        # The columns a suggestion names are the ones its plan uses.
        assert set(named) <= planned | {plan.config.get("time_column"),
                                        plan.config.get("parameters", {}).get("color")}  # fmt: skip


def test_the_target_suits_a_model_and_the_hint_wins(profiles: Profiles) -> None:
    churn = starters(profiles["churn"])
    train = next(s for s in churn if s.action == "train")
    # The outcome the table records (a yes/no column), not an id or a free-text note.
    assert "churned" in train.text and "stratified" in train.text
    house = next(s for s in starters(profiles["house_sales"]) if s.action == "train")
    assert "sale_price" in house.text and "stratified" not in house.text
    wine = next(s for s in starters(profiles["wine"], "cultivar") if s.action == "train")
    assert "cultivar" in wine.text


def test_different_datasets_get_different_suggestions(profiles: Profiles) -> None:
    penguins = [s.text for s in starters(profiles["penguins"], "species")]
    customers = [s.text for s in starters(profiles["customers"])]
    assert penguins[1:] and set(penguins[1:]).isdisjoint(customers)
    chart = next(s.text for s in starters(profiles["customers"]) if s.action == "explore")
    numeric = {c.name for c in profiles["customers"].columns if c.kind == ColumnKind.NUMERIC}
    assert sum(name in chart.split() for name in numeric) == 2, chart
