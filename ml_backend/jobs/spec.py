"""What every job kind declares: its config, its resolve and run, its result, and its words.

The service, the worker and the agent read a kind's `JobSpec` from `ml_backend.jobs.registry`
instead of switching on the kind's name; a new kind is a module with a `SPEC` and one line
in the registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel

from ml_backend.reporting import Reporter
from ml_backend.schema import DatasetProfile

if TYPE_CHECKING:
    import pandas as pd

    from ml_backend.jobs.tune.helpers import TrialHelpers

Figure = dict[str, Any]
"""A Plotly figure as JSON."""


class JobResult(BaseModel):
    """The stored result of a finished run; each kind's result extends it."""

    plots: list[str] = []
    """Names of the run's figures, each served at `GET /runs/{id}/plots/{name}`."""

    def test_metrics(self) -> dict[str, float] | None:
        """The test-split metrics to announce when the run ends; None for kinds without one."""
        return None


ConfigT = TypeVar("ConfigT", bound=BaseModel)
ResolvedT = TypeVar("ResolvedT", bound=BaseModel)
ResultT = TypeVar("ResultT", bound=JobResult)
ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class Outcome(Generic[ModelT]):
    """What a run returns: its result and the figures to save beside it, by name."""

    result: ModelT
    plots: dict[str, Figure] = field(default_factory=dict)


@dataclass(frozen=True)
class JobEnv:
    """What a running job may use besides its data: where to write, whom to tell."""

    reporter: Reporter
    artifact_dir: Path | None = None
    model_artifact_id: str | None = None
    """How the API names the run's saved model, stored in results that have one."""
    training: Callable[[], None] = lambda: None
    """Called when the data is read and the fitting starts (the run's `training` status)."""
    helpers: TrialHelpers | None = None
    """Other workers that may run a tuning's trials beside it; None: the job works alone."""


@dataclass(frozen=True)
class JobSpec(Generic[ConfigT, ResolvedT, ResultT]):
    """One job kind, everything the service and the agent need to know about it."""

    kind: str
    """Stored on the run; the worker finds the spec by it."""
    route: str
    """The API collection (`/api/v1/ml/{route}`) and the kind a person sees on the run."""
    tool: str
    """The agent's tool that starts it."""
    description: str
    """What the tool does, for the model choosing a tool."""
    config: type[ConfigT]
    resolved: type[ResolvedT]
    result: type[ResultT]
    resolve: Callable[[ConfigT, DatasetProfile], ResolvedT]
    """The config checked against the dataset, every default explicit; MLInputError if not."""
    columns: Callable[[ResolvedT], list[str] | None]
    """The columns the run reads; None for all of them."""
    run: Callable[[pd.DataFrame, ResolvedT, JobEnv], Outcome[ResultT]]
    describe: Callable[[ConfigT], str]
    """The plan in one sentence a person can check."""
    summarize: Callable[[int, ResultT], str]
    """A few sentences of Markdown about a finished run, every number from its result."""
    claims: Callable[[ConfigT], bool] = lambda _config: True
    """Whether a config sent to `route` is this kind's (kinds sharing a route are asked in
    registry order)."""
    trained_model: Callable[[ResolvedT, ResultT | None], BaseModel] | None = None
    """The training (a `ResolvedTraining`) behind the run's saved tabular model; None for
    kinds that save none. Given the run's result, its exact settings (for reproduction);
    without, what predictions need (columns and target), read without parsing the result."""
    model_from_result: bool = False
    """Whether `trained_model` needs the result even for predictions: which of its candidates
    the run chose is only there (a leaderboard's winner)."""
    forecasts: bool = False
    """Whether the run's saved model predicts a series' next steps."""
    api_tag: str = ""
    api_summary: str = ""
    """The OpenAPI tag and summary of `POST /api/v1/ml/{route}`, for the kind a route is
    named after."""

    @property
    def saves_model(self) -> bool:
        return self.forecasts or self.trained_model is not None
