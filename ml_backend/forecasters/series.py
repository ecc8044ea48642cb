"""A time series as forecasters see it: sorted values on a time axis, regular where possible.

The axis is a regular grid when the timestamps follow one frequency (pandas' own inference,
or a constant step, or month starts/ends), even when some points have no value: those
points stay in the series as NaN gaps, so a season stays a fixed number of steps long.
Timestamps that follow no grid are kept as they are and treated as equally spaced.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pandas.tseries.frequencies import to_offset
from pandas.tseries.offsets import BaseOffset
from pydantic import BaseModel, ConfigDict

# A grid with more than this many points per observed value is too sparse to be the
# series' real frequency (e.g. a few dates a year on a daily grid).
_MAX_GRID_PER_POINT = 2.0

_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")

TimeValue = datetime | int | float
"""A point's time: a datetime on a date axis, a number on a numeric one."""


class TimeAxis(BaseModel):
    """How a series' times advance: by a pandas frequency, by a fixed step, or irregularly."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["datetime", "number"]
    frequency: str | None
    """A pandas frequency alias ('MS', 'W-SAT', 'D', ...) for a regular date axis."""
    step: float | None
    """The step between points: in the axis' unit for numbers, in seconds for irregular
    dates (their median step); None on a date axis with a frequency."""
    regular: bool

    @property
    def seasonal_period(self) -> int | None:
        """Steps per season (12 for months, 7 for days, ...) or None when unknown."""
        if self.frequency is None:
            return None
        return _seasonal_period(to_offset(self.frequency))

    def describe(self) -> str:
        """The axis in words, for logs."""
        if self.frequency is not None:
            return f"frequency '{self.frequency}'"
        if self.kind == "number":
            kind = "regular" if self.regular else "irregular, median"
            return f"{kind} step {self.step:g}"
        return f"irregular dates, median step {pd.Timedelta(seconds=self.step or 0)}"

    def following(self, last: Any, steps: int) -> pd.Index:
        """The `steps` times after `last` on this axis."""
        if self.kind == "number":
            offsets = np.arange(1, steps + 1, dtype=np.float64) * float(self.step or 1.0)
            following = float(last) + offsets
            if float(self.step or 1.0).is_integer() and float(last).is_integer():
                return pd.Index(following.astype(np.int64))
            return pd.Index(following)
        start = pd.Timestamp(last)
        if self.frequency is not None:
            return pd.date_range(start, periods=steps + 1, freq=self.frequency)[1:]
        step = pd.Timedelta(seconds=self.step or 0)
        return pd.DatetimeIndex([start + step * k for k in range(1, steps + 1)])


@dataclass(frozen=True)
class Series:
    """Values in time order on `axis`; NaN marks a grid point without an observation."""

    times: pd.Index
    values: NDArray[np.float64]
    axis: TimeAxis

    def __len__(self) -> int:
        return len(self.values)

    @property
    def missing(self) -> int:
        """How many points have no value."""
        return int(np.isnan(self.values).sum())

    def head(self, count: int) -> Series:
        """The first `count` points."""
        return Series(self.times[:count], self.values[:count], self.axis)

    def tail(self, count: int) -> Series:
        """The last `count` points."""
        start = len(self) - count
        return Series(self.times[start:], self.values[start:], self.axis)

    def filled(self) -> NDArray[np.float64]:
        """The values with gaps filled by linear interpolation (ends by the nearest value)."""
        if not self.missing:
            return self.values
        filled = pd.Series(self.values).interpolate(limit_direction="both")
        return np.asarray(filled.to_numpy(), dtype=np.float64)


@dataclass(frozen=True)
class PreparedSeries:
    """A series built from a frame's rows, with what was dropped or merged on the way."""

    series: Series
    rows_without_time: int
    rows_without_target: int
    merged_rows: int
    """Rows folded into another row with the same time (their values averaged)."""


