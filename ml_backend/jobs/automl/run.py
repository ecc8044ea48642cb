"""AutoML: the best model mlchat can find in a wall-clock budget, chosen on training data alone.

1. **Screening**: every applicable algorithm with its defaults, cheap ones first, each scored
   as a leaderboard scores it (k-fold cross-validation of the training part on small data, a
   validation part on large). Past half the budget a fit is stopped and the rest skipped.
2. **Tuning**: the best `TUNED_ALGORITHMS` algorithms share what is left, less a reserve for the
   final fit; each search starts from its defaults' score, so it can only find better.
3. **Ensemble**: greedy selection with replacement (Caruana et al. 2004) over the out-of-fold
   predictions of every model kept, starting from the best single one.
4. **Final fit**: the chosen ensemble (or single model) fitted on every training row, judged
   once on the test part, which nothing before read.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import optuna
import pandas as pd
from optuna.trial import create_trial
from pydantic import BaseModel, ConfigDict

from ml_backend.algorithms import get_algorithm
from ml_backend.configs import AutoMLConfig, LeaderboardConfig, TaskType
from ml_backend.errors import JobCancelledError, MLInputError
from ml_backend.jobs.automl.clock import BudgetReporter, Clock, OutOfTime
from ml_backend.jobs.automl.plots import automl_plots
from ml_backend.jobs.automl.selection import OutOfFold, Scorer, aligned, select_ensemble
from ml_backend.jobs.leaderboard.run import Candidate, ResolvedLeaderboard, resolve_leaderboard
from ml_backend.jobs.spec import Outcome
from ml_backend.jobs.train.data import TrainingData, prepare
from ml_backend.jobs.train.resolve import EnsembleMember, ResolvedTraining
from ml_backend.jobs.train.run import TrainingResult, train
from ml_backend.jobs.train.scoring import Scored, ValidationScores, score_training
from ml_backend.jobs.tune.resolve import ResolvedTuning
from ml_backend.jobs.tune.space import resolve_space, space_from_json, space_to_json
from ml_backend.jobs.tune.trials import (
    DEFAULTS_ATTR,
    SearchProgress,
    TrialLoop,
    create_study,
    enqueued_defaults,
    run_trials,
)
from ml_backend.numbers import format_metric
from ml_backend.reporting import Reporter
from ml_backend.schema import DatasetProfile
from ml_backend.splitting import final_split

logger = logging.getLogger(__name__)

SCREENING_SHARE = 0.5
"""Past this share of the budget no default model starts and a running one is stopped (once
one has finished): the rest is for tuning the promising ones and the final fit."""
TUNED_ALGORITHMS = 3
KEPT_PER_ALGORITHM = 3
"""Tuned models an algorithm contributes to the ensemble's library, besides its defaults."""
REFIT_RESERVE = (0.1, 0.5)
"""The final fit's reserve, as shares of the budget: at least the first, at most the second."""
REFIT_MARGIN = 2.0
"""The reserve over the estimated final fit: tuned models grow, and explanations follow it."""
REFIT_OVERHEAD_S = 2.0
"""Reading the rows, permutation importance and saving, whatever the models."""
SCREENING_ORDER = ("linear", "lightgbm", "xgboost", "random_forest", "neural_network")
"""Cheap first, so that a short budget still screens most algorithms."""

PhaseHook = Callable[[str, dict[str, Any]], None]


class ResolvedAutoML(BaseModel):
    """An AutoMLConfig checked against its dataset: its candidates and their search spaces."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    leaderboard: ResolvedLeaderboard
    time_budget_s: float
    search_spaces: dict[str, dict[str, str]]
    """Each applicable algorithm's search space, in Optuna's JSON form."""


class AutoMLModel(BaseModel):
    """One model the AutoML tried and kept: its settings and its validation scores."""

    name: str
    algorithm: str
    stage: Literal["defaults", "tuned"]
    hyperparameters: dict[str, Any]
    value: float | None
    """Its goal metric on the training data (mean over folds, or the validation part)."""
    validation: ValidationScores
    seconds: float
    weight: float = 0.0
    """Its share of the final ensemble; 0 when not chosen."""
    rank: int | None = None


class SkippedAlgorithm(BaseModel):
    algorithm: str
    reason: str


class SearchSummary(BaseModel):
    """One algorithm's tuning: how many trials, and what its best scored against its defaults."""

    algorithm: str
    trials: int
    completed: int
    pruned: int
    failed: int
    default_value: float | None
    best_value: float | None
    seconds: float


