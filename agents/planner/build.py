"""Training-like configs (train, tune, leaderboard, automl, forecast) from what a message
says, merged with the previous plan of the conversation when the message only changes part of
it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agents.planner.columns import UNIT_WORDS, ColumnMention, column_index
from agents.planner.explore import time_like
from agents.planner.hyperparameters import Range, check_each, resolve_settings
from agents.planner.questions import Question, Reply, named_columns
from agents.planner.registry import Registry
from agents.planner.request import Request
from agents.planner.roles import Roles
from agents.planner.series import panel_key, read_series
from agents.planner.settings import Duration, horizon_steps, series_step_seconds
from agents.planner.text import name_words, phrase, words
from agents.planner.unknown import no_such_column
from agents.planner.vocabulary import (
    CROSS_VALIDATION,
    DEFAULT_FOLDS,
    ENSEMBLES,
    UNSUPPORTED_SETTINGS,
)
from ml_backend.configs import MAX_FOLDS, TaskType
from ml_backend.jobs.train.resolve import infer_task
from ml_backend.metrics import METRICS, metric_names
from ml_backend.schema import ColumnKind, ColumnProfile, DatasetProfile

_DROPPED_KINDS = frozenset({ColumnKind.IDENTIFIER, ColumnKind.TEXT})
_TUNING_FIELDS = ("n_trials", "timeout_s", "goal_metric", "direction", "search_space")
_ERROR_METRICS = {TaskType.REGRESSION: "rmse", TaskType.CLASSIFICATION: "log_loss"}
_CLOCK_UNITS = frozenset({"s", "second", "sec", "min", "minute", "hour", "hr", "h", "day"})
_EVERY_ALGORITHM = frozenset({"leaderboard", "automl"})
"""Kinds that train several algorithms, each choosing its own settings."""
_TRAINING_LIKE = frozenset({"train", "tune"}) | _EVERY_ALGORITHM
"""Plans a message may change part of ('now with 500 trees', 'give it an hour')."""


@dataclass
class Draft:
    """A config being assembled, with notes for the person about what was changed or left out."""

    config: dict[str, Any]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """Everything one plan is made from."""

    request: Request
    roles: Roles
    profile: DatasetProfile
    dataset: dict[str, Any]
    registry: Registry
    previous_action: str | None
    previous: dict[str, Any] | None
    replies: dict[str, Reply] = field(default_factory=dict)
    """Answers to the planner's questions about this request, by the slot they fill."""

    @property
    def merging(self) -> bool:
        """Whether the message changes the previous training-like plan rather than starting anew."""
        if self.previous is None or self.previous_action not in _TRAINING_LIKE:
            return False
        return self.request.followup or self.roles.target is None


_FEW_CLASSES = 10
_QUANTITY_WORDS = UNIT_WORDS | frozenset(
    words("n num number count cnt qty quantity amount total size length duration age")
)
"""Words of a column's name that make its whole numbers an amount, not codes of classes."""


def _task_of(ctx: Context, column: ColumnProfile) -> TaskType:
    """The task the target implies, unless the metrics asked for belong only to the other one:
    'minimise rmse' on a count makes it a regression."""
    inferred = infer_task(column, ctx.profile.row_count)
    if column.kind is not ColumnKind.NUMERIC or inferred is TaskType.REGRESSION:
        return inferred
    if column.distinct > _FEW_CLASSES and set(name_words(column.name)) & _QUANTITY_WORDS:
        return TaskType.REGRESSION  # 'shipDays', 'n_items': more than a few values of an amount
    asked = set(ctx.request.metrics)
    regression = set(metric_names(TaskType.REGRESSION))
    if asked and asked <= regression and not asked & set(metric_names(inferred)):
        return TaskType.REGRESSION
    return inferred


