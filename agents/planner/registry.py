"""What the planner can offer, read from ml_backend's registries so new components count."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from agents.planner.hyperparameters import choice_fields, flag_fields, sequence_fields
from ml_backend.algorithms import ALGORITHMS
from ml_backend.forecasters import FORECASTERS
from ml_backend.metrics import METRICS

DEFAULT_ALGORITHM = "xgboost"
DEFAULT_FORECASTER = "arima"


@dataclass(frozen=True)
class Registry:
    """Registered algorithms, forecasters and metrics with their hyperparameter models."""

    algorithms: tuple[str, ...]
    forecasters: tuple[str, ...]
    metrics: tuple[str, ...]
    aliases: tuple[tuple[str, tuple[str, ...]], ...]
    """Each algorithm, then each forecaster, with the other names its spec lists."""
    models: dict[str, type[BaseModel]]
    fields: tuple[str, ...]
    choices: dict[str, tuple[str, ...]]
    sequences: frozenset[str]
    flags: frozenset[str]

    @property
    def default_algorithm(self) -> str:
        return DEFAULT_ALGORITHM if DEFAULT_ALGORITHM in self.algorithms else self.algorithms[0]

    @property
    def default_forecaster(self) -> str | None:
        if DEFAULT_FORECASTER in self.forecasters:
            return DEFAULT_FORECASTER
        return self.forecasters[0] if self.forecasters else None

    def is_forecaster(self, name: str) -> bool:
        return name in self.forecasters


def current_registry() -> Registry:
    """The registry as it is now (cached while the registered names stay the same)."""
    return _build(tuple(ALGORITHMS), tuple(FORECASTERS), tuple(METRICS))


@lru_cache(maxsize=4)
def _build(
    algorithms: tuple[str, ...], forecasters: tuple[str, ...], metrics: tuple[str, ...]
) -> Registry:
    specs: dict[str, Any] = {**FORECASTERS, **ALGORITHMS}
    names = (*algorithms, *forecasters)
    models = {name: specs[name].hyperparameters for name in names}
    fields = tuple(dict.fromkeys(f for model in models.values() for f in model.model_fields))
    return Registry(
        algorithms=algorithms,
        forecasters=forecasters,
        metrics=metrics,
        aliases=tuple((name, tuple(specs[name].aliases)) for name in names),
        models=models,
        fields=fields,
        choices=choice_fields(list(models.values())),
        sequences=frozenset(sequence_fields(list(models.values()))),
        flags=frozenset(flag_fields(list(models.values()))),
    )