def series_from_frame(frame: pd.DataFrame, time_column: str, target_column: str) -> PreparedSeries:
    """The target over time: rows without a time or value dropped, duplicate times averaged."""
    times = _time_values(frame[time_column])
    values = pd.to_numeric(frame[target_column], errors="coerce").astype(np.float64)
    has_time = times.notna().to_numpy()
    has_value = values.notna().to_numpy()
    kept = pd.DataFrame(
        {"time": times[has_time & has_value], "value": values[has_time & has_value]}
    )
    by_time = kept.groupby("time", sort=True)["value"].mean()
    observed_times = pd.Index(by_time.index)
    all_times = pd.Index(times[has_time]).unique().sort_values()
    axis, grid = _time_axis(observed_times, all_times)
    on_grid = by_time.reindex(grid) if grid is not None else by_time
    series = Series(
        times=pd.Index(on_grid.index),
        values=np.asarray(on_grid.to_numpy(), dtype=np.float64),
        axis=axis,
    )
    return PreparedSeries(
        series=series,
        rows_without_time=int((~has_time).sum()),
        rows_without_target=int((has_time & ~has_value).sum()),
        merged_rows=len(kept) - len(by_time),
    )


def _time_values(column: pd.Series[Any]) -> pd.Series[Any]:
    if pd.api.types.is_datetime64_any_dtype(column) or pd.api.types.is_numeric_dtype(column):
        if pd.api.types.is_bool_dtype(column):
            return column.astype(np.float64)
        return column
    return pd.to_datetime(column, errors="coerce", format="ISO8601")


def _time_axis(observed: pd.Index, all_times: pd.Index) -> tuple[TimeAxis, pd.Index | None]:
    """The axis of `observed` times, and the full grid when they lie on a regular one."""
    if isinstance(observed, pd.DatetimeIndex):
        all_dates = pd.DatetimeIndex(all_times)
        frequency = _date_frequency(observed, all_dates)
        if frequency is not None:
            grid = pd.date_range(observed[0], observed[-1], freq=frequency)
            return TimeAxis(kind="datetime", frequency=frequency, step=None, regular=True), grid
        seconds = _median_step(observed.asi8.astype(np.float64)) * _seconds_per_unit(observed)
        return TimeAxis(kind="datetime", frequency=None, step=seconds, regular=False), None
    numbers = np.asarray(observed.to_numpy(), dtype=np.float64)
    step = _constant_step(numbers)
    if step is not None:
        count = round((numbers[-1] - numbers[0]) / step) + 1
        grid_values = numbers[0] + step * np.arange(count, dtype=np.float64)
        integral = step.is_integer() and float(numbers[0]).is_integer()
        grid = pd.Index(grid_values.astype(np.int64) if integral else grid_values)
        reindexable = pd.Index(observed.astype(np.int64) if integral else numbers)
        if reindexable.isin(grid).all():
            return TimeAxis(kind="number", frequency=None, step=step, regular=True), grid
    axis = TimeAxis(kind="number", frequency=None, step=_median_step(numbers), regular=False)
    return axis, None


def _date_frequency(observed: pd.DatetimeIndex, all_times: pd.DatetimeIndex) -> str | None:
    """A frequency whose grid from the first to the last observed time holds every one."""
    candidates = [infer_frequency(observed), infer_frequency(all_times)]
    if len(observed) and bool((observed == observed.normalize()).all()):
        if bool(observed.is_month_start.all()):
            candidates.append("MS")
        if bool(observed.is_month_end.all()):
            candidates.append("ME")
        if bool((observed.dayofweek < 5).all()):
            candidates.append("B")  # weekdays only: weekends are not gaps
    step = _constant_date_step(observed)
    if step is not None:
        candidates.append(_step_alias(step, observed[0]))
    for frequency in candidates:
        if frequency is not None and _fits_grid(observed, frequency):
            return frequency
    return None


