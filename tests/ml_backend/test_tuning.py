"""Tuning: trials scored on the validation part, the best refit, narrowing and bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sklearn.metrics import accuracy_score

from ml_backend.configs import TuningConfig
from ml_backend.errors import ConfigValidationError
from ml_backend.jobs.spec import Outcome
from ml_backend.jobs.tune.resolve import ResolvedTuning, resolve_tuning
from ml_backend.jobs.tune.run import TuningResult, tune
from ml_backend.jobs.tune.space import space_from_json
from ml_backend.reporting import RecordingReporter
from ml_backend.splitting import split_rows
from tests.ml_backend.training_data import penguins, profile_of, rows_with_target

FRAME = penguins()
PROFILE = profile_of(FRAME)


def _resolve(**fields: Any) -> ResolvedTuning:
    config = {"dataset": {"name": "penguins"}, "n_trials": 6, **fields}
    return resolve_tuning(TuningConfig.model_validate(config), PROFILE)


def _tune(resolved: ResolvedTuning) -> tuple[Outcome[TuningResult], RecordingReporter]:
    reporter = RecordingReporter()
    return tune(resolved, FRAME, reporter=reporter), reporter


def test_the_defaults_come_first_and_the_best_is_refit_on_every_training_row(
    tmp_path: Any,
) -> None:
    resolved = _resolve(algorithm="random_forest", target_column="species",
                        hyperparameters={"n_jobs": 1},
                        search_space={"n_estimators": {"low": 5, "high": 300}})  # fmt: skip
    reporter = RecordingReporter()
    outcome = tune(resolved, FRAME, reporter=reporter, artifact_dir=tmp_path)
    result = outcome.result
    # 344 penguins: trials are scored by 5-fold cross-validation of the training part.
    assert resolved.training.split.folds == 5
    assert result.selected_on == "5-fold cross-validation of the training part"
    assert len(result.trials) == 6
    first = result.trials[0]
    # The forest's defaults, unlimited depth included, though the space holds depths 2 to 30.
    assert first.defaults and first.params == {"n_estimators": 100, "max_depth": None,
                                               "min_samples_split": 2, "min_samples_leaf": 1,
                                               "max_features": "sqrt"}  # fmt: skip
    assert not any(t.defaults for t in result.trials[1:])
    assert result.default_value == first.value
    assert result.best_value == max(t.value for t in result.trials if t.value is not None)
    assert result.best_value >= first.value  # never worse than the defaults on validation
    assert result.validation is not None and result.validation.folds == 5
    assert result.validation.mean("accuracy") == pytest.approx(result.best_value)
    # The refit fits on all 275 training rows, and only the test part judges it.
    summary = result.training.data_summary
    assert (summary.train_samples, summary.validation_samples) == (275, 0)
    assert set(result.training.metrics) == {"train", "test"}
    assert result.training.hyperparameters["n_estimators"] == result.best_params["n_estimators"]

    from ml_backend.model import TabularModel

    model = TabularModel.load(tmp_path)
    rows = rows_with_target(FRAME, "species")
    test = rows.iloc[split_rows(rows["species"], resolved.training.split).test]
    judged = accuracy_score(test["species"], model.predict(test))
    assert judged == pytest.approx(result.training.metrics["test"]["accuracy"])
    messages = [e["message"] for e in reporter.events if e["type"] == "progress" and e["message"]]
    assert [m.split(":")[0] for m in messages] == [f"trial {i}" for i in range(1, 7)]


def test_regression_minimises_rmse_and_fixed_values_stay_fixed() -> None:
    resolved = _resolve(algorithm="xgboost", target_column="body_mass_g",
                        hyperparameters={"n_jobs": 1, "max_depth": 3},
                        search_space={"n_estimators": {"low": 10, "high": 40}})  # fmt: skip
    assert resolved.direction == "minimize" and resolved.goal_metric == "rmse"
    assert "max_depth" not in space_from_json(resolved.search_space)
    outcome, _ = _tune(resolved)
    result = outcome.result
    finished = [t.value for t in result.trials if t.value is not None]
    assert result.best_value == min(finished)
    assert result.training.hyperparameters["max_depth"] == 3
    assert result.validation is not None
    assert result.validation.mean("rmse") == pytest.approx(result.best_value)


def test_hopeless_trials_are_pruned() -> None:
    # Very different learning rates over many rounds: slow learners fall behind the median.
    rates = {"learning_rate": {"low": 0.001, "high": 0.5, "log": True}}
    fixed = {"n_jobs": 1, "n_estimators": 60}
    resolved = _resolve(algorithm="xgboost", target_column="species", n_trials=14,
                        hyperparameters=fixed, search_space=rates)  # fmt: skip
    outcome, _ = _tune(resolved)
    states = [t.state for t in outcome.result.trials]
    assert "pruned" in states and "complete" in states
    assert outcome.result.n_pruned == states.count("pruned")


def test_plots_are_plain_json() -> None:
    resolved = _resolve(algorithm="linear", target_column="species")
    outcome, _ = _tune(resolved)
    assert set(outcome.plots) == {"history", "slice", "contour", "importance"}
    text = json.dumps(outcome.plots, allow_nan=False)
    assert "bdata" not in text
    history = outcome.plots["history"]["data"]
    values = [t.value for t in outcome.result.trials if t.state == "complete"]
    assert history[0]["y"] == pytest.approx(values)
    # Linear classification tunes one hyperparameter: the contour says why it is empty.
    assert "two numeric" in json.dumps(outcome.plots["contour"]["layout"])


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"goal_metric": "rmse"}, "not a classification metric"),
        ({"goal_metric": "acuracy"}, "did you mean 'accuracy'"),
        ({"direction": "minimize"}, "would search for the worst model"),
        ({"n_trials": None}, "n_trials, timeout_s or both"),
        ({"search_space": {"max_dept": {"low": 2, "high": 4}}}, "did you mean 'max_depth'"),
        ({"search_space": {"max_depth": {"low": 0, "high": 4}}}, "outside what xgboost accepts"),
        ({"search_space": {"max_depth": {"low": 5, "high": 2}}}, "low <= high"),
        ({"hyperparameters": {"max_depth": 3},
          "search_space": {"max_depth": {"low": 2, "high": 4}}}, "fixed in hyperparameters"),
        ({"split": {"test_size": 0.8, "folds": 20}}, "too few for 20-fold"),
    ],
)  # fmt: skip
def test_bad_tuning_requests_say_what_to_fix(fields: dict[str, Any], words: str) -> None:
    with pytest.raises(ConfigValidationError, match=words):
        _resolve(algorithm="xgboost", target_column="species", **fields)


def test_choices_and_fixed_values_in_the_search_space() -> None:
    resolved = _resolve(algorithm="random_forest", target_column="species", n_trials=4,
                        hyperparameters={"n_jobs": 1},
                        search_space={"max_features": {"choices": ["sqrt", 1.0]},
                                      "n_estimators": 7})  # fmt: skip
    assert resolved.fixed["n_estimators"] == 7
    outcome, reporter = _tune(resolved)
    for trial in outcome.result.trials:
        assert trial.params["max_features"] in {"sqrt", 1.0}
        assert "n_estimators" not in trial.params
    assert outcome.result.training.hyperparameters["n_estimators"] == 7
    logs = [e["message"] for e in reporter.events if e["type"] == "log"]
    assert any("scored on 5-fold cross-validation of the training part" in line for line in logs)


def test_a_tuning_counts_its_progress_in_trials_and_then_refits_in_rounds() -> None:
    resolved = _resolve(algorithm="xgboost", target_column="species", n_trials=4,
                        hyperparameters={"n_jobs": 1},
                        search_space={"n_estimators": {"low": 20, "high": 40}})  # fmt: skip
    _, reporter = _tune(resolved)
    progress = [e for e in reporter.events if e["type"] == "progress"]
    search = [e for e in progress if e["unit"] == "trial"]
    refit = progress[len(search) :]
    # Boosting rounds move the share done, never the count: "trial 2 of 4", not "step 26 of 1000".
    assert {e["total"] for e in search} == {4}
    assert [e["step"] for e in search] == sorted(e["step"] for e in search)
    assert {e["step"] for e in search} == {0, 1, 2, 3, 4}
    assert refit and {e["unit"] for e in refit} == {"round"}
    fractions = [e["fraction"] for e in progress]
    assert fractions == sorted(fractions), "the share done went back"
    assert len({f for f in fractions if 0 < f < 1 / 5}) > 1, "no progress within a trial"
    # The refit is the fifth part of the work, done when its last round is.
    assert search[-1]["fraction"] == pytest.approx(4 / 5) and fractions[-1] == pytest.approx(1.0)


def test_a_search_bounded_by_time_alone_counts_trials_with_no_total() -> None:
    resolved = _resolve(algorithm="linear", target_column="species", n_trials=None,
                        timeout_s=2.0, search_space={"C": {"low": 0.01, "high": 10.0}})  # fmt: skip
    _, reporter = _tune(resolved)
    search = [e for e in reporter.events if e["type"] == "progress" and e["unit"] == "trial"]
    assert {e["total"] for e in search} == {0}
    assert max(e["step"] for e in search) >= 2
    assert all(0 <= e["fraction"] <= 0.9 for e in search)
