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
from typing import Any

import optuna
import pandas as pd

from ml_backend.algorithms import get_algorithm
from ml_backend.configs import AutoMLConfig, LeaderboardConfig
from ml_backend.errors import JobCancelledError, MLInputError
from ml_backend.jobs.automl.clock import Clock, OutOfTime
from ml_backend.jobs.automl.plots import automl_plots
from ml_backend.jobs.automl.result import (
    AutoMLModel,
    AutoMLResult,
    ResolvedAutoML,
    SkippedAlgorithm,
)
from ml_backend.jobs.automl.search import Search
from ml_backend.jobs.automl.selection import OutOfFold, Scorer, aligned, select_ensemble
from ml_backend.jobs.automl.tuning import tune_promising
from ml_backend.jobs.leaderboard.run import Candidate, resolve_leaderboard
from ml_backend.jobs.spec import Outcome
from ml_backend.jobs.train.data import prepare
from ml_backend.jobs.train.resolve import EnsembleMember, ResolvedTraining
from ml_backend.jobs.train.run import train
from ml_backend.jobs.train.scoring import score_training
from ml_backend.jobs.tune.space import for_features, resolve_space, space_to_json
from ml_backend.numbers import format_metric
from ml_backend.preprocessing import CATEGORICAL_KINDS
from ml_backend.reporting import Reporter
from ml_backend.schema import DatasetProfile
from ml_backend.splitting import final_split

logger = logging.getLogger(__name__)

__all__ = ["AutoMLResult", "ResolvedAutoML", "resolve_automl", "run_automl"]

SCREENING_SHARE = 0.5
"""Past this share of the budget no default model starts and a running one is stopped (once
one has finished): the rest is for tuning the promising ones and the final fit."""
NATIVE_FIELD = "categorical_encoding"
"""The hyperparameter of algorithms that can split on categories themselves."""
SCREENING_ORDER = ("linear", "lightgbm", "xgboost", "random_forest", "neural_network")
"""Cheap first, so that a short budget still screens most algorithms."""

PhaseHook = Callable[[str, dict[str, Any]], None]


def resolve_automl(config: AutoMLConfig, profile: DatasetProfile) -> ResolvedAutoML:
    """`config` checked against `profile` as a leaderboard's, with each algorithm's space."""
    board_config = LeaderboardConfig.model_validate(config.model_dump(exclude={"time_budget_s"}))
    board = resolve_leaderboard(board_config, profile)
    spaces = {}
    for candidate in board.applicable:
        space, _ = resolve_space(get_algorithm(candidate.algorithm), board.task_type, None, {})
        assert candidate.training is not None  # applicable candidates have one
        spaces[candidate.algorithm] = space_to_json(
            for_features(space, candidate.training.feature_kinds)
        )
    return ResolvedAutoML(
        leaderboard=board, time_budget_s=config.time_budget_s, search_spaces=spaces
    )


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
    search = Search(resolved, data, reporter, clock)
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
    tune_promising(search, trials_per_algorithm)
    announce("ensembling", {"models": len(search.kept)})
    final, ensemble_value, single_value = _ensemble(search)
    announce("final fit", {"members": [m.algorithm for m in final.ensemble or []]})
    search.reporter.announce(f"fitting the chosen model on every training row: {_said(final)}")
    training = train(
        final.model_copy(update={"split": final_split(final.split)}),
        frame,
        reporter=search.reporter.staged("final fit", quiet=False),
        artifact_dir=artifact_dir,
        explain_by=clock.at(1.0),
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


def _variants(search: Search, candidates: list[Candidate]) -> list[tuple[str, ResolvedTraining]]:
    """Each candidate's defaults and, where the data has categorical columns and the algorithm
    can split on categories itself, its defaults so too: which suits the data is measured."""
    variants = []
    for candidate in candidates:
        training = candidate.training
        assert training is not None
        variants.append((candidate.algorithm, training))
        categorical = any(kind in CATEGORICAL_KINDS for kind in training.feature_kinds.values())
        spec = get_algorithm(candidate.algorithm)
        if categorical and NATIVE_FIELD in spec.hyperparameters.model_fields:
            native = {**training.hyperparameters, NATIVE_FIELD: "native"}
            variants.append(
                (
                    f"{candidate.algorithm} native categories",
                    training.model_copy(update={"hyperparameters": native}),
                )
            )
    return variants


def _screen(search: Search, candidates: list[Candidate]) -> None:
    deadline = search.clock.at(SCREENING_SHARE)
    for name, training in _variants(search, candidates):
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


def _ensemble(search: Search) -> tuple[ResolvedTraining, float | None, float | None]:
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


def _ranked(search: Search) -> list[AutoMLModel]:
    ordered = sorted(search.kept, key=search.value_of, reverse=True)
    values = [search.value_of(k) for k in ordered]
    models = []
    for kept, value in zip(ordered, values, strict=True):
        rank = 1 + sum(other > value for other in values) if math.isfinite(value) else None
        models.append(kept.model.model_copy(update={"rank": rank}))
    return models


def _single_name(search: Search, final: ResolvedTraining) -> str:
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