class TracePoint(BaseModel):
    """A model finished: when (seconds into the budget), what it scored, the best so far."""

    seconds: float
    value: float
    best: float
    name: str


class AutoMLResult(BaseModel):
    """What the AutoML chose, how it chose, and the chosen model judged once on the test part."""

    task_type: TaskType
    goal_metric: str
    direction: Literal["maximize", "minimize"]
    models: list[AutoMLModel]
    """Every model kept, best validation first."""
    skipped: list[SkippedAlgorithm]
    searches: list[SearchSummary]
    trace: list[TracePoint]
    best: str
    """'ensemble', or the name of the single model chosen."""
    best_single: str
    ensemble_value: float | None
    """The chosen combination's goal metric on the rows that chose it (out-of-fold)."""
    single_value: float | None
    """The best single model's, on the same rows."""
    selected_on: str
    judged_on: str
    final: ResolvedTraining
    """The chosen model's training, as fitted on every training row."""
    training: TrainingResult
    time_budget_s: float
    elapsed_s: float


def resolve_automl(config: AutoMLConfig, profile: DatasetProfile) -> ResolvedAutoML:
    """`config` checked against `profile` as a leaderboard's, with each algorithm's space."""
    board_config = LeaderboardConfig.model_validate(config.model_dump(exclude={"time_budget_s"}))
    board = resolve_leaderboard(board_config, profile)
    spaces = {}
    for candidate in board.applicable:
        space, _ = resolve_space(get_algorithm(candidate.algorithm), board.task_type, None, {})
        spaces[candidate.algorithm] = space_to_json(space)
    return ResolvedAutoML(
        leaderboard=board, time_budget_s=config.time_budget_s, search_spaces=spaces
    )


@dataclass
class _Kept:
    model: AutoMLModel
    training: ResolvedTraining
    scored: Scored


class _Search:
    """The state of one AutoML: its clock, the models kept, the best so far."""

    def __init__(
        self, resolved: ResolvedAutoML, data: TrainingData, reporter: Reporter, clock: Clock
    ) -> None:
        board = resolved.leaderboard
        self.resolved = resolved
        self.goal = board.goal_metric
        self.sign = 1.0 if board.direction == "maximize" else -1.0
        self.data = data
        self.clock = clock
        self.kept: list[_Kept] = []
        self.skipped: list[SkippedAlgorithm] = []
        self.searches: list[SearchSummary] = []
        self.trace: list[TracePoint] = []
        self.best_value: float | None = None
        self.reporter = BudgetReporter(reporter, clock, self.live)

    def live(self) -> dict[str, float]:
        return {} if self.best_value is None else {f"best/{self.goal}": self.best_value}

    def better(self, value: float, than: float | None) -> bool:
        return than is None or self.sign * value > self.sign * than

    def keep(self, name: str, stage: str, training: ResolvedTraining, scored: Scored) -> None:
        value = scored.scores.mean(self.goal)
        model = AutoMLModel(
            name=name,
            algorithm=training.algorithm,
            stage="tuned" if stage == "tuned" else "defaults",
            hyperparameters=training.hyperparameters,
            value=value,
            validation=scored.scores,
            seconds=scored.seconds,
        )
        self.kept.append(_Kept(model, training, scored))
        self.note(name, value)

    def note(self, name: str, value: float | None) -> None:
        """A model finished with `value`: the trace, and the best so far if it is."""
        if value is None or not math.isfinite(value):
            return
        if self.better(value, self.best_value):
            self.best_value = value
            self.reporter.announce(
                f"new best: {name}, {self.goal} {format_metric(self.goal, value)}"
            )
        assert self.best_value is not None
        self.trace.append(
            TracePoint(seconds=self.clock.elapsed(), value=value, best=self.best_value, name=name)
        )

    def value_of(self, kept: _Kept) -> float:
        value = kept.model.value
        return -math.inf if value is None or not math.isfinite(value) else self.sign * value


