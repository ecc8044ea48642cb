"""Charts from words: which explorer, which columns in which part, and its parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from agents.planner.columns import ColumnMention, column_index
from agents.planner.request import Request
from agents.planner.text import name_words, stem, words
from agents.planner.unknown import (
    UnknownName,
    no_such_column,
    row_words,
    unknown_after,
    unknown_at,
    unknown_from_column_word,
)
from ml_backend.explorers.columns import MAX_NUMERIC_GROUP_DISTINCT, is_numeric
from ml_backend.schema import ColumnKind, DatasetProfile

_TIME_NAMES = frozenset(
    {"year", "date", "time", "month", "week", "day", "period", "timestamp", "ds"}
)


@dataclass
class ExplorePlan:
    """An exploration config, or the question to ask instead."""

    config: dict[str, Any] | None
    question: str | None = None
    unclear: str | None = None
    """The words the question is about (an ambiguous or unknown column name)."""
    options: list[str] = field(default_factory=list)
    """The columns those words may mean."""


def time_like(profile: DatasetProfile) -> list[str]:
    """Columns that order rows in time: datetimes, then numbers named like 'year' or 'date'."""
    datetimes = [c.name for c in profile.columns if c.kind is ColumnKind.DATETIME]
    named = [
        c.name
        for c in profile.columns
        if c.kind is ColumnKind.NUMERIC and set(c.name.lower().split("_")) & _TIME_NAMES
    ]
    return datetimes + named


def _numeric(profile: DatasetProfile, name: str) -> bool:
    column = profile.column(name)
    return column is not None and is_numeric(column)


def _groupable(profile: DatasetProfile, name: str) -> bool:
    column = profile.column(name)
    if column is None:
        return False
    if column.kind in {ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN}:
        return True
    return column.kind is ColumnKind.NUMERIC and column.distinct <= MAX_NUMERIC_GROUP_DISTINCT


def _datetime(profile: DatasetProfile, name: str) -> bool:
    column = profile.column(name)
    return column is not None and column.kind is ColumnKind.DATETIME


def choose_explorer(
    request: Request, plain: list[str], groups: list[str], profile: DatasetProfile
) -> str | None:
    """The explorer the words ask for, or the one that suits the columns named."""
    said = request.explorers
    if "missing" in said:
        return "missing"
    if request.explore.over_time and not said:
        return "line"
    if request.explore.agg and groups and not said:
        return "bar"
    if said:
        chosen = said[0]
        if chosen == "histogram" and plain and not _numeric(profile, plain[0]):
            return "bar"
        if chosen == "box" and not any(_numeric(profile, c) for c in plain):
            return "bar"
        if chosen == "scatter" and any(_datetime(profile, c) for c in plain):
            return "line"
        return chosen
    numeric = [c for c in plain if _numeric(profile, c)]
    if any(_datetime(profile, c) for c in plain) and numeric:
        return "line"
    if len(numeric) >= 3:
        return "scatter_matrix"
    if len(numeric) == 2:
        return "scatter"
    if len(numeric) == 1 and (groups or len(plain) == 2):
        return "box"
    if len(numeric) == 1:
        return "histogram"
    if plain:
        return "bar"
    return None


def plan_exploration(
    request: Request,
    profile: DatasetProfile,
    dataset: dict[str, Any],
    previous: dict[str, Any] | None,
) -> ExplorePlan:
    """The ExplorationConfig JSON the message asks for, filled from `previous` where silent."""
    words = request.explore
    unclear = [m for m in request.mentions if m.ambiguous and not m.plural]
    if unclear:
        question = _which_question(unclear[0])
        return ExplorePlan(None, question, unclear[0].text, list(unclear[0].columns))
    unknown = _unknown_names(request, profile, dataset)
    if unknown:
        numeric = [c.name for c in profile.columns if is_numeric(c)]
        near = column_index(profile).nearest(unknown[0].text) or numeric
        question = no_such_column(profile, unknown[0].text, numeric)
        return ExplorePlan(None, question, unknown[0].text, near[:3])
    roles = {id(m) for m in (words.color, words.size) if m is not None}
    groups = [m.column for m in words.groups if m.column and id(m) not in roles]
    plain = [
        name
        for m in request.mentions
        if id(m) not in roles and m not in words.groups
        for name in m.columns
    ]
    # two words for one column ('the consumption in kwh') name it once
    plain = _on_axes(request, _x_first(request, list(dict.fromkeys(plain))))
    if previous is not None and not plain and not groups:
        # "now as a histogram": the columns of the chart before, in a new form
        plain = list(previous.get("columns") or [])
        earlier_color = (previous.get("parameters") or {}).get("color")
        if earlier_color and words.color is None:
            groups = [earlier_color]
    explorer = choose_explorer(request, plain, groups, profile)
    if explorer is None and previous is not None:
        explorer = str(previous.get("explorer"))
    if explorer is None:
        return ExplorePlan(None, None)
    unchartable = [c for c in [*plain, *groups] if _unchartable(profile, c)]
    if unchartable and explorer not in {"describe", "missing"}:
        # name the chart asked for: a histogram of text is planned as a bar before this check
        asked = request.explorers[0] if request.explorers else explorer
        return ExplorePlan(None, _unchartable_question(unchartable[0], asked, profile))
    parameters: dict[str, Any] = {}
    columns = _columns_for(explorer, plain, groups, parameters, request, profile)
    if previous is not None and previous.get("explorer") == explorer:
        columns = _keep_previous(columns, previous.get("columns") or [], explorer)
        parameters = {**(previous.get("parameters") or {}), **parameters}
    _parameters_for(explorer, parameters, request)
    config: dict[str, Any] = {"explorer": explorer, "dataset": dataset, "columns": columns}
    if parameters:
        config["parameters"] = parameters
    return ExplorePlan(config)


_SLOTS = frozenset(words("of vs versus against by"))
"""Words after which a chart's column is named: 'histogram of X', 'X vs Y', 'box plot by Y'."""
_SLOT_FILLERS = frozenset(words("the a an my its their"))
_LIST_JOINERS = frozenset({",", "and", "&", "or", "plus", "/"})
_DATA_NOUNS = frozenset(words("data dataset datasets table file sheet"))
_LINE_AGGREGATES = frozenset({"mean", "sum", "median", "min", "max"})


