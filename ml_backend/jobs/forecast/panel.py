"""Panel data: a table that holds several series, one per value of a key column (the daily
sales of 5 stores). Averaging such rows into one series answers a question nobody asked, so
a forecast of a panel must say which series it is about: one of them (`value`), each of them
(`each`), or their total or mean per time stamp (`sum`, `mean`).

The profile is enough to see a panel before any job is queued: the time column has fewer
distinct values than rows, and a low-cardinality column has enough values to tell the rows
of one time stamp apart. The run checks the same on the data itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict

from ml_backend.configs import MAX_SERIES_GROUPS, SeriesChoice, SeriesMode
from ml_backend.errors import ConfigValidationError
from ml_backend.reporting import Reporter
from ml_backend.schema import ColumnKind, ColumnProfile, DatasetProfile
from ml_backend.suggestions import did_you_mean, name_list

MAX_KEY_VALUES = 200
"""A column with more values is no series key a person would pick series by (an id of rows)."""
_ROWS_PER_TIME = 1.5
# Below this many rows per time stamp on average, repeats are stray duplicates, not series.
_COVERED = 0.95
# (time, key) pairs must tell at least this share of the rows apart: "unique or nearly so".
_KEY_KINDS = frozenset({ColumnKind.CATEGORICAL, ColumnKind.IDENTIFIER, ColumnKind.NUMERIC})
_SHOWN_VALUES = 4


@dataclass(frozen=True)
class Panel:
    """A table seen as several series: the key column and how the rows spread over time."""

    key: ColumnProfile
    time_stamps: int
    rows_per_time: float

    @property
    def values(self) -> list[str]:
        """The key's values as the profile knows them (its most frequent ones)."""
        return [key_text(value) for value, _ in self.key.top_values or []] or [
            key_text(value) for value in self.key.samples
        ]


class ResolvedSeries(BaseModel):
    """A series choice checked against the dataset's profile."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    column: str
    mode: SeriesMode
    value: str | None
    """The one series' key as text (mode 'one')."""


class SeriesSummary(BaseModel):
    """Which series a finished forecast is about, for its result and its summary."""

    column: str
    mode: SeriesMode
    value: str | None
    groups: list[str]
    """The key values the forecast covers (each one fitted, or added up, or averaged)."""
    skipped: dict[str, str] = {}
    """Series of a per-group forecast left out, with the reason (too short to fit, say)."""
    words: str
    """What was done, as a person says it: 'a forecast for each of 5 stores'."""


@dataclass(frozen=True)
class SeriesPart:
    """The rows of one series to forecast; `label` names it in a per-group forecast."""

    label: str | None
    frame: pd.DataFrame