def training_draft(ctx: Context, action: str) -> Draft:
    """The fields shared by train, tune, leaderboard and automl configs; Question if something
    is open."""
    base = dict(ctx.previous or {}) if ctx.merging else {}
    draft = Draft({"dataset": ctx.dataset})
    _check_algorithms_exist(ctx)
    _check_columns_exist(ctx)
    target = _target(ctx, base)
    column = ctx.profile.column(target)
    assert column is not None  # _target only returns the profile's columns
    explicit = ctx.request.task_type
    task = TaskType(explicit) if explicit else _task_of(ctx, column)
    draft.config["target_column"] = target
    draft.config["task_type"] = task.value
    if action not in _EVERY_ALGORITHM:
        _algorithm(ctx, base, draft, task, action)
    _features(ctx, base, draft, target)
    _split(ctx, base, draft, task)
    experiment = ctx.request.experiment or base.get("experiment")
    if experiment:
        draft.config["experiment"] = experiment
    metrics = [m for m in ctx.request.metrics if m in metric_names(task)]
    if metrics and action == "train":
        draft.config["metrics"] = metrics
    if action == "tune":
        _tuning(ctx, base, draft, task)
    if action == "leaderboard":
        _leaderboard(ctx, base, draft, task)
    if action == "automl":
        _automl(ctx, base, draft, task)
    draft.notes.extend(_search_budget_notes(ctx.request, action))
    applied = CROSS_VALIDATION | ENSEMBLES if action == "automl" else CROSS_VALIDATION
    draft.notes.extend(unsupported_notes(ctx.request, applied=applied))
    return draft


def _search_budget_notes(request: Request, action: str) -> list[str]:
    """A search's budget said to a plan that runs no search ('train ... within 5 minutes'),
    or a count of trials to an AutoML, which its time budget alone bounds."""
    if action == "tune":
        return []
    if action == "automl":
        budgets = _timeouts(request)
        notes = [
            f"I did not use '{phrase(request.tokens, d.start, d.end, request.message)}': an "
            "AutoML's budget is said in seconds, minutes, hours or days."
            for d in request.durations
            if d not in budgets
        ]
        notes += [
            f"I did not use '{phrase(request.tokens, d.start, d.end, request.message)}': an "
            "AutoML takes one time budget, the first said."
            for d in budgets[1:]
        ]
        if request.n_trials is not None:
            notes.append(
                f"I did not use '{request.n_trials} trials': an AutoML is bounded by its time "
                "budget alone."
            )
        return notes
    said = [phrase(request.tokens, d.start, d.end, request.message) for d in _timeouts(request)]
    if request.n_trials is not None:
        said.append(f"{request.n_trials} trials")
    if not said:
        return []
    listed = " or ".join(f"'{s}'" for s in said)
    return [f"I did not use {listed}: only tuning searches, with trials or a time budget."]


def _left_out(ctx: Context, algorithm: str, concepts: list[str]) -> list[str]:
    """A note for each setting said that the algorithm does not have, with the value said."""
    values = {s.concept: s.value for s in ctx.request.settings}
    notes = []
    for concept in concepts:
        value = values.get(concept)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        said = f" {concept}={value}" if value is not None and not isinstance(value, bool) else " it"
        notes.append(f"{algorithm} has no '{concept}' setting, so I left{said} out.")
    return notes


def unsupported_notes(request: Request, applied: frozenset[str] = frozenset()) -> list[str]:
    """A note for each setting asked for that this plan does not have (those `applied` are in
    it), and for each number no setting took, quoting the words."""
    notes = [
        f"I ignored '{u.said}': {UNSUPPORTED_SETTINGS[u.concept][1]}."
        for u in request.unsupported_settings
        if u.concept not in applied
    ]
    for quantity in request.unused:
        said = phrase(
            request.tokens, *_around(request, quantity.start, quantity.end), request.message
        )
        notes.append(f"I did not use '{said}': I could not tell which setting it is.")
    return notes


