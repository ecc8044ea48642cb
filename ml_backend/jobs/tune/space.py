"""The search space of a tuning run: the algorithm's own, narrowed by the person, checked."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    distribution_to_json,
    json_to_distribution,
)

from ml_backend.algorithms.base import AlgorithmSpec
from ml_backend.configs import TaskType
from ml_backend.errors import ConfigValidationError
from ml_backend.hyperparameters import validate_hyperparameters
from ml_backend.preprocessing import CATEGORICAL_KINDS
from ml_backend.schema import ColumnKind
from ml_backend.suggestions import did_you_mean


def resolve_space(
    spec: AlgorithmSpec[Any],
    task: TaskType,
    narrowing: Mapping[str, Any] | None,
    fixed: Mapping[str, Any],
) -> tuple[dict[str, BaseDistribution], dict[str, Any]]:
    """The distributions to search and the hyperparameters held fixed.

    `narrowing` maps a hyperparameter to `{"low": a, "high": b}` (a range inside the
    algorithm's), `{"choices": [...]}`, or one value (held fixed). Hyperparameters the
    person set in `hyperparameters` (`fixed`) are never searched.
    """
    space = {name: dist for name, dist in spec.search_space(task).items() if name not in fixed}
    held = dict(fixed)
    fields = spec.hyperparameters.model_fields
    for name, wanted in (narrowing or {}).items():
        if name not in fields:
            raise ConfigValidationError(
                f"search_space: {spec.name} has no hyperparameter '{name}'"
                f"{did_you_mean(name, fields)} Tunable: {', '.join(spec.search_space(task))}",
                field=f"search_space.{name}",
            )
        if name in fixed:
            raise ConfigValidationError(
                f"search_space.{name}: '{name}' is fixed in hyperparameters; set it in one place",
                field=f"search_space.{name}",
            )
        if not isinstance(wanted, Mapping):
            held[name] = wanted
            space.pop(name, None)
            continue
        space[name] = _narrowed(name, wanted, space.get(name))
    for name, distribution in space.items():
        _check_inside_bounds(spec, name, distribution, held)
    validate_hyperparameters(spec, held)
    if not space:
        raise ConfigValidationError(
            f"nothing left to tune: every hyperparameter of {spec.name} is fixed; remove some "
            "from hyperparameters or give ranges in search_space",
            field="search_space",
        )
    return space, held


def _narrowed(
    name: str, wanted: Mapping[str, Any], base: BaseDistribution | None
) -> BaseDistribution:
    where = f"search_space.{name}"
    unknown = set(wanted) - {"low", "high", "log", "choices"}
    if unknown:
        raise ConfigValidationError(
            f"{where}: unknown key(s) {sorted(unknown)}; use low/high (and log) or choices",
            field=where,
        )
    if "choices" in wanted:
        choices = wanted["choices"]
        if not isinstance(choices, list) or not choices:
            raise ConfigValidationError(f"{where}.choices must be a non-empty list", field=where)
        return CategoricalDistribution(choices)
    if "low" not in wanted or "high" not in wanted:
        raise ConfigValidationError(f"{where} needs both low and high", field=where)
    low, high = wanted["low"], wanted["high"]
    if not _number(low) or not _number(high) or low > high:
        raise ConfigValidationError(
            f"{where}: low and high must be numbers with low <= high (got {low!r}, {high!r})",
            field=where,
        )
    log = bool(wanted.get("log", getattr(base, "log", False)))
    if log and low <= 0:
        raise ConfigValidationError(f"{where}: a log range needs low > 0", field=where)
    integer = isinstance(base, IntDistribution) or (
        base is None and isinstance(low, int) and isinstance(high, int)
    )
    if integer:
        if low != int(low) or high != int(high):
            raise ConfigValidationError(f"{where}: {name} takes whole numbers", field=where)
        return IntDistribution(int(low), int(high), log=log)
    return FloatDistribution(float(low), float(high), log=log)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_inside_bounds(
    spec: AlgorithmSpec[Any], name: str, distribution: BaseDistribution, held: Mapping[str, Any]
) -> None:
    """Every end of a range (every choice) must be a value the algorithm accepts."""
    if isinstance(distribution, CategoricalDistribution):
        values = list(distribution.choices)
    else:
        values = [distribution.low, distribution.high]  # type: ignore[attr-defined]
    for value in values:
        try:
            validate_hyperparameters(spec, {**held, name: value})
        except ConfigValidationError as error:
            raise ConfigValidationError(
                f"search_space.{name} reaches {value!r}, outside what {spec.name} accepts: "
                f"{error.detail}",
                field=f"search_space.{name}",
            ) from None


def space_to_json(space: Mapping[str, BaseDistribution]) -> dict[str, str]:
    """The space as JSON strings (optuna's own format), for storing in a resolved config."""
    return {name: distribution_to_json(dist) for name, dist in space.items()}


def space_from_json(stored: Mapping[str, str]) -> dict[str, BaseDistribution]:
    """The space stored by `space_to_json`."""
    return {name: json_to_distribution(text) for name, text in stored.items()}


CATEGORY_SETTINGS = frozenset({"categorical_encoding", "cat_smooth"})
"""Hyperparameters that only matter where there are categorical columns."""


def for_features(
    space: dict[str, BaseDistribution], feature_kinds: Mapping[str, ColumnKind]
) -> dict[str, BaseDistribution]:
    """`space` less what the features make moot: how categories are encoded, on data with no
    categorical column (every choice would train the same model)."""
    if any(kind in CATEGORICAL_KINDS for kind in feature_kinds.values()):
        return space
    return {name: dist for name, dist in space.items() if name not in CATEGORY_SETTINGS}
