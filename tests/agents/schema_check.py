"""A JSON Schema check of just the keywords the tools' schemas use (jsonschema is not a
dependency): a keyword it does not know fails the test instead of passing unchecked."""

from __future__ import annotations

import json
from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
    "object": (dict,),
    "array": (list,),
}
_ANNOTATIONS = {"title", "description", "default", "$defs"}


def violations(
    instance: Any, schema: dict[str, Any], root: dict[str, Any] | None = None
) -> list[str]:
    """What in `instance` breaks `schema` (whose `$ref`s point into `root`); empty if valid."""
    root = root if root is not None else schema
    unknown = set(schema) - _ANNOTATIONS - set(_CHECKS)
    assert not unknown, f"schema_check does not know {sorted(unknown)}"
    return [problem for key in schema if key in _CHECKS
            for problem in _CHECKS[key](instance, schema, root)]  # fmt: skip


def _ref(instance: Any, schema: dict[str, Any], root: dict[str, Any]) -> list[str]:
    target: Any = root
    for part in schema["$ref"].removeprefix("#/").split("/"):
        target = target[part]
    return violations(instance, target, root)


def _any_of(instance: Any, schema: dict[str, Any], root: dict[str, Any]) -> list[str]:
    if any(not violations(instance, branch, root) for branch in schema["anyOf"]):
        return []
    return [f"{instance!r} matches no branch of anyOf"]


def _type(instance: Any, schema: dict[str, Any], root: dict[str, Any]) -> list[str]:
    wanted = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    is_bool = isinstance(instance, bool)
    ok = any(isinstance(instance, _TYPES[t]) and (t == "boolean" or not is_bool) for t in wanted)
    return [] if ok else [f"{instance!r} is not of type {wanted}"]


def _properties(instance: Any, schema: dict[str, Any], root: dict[str, Any]) -> list[str]:
    if not isinstance(instance, dict):
        return []
    known = schema["properties"]
    found = [p for k, v in instance.items() if k in known for p in violations(v, known[k], root)]
    extra = schema.get("additionalProperties", True)
    for key in set(instance) - set(known):
        if extra is False:
            found.append(f"unexpected property {key!r}")
        elif isinstance(extra, dict):
            found += violations(instance[key], extra, root)
    return found


def _sized(name: str, limit: str, fits: Any) -> Any:
    def check(instance: Any, schema: dict[str, Any], root: dict[str, Any]) -> list[str]:
        if not isinstance(instance, _TYPES[name]) or fits(instance, schema[limit]):
            return []
        return [f"{instance!r} breaks {limit} {schema[limit]}"]

    return check


def _number(limit: str, fits: Any) -> Any:
    def check(instance: Any, schema: dict[str, Any], root: dict[str, Any]) -> list[str]:
        numeric = isinstance(instance, (int, float)) and not isinstance(instance, bool)
        if not numeric or fits(instance, schema[limit]):
            return []
        return [f"{instance!r} breaks {limit} {schema[limit]}"]

    return check


def _distinct(items: list[Any]) -> bool:
    return len({json.dumps(item, sort_keys=True) for item in items}) == len(items)


_CHECKS: dict[str, Any] = {
    "$ref": _ref,
    "anyOf": _any_of,
    "type": _type,
    "properties": _properties,
    "additionalProperties": lambda i, s, r: [] if "properties" in s else _properties(
        i, {**s, "properties": {}}, r),
    "required": lambda i, s, r: [f"missing {k!r}" for k in s["required"]
                                 if isinstance(i, dict) and k not in i],
    "enum": lambda i, s, r: [] if i in s["enum"] else [f"{i!r} is not one of {s['enum']}"],
    "const": lambda i, s, r: [] if i == s["const"] else [f"{i!r} is not {s['const']!r}"],
    "items": lambda i, s, r: [p for v in i for p in violations(v, s["items"], r)]
    if isinstance(i, list) else [],
    "minItems": _sized("array", "minItems", lambda i, n: len(i) >= n),
    "maxItems": _sized("array", "maxItems", lambda i, n: len(i) <= n),
    "uniqueItems": _sized("array", "uniqueItems", lambda i, u: not u or _distinct(i)),
    "minLength": _sized("string", "minLength", lambda i, n: len(i) >= n),
    "maxLength": _sized("string", "maxLength", lambda i, n: len(i) <= n),
    "minimum": _number("minimum", lambda i, n: i >= n),
    "maximum": _number("maximum", lambda i, n: i <= n),
    "exclusiveMinimum": _number("exclusiveMinimum", lambda i, n: i > n),
    "exclusiveMaximum": _number("exclusiveMaximum", lambda i, n: i < n),
}  # fmt: skip
