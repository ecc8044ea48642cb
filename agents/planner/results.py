"""Questions about runs already made ("how did it do?", "which one won?", "what matters
most?"), once the intent model has said which kind they are, as the read-only tool call
that answers them from the stored results."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from agents.planner.registry import current_registry
from agents.planner.text import stem, tokenize, words

_MODEL_TOOLS = frozenset({"train", "tune", "forecast", "leaderboard"})
_SETTINGS = frozenset(words("hyperparameter parameter setting param"))


@dataclass(frozen=True)
class RunRef:
    """A run the conversation started: its id, the tool that started it, its config."""

    run_id: int
    tool: str
    config: dict[str, Any]


def results_call(
    intent: str, text: str, runs: Sequence[RunRef]
) -> tuple[str, dict[str, Any]] | None:
    """The read-only tool call that answers a question of intent `intent` (`explain_run`,
    `compare_runs` or `job_status`) about the conversation's runs; None when the question
    cannot be about them (no runs, or it names an algorithm none of them used)."""
    if not askable(text, runs):
        return None
    said = {stem(t.text) for t in tokenize(text) if t.is_word}
    models = [r for r in runs if r.tool in _MODEL_TOOLS] or list(runs)
    named = _named(said, models)
    if intent == "job_status":
        return "job_status", {"run_id": (named or runs[-1]).run_id}
    if intent == "compare_runs" and len(models) >= 2:
        return "compare_runs", {"run_ids": [r.run_id for r in models[-2:]]}
    if said & _SETTINGS and named is None:
        tuned = [r for r in models if r.tool == "tune"]
        return "explain_run", {"run_id": (tuned or models)[-1].run_id}
    return "explain_run", {"run_id": (named or models[-1]).run_id}


def askable(text: str, runs: Sequence[RunRef]) -> bool:
    """Whether a question in `text` may be about `runs`: there are some, and it names no
    algorithm that none of them used (that is a new comparison or training, to plan)."""
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
        algorithm = str(run.config.get("algorithm") or "")
        words = set(algorithm.replace("_", " ").split())
        if words and words <= said:
            return run
    return None
