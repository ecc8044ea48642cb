"""The builtin planner: one message about a dataset in, one checked plan out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from agents.languages import language_names, to_english, unsupported
from agents.planner.build import (
    Context,
    Draft,
    Question,
    forecast_draft,
    likely_targets,
    target_question,
    training_draft,
    unsupported_notes,
)
from agents.planner.checks import PlanProblem, check_config
from agents.planner.explore import plan_exploration
from agents.planner.intent_model import (
    RESULT_INTENTS,
    Scores,
    Situation,
    intent_model,
    masked_words,
    signals,
)
from agents.planner.intents import decide_action
from agents.planner.registry import Registry, current_registry
from agents.planner.request import Request, read_request
from agents.planner.roles import Roles, read_roles
from agents.planner.text import name_words, stem
from agents.planner.unknown import no_such_column
from agents.plans import describe_plan
from ml_backend.jobs.registry import tool_job
from ml_backend.schema import DatasetProfile

Action = Literal[
    "train",
    "tune",
    "forecast",
    "explore",
    "describe",
    "leaderboard",
    "clarify",
    "error",
    "explain_run",
    "compare_runs",
    "job_status",
    "list_datasets",
    "load_sql",
]
_ANSWERED_ELSEWHERE = {
    "list_datasets": "I'll list the datasets there are.",
    "explain_run": "I'll explain the run from its stored result.",
    "compare_runs": "I'll compare the runs from their stored results.",
    "job_status": "I'll look up the run's status.",
}
_DATASET_NOUNS = frozenset({"row", "dataset", "data", "table", "record", "sample", "observation"})


class PlannedAction(BaseModel):
    """What the agent will do: a config for a tool, or words (a question or a refusal)."""

    action: Action
    config: dict[str, Any] | None
    """Exactly the JSON the action's config model accepts; None for clarify and error."""
    message: str
    """A one-line plan, or the question or error to show."""


@dataclass
class Reading:
    """One message read against a dataset: in English, its slots, and the columns' roles."""

    english: str
    profile: DatasetProfile
    registry: Registry
    request: Request | None
    """None when the message is in a language there is no pack for."""
    roles: Roles | None
    other_language: str | None = None

    def signals(self, situation: Situation) -> list[str]:
        assert self.request is not None and self.roles is not None
        return signals(self.request, self.roles, self.profile, self.registry, situation)

    def scores(self, situation: Situation) -> Scores:
        """How likely each intent is, given the message and the conversation."""
        assert self.request is not None
        return intent_model().scores(masked_words(self.request), self.signals(situation))


def read_message(message: str, profile: DatasetProfile, dataset: dict[str, Any]) -> Reading:
    """The message in English, and what it names of the dataset `dataset`."""
    registry = current_registry()
    dataset_words = frozenset(stem(w) for w in name_words(str(dataset.get("name") or "")))
    column_words = {w for name in profile.column_names for w in name_words(name)}
    english, language = to_english(message, protected=column_words)
    other = unsupported(language)
    if other is not None:
        return Reading(english, profile, registry, None, None, other)
    request = read_request(english, profile, registry, dataset_words)
    roles = read_roles(request, profile, set(dataset_words | _DATASET_NOUNS))
    return Reading(english, profile, registry, request, roles)


