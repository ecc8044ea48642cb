"""The plot of a finished leaderboard, as plain Plotly JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from ml_backend.explorers.figures import figure_json
from ml_backend.numbers import format_metric

_BEST_COLOUR = "#2ca02c"
_OTHER_COLOUR = "#1f77b4"
_TEST_COLOUR = "#444444"


def leaderboard_figure(
    algorithms: Sequence[str],
    values: Sequence[float],
    goal_metric: str,
    *,
    greater_is_better: bool,
    spreads: Sequence[float | None] | None = None,
    tests: Sequence[float | None] | None = None,
    ranked_on: str = "validation",
) -> dict[str, Any]:
    """Horizontal bars of the value each algorithm was ranked by (with its spread over the
    folds as error bars), best on top and highlighted; its test value, which did not rank it,
    as a marker beside the bar.

    The sequences come in rank order, best first.
    """
    shown_names, shown_values = list(algorithms)[::-1], list(values)[::-1]
    colours = [_OTHER_COLOUR] * len(shown_names)
    if colours:
        colours[-1] = _BEST_COLOUR
    bars = go.Bar(
        x=shown_values,
        y=shown_names,
        orientation="h",
        name=f"{ranked_on} {goal_metric} (ranks)",
        marker={"color": colours},
        text=[format_metric(goal_metric, value) for value in shown_values],
        textposition="auto",
    )
    if spreads is not None and any(spread is not None for spread in spreads):
        bars.error_x = {"type": "data", "array": [s or 0.0 for s in list(spreads)[::-1]]}
    figure = go.Figure(bars)
    if tests is not None:
        shown_tests = list(tests)[::-1]
        figure.add_trace(
            go.Scatter(
                x=shown_tests,
                y=shown_names,
                mode="markers",
                name=f"test {goal_metric} (judges, does not rank)",
                marker={"symbol": "diamond", "size": 11, "color": _TEST_COLOUR},
                text=[format_metric(goal_metric, value) for value in shown_tests],
                hovertemplate="%{y}: test %{text}<extra></extra>",
            )
        )
    better = "higher" if greater_is_better else "lower"
    figure.update_layout(
        title=f"Leaderboard: {ranked_on} {goal_metric} ({better} is better)",
        xaxis_title=goal_metric,
        yaxis_title=None,
        legend={"orientation": "h", "y": -0.2},
    )
    return figure_json(figure)
