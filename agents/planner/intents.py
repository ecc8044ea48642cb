"""What a message asks for: train, tune, forecast, explore, describe, a leaderboard, an
AutoML, an answer about runs, or more information; the intent model's scores decide, within what the
conversation allows."""

from __future__ import annotations

from agents.planner.intent_model import PLAN_INTENTS, RESULT_INTENTS, Scores, asks, names_data
from agents.planner.registry import current_registry
from agents.planner.request import Request

UNSURE = -0.5
"""Below this margin the classifier is against even the best intent it is allowed: the
message is asked about rather than acted on (measured with bench/intent_eval.py)."""


def decide_action(
    request: Request,
    scores: Scores,
    previous_action: str | None,
    runs: bool = False,
) -> str:
    """The intent to act on: the classifier's best among those the message and the
    conversation allow.

    Questions about results need runs to be about, and a follow-up needs a plan to change
    that says something it could take: words that say nothing revise nothing. A forecast
    cannot be made by an algorithm named that is no forecaster.
    """
    if request.refusal:
        return "error"
    wordless = not any(t.kind == "word" for t in request.tokens)
    if (wordless or scores.unfamiliar > 0.5) and not says_something(request):
        # No words, or mostly words no message it learnt from holds, and nothing a plan could
        # take: whatever the classifier makes of '??' or 'asdkjh', acting on it is a guess.
        return "clarify"
    allowed = set(PLAN_INTENTS)
    if names_data(request):
        allowed.add("list_datasets")
    continuable = previous_action not in {None, "clarify", "error", "describe"}
    if not continuable or not says_something(request):
        allowed.discard("continue")
    if runs and asks(request) and not names_something(request):
        # A question that names no column, algorithm, number or setting ('was it worth
        # it?', 'so how did it go') has nothing to change a plan with: it asks about runs.
        allowed.discard("continue")
    if runs:
        allowed |= RESULT_INTENTS
    if request.algorithms and not set(request.algorithms) & set(current_registry().forecasters):
        allowed.discard("forecast")
    intent = scores.best_of(allowed)
    if scores.of(intent) < 0 and request.explorers and not request.algorithms:
        return "explore"  # unsure, but a chart is named outright and no algorithm is
    if scores.of(intent) < UNSURE:
        return "clarify"
    if intent == "continue":
        one_algorithm = len(request.algorithms) == 1
        if previous_action in {"leaderboard", "automl"} and one_algorithm:
            return "train"  # 'now try xgboost' after every algorithm: that one alone
        return str(previous_action)
    if intent == "clarify" and previous_action is None and request.unavailable:
        return "train"  # an algorithm mlchat lacks: the training plan says so
    if intent == "describe" and any(not m.group for m in request.mentions):
        return "explore"  # statistics of the columns named, not the whole table's description
    return intent


def names_something(request: Request) -> bool:
    """Whether the message names a thing a plan is made of: a column, an algorithm, a chart,
    a number, a setting, a split; cue words alone ('model', 'it', 'now') name none."""
    split = request.split
    return bool(
        request.mentions or request.algorithms or request.settings or request.quantities
        or request.durations or request.metrics or request.explorers or request.values
        or request.strategy or request.task_type or request.n_trials
        or split.test_size is not None or split.validation_size is not None
        or split.random_state is not None
    )  # fmt: skip


def says_something(request: Request) -> bool:
    """Whether the message holds anything a plan could take: a column, an algorithm, a
    setting, a number, a cue. Words that say none of these ('asdkjh qwe') revise nothing."""
    split = request.split
    return bool(
        request.mentions or request.algorithms or request.cues or request.settings
        or request.quantities or request.durations or request.metrics or request.explorers
        or request.values or request.strategy or request.task_type or request.n_trials
        or split.test_size is not None or split.validation_size is not None
        or split.random_state is not None or request.followup
    )  # fmt: skip
