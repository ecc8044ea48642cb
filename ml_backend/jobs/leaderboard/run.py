"""Leaderboards: several algorithms trained on the same rows and split, ranked by one metric.

A leaderboard follows the project protocol of DESIGN.md, with algorithms as plugins: it is in
phase `preprocessing` until every candidate algorithm has said whether it applies to the
data, `training` while the applicable ones train one after another, and `trained` when all
are done. An algorithm that fails is recorded with its reason; the others go on.

Entries are ranked by the goal metric on data the test part is no part of: k-fold
cross-validation of the training part on small data, a validation part on large data
(`ml_backend.splitting.selection_split`); the best first, equal values sharing a rank
(1, 2, 2, 4). Each algorithm's model is then fitted on every training row and judged once on the
test part, which is reported beside the ranking and never decides it. Failed and inapplicable
algorithms, and any whose goal metric has no value, get no rank and come last.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict

from ml_backend.algorithms import ALGORITHMS, get_algorithm
from ml_backend.configs import LeaderboardConfig, TaskType, TrainingConfig
from ml_backend.errors import ConfigValidationError, JobCancelledError, MLInputError
from ml_backend.explanations import headline_metric
from ml_backend.jobs.leaderboard.plots import leaderboard_figure
from ml_backend.jobs.spec import Outcome
from ml_backend.jobs.train.data import prepare
from ml_backend.jobs.train.resolve import ResolvedTraining, resolve_training
from ml_backend.jobs.train.run import METRICS_FILE, train
from ml_backend.jobs.train.scoring import ValidationScores, score_training
from ml_backend.metrics import METRICS, metric_names
from ml_backend.numbers import format_metric
from ml_backend.reporting import NullReporter, Reporter, ScopedReporter
from ml_backend.schema import DatasetProfile
from ml_backend.splitting import final_split, selection_split
from ml_backend.suggestions import did_you_mean

logger = logging.getLogger(__name__)

LEADERBOARD_FILE = "leaderboard.json"

PhaseHook = Callable[[str, dict[str, Any]], None]
"""`(phase, details)`: called when the leaderboard enters `preprocessing`, `training`, `trained`."""


class Phase(StrEnum):
    PREPROCESSING = "preprocessing"
    TRAINING = "training"
    TRAINED = "trained"


class EntryStatus(StrEnum):
    FINISHED = "finished"
    FAILED = "failed"
    NOT_APPLICABLE = "not_applicable"


class Candidate(BaseModel):
    """One algorithm of a leaderboard: whether it applies, and if so its resolved config."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    algorithm: str
    applicable: bool
    reason: str | None
    """Why the algorithm does not apply; None when it does."""
    training: ResolvedTraining | None


class ResolvedLeaderboard(BaseModel):
    """A LeaderboardConfig checked against its dataset: every candidate's verdict and config."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None
    task_type: TaskType
    goal_metric: str
    direction: Literal["maximize", "minimize"]
    candidates: list[Candidate]

    @property
    def applicable(self) -> list[Candidate]:
        """The candidates that will train, in the order given."""
        return [candidate for candidate in self.candidates if candidate.applicable]


class LeaderboardEntry(BaseModel):
    """One algorithm's line on the leaderboard."""

    algorithm: str
    applicable: bool
    reason: str | None
    """Why it does not apply, or why it failed; None when it trained."""
    status: EntryStatus
    metrics: dict[str, dict[str, float | None]] | None
    """Per split, as in TrainingResult.metrics, of the model fitted on every training row;
    None unless it trained."""
    training_duration_seconds: float | None
    rank: int | None
    validation: ValidationScores | None = None
    """The scores it was ranked by, from the training data alone; None unless it trained."""


class LeaderboardResult(BaseModel):
    """A finished leaderboard: entries best first, the best algorithm and the plot."""

    task_type: TaskType
    goal_metric: str
    direction: Literal["maximize", "minimize"]
    entries: list[LeaderboardEntry]
    best: str | None
    """The algorithm ranked first; None when none trained with a value of the goal metric."""
    selected_on: str | None = None
    """Which data ranked the algorithms, in words ('5-fold cross-validation of 1,200 training
    rows'); None when none trained."""
    judged_on: str | None = None
    """Which data judged the models once they were chosen: the test part, in words."""


def resolve_leaderboard(config: LeaderboardConfig, profile: DatasetProfile) -> ResolvedLeaderboard:
    """`config` checked against `profile`: each algorithm applies or says why not.

    An error about the data (a missing column, an impossible split) fails the whole
    leaderboard; an algorithm that cannot handle this task or data only drops out.
    """
    names = _candidate_names(config.algorithms)
    fields = config.model_dump(exclude={"algorithms", "goal_metric"})
    fields["split"] = selection_split(config.split, profile.row_count)
    candidates = [_candidate(name, fields, profile) for name in names]
    trainable = [candidate.training for candidate in candidates if candidate.training is not None]
    if not trainable:
        reasons = "; ".join(f"{c.algorithm}: {c.reason}" for c in candidates)
        raise ConfigValidationError(
            f"none of the algorithms applies to this data ({reasons}). Choose another target "
            "or task_type, or other algorithms.",
            field="algorithms",
        )
    task = trainable[0].task_type
    goal = _goal(config.goal_metric, task, trainable[0].metrics)
    return ResolvedLeaderboard(
        name=config.name,
        task_type=task,
        goal_metric=goal,
        direction="maximize" if METRICS[goal].greater_is_better else "minimize",
        candidates=[_computing(candidate, goal) for candidate in candidates],
    )


