"""Leaderboards: applicability, phases, ranking, per-algorithm artifacts, isolated failures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from ml_backend.algorithms import ALGORITHMS
from ml_backend.algorithms.linear import LinearSpec
from ml_backend.algorithms.xgboost import XGBoostSpec
from ml_backend.configs import LeaderboardConfig, TaskType, TrainingConfig
from ml_backend.errors import ConfigValidationError
from ml_backend.jobs.leaderboard.run import (
    EntryStatus,
    LeaderboardResult,
    resolve_leaderboard,
    run_leaderboard,
)
from ml_backend.jobs.spec import Figure
from ml_backend.jobs.train.resolve import resolve_training
from ml_backend.jobs.train.run import train
from ml_backend.reporting import NullReporter, ProgressUnit
from ml_backend.schema import DatasetProfile
from tests.ml_backend.training_data import config, penguins, profile_of


class RegressionOnlySpec(LinearSpec):
    """A registered algorithm that cannot classify: it must drop out of a classification."""

    name = "regression_only"
    tasks = frozenset({TaskType.REGRESSION})


class LinearCopySpec(LinearSpec):
    """The linear model under another name: its metrics tie with linear's."""

    name = "linear_copy"


@dataclass
class Timeline:
    """Phases and reporter events, in the order they happened."""

    events: list[dict[str, Any]] = field(default_factory=list)

    def phase(self, phase: str, details: dict[str, Any]) -> None:
        self.events.append({"type": "phase", "phase": str(phase), "details": details})

    def progress(
        self,
        step: int,
        total: int,
        *,
        message: str | None = None,
        metrics: dict[str, float] | None = None,
        unit: ProgressUnit | None = None,
        fraction: float | None = None,
    ) -> None:
        self.events.append({"type": "progress", "step": step, "total": total, "message": message,
                            "unit": unit, "fraction": fraction})  # fmt: skip

    def log(self, message: str) -> None:
        self.events.append({"type": "log", "message": message})

    def artifact(self, kind: str, name: str) -> None:
        self.events.append({"type": "artifact", "kind": kind, "name": name})

    def logs(self) -> list[str]:
        return [event["message"] for event in self.events if event["type"] == "log"]


def _leaderboard(**fields: Any) -> LeaderboardConfig:
    return LeaderboardConfig.model_validate({"dataset": {"name": "penguins"}, **fields})


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return penguins()


@pytest.fixture(scope="module")
def profile(frame: pd.DataFrame) -> DatasetProfile:
    return profile_of(frame)


@pytest.fixture
def extra_algorithms() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for spec in (RegressionOnlySpec(), LinearCopySpec()):
            patch.setitem(ALGORITHMS, spec.name, spec)
        yield


@dataclass
class Run:
    result: LeaderboardResult
    timeline: Timeline
    artifact_dir: Path
    plots: dict[str, Figure]


