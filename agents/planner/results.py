"""Questions about runs already made ("how did it do?", "which one won?", "what matters
most?"), once the intent model has said which kind they are, as the read-only tool call
that answers them from the stored results."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from agents.planner.registry import current_registry
from agents.planner.text import STOPWORDS, stem, tokenize, words

MODEL_TOOLS = frozenset({"train", "tune", "forecast", "leaderboard", "automl", "retrain_run"})
"""The tools whose runs train a model: what "it", "the model" and "the other one" point to."""
_SETTINGS = frozenset(words("hyperparameter parameter setting param"))
_OTHER = frozenset(words("other another"))
_POINTING = frozenset(words("one run model version about"))
"""Words that only point ('the xgboost one', 'what about the run'), besides stopwords."""
SEARCH_TOOLS = frozenset({"tune", "automl"})
"""The tools whose runs search settings: where 'the best settings' are found."""
_KIND_WORDS = {
    "leaderboard": frozenset(words("leaderboard ranking benchmark")),
    "automl": frozenset(words("automl ensemble")),
    "tune": frozenset(words("tuning tuned search optimization optimisation study")),
    "forecast": frozenset(words("forecast forecasting")),
}
"""Words that name a run by its kind: 'the leaderboard', 'the tuned one', 'the forecast',
'the ensemble'."""


@dataclass(frozen=True)
class RunRef:
    """A run the conversation started: its id, the tool that started it, its config."""

    run_id: int
    tool: str
    config: dict[str, Any]


def results_call(
    intent: str,
    text: str,
    runs: Sequence[RunRef],
    about: str | None = None,
    discussed: Sequence[int] = (),
) -> tuple[str, dict[str, Any]] | None:
    """The read-only tool call that answers a question of intent `intent` (`explain_run`,
    `compare_runs` or `job_status`) about the conversation's runs, asking `about` one aspect
    of the run (`agents.run_answers.RunAspect`); None when the question cannot be about
    them (no runs, or it names an algorithm none of them used).

    The run is the one the question names (by its algorithm, by its kind, or as 'the other
    one' of the last two beside the run the last answer was about, `discussed`), else the
    last model run; the best settings are those of the last search.
    """
    if not askable(text, runs):
        return None
    said = {stem(t.text) for t in tokenize(text) if t.is_word}
    models = [r for r in runs if r.tool in MODEL_TOOLS] or list(runs)
    meant = _meant(said, runs, models, discussed)
    if intent == "compare_runs" and len(models) >= 2:
        return "compare_runs", {"run_ids": [r.run_id for r in models[-2:]]}
    if intent == "job_status":
        run = meant or runs[-1]
    elif meant is None and (about == "settings" or said & _SETTINGS):
        tuned = [r for r in models if r.tool in SEARCH_TOOLS]
        run = (tuned or models)[-1]
    else:
        run = meant or models[-1]
    args: dict[str, Any] = {"run_id": run.run_id}
    if about is not None and about != "overview":
        args["about"] = about
    return ("job_status" if intent == "job_status" else "explain_run"), args


def _meant(
    said: set[str], runs: Sequence[RunRef], models: Sequence[RunRef], discussed: Sequence[int]
) -> RunRef | None:
    """The run a question names: by algorithm, by kind, or as the other one."""
    named = _named(said, models)
    if named is not None:
        return named
    for tool, kind_words in _KIND_WORDS.items():
        if said & kind_words:
            of_kind = [r for r in runs if r.tool == tool]
            if of_kind:
                return of_kind[-1]
    if said & _OTHER:
        pool = list(models[-2:]) if len(models) >= 2 else list(runs[-2:])
        others = [r for r in pool if r.run_id not in discussed]
        if len(pool) == 2 and len(others) == 1:
            return others[0]
        if len(pool) == 2 and not discussed:
            return pool[0]  # the last one is what was being talked about
    return None


def follow_up_run(text: str, runs: Sequence[RunRef], discussed: Sequence[int]) -> RunRef | None:
    """The run an elliptical follow-up to an answer points to ('and the other one?', 'what
    about the random forest?', 'and the leaderboard?'): the last question, asked again of
    that run. None when the message says anything besides pointing at a run, or points at
    the run just answered about."""
    said = [t for t in tokenize(text) if t.is_word]
    if not said or not discussed:
        return None
    stems = {stem(t.text) for t in said}
    models = [r for r in runs if r.tool in MODEL_TOOLS] or list(runs)
    meant = _meant(stems, runs, models, discussed)
    if meant is None or meant.run_id in discussed:
        return None
    pointing = set(_OTHER | _POINTING | STOPWORDS).union(*_KIND_WORDS.values())
    pointing |= {w for r in runs for w in _algorithm_words(r)}
    return meant if all(stem(t.text) in pointing or t.text in pointing for t in said) else None


def askable(text: str, runs: Sequence[RunRef]) -> bool:
    """Whether a question in `text` may be about `runs`: there are some, and it names no
    algorithm that none of them used (that is a new comparison or training, to plan). An
    AutoML given no list tried them all ('how did xgboost do in it?')."""
    if any(r.tool == "automl" and not r.config.get("algorithms") for r in runs):
        return True
    ran = {str(r.config.get("algorithm")) for r in runs}
    ran |= {str(a) for r in runs for a in r.config.get("algorithms") or []}
    return bool(runs) and not algorithms_named(text) - ran


def algorithms_named(text: str) -> set[str]:
    """The registered algorithms and forecasters a message names, by name or alias."""
    lowered = " ".join(t.text for t in tokenize(text) if t.is_word)
    return {
        name
        for name, aliases in current_registry().aliases
        for alias in (name, *aliases)
        if re.search(rf"\b{re.escape(alias.replace('_', ' ').lower())}\b", lowered)
    }


def _named(said: set[str], runs: Sequence[RunRef]) -> RunRef | None:
    """The last run whose algorithm the message names ('the random forest one')."""
    for run in reversed(runs):
        named = _algorithm_words(run)
        if named and named <= said:
            return run
    return None


def _algorithm_words(run: RunRef) -> set[str]:
    return set(str(run.config.get("algorithm") or "").replace("_", " ").split())
