"""Errors that ml_backend raises for input a person can fix."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


class MLInputError(ValueError):
    """Input that cannot be used as given; `detail` says what to change."""

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class ConfigValidationError(MLInputError):
    """A config that does not fit the dataset's schema or a component's bounds."""


class DatasetFormatError(MLInputError):
    """A file that is empty, malformed or of a kind mlchat does not read."""


class JobCancelledError(Exception):
    """Raised inside a job when the reporter learns the run was cancelled."""


def describe_validation_errors(errors: Iterable[Mapping[str, Any]]) -> str:
    """Pydantic's errors in words, joined by '; ': `split.test_size: Input should be less
    than 1 (got 1.5)`. The one wording of a malformed config, for the API and the agent."""
    parts = []
    for error in errors:
        location = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        message = error.get("msg", "invalid")
        if error.get("type") == "extra_forbidden":
            message = "unknown field; remove it or check its spelling"
        got = error.get("input")
        shown = f" (got {got!r})" if got is not None and not isinstance(got, dict | list) else ""
        parts.append(f"{location}: {message}{shown}" if location else f"{message}{shown}")
    return "; ".join(parts)


class SqlRefusedError(MLInputError):
    """A dataset query that is not exactly one read-only SELECT; nothing was run."""


class SqlSourceError(MLInputError):
    """A dataset query the database could not answer (refused, too slow, unreadable result)."""


class SqlConnectionError(Exception):
    """A database that could not be reached; the message never holds the connection's secret."""
