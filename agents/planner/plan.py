"""The builtin planner: one message about a dataset in, one checked plan out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from agents.languages import language_names, to_english, unsupported
from agents.planner.aspects import run_aspect
from agents.planner.build import (
    Context,
    Draft,
    forecast_draft,
    likely_targets,
    target_question,
    training_draft,
    unsupported_notes,
)
from agents.planner.checks import PlanProblem, check_config
from agents.planner.columns import column_index
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
from agents.planner.questions import (
    READ_IN_PLACE,
    Question,
    Reply,
    Slot,
    answered_name,
    substituted,
)
from agents.planner.registry import Registry, current_registry
from agents.planner.request import Request, read_request
from agents.planner.roles import Roles, read_roles
from agents.planner.spelling import respell
from agents.planner.text import name_words, stem
from agents.planner.unknown import no_such_column
from agents.plans import describe_plan
from ml_backend.jobs.registry import tool_job
from ml_backend.schema import ColumnKind, DatasetProfile

Action = Literal[
    "train",
    "tune",
    "forecast",
    "explore",
    "describe",
    "leaderboard",
    "automl",
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
PLANNED_INTENTS = frozenset(
    {"train", "tune", "forecast", "explore", "describe", "leaderboard", "automl"}
)


class PlannedAction(BaseModel):
    """What the agent will do: a config for a tool, or words (a question or a refusal)."""

    action: Action
    config: dict[str, Any] | None
    """Exactly the JSON the action's config model accepts; None for clarify and error."""
    message: str
    """A one-line plan, or the question or error to show."""
    slot: Slot | None = None
    """For a question an answer can settle: what it asks for, and the request it came from."""
    about: str | None = None
    """For a question about runs: what it asks of them (`agents.run_answers.RunAspect`)."""


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
    english = respell(english, registry, protected=column_words | dataset_words)
    request = read_request(english, profile, registry, dataset_words)
    roles = read_roles(request, profile, set(dataset_words | _DATASET_NOUNS))
    return Reading(english, profile, registry, request, roles)


