"""The Explorer spec and the result every explorer returns."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Annotated, Any, Generic, TypeVar

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ml_backend.configs import ExplorationConfig
from ml_backend.errors import ConfigValidationError
from ml_backend.explorers.columns import suggest
from ml_backend.explorers.figures import plain
from ml_backend.reporting import Reporter
from ml_backend.schema import DatasetProfile

P = TypeVar("P", bound=BaseModel)

RandomState = Annotated[
    int, Field(ge=0, le=2**32 - 1, description="Seed of the row sample, so a plot can be redrawn.")
]


def column_parameter(description: str) -> Any:
    """A parameter that names a column, or null for none."""
    return Field(default=None, min_length=1, description=description)


class ExplorerParameters(BaseModel):
    """The base of every explorer's parameters: unknown names are errors."""

    model_config = ConfigDict(extra="forbid")


class ExplorationResult(BaseModel):
    """What an exploration returns: a Plotly figure and the numbers it shows."""

    model_config = ConfigDict(extra="forbid")

    explorer: str
    figure: dict[str, Any] = Field(description="Plotly figure JSON with plain lists, no NaN.")
    summary: dict[str, Any] = Field(description="The numbers the figure shows.")
    notes: list[str] = Field(default_factory=list)
    row_count: int = Field(ge=0, description="Rows in the data explored.")
    sampled: bool = Field(default=False, description="Whether the figure shows a subset of rows.")

    @field_validator("figure", "summary", mode="before")
    @classmethod
    def _plain_values(cls, value: Any) -> Any:
        return plain(value)


class Explorer(ABC, Generic[P]):
    """One kind of exploration: its parameters, its column checks and its computation."""

    name: str
    description: str
    parameters: type[P]

    def validate(self, config: ExplorationConfig, profile: DatasetProfile) -> ExplorationConfig:
        """The config with parameter defaults filled in and columns checked against `profile`."""
        if config.explorer.value != self.name:
            raise ConfigValidationError(
                f"this config is for '{config.explorer.value}', not '{self.name}'",
                field="explorer",
            )
        params = self.parse_parameters(config.parameters)
        columns = self.check_columns(list(config.columns), params, profile)
        return config.model_copy(
            update={"columns": columns, "parameters": params.model_dump(mode="json")}
        )

    def parse_parameters(self, raw: dict[str, Any]) -> P:
        """The parameters model built from `raw`, or an error that names each bad field."""
        try:
            return self.parameters.model_validate(raw)
        except ValidationError as error:
            raise ConfigValidationError(
                "; ".join(self._describe_error(e, raw) for e in error.errors()),
                field="parameters",
            ) from None

    def applicable(self, profile: DatasetProfile) -> bool:
        """Whether the dataset has columns this explorer can draw."""
        return profile.row_count > 0

    def run(
        self, config: ExplorationConfig, frame: pd.DataFrame, reporter: Reporter
    ) -> ExplorationResult:
        """Explores `frame` as `config` says (a config that `validate` returned)."""
        params = self.parse_parameters(config.parameters)
        if not isinstance(frame.index, pd.RangeIndex):
            # explorers align columns by index; a duplicated index would misalign groups
            frame = frame.reset_index(drop=True)
        return self.explore(list(config.columns), params, frame, reporter)

    @abstractmethod
    def check_columns(self, columns: list[str], params: P, profile: DatasetProfile) -> list[str]:
        """The columns to explore, defaults filled in; raises on unknown or unsuitable ones."""

    @abstractmethod
    def explore(
        self, columns: list[str], params: P, frame: pd.DataFrame, reporter: Reporter
    ) -> ExplorationResult:
        """Computes the summary and draws the figure."""

    def _describe_error(self, error: Any, raw: dict[str, Any]) -> str:
        location = ".".join(str(part) for part in error["loc"]) or "parameters"
        accepted = sorted(self.parameters.model_fields)
        if error["type"] == "extra_forbidden":
            close = suggest(location, accepted)
            guess = f"; did you mean '{close[0]}'?" if close else "."
            return (
                f"{self.name} has no parameter '{location}'{guess}"
                f" It takes: {', '.join(accepted) or 'no parameters'}"
            )
        given = f" (got {raw[location]!r})" if location in raw else ""
        return f"{self.name} parameter '{location}': {error['msg']}{given}"
