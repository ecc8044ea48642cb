"""The trials of a tuning: the objective, and the loop that runs trials of a study.

One trial trains with the settings the sampler suggests and is scored by the goal metric on
the training data alone: the mean over k folds of the training part, or the validation part.
The loop runs trials until the study has its trials, its time is up or the run is stopped; it
runs in the tuning's own job and in every helper on another worker, all
sharing one study through its storage, so a trial's outcome (metrics, error, worker) is kept
on the trial itself, where any of them can read it.

Scored on a validation part, trials of iterative models report their validation loss each round;
cross-validated, every trial reports its running mean after each fold. A MedianPruner stops
hopeless ones early: the loss is reported negated when the study maximises, so "better" points
the study's way. A trial still running when the search's time is up is stopped too, once some
trial has finished, so that a budget is not overrun by a whole trial.
"""

from __future__ import annotations

import contextlib
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import optuna
import pandas as pd
from lightgbm.basic import LightGBMError
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.samplers import TPESampler
from optuna.storages import BaseStorage
from optuna.trial import FrozenTrial, TrialState
from pydantic import BaseModel
from xgboost.core import XGBoostError

from ml_backend.algorithms import get_algorithm
from ml_backend.errors import JobCancelledError, MLInputError
from ml_backend.hyperparameters import validate_hyperparameters
from ml_backend.jobs.train.data import TrainingData, prepare
from ml_backend.jobs.train.resolve import ResolvedTraining
from ml_backend.jobs.train.scoring import Scored, ValidationScores, score_training
from ml_backend.jobs.tune.resolve import ResolvedTuning
from ml_backend.jobs.tune.space import space_from_json
from ml_backend.numbers import format_metric
from ml_backend.reporting import NullReporter, ProgressUnit, Reporter

TIMEBOXED_SEARCH_SHARE = 0.9
"""The share of a tuning's time budget its search may take; the refit, the rest."""
DEADLINE_ATTR = "deadline"
"""The study's user attribute holding when its search ends (seconds since the epoch): every
worker reads the same, so wall-clock time rather than each process's own clock."""
CLOSED_ATTR = "closed"
"""The study's user attribute set when the tuning stops taking trials."""
GIVEN_UP_ATTR = "given_up"
"""A trial's user attribute: asked for too late (past n_trials, or after the search closed),
it never ran and is no trial of the result."""
DEFAULTS_ATTR = "defaults"
"""A trial's user attribute: it tried the algorithm's defaults (the tuning enqueues them first)."""
PARAMS_ATTR = "params"
"""A trial's user attribute: the settings it trained with, where the study's params differ."""
ABANDONED = "its worker stopped (killed, or out of memory) before the trial finished"
_DONE_REFRESH_S = 0.5


class TrialRecord(BaseModel):
    """One trial: what it tried and how it did on the validation part."""

    number: int
    state: Literal["complete", "pruned", "failed"]
    params: dict[str, Any]
    value: float | None
    metrics: dict[str, float | None]
    duration_s: float
    error: str | None = None
    worker: str | None = None
    """The worker that ran it, when a service's workers share the study."""
    defaults: bool = False
    """Whether it tried the algorithm's defaults."""
    scores: ValidationScores | None = None
    """Its scores fold by fold (one part for a validation part); None unless it finished."""


def default_params(resolved: ResolvedTuning) -> dict[str, Any]:
    """The algorithm's default value of each searched hyperparameter: the first trial, so that
    tuning can only end at settings that scored at least as well as these."""
    spec = get_algorithm(resolved.training.algorithm)
    defaults = spec.hyperparameters.model_validate({}).model_dump()
    return {name: defaults[name] for name in space_from_json(resolved.search_space)}


def enqueued_defaults(resolved: ResolvedTuning) -> dict[str, Any]:
    """The defaults the space can hold, as Optuna's first trial; a default outside the space
    (a forest's unlimited depth) is set on the trial's training directly."""
    space = space_from_json(resolved.search_space)
    return {
        name: value for name, value in default_params(resolved).items() if holds(space[name], value)
    }


