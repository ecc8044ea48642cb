"""HTTP endpoint for datasets loaded from a SQL connection."""

from __future__ import annotations

from litestar import Controller, post

from service.domain.datasets.schemas import DatasetDetail, SqlDatasetRequest
from service.domain.datasets.sql_services import SqlDatasetService


class SqlDatasetController(Controller):
    path = "/api/v1/datasets/sql"
    tags = ("datasets",)

    @post("/", status_code=201, summary="Load one SELECT's result from a SQL connection")
    async def load_from_sql(
        self, data: SqlDatasetRequest, sql_datasets: SqlDatasetService
    ) -> DatasetDetail:
        dataset = await sql_datasets.load(data.connection, data.query, data.name)
        return DatasetDetail.of(dataset)
