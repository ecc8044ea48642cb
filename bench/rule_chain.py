"""The planner's former decision, the first rule that fires in a fixed order: kept only as
the baseline `intent_eval.py` measures the intent model against."""

from __future__ import annotations

from itertools import pairwise

from agents.planner.explore import time_like
from agents.planner.intents import says_something
from agents.planner.registry import Registry
from agents.planner.request import Request
from agents.planner.roles import Roles
from agents.planner.text import stem, words
from ml_backend.schema import DatasetProfile

TRAIN_LIKE = frozenset({"train", "tune", "forecast", "leaderboard"})
_STRONG_TRAIN = frozenset(
    stem(w)
    for w in words(
        "train training trained fit fitting predict predicting prediction predictions classify "
        "classifying classification classifier regression regressor regress model models modeling "
        "modelling estimate learn"
    )
)
_STRONG_EXPLORE = frozenset(
    words("scatter scatterplot histogram hist boxplot heatmap pairplot splom correlogram")
)
_STRONG_EXPLORE_PAIRS = frozenset(
    {
        ("box", "plot"),
        ("bar", "chart"),
        ("bar", "plot"),
        ("bar", "graph"),
        ("line", "chart"),
        ("line", "plot"),
        ("line", "graph"),
        ("correlation", "matrix"),
        ("pair", "plot"),
        ("scatter", "matrix"),
        ("summary", "statistics"),
        ("summary", "stats"),
        ("distribution", "of"),
        ("how", "many"),
        ("missing", "values"),
        ("plot", "of"),
        ("plot", "the"),
        ("descriptive", "statistics"),
    }
)
_COMPARE = frozenset({"compare", "comparing", "comparison", "vs", "versus", "against", "or"})


def strong_train(request: Request) -> bool:
    """Whether the message asks for a model in so many words (or names an algorithm)."""
    if request.algorithms:
        return True
    return any(
        t.stem in _STRONG_TRAIN for i, t in enumerate(request.tokens) if i not in request.blocked
    )


def strong_explore(request: Request) -> bool:
    """Whether the message names a chart outright ('scatter', 'box plot', 'how many')."""
    texts = [t.text for t in request.tokens]
    if any(t in _STRONG_EXPLORE for t in texts):
        return True
    return any(pair in _STRONG_EXPLORE_PAIRS for pair in pairwise(texts))


def rule_action(
    request: Request,
    roles: Roles,
    previous_action: str | None,
    profile: DatasetProfile,
    registry: Registry,
) -> str:
    """The former first-rule-that-fires decision, kept only to measure the classifier against."""
    if request.refusal:
        return "error"
    cues = request.cues
    trains = strong_train(request)
    words = request.explore
    explores = bool(request.explorers) or words.over_time or bool(words.agg and words.groups)
    plain_question = not request.mentions and not trains and not strong_explore(request)
    if plain_question and ("describe" in cues or _asks_for_columns(request)):
        return "describe"
    if explores and strong_explore(request) and not request.algorithms:
        return "explore"
    if "leaderboard" in cues or _compares_algorithms(request):
        return "leaderboard"
    if "tune" in cues or request.n_trials is not None:
        return "tune"
    if _forecasts(request, profile, registry):
        return "forecast"
    if explores and not trains:
        return "explore"
    if ("plot" in cues or words.groups) and request.mentions and not trains:
        return "explore"
    if trains or roles.target is not None:
        continues = request.followup or roles.target is None
        if previous_action in TRAIN_LIKE and continues:
            one_algorithm = len(request.algorithms) == 1
            return (
                "train" if previous_action == "leaderboard" and one_algorithm else previous_action
            )
        return "train"
    continuable = previous_action not in {None, "clarify", "error", "describe"}
    if continuable and says_something(request):
        return str(previous_action)
    if request.unavailable:
        return "train"
    return "clarify"


_COLUMN_NOUNS = frozenset({"column", "field", "variable", "feature", "attribute", "schema"})
_ASKING = frozenset({"what", "which", "show", "list", "see", "tell", "give", "display", "are"})


def _asks_for_columns(request: Request) -> bool:
    """'what are the columns?', 'list the variables': a question about the table itself."""
    said = {t.stem for t in request.tokens if t.is_word}
    return bool(said & _COLUMN_NOUNS and said & _ASKING and not request.algorithms)


def _compares_algorithms(request: Request) -> bool:
    if len(request.algorithms) < 2:
        return False
    return any(t.text in _COMPARE for t in request.tokens) or "try" in {
        t.text for t in request.tokens
    }


def _forecasts(request: Request, profile: DatasetProfile, registry: Registry) -> bool:
    if any(registry.is_forecaster(a) for a in request.algorithms):
        return True
    if not time_like(profile):
        return False
    words = {t.text for t in request.tokens}
    if words & {"forecast", "forecasting", "forecasts", "extrapolate", "ahead", "horizon"}:
        return True
    return bool(request.durations) and bool(words & {"next", "future", "coming", "following"})
