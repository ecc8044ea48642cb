"""Checking a config's hyperparameters against an algorithm's model, with errors in words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from ml_backend.errors import ConfigValidationError
from ml_backend.suggestions import did_you_mean

_BOUNDS = {
    "greater_than_equal": (">=", "ge"),
    "greater_than": (">", "gt"),
    "less_than_equal": ("<=", "le"),
    "less_than": ("<", "lt"),
}


class Parameterised(Protocol):
    """A component with a name and a pydantic model of its parameters (algorithm, forecaster)."""

    @property
    def name(self) -> str: ...

    @property
    def hyperparameters(self) -> type[BaseModel]: ...


def validate_hyperparameters(spec: Parameterised, values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` checked by the algorithm's model and filled with its defaults (JSON-ready)."""
    try:
        params = spec.hyperparameters.model_validate(dict(values))
    except ValidationError as error:
        problems = _by_parameter(error.errors())
        details = [_describe(spec, name, errors) for name, errors in problems.items()]
        raise ConfigValidationError(
            "; ".join(details), field=f"hyperparameters.{next(iter(problems))}"
        ) from None
    dumped: dict[str, Any] = params.model_dump(mode="json")
    return dumped


def _by_parameter(errors: list[ErrorDetails]) -> dict[str, list[ErrorDetails]]:
    grouped: dict[str, list[ErrorDetails]] = {}
    for error in errors:
        name = str(error["loc"][0]) if error["loc"] else "hyperparameters"
        grouped.setdefault(name, []).append(error)
    return grouped


def _describe(spec: Parameterised, name: str, errors: list[ErrorDetails]) -> str:
    fields = spec.hyperparameters.model_fields
    first = errors[0]
    got = first.get("input")
    if first["type"] == "extra_forbidden":
        return (
            f"unknown hyperparameter '{name}' for {spec.name}{did_you_mean(name, fields)} "
            f"Valid: {', '.join(fields)}"
        )
    if len(errors) == 1 and first["type"] in _BOUNDS:
        symbol, key = _BOUNDS[first["type"]]
        return f"hyperparameters.{name} must be {symbol} {first.get('ctx', {})[key]} (got {got!r})"
    if len(errors) == 1 and first["type"] == "value_error":
        return f"hyperparameters.{name} {first.get('ctx', {}).get('error')} (got {got!r})"
    if len(errors) == 1:
        return f"hyperparameters.{name}: {first['msg'].lower()} (got {got!r})"
    # Several errors for one parameter: a union type; its description lists what fits.
    field = fields.get(name)
    expected = field.description if field is not None and field.description else first["msg"]
    return f"hyperparameters.{name} is not valid (got {got!r}): {expected}"
