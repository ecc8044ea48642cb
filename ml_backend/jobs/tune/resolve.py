"""A TuningConfig checked against its dataset: the training it tunes, the goal, the space."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ml_backend.algorithms import get_algorithm
from ml_backend.configs import Direction, TaskType, TrainingConfig, TuningConfig
from ml_backend.errors import ConfigValidationError
from ml_backend.jobs.train.resolve import ResolvedTraining, resolve_training
from ml_backend.jobs.tune.space import for_features, resolve_space, space_to_json
from ml_backend.metrics import METRICS, metric_names
from ml_backend.schema import DatasetProfile
from ml_backend.splitting import selection_split
from ml_backend.suggestions import did_you_mean

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
    """Whether the config had neither folds nor a validation part and tuning chose one."""


def resolve_tuning(config: TuningConfig, profile: DatasetProfile) -> ResolvedTuning:
    """`config` checked against `profile`; ConfigValidationError says what to fix."""
    if config.n_trials is None and config.timeout_s is None:
        raise ConfigValidationError(
            "give n_trials, timeout_s or both, so the search knows when to stop",
            field="n_trials",
        )
    # Trials are scored on the training data alone (folds or a validation part), never on the
    # test part, which judges the refit best settings once.
    split = selection_split(config.split, profile.row_count)
    fields = config.model_dump(exclude=_TUNING_FIELDS)
    fields["split"] = split
    training = resolve_training(TrainingConfig.model_validate(fields), profile)
    goal = _goal(config.goal_metric, training.task_type)
    direction = _direction(goal, config.direction)
    spec = get_algorithm(training.algorithm)
    given = dict(config.hyperparameters)
    space, fixed = resolve_space(spec, training.task_type, config.search_space, given)
    space = for_features(space, training.feature_kinds)
    metrics = training.metrics if goal in training.metrics else [*training.metrics, goal]
    return ResolvedTuning(
        training=training.model_copy(update={"metrics": metrics}),
        n_trials=config.n_trials,
        timeout_s=config.timeout_s,
        goal_metric=goal,
        direction=direction,
        search_space=space_to_json(space),
        fixed=fixed,
        validation_added=split != config.split,
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
