"""Negation has scope: a column said to be left out is never a feature and never the target,
whichever way the exclusion is phrased and wherever it stands in the message."""

from __future__ import annotations

import itertools

import pytest

from agents.planner import plan_message
from tests.agents.planner_data import Profiles

COLUMNS = {"island": "island", "body mass": "body_mass_g", "year": "year", "sex": "sex",
           "flipper length": "flipper_length_mm"}  # fmt: skip
BEFORE = ["never use {x}, predict species", "without {x}, predict species",
          "don't use {x} and predict species", "I don't want {x}: predict species"]  # fmt: skip
AFTER = ["predict species without {x}", "predict species, never use {x}",
         "predict species and leave {x} aside", "predict species but I don't want {x} in there",
         "predict species, drop {x}", "predict species excluding {x}"]  # fmt: skip
ALGORITHMS = ["", " with lightgbm", " with a random forest"]


@pytest.mark.parametrize(
    ("template", "said", "algorithm"), list(itertools.product(BEFORE + AFTER, COLUMNS, ALGORITHMS))
)
def test_an_excluded_column_is_left_out(
    profiles: Profiles, template: str, said: str, algorithm: str
) -> None:
    plan = plan_message(template.format(x=said) + algorithm, profiles["penguins"],
                        {"name": "penguins"})  # fmt: skip
    config = plan.config or {}
    assert plan.action == "train", plan.message
    assert config["target_column"] == "species"
    features = config.get("feature_columns")
    assert isinstance(features, list) and COLUMNS[said] not in features and features


ONLY = ["predict species from {x} alone", "predict species solely from {x}",
        "classify species; the single input is {x}", "predict species, the only feature is {x}",
        "predict species using only {x}", "predict species with {x} as the only input"]  # fmt: skip


@pytest.mark.parametrize(("template", "said"), list(itertools.product(ONLY, COLUMNS)))
def test_a_column_said_to_be_the_only_input_is_the_only_feature(
    profiles: Profiles, template: str, said: str
) -> None:
    plan = plan_message(template.format(x=said), profiles["penguins"], {"name": "penguins"})
    config = plan.config or {}
    assert plan.action == "train", plan.message
    assert (config["target_column"], config.get("feature_columns")) == ("species", [COLUMNS[said]])
