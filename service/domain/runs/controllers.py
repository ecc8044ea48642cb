"""Runs, whatever their kind: details, plots and the trained model."""

from __future__ import annotations

import json
from typing import Annotated, Any

import anyio.to_thread
from litestar import Controller, Request, get, post
from litestar.params import Parameter
from litestar.response import Response, Stream

from ml_backend.configs import MAX_ID
from ml_backend.jobs.registry import get_job
from ml_backend.model import MODEL_FILE
from service.db.models import RunStatus
from service.domain.datasets.services import DatasetService
from service.domain.jobs.kinds import RunKind, shown_kind
from service.domain.jobs.listing import LIST_NAME
from service.domain.jobs.schemas import JobAccepted, JobPage, JobView
from service.domain.jobs.services import JobService
from service.domain.params import RUN_PAGE_DEFAULT, After, Offset, RowId, RunLimit
from service.domain.runs.history import RunFilters, moment, run_history
from service.domain.runs.retrain import RetrainRequest, retrain
from service.domain.runs.schemas import (
    BatchPrediction,
    FuturePrediction,
    PredictFormat,
    PredictRequest,
    RowPredictions,
)
from service.domain.runs.services import RunService
from service.downloads import download
from service.errors import ConflictError, InvalidInputError, NotFoundError
from service.paging import check_one_way, decode_cursor, paged
from service.settings import PLOTS_DIR

Q_HELP = "Words in the run's dataset name, algorithm, kind or target column, or its id."
SINCE_HELP = "Runs created on or after this ISO date (2026-01-31) or date-time."
UNTIL_HELP = "Runs created on or before this ISO date (the whole day), or before a date-time."


