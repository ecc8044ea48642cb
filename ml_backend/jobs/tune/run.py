"""Tuning: Optuna searches an algorithm's hyperparameters; the best are refit like a normal run.

Every trial trains on the same split and is scored by the goal metric on the validation
part (the test part stays untouched until the refit). Trials of iterative models report
their validation loss each round, and a MedianPruner stops hopeless ones early: the loss
is reported negated when the study maximises, so "better" points the study's way.
"""

from __future__ import annotations

import time
from typing import Any, Literal

import optuna
import pandas as pd
from lightgbm.basic import LightGBMError
from optuna.samplers import TPESampler
from optuna.trial import TrialState
from pydantic import BaseModel, ConfigDict
from xgboost.core import XGBoostError

from ml_backend.algorithms import get_algorithm
from ml_backend.configs import Direction, TaskType, TrainingConfig, TuningConfig
from ml_backend.errors import ConfigValidationError, JobCancelledError, MLInputError
from ml_backend.hyperparameters import validate_hyperparameters
from ml_backend.jobs.spec import Outcome
from ml_backend.jobs.train.resolve import ResolvedTraining, resolve_training
from ml_backend.jobs.train.run import TrainingResult, train
from ml_backend.jobs.tune.plots import tuning_plots
from ml_backend.jobs.tune.space import resolve_space, space_from_json, space_to_json
from ml_backend.metrics import METRICS, metric_names
from ml_backend.numbers import format_metric, format_params
from ml_backend.reporting import ProgressUnit, Reporter
from ml_backend.schema import DatasetProfile
from ml_backend.suggestions import did_you_mean

DEFAULT_VALIDATION_SIZE = 0.2
DEFAULT_GOALS = {TaskType.CLASSIFICATION: "accuracy", TaskType.REGRESSION: "rmse"}
_TUNING_FIELDS = {"n_trials", "timeout_s", "goal_metric", "direction", "search_space"}


class ResolvedTuning(BaseModel):
    """A TuningConfig checked against its dataset, every default explicit."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    training: ResolvedTraining
    n_trials: int | None
    timeout_s: float | None
    goal_metric: str
    direction: Literal["maximize", "minimize"]
    search_space: dict[str, str]
    """Each searched hyperparameter's Optuna distribution, in Optuna's JSON form."""
    fixed: dict[str, Any]
    """Hyperparameters held at one value in every trial."""
    validation_added: bool = False
    """Whether the config had no validation part and tuning set one aside."""


class TrialRecord(BaseModel):
    """One trial: what it tried and how it did on the validation part."""

    number: int
    state: Literal["complete", "pruned", "failed"]
    params: dict[str, Any]
    value: float | None
    metrics: dict[str, float | None]
    duration_s: float
    error: str | None = None


class TuningResult(BaseModel):
    """A finished search and the best trial's settings refit."""

    goal_metric: str
    direction: Literal["maximize", "minimize"]
    best_value: float
    best_params: dict[str, Any]
    best_trial: int
    trials: list[TrialRecord]
    n_pruned: int
    n_failed: int
    duration_s: float
    training: TrainingResult


def resolve_tuning(config: TuningConfig, profile: DatasetProfile) -> ResolvedTuning:
    """`config` checked against `profile`; ConfigValidationError says what to fix."""
    if config.n_trials is None and config.timeout_s is None:
        raise ConfigValidationError(
            "give n_trials, timeout_s or both, so the search knows when to stop",
            field="n_trials",
        )
    split = config.split
    if split.validation_size == 0:
        if split.test_size + DEFAULT_VALIDATION_SIZE >= 0.9:
            raise ConfigValidationError(
                "tuning scores trials on a validation part; lower test_size so that "
                f"{DEFAULT_VALIDATION_SIZE:.0%} of rows can be set aside for it",
                field="split.test_size",
            )
        split = split.model_copy(update={"validation_size": DEFAULT_VALIDATION_SIZE})
    fields = config.model_dump(exclude=_TUNING_FIELDS)
    fields["split"] = split
    training = resolve_training(TrainingConfig.model_validate(fields), profile)
    goal = _goal(config.goal_metric, training.task_type)
    direction = _direction(goal, config.direction)
    spec = get_algorithm(training.algorithm)
    given = dict(config.hyperparameters)
    space, fixed = resolve_space(spec, training.task_type, config.search_space, given)
    metrics = training.metrics if goal in training.metrics else [*training.metrics, goal]
    return ResolvedTuning(
        training=training.model_copy(update={"metrics": metrics}),
        n_trials=config.n_trials,
        timeout_s=config.timeout_s,
        goal_metric=goal,
        direction=direction,
        search_space=space_to_json(space),
        fixed=fixed,
        validation_added=config.split.validation_size == 0,
    )


