"""The dataset a message is about: named, in focus, or the only one whose columns it names."""

from __future__ import annotations

import itertools
import random

from agents.planner.datasets import dataset_meant
from ml_backend.schema import ColumnKind, DatasetProfile

SAYINGS = [
    "show a histogram of {column} in the {name} dataset",
    "on the {name} table, plot {column}",
    "using the {name} data, describe {column}",
]


def test_a_dataset_named_as_data_is_the_one_used(eval_tables: dict[str, DatasetProfile]) -> None:
    tables = list(eval_tables.items())
    rng = random.Random(3)
    for (name, profile), saying in itertools.product(tables, SAYINGS):
        focus = rng.choice([n for n, _ in tables if n != name])
        column = rng.choice(profile.column_names)
        message = saying.format(column=column, name=name)
        assert dataset_meant(message, tables, focus) == name, message
        assert dataset_meant(message, tables, None) == name, message


def test_without_a_focus_the_table_whose_columns_are_named_is_used(
    eval_tables: dict[str, DatasetProfile],
) -> None:
    tables = list(eval_tables.items())
    for name, profile in tables:
        others = {c for n, p in tables if n != name for c in p.column_names}
        own = [c.name for c in profile.columns
               if c.name not in others and c.kind is ColumnKind.NUMERIC]  # fmt: skip
        if own:
            message = f"histogram of {own[0]}"
            assert dataset_meant(message, tables, None) == name, message
            # with a dataset in focus, the focus stays: nothing named another
            focus = next(n for n, _ in tables if n != name)
            assert dataset_meant(message, tables, focus) == focus


def test_a_word_of_another_datasets_name_does_not_switch_away_from_the_focus(
    eval_tables: dict[str, DatasetProfile],
) -> None:
    tables = list(eval_tables.items())
    assert dataset_meant("predict energy use from the temperature", tables, "survey") == "survey"
    assert dataset_meant("anything at all", tables, None) is None
