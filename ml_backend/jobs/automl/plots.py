"""The plots of a finished AutoML: its search over the budget, and the ensemble it chose."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from ml_backend.explorers.figures import figure_json
from ml_backend.jobs.automl.result import AutoMLResult
from ml_backend.numbers import format_metric


def automl_plots(result: AutoMLResult) -> dict[str, dict[str, Any]]:
    plots = {}
    if result.trace:
        plots["automl_search"] = search_figure(result)
    if sum(model.weight > 0 for model in result.models) > 1:
        plots["ensemble_weights"] = weights_figure(result)
    return plots


def search_figure(result: AutoMLResult) -> dict[str, Any]:
    """Each model's validation score at the second it finished, and the best so far as a step
    line across the budget."""
    goal, trace = result.goal_metric, result.trace
    seconds = [point.seconds for point in trace]
    figure = go.Figure(
        go.Scatter(
            x=seconds,
            y=[point.value for point in trace],
            mode="markers",
            name=f"each model's validation {goal}",
            text=[f"{p.name}: {format_metric(goal, p.value)}" for p in trace],
            hovertemplate="%{x:.0f} s: %{text}<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=[*seconds, result.elapsed_s],
            y=[*(point.best for point in trace), trace[-1].best],
            mode="lines",
            line={"shape": "hv"},
            name="best so far",
        )
    )
    figure.add_vline(
        x=result.time_budget_s, line_dash="dot", annotation_text="budget", line_color="#888"
    )
    better = "higher" if result.direction == "maximize" else "lower"
    figure.update_layout(
        title=f"AutoML search: validation {goal} over the budget ({better} is better)",
        xaxis_title="seconds",
        yaxis_title=goal,
        legend={"orientation": "h", "y": -0.2},
    )
    return figure_json(figure)


def weights_figure(result: AutoMLResult) -> dict[str, Any]:
    """The ensemble's members by weight, with each one's own validation score."""
    members = sorted((m for m in result.models if m.weight > 0), key=lambda m: m.weight)
    goal = result.goal_metric
    figure = go.Figure(
        go.Bar(
            x=[m.weight for m in members],
            y=[m.name for m in members],
            orientation="h",
            text=[f"{m.weight:.0%} · {goal} {format_metric(goal, m.value)}" for m in members],
            textposition="auto",
        )
    )
    figure.update_layout(
        title="Ensemble: each model's share of the average",
        xaxis={"title": "weight", "tickformat": ".0%", "range": [0, 1]},
        yaxis_title=None,
    )
    return figure_json(figure)
