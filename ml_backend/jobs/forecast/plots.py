"""The forecast chart: recent history, the held-out tail, forecasts and their interval bands.

Years of history would squeeze the forecast into the chart's right edge, so the chart shows
the last few horizons' worth of it: the future is read at the same scale as the recent past.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
from plotly.colors import hex_to_rgb, qualitative

from ml_backend.explorers.figures import figure_json
from ml_backend.forecasters.series import TimeValue

_BAND = "rgba(31, 119, 180, 0.18)"
_FORECAST = "rgb(31, 119, 180)"
HISTORY_HORIZONS = 4
"""The chart shows this many times the forecast's length of history before it."""
MIN_HISTORY_POINTS = 24


def recent_points(steps_ahead: int) -> int:
    """How many points of history to draw before `steps_ahead` points of forecast."""
    return max(HISTORY_HORIZONS * steps_ahead, MIN_HISTORY_POINTS)


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
    times, values = list(history[0]), list(history[1])
    shown = recent_points(len(tail) + len(future))
    name = "history"
    if len(times) > shown:
        times, values = times[-shown:], values[-shown:]
        name = f"history (last {shown} points)"
    figure.add_trace(go.Scatter(x=times, y=values, name=name))
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


@dataclass(frozen=True)
class PanelLine:
    """One series of a per-series forecast: its observed values and its future points."""

    label: str
    times: Sequence[Any]
    values: Sequence[float | None]
    future: Sequence[Any]


def panel_figure(
    *, target: str, key: str, lines: Sequence[PanelLine], interval_width: float
) -> dict[str, Any]:
    """One colour per series: its recent history solid, its forecast dashed over its shaded
    interval; clicking a series in the legend hides or shows all three."""
    figure = go.Figure()
    for index, line in enumerate(lines):
        colour = qualitative.Dark24[index % len(qualitative.Dark24)]
        red, green, blue = hex_to_rgb(colour)
        group = f"{key} {line.label}"
        shown = recent_points(len(line.future))
        figure.add_trace(
            go.Scatter(
                x=list(line.times)[-shown:],
                y=list(line.values)[-shown:],
                name=group,
                legendgroup=group,
                line={"color": colour, "width": 1.5},
            )
        )
        if line.future:
            times = [point.time for point in line.future]
            _band(
                figure,
                times,
                line.future,
                f"{group}: {interval_width:.0%} interval",
                colour=f"rgba({red}, {green}, {blue}, 0.15)",
                group=group,
            )
            figure.add_trace(
                go.Scatter(
                    x=times,
                    y=[p.value for p in line.future],
                    name=f"{group}: forecast",
                    legendgroup=group,
                    showlegend=False,
                    line={"color": colour, "dash": "dash", "width": 2},
                )
            )
    figure.update_layout(
        title=f"Forecast of {target} for each {key}",
        xaxis_title=None,
        yaxis_title=target,
        hovermode="x",
        legend={"title": {"text": f"{key} (dashed: forecast)"}},
    )
    return figure_json(figure)


def _band(
    figure: go.Figure,
    times: list[Any],
    points: Sequence[Any],
    name: str,
    *,
    colour: str = _BAND,
    group: str | None = None,
) -> None:
    # One closed polygon: upper bound forwards, lower bound back.
    figure.add_trace(
        go.Scatter(
            x=times + times[::-1],
            y=[p.upper for p in points] + [p.lower for p in points][::-1],
            fill="toself",
            fillcolor=colour,
            line={"width": 0},
            hoverinfo="skip",
            name=name,
            legendgroup=group,
            showlegend=group is None,
        )
    )