def _unknown_names(
    request: Request, profile: DatasetProfile, dataset: dict[str, Any]
) -> list[UnknownName]:
    """Names in a column's place that no column has: 'histogram of wingspan', 'credit limit'.

    An 'of' right after a column says whose it is ('the age of the applicants'), not which.
    """
    tokens = request.tokens
    named = frozenset(stem(w) for w in name_words(str(dataset.get("name") or "")))
    known = named | row_words(profile)
    ends = {m.end for m in request.mentions}
    # 'the age of the applicants', 'the data of sales': 'of' says whose, not which column
    whose = ends | {i + 1 for i, t in enumerate(tokens) if t.text in _DATA_NOUNS}
    starts = {i + 1 for i, t in enumerate(tokens)
              if t.text in _SLOTS and not (t.text == "of" and i in whose)}  # fmt: skip
    # a list of columns goes on after a joiner: 'kwh, wingspan and occupants'
    starts |= {m.end + 1 for m in request.mentions
               if m.end < len(tokens) and tokens[m.end].text in _LIST_JOINERS}  # fmt: skip
    found = [unknown_after(request, m, known) for m in request.mentions]
    for start in sorted(starts):
        j = start
        while j < len(tokens) and tokens[j].text in _SLOT_FILLERS:
            j += 1
        found.append(
            unknown_at(request, j, known) or unknown_from_column_word(request, j, profile, known)
        )
    return sorted({u.start: u for u in found if u is not None}.values(), key=lambda u: u.start)


