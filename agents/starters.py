"""What the empty chat suggests asking about one dataset: built from its own columns (a target
that suits a model, a chart of two real columns), and phrased the way the planner reads them,
so each one, sent as it is, does what it says."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from ml_backend.schema import ColumnKind, ColumnProfile, DatasetProfile

StarterAction = Literal["describe", "explore", "train", "leaderboard", "automl", "forecast"]

# A class column a person would predict has a few values; more and it is a name or a code.
_MAX_CLASSES = 12
# Names a time axis goes by when it is stored as a number (sunspots' `year`).
_TIME_NAMES = frozenset({"year", "date", "time", "week", "month", "day", "timestamp", "period"})
_FORECAST_STEPS = 12
_AUTOML_MINUTES = 5
"""The AutoML's default budget, said outright so that the suggestion shows what it costs."""


class Starter(BaseModel):
    """One suggestion: the words to send, and what the agent will do with them."""

    text: str
    action: StarterAction


def _usable(column: ColumnProfile, rows: int) -> bool:
    empty = rows > 0 and column.missing >= rows
    return not empty and column.kind not in (ColumnKind.IDENTIFIER, ColumnKind.TEXT)


def _is_classes(column: ColumnProfile) -> bool:
    kinds = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)
    return column.kind in kinds and 2 <= column.distinct <= _MAX_CLASSES


def _time_axis(columns: list[ColumnProfile], rows: int) -> ColumnProfile | None:
    """The column the rows follow each other in time by: a date or a year-like number with
    one row per value (several rows per date are a table of events, not one series)."""
    for column in columns:
        one_per_row = column.distinct == rows - column.missing
        dated = column.kind == ColumnKind.DATETIME
        named = column.kind == ColumnKind.NUMERIC and column.name.lower() in _TIME_NAMES
        if one_per_row and (dated or named):
            return column
    return None


def _target(
    columns: list[ColumnProfile], hint: str | None, time: ColumnProfile | None
) -> ColumnProfile | None:
    """The hinted target if the dataset has one, else its last column that a model can
    predict (a few classes or a number): tables tend to end with the outcome they record."""
    named = next((c for c in columns if c.name == hint), None)
    if named is not None:
        return named
    predictable = [c for c in columns if c is not time
                   and (_is_classes(c) or c.kind == ColumnKind.NUMERIC)]  # fmt: skip
    return predictable[-1] if predictable else None


def _chart(
    columns: list[ColumnProfile], target: ColumnProfile | None, time: ColumnProfile | None
) -> str | None:
    """A chart of real columns: a series over its time axis; a measure against a numeric
    target; two measures coloured by the target's classes; else one column's spread."""
    numbers = [c for c in columns if c.kind == ColumnKind.NUMERIC and c is not time]
    if time is not None and target is not None and target.kind == ColumnKind.NUMERIC:
        return f"line chart of {target.name} over {time.name}"
    others = [c for c in numbers if c is not target]
    # A number with a few values (a code, a count of 1-2) draws stripes, not a cloud.
    measures = [c for c in others if c.distinct > _MAX_CLASSES] or others
    if measures and target is not None and target.kind == ColumnKind.NUMERIC:
        return f"scatter {measures[0].name} against {target.name}"
    groups = [c for c in columns if _is_classes(c)]
    if len(measures) >= 2:
        by = target if target in groups else (groups[0] if groups else None)
        colour = f" by {by.name}" if by is not None else ""
        return f"scatter {measures[0].name} against {measures[1].name}{colour}"
    if measures:
        return f"histogram of {measures[0].name}"
    if groups:
        return f"bar chart of {groups[0].name}"
    return None


def starters(profile: DatasetProfile, target_hint: str | None = None) -> list[Starter]:
    """A few things to ask about the dataset of `profile`, in the order a person meets it:
    what is in it, a chart, a model (or a forecast for a time series), all models compared,
    and the best model found within a few minutes."""
    rows = profile.row_count
    columns = [c for c in profile.columns if _usable(c, rows)]
    time = _time_axis(columns, rows)
    target = _target(columns, target_hint, time)
    found = [Starter(text="what columns are there?", action="describe")]
    chart = _chart(columns, target, time)
    if chart is not None:
        found.append(Starter(text=chart, action="explore"))
    if target is None:
        return found
    if time is not None and target.kind == ColumnKind.NUMERIC:
        text = f"forecast {target.name} for the next {_FORECAST_STEPS} steps"
        found.append(Starter(text=text, action="forecast"))
        return found
    if _is_classes(target):
        text = f"train xgboost on {target.name}, hold out a quarter stratified"
    else:
        text = f"train xgboost on {target.name}, hold out a quarter"
    found.append(Starter(text=text, action="train"))
    found.append(Starter(text=f"compare every algorithm on {target.name}", action="leaderboard"))
    text = f"find the best model for {target.name} in {_AUTOML_MINUTES} minutes"
    found.append(Starter(text=text, action="automl"))
    return found
