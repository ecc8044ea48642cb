"""Errors that ml_backend raises for input a person can fix."""

from __future__ import annotations


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
