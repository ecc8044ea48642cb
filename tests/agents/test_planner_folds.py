"""Cross-validation in words: the folds said (digits, number words, five languages) become
`split.folds` of a training, tuning or leaderboard plan, echoed in its words; where nothing is
trained, or the count cannot be used, the plan says what it ignored."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from agents.planner import plan_message
from ml_backend.datasets.samples import write_sample
from ml_backend.schema import DatasetProfile


@pytest.fixture(scope="module")
def penguins() -> DatasetProfile:
    with tempfile.TemporaryDirectory() as folder:
        return write_sample("penguins", Path(folder)).profile


@pytest.mark.parametrize(
    ("message", "action", "folds"),
    [
        ("predict species with xgboost using 5-fold cross validation", "train", 5),
        ("compare all models for species with 10-fold cv", "leaderboard", 10),
        ("train a random forest on species, cross-validate it", "train", 5),
        ("tune lightgbm for body_mass_g with 3 folds", "tune", 3),
        ("predict species, ten-fold cross validation", "train", 10),
        ("predice species con xgboost con validación cruzada de 4 pliegues", "train", 4),
        ("entraîne un random forest pour species avec 5 plis", "train", 5),
        ("trainiere xgboost für species mit kreuzvalidierung", "train", 5),
        ("preveja species com xgboost com 3 dobras", "train", 3),
    ],
)
def test_folds_said_become_the_plans_cross_validation(
    penguins: DatasetProfile, message: str, action: str, folds: int
) -> None:
    plan = plan_message(message, penguins, {"name": "penguins"})
    assert plan.action == action, plan.message
    assert (plan.config or {}).get("split", {}).get("folds") == folds, plan.config
    assert "validation_size" not in (plan.config or {}).get("split", {})
    assert f"{folds}-fold cross-validation" in plan.message
    assert "ignored" not in plan.message and "did not use" not in plan.message


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ("predict species with 50-fold cv", "I did not use '50-fold cv': cross-validation takes"),
        ("histogram of body_mass_g with 5-fold cross validation",
         "I ignored '5-fold cross validation': cross-validation scores models"),
        ("predict species with a 20% validation part and 5-fold cv",
         "I did not use '5-fold cv': the validation part asked for already scores"),
    ],
)  # fmt: skip
def test_folds_that_cannot_be_used_are_named(
    penguins: DatasetProfile, message: str, words: str
) -> None:
    plan = plan_message(message, penguins, {"name": "penguins"})
    assert words in plan.message, plan.message
    assert "folds" not in (plan.config or {}).get("split", {})
