"""AutoML: screening, tuning and a greedy ensemble chosen on the training data alone, whose
chosen model is a model like any other; and the ensemble model itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from ml_backend.configs import AutoMLConfig, SplitConfig
from ml_backend.ensemble import EnsembleModel
from ml_backend.jobs.automl.run import AutoMLResult, resolve_automl, run_automl
from ml_backend.jobs.automl.selection import Scorer, select_ensemble
from ml_backend.jobs.train.resolve import EnsembleMember, resolve_training
from ml_backend.jobs.train.run import train
from ml_backend.model import TabularModel
from ml_backend.reporting import NullReporter, RecordingReporter
from ml_backend.splitting import split_rows
from tests.ml_backend.training_data import config, penguins, profile_of, rows_with_target

FRAME = penguins()
PROFILE = profile_of(FRAME)
SPECIES = {"Adelie": "Gentoo", "Gentoo": "Chinstrap", "Chinstrap": "Adelie"}
ALGORITHMS = ["linear", "lightgbm", "random_forest"]


def _automl(
    frame: pd.DataFrame,
    target: str = "species",
    *,
    artifact_dir: Path | None = None,
    reporter: Any = None,
    budget: float = 600,
) -> AutoMLResult:
    fields = {"dataset": {"name": "penguins"}, "target_column": target,
              "algorithms": ALGORITHMS, "time_budget_s": budget}  # fmt: skip
    resolved = resolve_automl(AutoMLConfig.model_validate(fields), PROFILE)
    # Trials bounded too, so that two runs repeat exactly whatever the machine's speed.
    return run_automl(
        resolved,
        frame,
        reporter=reporter or NullReporter(),
        artifact_dir=artifact_dir,
        trials_per_algorithm=3,
    ).result


def _poisoned_species() -> pd.DataFrame:
    rows = rows_with_target(FRAME, "species")
    test = split_rows(rows["species"], SplitConfig()).test
    values = rows["species"].to_numpy(copy=True)
    values[test] = [SPECIES[value] for value in values[test]]
    return rows.assign(species=values)


def _chosen(result: AutoMLResult) -> list[tuple[str, float | None, float, int | None]]:
    return [(m.name, m.value, m.weight, m.rank) for m in result.models]


def test_poisoned_test_labels_leave_every_automl_choice_unchanged() -> None:
    clean = _automl(rows_with_target(FRAME, "species"))
    poisoned = _automl(_poisoned_species())
    assert _chosen(poisoned) == _chosen(clean)
    assert [m.hyperparameters for m in poisoned.models] == [m.hyperparameters for m in clean.models]
    assert (poisoned.best, poisoned.ensemble_value, poisoned.final) == (
        clean.best,
        clean.ensemble_value,
        clean.final,
    )
    # The wrong labels reach the judging of the chosen model, and nothing before it.
    clean_test = clean.training.metrics["test"]["accuracy"]
    poisoned_test = poisoned.training.metrics["test"]["accuracy"]
    assert clean_test is not None and poisoned_test is not None
    assert clean_test > 0.9 and poisoned_test < 0.1


def test_an_automl_model_predicts_and_says_how_it_was_chosen(tmp_path: Path) -> None:
    reporter = RecordingReporter()
    result = _automl(rows_with_target(FRAME, "species"), artifact_dir=tmp_path, reporter=reporter)
    assert {m.algorithm for m in result.models if m.stage == "defaults"} == set(ALGORITHMS)
    assert result.selected_on == "5-fold cross-validation of 275 training rows"
    assert result.models[0].rank == 1 and result.best_single == result.models[0].name
    assert sum(m.weight for m in result.models) == pytest.approx(1.0)
    for search in result.searches:
        # Each search starts from its defaults' score: it never ends below it.
        assert search.best_value is not None and search.default_value is not None
        assert search.best_value >= search.default_value
    if result.best == "ensemble":
        assert result.ensemble_value is not None and result.single_value is not None
        assert result.ensemble_value >= result.single_value
        assert result.final.ensemble and len(result.final.ensemble) >= 2
    model = TabularModel.load(tmp_path)
    test = rows_with_target(FRAME, "species").iloc[
        split_rows(rows_with_target(FRAME, "species")["species"], SplitConfig()).test
    ]
    assert (model.predict(test) == test["species"].to_numpy()).mean() > 0.9
    assert result.training.metrics["test"]["accuracy"] == pytest.approx(
        (model.predict(test) == test["species"].to_numpy()).mean()
    )
    seconds = [e for e in reporter.events if e["type"] == "progress"]
    assert seconds and all(e["unit"] == "second" and e["total"] == 600 for e in seconds)
    assert all(e["fraction"] < 1 for e in seconds)
    bests = [
        e["metrics"]["best/accuracy"] for e in seconds if (e["metrics"] or {}).get("best/accuracy")
    ]
    assert bests == sorted(bests) and bests[-1] == result.models[0].value


def test_an_automl_on_a_number_fits_a_regression_ensemble_or_model(tmp_path: Path) -> None:
    frame = rows_with_target(FRAME, "body_mass_g")
    result = _automl(frame, "body_mass_g", artifact_dir=tmp_path)
    assert result.goal_metric == "r2" and result.direction == "maximize"
    predicted = TabularModel.load(tmp_path).predict(frame.head(20))
    assert predicted.dtype == np.float64 and np.all((predicted > 2000) & (predicted < 7000))
    assert (result.training.metrics["test"]["r2"] or 0) > 0.7


def test_greedy_selection_combines_models_that_err_on_different_rows() -> None:
    rng = np.random.default_rng(0)
    truth = rng.normal(size=400)
    # Each model is right on one half of the rows and off on the other: their average wins.
    first = truth + np.where(np.arange(400) < 200, 0.0, rng.normal(scale=1.0, size=400))
    second = truth + np.where(np.arange(400) >= 200, 0.0, rng.normal(scale=1.0, size=400))
    noise = truth + rng.normal(scale=3.0, size=400)
    scorer = Scorer("rmse", truth, None, classification=False)
    selection = select_ensemble([first, second, noise], scorer)
    assert selection.weights[2] <= 0.1  # independent noise helps a little, at most
    assert selection.weights[0] > 0.2 and selection.weights[1] > 0.2
    assert sum(selection.weights) == pytest.approx(1.0)
    assert selection.value < selection.single_value


def test_greedy_selection_keeps_the_best_model_alone_when_nothing_helps() -> None:
    truth = np.linspace(0, 1, 50)
    scorer = Scorer("rmse", truth, None, classification=False)
    selection = select_ensemble([truth + 1.0, truth.copy()], scorer)
    assert selection.weights == [0.0, 1.0] and selection.value == 0.0


def _member(algorithm: str, directory: Path) -> TabularModel:
    resolved = resolve_training(
        config(algorithm=algorithm, target_column="species", split={"test_size": 0.25}),
        PROFILE,
    )
    train(resolved, FRAME, reporter=NullReporter(), artifact_dir=directory, explanations=False)
    return TabularModel.load(directory)


def test_an_ensemble_model_averages_its_members_and_saves_as_one_file(tmp_path: Path) -> None:
    rows = rows_with_target(FRAME, "species").head(40)
    linear = _member("linear", tmp_path / "linear")
    forest = _member("random_forest", tmp_path / "forest")
    ensemble = EnsembleModel([linear, forest], [3, 1])
    expected = 0.75 * linear.predict_proba(rows) + 0.25 * forest.predict_proba(rows)
    np.testing.assert_allclose(ensemble.predict_proba(rows), expected, atol=1e-9)
    labels = np.asarray(ensemble.classes)[np.argmax(expected, axis=1)]
    assert list(ensemble.predict(rows)) == list(labels)
    importance = ensemble.feature_importance()
    assert sum(importance.values()) == pytest.approx(1.0)
    saved = tmp_path / "ensemble"
    assert ensemble.save(saved) == [saved / "model.joblib"]
    loaded = TabularModel.load(saved)
    assert loaded.algorithm == "ensemble"
    np.testing.assert_allclose(loaded.predict_proba(rows), expected, atol=1e-9)


def test_a_training_with_ensemble_members_fits_each_and_reports_the_ensemble() -> None:
    resolved = resolve_training(
        config(algorithm="linear", target_column="species", split={"test_size": 0.25}), PROFILE
    )
    members = [
        EnsembleMember(algorithm="linear", hyperparameters={}, weight=0.5),
        EnsembleMember(algorithm="lightgbm", hyperparameters={"n_estimators": 30}, weight=0.5),
    ]
    result = train(
        resolved.model_copy(update={"ensemble": members}), FRAME, reporter=NullReporter()
    )
    assert result.algorithm == "ensemble"
    assert (result.metrics["test"]["accuracy"] or 0) > 0.9
    assert {item.feature for item in result.feature_importance} >= {"bill_length_mm"}
