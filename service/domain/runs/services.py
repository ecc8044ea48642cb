"""What a finished run can still do: predict, batch-predict into a dataset."""

from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path

import anyio.to_thread
import pyarrow as pa
import pyarrow.csv
from sqlalchemy.ext.asyncio import AsyncSession

from ml_backend.configs import DatasetRef
from ml_backend.datasets import IngestedDataset, ingest_table, read_frame, read_table
from ml_backend.errors import ConfigValidationError
from ml_backend.held_out import test_predictions
from ml_backend.jobs.forecast.run import predict_future
from ml_backend.jobs.registry import get_job
from ml_backend.jobs.train.job import training_columns
from ml_backend.jobs.train.resolve import ResolvedTraining
from ml_backend.model import MODEL_FILE, TabularModel
from ml_backend.notebook import notebook_json, run_notebook
from ml_backend.prediction import (
    predict_rows,
    predict_table,
    predicted_column_names,
    rows_frame,
)
from ml_backend.reproduce import reproduce_script
from service.db.models import Dataset, Run, RunStatus
from service.domain.datasets.schemas import DatasetSummary
from service.domain.datasets.services import DatasetService, parquet_name
from service.domain.runs.schemas import BatchPrediction, FuturePrediction, RowPredictions
from service.errors import ConflictError, NotFoundError
from service.lineage import record
from service.lineage.record import NodeKind
from service.resources import Resources
from service.storage import Storage, open_storage


@lru_cache(maxsize=8)
def _cached_model(folder: str, _modified_ns: int) -> TabularModel:
    # Keyed by the file's mtime too, so a run's model written again is read again.
    return TabularModel.load(Path(folder))


def load_model(folder: Path) -> TabularModel:
    """The model saved in `folder`, loaded once and kept for the next requests."""
    return _cached_model(str(folder), (folder / MODEL_FILE).stat().st_mtime_ns)