def plan_message(
    message: str,
    profile: DatasetProfile,
    dataset: dict[str, Any],
    previous: PlannedAction | None = None,
    runs: bool = False,
) -> PlannedAction:
    """Plan one message about the dataset `dataset` (described by `profile`).

    `previous` is the conversation's last plan; a message that only changes part of it
    ('now try lightgbm', 'make it 500 trees') changes that plan. With `runs` (the
    conversation has started jobs) a question about them comes back as its intent
    (`explain_run`, `compare_runs`, `job_status`) with no config, for the caller to answer.
    """
    reading = read_message(message, profile, dataset)
    if reading.request is None or reading.roles is None:
        return PlannedAction(action="clarify", config=None, message=(
            f"This looks like {reading.other_language}, which I do not read yet: I understand "
            f"{language_names()}. Could you ask in one of those?"
        ))  # fmt: skip
    request, roles = reading.request, reading.roles
    if request.refusal is not None:
        return PlannedAction(action="error", config=None, message=request.refusal)
    # A plan about another dataset says nothing about this one's columns.
    same_data = previous is not None and (previous.config or {}).get("dataset") == dataset
    usable = previous if same_data else None
    previous_action = usable.action if usable is not None else None
    scores = reading.scores(Situation(previous_action, runs))
    action = decide_action(request, scores, previous_action, runs)
    if action in RESULT_INTENTS or action == "list_datasets":
        return PlannedAction(action=action, config=None, message=_ANSWERED_ELSEWHERE[action])
    ctx = Context(
        request=request,
        roles=roles,
        profile=profile,
        dataset=dataset,
        registry=reading.registry,
        previous_action=previous_action,
        previous=usable.config if usable is not None else None,
    )
    try:
        return _plan(action, ctx)
    except Question as question:
        return PlannedAction(action=question.action, config=None, message=question.text)


def _plan(action: str, ctx: Context) -> PlannedAction:
    if action == "error":
        return PlannedAction(action="error", config=None, message=ctx.request.refusal or "")
    if action == "describe":
        config = {"dataset": ctx.dataset}
        return PlannedAction(
            action="describe", config=config, message=describe_plan(action, config)
        )
    if action == "clarify":
        return PlannedAction(action="clarify", config=None, message=_open_question(ctx))
    draft = _DRAFTERS[action](ctx, action)
    job = tool_job(action)
    if job is not None:
        # A draft built for a related kind (a leaderboard from a training's words) keeps
        # only the fields this kind's config takes.
        draft.config = {k: v for k, v in draft.config.items() if k in job.config.model_fields}
    return _checked(action, draft, ctx)


def _exploration_draft(ctx: Context, _action: str) -> Draft:
    previous = ctx.previous if ctx.previous_action == "explore" else None
    plan = plan_exploration(ctx.request, ctx.profile, ctx.dataset, previous)
    if plan.config is None:
        raise Question(plan.question or _open_question(ctx))
    return Draft(plan.config, notes=unsupported_notes(ctx.request))


_DRAFTERS: dict[str, Callable[[Context, str], Draft]] = {
    "explore": _exploration_draft,
    "forecast": lambda ctx, _action: forecast_draft(ctx),
    "train": training_draft,
    "tune": training_draft,
    "leaderboard": training_draft,
}
"""How the planner turns a request's words into a draft config of each kind it plans."""


def _checked(action: str, draft: Draft, ctx: Context) -> PlannedAction:
    """The draft as a plan when the validators accept it, else the reason as an error."""
    try:
        check_config(action, draft.config, ctx.profile)
    except PlanProblem as problem:
        return PlannedAction(
            action="error",
            config=None,
            message=f"I can't plan that as asked: {problem.detail}",
        )
    text = describe_plan(action, draft.config)
    if draft.notes:
        text = f"{text} {' '.join(draft.notes)}"
    return PlannedAction(action=action, config=draft.config, message=text)


def _open_question(ctx: Context) -> str:
    request = ctx.request
    if ctx.roles.target_phrase:
        # 'predict hat size' where no column is the hat size: say so, never a bare question
        fallback = [name for name, _ in likely_targets(ctx.profile)]
        return no_such_column(ctx.profile, ctx.roles.target_phrase, fallback)
    if request.mentions or request.algorithms or "train" in request.cues:
        return target_question(ctx.profile)
    return (
        "What would you like to do with this data? I can describe it, draw charts (scatter, "
        "histogram, box, bar, line, correlation), train or tune a model to predict a column, "
        "compare algorithms, or forecast a time series. " + target_question(ctx.profile)
    )
