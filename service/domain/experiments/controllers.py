"""The experiments API: experiments, and the Models collection of the experiments document
with its five operations by their names (create, read, update, delete, list)."""

from __future__ import annotations

from typing import Annotated

import anyio
from litestar import Controller, Response, delete, get, patch, post
from litestar.params import Parameter

from service.domain.experiments.mlflow_export import export_zip
from service.domain.experiments.schemas import (
    ExperimentRequest,
    ExperimentSummary,
    ModelCreate,
    ModelOut,
    ModelRename,
)
from service.domain.experiments.services import ExperimentService
from service.settings import Settings
from service.storage import open_storage

ExperimentRef = Annotated[
    str, Parameter(min_length=1, max_length=200, description="The experiment's name or id.")
]
ModelHash = Annotated[str, Parameter(min_length=1, max_length=64, description="The model's hash.")]
ModelId = Annotated[str, Parameter(min_length=1, max_length=36, description="The model's id.")]


class ExperimentController(Controller):
    path = "/api/v1/experiments"
    tags = ("experiments",)

    @get("/", summary="The tenant's experiments, each with how many models it holds")
    async def list_experiments(self, experiments: ExperimentService) -> list[ExperimentSummary]:
        return [ExperimentSummary.of(e, n) for e, n in await experiments.experiments()]

    @post("/", status_code=201, summary="Make an experiment, for models to be put in by name")
    async def create_experiment(
        self, data: ExperimentRequest, experiments: ExperimentService
    ) -> ExperimentSummary:
        made = await experiments.create_experiment(data.name, data.description)
        return ExperimentSummary.of(made, 0)

    @get("/{experiment:str}", summary="One experiment, by name or id")
    async def get_experiment(
        self, experiment: ExperimentRef, experiments: ExperimentService
    ) -> ExperimentSummary:
        found = await experiments.experiment(experiment)
        return ExperimentSummary.of(found, len(await experiments.list(found)))

    @get("/{experiment:str}/models", summary="Models.list(): the experiment's models")
    async def list_models(
        self, experiment: ExperimentRef, experiments: ExperimentService
    ) -> list[ModelOut]:
        found = await experiments.experiment(experiment)
        return [ModelOut.of(m, found.name) for m in await experiments.list(found)]

    @post(
        "/{experiment:str}/models",
        status_code=201,
        summary="Models.create(hash, name, description); 409 if the hash is taken here",
    )
    async def create_model(
        self, experiment: ExperimentRef, data: ModelCreate, experiments: ExperimentService
    ) -> ModelOut:
        found = await experiments.experiment(experiment)
        made = await experiments.create(found, data.hash, data.name, data.description)
        return ModelOut.of(made, found.name)

    @get("/{experiment:str}/models/{key:str}", summary="Models.read(hash)")
    async def read_model(
        self,
        experiment: ExperimentRef,
        experiments: ExperimentService,
        key: ModelHash,
    ) -> ModelOut:
        found = await experiments.experiment(experiment)
        return ModelOut.of(await experiments.read(found, key), found.name)

    @patch("/{experiment:str}/models/{key:str}", summary="Models.update(hash, name)")
    async def update_model(
        self,
        experiment: ExperimentRef,
        data: ModelRename,
        experiments: ExperimentService,
        key: ModelHash,
    ) -> ModelOut:
        found = await experiments.experiment(experiment)
        return ModelOut.of(await experiments.update(found, key, data.name), found.name)

    @delete(
        "/{experiment:str}/models/{key:str}",
        status_code=200,
        summary="Models.delete(id): by the model's id (a UUID), not its hash",
    )
    async def delete_model(
        self,
        experiment: ExperimentRef,
        experiments: ExperimentService,
        key: ModelId,
    ) -> ModelOut:
        found = await experiments.experiment(experiment)
        return ModelOut.of(await experiments.delete(found, key), found.name)

    @get(
        "/{experiment:str}/mlflow",
        media_type="application/zip",
        summary="The experiment in MLflow's tracking format: a zip of mlflow.db and "
        "mlartifacts/ (unzip, cd into it: mlflow ui --backend-store-uri sqlite:///mlflow.db)",
    )
    async def export_mlflow(
        self, experiment: ExperimentRef, experiments: ExperimentService, settings: Settings
    ) -> Response[bytes]:
        found = await experiments.experiment(experiment)
        models = await experiments.list(found)
        files = await experiments.model_files(models)
        shown = [ModelOut.of(m, found.name) for m in models]
        # MLflow's client is synchronous and sets its database up first (seconds).
        content = await anyio.to_thread.run_sync(
            lambda: export_zip(found.name, found.description, shown, files,
                               open_storage(settings), found.tenant)
        )  # fmt: skip
        disposition = f'attachment; filename="mlflow-experiment-{found.id}.zip"'
        return Response(
            content, media_type="application/zip", headers={"content-disposition": disposition}
        )