def _around(request: Request, start: int, end: int) -> tuple[int, int]:
    """The number's span widened by up to two words each side, within its clause."""
    tokens = request.tokens
    for _ in range(2):
        if start > 0 and tokens[start - 1].is_word:
            start -= 1
        if end < len(tokens) and tokens[end].is_word:
            end += 1
    return start, end


def _check_algorithms_exist(ctx: Context) -> None:
    if ctx.request.unavailable and not ctx.request.algorithms:
        wanted = ctx.request.unavailable[0]
        available = ", ".join(ctx.registry.algorithms)
        raise Question(
            f"There is no {wanted} algorithm in mlchat. Available algorithms: {available}. "
            "Which one should I use?",
            slot="algorithm",
            said=wanted,
        )


def _check_columns_exist(ctx: Context) -> None:
    """A feature or an exclusion that no column is stops the plan: it is never swapped for
    a column that is there, nor silently left out."""
    if ctx.roles.unknown:
        raise _no_such_column(ctx, ctx.roles.unknown[0].text, action="error")


def _target(ctx: Context, base: dict[str, Any]) -> str:
    roles = ctx.roles
    if roles.target is not None:
        return _one_column(roles.target)
    if base.get("target_column"):
        return str(base["target_column"])
    reply = ctx.replies.get("target")
    if reply is not None:
        return replied_column(ctx, reply, ctx.profile.column_names, "should the model predict")
    if roles.target_phrase:
        raise _no_such_column(ctx, roles.target_phrase, action="error")
    candidates = [m for m in roles.unassigned if not _loose_identifier(ctx, m)]
    if candidates:
        return _one_column(candidates[0])
    raise Question(target_question(ctx.profile), slot="target")


def replied_column(ctx: Context, reply: Reply, allowed: list[str], asked: str) -> str:
    """The column an answer to 'which column {asked}?' names, among `allowed`; the
    question again, narrowed to what the answer may have meant, when it names none or
    several."""
    clear, unclear = named_columns(reply, allowed)
    if len(clear) == 1 and not unclear:
        return clear[0]
    options = clear or [c for columns in unclear for c in columns]
    if options:
        listed = " or ".join(f"`{c}`" for c in options)
        raise Question(f"Which column {asked}: {listed}?", slot="target", options=options)
    near = column_index(ctx.profile).nearest(reply.words())
    near = [c for c in near if c in allowed]
    hint = f" Did you mean {' or '.join(f'`{c}`' for c in near)}?" if near else ""
    listed = ", ".join(f"`{c}`" for c in allowed[:12])
    raise Question(
        f"'{reply.said.strip()}' names no column I can use here.{hint} Which column {asked}? "
        f"It can be one of: {listed}.",
        slot="target",
        options=near,
    )


def _one_column(mention: ColumnMention) -> str:
    if mention.ambiguous:
        raise Question(_which(mention), slot="column", options=list(mention.columns),
                       said=mention.text)  # fmt: skip
    return mention.columns[0]


def _loose_identifier(ctx: Context, mention: ColumnMention) -> bool:
    column = ctx.profile.column(mention.column or "")
    return column is not None and column.kind is ColumnKind.IDENTIFIER and not mention.full


def _no_such_column(ctx: Context, words: str, action: str = "clarify") -> Question:
    """That no column is `words`, as a question whose answer names the one meant."""
    fallback = [n for n, _ in likely_targets(ctx.profile)]
    near = column_index(ctx.profile).nearest(words) or fallback
    text = no_such_column(ctx.profile, words, fallback)
    return Question(text, action, slot="column", said=words, options=near[:3])


def target_question(profile: DatasetProfile) -> str:
    """Which column to predict, with the likeliest targets of this dataset."""
    likely = likely_targets(profile)
    if not likely:
        return "Which column should the model predict?"
    listed = ", ".join(f"`{name}` ({what})" for name, what in likely)
    return (
        f"Which column should the model predict? Likely targets here: {listed}. "
        f"For example: 'predict {likely[0][0]} with xgboost'."
    )


