"""The permutation-importance and predicted-vs-actual plots of a training run."""

from __future__ import annotations

import json

import pytest

from ml_backend.jobs.train.plots import training_plots
from ml_backend.jobs.train.resolve import resolve_training
from ml_backend.jobs.train.run import TrainingResult, train
from ml_backend.reporting import NullReporter
from tests.ml_backend.training_data import config, penguins, profile_of


def _result(target: str, **fields: object) -> TrainingResult:
    frame = penguins()
    resolved = resolve_training(
        config(algorithm="linear", target_column=target, **fields), profile_of(frame)
    )
    return train(resolved, frame, reporter=NullReporter())


def test_permutation_importance_bars_show_each_column_with_its_spread() -> None:
    result = _result("species")
    importance = result.permutation_importance or []
    plots = training_plots(result)
    assert set(plots) == {"feature_importance", "confusion_matrix", "permutation_importance"}
    figure = plots["permutation_importance"]
    json.dumps(figure, allow_nan=False)
    bars = figure["data"][0]
    # The most important column is drawn on top, that is last.
    assert bars["y"] == [item.feature for item in importance][::-1]
    assert bars["x"] == pytest.approx([item.importance_mean for item in importance][::-1])
    assert bars["error_x"]["array"] == pytest.approx(
        [item.importance_std for item in importance][::-1]
    )
    assert figure["layout"]["xaxis"]["title"]["text"] == "drop in accuracy when shuffled"


def test_an_error_metric_is_labelled_as_a_rise() -> None:
    plots = training_plots(_result("body_mass_g", metrics=["rmse"]))
    title = plots["permutation_importance"]["layout"]["xaxis"]["title"]["text"]
    assert title == "rise in rmse when shuffled"


def test_predicted_vs_actual_plots_each_test_row_and_the_diagonal() -> None:
    result = _result("body_mass_g")
    pairs = result.test_predictions or []
    plots = training_plots(result)
    assert "predicted_vs_actual" in plots and "confusion_matrix" not in plots
    points, diagonal = plots["predicted_vs_actual"]["data"]
    assert len(points["x"]) == result.data_summary.test_samples == len(pairs)
    assert points["x"] == pytest.approx([pair.actual for pair in pairs])
    assert points["y"] == pytest.approx([pair.predicted for pair in pairs])
    every_value = [pair.actual for pair in pairs] + [pair.predicted for pair in pairs]
    assert diagonal["x"] == diagonal["y"] == pytest.approx([min(every_value), max(every_value)])
