"""A forecast run's future values as a CSV download."""

from __future__ import annotations

import anyio.to_thread
from litestar import get
from litestar.response import Response

from ml_backend.jobs.forecast.run import ForecastResult
from ml_backend.jobs.forecast.table import forecast_csv
from ml_backend.jobs.registry import get_job
from service.db.models import RunStatus
from service.domain.jobs.kinds import shown_kind
from service.domain.jobs.services import JobService
from service.domain.params import RowId
from service.errors import ConflictError


@get(
    "/api/v1/runs/{run_id:int}/forecast.csv",
    tags=["runs"],
    summary="A forecast's future values (time, forecast, lower, upper; per series) as CSV",
    media_type="text/csv",
)
async def forecast_csv_download(run_id: RowId, jobs: JobService) -> Response[str]:
    run = await jobs.run_by_id(run_id)
    if not get_job(run.kind).forecasts:
        raise ConflictError(
            f"run {run_id} is a {shown_kind(run.kind)} run; only forecasts have future values "
            "(a training's test predictions are at /predictions.csv)"
        )
    if run.status != RunStatus.FINISHED or run.result is None:
        raise ConflictError(f"run {run_id} is {run.status}; its forecast comes when it finishes")
    result = ForecastResult.model_validate(run.result)
    text = await anyio.to_thread.run_sync(forecast_csv, result)
    disposition = f'attachment; filename="forecast-run-{run_id}.csv"'
    return Response(text, media_type="text/csv", headers={"content-disposition": disposition})