def key_text(value: Any) -> str:
    """A key value as text: 3.0 and 3 read alike, so a number typed as text finds its series."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def find_panel(profile: DatasetProfile, time_column: str, target_column: str) -> Panel | None:
    """The series key that makes `profile` a panel over `time_column`, or None."""
    time = profile.column(time_column)
    if time is None or time.distinct == 0:
        return None
    rows = profile.row_count - time.missing
    if rows < _ROWS_PER_TIME * time.distinct:
        return None
    keys = [
        column
        for column in profile.columns
        if column.name not in (time_column, target_column)
        and column.kind in _KEY_KINDS
        and _whole_numbers(column)
        and 2 <= column.distinct <= MAX_KEY_VALUES
        and column.distinct * time.distinct >= _COVERED * rows
    ]
    if not keys:
        return None
    # The coarsest key that still tells the rows apart; named columns before numbered ones.
    key = min(keys, key=lambda c: (c.kind is ColumnKind.NUMERIC, c.distinct))
    return Panel(key=key, time_stamps=time.distinct, rows_per_time=rows / time.distinct)


def _whole_numbers(column: ColumnProfile) -> bool:
    if column.kind is not ColumnKind.NUMERIC:
        return True
    return "int" in column.dtype


def panel_question(panel: Panel, time_column: str, target_column: str) -> str:
    """What to add to a config that forecasts a panel without saying which series."""
    key = panel.key.name
    shown = ", ".join(panel.values[:_SHOWN_VALUES])
    more = ", …" if panel.key.distinct > _SHOWN_VALUES else ""
    first = panel.values[0] if panel.values else "…"
    return (
        f"the table holds {panel.key.distinct} series of '{target_column}', one per value of "
        f"'{key}' ({shown}{more}): {panel.rows_per_time:.3g} rows per '{time_column}' on "
        "average. Say which to forecast with series: "
        f'{{"column": "{key}", "value": "{first}"}} for one of them, '
        f'{{"column": "{key}", "mode": "each"}} for a forecast of each '
        f"(at most {MAX_SERIES_GROUPS}), or "
        f'{{"column": "{key}", "mode": "sum"}} (or "mean") for their total per time stamp'
    )


def resolve_series(
    choice: SeriesChoice | None, profile: DatasetProfile, time_column: str, target_column: str
) -> ResolvedSeries | None:
    """`choice` checked against `profile`; a panel without a choice is refused, never averaged."""
    if choice is None:
        panel = find_panel(profile, time_column, target_column)
        if panel is not None:
            raise ConfigValidationError(
                panel_question(panel, time_column, target_column), field="series"
            )
        return None
    column = profile.column(choice.column)
    if column is None:
        names = profile.column_names
        raise ConfigValidationError(
            f"series column '{choice.column}' not found{did_you_mean(choice.column, names)} "
            f"Columns: {name_list(names)}",
            field="series",
        )
    if column.name in (time_column, target_column):
        role = "time column" if column.name == time_column else "target"
        raise ConfigValidationError(
            f"series column '{column.name}' is the {role}; name the column whose values tell "
            "the series apart (a store, a region)",
            field="series",
        )
    if column.distinct > MAX_KEY_VALUES or column.kind in (ColumnKind.TEXT, ColumnKind.DATETIME):
        raise ConfigValidationError(
            f"'{column.name}' ({column.kind.value}, {column.distinct} values) does not name "
            "series; a series key is a column with a few values, such as a store or a region",
            field="series",
        )
    mode = choice.mode or SeriesMode.ONE
    if mode is SeriesMode.EACH and column.distinct > MAX_SERIES_GROUPS:
        raise ConfigValidationError(
            f"'{column.name}' has {column.distinct} values; a forecast of each fits at most "
            f"{MAX_SERIES_GROUPS}. Forecast one of them (value), or their total (mode 'sum') "
            "or mean (mode 'mean')",
            field="series",
        )
    value = None if choice.value is None else key_text(choice.value)
    if value is not None:
        _check_value(column, value)
    return ResolvedSeries(column=column.name, mode=mode, value=value)


def _check_value(column: ColumnProfile, value: str) -> None:
    """Refuse a value the profile shows is not there; an unlisted one is checked by the run."""
    known = [key_text(v) for v, _ in column.top_values or []]
    if not known or len(known) < column.distinct or value in known:
        return
    raise ConfigValidationError(
        f"'{column.name}' has no series '{value}'{did_you_mean(value, known)} "
        f"Its values: {name_list(known)}",
        field="series",
    )


def series_parts(
    frame: pd.DataFrame,
    series: ResolvedSeries | None,
    time_column: str,
    target_column: str,
    reporter: Reporter,
) -> tuple[list[SeriesPart], SeriesSummary | None]:
    """The series to forecast from `frame`'s rows, as `series` chooses them."""
    if series is None:
        return [SeriesPart(None, frame)], None
    if series.column not in frame.columns:
        raise ConfigValidationError(
            f"the dataset has no column '{series.column}'; its profile is out of date",
            field="series",
        )
    keys = frame[series.column].map(key_text, na_action="ignore")
    present = sorted(keys.dropna().unique(), key=_natural)
    if series.mode is SeriesMode.ONE:
        assert series.value is not None  # a 'one' choice always names its value
        if series.value not in present:
            raise ConfigValidationError(
                f"'{series.column}' has no series '{series.value}'"
                f"{did_you_mean(series.value, present)} Its values: {name_list(present)}",
                field="series",
            )
        rows = frame[keys == series.value]
        reporter.log(f"forecasting the {len(rows)} rows where {series.column} is {series.value}")
        return [SeriesPart(None, rows)], _summary(series, [series.value], target_column)
    if series.mode is SeriesMode.EACH:
        if len(present) > MAX_SERIES_GROUPS:
            raise ConfigValidationError(
                f"'{series.column}' has {len(present)} values; a forecast of each fits at "
                f"most {MAX_SERIES_GROUPS}",
                field="series",
            )
        parts = [SeriesPart(label, frame[keys == label]) for label in present]
        reporter.log(f"forecasting each of {len(parts)} series of '{series.column}' on its own")
        return parts, _summary(series, present, target_column)
    aggregated = _aggregate(frame, keys, series, time_column, target_column, reporter)
    return [SeriesPart(None, aggregated)], _summary(series, present, target_column)