_AS_A_FUNCTION_OF = (("function", "of"), ("depending", "on"), ("dependence", "on"),
                     ("depends", "on"), ("dependent", "on"))  # fmt: skip
"""'Y as a function of X': X is the axis, so it comes first, as in 'X against Y'."""


_AXIS_LEADS = frozenset(words("on in along as"))


def _on_axes(request: Request, plain: list[str]) -> list[str]:
    """'salary on the y axis and distance on the x axis', 'x axis: distance': the column
    each axis is given, x first, whatever the order they were said in."""
    tokens = request.tokens
    given: dict[str, str] = {}
    for i, token in enumerate(tokens):
        if token.text not in {"x", "y"}:
            continue
        axis_word = i + 1 < len(tokens) and tokens[i + 1].text in {"axis", "axes"}
        before = [m for m in request.mentions if m.end <= i and i - m.end <= 4]
        after = [m for m in request.mentions if m.start > i and m.start - i <= 3]
        # 'X on the (vertical) y axis' gives the column before; 'y axis: X' the one after
        led = bool(before) and any(t.text in _AXIS_LEADS for t in tokens[before[-1].end : i])
        if not axis_word and not led:
            continue
        chosen = before[-1:] if led else after[:1]
        if chosen and chosen[0].column in plain:
            given.setdefault(token.text, str(chosen[0].column))
    if len(set(given.values())) != len(given):
        return plain
    rest = [c for c in plain if c not in given.values()]
    x = [given["x"]] if "x" in given else rest[:1]
    rest = [c for c in rest if c not in x]
    y = [given["y"]] if "y" in given else rest[:1]
    return [*x, *y, *(c for c in rest if c not in y)]


def _x_first(request: Request, plain: list[str]) -> list[str]:
    texts = [t.text for t in request.tokens]
    at = next((i for i, pair in enumerate(pairwise(texts))
               if pair in _AS_A_FUNCTION_OF), None)  # fmt: skip
    if at is None:
        return plain
    after = {c for m in request.mentions if m.start > at for c in m.columns}
    return [c for c in plain if c in after] + [c for c in plain if c not in after]


def _unchartable(profile: DatasetProfile, name: str) -> bool:
    """Free text and text identifiers: nearly every value differs, so no chart shows them."""
    column = profile.column(name)
    if column is None:
        return False
    return column.kind is ColumnKind.TEXT or (
        column.kind is ColumnKind.IDENTIFIER and not is_numeric(column)
    )


def _unchartable_question(name: str, explorer: str, profile: DatasetProfile) -> str:
    column = profile.column(name)
    kind = "free text" if column is not None and column.kind is ColumnKind.TEXT else "an id"
    numeric = [c.name for c in profile.columns if is_numeric(c)][:3]
    hint = f" Numeric columns include {', '.join(f'`{c}`' for c in numeric)}." if numeric else ""
    return (
        f"`{name}` is {kind}: almost every value is different, so a {explorer} of it would "
        f"show nothing. Which column should I chart instead?{hint}"
    )


def _which_question(mention: ColumnMention) -> str:
    options = " or ".join(f"`{c}`" for c in mention.columns)
    return f"Which column do you mean by '{mention.text}': {options}?"


