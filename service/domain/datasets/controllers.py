"""HTTP endpoints for datasets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Stream

from agents.starters import starters
from ml_backend.configs import MAX_ID
from ml_backend.schema import DatasetProfile
from service.domain.datasets.schemas import (
    DatasetDetail,
    DatasetRows,
    DatasetSuggestions,
    DatasetSummary,
    DatasetVersions,
)
from service.domain.datasets.services import LIST_NAME, DatasetService, parquet_name
from service.domain.datasets.sql_services import SqlDatasetService
from service.domain.params import CATALOG_PAGE_DEFAULT, After, CatalogLimit, Offset, RowId
from service.downloads import download
from service.paging import decode_cursor, paged


@dataclass
class DatasetUpload:
    file: UploadFile
    name: str | None = None
    new_version: bool = True
    """Under a name in use, add the file as the dataset's next version (201), or answer its
    latest version (200) when the content is the same; with `new_version=false` such a name
    is a 409 (an upload that must start a dataset of its own)."""


class DatasetController(Controller):
    path = "/api/v1/datasets"
    tags = ("datasets",)

    @post("/", status_code=201, summary="Upload a CSV, TSV, Parquet, JSON lines or Arrow file; "
          "under a name in use, as the next version of that dataset")  # fmt: skip
    async def upload(
        self,
        data: Annotated[DatasetUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
        datasets: DatasetService,
    ) -> Response[DatasetDetail]:
        try:
            dataset, added = await datasets.create_from_upload(
                data.file.file, data.file.filename or "upload", data.name,
                new_version=data.new_version,
            )  # fmt: skip
        finally:
            await data.file.close()
        return Response(DatasetDetail.of(dataset), status_code=201 if added else 200)

    @post(
        "/{dataset_id:int}/refresh",
        summary="Run a SQL dataset's query again: its rows as the next version (201), or the "
        "latest version (200) when they have not changed",
    )
    async def refresh(
        self, dataset_id: RowId, sql_datasets: SqlDatasetService
    ) -> Response[DatasetDetail]:
        dataset, added = await sql_datasets.refresh(dataset_id)
        return Response(DatasetDetail.of(dataset), status_code=201 if added else 200)

    @get("/{dataset_id:int}/versions", summary="Every version of the dataset, oldest first")
    async def list_versions(self, dataset_id: RowId, datasets: DatasetService) -> DatasetVersions:
        return DatasetVersions.of(await datasets.versions(dataset_id))

    @post(
        "/{dataset_id:int}/versions/{number:int}/restore",
        summary="Make version `number` the latest again, as a new version with its content "
        "(200 and the latest version when that has the same content already)",
    )
    async def restore_version(
        self,
        dataset_id: RowId,
        number: Annotated[int, Parameter(ge=1, le=MAX_ID)],
        datasets: DatasetService,
    ) -> Response[DatasetDetail]:
        dataset, added = await datasets.restore(dataset_id, number)
        return Response(DatasetDetail.of(dataset), status_code=201 if added else 200)

    @get("/", summary="List datasets, newest first, a page at a time (next page: the Link "
         "header)")  # fmt: skip
    async def list_datasets(
        self,
        request: Request[Any, Any, Any],
        datasets: DatasetService,
        limit: CatalogLimit = CATALOG_PAGE_DEFAULT,
        after: After = None,
    ) -> Response[list[DatasetSummary]]:
        page = await datasets.page(limit, decode_cursor(LIST_NAME, after))
        return paged(request, page.items, page.after)

    @get("/{dataset_id:int}", summary="A dataset with its profile")
    async def get_dataset(self, dataset_id: RowId, datasets: DatasetService) -> DatasetDetail:
        return DatasetDetail.of(await datasets.get(dataset_id))

    @get("/{dataset_id:int}/rows", summary="A page of a dataset's rows")
    async def get_rows(
        self,
        dataset_id: RowId,
        datasets: DatasetService,
        offset: Offset = 0,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 50,
    ) -> DatasetRows:
        dataset, rows = await datasets.rows(dataset_id, offset, limit)
        columns = [c["name"] for c in dataset.profile["columns"]]
        return DatasetRows(
            dataset_id=dataset.id, offset=offset, limit=limit, total=dataset.row_count,
            columns=columns, rows=rows,
        )  # fmt: skip

    @get("/{dataset_id:int}/suggestions", summary="What to ask about a dataset, from its columns")
    async def get_suggestions(
        self, dataset_id: RowId, datasets: DatasetService
    ) -> DatasetSuggestions:
        dataset = await datasets.get(dataset_id)
        profile = DatasetProfile.model_validate(dataset.profile)
        return DatasetSuggestions(
            dataset_id=dataset.id, suggestions=starters(profile, dataset.target_hint)
        )

    @get(
        "/{dataset_id:int}/file", summary="Download the dataset as the Parquet file it is stored as"
    )
    async def get_file(self, dataset_id: RowId, datasets: DatasetService) -> Stream:
        dataset = await datasets.get(dataset_id)
        return download(await datasets.open_file(dataset), parquet_name(dataset.name))

    @delete("/{dataset_id:int}", summary="Delete a dataset")
    async def delete_dataset(self, dataset_id: RowId, datasets: DatasetService) -> None:
        await datasets.delete(dataset_id)
