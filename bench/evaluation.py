"""Checking a plan against a planner evaluation case's `expect` (rules: shared/eval/README.md).

- `action` / `action_in`: the plan's action, equal to / one of.
- a dotted or plain key (`split.test_size`, `algorithm`): that field of the plan's config, equal
  (strings case-insensitively, numbers within 1e-9).
- `feature_columns`: the same set; `feature_columns_exclude`: an explicit list without these.
- `columns`: the same list in order; `columns_include`: each among the columns or the
  explorer's `color` / `group_by` / `x` / `y` parameters.
- any other key ending in `_in`: the field is one of the listed values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

_MISSING = object()
_ROLE_PARAMETERS = ("color", "group_by", "x", "y")


def check_case(expect: Mapping[str, Any], plan: Mapping[str, Any]) -> list[str]:
    """The ways `plan` ({'action', 'config', 'message'}) misses `expect`; empty when it passes."""
    config = plan.get("config") or {}
    problems: list[str] = []
    for key, wanted in expect.items():
        problem = _check(key, wanted, plan.get("action"), config)
        if problem is not None:
            problems.append(problem)
    return problems


def _check(key: str, wanted: Any, action: Any, config: Mapping[str, Any]) -> str | None:
    if key == "action":
        return None if _equal(action, wanted) else f"action is {action!r}, expected {wanted!r}"
    if key == "action_in":
        return (
            None if _one_of(action, wanted) else f"action is {action!r}, expected one of {wanted!r}"
        )
    if key == "feature_columns":
        got = config.get("feature_columns")
        if isinstance(got, list) and set(got) == set(wanted):
            return None
        return f"feature_columns are {got!r}, expected the set {sorted(wanted)!r}"
    if key == "feature_columns_exclude":
        got = config.get("feature_columns")
        if isinstance(got, list) and not set(got) & set(wanted):
            return None
        return f"feature_columns are {got!r}, expected an explicit list without {wanted!r}"
    if key == "columns":
        got = config.get("columns")
        if isinstance(got, list) and [str(c) for c in got] == [str(c) for c in wanted]:
            return None
        return f"columns are {got!r}, expected {wanted!r}"
    if key == "columns_include":
        present = set(config.get("columns") or [])
        parameters = config.get("parameters") or {}
        present |= {parameters[p] for p in _ROLE_PARAMETERS if isinstance(parameters.get(p), str)}
        missing = [c for c in wanted if c not in present]
        return f"columns and roles {sorted(present)!r} lack {missing!r}" if missing else None
    if key.endswith("_in"):
        got = lookup(config, key[: -len("_in")])
        if got is not _MISSING and _one_of(got, wanted):
            return None
        return f"{key[:-3]} is {_shown(got)}, expected one of {wanted!r}"
    got = lookup(config, key)
    if got is not _MISSING and _equal(got, wanted):
        return None
    return f"{key} is {_shown(got)}, expected {wanted!r}"


def lookup(config: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of `config`, or a private marker when it is absent."""
    value: Any = config
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _shown(value: Any) -> str:
    return "missing" if value is _MISSING else repr(value)


def _one_of(value: Any, options: Any) -> bool:
    return isinstance(options, list) and any(_equal(value, option) for option in options)


def _equal(got: Any, wanted: Any) -> bool:
    if isinstance(got, str) and isinstance(wanted, str):
        return got.casefold() == wanted.casefold()
    if isinstance(got, bool) or isinstance(wanted, bool):
        return got is wanted
    if isinstance(got, int | float) and isinstance(wanted, int | float):
        return math.isclose(got, wanted, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(got, list) and isinstance(wanted, list):
        return len(got) == len(wanted) and all(
            _equal(a, b) for a, b in zip(got, wanted, strict=True)
        )
    if isinstance(got, Mapping) and isinstance(wanted, Mapping):
        return got.keys() == wanted.keys() and all(_equal(got[k], wanted[k]) for k in got)
    return bool(got == wanted)