def likely_targets(profile: DatasetProfile, limit: int = 5) -> list[tuple[str, str]]:
    """Columns worth predicting, best first, each with what kind of target it is."""
    scored: list[tuple[int, int, str, str]] = []
    for position, column in enumerate(profile.columns):
        if column.kind in _DROPPED_KINDS | {ColumnKind.DATETIME} or column.distinct < 2:
            continue
        task = infer_task(column, profile.row_count)
        if task is TaskType.CLASSIFICATION and column.distinct <= 20:
            scored.append((0, position, column.name, f"{column.distinct} classes"))
        elif task is TaskType.REGRESSION:
            scored.append((1, position, column.name, "numeric"))
    scored.sort()
    return [(name, what) for _, _, name, what in scored[:limit]]


def _algorithm(
    ctx: Context, base: dict[str, Any], draft: Draft, task: TaskType, action: str
) -> None:
    named = [a for a in ctx.request.algorithms if a in ctx.registry.algorithms]
    algorithm = named[0] if named else str(base.get("algorithm") or "")
    classification = task is TaskType.CLASSIFICATION
    if algorithm not in ctx.registry.algorithms:
        algorithm = _algorithm_for_settings(ctx, classification)
        if algorithm != ctx.registry.default_algorithm:
            draft.notes.append(f"No algorithm was named; I chose {algorithm}, the one that has "
                               "every setting you gave.")  # fmt: skip
    draft.config["algorithm"] = algorithm
    model = ctx.registry.models[algorithm]
    said, unknown = resolve_settings(ctx.request.settings, model, classification=classification)
    carried: dict[str, Any] = {}
    earlier = dict(base.get("hyperparameters") or {})
    if earlier and ctx.previous_action == "train" and action == "tune":
        # Tuning searches what training fixed; keeping the old values would narrow the search.
        draft.notes.append(f"The search covers {', '.join(earlier)} too, rather than fixing them.")
        earlier = {}
    for name, value in earlier.items():
        if name in model.model_fields and not check_each(model, {name: value}):
            carried[name] = value
        elif name not in said:
            draft.notes.append(f"{algorithm} has no setting {name}={value!r}, so I dropped it.")
    draft.notes.extend(_left_out(ctx, algorithm, unknown))
    ranges = {name: value for name, value in said.items() if isinstance(value, Range)}
    said = {name: value for name, value in said.items() if name not in ranges}
    if ranges and action == "tune":
        space = dict(base.get("search_space") or {})
        space.update({n: {"low": r.low, "high": r.high} for n, r in ranges.items()})
        draft.config["search_space"] = space
        carried = {name: value for name, value in carried.items() if name not in space}
    elif ranges:
        draft.notes += [
            f"I did not use {name} from {r.low} to {r.high}: a range is searched by tuning; "
            f"say 'tune' to search it."
            for name, r in ranges.items()
        ]
    hyperparameters = {**carried, **said}
    if hyperparameters:
        draft.config["hyperparameters"] = hyperparameters


def _algorithm_for_settings(ctx: Context, classification: bool) -> str:
    """The default algorithm, unless it lacks settings the message gave and another has them
    all ('two hidden layers of 64 and 32' says a neural network)."""
    default = ctx.registry.default_algorithm
    settings = ctx.request.settings
    if not settings:
        return default
    left_out = {
        name: len(resolve_settings(settings, model, classification=classification)[1])
        for name, model in ctx.registry.models.items()
        if name in ctx.registry.algorithms
    }
    if left_out.get(default, 0) == 0:
        return default
    fitting = [name for name, count in left_out.items() if count == 0]
    return fitting[0] if len(fitting) == 1 else default


def default_features(profile: DatasetProfile, target: str) -> list[str]:
    """The columns a model learns from when none are named: all but the target, identifiers,
    free text and columns with no information."""
    return [
        c.name
        for c in profile.columns
        if c.name != target
        and c.kind not in _DROPPED_KINDS
        and c.distinct > 1
        and c.missing < profile.row_count
    ]


