"""The plot of a finished leaderboard, as plain Plotly JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from ml_backend.explorers.figures import figure_json
from ml_backend.numbers import format_metric

_BEST_COLOUR = "#2ca02c"
_OTHER_COLOUR = "#1f77b4"


def leaderboard_figure(
    algorithms: Sequence[str], values: Sequence[float], goal_metric: str, *, greater_is_better: bool
) -> dict[str, Any]:
    """Horizontal bars of each ranked algorithm's test metric, best on top and highlighted.

    `algorithms` and `values` come in rank order, best first.
    """
    shown_names, shown_values = list(algorithms)[::-1], list(values)[::-1]
    colours = [_OTHER_COLOUR] * len(shown_names)
    if colours:
        colours[-1] = _BEST_COLOUR
    figure = go.Figure(
        go.Bar(
            x=shown_values,
            y=shown_names,
            orientation="h",
            marker={"color": colours},
            text=[format_metric(goal_metric, value) for value in shown_values],
            textposition="auto",
        )
    )
    better = "higher" if greater_is_better else "lower"
    figure.update_layout(
        title=f"Leaderboard: test {goal_metric} ({better} is better)",
        xaxis_title=f"test {goal_metric}",
        yaxis_title=None,
    )
    return figure_json(figure)