def holds(distribution: BaseDistribution, value: Any) -> bool:
    """Whether `value` is one `distribution` can sample."""
    if isinstance(distribution, CategoricalDistribution):
        return value in distribution.choices
    if isinstance(distribution, IntDistribution | FloatDistribution):
        return isinstance(value, int | float) and distribution.low <= value <= distribution.high
    return False


def create_study(
    resolved: ResolvedTuning, storage: BaseStorage | None, name: str | None, seed: int
) -> optuna.Study:
    """The tuning's study: in memory, or in `storage` for helpers to open under `name`."""
    sampler, pruner = _sampler(seed, shared=storage is not None), _pruner(resolved)
    return optuna.create_study(
        storage=storage,
        study_name=name,
        direction=resolved.direction,
        sampler=sampler,
        pruner=pruner,
    )


def load_study(
    resolved: ResolvedTuning, storage: BaseStorage, name: str, seed: int
) -> optuna.Study:
    """A study another worker created, opened by a helper to run trials of it (KeyError when
    it is gone: the search is over)."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna.load_study(
        study_name=name,
        storage=storage,
        sampler=_sampler(seed, shared=True),
        pruner=_pruner(resolved),
    )


def _sampler(seed: int, *, shared: bool) -> TPESampler:
    """Each process samples with its own seed: two with the same would try the same settings.
    Where trials run in parallel the sampler counts the running ones as if they scored the
    worst so far (TPE's constant liar), so that parallel trials spread out."""
    with warnings.catch_warnings():
        # constant_liar is marked experimental and warns on every construction.
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return TPESampler(seed=seed, constant_liar=shared)


def _pruner(resolved: ResolvedTuning) -> optuna.pruners.BasePruner:
    """Rounds are compared from the tenth on (the first are noise); folds from the first, since
    a trial far behind the median after one fold rarely catches up."""
    folds = resolved.training.split.folds is not None
    return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=0 if folds else 10)


def study_deadline(study: optuna.Study) -> float | None:
    deadline = study.user_attrs.get(DEADLINE_ATTR)
    return float(deadline) if deadline is not None else None


class SearchProgress:
    """How far a tuning is, as a share of the whole job: the trials, then the refit, which counts
    as one more trial's worth of work. A time limit moves it on as the clock does."""

    def __init__(self, resolved: ResolvedTuning, deadline: float | None) -> None:
        self.n_trials = resolved.n_trials
        self.timeout_s = resolved.timeout_s
        self.deadline = deadline
        n = resolved.n_trials
        self.search_share = n / (n + 1) if n else TIMEBOXED_SEARCH_SHARE

    def searching(self, trials_done: float) -> float:
        """The share done after `trials_done` trials (fractional within a running trial)."""
        shares = [trials_done / self.n_trials] if self.n_trials else []
        if self.timeout_s and self.deadline is not None:
            span = self.timeout_s * TIMEBOXED_SEARCH_SHARE
            shares.append(1.0 - (self.deadline - time.time()) / span)
        return self.search_share * min(1.0, max(shares, default=0.0))

    def refit_part(self) -> tuple[int, int]:
        """The refit as part `offset` of `count` equal parts of the whole job."""
        if self.n_trials:
            return self.n_trials, self.n_trials + 1
        parts = round(1 / (1 - TIMEBOXED_SEARCH_SHARE))
        return parts - 1, parts


@dataclass(frozen=True)
class TrialLoop:
    """Everything one worker's trials of a study need."""

    resolved: ResolvedTuning
    data: TrainingData
    study: optuna.Study
    reporter: Reporter
    search: SearchProgress
    worker: str | None = None
    job: str | None = None
    rounds: bool = True
    """Whether to report progress within trials: the tuning's own job does; helpers report
    only finished trials, so the run's progress does not jump between workers' trials."""
    stopped: Callable[[], bool] = lambda: False
    """Asked between trials: True once the run ended (cancelled, failed) elsewhere."""
    keep: Callable[[ResolvedTraining, Scored], None] | None = None
    """Given each finished trial's training and predictions on the rows that scored it (an
    AutoML keeps the best for its ensemble)."""


def run_trials(loop: TrialLoop) -> int:
    """Run trials of the study until it has its trials, its time is up or the run stopped;
    returns how many this worker ran.

    A trial's number is its place in the study, the same in every worker, so a worker whose
    new trial is numbered past `n_trials` (another took the last one meanwhile) gives it up.
    """
    resolved, study = loop.resolved, loop.study
    space = space_from_json(resolved.search_space)
    ran = 0
    while _more(loop):
        trial = study.ask(space)
        late = resolved.n_trials is not None and trial.number >= resolved.n_trials
        # Asked for after the tuning closed the search (its time ran out meanwhile): the
        # study's log orders the two, so either the tuning waits for this trial or it is
        # given up here.
        if late or study.user_attrs.get(CLOSED_ATTR):
            trial.set_user_attr(GIVEN_UP_ATTR, True)
            study.tell(trial, state=TrialState.FAIL)
            break
        _trial(loop, trial)
        ran += 1
    return ran


def close_search(study: optuna.Study) -> None:
    """No trial starts any more: a worker's trial asked for after this is given up."""
    study.set_user_attr(CLOSED_ATTR, True)


def _more(loop: TrialLoop) -> bool:
    if loop.stopped():
        return False
    deadline = loop.search.deadline
    if deadline is not None and time.time() >= deadline:
        return False
    n_trials = loop.resolved.n_trials
    if n_trials is not None and len(loop.study.get_trials(deepcopy=False)) >= n_trials:
        return False
    return not loop.study.user_attrs.get(CLOSED_ATTR)


def with_params(resolved: ResolvedTuning, params: dict[str, Any]) -> ResolvedTraining:
    """The training with `params` on top of the held hyperparameters."""
    spec = get_algorithm(resolved.training.algorithm)
    values = validate_hyperparameters(spec, {**resolved.fixed, **params})
    return resolved.training.model_copy(update={"hyperparameters": values})


def _trial(loop: TrialLoop, trial: optuna.Trial) -> None:
    """Train with the trial's settings, announce how it went, then tell the study.

    The announcement comes first: the tuning's job waits until every trial is told before it
    refits and ends the run, so no trial's event can follow the run's last one."""
    if loop.worker is not None:
        trial.set_user_attr("worker", loop.worker)
    if loop.job is not None:
        trial.set_user_attr("job", loop.job)
    began = time.monotonic()
    defaults = bool(trial.user_attrs.get(DEFAULTS_ATTR))
    try:
        state, value, scores, error = _fit(loop, trial)
    except BaseException as crash:
        # A crash or a stop loses this trial only: the other workers must not wait for it.
        if not isinstance(crash, JobCancelledError):
            with contextlib.suppress(Exception):  # the storage itself may be what failed
                trial.set_user_attr("error", f"{type(crash).__name__}: {crash}")
                loop.study.tell(trial, state=TrialState.FAIL)
        raise
    metrics = _means(scores)
    if error is not None:
        trial.set_user_attr("error", error)
    if scores is not None:
        trial.set_user_attr("metrics", metrics)
        trial.set_user_attr("scores", scores.model_dump(mode="json"))
    record = TrialRecord(
        number=trial.number,
        state=_STATES.get(state, "failed"),
        params=dict(trial.user_attrs.get(PARAMS_ATTR) or trial.params),
        value=value,
        metrics=metrics,
        duration_s=time.monotonic() - began,
        error=error,
        worker=loop.worker,
        defaults=defaults,
        scores=scores if state == TrialState.COMPLETE else None,
    )
    _announce(loop, record)
    if state == TrialState.COMPLETE:
        loop.study.tell(trial, value)
    else:
        loop.study.tell(trial, state=state)


Fit = tuple[TrialState, float | None, ValidationScores | None, str | None]
"""How a trial went: its state, its value, its scores on the training data and what went wrong."""


def _fit(loop: TrialLoop, trial: optuna.Trial) -> Fit:
    resolved = loop.resolved
    reporter = _TrialReporter(loop, trial)
    try:
        training = with_params(resolved, trial_params(loop, trial))
        scored = score_training(training, loop.data, reporter, on_fold=reporter.fold_done)
    except optuna.TrialPruned:
        return TrialState.PRUNED, None, None, None
    except (MLInputError, ValueError, ArithmeticError, LightGBMError, XGBoostError) as error:
        # One bad combination of settings fails its trial, not the search.
        return TrialState.FAIL, None, None, f"{type(error).__name__}: {error}"
    scores = scored.scores
    value = scores.mean(resolved.goal_metric)
    if value is None or not math.isfinite(value):
        return TrialState.FAIL, None, scores, f"{resolved.goal_metric} not computable"
    if loop.keep is not None:
        loop.keep(training, scored)
    return TrialState.COMPLETE, value, scores, None


def trial_params(loop: TrialLoop, trial: optuna.Trial) -> dict[str, Any]:
    """The settings the trial trains with: those sampled, or for the defaults' trial the
    defaults (kept on the trial where the study's copy cannot hold them)."""
    params = dict(trial.params)
    if trial.user_attrs.get(DEFAULTS_ATTR):
        # Only a default no range can hold (a forest's unlimited depth, None) is set here; one
        # outside a range the person narrowed to gives way to it.
        unranged = {k: v for k, v in default_params(loop.resolved).items() if v is None}
        if unranged:
            params = {**params, **unranged}
            trial.set_user_attr(PARAMS_ATTR, params)
    return params


def _means(scores: ValidationScores | None) -> dict[str, float | None]:
    if scores is None:
        return {}
    return {name: fold.mean for name, fold in scores.metrics.items()}


_STATES: dict[TrialState, Literal["complete", "pruned", "failed"]] = {
    TrialState.COMPLETE: "complete",
    TrialState.PRUNED: "pruned",
}


def trial_record(trial: FrozenTrial) -> TrialRecord:
    """A trial as the result keeps it, from what the study holds (whoever ran it)."""
    state = _STATES.get(trial.state, "failed")
    error = trial.user_attrs.get("error")
    if state == "failed" and error is None:
        error = ABANDONED
    complete = trial.state == TrialState.COMPLETE
    scores = trial.user_attrs.get("scores")
    return TrialRecord(
        number=trial.number,
        state=state,
        params=dict(trial.user_attrs.get(PARAMS_ATTR) or trial.params),
        value=trial.value if complete else None,
        metrics=dict(trial.user_attrs.get("metrics") or {}),
        duration_s=trial.duration.total_seconds() if trial.duration is not None else 0.0,
        error=error,
        worker=trial.user_attrs.get("worker"),
        defaults=bool(trial.user_attrs.get(DEFAULTS_ATTR)),
        scores=ValidationScores.model_validate(scores) if complete and scores else None,
    )


def trial_records(study: optuna.Study, n_trials: int | None) -> list[TrialRecord]:
    """The study's finished trials, by number (not those given up: they never ran)."""
    finished = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
    return [
        trial_record(trial)
        for trial in study.get_trials(deepcopy=False, states=finished)
        if _counted(trial, n_trials)
    ]


def _counted(trial: FrozenTrial, n_trials: int | None) -> bool:
    within = n_trials is None or trial.number < n_trials
    return within and not trial.user_attrs.get(GIVEN_UP_ATTR)


def best_record(records: list[TrialRecord], direction: str) -> TrialRecord | None:
    complete = [r for r in records if r.value is not None]
    if not complete:
        return None
    pick = max if direction == "maximize" else min
    return pick(complete, key=lambda r: r.value if r.value is not None else 0.0)


def _announce(loop: TrialLoop, record: TrialRecord) -> None:
    """The trial's outcome as the run's progress: its value, the best so far, trials done."""
    resolved = loop.resolved
    goal = resolved.goal_metric
    records = [*trial_records(loop.study, resolved.n_trials), record]
    best = best_record(records, resolved.direction)
    said = format_metric(goal, record.value) if record.value is not None else record.state
    best_said = (
        f" (best {format_metric(goal, best.value)})" if best and best.value is not None else ""
    )
    live = {f"best/{goal}": best.value} if best and best.value is not None else {}
    if record.value is not None:
        live[f"trial/{goal}"] = record.value
    loop.reporter.progress(
        len(records),
        resolved.n_trials or 0,
        message=f"trial {record.number + 1}: {goal} {said}{best_said}",
        metrics=live or None,
        unit="trial",
        fraction=loop.search.searching(len(records)),
    )