def plan_message(
    message: str,
    profile: DatasetProfile,
    dataset: dict[str, Any],
    previous: PlannedAction | None = None,
    runs: bool = False,
    *,
    intent: str | None = None,
    replies: dict[str, str] | None = None,
    options: list[str] | None = None,
) -> PlannedAction:
    """Plan one message about the dataset `dataset` (described by `profile`).

    `previous` is the conversation's last plan; a message that only changes part of it
    ('now try lightgbm', 'make it 500 trees') changes that plan. With `runs` (the
    conversation has started jobs) a question about them comes back as its intent
    (`explain_run`, `compare_runs`, `job_status`) with no config, for the caller to answer.
    `intent`, `replies` and `options` plan a request again with answers to the planner's
    questions about it (see `plan_answer`).
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
    if intent in PLANNED_INTENTS:
        action = str(intent)
    else:
        scores = reading.scores(Situation(previous_action, runs))
        action = decide_action(request, scores, previous_action, runs)
    if action in RESULT_INTENTS:
        about = run_aspect(masked_words(request), reading.signals(Situation(previous_action, runs)))
        return PlannedAction(action=action, config=None, message=_ANSWERED_ELSEWHERE[action],
                             about=about)  # fmt: skip
    if action == "list_datasets":
        return PlannedAction(action=action, config=None, message=_ANSWERED_ELSEWHERE[action])
    ctx = Context(
        request=request,
        roles=roles,
        profile=profile,
        dataset=dataset,
        registry=reading.registry,
        previous_action=previous_action,
        previous=usable.config if usable is not None else None,
        replies=_replies(replies or {}, profile, dataset, options or []),
    )
    try:
        return _plan(action, ctx)
    except Question as question:
        slot = question.slot
        if slot is not None:
            carried = {k: v for k, v in (replies or {}).items() if k != slot.kind}
            slot = slot.model_copy(update={
                "intent": slot.intent or (action if action in PLANNED_INTENTS else ""),
                "request": reading.english, "replies": carried,
                "dataset": dataset.get("name"),
            })  # fmt: skip
        return PlannedAction(action=question.action, config=None, message=question.text,
                             slot=slot)  # fmt: skip


def _replies(
    replies: dict[str, str], profile: DatasetProfile, dataset: dict[str, Any], options: list[str]
) -> dict[str, Reply]:
    """Answers to be read where their slots are decided, each read against the dataset."""
    read = {}
    for kind, said in replies.items():
        reading = read_message(said, profile, dataset)
        if reading.request is not None and reading.roles is not None:
            read[kind] = Reply(said, reading.request, reading.roles, options)
    return read


def plan_answer(
    slot: Slot,
    answer: str,
    profile: DatasetProfile,
    dataset: dict[str, Any],
    previous: PlannedAction | None = None,
    runs: bool = False,
) -> PlannedAction | None:
    """The request `slot` was asked about, planned with `answer` filling the slot; the
    question again when the answer names nothing that fills it; None when the answer is a
    request of its own, to be planned as such.

    The answer is a request of its own when it asks for something complete by itself of
    another kind than the request (a chart for a model, a question about runs), or asks for
    something complete and fills nothing: 'show a histogram of species' answering 'which
    column should the model predict?'.
    """
    own = plan_message(answer, profile, dataset, previous, runs)
    if own.action in RESULT_INTENTS or own.action == "list_datasets":
        return None
    reading = read_message(answer, profile, dataset)
    if reading.request is None or reading.roles is None:
        return None
    asks = _asks(reading.request)
    if asks and own.config is not None and _kind_of(own.action) != _kind_of(slot.intent):
        return None
    filled = _filled(slot, answer, reading, profile, dataset, previous, runs)
    if not slot.same_as(filled.slot):
        return filled
    # Unfilled: a request complete by itself is new; one that is itself a question (which
    # column?) is no clearer than the first, which is asked about again.
    return None if asks and own.config is not None else filled


def _filled(
    slot: Slot,
    answer: str,
    reading: Reading,
    profile: DatasetProfile,
    dataset: dict[str, Any],
    previous: PlannedAction | None,
    runs: bool,
) -> PlannedAction:
    """The request planned again with the answer in its slot (see `agents.planner.questions`)."""
    assert reading.request is not None and reading.roles is not None
    replies = dict(slot.replies)
    text = slot.request
    if slot.kind in READ_IN_PLACE:
        replies[slot.kind] = answer
        if _says_more(reading.request):
            text = f"{text} {reading.english}"  # 'species, with lightgbm': the rest counts too
    elif slot.kind == "columns":
        text = f"{text} of {reading.english}"
    else:
        reply = Reply(answer, reading.request, reading.roles, slot.options)
        known = profile.column_names if slot.kind == "column" else list(reading.registry.algorithms)
        name = answered_name(reply, known)
        if name is None:
            return PlannedAction(action="clarify", config=None, slot=slot,
                                 message=_asked_again(slot, reply, known))  # fmt: skip
        text = substituted(text, slot.said or "", name)
    return plan_message(text, profile, dataset, previous, runs, intent=slot.intent or None,
                        replies=replies, options=slot.options)  # fmt: skip


def asks_for_something(message: str, profile: DatasetProfile, dataset: dict[str, Any]) -> bool:
    """Whether `message` asks for something by itself (a model, a chart), as an answer that
    is a request of its own does; a bare name ('penguins', 'species') asks for nothing."""
    request = read_message(message, profile, dataset).request
    return request is not None and _asks(request)


def _kind_of(intent: str) -> str:
    """Models or charts: 'predict for each store' answers which series a forecast is of,
    'show a histogram of species' does not answer which column a model predicts."""
    return "chart" if intent in {"explore", "describe"} else "model"


def _asks(request: Request) -> bool:
    return bool(request.cues or request.explorers)


def _says_more(request: Request) -> bool:
    """Whether an answer says something besides the slot it fills: an algorithm, a setting."""
    split = request.split
    return bool(
        request.algorithms or request.settings or request.durations or request.metrics
        or request.strategy or request.task_type or request.n_trials
        or split.test_size is not None or split.validation_size is not None
    )  # fmt: skip


def _asked_again(slot: Slot, reply: Reply, known: list[str]) -> str:
    """The question of a `column` or `algorithm` slot again, after an answer that named none
    (or several) of the names it can take."""
    what = "column" if slot.kind == "column" else "algorithm"
    offered = slot.options or known
    listed = " or ".join(f"`{name}`" for name in offered[:8])
    return (
        f"'{reply.said.strip()}' does not name one {what} I know. Which {what} do you mean by "
        f"'{slot.said}': {listed}?"
    )


def _plan(action: str, ctx: Context) -> PlannedAction:
    if action == "error":
        return PlannedAction(action="error", config=None, message=ctx.request.refusal or "")
    if action == "describe":
        config = {"dataset": ctx.dataset}
        return PlannedAction(
            action="describe", config=config, message=describe_plan(action, config)
        )
    if action == "clarify":
        raise _open_question(ctx)
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
    if plan.config is None and plan.unclear is not None:
        raise Question(str(plan.question), slot="column", said=plan.unclear, options=plan.options)
    if plan.config is None:
        raise Question(plan.question) if plan.question else _open_question(ctx)
    return Draft(plan.config, notes=unsupported_notes(ctx.request))


_DRAFTERS: dict[str, Callable[[Context, str], Draft]] = {
    "explore": _exploration_draft,
    "forecast": lambda ctx, _action: forecast_draft(ctx),
    "train": training_draft,
    "tune": training_draft,
    "leaderboard": training_draft,
    "automl": training_draft,
}
"""How the planner turns a request's words into a draft config of each kind it plans."""