def _features(ctx: Context, base: dict[str, Any], draft: Draft, target: str) -> None:
    roles = ctx.roles
    if roles.ambiguous:
        raise Question(_which(roles.ambiguous[0]), slot="column", said=roles.ambiguous[0].text,
                       options=list(roles.ambiguous[0].columns))  # fmt: skip
    previous = base.get("feature_columns")
    same_target = base.get("target_column") == target
    features: list[str] | None = None
    if roles.features:
        features = list(dict.fromkeys(roles.features))
    elif roles.excluded:
        features = (
            list(previous) if previous and same_target else default_features(ctx.profile, target)
        )
    elif roles.added and previous and same_target:
        features = [*previous, *roles.added]
    elif previous and same_target:
        features = list(previous)
    if features is None:
        return
    features = [c for c in dict.fromkeys(features) if c != target and c not in roles.excluded]
    draft.config["feature_columns"] = features


def _which(mention: ColumnMention) -> str:
    options = " or ".join(f"`{c}`" for c in mention.columns)
    return f"Which column do you mean by '{mention.text}': {options}?"


def _split(ctx: Context, base: dict[str, Any], draft: Draft, task: TaskType) -> None:
    words = ctx.request.split
    split: dict[str, Any] = dict(base.get("split") or {})
    for name in ("test_size", "validation_size", "random_state"):
        value = getattr(words, name)
        if value is not None:
            split[name] = value
    strategy = ctx.request.strategy
    if strategy is not None:
        split["strategy"] = strategy
    _folds(ctx.request, split, draft)
    carried_stratified = split.get("strategy") == "stratified" and strategy is None
    if carried_stratified and task is not TaskType.CLASSIFICATION:
        split["strategy"] = "random"
        draft.notes.append("A stratified split needs classes, so this one is random.")
    if split.get("strategy") == "time":
        time_column = _time_column(ctx, draft.config["target_column"]) or base.get("time_column")
        if time_column:
            draft.config["time_column"] = time_column
    if split:
        draft.config["split"] = split


def _folds(request: Request, split: dict[str, Any], draft: Draft) -> None:
    """'5-fold', '10 folds', 'cross-validate it': k-fold cross-validation of the training part,
    5 folds when no number is said."""
    asked = [u for u in request.unsupported_settings if u.concept in CROSS_VALIDATION]
    if not asked:
        return
    counts = [q.value for u in asked for q in request.quantities if u.start <= q.start < u.end]
    folds = int(counts[0]) if counts else DEFAULT_FOLDS
    said = asked[0].said
    if not 2 <= folds <= MAX_FOLDS:
        draft.notes.append(
            f"I did not use '{said}': cross-validation takes 2 to {MAX_FOLDS} folds."
        )
    elif split.get("validation_size"):
        draft.notes.append(
            f"I did not use '{said}': the validation part asked for already scores the model; "
            "folds would replace it."
        )
    else:
        split["folds"] = folds


def _time_column(ctx: Context, target: str) -> str | None:
    candidates = time_like(ctx.profile)
    named = [c for m in ctx.request.mentions for c in m.columns if c in candidates and c != target]
    if named:
        return named[0]
    others = [c for c in candidates if c != target]
    return others[0] if others else None


def _goal(ctx: Context, task: TaskType) -> str | None:
    valid = metric_names(task)
    named = [m for m in ctx.request.metrics if m in valid]
    if named:
        return named[0]
    if ctx.request.generic_error:
        return _ERROR_METRICS.get(task)
    return None


def _timeouts(request: Request) -> list[Duration]:
    """Spans of clock time said: a search's time budget."""
    return [d for d in request.durations if d.unit in _CLOCK_UNITS]


