"""Experiments written in MLflow's tracking format, with MLflow's own client, so that
`mlflow ui` opens them: one MLflow run per model, its params, its metrics per split, each
iteration's metrics as their step history, tags, and the model files as artifacts.

The folder holds `mlflow.db` (MLflow's SQLite store: its file store is in maintenance mode
and refuses to open without MLFLOW_ALLOW_FILE_STORE) and `mlartifacts/`, named relative to
the folder, so it opens wherever it is unpacked: `cd DIR && mlflow ui --backend-store-uri
sqlite:///mlflow.db`.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from service.domain.experiments.schemas import ModelOut
from service.storage import Storage

DATABASE = "mlflow.db"
ARTIFACTS = "mlartifacts"
BATCH = 1000
PARAM_BATCH = 100
"""Metrics and params per `log_batch` call (MLflow's limits)."""


@dataclass(frozen=True)
class ExportedExperiment:
    """An experiment to export: its models, and each model's files on this machine by id."""

    name: str
    description: str | None
    models: list[ModelOut]
    files: dict[str, list[Path]] = field(default_factory=dict)


def final_metric_name(split: str, name: str) -> str:
    """A split's metric as exported: `test_accuracy`; iteration metrics keep their own names
    (`validation/logloss`), so a history never mixes with a final value."""
    return f"{split}_{name}"


def write_mlflow(directory: Path, experiments: list[ExportedExperiment]) -> Path:
    """Write `experiments` into `directory` (made if missing); the path of its `mlflow.db`."""
    from mlflow.entities import Metric, Param
    from mlflow.tracking import MlflowClient

    directory.mkdir(parents=True, exist_ok=True)
    database = directory / DATABASE
    shutil.copyfile(_empty_database(), database)
    client = MlflowClient(tracking_uri=f"sqlite:///{database}")
    now = int(time.time() * 1000)
    for position, experiment in enumerate(experiments, start=1):
        location = (directory / ARTIFACTS / str(position)).as_uri()
        tags = {"mlflow.note.content": experiment.description or ""}
        experiment_id = client.create_experiment(
            experiment.name, artifact_location=location, tags=tags
        )
        for model in experiment.models:
            run = client.create_run(
                experiment_id,
                run_name=model.name,
                tags={
                    "mlflow.note.content": model.description or "",
                    "mlchat.model_id": model.id,
                    "mlchat.hash": model.hash,
                    "mlchat.kind": model.kind or "",
                    "mlchat.run_id": str(model.run_id or ""),
                    "mlchat.data_version": model.data_version or "",
                    "mlchat.step": str(model.step),
                },
            )
            run_id = run.info.run_id
            metrics = [
                Metric(key, float(value), now, item.step)
                for item in model.iterations
                for key, value in item.metrics.items()
            ]
            metrics += [
                Metric(final_metric_name(split, name), float(value), now, model.step)
                for split, values in model.metrics.items()
                for name, value in values.items()
                if value is not None
            ]
            params = [Param(key, value) for key, value in model.params.items()]
            for start in range(0, len(metrics), BATCH):
                client.log_batch(run_id, metrics=metrics[start : start + BATCH])
            for start in range(0, len(params), PARAM_BATCH):
                client.log_batch(run_id, params=params[start : start + PARAM_BATCH])
            client.log_dict(run_id, _card(model), "mlchat/model.json")
            for path in experiment.files.get(model.id, []):
                client.log_artifact(run_id, str(path), "model")
            client.set_terminated(run_id, "FINISHED")
    _relative_artifacts(database, directory)
    return database


def _empty_database() -> Path:
    """An empty MLflow database of the installed MLflow, made once per machine and copied
    for each export: MLflow makes one by running its ~100 migrations, which takes seconds."""
    import mlflow
    from mlflow.tracking import MlflowClient

    template = Path(tempfile.gettempdir()) / f"mlchat-mlflow-{mlflow.__version__}-{os.getuid()}.db"
    if not template.exists():
        with tempfile.TemporaryDirectory(dir=template.parent) as scratch:
            made = Path(scratch) / DATABASE
            MlflowClient(tracking_uri=f"sqlite:///{made}").search_experiments()
            os.replace(made, template)  # whole or not at all, whoever else makes one meanwhile
    return template


def _card(model: ModelOut) -> dict[str, object]:
    """The model as the experiments protocol has it, beside the MLflow run."""
    return json.loads(model.model_dump_json())  # type: ignore[no-any-return]


def _relative_artifacts(database: Path, directory: Path) -> None:
    """Name the artifact folders relative to the export, so it opens wherever it is moved."""
    prefix = f"{directory.as_uri()}/"
    with sqlite3.connect(database) as connection:
        connection.execute(
            "UPDATE experiments SET artifact_location = substr(artifact_location, ?) "
            "WHERE artifact_location LIKE ? || '%'", (len(prefix) + 1, prefix)
        )  # fmt: skip
        connection.execute(
            "UPDATE runs SET artifact_uri = substr(artifact_uri, ?) "
            "WHERE artifact_uri LIKE ? || '%'", (len(prefix) + 1, prefix)
        )  # fmt: skip


def mlflow_zip(experiments: list[ExportedExperiment]) -> bytes:
    """The export as a zip of its folder (`mlflow.db` and `mlartifacts/`)."""
    with tempfile.TemporaryDirectory(prefix="mlchat-mlflow-") as scratch:
        folder = Path(scratch) / "mlflow"
        write_mlflow(folder, experiments)
        archive = Path(scratch) / "export.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    zipped.write(path, path.relative_to(folder).as_posix())
        content = archive.read_bytes()
        shutil.rmtree(folder, ignore_errors=True)
        return content


def local_model_files(
    models: list[ModelOut], files_by_run: dict[int, list[str]], storage: Storage, tenant: str
) -> dict[str, list[Path]]:
    """Each model's saved files on this machine (a copy, where the storage is remote), by id."""
    files: dict[str, list[Path]] = {}
    for model in models:
        if model.run_id is None or not files_by_run.get(model.run_id):
            continue
        folder = storage.local_run(tenant, model.run_id)
        files[model.id] = [folder / f for f in files_by_run[model.run_id] if (folder / f).is_file()]
    return files


def export_zip(
    name: str,
    description: str | None,
    models: list[ModelOut],
    files_by_run: dict[int, list[str]],
    storage: Storage,
    tenant: str,
) -> bytes:
    """One experiment as an MLflow zip, each model with its run's saved files."""
    files = local_model_files(models, files_by_run, storage, tenant)
    return mlflow_zip([ExportedExperiment(mlflow_name(name), description, models, files)])


def mlflow_name(name: str) -> str:
    """`name` as MLflow accepts it: MLflow refuses a name that is blank once stripped (mlchat
    takes any, '\x85' included), so such a one is exported as its Python literal."""
    return name if name.strip() else repr(name)
