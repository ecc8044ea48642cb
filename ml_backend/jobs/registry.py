"""Every job kind, found by its name, its tool or its route: the one list to extend.

The order is the order of the agent's tools. A kind may share the route of another (a
forecast is sent to `train`): such kinds are asked first whether a config is theirs, and
the kind the route is named after takes the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ml_backend.configs import DatasetRef
from ml_backend.errors import ConfigValidationError
from ml_backend.jobs.automl import job as automl
from ml_backend.jobs.explore import job as explore
from ml_backend.jobs.forecast import job as forecast
from ml_backend.jobs.leaderboard import job as leaderboard
from ml_backend.jobs.spec import JobSpec
from ml_backend.jobs.train import job as train
from ml_backend.jobs.tune import job as tune
from ml_backend.schema import DatasetProfile

AnySpec = JobSpec[Any, Any, Any]

JOBS: dict[str, AnySpec] = {
    spec.kind: spec
    for spec in (
        explore.SPEC,
        train.SPEC,
        tune.SPEC,
        forecast.SPEC,
        leaderboard.SPEC,
        automl.SPEC,
    )
}


def get_job(kind: str) -> AnySpec:
    """The spec of a stored run's kind."""
    try:
        return JOBS[kind]
    except KeyError:
        raise LookupError(f"no job kind {kind!r}; kinds: {', '.join(JOBS)}") from None


def routes() -> list[str]:
    """The API's job collections, in registry order."""
    return list(dict.fromkeys(spec.route for spec in JOBS.values()))


def route_job(route: str) -> AnySpec:
    """The kind a route is named after: its config is the one the route takes (the kinds
    sharing a route share it), its API tag and summary the route's."""
    return JOBS[route]


def route_kinds(route: str) -> list[str]:
    """The stored kinds a route shows."""
    return [spec.kind for spec in JOBS.values() if spec.route == route]


def dataset_of(config: BaseModel) -> DatasetRef:
    """The dataset a job's config names (every kind's config has one)."""
    ref: DatasetRef = config.dataset  # type: ignore[attr-defined]
    return ref


def tool_job(tool: str) -> AnySpec | None:
    """The kind an agent tool starts; None for tools that start no job."""
    return next((spec for spec in JOBS.values() if spec.tool == tool), None)


def select(route: str, config: BaseModel) -> AnySpec:
    """The kind of `route` that a config sent there is."""
    for spec in JOBS.values():
        if spec.route == route and spec.kind != route and spec.claims(config):
            return spec
    owner = JOBS.get(route)
    if owner is None or not owner.claims(config):
        raise ConfigValidationError(f"no job kind takes this config at {route!r}")
    return owner


@dataclass(frozen=True)
class Resolution:
    """A config resolved against a dataset: its kind, and the form its run stores and runs."""

    spec: AnySpec
    resolved: BaseModel
    dataset_id: int | None = None
    """The dataset it was resolved against, where the caller knows it: a resolution is
    reused only for that dataset (a dataset's profile never changes)."""


def resolve(route: str, config: BaseModel, profile: DatasetProfile) -> Resolution:
    """The config's kind and resolved form; MLInputError says what does not fit the data."""
    spec = select(route, config)
    return Resolution(spec, spec.resolve(config, profile))