def _tuning(ctx: Context, base: dict[str, Any], draft: Draft, task: TaskType) -> None:
    for name in _TUNING_FIELDS:
        if name in base and base[name] is not None and name not in draft.config:
            draft.config[name] = base[name]
    request = ctx.request
    timeouts = _timeouts(request)
    if request.n_trials is not None:
        draft.config["n_trials"] = request.n_trials
    if timeouts:
        draft.config["timeout_s"] = timeouts[0].seconds
        if request.n_trials is None and "n_trials" not in base:
            draft.config["n_trials"] = None
    goal = _goal(ctx, task)
    if goal is not None:
        draft.config["goal_metric"] = goal
        draft.config.pop("direction", None)
    chosen = draft.config.get("goal_metric")
    if request.direction is not None and chosen:
        draft.config["direction"] = request.direction
    elif chosen in METRICS:
        draft.config["direction"] = "maximize" if METRICS[chosen].greater_is_better else "minimize"


def _leaderboard(ctx: Context, base: dict[str, Any], draft: Draft, task: TaskType) -> None:
    named = [a for a in ctx.request.algorithms if a in ctx.registry.algorithms]
    if len(named) >= 2:
        draft.config["algorithms"] = named
    elif base.get("algorithms"):
        draft.config["algorithms"] = base["algorithms"]
    _ranking_goal(ctx, base, draft, task)
    _settings_left_out(ctx, draft, "A leaderboard trains each algorithm with its own defaults")


def _automl(ctx: Context, base: dict[str, Any], draft: Draft, task: TaskType) -> None:
    """What an AutoML takes besides the training fields: the algorithms named (one is
    enough: 'the best xgboost you can'), the metric to choose by, and the first clock time
    said as its budget; none said leaves the config's default, which its plan states."""
    named = [a for a in ctx.request.algorithms if a in ctx.registry.algorithms]
    if named:
        draft.config["algorithms"] = named
    elif base.get("algorithms"):
        draft.config["algorithms"] = base["algorithms"]
    _ranking_goal(ctx, base, draft, task)
    timeouts = _timeouts(ctx.request)
    if timeouts:
        draft.config["time_budget_s"] = timeouts[0].seconds
    elif base.get("time_budget_s"):
        draft.config["time_budget_s"] = base["time_budget_s"]
    elif base.get("timeout_s"):
        draft.config["time_budget_s"] = base["timeout_s"]  # a search's budget, taken on
    _settings_left_out(ctx, draft, "An AutoML chooses each algorithm's settings itself")


def _ranking_goal(ctx: Context, base: dict[str, Any], draft: Draft, task: TaskType) -> None:
    goal = _goal(ctx, task) or base.get("goal_metric")
    if goal:
        draft.config["goal_metric"] = goal
    draft.config.pop("hyperparameters", None)


def _settings_left_out(ctx: Context, draft: Draft, why: str) -> None:
    request = ctx.request
    if request.settings:
        said = ", ".join(
            f"'{phrase(request.tokens, s.start, s.end, request.message)}'" for s in request.settings
        )
        draft.notes.append(f"{why}, so I left out {said}.")


def forecast_draft(ctx: Context) -> Draft:
    """A forecasting TrainingConfig: the series, its time column, the horizon, the forecaster."""
    base = _forecast_base(ctx)
    profile = ctx.profile
    draft = Draft({"dataset": ctx.dataset, "task_type": TaskType.FORECASTING.value})
    _check_columns_exist(ctx)
    named = [a for a in ctx.request.algorithms if ctx.registry.is_forecaster(a)]
    algorithm = named[0] if named else base.get("algorithm") or ctx.registry.default_forecaster
    if algorithm is None:
        raise Question("No forecaster is installed on this server.", action="error")
    draft.config["algorithm"] = algorithm
    times = time_like(profile)
    time_column = next((c for m in ctx.request.mentions for c in m.columns if c in times), None)
    time_column = time_column or base.get("time_column") or (times[0] if times else None)
    if time_column is None:
        raise Question(
            "Forecasting needs a date or time column to order the series, and this dataset has "
            f"none. Its columns: {', '.join(profile.column_names)}.",
            action="error",
        )
    target = _forecast_target(ctx, base, time_column)
    draft.config["target_column"] = target
    draft.config["time_column"] = time_column
    previous_series = base.get("series") if ctx.previous_action == "forecast" else None
    series = read_series(
        ctx.request, profile, previous_series, time_column, target, ctx.replies.get("series")
    )
    if series.question is not None:
        raise Question(series.question, slot="series")
    if series.choice is not None:
        draft.config["series"] = series.choice
    horizon = _horizon(ctx, time_column) or base.get("horizon")
    if horizon:
        draft.config["horizon"] = horizon
    model = ctx.registry.models[algorithm]
    said, unknown = resolve_settings(ctx.request.settings, model, classification=False)
    draft.notes.extend(_left_out(ctx, algorithm, unknown))
    if said:
        draft.config["hyperparameters"] = said
    draft.notes.extend(unsupported_notes(ctx.request))
    return draft