def _columns_for(
    explorer: str,
    plain: list[str],
    groups: list[str],
    parameters: dict[str, Any],
    request: Request,
    profile: DatasetProfile,
) -> list[str]:
    words = request.explore
    color = words.color.column if words.color is not None else None
    if explorer == "scatter":
        if len(plain) >= 3 and color is None and words.size is None:
            color = plain[2]
        color = color or (groups[0] if groups else None)
        if color:
            parameters["color"] = color
        if words.size is not None and words.size.column:
            parameters["size"] = words.size.column
        return plain[:2]
    if explorer == "histogram":
        numeric = [c for c in plain if _numeric(profile, c)] or plain
        others = [c for c in plain if c not in numeric[:1]]
        color = color or (groups[0] if groups else None) or (others[0] if others else None)
        if color:
            parameters["color"] = color
        return numeric[:1]
    if explorer == "box":
        numeric = [c for c in plain if _numeric(profile, c)]
        value = numeric[:1] or plain[:1]
        rest = [c for c in plain if c not in value and _groupable(profile, c)]
        group = (groups or rest or ([color] if color else []))[:1]
        return [*value, *group]
    if explorer == "bar":
        return _bar_columns(plain, groups, color, parameters, request, profile)
    if explorer == "line":
        return _line_columns(plain, groups, profile)
    if explorer in {"correlation", "scatter_matrix"}:
        if color or (groups and explorer == "scatter_matrix"):
            parameters["color"] = color or groups[0]
        numeric = [c for c in plain if _numeric(profile, c)]
        return numeric if len(numeric) >= 2 else []
    return plain


def _bar_columns(
    plain: list[str],
    groups: list[str],
    color: str | None,
    parameters: dict[str, Any],
    request: Request,
    profile: DatasetProfile,
) -> list[str]:
    """'how many X per Y' counts rows by Y (split by X); 'average V per Y' aggregates V."""
    numeric = [c for c in plain if _numeric(profile, c) and not _groupable(profile, c)]
    if not numeric and request.explore.agg and groups:
        # "survival rate by sex": the mean of a 0/1 column is its rate
        numeric = [c for c in plain if _numeric(profile, c) and c not in groups]
    value = numeric[0] if numeric and (request.explore.agg or groups) else None
    categories = [c for c in plain if c != value]
    category = groups[0] if groups else (categories[0] if categories else None)
    if value is None and request.explore.agg and numeric:
        value = numeric[0]
    if value is not None:
        parameters["value"] = value
        if request.explore.agg and request.explore.agg != "count":
            parameters["agg"] = request.explore.agg
    leftover = [c for c in [*categories, *groups[1:]] if c != category]
    # 'visits per store': a word for what is counted may name a column loosely (visit_date);
    # only a column with few values can split the bars
    if color is None and leftover and _groupable(profile, leftover[0]):
        color = leftover[0]
    if color and color != category:
        parameters["color"] = color
    if request.explore.top_n:
        parameters["top_n"] = request.explore.top_n
    return [category] if category else []


def _line_columns(plain: list[str], groups: list[str], profile: DatasetProfile) -> list[str]:
    named = [*plain, *groups]
    times = [c for c in named if _datetime(profile, c)] or [
        c for c in named if c in time_like(profile)
    ]
    x = times[0] if times else next(iter(time_like(profile)), None)
    ys = [c for c in named if c != x and _numeric(profile, c)]
    if not ys and x is not None:
        ys = [c.name for c in profile.columns if c.name != x and is_numeric(c)][:1]
    return [x, *ys] if x else ys


def _parameters_for(explorer: str, parameters: dict[str, Any], request: Request) -> None:
    words = request.explore
    if explorer == "scatter" and words.trendline:
        parameters["trendline"] = True
    if explorer == "histogram" and words.bins:
        parameters["bins"] = words.bins
    if explorer == "correlation" and words.method:
        parameters["method"] = words.method
    if explorer == "bar" and words.top_n:
        parameters["top_n"] = words.top_n
    if explorer == "line" and words.agg in _LINE_AGGREGATES:
        parameters["agg"] = words.agg
    colored = explorer in {"histogram", "scatter", "scatter_matrix", "bar"}
    if colored and words.color is not None and words.color.column:
        parameters["color"] = words.color.column


def _keep_previous(columns: list[str], previous: list[str], explorer: str) -> list[str]:
    """A follow-up that names fewer columns than the chart needs keeps the others."""
    if not columns:
        return list(previous)
    needed = 2 if explorer in {"scatter", "line"} else 1
    if len(columns) >= needed or not previous:
        return columns
    return [*columns, *previous[len(columns) :]][: max(needed, len(previous))]