def infer_frequency(times: pd.DatetimeIndex) -> str | None:
    """pandas' inferred frequency alias for `times`, or None when there is none."""
    if len(times) < 3:
        return None
    with warnings.catch_warnings():
        # pandas 3 announces that infer_freq will return an offset; to_offset takes both.
        warnings.filterwarnings(
            "ignore", message="A future version of pandas will return", category=DeprecationWarning
        )
        inferred: Any = pd.infer_freq(times)
    return None if inferred is None else str(to_offset(inferred).freqstr)


def _fits_grid(observed: pd.DatetimeIndex, frequency: str) -> bool:
    grid = pd.date_range(observed[0], observed[-1], freq=frequency)
    too_sparse = len(grid) > _MAX_GRID_PER_POINT * len(observed)
    return not too_sparse and bool(observed.isin(grid).all())


def _step_alias(step: pd.Timedelta, first: pd.Timestamp) -> str:
    day = pd.Timedelta(days=1)
    if step == 7 * day and first == first.normalize():
        return f"W-{_WEEKDAYS[first.dayofweek]}"  # a weekly anchor gives the season length
    if step >= day and step % day == pd.Timedelta(0):
        return f"{step // day}D" if step != day else "D"
    return str(to_offset(step).freqstr)


def _constant_date_step(times: pd.DatetimeIndex) -> pd.Timedelta | None:
    """The smallest step between `times` when every gap is a whole multiple of it."""
    if len(times) < 2:
        return None
    steps = np.diff(times.asi8)
    step = int(steps.min())
    if step <= 0 or np.any(steps % step):
        return None
    return pd.Timedelta(step, unit=times.unit)


def _constant_step(numbers: NDArray[np.float64]) -> float | None:
    """The smallest step between sorted `numbers` when every gap is a whole multiple of it."""
    if len(numbers) < 2:
        return None
    steps = np.diff(numbers)
    step = float(steps.min())
    if step <= 0:
        return None
    multiples = steps / step
    if not np.allclose(multiples, np.round(multiples), rtol=0, atol=1e-6):
        return None
    span = round((numbers[-1] - numbers[0]) / step) + 1
    return step if span <= _MAX_GRID_PER_POINT * len(numbers) else None


def _median_step(numbers: NDArray[np.float64]) -> float:
    return float(np.median(np.diff(numbers))) if len(numbers) > 1 else 1.0


def _seconds_per_unit(times: pd.DatetimeIndex) -> float:
    return float(pd.Timedelta(1, unit=times.unit).total_seconds())


def _seasonal_period(offset: BaseOffset) -> int | None:
    if offset.n != 1:
        return None
    periods: list[tuple[tuple[type[Any], ...], int]] = [
        (
            (
                pd.offsets.MonthBegin,
                pd.offsets.MonthEnd,
                pd.offsets.BusinessMonthBegin,
                pd.offsets.BusinessMonthEnd,
            ),
            12,
        ),
        (
            (
                pd.offsets.QuarterBegin,
                pd.offsets.QuarterEnd,
                pd.offsets.BQuarterBegin,
                pd.offsets.BQuarterEnd,
            ),
            4,
        ),
        ((pd.offsets.Week,), 52),
        ((pd.offsets.BusinessDay,), 5),
        ((pd.offsets.Day,), 7),
        ((pd.offsets.Hour,), 24),
    ]
    return next((period for kinds, period in periods if isinstance(offset, kinds)), None)


def plain_time(value: Any) -> TimeValue:
    """A time as a python datetime or number, for results and JSON."""
    if isinstance(value, pd.Timestamp | np.datetime64):
        stamp: datetime = pd.Timestamp(value).to_pydatetime()
        return stamp
    if isinstance(value, datetime):
        return value
    number = float(value)
    return int(number) if number.is_integer() and not isinstance(value, float) else number


def finite_or_none(value: Any) -> float | None:
    """A float, or None for NaN and infinities (results stay valid JSON)."""
    number = float(value)
    return number if math.isfinite(number) else None