def run_automl(
    resolved: ResolvedAutoML,
    frame: pd.DataFrame,
    *,
    reporter: Reporter,
    artifact_dir: Any = None,
    on_phase: PhaseHook | None = None,
    trials_per_algorithm: int | None = None,
) -> Outcome[AutoMLResult]:
    """Screen, tune, ensemble and fit the final model within `resolved.time_budget_s` seconds
    (the model saved to `artifact_dir`, as a training run saves its own).

    `trials_per_algorithm` also bounds each search by trials, for runs that must repeat
    exactly (a budget alone ends searches wherever the clock does)."""
    clock = Clock(resolved.time_budget_s)
    announce = on_phase or (lambda phase, details: None)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    board = resolved.leaderboard
    candidates = sorted(board.applicable, key=_screening_place)
    for candidate in board.candidates:
        if not candidate.applicable:
            reporter.log(f"{candidate.algorithm}: not applicable: {candidate.reason}")
    first = candidates[0].training
    assert first is not None  # resolve_leaderboard refuses a board with no applicable one
    data = prepare(first, frame, reporter)
    search = _Search(resolved, data, reporter, clock)
    reporter.log(
        f"AutoML over {', '.join(c.algorithm for c in candidates)} in "
        f"{resolved.time_budget_s:g} s, {board.direction} {search.goal}; the test part stays "
        "untouched until the final model is chosen"
    )
    announce("screening", {"algorithms": [c.algorithm for c in candidates]})
    _screen(search, candidates)
    if not search.kept:
        reasons = "; ".join(f"{s.algorithm}: {s.reason}" for s in search.skipped)
        raise MLInputError(f"no algorithm could be trained on this data ({reasons})")
    announce("tuning", {"budget_left_s": round(clock.left(), 1)})
    _tune(search, candidates, trials_per_algorithm)
    announce("ensembling", {"models": len(search.kept)})
    final, ensemble_value, single_value = _ensemble(search)
    announce("final fit", {"members": [m.algorithm for m in final.ensemble or []]})
    search.reporter.announce(f"fitting the chosen model on every training row: {_said(final)}")
    training = train(
        final.model_copy(update={"split": final_split(final.split)}),
        frame,
        reporter=search.reporter.staged("final fit", quiet=False),
        artifact_dir=artifact_dir,
    )
    ranked = _ranked(search)
    best_single = ranked[0].name
    result = AutoMLResult(
        task_type=board.task_type,
        goal_metric=search.goal,
        direction=board.direction,
        models=ranked,
        skipped=search.skipped,
        searches=search.searches,
        trace=search.trace,
        best="ensemble" if final.ensemble else _single_name(search, final),
        best_single=best_single,
        ensemble_value=ensemble_value,
        single_value=single_value,
        selected_on=ranked[0].validation.describe(),
        judged_on="the test part, once, after the model was chosen",
        final=final,
        training=training,
        time_budget_s=resolved.time_budget_s,
        elapsed_s=clock.elapsed(),
    )
    reporter.log(
        f"AutoML done in {result.elapsed_s:.0f} s of {resolved.time_budget_s:g} s: {result.best}"
    )
    return Outcome(result, automl_plots(result))


def _screening_place(candidate: Candidate) -> tuple[int, str]:
    name = candidate.algorithm
    place = SCREENING_ORDER.index(name) if name in SCREENING_ORDER else len(SCREENING_ORDER)
    return place, name


def _screen(search: _Search, candidates: list[Candidate]) -> None:
    deadline = search.clock.at(SCREENING_SHARE)
    for candidate in candidates:
        training = candidate.training
        assert training is not None
        name = candidate.algorithm
        if time.monotonic() >= deadline and search.kept:
            search.skipped.append(
                SkippedAlgorithm(
                    algorithm=name, reason="the screening's share of the budget ran out"
                )
            )
            continue
        staged = search.reporter.staged(
            f"{name} defaults", deadline=deadline, stoppable=lambda: bool(search.kept)
        )
        staged.announce(f"screening {name} with its defaults")
        try:
            scored = score_training(training, search.data, staged)
        except OutOfTime:
            search.skipped.append(
                SkippedAlgorithm(
                    algorithm=name, reason="stopped: it did not finish within the screening's share"
                )
            )
            search.reporter.log(f"{name}: stopped at the screening's deadline")
            continue
        except JobCancelledError:
            raise
        except Exception as error:
            # One algorithm's failure is one line of the AutoML, not its end.
            reason = error.detail if isinstance(error, MLInputError) else _error_words(error)
            if not isinstance(error, MLInputError):
                logger.exception("automl: %s failed", name)
            search.skipped.append(SkippedAlgorithm(algorithm=name, reason=f"failed: {reason}"))
            search.reporter.log(f"{name}: failed: {reason}")
            continue
        search.keep(name, "defaults", training, scored)
        value = scored.scores.mean(search.goal)
        search.reporter.log(
            f"{name} defaults: {search.goal} {format_metric(search.goal, value)} on "
            f"{scored.scores.describe()} ({scored.seconds:.1f} s)"
        )


