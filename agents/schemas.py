"""The tools' JSON Schemas: generic, and narrowed to what one conversation can name.

Generic, a dataset, a column, an algorithm or a metric is any string, and hyperparameters or
an explorer's parameters any object. A model whose answer is decoded under the schema (the
local provider) can then spend its whole token budget on a name that does not exist, or on
one name repeated; a model that reads the schema (an OpenAI one) is told less than we know.
Narrowed, each such field is an `enum` of what exists, each list is at most as long as it
can usefully be, each object closed, and each other string bounded.

What the decoders enforce, read from their sources and checked against xllamacpp. The
local provider hands the answer's schema to llguidance (`agents.local_model.answer_grammar`):
`enum`, `const`, `anyOf`, `$ref`, `properties`, `required`, `additionalProperties`,
`minItems`/`maxItems`, `minLength`/`maxLength` and number bounds; in lenient mode it skips
`uniqueItems`. llama.cpp's GBNF converter (`json-schema-to-grammar.cpp`, what its server
applies to a request's `json_schema`) honours the same but for bounds on non-integer numbers,
and ignores `uniqueItems` as well. `uniqueItems` is set all the same, for a model that reads
the schema; for one decoded under it `maxItems` caps the repeats.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from agents.context import SchemaContext
from agents.tools import TOOLS
from ml_backend.jobs.registry import tool_job
from ml_backend.jobs.train.resolve import is_numeric_dtype
from ml_backend.metrics import CONFUSION_MATRIX
from ml_backend.schema import ColumnKind, ColumnProfile

FREE_STRING_MAX_CHARS = 60
"""Any string that names nothing we know (a run's name): long enough for words, too short to
loop in."""
MAX_INTEGER = 2**31 - 1
"""The bound of an integer that has none (a run's id): the largest a database's integer key
holds, ten digits. Unbounded, SmolLM2-135M asks for the status of run 1234567890123456."""
MAX_CHOICES = 20
"""The most values a search space may list for one hyperparameter."""

FIELD_KINDS = {
    "target_column": "column",
    "time_column": "time",
    "feature_columns": "column",
    "columns": "column",
    "color": "column",
    "size": "column",
    "value": "column",
    "algorithm": "algorithm",
    "algorithms": "algorithm",
    "metrics": "metric",
    "goal_metric": "score",
}
"""Config fields (a string, or a list of strings) that name something of the conversation,
by what they name. Only string-typed fields are narrowed, so a number called `size` stays one."""
NON_EMPTY = {"feature_columns"}
"""List fields that, when given, must name something: no model learns from no columns."""
DEFINITIONS = {
    "column": "ColumnName",
    "time": "TimeColumnName",
    "algorithm": "AlgorithmName",
    "metric": "MetricName",
    "score": "ScoreMetricName",
}
"""The `$defs` entry that lists the names of each kind."""
SEARCH_RANGE = "SearchRange"

_VALUE: dict[str, Any] = {"anyOf": [{"type": "number"}, {"type": "string"}, {"type": "boolean"}]}
_SEARCH_RANGE: dict[str, Any] = {
    "anyOf": [
        {"type": "object", "properties": {"low": {"type": "number"}, "high": {"type": "number"}},
         "required": ["low", "high"], "additionalProperties": False},
        {"type": "object",
         "properties": {"choices": {"type": "array", "minItems": 1, "maxItems": MAX_CHOICES,
                                    "items": _VALUE}},
         "required": ["choices"], "additionalProperties": False},
        _VALUE,
    ]
}  # fmt: skip
"""One hyperparameter's entry in a tuning's search space (see `ml_backend.jobs.tune.space`):
a range, a list of choices, or one value held fixed."""


@cache
def tool_schemas() -> tuple[dict[str, Any], ...]:
    """Every tool's generic JSON Schema, built once: an agent is made for each message."""
    return tuple(tool.schema() for tool in TOOLS.values())


@dataclass(frozen=True)
class _Names:
    """What the fields of one tool may name, by kind (see FIELD_KINDS)."""

    by_kind: dict[str, list[str]]
    limits: dict[str, int]
    """The most items a list field may hold, by field."""


@dataclass(frozen=True)
class _Catalogue:
    """A context's components, equal to another by their names and tasks alone: a
    component's schema is code, the same for a name throughout a process."""

    key: tuple[tuple[str, str, tuple[str, ...]], ...]
    components: list[dict[str, Any]] = field(compare=False, hash=False)


def narrowed_tool_schemas(context: SchemaContext) -> list[dict[str, Any]]:
    """The tools' schemas with every name an `enum` of what `context` holds, and bounded.

    Columns are the focus dataset's (every dataset's, with none in focus). Tools that need a
    dataset are left out when the context has none: no call of theirs could be valid. The
    schemas are shared between conversations that name the same things: read, never change,
    them (as with `tool_schemas`).
    """
    datasets = tuple(dataset.name for dataset in context.datasets)
    in_reach = [context.focus] if context.focus is not None else context.datasets
    profiles = [column for dataset in in_reach for column in dataset.profile.columns]
    columns = tuple(dict.fromkeys(column.name for column in profiles))
    times = tuple(dict.fromkeys(column.name for column in profiles if _orders_rows(column)))
    key = tuple((c["type"], c["name"], tuple(c.get("tasks", ()))) for c in context.components)
    tools = list(_narrowed(datasets, columns, times, _Catalogue(key, context.components)))
    return _with_connections(tools, [c.name for c in context.connections])


def _with_connections(tools: list[dict[str, Any]], names: list[str]) -> list[dict[str, Any]]:
    """`load_sql` names one of the conversation's connections; without any it is left out."""
    narrowed = []
    for tool in tools:
        if tool["function"]["name"] == "load_sql":
            if not names:
                continue
            tool = copy.deepcopy(tool)
            tool["function"]["parameters"]["properties"]["connection"] = {
                "type": "string", "enum": names,
            }  # fmt: skip
        narrowed.append(tool)
    return narrowed


def _orders_rows(column: ColumnProfile) -> bool:
    """Whether a column can order a series: dates, or numbers that are not yes/no."""
    if column.kind is ColumnKind.DATETIME:
        return True
    return column.kind is not ColumnKind.BOOLEAN and is_numeric_dtype(column.dtype)


@lru_cache(maxsize=64)
def _narrowed(
    datasets: tuple[str, ...],
    columns: tuple[str, ...],
    times: tuple[str, ...],
    catalogue: _Catalogue,
) -> tuple[dict[str, Any], ...]:
    # Cached: an agent is made for each message, and narrowing takes milliseconds.
    tools = []
    for generic in tool_schemas():
        name = generic["function"]["name"]
        names = _names_for(name, catalogue.components, list(columns), list(times))
        tool = _narrowed_tool(generic, list(datasets), names, catalogue.components)
        if tool is not None:
            tools.append(tool)
    return tuple(tools)


def _narrowed_tool(
    generic: dict[str, Any],
    datasets: list[str],
    names: _Names,
    components: list[dict[str, Any]],
) -> dict[str, Any] | None:
    """One tool's schema narrowed; None for a tool that must name something there is none
    of, since no call of it could be valid."""
    tool = copy.deepcopy(generic)
    parameters: dict[str, Any] = tool["function"]["parameters"]
    properties: dict[str, Any] = parameters.get("properties", {})
    if not datasets and tool["function"]["name"] == "retrain_run":
        return None  # it trains on a version of a dataset there is none of
    if "dataset" in properties:
        if not datasets:
            return None
        properties["dataset"] = _dataset_by_name(datasets, properties["dataset"])
    spec = tool_job(tool["function"]["name"])
    if spec is not None and spec.forecasts and "time_column" in properties:
        # A forecast orders the series by a time column and learns from its past alone:
        # without the one, or with feature columns, it cannot run.
        properties["time_column"] = {"type": "string"}
        parameters["required"] = [*parameters.get("required", []), "time_column"]
        properties.pop("feature_columns", None)
    lacking = {f for f, kind in FIELD_KINDS.items() if not names.by_kind[kind]}
    if lacking & set(parameters.get("required", [])):
        return None
    for field_name in lacking:
        properties.pop(field_name, None)
    _close_objects(parameters, components, names.by_kind["algorithm"])
    used: set[str] = set()
    _narrow(parameters, None, names, used)
    _prune_definitions(parameters)
    for kind in sorted(used):
        enum = {"type": "string", "enum": names.by_kind[kind]}
        parameters.setdefault("$defs", {})[DEFINITIONS[kind]] = enum
    return tool


def _names_for(
    tool: str, components: list[dict[str, Any]], columns: list[str], times: list[str]
) -> _Names:
    spec = tool_job(tool)
    forecasts = spec is not None and spec.forecasts
    algorithms = [
        c["name"]
        for c in components
        if c["type"] == "algorithm" and ("forecasting" in c["tasks"]) == forecasts
    ]
    wanted = {"forecasting"} if forecasts else {"classification", "regression"}
    scores = [c["name"] for c in components if c["type"] == "metric" and wanted & set(c["tasks"])]
    metrics = scores if forecasts else [*scores, CONFUSION_MATRIX]
    limits = {
        # The target is never among the features.
        "feature_columns": max(len(columns) - 1, 1),
        "columns": len(columns),
        "algorithms": len(algorithms),
        "metrics": len(metrics),
    }
    by_kind = {"column": columns, "time": times, "algorithm": algorithms, "metric": metrics,
               "score": scores}  # fmt: skip
    return _Names(by_kind=by_kind, limits=limits)


def _dataset_by_name(datasets: list[str], generic: dict[str, Any]) -> dict[str, Any]:
    """A dataset named, one of `datasets`: by name only, since an id or a SQL source are
    other ways to say the same thing or something no conversation may reach."""
    return {
        "type": "object",
        "description": "The dataset, by name.",
        "properties": {"name": {"type": "string", "enum": datasets}},
        "required": ["name"],
        "additionalProperties": False,
    } | ({"default": generic["default"]} if "default" in generic else {})


def _close_objects(
    parameters: dict[str, Any], components: list[dict[str, Any]], algorithms: list[str]
) -> None:
    """Free-form objects as the union of the shapes they may take, so no key is invented
    or repeated: hyperparameters as one of the tool's algorithms' own, an explorer's
    parameters as one explorer's, a search space's keys as hyperparameter names."""
    properties: dict[str, Any] = parameters.get("properties", {})
    models = {
        c["name"]: c["parameters"]
        for c in components
        if c["type"] == "algorithm" and c["name"] in algorithms
    }
    if "hyperparameters" in properties and models:
        properties["hyperparameters"] = _one_of_shapes(
            properties["hyperparameters"], [_terse(schema) for schema in models.values()]
        )
    if "search_space" in properties and models:
        tunable = dict.fromkeys(name for schema in models.values() for name in schema["properties"])
        ranges = {name: {"$ref": f"#/$defs/{SEARCH_RANGE}"} for name in tunable}
        space = {"type": "object", "properties": ranges, "additionalProperties": False}
        properties["search_space"] = _one_of_shapes(properties["search_space"], [space])
        parameters.setdefault("$defs", {})[SEARCH_RANGE] = copy.deepcopy(_SEARCH_RANGE)
    explorers = [c["parameters"] for c in components if c["type"] == "explorer"]
    if "parameters" in properties and "explorer" in properties and explorers:
        properties["parameters"] = _one_of_shapes(
            properties["parameters"], [_terse(schema) for schema in explorers]
        )


def _one_of_shapes(generic: dict[str, Any], shapes: list[dict[str, Any]]) -> dict[str, Any]:
    """`generic`'s description and default around a union of `shapes`, keeping a null where
    the generic field allowed one."""
    nullable = any(branch.get("type") == "null" for branch in generic.get("anyOf", []))
    branches = copy.deepcopy(shapes) + ([{"type": "null"}] if nullable else [])
    union: dict[str, Any] = {"anyOf": branches} if len(branches) > 1 else branches[0]
    kept = {key: generic[key] for key in ("description", "default") if key in generic}
    return union | kept


def _terse(schema: Any) -> Any:
    """A component's schema without titles and descriptions: in a union of many they would
    cost an OpenAI model thousands of prompt tokens, and the bounds say what matters."""
    if isinstance(schema, dict):
        return {
            key: (
                {name: _terse(value) for name, value in schema[key].items()}
                if key == "properties"
                else _terse(value)
            )
            for key, value in schema.items()
            if key not in {"title", "description"}
        }
    if isinstance(schema, list):
        return [_terse(value) for value in schema]
    return schema


def _narrow(node: Any, field: str | None, names: _Names, used: set[str]) -> None:
    """Narrow `node`, reached through property `field`, and everything under it, in place.

    A named thing becomes a `$ref` to one definition of its kind (`used` collects those),
    so a table's columns are listed once however many fields may name one.
    """
    if not isinstance(node, dict):
        return
    kind = FIELD_KINDS.get(field or "", "")
    allowed = bool(names.by_kind.get(kind))
    if node.get("type") == "string" and "enum" not in node and "const" not in node:
        if allowed:
            kept = {key: node[key] for key in ("description", "default") if key in node}
            node.clear()
            node.update({"$ref": f"#/$defs/{DEFINITIONS[kind]}"} | kept)
            used.add(kind)
        elif "pattern" not in node and "format" not in node:
            node["maxLength"] = min(node.get("maxLength", FREE_STRING_MAX_CHARS),
                                    FREE_STRING_MAX_CHARS)  # fmt: skip
        return
    if node.get("type") == "integer" and "maximum" not in node and "exclusiveMaximum" not in node:
        node["maximum"] = MAX_INTEGER
    if node.get("type") == "array" and allowed and field is not None:
        node["items"] = {"$ref": f"#/$defs/{DEFINITIONS[kind]}"}
        limit = names.limits.get(field, len(names.by_kind[kind]))
        node["maxItems"] = min(node.get("maxItems", limit), limit)
        if field in NON_EMPTY:
            node["minItems"] = max(node.get("minItems", 1), 1)
        node["uniqueItems"] = True
        used.add(kind)
        return
    for name, value in (node.get("properties") or {}).items():
        _narrow(value, name, names, used)
    for branch in node.get("anyOf") or []:
        _narrow(branch, field, names, used)
    for definition in (node.get("$defs") or {}).values():
        _narrow(definition, None, names, used)
    _narrow(node.get("items"), None, names, used)
    _narrow(node.get("additionalProperties"), None, names, used)


def _prune_definitions(parameters: dict[str, Any]) -> None:
    """Drop the `$defs` nothing refers to any more (the dataset's id and SQL forms)."""
    definitions = parameters.get("$defs")
    if not definitions:
        return
    used: set[str] = set()
    pending = [{key: value for key, value in parameters.items() if key != "$defs"}]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            name = ref.removeprefix("#/$defs/") if isinstance(ref, str) else ""
            if name in definitions and name not in used:
                used.add(name)
                pending.append(definitions[name])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    kept = {name: definitions[name] for name in definitions if name in used}
    if kept:
        parameters["$defs"] = kept
    else:
        del parameters["$defs"]