@pytest.fixture(scope="module")
def run(
    frame: pd.DataFrame, profile: DatasetProfile, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Run]:
    """One leaderboard of species, ranked by test log loss, with an algorithm that cannot
    classify among the candidates."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(ALGORITHMS, RegressionOnlySpec.name, RegressionOnlySpec())
        resolved = resolve_leaderboard(
            _leaderboard(
                target_column="species",
                algorithms=["linear", "regression_only", "lightgbm", "xgboost"],
                goal_metric="log_loss",
                metrics=["accuracy"],
            ),
            profile,
        )
        timeline = Timeline()
        directory = tmp_path_factory.mktemp("leaderboard")
        outcome = run_leaderboard(
            resolved, frame, reporter=timeline, artifact_dir=directory, on_phase=timeline.phase
        )
        yield Run(outcome.result, timeline, directory, outcome.plots)


def test_phases_come_in_order(run: Run) -> None:
    events = run.timeline.events
    phases = [event for event in events if event["type"] == "phase"]
    assert [event["phase"] for event in phases] == ["preprocessing", "training", "trained"]
    assert events[0] is phases[0] and events[-1] is phases[2]
    training_at = events.index(phases[1])
    verdicts = [event["message"] for event in events[:training_at] if event["type"] == "log"]
    assert verdicts == [
        "linear: applies",
        "regression_only: not applicable: regression_only does regression, not classification",
        "lightgbm: applies",
        "xgboost: applies",
    ]
    assert phases[1]["details"] == {"algorithms": ["linear", "lightgbm", "xgboost"]}
    assert phases[2]["details"] == {"best": run.result.best, "failed": []}
    progress = [event for event in events if event["type"] == "progress"]
    first_progress = next(i for i, event in enumerate(events) if event["type"] == "progress")
    assert first_progress > training_at
    # Counted in algorithms (k of 3 done); the share of the current one moves the fraction.
    assert {(event["unit"], event["total"]) for event in progress} == {("algorithm", 3)}
    steps = [event["step"] for event in progress]
    assert steps == sorted(steps) and set(steps) == {0, 1, 2, 3}
    fractions = [event["fraction"] for event in progress]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert len({f for f in fractions if 2 / 3 < f < 1}) > 1, "no progress within an algorithm"
    assert progress[-1]["message"] == "xgboost (3 of 3)"


def test_rounds_carry_no_message_so_the_stream_can_thin_them(run: Run) -> None:
    """The reporter thins only progress without a message: a leaderboard names each algorithm
    as it starts, then passes its rounds on bare (xgboost and lightgbm report every round)."""
    progress = [e for e in run.timeline.events if e["type"] == "progress"]
    said = [e["message"] for e in progress if e["message"]]
    assert len(progress) > 50, len(progress)  # the boosting rounds came through
    assert len(said) < 15, said
    for algorithm in ("linear", "lightgbm", "xgboost"):
        assert any(m.startswith(f"{algorithm} (") for m in said), (algorithm, said)


def test_entries_are_ranked_by_cross_validation_and_judged_on_the_test_part(run: Run) -> None:
    result = run.result
    assert (result.goal_metric, result.direction) == ("log_loss", "minimize")
    finished = [e for e in result.entries if e.status is EntryStatus.FINISHED]
    chosen_by = {e.algorithm: e.validation.mean("log_loss") for e in finished if e.validation}
    by_loss = sorted(chosen_by, key=lambda name: chosen_by[name] or np.inf)
    assert [entry.algorithm for entry in finished] == by_loss
    assert [entry.rank for entry in finished] == [1, 2, 3]
    assert result.best == by_loss[0]
    assert result.entries[-1].algorithm == "regression_only"
    # 344 penguins: small enough for 5-fold cross-validation of the 275 training rows.
    assert result.selected_on == "5-fold cross-validation of 275 training rows"
    assert all(e.validation and e.validation.folds == 5 for e in finished)
    assert all(len(e.validation.metrics["log_loss"].folds) == 5 for e in finished if e.validation)
    # log_loss was added to the requested metrics, since the ranking needs it
    assert all(set((e.metrics or {})["test"]) == {"accuracy", "log_loss"} for e in finished)
    bars, tests = run.plots["leaderboard"]["data"]
    assert bars["y"] == by_loss[::-1]
    assert bars["x"] == pytest.approx([chosen_by[name] for name in by_loss[::-1]])
    stds = [e.validation.metrics["log_loss"].std for e in finished if e.validation]
    assert bars["error_x"]["array"] == pytest.approx(stds[::-1])
    judged = [(e.metrics or {})["test"]["log_loss"] for e in finished]
    assert tests["x"] == pytest.approx(judged[::-1]) and tests["y"] == bars["y"]


def test_each_entry_equals_a_direct_training_of_its_algorithm(
    run: Run, frame: pd.DataFrame, profile: DatasetProfile
) -> None:
    for entry in run.result.entries:
        if entry.status is not EntryStatus.FINISHED:
            continue
        direct = train(
            resolve_training(
                config(
                    algorithm=entry.algorithm,
                    target_column="species",
                    metrics=["accuracy", "log_loss"],
                ),
                profile,
            ),
            frame,
            reporter=NullReporter(),
            explanations=False,
        )
        assert entry.metrics == direct.metrics
        assert entry.training_duration_seconds is not None
        assert entry.training_duration_seconds > 0


def test_an_algorithm_that_does_not_apply_is_listed_with_its_reason(run: Run) -> None:
    entry = next(e for e in run.result.entries if e.algorithm == "regression_only")
    assert entry.applicable is False
    assert entry.status is EntryStatus.NOT_APPLICABLE
    assert entry.reason == "regression_only does regression, not classification"
    assert entry.metrics is None and entry.rank is None
    assert not (run.artifact_dir / "regression_only").exists()


def test_each_algorithm_is_saved_in_its_own_folder(run: Run) -> None:
    for name in ("linear", "lightgbm", "xgboost"):
        folder = run.artifact_dir / name
        assert (folder / "model.joblib").exists()
        saved = json.loads((folder / "metrics.json").read_text())
        entry = next(e for e in run.result.entries if e.algorithm == name)
        assert saved["metrics"] == entry.metrics
    artifacts = {e["name"] for e in run.timeline.events if e["type"] == "artifact"}
    assert {"linear/model.joblib", "xgboost/model.ubj", "lightgbm/model.txt"} <= artifacts
    assert "leaderboard.json" in artifacts
    stored = json.loads((run.artifact_dir / "leaderboard.json").read_text())
    assert stored == {**run.result.model_dump(mode="json"), "plots": run.plots}


def test_a_failing_algorithm_is_recorded_and_the_others_go_on(
    frame: pd.DataFrame, profile: DatasetProfile, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_fit(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("out of memory on the worker")

    monkeypatch.setattr(XGBoostSpec, "fit", broken_fit)
    resolved = resolve_leaderboard(
        _leaderboard(target_column="body_mass_g", algorithms=["xgboost", "linear"]), profile
    )
    timeline = Timeline()
    result = run_leaderboard(resolved, frame, reporter=timeline, on_phase=timeline.phase).result
    failed, linear = (
        next(e for e in result.entries if e.algorithm == n) for n in ("xgboost", "linear")
    )
    assert failed.status is EntryStatus.FAILED
    assert failed.reason == "RuntimeError: out of memory on the worker"
    assert failed.rank is None and failed.metrics is None
    assert linear.status is EntryStatus.FINISHED and linear.rank == 1
    assert result.best == "linear" and result.goal_metric == "r2"
    assert [e.algorithm for e in result.entries] == ["linear", "xgboost"]
    assert "xgboost: failed: RuntimeError: out of memory on the worker" in timeline.logs()
    assert timeline.events[-1]["details"] == {"best": "linear", "failed": ["xgboost"]}


def test_equal_values_share_a_rank(
    frame: pd.DataFrame, profile: DatasetProfile, extra_algorithms: None
) -> None:
    resolved = resolve_leaderboard(
        _leaderboard(target_column="body_mass_g", algorithms=["lightgbm", "linear", "linear_copy"]),
        profile,
    )
    result = run_leaderboard(resolved, frame, reporter=NullReporter()).result
    ranks = {entry.algorithm: entry.rank for entry in result.entries}
    r2 = {e.algorithm: e.validation.mean("r2") or 0.0 for e in result.entries if e.validation}
    assert r2["linear"] == r2["linear_copy"] and len(r2) == 3
    for name, value in r2.items():
        assert ranks[name] == 1 + sum(other > value for other in r2.values())


def test_data_errors_fail_the_whole_request(profile: DatasetProfile) -> None:
    with pytest.raises(ConfigValidationError, match="did you mean 'species'") as missing:
        resolve_leaderboard(_leaderboard(target_column="specie", algorithms=["linear"]), profile)
    assert missing.value.field == "target_column"
    with pytest.raises(ConfigValidationError, match="unknown algorithm 'xgbost'") as unknown:
        resolve_leaderboard(_leaderboard(target_column="species", algorithms=["xgbost"]), profile)
    assert unknown.value.field == "algorithms"
    with pytest.raises(ConfigValidationError, match="not a classification metric") as goal:
        resolve_leaderboard(
            _leaderboard(target_column="species", algorithms=["linear"], goal_metric="rmse"),
            profile,
        )
    assert goal.value.field == "goal_metric"


def test_a_leaderboard_where_nothing_applies_is_refused(
    profile: DatasetProfile, extra_algorithms: None
) -> None:
    with pytest.raises(ConfigValidationError, match="none of the algorithms applies") as error:
        resolve_leaderboard(
            _leaderboard(target_column="species", algorithms=["regression_only"]), profile
        )
    assert error.value.field == "algorithms"


def test_defaults_are_every_registered_algorithm_and_the_headline_metric(
    profile: DatasetProfile,
) -> None:
    resolved = resolve_leaderboard(_leaderboard(target_column="species"), profile)
    assert [c.algorithm for c in resolved.candidates] == list(ALGORITHMS)
    assert (resolved.goal_metric, resolved.direction) == ("accuracy", "maximize")
    regression = resolve_leaderboard(
        _leaderboard(target_column="body_mass_g", algorithms=["linear"]), profile
    )
    assert regression.goal_metric == "r2"
    only_mae = resolve_leaderboard(
        _leaderboard(target_column="body_mass_g", algorithms=["linear"], metrics=["mae"]), profile
    )
    assert (only_mae.goal_metric, only_mae.direction) == ("mae", "minimize")


def test_leaderboard_config_has_the_training_fields_but_algorithm_and_hyperparameters() -> None:
    # `series` says which series a forecast fits; a leaderboard compares models, no forecasters.
    training = set(TrainingConfig.model_fields) - {"algorithm", "hyperparameters", "series"}
    assert set(LeaderboardConfig.model_fields) == training | {"algorithms", "goal_metric"}
    with pytest.raises(ValueError, match="at least 1 item"):
        _leaderboard(target_column="species", algorithms=[])
