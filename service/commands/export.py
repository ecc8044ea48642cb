"""`mlchat export mlflow --to DIR [--experiment NAME]`: a tenant's experiments (or one) in
MLflow's tracking format, for `mlflow ui --backend-store-uri sqlite:///DIR/mlflow.db`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from service.settings import Settings


def add_parser(sub: Any) -> None:
    export = sub.add_parser("export", help="experiments in other tools' formats")
    export_sub = export.add_subparsers(dest="export_command", required=True)
    mlflow = export_sub.add_parser(
        "mlflow", help="experiments and their models as an MLflow tracking store (mlflow.db)"
    )
    mlflow.add_argument("--to", required=True, type=Path, help="the folder to write (new)")
    mlflow.add_argument("--experiment", help="only this experiment (name or id); default: all")
    mlflow.add_argument("--tenant", help="whose (default: MLCHAT_TENANT, the local tenant)")


def run(settings: Settings, args: argparse.Namespace) -> int:
    from service.errors import ServiceError

    if args.to.exists() and any(args.to.iterdir()):
        print(f"mlchat export: {args.to} is not empty; name a new folder", file=sys.stderr)
        return 1
    try:
        written = asyncio.run(_export(settings, args))
    except ServiceError as error:
        print(f"mlchat export: {error.detail}", file=sys.stderr)
        return 1
    print(f"{written} experiment(s) written; open them with: cd {args.to} && "
          "mlflow ui --backend-store-uri sqlite:///mlflow.db")  # fmt: skip
    return 0


async def _export(settings: Settings, args: argparse.Namespace) -> int:
    from service.db.engines import async_engine, async_session_factory
    from service.domain.experiments.mlflow_export import (
        ExportedExperiment,
        local_model_files,
        mlflow_name,
        write_mlflow,
    )
    from service.domain.experiments.schemas import ModelOut
    from service.domain.experiments.services import ExperimentService
    from service.storage import open_storage

    tenant = args.tenant or settings.tenant
    storage = open_storage(settings)
    engine = async_engine(settings.resolved_database_url)
    exported: list[ExportedExperiment] = []
    try:
        async with async_session_factory(engine)() as session:
            experiments = ExperimentService(session, tenant)
            if args.experiment:
                chosen = [await experiments.experiment(args.experiment)]
            else:
                chosen = [experiment for experiment, _ in await experiments.experiments()]
            for experiment in chosen:
                records = await experiments.list(experiment)
                models = [ModelOut.of(m, experiment.name) for m in records]
                files = local_model_files(
                    models, await experiments.model_files(records), storage, tenant
                )
                exported.append(
                    ExportedExperiment(
                        mlflow_name(experiment.name), experiment.description, models, files
                    )
                )
    finally:
        await engine.dispose()
    await asyncio.to_thread(write_mlflow, args.to, exported)
    return len(exported)
