"""The experiments document's protocol over mlchat's HTTP API.

    experiments = Experiments("http://127.0.0.1:8000", api_key="mlc_...")
    models = experiments.models("penguins:species")
    model = models.create("my-hash", "baseline", "a model trained elsewhere")
    models.read("my-hash").metrics
    models.update("my-hash", "better name")
    models.list()
    models.delete(model.id)

It needs only httpx and pydantic, and imports nothing of the service.
"""

from __future__ import annotations

import builtins
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import BaseModel


class MlchatError(Exception):
    """An error answer (a problem+json document): its status and what to do about it."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail


class Iteration(BaseModel):
    """One discrete step of training (a boosting round, an epoch, a trial) and its metrics."""

    step: int
    unit: str | None = None
    metrics: dict[str, float]


class Model(BaseModel):
    """The protocol's `Model`, with where it came from."""

    id: str
    hash: str
    name: str
    description: str | None = None
    iterations: list[Iteration] = []
    metrics: dict[str, dict[str, float | None]] = {}
    modules: list[dict[str, Any]] = []
    step: int = 0
    experiment: str
    run_id: int | None = None
    run_ids: list[int] = []
    kind: str | None = None
    params: dict[str, str] = {}
    data_version: str | None = None
    created_at: datetime


class Experiment(BaseModel):
    id: int
    name: str
    description: str | None = None
    models: int
    created_at: datetime


def _checked(response: httpx.Response) -> Any:
    if response.is_error:
        try:
            detail = str(response.json().get("detail", response.text))
        except ValueError:
            detail = response.text
        raise MlchatError(response.status_code, detail)
    return response.json()


class Models:
    """The protocol's `Models` collection of one experiment."""

    def __init__(self, http: httpx.Client, experiment: str) -> None:
        self._http = http
        self.experiment = experiment
        self._path = f"/api/v1/experiments/{quote(experiment, safe=':')}/models"

    def create(self, hash: str, name: str, description: str | None = None) -> Model:
        body = {"hash": hash, "name": name, "description": description}
        return Model.model_validate(_checked(self._http.post(self._path, json=body)))

    def read(self, hash: str) -> Model:
        return Model.model_validate(_checked(self._http.get(f"{self._path}/{quote(hash)}")))

    def update(self, hash: str, name: str) -> Model:
        answer = self._http.patch(f"{self._path}/{quote(hash)}", json={"name": name})
        return Model.model_validate(_checked(answer))

    def delete(self, id: str) -> Model:
        return Model.model_validate(_checked(self._http.delete(f"{self._path}/{quote(id)}")))

    def list(self) -> builtins.list[Model]:
        return [Model.model_validate(item) for item in _checked(self._http.get(self._path))]


class Experiments:
    """A tenant's experiments on an mlchat server."""

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000",
        *,
        api_key: str | None = None,
        http: httpx.Client | None = None,
        timeout_s: float = 60.0,
    ) -> None:
        headers = {"authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = http or httpx.Client(base_url=base_url, headers=headers, timeout=timeout_s)

    def list(self) -> builtins.list[Experiment]:
        answer = _checked(self._http.get("/api/v1/experiments"))
        return [Experiment.model_validate(item) for item in answer]

    def create(self, name: str, description: str | None = None) -> Experiment:
        body = {"name": name, "description": description}
        return Experiment.model_validate(
            _checked(self._http.post("/api/v1/experiments", json=body))
        )

    def models(self, experiment: str) -> Models:
        """The `Models` of the experiment with this name (or id)."""
        return Models(self._http, experiment)

    def export_mlflow(self, experiment: str, to: Path) -> Path:
        """Download the experiment in MLflow's format as a zip at `to`; `to`."""
        answer = self._http.get(f"/api/v1/experiments/{quote(experiment, safe=':')}/mlflow")
        if answer.is_error:
            _checked(answer)
        to.write_bytes(answer.content)
        return to

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Experiments:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