def run_leaderboard(
    resolved: ResolvedLeaderboard,
    frame: pd.DataFrame,
    *,
    reporter: Reporter,
    artifact_dir: Path | None = None,
    on_phase: PhaseHook | None = None,
) -> Outcome[LeaderboardResult]:
    """Train every applicable algorithm of `resolved` on `frame` in turn and rank them.

    The plot ranks them by the goal metric ("leaderboard"; none when nothing trained).

    Each algorithm's model and metrics go to `artifact_dir/<algorithm>/` (when given), the
    result to `artifact_dir/leaderboard.json`.
    """
    announce = on_phase or _ignore_phase
    announce(Phase.PREPROCESSING, {"algorithms": [c.algorithm for c in resolved.candidates]})
    for candidate in resolved.candidates:
        verdict = "applies" if candidate.applicable else f"not applicable: {candidate.reason}"
        reporter.log(f"{candidate.algorithm}: {verdict}")
    applicable = resolved.applicable
    announce(Phase.TRAINING, {"algorithms": [c.algorithm for c in applicable]})
    trained = {
        candidate.algorithm: _train_one(resolved, candidate, index, frame, reporter, artifact_dir)
        for index, candidate in enumerate(applicable)
    }
    entries = [trained.get(c.algorithm) or _not_applicable(c) for c in resolved.candidates]
    outcome = _ranked(resolved, entries)
    result = outcome.result
    if artifact_dir is not None:
        artifact_dir.mkdir(parents=True, exist_ok=True)
        if result.best is not None:
            _keep_winner(artifact_dir, result.best, reporter)
        stored = {**result.model_dump(mode="json"), "plots": outcome.plots}
        (artifact_dir / LEADERBOARD_FILE).write_text(json.dumps(stored, indent=2))
        reporter.artifact("leaderboard", LEADERBOARD_FILE)
    failed = [e.algorithm for e in result.entries if e.status is EntryStatus.FAILED]
    announce(Phase.TRAINED, {"best": result.best, "failed": failed})
    return outcome


def _keep_winner(artifact_dir: Path, best: str, reporter: Reporter) -> None:
    """The winner's model files, copied to the run's own folder: the leaderboard's model, which
    predicts, downloads and reproduces like a training run's."""
    for path in sorted((artifact_dir / best).iterdir()):
        if path.name == METRICS_FILE or not path.is_file():
            continue
        shutil.copyfile(path, artifact_dir / path.name)
        reporter.artifact("model", path.name)


def _candidate_names(requested: Sequence[str] | None) -> list[str]:
    if requested is None:
        return list(ALGORITHMS)
    names = []
    for name in dict.fromkeys(requested):
        try:
            names.append(get_algorithm(name).name)
        except ConfigValidationError as error:
            raise ConfigValidationError(error.detail, field="algorithms") from error
    return names


def _candidate(name: str, fields: dict[str, Any], profile: DatasetProfile) -> Candidate:
    config = TrainingConfig.model_validate({**fields, "algorithm": name})
    try:
        training = resolve_training(config, profile)
    except ConfigValidationError as error:
        if error.field != "algorithm":
            raise
        reason = error.detail.removeprefix(f"algorithm '{name}' cannot be used here: ")
        return Candidate(algorithm=name, applicable=False, reason=reason, training=None)
    return Candidate(algorithm=name, applicable=True, reason=None, training=training)


def _goal(requested: str | None, task: TaskType, metrics: Sequence[str]) -> str:
    if requested is None:
        return headline_metric(task, metrics)
    valid = [name for name in metric_names(task) if name in METRICS]
    if requested not in valid:
        raise ConfigValidationError(
            f"goal_metric '{requested}' is not a {task.value} metric"
            f"{did_you_mean(requested, valid)} Choose one of: {', '.join(valid)}",
            field="goal_metric",
        )
    return requested


def _computing(candidate: Candidate, goal: str) -> Candidate:
    """The candidate, its training made to compute the goal metric too."""
    training = candidate.training
    if training is None or goal in training.metrics:
        return candidate
    updated = training.model_copy(update={"metrics": [*training.metrics, goal]})
    return candidate.model_copy(update={"training": updated})


