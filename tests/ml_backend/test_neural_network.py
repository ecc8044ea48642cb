"""The PyTorch MLP: trained through `train`, seeded, stopped early, saved, bounded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn import metrics as skm
from sklearn.utils.estimator_checks import parametrize_with_checks

from ml_backend.algorithms import ALGORITHMS
from ml_backend.algorithms.neural_network import NeuralNetworkParams
from ml_backend.algorithms.torch_mlp import MLPClassifierTorch, MLPNetwork, MLPRegressorTorch
from ml_backend.configs import TaskType
from ml_backend.errors import ConfigValidationError
from ml_backend.jobs.train.resolve import ResolvedTraining, resolve_training
from ml_backend.jobs.train.run import TrainingResult, train
from ml_backend.jobs.tune.space import resolve_space
from ml_backend.model import TabularModel
from ml_backend.reporting import RecordingReporter
from ml_backend.splitting import split_rows
from tests.ml_backend.training_data import config, penguins, profile_of, rows_with_target

SPEC = ALGORITHMS["neural_network"]
SMALL = {"hidden_layers": [32], "epochs": 30, "learning_rate": 0.01, "n_jobs": 1}
SPLIT = {"test_size": 0.25, "validation_size": 0.2, "random_state": 3}


def _resolved(target: str, **hyperparameters: Any) -> ResolvedTraining:
    frame = penguins()
    return resolve_training(
        config(
            algorithm="neural_network",
            target_column=target,
            split=SPLIT,
            hyperparameters=SMALL | hyperparameters,
        ),
        profile_of(frame),
    )


def _train(
    target: str, artifact_dir: Path | None = None, **hyperparameters: Any
) -> tuple[TrainingResult, RecordingReporter]:
    reporter = RecordingReporter()
    resolved = _resolved(target, **hyperparameters)
    return train(resolved, penguins(), reporter=reporter, artifact_dir=artifact_dir), reporter


def _part_rows(target: str, part: str) -> pd.DataFrame:
    rows = rows_with_target(penguins(), target)
    indices = split_rows(rows[target], _resolved(target).split)
    return pd.DataFrame(rows.iloc[getattr(indices, part)])


def _expected(model: TabularModel, rows: pd.DataFrame, target: str) -> dict[str, float]:
    y, predicted = rows[target].to_numpy(), model.predict(rows)
    if model.classes is None:
        return {"rmse": skm.root_mean_squared_error(y, predicted), "r2": skm.r2_score(y, predicted)}
    proba = model.predict_proba(rows)
    return {
        "accuracy": skm.accuracy_score(y, predicted),
        "f1": skm.f1_score(y, predicted, average="macro"),
        "auc_roc": skm.roc_auc_score(y, proba, multi_class="ovr"),
        "log_loss": skm.log_loss(y, proba, labels=model.classes),
    }


@pytest.mark.parametrize(
    ("target", "metric", "floor"), [("species", "accuracy", 0.9), ("body_mass_g", "r2", 0.6)]
)
def test_metrics_per_split_equal_sklearn_on_the_saved_model(
    target: str, metric: str, floor: float, tmp_path: Path
) -> None:
    result, _ = _train(target, tmp_path, early_stopping_patience=None)
    assert result.model_files == ["model.joblib", "model.pt", "metrics.json"]
    model = TabularModel.load(tmp_path)
    for part in ("validation", "test"):
        expected = _expected(model, _part_rows(target, part), target)
        stored = {name: result.metrics[part][name] for name in expected}
        assert stored == pytest.approx(expected, rel=1e-9)
    achieved = result.metrics["test"][metric]
    assert achieved is not None and achieved > floor


def test_each_epoch_reports_train_and_validation_loss() -> None:
    _, reporter = _train("species", epochs=12, early_stopping_patience=None)
    progress = [e for e in reporter.events if e["type"] == "progress"]
    assert [(e["step"], e["total"]) for e in progress] == [(i, 12) for i in range(1, 13)]
    assert all(set(e["metrics"]) == {"train/loss", "validation/loss"} for e in progress)
    train_losses = [e["metrics"]["train/loss"] for e in progress]
    validation_losses = [e["metrics"]["validation/loss"] for e in progress]
    assert train_losses[-1] < train_losses[0] / 2
    assert validation_losses[-1] < validation_losses[0] / 2


def test_without_a_validation_part_only_the_train_loss_is_reported() -> None:
    reporter = RecordingReporter()
    frame = penguins()
    resolved = resolve_training(
        config(
            algorithm="neural_network",
            target_column="sex",
            split={"test_size": 0.25},
            hyperparameters=SMALL | {"epochs": 5},
        ),
        profile_of(frame),
    )
    result = train(resolved, frame, reporter=reporter)
    progress = [e for e in reporter.events if e["type"] == "progress"]
    assert [e["step"] for e in progress] == [1, 2, 3, 4, 5]
    assert all(set(e["metrics"]) == {"train/loss"} for e in progress)
    assert set(result.metrics) == {"train", "test"}


def _noisy_classes(rows: int, seed: int) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 10))
    # Labels only loosely tied to the inputs: a wide network memorises the noise and overfits.
    y = (x[:, 0] + 1.5 * rng.normal(size=rows) > 0).astype(np.int64)
    return x, y


def test_early_stopping_keeps_the_epoch_with_the_lowest_validation_loss() -> None:
    x, y = _noisy_classes(200, seed=0)
    x_train, y_train, x_validation, y_validation = x[:120], y[:120], x[120:], y[120:]
    params = NeuralNetworkParams(
        hidden_layers=[256, 256],
        epochs=300,
        batch_size=32,
        learning_rate=0.01,
        dropout=0.0,
        early_stopping_patience=8,
        n_jobs=1,
    )
    estimator = SPEC.build(TaskType.CLASSIFICATION, params, n_classes=2, random_state=0)
    calls: list[tuple[int, int, dict[str, float]]] = []
    SPEC.fit(
        estimator,
        x_train,
        y_train,
        validation=(x_validation, y_validation),
        progress=lambda step, total, live: calls.append((step, total, live)),
    )
    epochs = [live for _, _, live in calls if live]
    losses = [live["validation/loss"] for live in epochs]
    assert len(epochs) == estimator.n_iter_ < 300
    assert calls[-1] == (300, 300, {})
    best = int(np.argmin(losses))
    assert estimator.best_epoch_ == best + 1
    assert estimator.n_iter_ == best + 1 + 8
    assert losses[-1] > losses[best]
    # The model answers with the best epoch's weights, not the last epoch's.
    kept = skm.log_loss(y_validation, estimator.predict_proba(x_validation))
    assert kept == pytest.approx(losses[best], rel=1e-5)


def test_the_same_seed_gives_the_same_model_and_another_seed_another() -> None:
    x, y = _noisy_classes(150, seed=1)
    global_state = torch.random.get_rng_state()
    first, again, other = (
        MLPClassifierTorch(epochs=5, random_state=seed, n_jobs=1).fit(x, y) for seed in (4, 4, 5)
    )
    np.testing.assert_array_equal(first.predict_proba(x), again.predict_proba(x))
    assert not np.allclose(first.predict_proba(x), other.predict_proba(x))
    # Initialisation, shuffling and dropout draw from private generators only.
    assert torch.equal(torch.random.get_rng_state(), global_state)


def test_fit_uses_n_jobs_threads_and_restores_the_count() -> None:
    x, y = _noisy_classes(60, seed=2)
    before = torch.get_num_threads()
    seen: list[int] = []
    MLPClassifierTorch(epochs=2, n_jobs=1).fit(
        x, y, on_epoch=lambda epoch, losses: seen.append(torch.get_num_threads())
    )
    assert seen == [1, 1]
    assert torch.get_num_threads() == before


def test_a_diverging_fit_says_what_to_change() -> None:
    x, y = _noisy_classes(60, seed=4)
    regressor = MLPRegressorTorch(epochs=3, learning_rate=1.0, random_state=0, n_jobs=1)
    # Inputs far beyond the standardised scale overflow float32 in the first step.
    with pytest.raises(ConfigValidationError, match=r"diverged in epoch 1 .*lower learning_rate"):
        regressor.fit(x * 1e20, y.astype(np.float64))


def test_state_dict_file_rebuilds_the_network(tmp_path: Path) -> None:
    _train("species", tmp_path, epochs=5)
    model = TabularModel.load(tmp_path)
    estimator = model.estimator
    network = MLPNetwork(
        estimator.layer_sizes_, estimator.activation, estimator.dropout, torch.Generator()
    ).double()
    network.load_state_dict(torch.load(tmp_path / "model.pt", weights_only=True))
    rows = _part_rows("species", "test")
    with torch.no_grad():
        outputs = network.eval()(torch.from_numpy(model.transform(rows)))
    # TabularModel renormalises the rows of probabilities: equal up to rounding.
    expected = model.predict_proba(rows)
    np.testing.assert_allclose(torch.softmax(outputs, dim=1).numpy(), expected, rtol=1e-12)


def test_feature_weights_are_the_slopes_of_a_linear_target() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(400, 3))
    y = 3.0 * x[:, 0] + x[:, 1]  # the third column is noise
    estimator = MLPRegressorTorch(epochs=60, dropout=0.0, random_state=0, n_jobs=1).fit(x, y)
    weights = SPEC.feature_weights(estimator)
    # Slopes of the standardised target: the true coefficients over its spread.
    assert weights[:2] == pytest.approx(np.array([3.0, 1.0]) / y.std(), rel=0.05)
    assert weights[2] < weights[1] / 2


@pytest.mark.parametrize(
    ("hyperparameters", "message"),
    [
        ({"epochs": 0}, "hyperparameters.epochs must be >= 1 (got 0)"),
        ({"epochs": 1001}, "hyperparameters.epochs must be <= 1000 (got 1001)"),
        ({"hidden_layers": []}, "hidden_layers needs 1 to 5 layer widths, such as [64, 32]"),
        ({"hidden_layers": [8] * 6}, "hidden_layers needs 1 to 5 layer widths, such as [64, 32]"),
        ({"hidden_layers": [64, 0]}, "hyperparameters.hidden_layers must be >= 1 (got 0)"),
        ({"hidden_layers": [4096]}, "hyperparameters.hidden_layers must be <= 2048 (got 4096)"),
        ({"hidden_layers": "wide"}, "must be a list of layer widths such as [64, 32]"),
        ({"dropout": 1.0}, "hyperparameters.dropout must be < 1.0 (got 1.0)"),
        ({"learning_rate": 0}, "hyperparameters.learning_rate must be > 0.0 (got 0)"),
        ({"activation": "sigmoid"}, "'relu', 'tanh' or 'gelu'"),
        ({"early_stopping_patience": 0}, "early_stopping_patience must be >= 1 (got 0)"),
        ({"epoch": 5}, "unknown hyperparameter 'epoch' for neural_network; did you mean 'epochs'"),
    ],
)
def test_out_of_bounds_hyperparameters_are_refused_in_words(
    hyperparameters: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigValidationError) as raised:
        _resolved("species", **hyperparameters)
    assert message in raised.value.detail
    assert raised.value.field is not None and raised.value.field.startswith("hyperparameters.")


def test_layer_widths_may_be_given_as_text() -> None:
    resolved = _resolved("species", hidden_layers="128,64")
    assert resolved.hyperparameters["hidden_layers"] == [128, 64]


@pytest.mark.parametrize("task", [TaskType.CLASSIFICATION, TaskType.REGRESSION])
def test_search_space_lies_inside_the_bounds(task: TaskType) -> None:
    space, held = resolve_space(SPEC, task, None, {})  # refuses a range outside the bounds
    assert {"learning_rate", "dropout", "epochs", "hidden_layers"} <= set(space)
    assert held == {}
    for shape in space["hidden_layers"].choices:  # type: ignore[attr-defined]
        widths = NeuralNetworkParams(hidden_layers=shape).hidden_layers
        assert ",".join(map(str, widths)) == shape


@parametrize_with_checks(  # type: ignore[untyped-decorator]
    [MLPClassifierTorch(epochs=20, n_jobs=1), MLPRegressorTorch(epochs=20, n_jobs=1)]
)
def test_estimators_follow_sklearn_conventions(estimator: Any, check: Any) -> None:
    check(estimator)
