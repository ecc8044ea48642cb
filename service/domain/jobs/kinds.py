"""Job kinds as the API shows them: each run under its route, the routes as an enum."""

from __future__ import annotations

from enum import StrEnum

from ml_backend.jobs.registry import get_job, routes

RunKind = StrEnum("RunKind", [(route.upper(), route) for route in routes()])  # type: ignore[misc]
"""The kinds a person sees and filters runs by: the API's job collections."""


def shown_kind(kind: str) -> str:
    """The kind a stored run shows: its route (a forecast is a `train` run)."""
    return get_job(kind).route
