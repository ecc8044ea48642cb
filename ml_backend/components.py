"""The component catalogue: every algorithm, explorer and metric with its JSON Schema.

The same schemas reach the agent, the web forms and `GET /api/v1/components`.
"""

from __future__ import annotations

from typing import Any

from ml_backend.algorithms import ALGORITHMS
from ml_backend.explorers import EXPLORERS
from ml_backend.forecasters import available_forecasters
from ml_backend.metrics import METRICS, metric_tasks


def _algorithms() -> list[dict[str, Any]]:
    return [
        {
            "type": "algorithm",
            "name": spec.name,
            "description": spec.description,
            "tasks": sorted(task.value for task in spec.tasks),
            "parameters": spec.hyperparameters.model_json_schema(),
        }
        for spec in ALGORITHMS.values()
    ] + [
        {
            "type": "algorithm",
            "name": spec.name,
            "description": spec.description,
            "tasks": ["forecasting"],
            "parameters": spec.hyperparameters.model_json_schema(),
        }
        for spec in available_forecasters()
    ]


def _explorers() -> list[dict[str, Any]]:
    return [
        {
            "type": "explorer",
            "name": explorer.name,
            "description": explorer.description,
            "parameters": explorer.parameters.model_json_schema(),
        }
        for explorer in EXPLORERS.values()
    ]


def _metrics() -> list[dict[str, Any]]:
    return [
        {
            "type": "metric",
            "name": metric.name,
            "description": metric.description,
            "tasks": [task.value for task in metric_tasks(metric)],
            "greater_is_better": metric.greater_is_better,
            "kind": metric.kind.value,
        }
        for metric in METRICS.values()
    ]


def component_catalogue(kind: str | None = None) -> list[dict[str, Any]]:
    """Components of `kind` (algorithm, explorer, metric), or all of them."""
    builders = {"algorithm": _algorithms, "explorer": _explorers, "metric": _metrics}
    chosen = [builders[kind]] if kind else list(builders.values())
    return [component for build in chosen for component in build()]