def _goal(name: str | None, task: TaskType) -> str:
    if name is None:
        return DEFAULT_GOALS[task]
    valid = [m for m in metric_names(task) if m in METRICS]
    if name not in valid:
        raise ConfigValidationError(
            f"goal_metric '{name}' is not a {task.value} metric{did_you_mean(name, valid)} "
            f"Choose one of: {', '.join(valid)}",
            field="goal_metric",
        )
    return name


def _direction(goal: str, asked: Direction | None) -> Literal["maximize", "minimize"]:
    natural: Literal["maximize", "minimize"] = (
        "maximize" if METRICS[goal].greater_is_better else "minimize"
    )
    if asked is not None and asked.value != natural:
        raise ConfigValidationError(
            f"{goal} is better when {'higher' if natural == 'maximize' else 'lower'}; "
            f"direction '{asked.value}' would search for the worst model. Leave direction "
            "out, or choose another goal_metric",
            field="direction",
        )
    return natural


TIMEBOXED_SEARCH_SHARE = 0.9
"""The share of a tuning bounded by time alone that its search takes; the refit, the rest."""


class _SearchProgress:
    """How far a tuning is, as a share of the whole job: the trials, then the refit, which counts
    as one more trial's worth of work. A time limit moves it on as the clock does."""

    def __init__(self, resolved: ResolvedTuning, started: float) -> None:
        self.n_trials = resolved.n_trials
        self.timeout_s = resolved.timeout_s
        self.started = started
        n = resolved.n_trials
        self.search_share = n / (n + 1) if n else TIMEBOXED_SEARCH_SHARE

    def searching(self, trials_done: float) -> float:
        """The share done after `trials_done` trials (fractional within a running trial)."""
        shares = [trials_done / self.n_trials] if self.n_trials else []
        if self.timeout_s:
            shares.append((time.monotonic() - self.started) / self.timeout_s)
        return self.search_share * min(1.0, max(shares, default=0.0))

    def refitting(self, share_of_refit: float) -> float:
        return self.search_share + (1.0 - self.search_share) * min(1.0, share_of_refit)


class _TrialReporter:
    """Feeds a trial's round-by-round validation loss to its pruner, and overall progress out
    in trials: the rounds of one trial move the share done, not the count."""

    def __init__(
        self,
        outer: Reporter,
        trial: optuna.Trial,
        direction: str,
        done: int,
        search: _SearchProgress,
    ) -> None:
        self.outer = outer
        self.trial = trial
        self.sign = -1.0 if direction == "maximize" else 1.0
        self.done = done
        self.search = search

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
        loss = next((v for k, v in (metrics or {}).items() if k.startswith("validation/")), None)
        if loss is not None:
            self.trial.report(self.sign * loss, step)
            if self.trial.should_prune():
                raise optuna.TrialPruned()
        self.outer.progress(
            self.done,
            self.search.n_trials or 0,
            unit="trial",
            fraction=self.search.searching(self.done + min(step / max(total, 1), 1.0)),
        )

    def log(self, message: str) -> None:
        return None

    def artifact(self, kind: str, name: str) -> None:
        return None


class _RefitReporter:
    """The refit of the best settings: its rounds, and the last stretch of the share done."""

    def __init__(self, outer: Reporter, search: _SearchProgress) -> None:
        self.outer = outer
        self.search = search

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
        self.outer.progress(
            step,
            total,
            message=message,
            metrics=metrics,
            unit=unit,
            fraction=self.search.refitting(step / total if total > 0 else 0.0),
        )

    def log(self, message: str) -> None:
        self.outer.log(message)

    def artifact(self, kind: str, name: str) -> None:
        self.outer.artifact(kind, name)


