"""Questions about runs already made ("how did it do?", "which one won?", "what matters
most?") as the read-only tool call that answers them from the stored results."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from agents.planner.registry import current_registry
from agents.planner.text import stem, tokenize, words

_MODEL_TOOLS = frozenset({"train", "tune", "forecast", "leaderboard"})
_NEW_WORK = frozenset(
    words("train fit predict plot draw tune optimize optimise classify retrain rerun")
)
"""Verbs that ask for a new job: such a message is planned, not answered."""
_WORK_NOUNS = frozenset(
    words(
        "forecast chart graph histogram scatter bar line box heatmap correlation leaderboard "
        "regression classification"
    )
)
"""Nouns of jobs: a question may be about one ('how good is the forecast?'), a request not."""
_SETTINGS = frozenset(words("hyperparameter parameter setting param"))
_COMPARES = frozenset(words("better worse best won win winner beat compare comparison versus vs"))
_ASKS = frozenset(
    words(
        "how well good accurate result perform performance score explain why matter "
        "important importance influence rely relied hyperparameter parameter setting "
        "metric error"
    )
)
_ONE_RUN = frozenset(words("it this that run model one"))


@dataclass(frozen=True)
class RunRef:
    """A run the conversation started: its id, the tool that started it, its config."""

    run_id: int
    tool: str
    config: dict[str, Any]


def results_request(text: str, runs: Sequence[RunRef]) -> tuple[str, dict[str, Any]] | None:
    """The read-only tool call a question about the conversation's runs asks for; None for a
    message that is not such a question (or a conversation without runs)."""
    if not runs:
        return None
    said = {stem(t.text) for t in tokenize(text) if t.is_word}
    question = text.strip().endswith("?")
    new_work = said & _NEW_WORK or (said & _WORK_NOUNS and not question)
    if new_work and "run" not in said:
        return None
    ran = {str(r.config.get("algorithm")) for r in runs}
    ran |= {str(a) for r in runs for a in r.config.get("algorithms") or []}
    if algorithms_named(text) - ran:
        return None  # an algorithm no run used: a new comparison or training, to plan
    compares = bool(said & _COMPARES)
    asks = bool(said & _ASKS) or (question and bool(said & _ONE_RUN))
    if not (compares or asks):
        return None
    models = [r for r in runs if r.tool in _MODEL_TOOLS] or list(runs)
    if said & _SETTINGS:
        tuned = [r for r in models if r.tool == "tune"]
        return "explain_run", {"run_id": (tuned or models)[-1].run_id}
    named = _named(said, models)
    if compares and len(models) >= 2 and not (named and said & {"most", "matter", "rely"}):
        return "compare_runs", {"run_ids": [r.run_id for r in models[-2:]]}
    target = named or models[-1]
    return "explain_run", {"run_id": target.run_id}


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
        algorithm = str(run.config.get("algorithm") or "")
        words = set(algorithm.replace("_", " ").split())
        if words and words <= said:
            return run
    return None
