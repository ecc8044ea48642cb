"""Planned configs checked with ml_backend's own validators, so no plan fails on submission."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from agents.validation import check_action
from ml_backend.errors import MLInputError, describe_validation_errors
from ml_backend.schema import DatasetProfile


class PlanProblem(Exception):
    """A config that the validators reject; `detail` says why in words a person can act on."""

    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


def check_config(action: str, config: dict[str, Any], profile: DatasetProfile) -> None:
    """Raises PlanProblem when `config` would be rejected as the config of `action`."""
    try:
        check_action(action, config, profile)
    except ValidationError as error:
        raise PlanProblem(describe_validation_errors(error.errors())) from None
    except MLInputError as error:
        raise PlanProblem(error.detail, error.field) from None