def _refit_reserve(search: _Search) -> float:
    """Seconds to keep for the final fit: every screened model fitted on every training row
    (any may join the ensemble), estimated from its screening, with a margin for tuned models'
    growth and the explanations that follow; within REFIT_RESERVE of the budget."""
    estimate = REFIT_OVERHEAD_S
    for kept in search.kept:
        scores = kept.model.validation
        # k folds each fit (k-1)/k of the rows; a validation part's fit, 80% of them.
        per_fit = kept.scored.seconds / scores.folds
        growth = scores.folds / (scores.folds - 1) if scores.folds > 1 else 1.25
        estimate += REFIT_MARGIN * per_fit * growth
    budget = search.clock.budget_s
    low, high = REFIT_RESERVE
    return min(high * budget, max(low * budget, estimate))


def _tune(search: _Search, candidates: list[Candidate], trials: int | None) -> None:
    defaults = sorted(search.kept, key=search.value_of, reverse=True)
    chosen = [k for k in defaults if math.isfinite(search.value_of(k))][:TUNED_ALGORITHMS]
    reserve = _refit_reserve(search)
    end = search.clock.started + search.clock.budget_s - reserve
    trainings = {c.algorithm: c for c in candidates}
    for index, kept in enumerate(chosen):
        left = end - time.monotonic()
        share = left / (len(chosen) - index)
        # A search shorter than one fit of its defaults would only be pruned.
        if share < max(kept.scored.seconds * 1.5, 0.5):
            search.skipped.append(
                SkippedAlgorithm(
                    algorithm=kept.model.algorithm,
                    reason=f"not tuned: {max(share, 0):.1f} s left for it, less than a fit takes",
                )
            )
            continue
        candidate = trainings[kept.model.algorithm]
        _tune_one(search, candidate, kept, share, trials)


def _tune_one(
    search: _Search, candidate: Candidate, defaults: _Kept, seconds: float, trials: int | None
) -> None:
    algorithm = candidate.algorithm
    board = search.resolved.leaderboard
    training = candidate.training
    assert training is not None
    tuning = ResolvedTuning(
        training=training,
        n_trials=None if trials is None else trials + 1,  # the defaults are the first
        timeout_s=seconds,
        goal_metric=search.goal,
        direction=board.direction,
        search_space=search.resolved.search_spaces[algorithm],
        fixed={},
    )
    study = create_study(tuning, None, None, training.split.random_state)
    _warm_start(study, tuning, defaults)
    tuned: list[_Kept] = []

    def keep(trained: ResolvedTraining, scored: Scored) -> None:
        name = f"{algorithm} tuned {len(tuned) + 1}"
        value = scored.scores.mean(search.goal)
        model = AutoMLModel(
            name=name,
            algorithm=algorithm,
            stage="tuned",
            hyperparameters=trained.hyperparameters,
            value=value,
            validation=scored.scores,
            seconds=scored.seconds,
        )
        tuned.append(_Kept(model, trained, scored))
        search.note(name, value)

    began = time.monotonic()
    deadline = time.time() + seconds
    staged = search.reporter.staged(f"tuning {algorithm}")
    staged.announce(f"tuning {algorithm} for {seconds:.0f} s")
    loop = TrialLoop(
        resolved=tuning,
        data=search.data,
        study=study,
        reporter=staged,
        search=SearchProgress(tuning, deadline),
        keep=keep,
    )
    run_trials(loop)
    best = sorted(tuned, key=search.value_of, reverse=True)[:KEPT_PER_ALGORITHM]
    # Only what beat the defaults joins the library: the rest would add noise, not choices.
    search.kept.extend(k for k in best if search.value_of(k) > search.value_of(defaults))
    ran = study.get_trials(deepcopy=False)[1:]  # the first is the screened defaults
    states = [trial.state for trial in ran]
    best_value = max((search.value_of(k) for k in [defaults, *tuned]), default=-math.inf)
    summary = SearchSummary(
        algorithm=algorithm,
        trials=len(ran),
        completed=sum(state == optuna.trial.TrialState.COMPLETE for state in states),
        pruned=sum(state == optuna.trial.TrialState.PRUNED for state in states),
        failed=sum(state == optuna.trial.TrialState.FAIL for state in states),
        default_value=defaults.model.value,
        best_value=search.sign * best_value if math.isfinite(best_value) else None,
        seconds=time.monotonic() - began,
    )
    search.searches.append(summary)
    search.reporter.log(
        f"{algorithm}: {summary.trials} trials ({summary.pruned} pruned) in "
        f"{summary.seconds:.0f} s; {search.goal} "
        f"{format_metric(search.goal, summary.default_value)} with defaults, "
        f"{format_metric(search.goal, summary.best_value)} at best"
    )