class RunController(Controller):
    path = "/api/v1/runs"
    tags = ("runs",)

    @get("/", summary="Run history: search and filter runs of every kind, newest first, a page "
         "at a time (next page: the Link header)")  # fmt: skip
    async def list_runs(
        self,
        request: Request[Any, Any, Any],
        tenant: str,
        jobs: JobService,
        q: Annotated[str | None, Parameter(max_length=200, description=Q_HELP)] = None,
        dataset_id: Annotated[int | None, Parameter(ge=1, le=MAX_ID)] = None,
        algorithm: Annotated[str | None, Parameter(max_length=64)] = None,
        kind: RunKind | None = None,
        status: RunStatus | None = None,
        since: Annotated[str | None, Parameter(max_length=40, description=SINCE_HELP)] = None,
        until: Annotated[str | None, Parameter(max_length=40, description=UNTIL_HELP)] = None,
        limit: RunLimit = RUN_PAGE_DEFAULT,
        offset: Offset = 0,
        after: After = None,
    ) -> Response[JobPage]:
        check_one_way(offset, after)
        filters = RunFilters(
            q=q, dataset_id=dataset_id, algorithm=algorithm, kind=kind, status=status,
            since=moment("since", since), until=moment("until", until, end_of_day=True),
        )  # fmt: skip
        cursor = decode_cursor(LIST_NAME, after)
        page, next_after = await run_history(jobs, tenant, filters, limit, offset, cursor)
        return paged(request, page, next_after)

    @get("/{run_id:int}", summary="A run: config, metrics per split, importance, summary")
    async def get_run(self, run_id: RowId, jobs: JobService) -> JobView:
        return await jobs.view(await jobs.run_by_id(run_id))

    @get("/{run_id:int}/plots/{name:str}", summary="One of a run's plots as Plotly JSON")
    async def get_plot(
        self, run_id: RowId, name: str, jobs: JobService, runs: RunService
    ) -> dict[str, Any]:
        run = await jobs.run_by_id(run_id)
        storage = runs.storage
        files = await anyio.to_thread.run_sync(storage.list_artifacts, run.tenant, run.id,
                                               PLOTS_DIR)  # fmt: skip
        available = sorted(file.removesuffix(".json") for file in files if file.endswith(".json"))
        if name not in available:
            raise NotFoundError(
                f"run {run_id} has no plot {name!r}; it has: {', '.join(available) or 'none yet'}"
            )
        content = await anyio.to_thread.run_sync(
            storage.read_artifact, run.tenant, run.id, f"{PLOTS_DIR}/{name}.json"
        )
        figure: dict[str, Any] = json.loads(content)
        return figure

    @get("/{run_id:int}/model", summary="Download the trained model (joblib)")
    async def get_model(self, run_id: RowId, jobs: JobService, runs: RunService) -> Stream:
        run = await jobs.run_by_id(run_id)
        if not get_job(run.kind).saves_model or run.status != RunStatus.FINISHED:
            shown = shown_kind(run.kind)
            raise ConflictError(f"run {run_id} has no model: it is a {shown} run, {run.status}")
        try:
            stored = await anyio.to_thread.run_sync(
                runs.storage.open_artifact, run.tenant, run.id, MODEL_FILE
            )
        except FileNotFoundError:
            raise NotFoundError(
                f"the model file of run {run_id} is missing from the artifacts"
            ) from None
        return download(stored, f"mlchat-run-{run.id}-model.joblib")

    @get(
        "/{run_id:int}/reproduce",
        summary="A Python script that retrains the run and checks its test metrics",
        media_type="text/x-python",
    )
    async def reproduce(self, run_id: RowId, jobs: JobService, runs: RunService) -> Response[str]:
        script, filename = await runs.reproduce(await jobs.run_by_id(run_id))
        disposition = f'attachment; filename="{filename}"'
        return Response(script, media_type="text/x-python",
                        headers={"content-disposition": disposition})  # fmt: skip

    @get(
        "/{run_id:int}/notebook",
        summary="A Jupyter notebook that retrains the run without mlchat and checks its test "
        "metrics",
        media_type="application/x-ipynb+json",
    )
    async def notebook(
        self, run_id: RowId, request: Request[Any, Any, Any], jobs: JobService, runs: RunService
    ) -> Response[str]:
        notebook, filename = await runs.notebook(
            await jobs.run_by_id(run_id), str(request.base_url)
        )
        disposition = f'attachment; filename="{filename}"'
        return Response(notebook, media_type="application/x-ipynb+json",
                        headers={"content-disposition": disposition})  # fmt: skip

    @get(
        "/{run_id:int}/predictions.csv",
        summary="The test rows with actual and predicted values (and class probabilities), as CSV",
        media_type="text/csv",
    )
    async def test_predictions(
        self, run_id: RowId, jobs: JobService, runs: RunService
    ) -> Response[bytes]:
        content, filename = await runs.test_predictions_csv(await jobs.run_by_id(run_id))
        return _attachment(content, filename)

    @post(
        "/{run_id:int}/retrain",
        status_code=202,
        summary="Train the run's config again on its dataset's latest version, the same version "
        "or a chosen one (the job accepted, as POST /ml/{kind} answers)",
    )
    async def retrain(
        self, run_id: RowId, data: RetrainRequest, jobs: JobService, datasets: DatasetService
    ) -> JobAccepted:
        return await retrain(jobs, datasets, await jobs.run_by_id(run_id), data.data)

    @post(
        "/{run_id:int}/predict",
        status_code=200,
        summary="Predict rows, or a whole dataset (as a new dataset, or with format=csv a file)",
    )
    async def predict(
        self,
        run_id: RowId,
        data: PredictRequest,
        jobs: JobService,
        runs: RunService,
        answer: Annotated[
            PredictFormat,
            Parameter(
                query="format",
                description="csv: answer the rows with their predictions as a CSV attachment "
                "instead of JSON (and, for a dataset, without storing a new dataset).",
            ),
        ] = PredictFormat.JSON,
    ) -> RowPredictions | BatchPrediction | FuturePrediction | Response[bytes]:
        run = await jobs.run_by_id(run_id)
        dataset = data.source_dataset
        if answer is PredictFormat.CSV:
            if dataset is None:
                raise InvalidInputError(
                    "format=csv scores a whole dataset: send {'dataset_id': n} (or 'dataset'); "
                    "rows and forecasts answer JSON"
                )
            return _attachment(*await runs.scored_dataset_csv(run, dataset))
        if data.rows is not None:
            return await runs.predict_rows(run, data.rows)
        if dataset is not None:
            return await runs.predict_dataset(run, dataset, data.name)
        assert data.horizon is not None  # the request model admits exactly one source
        return await runs.predict_future(run, data.horizon)


def _attachment(content: bytes, filename: str) -> Response[bytes]:
    """A CSV download; file names are made of [A-Za-z0-9._-] only, so quoting suffices."""
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )
