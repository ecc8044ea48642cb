"""Tuning: Optuna searches an algorithm's hyperparameters; the best are refit like a normal run.

Every trial is scored by the goal metric on the training data alone: k-fold cross-validation
of the training part on small data, a validation part on large data. The first trial is the
algorithm's defaults, so the search never ends worse than them on its own scoring. The best
settings are refit on every training row (the validation part's too), and the test part, untouched
until then, judges that model once. Where the service lends helpers (its other
workers), they run trials of the same study in parallel, through storage they all share; the
tuning runs trials too, waits for theirs, and refits the best settings once.
"""

from __future__ import annotations

import time
from typing import Any, Literal

import optuna
import pandas as pd
from optuna.trial import TrialState
from pydantic import BaseModel

from ml_backend.errors import ConfigValidationError
from ml_backend.jobs.spec import Outcome
from ml_backend.jobs.train.data import prepare
from ml_backend.jobs.train.run import TrainingResult, train
from ml_backend.jobs.train.scoring import ValidationScores
from ml_backend.jobs.tune.helpers import TrialHelpers
from ml_backend.jobs.tune.plots import tuning_plots
from ml_backend.jobs.tune.resolve import ResolvedTuning
from ml_backend.jobs.tune.space import space_from_json
from ml_backend.jobs.tune.trials import (
    DEADLINE_ATTR,
    DEFAULTS_ATTR,
    TIMEBOXED_SEARCH_SHARE,
    SearchProgress,
    TrialLoop,
    TrialRecord,
    best_record,
    close_search,
    create_study,
    enqueued_defaults,
    run_trials,
    trial_records,
    with_params,
)
from ml_backend.numbers import format_params
from ml_backend.reporting import NullReporter, Reporter, ScopedReporter
from ml_backend.splitting import final_split

HELPER_POLL_S = 0.5
"""How often a tuning looks whether its helpers' last trials have finished."""


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
    """The best settings refit on every training row and judged once on the test part."""
    selected_on: str = ""
    """Which data scored the trials, in words; never the test part."""
    default_value: float | None = None
    """The algorithm's defaults' score (the first trial); None when it did not finish."""
    validation: ValidationScores | None = None
    """The best trial's scores on the training data, fold by fold."""


def tune(
    resolved: ResolvedTuning,
    frame: pd.DataFrame,
    *,
    reporter: Reporter,
    artifact_dir: Any = None,
    helpers: TrialHelpers | None = None,
) -> Outcome[TuningResult]:
    """Search, with `helpers` where other workers can run trials too; then refit the best
    settings (saved if `artifact_dir`).

    The plots are the search's: history, slice, contour, importance."""
    started = time.monotonic()
    # Optuna logs every trial at INFO on its own handler; the reporter carries them instead.
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    seed = resolved.training.split.random_state
    wanted = _helpers_wanted(resolved, helpers)
    shared = helpers if wanted else None
    study = create_study(
        resolved,
        shared.storage() if shared else None,
        shared.study_name if shared else None,
        seed,
    )
    # The budget is wall-clock time, refit included: the search ends early enough for it.
    deadline = (
        time.time() + resolved.timeout_s * TIMEBOXED_SEARCH_SHARE if resolved.timeout_s else None
    )
    if deadline is not None:
        study.set_user_attr(DEADLINE_ATTR, deadline)
    goal = resolved.goal_metric
    study.enqueue_trial(enqueued_defaults(resolved), user_attrs={DEFAULTS_ATTR: True})
    reporter.log(
        f"trials are scored on {_scoring_words(resolved)}; the first tries the defaults, and the "
        "test part stays untouched until the best settings are refit"
    )
    searched = ", ".join(space_from_json(resolved.search_space))
    reporter.log(
        f"tuning {resolved.training.algorithm} over {searched}: "
        f"{resolved.n_trials or 'unlimited'} trials"
        + (f" or {resolved.timeout_s:g} s" if resolved.timeout_s else "")
        + f", {resolved.direction} validation {goal}"
    )
    data = prepare(resolved.training, frame, NullReporter())
    search = SearchProgress(resolved, deadline)
    loop = TrialLoop(
        resolved=resolved,
        data=data,
        study=study,
        reporter=reporter,
        search=search,
        worker=helpers.worker if helpers else None,
        job=helpers.job if helpers else None,
    )
    try:
        if shared is not None:
            shared.invite([(seed + i) % 2**32 for i in range(1, wanted + 1)])
            reporter.log(f"{wanted} more worker(s) may run trials of this search alongside")
        run_trials(loop)
        if shared is not None:
            close_search(study)
            _await_helpers(study, shared)
    finally:
        if shared is not None:
            shared.dismiss()
    records = trial_records(study, resolved.n_trials)
    best = best_record(records, resolved.direction)
    if best is None or best.value is None:
        reasons = "; ".join(sorted({r.error or r.state for r in records}))
        raise ConfigValidationError(f"no trial finished ({reasons})", field="search_space")
    reporter.log(f"refitting the best settings (trial {best.number}): {format_params(best.params)}")
    offset, count = search.refit_part()
    chosen = with_params(resolved, best.params)
    refit = train(
        chosen.model_copy(update={"split": final_split(chosen.split)}),
        frame,
        reporter=ScopedReporter(reporter, offset, count),
        artifact_dir=artifact_dir,
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
        selected_on=_scoring_words(resolved),
        default_value=next((r.value for r in records if r.defaults), None),
        validation=best.scores,
    )
    return Outcome(result, tuning_plots(study, goal))


def _scoring_words(resolved: ResolvedTuning) -> str:
    split = resolved.training.split
    if split.folds:
        return f"{split.folds}-fold cross-validation of the training part"
    return f"a validation part of {split.validation_size:.0%} of the rows"


def _helpers_wanted(resolved: ResolvedTuning, helpers: TrialHelpers | None) -> int:
    """As many helpers as there are other workers, and no more than there are other trials."""
    if helpers is None:
        return 0
    available = helpers.available()
    if resolved.n_trials is not None:
        available = min(available, resolved.n_trials - 1)
    return max(0, available)


def _await_helpers(study: optuna.Study, helpers: TrialHelpers) -> None:
    """Until no trial of the search runs on another worker; a trial whose worker is gone is
    failed, so that a dead helper costs its trial and never holds the tuning up."""
    while running := study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        for trial in running:
            if helpers.abandoned(trial):
                study.tell(trial.number, state=TrialState.FAIL, skip_if_finished=True)
        time.sleep(HELPER_POLL_S)