def tune(
    resolved: ResolvedTuning, frame: pd.DataFrame, *, reporter: Reporter, artifact_dir: Any = None
) -> Outcome[TuningResult]:
    """Search, record every trial, then refit the best settings (saved if `artifact_dir`).

    The plots are the search's: history, slice, contour, importance."""
    started = time.monotonic()
    # Optuna logs every trial at INFO on its own handler; the reporter carries them instead.
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = space_from_json(resolved.search_space)
    study = optuna.create_study(
        direction=resolved.direction,
        sampler=TPESampler(seed=resolved.training.split.random_state),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=10),
    )
    goal = resolved.goal_metric
    if resolved.validation_added:
        reporter.log(
            f"{DEFAULT_VALIDATION_SIZE:.0%} of the rows are set aside as a validation part "
            "to score trials on; the test part stays untouched until the refit"
        )
    reporter.log(
        f"tuning {resolved.training.algorithm} over {', '.join(space)}: "
        f"{resolved.n_trials or 'unlimited'} trials"
        + (f" or {resolved.timeout_s:g} s" if resolved.timeout_s else "")
        + f", {resolved.direction} validation {goal}"
    )
    search = _SearchProgress(resolved, started)
    records: list[TrialRecord] = []
    while _more(resolved, len(records), started):
        records.append(_trial(resolved, frame, study, space, reporter, len(records), search))
        best = _best(records, resolved.direction)
        last = records[-1]
        said = format_metric(goal, last.value) if last.value is not None else last.state
        best_said = (
            f" (best {format_metric(goal, best.value)})" if best and best.value is not None else ""
        )
        live = {f"best/{goal}": best.value} if best and best.value is not None else {}
        if last.value is not None:
            live[f"trial/{goal}"] = last.value
        reporter.progress(
            len(records),
            resolved.n_trials or 0,
            message=f"trial {len(records)}: {goal} {said}{best_said}",
            metrics=live or None,
            unit="trial",
            fraction=search.searching(len(records)),
        )
    best = _best(records, resolved.direction)
    if best is None or best.value is None:
        reasons = "; ".join(sorted({r.error or r.state for r in records}))
        raise ConfigValidationError(f"no trial finished ({reasons})", field="search_space")
    reporter.log(f"refitting the best settings (trial {best.number}): {format_params(best.params)}")
    training = _with_params(resolved, best.params)
    refit = train(
        training, frame, reporter=_RefitReporter(reporter, search), artifact_dir=artifact_dir
    )
    result = TuningResult(
        goal_metric=goal,
        direction=resolved.direction,
        best_value=best.value,
        best_params=best.params,
        best_trial=best.number,
        trials=records,
        n_pruned=sum(r.state == "pruned" for r in records),
        n_failed=sum(r.state == "failed" for r in records),
        duration_s=time.monotonic() - started,
        training=refit,
    )
    return Outcome(result, tuning_plots(study, goal))


def _more(resolved: ResolvedTuning, done: int, started: float) -> bool:
    if resolved.n_trials is not None and done >= resolved.n_trials:
        return False
    return resolved.timeout_s is None or time.monotonic() - started < resolved.timeout_s


def _with_params(resolved: ResolvedTuning, params: dict[str, Any]) -> ResolvedTraining:
    spec = get_algorithm(resolved.training.algorithm)
    values = validate_hyperparameters(spec, {**resolved.fixed, **params})
    return resolved.training.model_copy(update={"hyperparameters": values})


def _trial(
    resolved: ResolvedTuning,
    frame: pd.DataFrame,
    study: optuna.Study,
    space: dict[str, Any],
    reporter: Reporter,
    done: int,
    search: _SearchProgress,
) -> TrialRecord:
    trial = study.ask(space)
    began = time.monotonic()
    params = dict(trial.params)
    watcher = _TrialReporter(reporter, trial, resolved.direction, done, search)

    def record(
        state: Literal["complete", "pruned", "failed"],
        value: float | None = None,
        metrics: dict[str, float | None] | None = None,
        error: str | None = None,
    ) -> TrialRecord:
        return TrialRecord(
            number=trial.number,
            state=state,
            params=params,
            value=value,
            metrics=metrics or {},
            duration_s=time.monotonic() - began,
            error=error,
        )

    try:
        result = train(_with_params(resolved, params), frame, reporter=watcher, explanations=False)
    except optuna.TrialPruned:
        study.tell(trial, state=TrialState.PRUNED)
        return record("pruned")
    except JobCancelledError:
        raise
    except (MLInputError, ValueError, ArithmeticError, LightGBMError, XGBoostError) as error:
        # One bad combination of settings fails its trial, not the search.
        study.tell(trial, state=TrialState.FAIL)
        return record("failed", error=f"{type(error).__name__}: {error}")
    metrics = result.metrics.get("validation") or {}
    value = metrics.get(resolved.goal_metric)
    if value is None:
        study.tell(trial, state=TrialState.FAIL)
        return record("failed", metrics=metrics, error=f"{resolved.goal_metric} not computable")
    study.tell(trial, value)
    return record("complete", value, metrics)


def _best(records: list[TrialRecord], direction: str) -> TrialRecord | None:
    complete = [r for r in records if r.value is not None]
    if not complete:
        return None
    pick = max if direction == "maximize" else min
    return pick(complete, key=lambda r: r.value if r.value is not None else 0.0)