class RunService:
    """Owns the session for requests about one finished run."""

    def __init__(self, session: AsyncSession, resources: Resources, tenant: str) -> None:
        self.session = session
        self.resources = resources
        self.tenant = tenant

    @property
    def storage(self) -> Storage:
        return open_storage(self.resources.settings)

    @property
    def datasets(self) -> DatasetService:
        return DatasetService(self.session, self.resources.settings, self.tenant)

    async def run_folder(self, run: Run) -> Path:
        """A local path of the finished run's folder (a copy, where the storage is remote)."""
        return await anyio.to_thread.run_sync(self.storage.local_run, run.tenant, run.id)

    async def trained(
        self, run: Run, *, exact: bool = False, wanted: str = "predictions"
    ) -> tuple[ResolvedTraining, Path]:
        """The training behind the run's saved model, and a local path of its folder."""
        training = self.training(run, exact=exact, wanted=wanted)
        folder = await self.run_folder(run)
        if not (folder / MODEL_FILE).exists():
            raise NotFoundError(f"the model file of run {run.id} is missing from the artifacts")
        return training, folder

    def training(
        self, run: Run, *, exact: bool = False, wanted: str = "predictions"
    ) -> ResolvedTraining:
        """The training behind the run's saved model; a clear error if the run has no tabular
        model, saying what was `wanted` of it."""
        spec = get_job(run.kind)
        if spec.trained_model is None and not spec.forecasts:
            raise ConflictError(
                f"run {run.id} is a {spec.route} run; {wanted} come from training and tuning "
                "runs only"
            )
        if run.status != RunStatus.FINISHED:
            raise ConflictError(
                f"run {run.id} is {run.status}; {wanted} need a finished training run"
            )
        if spec.trained_model is None and wanted != "predictions":
            raise ConflictError(
                f"run {run.id} is a forecast; {wanted} cover tabular models only (its held-out "
                "tail is in its result's test_forecast)"
            )
        if spec.trained_model is None:
            raise ConflictError(
                f"run {run.id} is a forecast: it predicts the series' next steps, not rows. "
                "Send {'horizon': n} instead"
            )
        resolved = spec.resolved.model_validate(run.resolved)
        # Only reproduction needs the exact settings from the result; predictions, on the hot
        # path, skip parsing it (a thousand stored test predictions cost ~1.5 ms).
        wants_result = exact or spec.model_from_result
        result = spec.result.model_validate(run.result) if wants_result else None
        return ResolvedTraining.model_validate(spec.trained_model(resolved, result))

    async def run_dataset(self, run: Run) -> Dataset:
        """The dataset `run` was trained on; NotFoundError once it was deleted."""
        dataset = await self.session.get(Dataset, run.dataset_id) if run.dataset_id else None
        if dataset is None:
            raise NotFoundError(f"the dataset of run {run.id} was deleted")
        return dataset

    async def test_predictions_csv(self, run: Run) -> tuple[bytes, str]:
        """The run's test rows with actual and predicted values, as CSV, and its file name."""
        resolved, folder = await self.trained(run, exact=True, wanted="test predictions")
        source = await self.datasets.local_file(await self.run_dataset(run))
        columns = training_columns(resolved)

        def work() -> bytes:
            table = test_predictions(load_model(folder), resolved, read_frame(source, columns))
            return table.to_csv(index=False).encode()

        return await anyio.to_thread.run_sync(work), f"run-{run.id}-test-predictions.csv"

    async def scored_dataset_csv(self, run: Run, ref: DatasetRef) -> tuple[bytes, str]:
        """Every row of a dataset with the run's predictions added, as CSV, and its file name."""
        resolved, folder = await self.trained(run)
        datasets = self.datasets
        source = await datasets.find_ref(ref)
        source_file = await datasets.local_file(source)

        def work() -> bytes:
            table = predict_table(
                load_model(folder), read_table(source_file), resolved.target_column
            )
            return _csv(table)

        filename = f"{_file_stem(source.name)}-predicted-by-run-{run.id}.csv"
        return await anyio.to_thread.run_sync(work), filename

    async def notebook(self, run: Run, base_url: str) -> tuple[str, str]:
        """A notebook that retrains `run` without mlchat and checks its test metrics (the
        dataset's download address under `base_url`), and its file name."""
        resolved = self.training(run, exact=True, wanted="notebooks")
        dataset = await self.run_dataset(run)
        try:
            notebook = run_notebook(
                resolved,
                run_id=run.id,
                dataset_file=parquet_name(dataset.name),
                dataset_url=f"{base_url.rstrip('/')}/api/v1/datasets/{dataset.id}/file",
                expected_test_metrics=((run.result or {}).get("metrics") or {}).get("test") or {},
            )
        except ConfigValidationError as error:
            raise ConflictError(f"run {run.id} has no notebook: {error}") from error
        await record.run_exported(self.session, run, NodeKind.NOTEBOOK)
        return notebook_json(notebook), f"run-{run.id}.ipynb"

    async def reproduce(self, run: Run) -> tuple[str, str]:
        """A script that retrains `run` and checks its test metrics, and its file name."""
        resolved = self.training(run, exact=True, wanted="reproduce scripts")
        result = run.result or {}
        dataset = await self.run_dataset(run)
        script = reproduce_script(
            resolved,
            dataset_file=parquet_name(dataset.name),
            expected_test_metrics=(result.get("metrics") or {}).get("test") or {},
        )
        await record.run_exported(self.session, run, NodeKind.SCRIPT)
        return script, f"reproduce-run-{run.id}.py"

    async def predict_future(self, run: Run, horizon: int) -> FuturePrediction:
        """A finished forecast run's next `horizon` values with their interval."""
        if not get_job(run.kind).forecasts:
            raise ConflictError(
                f"run {run.id} is not a forecasting run; 'horizon' applies only to forecasts. "
                "Send 'rows' or 'dataset' instead"
            )
        if run.status != RunStatus.FINISHED:
            raise ConflictError(f"run {run.id} is {run.status}; forecasts need a finished run")
        folder = await self.run_folder(run)
        points = await anyio.to_thread.run_sync(predict_future, folder, horizon)
        return FuturePrediction(run_id=run.id, horizon=horizon,
                                points=[p.model_dump(mode="json") for p in points])  # fmt: skip

    async def predict_rows(self, run: Run, rows: list[dict[str, object]]) -> RowPredictions:
        resolved, folder = await self.trained(run)

        def work() -> RowPredictions:
            frame, ignored = rows_frame(rows, resolved.feature_kinds)
            predictions = predict_rows(load_model(folder), frame)
            return RowPredictions(
                run_id=run.id, target_column=resolved.target_column,
                predictions=predictions, ignored_columns=ignored,
            )  # fmt: skip

        return await anyio.to_thread.run_sync(work)

    async def predict_dataset(self, run: Run, ref: DatasetRef, name: str | None) -> BatchPrediction:
        resolved, folder = await self.trained(run)
        datasets = self.datasets
        source = await datasets.find_ref(ref)
        new_name = name or f"{source.name} predicted by run {run.id}"
        source_file = await datasets.local_file(source)
        target_dir = self.storage.ingest_dir(self.tenant)

        def work() -> tuple[IngestedDataset, list[str]]:
            model = load_model(folder)
            table = predict_table(model, read_table(source_file), resolved.target_column)
            return ingest_table(table, target_dir), predicted_column_names(
                model, resolved.target_column
            )

        ingested, added = await anyio.to_thread.run_sync(work)
        dataset = await datasets.add_derived(
            ingested, name=new_name, parent=source,
            description=f"{source.name} with the predictions of run {run.id}", model_run_id=run.id,
        )  # fmt: skip
        return BatchPrediction(
            run_id=run.id, dataset=DatasetSummary.of(dataset), added_columns=added
        )


def _csv(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pyarrow.csv.write_csv(table, sink)
    return sink.getvalue()


def _file_stem(name: str) -> str:
    """A dataset's name as a file name's stem: letters, digits, '.', '_' and '-' only."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "dataset"