def _checked(action: str, draft: Draft, ctx: Context) -> PlannedAction:
    """The draft as a plan when the validators accept it, else the reason as an error."""
    try:
        check_config(action, draft.config, ctx.profile)
    except PlanProblem as problem:
        if action == "explore" and not draft.config.get("columns") and problem.field == "columns":
            # A chart named with no column to draw: which columns is the question.
            explorer = str(draft.config.get("explorer"))
            raise Question(chart_columns_question(explorer, ctx.profile), slot="columns",
                           intent="explore") from None  # fmt: skip
        return PlannedAction(
            action="error",
            config=None,
            message=f"I can't plan that as asked: {problem.detail}",
        )
    text = describe_plan(action, draft.config)
    if draft.notes:
        text = f"{text} {' '.join(draft.notes)}"
    return PlannedAction(action=action, config=draft.config, message=text)


def _open_question(ctx: Context) -> Question:
    request = ctx.request
    if ctx.roles.target_phrase:
        # 'predict hat size' where no column is the hat size: say so, never a bare question
        fallback = [name for name, _ in likely_targets(ctx.profile)]
        near = column_index(ctx.profile).nearest(ctx.roles.target_phrase) or fallback
        text = no_such_column(ctx.profile, ctx.roles.target_phrase, fallback)
        return Question(text, slot="column", said=ctx.roles.target_phrase, options=near[:3],
                        intent="train")  # fmt: skip
    if request.explorers and not request.mentions:
        return Question(chart_columns_question(request.explorers[0], ctx.profile),
                        slot="columns", intent="explore")  # fmt: skip
    modelling = ("train", "tune", "automl", "leaderboard")
    if request.mentions or request.algorithms or {"train", "automl"} & request.cues:
        intent = next((c for c in modelling[1:] if c in request.cues), "train")
        return Question(target_question(ctx.profile), slot="target", intent=intent)
    return Question(
        "What would you like to do with this data? I can describe it, draw charts (scatter, "
        "histogram, box, bar, line, correlation), train or tune a model to predict a column, "
        "compare algorithms, find the best model within a time budget, or forecast a time "
        "series. " + target_question(ctx.profile)
    )


def chart_columns_question(explorer: str, profile: DatasetProfile) -> str:
    """Which columns a chart named without any should show, with some of each kind."""
    numeric = [c.name for c in profile.columns if c.kind is ColumnKind.NUMERIC]
    grouping = [c.name for c in profile.columns
                if c.kind in {ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN}]  # fmt: skip
    kinds = [
        f"{label}: {', '.join(f'`{c}`' for c in names[:6])}"
        for label, names in (("numeric", numeric), ("categories", grouping))
        if names
    ]
    shown = f" ({'; '.join(kinds)})" if kinds else ""
    return f"Which columns should the {explorer.replace('_', ' ')} show{shown}?"