def _forecast_base(ctx: Context) -> dict[str, Any]:
    """What the conversation already says about the series: the last forecast, or the time
    and value columns of the last chart or model ('forecast it 30 days ahead')."""
    previous = dict(ctx.previous or {})
    if ctx.previous_action == "forecast":
        return previous
    times = time_like(ctx.profile)
    named = [*previous.get("columns", []), previous.get("target_column"),
             previous.get("time_column")]  # fmt: skip
    parameters = previous.get("parameters") or {}
    named += [parameters.get("x"), parameters.get("y")]
    columns = [c for c in named if isinstance(c, str) and ctx.profile.column(c) is not None]
    time_column = next((c for c in columns if c in times), None)
    values = [c for c in columns if c not in times and _numeric(ctx.profile, c)]
    if time_column is None or not values:
        return {}
    return {"time_column": time_column, "target_column": values[0]}


def _numeric(profile: DatasetProfile, name: str) -> bool:
    column = profile.column(name)
    return column is not None and column.kind is ColumnKind.NUMERIC


def _forecast_target(ctx: Context, base: dict[str, Any], time_column: str) -> str:
    if ctx.roles.target is not None and ctx.roles.target.column != time_column:
        return _one_column(ctx.roles.target)
    # The series key ('for each store') names which series, never what is forecast.
    key = panel_key(ctx.profile, time_column)
    named = [
        m
        for m in ctx.request.mentions
        if time_column not in m.columns and (key is None or m.columns != (key,))
    ]
    if named:
        return _one_column(named[0])
    if base.get("target_column"):
        return str(base["target_column"])
    numeric = [
        c.name
        for c in ctx.profile.columns
        if c.kind is ColumnKind.NUMERIC and c.name != time_column
    ]
    reply = ctx.replies.get("target")
    if reply is not None:
        return replied_column(ctx, reply, numeric, "should I forecast")
    if ctx.roles.target_phrase:
        raise _no_such_column(ctx, ctx.roles.target_phrase, action="error")
    if len(numeric) == 1:
        return numeric[0]
    listed = ", ".join(f"`{c}`" for c in numeric[:8])
    raise Question(f"Which series should I forecast? Numeric columns: {listed}.", slot="target")


def _horizon(ctx: Context, time_column: str) -> int | None:
    column = ctx.profile.column(time_column)
    step = None
    if column is not None and column.kind is ColumnKind.DATETIME:
        step = series_step_seconds(column.samples, column.min, column.max, column.distinct)
    if ctx.request.durations:
        yearly = "year" in time_column.lower()
        return horizon_steps(ctx.request.durations[0], step, yearly)
    tokens = ctx.request.tokens
    for quantity in ctx.request.quantities:
        before = tokens[quantity.start - 1].text if quantity.start else ""
        after = tokens[quantity.end].text if quantity.end < len(tokens) else ""
        if quantity.as_int and (before in {"next", "horizon", "of"} or after in {"ahead", "more"}):
            return quantity.as_int
    return None
