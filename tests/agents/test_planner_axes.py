"""Axes named in words place their columns, whatever order they were said in."""

from __future__ import annotations

import itertools
import random

from agents.planner import plan_message
from ml_backend.schema import ColumnKind, DatasetProfile

SAYINGS = [
    "scatter with {y} on the y axis and {x} on the x axis",
    "scatter plot, x axis: {x}, y axis: {y}",
    "plot {y} on the vertical y axis against {x} on the x axis",
    "scatter {y} vs {x}, {x} on the x axis",
    "scatter {x} and {y} with {y} on the y axis",
]


def test_each_axis_gets_the_column_said_for_it(eval_tables: dict[str, DatasetProfile]) -> None:
    rng = random.Random(5)
    for (name, profile), saying in itertools.product(eval_tables.items(), SAYINGS):
        numeric = [c.name for c in profile.columns if c.kind is ColumnKind.NUMERIC]
        x, y = rng.sample(numeric, 2)
        message = saying.format(x=x, y=y)
        plan = plan_message(message, profile, {"name": name})
        assert plan.config is not None, (message, plan.message)
        assert plan.config["columns"] == [x, y], message