class _TrialReporter:
    """Feeds a trial's round-by-round validation loss to its pruner, and overall progress out
    in trials: the rounds of one trial move the share done, not the count."""

    def __init__(self, loop: TrialLoop, trial: optuna.Trial) -> None:
        self.loop = loop
        self.trial = trial
        self.sign = -1.0 if loop.resolved.direction == "maximize" else 1.0
        self.done = 0
        self.counted_at = -math.inf
        self.cross_validated = loop.resolved.training.split.folds is not None

    def fold_done(self, folds: int, scores: ValidationScores) -> None:
        """Cross-validated, the running mean after each fold is what the pruner compares."""
        value = scores.mean(self.loop.resolved.goal_metric)
        if not self.cross_validated or value is None or folds >= scores.folds:
            return
        self.trial.report(value, folds)
        if self.trial.should_prune():
            raise optuna.TrialPruned()

    def _out_of_time(self) -> bool:
        """Past the search's deadline, with some trial finished to refit: stop this one."""
        deadline = self.loop.search.deadline
        if deadline is None or time.time() < deadline:
            return False
        complete = self.loop.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        return bool(complete)

    def trials_done(self) -> int:
        """Finished trials of the study, all workers', read again now and then."""
        now = time.monotonic()
        if now - self.counted_at >= _DONE_REFRESH_S:
            self.counted_at = now
            finished = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
            trials = self.loop.study.get_trials(deepcopy=False, states=finished)
            self.done = sum(_counted(t, self.loop.resolved.n_trials) for t in trials)
        return self.done

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
        if self._out_of_time():
            raise optuna.TrialPruned()
        loss = next((v for k, v in (metrics or {}).items() if k.startswith("validation/")), None)
        if loss is not None and not self.cross_validated:
            self.trial.report(self.sign * loss, step)
            if self.trial.should_prune():
                raise optuna.TrialPruned()
        if not self.loop.rounds:
            return
        done = self.trials_done()
        search = self.loop.search
        # Cross-validated, the fold's scoped fraction says how far the whole trial is.
        within = fraction if fraction is not None else step / max(total, 1)
        self.loop.reporter.progress(
            done,
            search.n_trials or 0,
            unit="trial",
            fraction=search.searching(done + min(within, 1.0)),
        )

    def log(self, message: str) -> None:
        return None

    def artifact(self, kind: str, name: str) -> None:
        return None


def open_for_trials(resolved: ResolvedTuning, storage: BaseStorage, name: str) -> bool:
    """Whether the study of another worker's tuning still takes trials: a helper that starts
    after the search has its trials need not even read the data."""
    try:
        study = optuna.load_study(study_name=name, storage=storage)
    except KeyError:
        return False
    deadline = study_deadline(study)
    if deadline is not None and time.time() >= deadline:
        return False
    n_trials = resolved.n_trials
    return n_trials is None or len(study.get_trials(deepcopy=False)) < n_trials


def join_study(
    resolved: ResolvedTuning,
    frame: pd.DataFrame,
    storage: BaseStorage,
    name: str,
    *,
    seed: int,
    reporter: Reporter,
    worker: str | None = None,
    job: str | None = None,
    stopped: Callable[[], bool] = lambda: False,
) -> int:
    """A helper's part: run trials of the study another worker's tuning created, until it has
    its trials, its time is up or `stopped()`; returns how many this one ran (none when the
    study is gone or complete already)."""
    try:
        study = load_study(resolved, storage, name, seed)
    except KeyError:
        return 0
    search = SearchProgress(resolved, study_deadline(study))
    loop = TrialLoop(
        resolved=resolved,
        data=prepare(resolved.training, frame, NullReporter()),
        study=study,
        reporter=reporter,
        search=search,
        worker=worker,
        job=job,
        rounds=False,
        stopped=stopped,
    )
    return run_trials(loop)
