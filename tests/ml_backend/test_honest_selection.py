"""Selection never reads the test part: a test part full of wrong labels changes the judged
scores and nothing that was chosen. Folds and validation parts come from training rows only."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from ml_backend.configs import LeaderboardConfig, SplitConfig, SplitStrategy, TuningConfig
from ml_backend.jobs.leaderboard.run import resolve_leaderboard, run_leaderboard
from ml_backend.jobs.train.resolve import resolve_training
from ml_backend.jobs.train.run import train
from ml_backend.jobs.tune.resolve import resolve_tuning
from ml_backend.jobs.tune.run import tune
from ml_backend.reporting import NullReporter
from ml_backend.splitting import (
    CROSS_VALIDATE_BELOW_ROWS,
    fold_pairs,
    selection_split,
    split_rows,
)
from tests.ml_backend.training_data import config, penguins, profile_of, rows_with_target

FRAME = penguins()
PROFILE = profile_of(FRAME)
SPECIES = {"Adelie": "Gentoo", "Gentoo": "Chinstrap", "Chinstrap": "Adelie"}


def _poisoned(target: str) -> pd.DataFrame:
    """The penguins with every test row's target made wrong (the same rows training holds out
    under the default split): another species, or a body mass turned negative."""
    rows = rows_with_target(FRAME, target)
    test = split_rows(rows[target], SplitConfig()).test
    poisoned = rows.copy()
    values = poisoned[target].to_numpy(copy=True)
    if target == "species":
        values[test] = [SPECIES[value] for value in values[test]]
    else:
        values[test] = -values[test]
    poisoned[target] = values
    return poisoned


def _leaderboard(frame: pd.DataFrame, target: str) -> Any:
    fields = {"dataset": {"name": "penguins"}, "target_column": target,
              "algorithms": ["linear", "random_forest", "lightgbm"]}  # fmt: skip
    resolved = resolve_leaderboard(LeaderboardConfig.model_validate(fields), PROFILE)
    return run_leaderboard(resolved, frame, reporter=NullReporter()).result


@pytest.mark.parametrize("target", ["species", "body_mass_g"])
def test_poisoned_test_labels_leave_a_leaderboard_ranking_unchanged(target: str) -> None:
    clean_frame = rows_with_target(FRAME, target)
    clean, poisoned = _leaderboard(clean_frame, target), _leaderboard(_poisoned(target), target)
    assert [(e.algorithm, e.rank) for e in poisoned.entries] == [
        (e.algorithm, e.rank) for e in clean.entries
    ]
    assert [e.validation for e in poisoned.entries] == [e.validation for e in clean.entries]
    assert poisoned.best == clean.best and poisoned.selected_on == clean.selected_on
    goal = clean.goal_metric
    for before, after in zip(clean.entries, poisoned.entries, strict=True):
        judged_clean = (before.metrics or {})["test"][goal]
        judged_poisoned = (after.metrics or {})["test"][goal]
        # The wrong labels reach the judging, and only it: every model is judged far worse.
        assert judged_poisoned is not None and judged_clean is not None
        assert judged_poisoned < judged_clean - 0.5


def _tuned(frame: pd.DataFrame) -> Any:
    fields = {"dataset": {"name": "penguins"}, "target_column": "species",
              "algorithm": "xgboost", "n_trials": 5, "hyperparameters": {"n_jobs": 1},
              "search_space": {"n_estimators": {"low": 10, "high": 60}}}  # fmt: skip
    resolved = resolve_tuning(TuningConfig.model_validate(fields), PROFILE)
    return tune(resolved, frame, reporter=NullReporter()).result


def test_poisoned_test_labels_leave_a_tuning_search_unchanged() -> None:
    clean, poisoned = _tuned(rows_with_target(FRAME, "species")), _tuned(_poisoned("species"))
    assert [(t.params, t.value, t.state) for t in poisoned.trials] == [
        (t.params, t.value, t.state) for t in clean.trials
    ]
    assert (poisoned.best_params, poisoned.best_value) == (clean.best_params, clean.best_value)
    assert poisoned.training.hyperparameters == clean.training.hyperparameters
    assert poisoned.training.metrics["train"] == clean.training.metrics["train"]
    assert clean.training.metrics["test"]["accuracy"] > 0.9
    assert poisoned.training.metrics["test"]["accuracy"] < 0.1


def test_a_training_with_folds_reports_each_fold_and_fits_on_every_training_row() -> None:
    fields = {"algorithm": "linear", "target_column": "species", "split": {"folds": 4}}
    result = train(resolve_training(config(**fields), PROFILE), FRAME, reporter=NullReporter())
    scores = result.cross_validation
    assert scores is not None and (scores.method, scores.folds, scores.rows) == ("kfold", 4, 275)
    accuracy = scores.metrics["accuracy"]
    assert len(accuracy.folds) == 4 and all(0.8 < (v or 0) <= 1 for v in accuracy.folds)
    assert accuracy.mean == pytest.approx(np.mean(accuracy.folds))
    assert accuracy.std == pytest.approx(np.std(accuracy.folds, ddof=1))
    assert result.data_summary.train_samples == 275 and result.data_summary.validation_samples == 0
    assert set(result.metrics) == {"train", "test"}


def test_folds_cover_the_training_part_once_and_never_the_test_part() -> None:
    rows = rows_with_target(FRAME, "species")
    split = SplitConfig(folds=5)
    parts = split_rows(rows["species"], split)
    classes = rows["species"].to_numpy()
    pairs = fold_pairs(parts, split, classes)
    scored = np.concatenate([score for _, score in pairs])
    assert sorted(scored.tolist()) == sorted(parts.train.tolist())
    for fit, score in pairs:
        assert not set(fit) & set(score) and not set(fit) & set(parts.test)
        assert set(classes[fit]) == set(classes)  # stratified: every fold fits every class


def test_time_folds_score_rows_later_than_those_they_fit_on() -> None:
    frame = pd.DataFrame({"day": pd.date_range("2024-01-01", periods=60), "y": range(60)})
    split = SplitConfig(strategy=SplitStrategy.TIME, folds=3)
    parts = split_rows(frame["y"], split, time_values=frame["day"])
    for fit, score in fold_pairs(parts, split, None):
        assert frame["day"].iloc[fit].max() < frame["day"].iloc[score].min()
        assert frame["day"].iloc[score].max() < frame["day"].iloc[parts.test].min()


def test_selections_cross_validate_small_data_and_hold_out_a_part_of_large() -> None:
    assert selection_split(SplitConfig(), 344).folds == 5
    large = selection_split(SplitConfig(), 2 * CROSS_VALIDATE_BELOW_ROWS)
    assert (large.folds, large.validation_size) == (None, 0.2)
    asked = SplitConfig(validation_size=0.1)
    assert selection_split(asked, 344) == asked
    assert selection_split(SplitConfig(folds=3), 10**6).folds == 3


@pytest.mark.parametrize(
    ("split", "words"),
    [
        ({"folds": 5, "validation_size": 0.2}, "give one of them"),
        ({"folds": 1}, "greater than or equal to 2"),
        ({"folds": 21}, "less than or equal to 20"),
    ],
)
def test_bad_fold_settings_say_what_to_do(split: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        SplitConfig.model_validate(split)
