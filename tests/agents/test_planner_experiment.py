"""A model filed under an experiment by name: the name is the experiment's, never a column."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from agents.builtin_model import BuiltinPlannerModel
from agents.context import DatasetContext, SchemaContext
from agents.loop import Agent
from agents.planner.experiment import find_experiment
from agents.planner.text import tokenize
from ml_backend.datasets import write_sample


@pytest.fixture(scope="module")
def agent() -> Agent:
    stored = write_sample("penguins", Path(tempfile.mkdtemp()))
    penguins = DatasetContext(id=1, name="penguins", profile=stored.profile)
    context = SchemaContext(datasets=[penguins], focus=penguins)
    return Agent(BuiltinPlannerModel(context=context), context, None)


@pytest.mark.parametrize(
    ("message", "experiment"),
    [
        ("train xgboost on species and put it in the penguin-study experiment", "penguin-study"),
        ("random forest for sex, experiment called field season", "field season"),
        ("entrena xgboost para species en el experimento pingus", "pingus"),
        # 'island' is a column, but here it names the experiment
        ("tune lightgbm on species, 10 trials, log it to experiment island", "island"),
    ],
)
async def test_a_named_experiment_is_in_the_plan(
    agent: Agent, message: str, experiment: str
) -> None:
    plan = await agent.plan([], message)
    assert plan.config is not None and plan.config["experiment"] == experiment
    assert f"joins the experiment '{experiment}'" in plan.message
    assert plan.config["target_column"] in {"species", "sex"}


@pytest.mark.parametrize(
    "message", ["run the experiment again", "compare the experiments", "train xgboost on species"]
)
def test_words_that_name_no_experiment(message: str) -> None:
    assert find_experiment(tokenize(message), message) is None
