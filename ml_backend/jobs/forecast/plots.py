"""The forecast chart: history, the held-out tail, forecasts and their interval bands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from ml_backend.explorers.figures import figure_json
from ml_backend.forecasters.series import TimeValue

_BAND = "rgba(31, 119, 180, 0.18)"
_FORECAST = "rgb(31, 119, 180)"


def forecast_figure(
    *,
    target: str,
    history: tuple[Sequence[TimeValue], Sequence[float | None]],
    tail: Sequence[Any],
    future: Sequence[Any],
    interval_width: float,
) -> dict[str, Any]:
    """A line chart: the fitted history, the tail's actual values, the tail's forecast and
    the future forecast, each forecast with its shaded interval band.

    `tail` items have time, actual, predicted, lower, upper; `future` items time, value,
    lower, upper (as in `TailPoint` and `ForecastPoint`).
    """
    band = f"{interval_width:.0%} interval"
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=list(history[0]), y=list(history[1]), name="history"))
    if tail:
        times = [point.time for point in tail]
        _band(figure, times, tail, f"{band} (held-out tail)")
        figure.add_trace(go.Scatter(x=times, y=[p.actual for p in tail], name="actual (held out)"))
        figure.add_trace(
            go.Scatter(
                x=times,
                y=[p.predicted for p in tail],
                name="forecast of the held-out tail",
                line={"dash": "dash", "color": _FORECAST},
            )
        )
    if future:
        times = [point.time for point in future]
        _band(figure, times, future, band)
        figure.add_trace(
            go.Scatter(
                x=times, y=[p.value for p in future], name="forecast", line={"color": _FORECAST}
            )
        )
    figure.update_layout(
        title=f"Forecast of {target}", xaxis_title=None, yaxis_title=target, hovermode="x"
    )
    return figure_json(figure)


def _band(figure: go.Figure, times: list[Any], points: Sequence[Any], name: str) -> None:
    # One closed polygon: upper bound forwards, lower bound back.
    figure.add_trace(
        go.Scatter(
            x=times + times[::-1],
            y=[p.upper for p in points] + [p.lower for p in points][::-1],
            fill="toself",
            fillcolor=_BAND,
            line={"width": 0},
            hoverinfo="skip",
            name=name,
        )
    )
