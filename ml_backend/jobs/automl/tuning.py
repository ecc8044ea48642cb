"""An AutoML's second step: the promising algorithms tuned in turn within what is left of the
budget, each search warm-started from its defaults' screening, the best trials kept."""

from __future__ import annotations

import math
import time

import optuna
from optuna.trial import create_trial

from ml_backend.jobs.automl.result import AutoMLModel, SearchSummary, SkippedAlgorithm
from ml_backend.jobs.automl.search import Kept, Search
from ml_backend.jobs.train.resolve import ResolvedTraining
from ml_backend.jobs.train.scoring import Scored
from ml_backend.jobs.tune.resolve import ResolvedTuning
from ml_backend.jobs.tune.space import space_from_json
from ml_backend.jobs.tune.trials import (
    DEFAULTS_ATTR,
    SearchProgress,
    TrialLoop,
    create_study,
    holds,
    run_trials,
)
from ml_backend.numbers import format_metric

TUNED_ALGORITHMS = 3
KEPT_PER_ALGORITHM = 3
"""Tuned models an algorithm contributes to the ensemble's library, besides its defaults."""
REFIT_RESERVE = (0.1, 0.5)
"""The final fit's reserve, as shares of the budget: at least the first, at most the second."""
REFIT_MARGIN = 1.5
"""The reserve over the estimated final fit: tuned models grow (more rounds, deeper trees)."""
REFIT_OVERHEAD_S = 1.0
"""Reading the rows, scoring the test part and saving, whatever the models."""
REFIT_MEMBERS = 5
"""How many of the best screened models the reserve counts on fitting again."""


def refit_reserve(search: Search) -> float:
    """Seconds to keep for the final fit: the best screened models (the ensemble's likely
    members) fitted on every training row, estimated from their screening, with a margin for
    tuned models' growth; within REFIT_RESERVE of the budget. Permutation importance after it
    takes what is left of the budget, not more."""
    estimate = REFIT_OVERHEAD_S
    likely = sorted(search.kept, key=search.value_of, reverse=True)[:REFIT_MEMBERS]
    for kept in likely:
        scores = kept.model.validation
        # k folds each fit (k-1)/k of the rows; a validation part's fit, 80% of them.
        per_fit = kept.scored.seconds / scores.folds
        growth = scores.folds / (scores.folds - 1) if scores.folds > 1 else 1.25
        estimate += REFIT_MARGIN * per_fit * growth
    budget = search.clock.budget_s
    low, high = REFIT_RESERVE
    return min(high * budget, max(low * budget, estimate))


def tune_promising(search: Search, trials: int | None) -> None:
    """Tune the best `TUNED_ALGORITHMS` algorithms in turn, each from its best screened
    defaults (one-hot or native categories), in equal shares of what the final fit leaves."""
    ranked = sorted(search.kept, key=search.value_of, reverse=True)
    firsts: dict[str, Kept] = {}
    for kept in ranked:
        if math.isfinite(search.value_of(kept)):
            firsts.setdefault(kept.model.algorithm, kept)
    chosen = list(firsts.values())[:TUNED_ALGORITHMS]
    reserve = refit_reserve(search)
    end = search.clock.started + search.clock.budget_s - reserve
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
        _tune_one(search, kept, share, trials)


def _tune_one(search: Search, defaults: Kept, seconds: float, trials: int | None) -> None:
    algorithm = defaults.model.algorithm
    board = search.resolved.leaderboard
    training = defaults.training
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
    tuned: list[Kept] = []

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
        tuned.append(Kept(model, trained, scored))
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


def _warm_start(study: optuna.Study, tuning: ResolvedTuning, defaults: Kept) -> None:
    """The defaults' screening as the study's first trial: the sampler starts from it, and the
    pruner and the deadline have a finished trial to compare with."""
    value = defaults.model.value
    if value is None or not math.isfinite(value):
        return
    space = space_from_json(tuning.search_space)
    screened = defaults.training.hyperparameters
    params = {
        name: screened[name]
        for name in space
        if name in screened and holds(space[name], screened[name])
    }
    study.add_trial(
        create_trial(
            params=params,
            distributions={name: space[name] for name in params},
            value=value,
            user_attrs={DEFAULTS_ATTR: True},
        )
    )
