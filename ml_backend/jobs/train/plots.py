"""The plots of a finished training run, as plain Plotly JSON."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from ml_backend.explanations import PermutationImportance, PredictedValue
from ml_backend.explorers.figures import figure_json
from ml_backend.jobs.train.run import FeatureImportance, TrainingResult
from ml_backend.metrics import METRICS, ConfusionMatrix

MAX_FEATURES_SHOWN = 30


def feature_importance_figure(importance: list[FeatureImportance]) -> dict[str, Any]:
    """Horizontal bars, the most important feature on top."""
    shown = importance[:MAX_FEATURES_SHOWN][::-1]
    figure = go.Figure(
        go.Bar(
            x=[item.importance for item in shown],
            y=[item.feature for item in shown],
            orientation="h",
        )
    )
    title = "Feature importance"
    if len(importance) > MAX_FEATURES_SHOWN:
        title += f" (top {MAX_FEATURES_SHOWN} of {len(importance)})"
    figure.update_layout(title=title, xaxis_title="share of importance", yaxis_title=None)
    return figure_json(figure)


def confusion_matrix_figure(confusion: ConfusionMatrix) -> dict[str, Any]:
    """A heatmap of counts: rows are true classes, columns predicted ones."""
    labels = [str(label) for label in confusion.labels]
    figure = go.Figure(
        go.Heatmap(
            z=confusion.matrix,
            x=labels,
            y=labels,
            text=confusion.matrix,
            texttemplate="%{text}",
            colorscale="Blues",
            hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>",
        )
    )
    figure.update_layout(
        title="Confusion matrix (test split)",
        xaxis_title="predicted",
        yaxis_title="true",
        yaxis_autorange="reversed",
    )
    return figure_json(figure)


def permutation_importance_figure(importance: list[PermutationImportance]) -> dict[str, Any]:
    """Horizontal bars of the mean loss when a column is shuffled, with the spread over repeats."""
    shown = importance[:MAX_FEATURES_SHOWN][::-1]
    figure = go.Figure(
        go.Bar(
            x=[item.importance_mean for item in shown],
            y=[item.feature for item in shown],
            error_x={"type": "data", "array": [item.importance_std for item in shown]},
            orientation="h",
        )
    )
    metric = importance[0].metric if importance else ""
    change = "drop" if metric in METRICS and METRICS[metric].greater_is_better else "rise"
    title = "Permutation importance (test split)"
    if len(importance) > MAX_FEATURES_SHOWN:
        title += f" (top {MAX_FEATURES_SHOWN} of {len(importance)})"
    figure.update_layout(
        title=title, xaxis_title=f"{change} in {metric} when shuffled", yaxis_title=None
    )
    return figure_json(figure)


def predicted_vs_actual_figure(pairs: list[PredictedValue]) -> dict[str, Any]:
    """Test rows as points (actual, predicted), with the diagonal where predictions are exact."""
    actual = [pair.actual for pair in pairs]
    predicted = [pair.predicted for pair in pairs]
    low, high = min(actual + predicted), max(actual + predicted)
    figure = go.Figure(
        [
            go.Scatter(x=actual, y=predicted, mode="markers", name="test rows"),
            go.Scatter(
                x=[low, high],
                y=[low, high],
                mode="lines",
                name="exact",
                line={"dash": "dash", "color": "gray"},
            ),
        ]
    )
    figure.update_layout(
        title="Predicted vs actual (test split)", xaxis_title="actual", yaxis_title="predicted"
    )
    return figure_json(figure)


def training_plots(result: TrainingResult) -> dict[str, dict[str, Any]]:
    """Every plot the run has, by name."""
    plots = {}
    if result.feature_importance:
        plots["feature_importance"] = feature_importance_figure(result.feature_importance)
    if result.confusion_matrix is not None:
        plots["confusion_matrix"] = confusion_matrix_figure(result.confusion_matrix)
    if result.permutation_importance:
        plots["permutation_importance"] = permutation_importance_figure(
            result.permutation_importance
        )
    if result.test_predictions:
        plots["predicted_vs_actual"] = predicted_vs_actual_figure(result.test_predictions)
    return plots
