"""A tuning run's plots, drawn by Optuna's own visualisations, as plain Plotly JSON."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import optuna
import plotly.graph_objects as go
from optuna.trial import TrialState

from ml_backend.explorers.figures import figure_json

TUNING_PLOTS = ("history", "slice", "contour", "importance")


def _note(title: str, why: str) -> dict[str, Any]:
    figure = go.Figure()
    figure.update_layout(title=title, xaxis_visible=False, yaxis_visible=False)
    figure.add_annotation(text=why, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    return figure_json(figure)


def tuning_plots(study: optuna.Study, goal: str) -> dict[str, dict[str, Any]]:
    """history, slice, contour and importance; a figure saying why where one cannot be drawn."""
    vis = optuna.visualization
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    numeric = [
        name
        for name, dist in (complete[0].distributions.items() if complete else [])
        if not isinstance(dist, optuna.distributions.CategoricalDistribution)
    ]
    makers: dict[str, tuple[str, Callable[[], go.Figure], str | None]] = {
        "history": (
            "Optimization history",
            lambda: vis.plot_optimization_history(study, target_name=goal),
            None if complete else "no trial finished",
        ),
        "slice": (
            "Slice",
            lambda: vis.plot_slice(study, target_name=goal),
            None if complete else "no trial finished",
        ),
        "contour": (
            "Contour",
            lambda: vis.plot_contour(study, params=numeric[:2], target_name=goal),
            None
            if len(numeric) >= 2 and len(complete) >= 2
            else "a contour needs two numeric hyperparameters and two finished trials",
        ),
        "importance": (
            "Hyperparameter importance",
            lambda: vis.plot_param_importances(
                study,
                evaluator=optuna.importance.FanovaImportanceEvaluator(seed=0),
                target_name=goal,
            ),
            None if len(complete) >= 2 else "importance needs at least two finished trials",
        ),
    }
    plots = {}
    for name, (title, make, cannot) in makers.items():
        if cannot is not None:
            plots[name] = _note(title, cannot)
            continue
        try:
            with warnings.catch_warnings():
                # Optuna marks some plots experimental and warns about it on every call.
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                plots[name] = figure_json(make())
        except (ValueError, RuntimeError, ZeroDivisionError) as error:
            # fANOVA cannot split trials whose parameters never varied, for instance.
            plots[name] = _note(title, f"cannot be drawn: {error}")
    return plots