def _aggregate(
    frame: pd.DataFrame,
    keys: pd.Series[Any],
    series: ResolvedSeries,
    time_column: str,
    target_column: str,
    reporter: Reporter,
) -> pd.DataFrame:
    """One row per time stamp: the target added up (or averaged) over the series."""
    values = pd.to_numeric(frame[target_column], errors="coerce")
    rows = pd.DataFrame({"time": frame[time_column], "key": keys, "value": values})
    rows = rows.dropna(subset=["time", "value"])
    grouped = rows.groupby("time", sort=True)
    values_by_time = grouped["value"]
    combined = values_by_time.sum() if series.mode is SeriesMode.SUM else values_by_time.mean()
    covered = grouped["key"].nunique()
    everywhere = int(rows["key"].nunique())
    partial = int((covered < everywhere).sum())
    how = "added up" if series.mode is SeriesMode.SUM else "averaged"
    reporter.log(f"{len(rows)} rows {how} over '{series.column}' into {len(combined)} time stamps")
    if partial:
        reporter.log(
            f"{partial} time stamp(s) have values for fewer than all {everywhere} series of "
            f"'{series.column}': their {series.mode} covers the series present"
        )
    return pd.DataFrame({time_column: combined.index, target_column: combined.to_numpy()})


def _summary(series: ResolvedSeries, groups: list[str], target: str) -> SeriesSummary:
    return SeriesSummary(
        column=series.column,
        mode=series.mode,
        value=series.value,
        groups=groups,
        words=series_words(series.mode, series.column, series.value, len(groups), target),
    )


def series_words(
    mode: SeriesMode, column: str, value: str | None, count: int | None, target: str
) -> str:
    """What a series choice does, in words: 'a forecast for each of 5 stores'."""
    many = _plural(column, count)
    if mode is SeriesMode.ONE:
        return f"the series where `{column}` is {value}"
    if mode is SeriesMode.EACH:
        return f"a forecast for each of {many}"
    noun = "total" if mode is SeriesMode.SUM else "mean"
    return f"the {noun} of `{target}` across {many}"


def _plural(column: str, count: int | None) -> str:
    if count is None:
        return f"the values of `{column}`"
    if count == 1:
        return f"1 `{column}`"
    if column.isalpha() and column.islower():
        return f"{count} {column if column.endswith('s') else column + 's'}"
    return f"{count} values of `{column}`"


def _natural(text: str) -> tuple[float, str]:
    # Numbers in numeric order (2 before 10), then text in its own order.
    try:
        return (float(text), "")
    except ValueError:
        return (math.inf, text)