def _train_one(
    resolved: ResolvedLeaderboard,
    candidate: Candidate,
    index: int,
    frame: pd.DataFrame,
    reporter: Reporter,
    artifact_dir: Path | None,
) -> LeaderboardEntry:
    algorithm, training = candidate.algorithm, candidate.training
    assert training is not None  # only applicable candidates train
    scoped = ScopedReporter(
        reporter, index, len(resolved.applicable), algorithm, steps="parts", unit="algorithm"
    )
    directory = None if artifact_dir is None else artifact_dir / algorithm
    try:
        data = prepare(training, frame, NullReporter())
        scored = score_training(training, data, ScopedReporter(scoped, 0, 2)).scores
        final = training.model_copy(update={"split": final_split(training.split)})
        # No permutation importance or SHAP per candidate: a leaderboard shows none of them,
        # and they took a third of its time.
        result = train(
            final,
            frame,
            reporter=ScopedReporter(scoped, 1, 2),
            artifact_dir=directory,
            explanations=False,
        )
    except JobCancelledError:
        raise
    except Exception as exc:
        # One algorithm's failure is one line of the leaderboard, not the end of it.
        if isinstance(exc, MLInputError):
            reason = exc.detail
        else:
            logger.exception("leaderboard: %s failed", algorithm)
            reason = f"{type(exc).__name__}: {exc}"
        reporter.log(f"{algorithm}: failed: {reason}")
        scoped.progress(1, 1)
        return LeaderboardEntry(
            algorithm=algorithm,
            applicable=True,
            reason=reason,
            status=EntryStatus.FAILED,
            metrics=None,
            training_duration_seconds=None,
            rank=None,
        )
    goal = resolved.goal_metric
    chosen_by = format_metric(goal, scored.mean(goal))
    judged = format_metric(goal, result.metrics["test"].get(goal))
    reporter.log(f"{algorithm}: validation {goal} {chosen_by} (test {judged})")
    scoped.progress(1, 1)
    return LeaderboardEntry(
        algorithm=algorithm,
        applicable=True,
        reason=None,
        status=EntryStatus.FINISHED,
        metrics=result.metrics,
        training_duration_seconds=result.training_duration_seconds,
        rank=None,
        validation=scored,
    )


def _not_applicable(candidate: Candidate) -> LeaderboardEntry:
    return LeaderboardEntry(
        algorithm=candidate.algorithm,
        applicable=False,
        reason=candidate.reason,
        status=EntryStatus.NOT_APPLICABLE,
        metrics=None,
        training_duration_seconds=None,
        rank=None,
    )


def _validation_value(entry: LeaderboardEntry, goal: str) -> float | None:
    if entry.validation is None:
        return None
    return entry.validation.mean(goal)


def _ranked(
    resolved: ResolvedLeaderboard, entries: list[LeaderboardEntry]
) -> Outcome[LeaderboardResult]:
    goal, greater = resolved.goal_metric, resolved.direction == "maximize"
    scored = [(entry, _validation_value(entry, goal)) for entry in entries]
    values = [value for _, value in scored if value is not None]

    def rank(value: float) -> int:
        return 1 + sum(other > value if greater else other < value for other in values)

    ranked = sorted(
        (
            entry.model_copy(update={"rank": rank(value)})
            for entry, value in scored
            if value is not None
        ),
        key=lambda entry: entry.rank or 0,
    )
    unranked = [entry for entry, value in scored if value is None]
    ordered = [*ranked, *unranked]
    plots = {}
    if ranked:
        plots["leaderboard"] = leaderboard_figure(
            [entry.algorithm for entry in ranked],
            [_validation_value(entry, goal) or 0.0 for entry in ranked],
            goal,
            greater_is_better=greater,
            spreads=[_spread(entry, goal) for entry in ranked],
            tests=[(entry.metrics or {}).get("test", {}).get(goal) for entry in ranked],
            ranked_on="cross-validated" if _cross_validated(ranked) else "validation",
        )
    result = LeaderboardResult(
        task_type=resolved.task_type,
        goal_metric=goal,
        direction=resolved.direction,
        entries=ordered,
        best=ranked[0].algorithm if ranked else None,
        selected_on=_selected_on(ranked),
        judged_on=_judged_on(ranked),
    )
    return Outcome(result, plots)


def _spread(entry: LeaderboardEntry, goal: str) -> float | None:
    scores = entry.validation.metrics.get(goal) if entry.validation else None
    return None if scores is None else scores.std


def _cross_validated(ranked: list[LeaderboardEntry]) -> bool:
    return bool(ranked) and ranked[0].validation is not None and ranked[0].validation.folds > 1


def _selected_on(ranked: list[LeaderboardEntry]) -> str | None:
    scores = ranked[0].validation if ranked else None
    return None if scores is None else scores.describe()


def _judged_on(ranked: list[LeaderboardEntry]) -> str | None:
    if not ranked or ranked[0].validation is None:
        return None
    return "the test part, once, after the ranking"


def _ignore_phase(phase: str, details: dict[str, Any]) -> None:
    return None
