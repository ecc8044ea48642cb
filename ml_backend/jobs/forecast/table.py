"""A finished forecast's future values as a table: one row per step (and per series)."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from ml_backend.forecasters.series import TimeValue
from ml_backend.jobs.forecast.run import ForecastPoint, ForecastResult


def forecast_rows(result: ForecastResult) -> tuple[list[str], list[list[str]]]:
    """The header and rows of the future values: time, forecast, lower, upper; a forecast of
    each series leads with the series' key."""
    header = [result.time_column, "forecast", "lower", "upper"]
    if result.groups and result.series is not None:
        header = [result.series.column, *header]
        rows = [
            [group.group, *_cells(point)]
            for group in result.groups
            for point in group.future_forecast
        ]
        return header, rows
    return header, [_cells(point) for point in result.future_forecast]


def forecast_csv(result: ForecastResult) -> str:
    """The future values as CSV text, numbers at full precision."""
    header, rows = forecast_rows(result)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _cells(point: ForecastPoint) -> list[str]:
    return [_time_text(point.time), *(_number(v) for v in (point.value, point.lower, point.upper))]


def _time_text(moment: TimeValue) -> str:
    if isinstance(moment, datetime):
        midnight = (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0)
        return moment.date().isoformat() if midnight else moment.isoformat()
    return str(moment)


def _number(value: float | None) -> str:
    # repr keeps every digit, so the file reads back to the stored value; no value stays empty.
    return "" if value is None else repr(value)