def _warm_start(study: optuna.Study, tuning: ResolvedTuning, defaults: _Kept) -> None:
    """The defaults' screening as the study's first trial: the sampler starts from it, and the
    pruner and the deadline have a finished trial to compare with."""
    value = defaults.model.value
    if value is None or not math.isfinite(value):
        return
    space = space_from_json(tuning.search_space)
    params = enqueued_defaults(tuning)
    study.add_trial(
        create_trial(
            params=params,
            distributions={name: space[name] for name in params},
            value=value,
            user_attrs={DEFAULTS_ATTR: True},
        )
    )


def _ensemble(search: _Search) -> tuple[ResolvedTraining, float | None, float | None]:
    """The final model's training: the greedy ensemble's members and weights, or the best
    single model where the ensemble would hold one; with both their out-of-fold values."""
    library = sorted(
        (k for k in search.kept if math.isfinite(search.value_of(k))),
        key=search.value_of,
        reverse=True,
    )
    best = library[0]
    predictions = aligned([OutOfFold(k.scored.positions, k.scored.predicted) for k in library])
    if predictions is None or len(library) == 1:
        best.model.weight = 1.0
        return best.training, None, None
    data = search.data
    classification = data.encoder is not None
    positions = sorted(library[0].scored.positions)
    target = (data.encoded if classification else data.target)[positions]
    scorer = Scorer(search.goal, target, data.n_classes, classification=classification)
    selection = select_ensemble(predictions, scorer)
    for kept, weight in zip(library, selection.weights, strict=True):
        kept.model.weight = weight
    chosen = [(k, w) for k, w in zip(library, selection.weights, strict=True) if w > 0]
    said = ", ".join(f"{k.model.name} {w:.0%}" for k, w in chosen)
    search.reporter.log(
        f"ensemble: {said}; out-of-fold {search.goal} "
        f"{format_metric(search.goal, selection.value)} against "
        f"{format_metric(search.goal, selection.single_value)} for {best.model.name} alone"
    )
    if len(chosen) == 1:
        return chosen[0][0].training, selection.value, selection.single_value
    heaviest = max(chosen, key=lambda pair: pair[1])[0].training
    members = [
        EnsembleMember(
            algorithm=k.training.algorithm, hyperparameters=k.training.hyperparameters, weight=w
        )
        for k, w in chosen
    ]
    final = heaviest.model_copy(update={"ensemble": members})
    return final, selection.value, selection.single_value


def _ranked(search: _Search) -> list[AutoMLModel]:
    ordered = sorted(search.kept, key=search.value_of, reverse=True)
    values = [search.value_of(k) for k in ordered]
    models = []
    for kept, value in zip(ordered, values, strict=True):
        rank = 1 + sum(other > value for other in values) if math.isfinite(value) else None
        models.append(kept.model.model_copy(update={"rank": rank}))
    return models


def _single_name(search: _Search, final: ResolvedTraining) -> str:
    for kept in search.kept:
        if kept.training == final:
            return kept.model.name
    return final.algorithm


def _said(final: ResolvedTraining) -> str:
    if not final.ensemble:
        return final.algorithm
    return "an ensemble of " + ", ".join(f"{m.algorithm} ({m.weight:.0%})" for m in final.ensemble)


def _error_words(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"
