"""The Models collection of the experiments document, over a tenant's experiments:
`create(hash, name, description)`, `read(hash)`, `update(hash, name)`, `delete(id)`, `list()`."""

from __future__ import annotations

import builtins
import uuid

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.models import Experiment, ExperimentModel, Run, utcnow
from service.errors import ConflictError, NotFoundError


class ExperimentService:
    def __init__(self, session: AsyncSession, tenant: str) -> None:
        self.session = session
        self.tenant = tenant

    async def experiments(self) -> builtins.list[tuple[Experiment, int]]:
        """The tenant's experiments, oldest first, each with how many models it holds."""
        counts = (
            select(ExperimentModel.experiment_id, func.count().label("n"))
            .group_by(ExperimentModel.experiment_id)
            .subquery()
        )
        query = (
            select(Experiment, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.experiment_id == Experiment.id)
            .where(Experiment.tenant == self.tenant)
            .order_by(Experiment.id)
        )
        return [(row[0], int(row[1])) for row in (await self.session.execute(query)).all()]

    async def create_experiment(self, name: str, description: str | None) -> Experiment:
        record = Experiment(tenant=self.tenant, name=name, description=description,
                            created_at=utcnow())  # fmt: skip
        self.session.add(record)
        try:
            await self.session.commit()
        except IntegrityError:
            await self.session.rollback()
            raise ConflictError(
                f"there is already an experiment named {name!r}; add models to it, or pick "
                "another name"
            ) from None
        return record

    async def experiment(self, ref: str) -> Experiment:
        """The tenant's experiment with this name, or this id; 404 otherwise."""
        query = select(Experiment).where(Experiment.tenant == self.tenant)
        found = await self.session.scalar(query.where(Experiment.name == ref))
        if found is None and ref.isascii() and ref.isdigit() and len(ref) < 10:
            found = await self.session.scalar(query.where(Experiment.id == int(ref)))
        if found is None:
            raise NotFoundError(
                f"no experiment {ref!r}; GET /api/v1/experiments lists them (by default a "
                "model joins the experiment named '<dataset>:<target>')"
            )
        return found

    async def create(
        self, experiment: Experiment, hash: str, name: str, description: str | None
    ) -> ExperimentModel:
        """The protocol's `create`: a new model; 409 if the experiment has its hash already."""
        shown = experiment.name  # read now: a rollback expires it, and async cannot reload it
        record = ExperimentModel(
            id=str(uuid.uuid4()),
            experiment_id=experiment.id,
            tenant=self.tenant,
            hash=hash,
            name=name,
            description=description,
            run_ids=[],
            params={},
            metrics={},
            modules=[],
            iterations=[],
            step=0,
            created_at=utcnow(),
        )
        self.session.add(record)
        try:
            await self.session.commit()
        except IntegrityError:
            await self.session.rollback()
            raise ConflictError(
                f"experiment {shown!r} already has a model with hash {hash!r}; read "
                "it (GET .../models/{hash}) or give this one another hash"
            ) from None
        return record

    async def read(self, experiment: Experiment, hash: str) -> ExperimentModel:
        """The protocol's `read`: the model with this hash in the experiment; 404 otherwise."""
        record = await self.session.scalar(
            select(ExperimentModel).where(
                ExperimentModel.experiment_id == experiment.id, ExperimentModel.hash == hash
            )
        )
        if record is None:
            raise NotFoundError(
                f"experiment {experiment.name!r} has no model with hash {hash!r}; "
                f"GET /api/v1/experiments/{experiment.id}/models lists them"
            )
        return record

    async def update(self, experiment: Experiment, hash: str, name: str) -> ExperimentModel:
        """The protocol's `update`: rename the model with this hash."""
        record = await self.read(experiment, hash)
        record.name = name
        await self.session.commit()
        return record

    async def delete(self, experiment: Experiment, model_id: str) -> ExperimentModel:
        """The protocol's `delete`: remove the model with this id (its runs stay)."""
        record = await self.session.scalar(
            select(ExperimentModel).where(
                ExperimentModel.experiment_id == experiment.id, ExperimentModel.id == model_id
            )
        )
        if record is None:
            raise NotFoundError(
                f"experiment {experiment.name!r} has no model with id {model_id!r}; "
                f"GET /api/v1/experiments/{experiment.id}/models lists them"
            )
        await self.session.delete(record)
        await self.session.commit()
        return record

    async def list(self, experiment: Experiment) -> builtins.list[ExperimentModel]:
        """The protocol's `list`: the experiment's models, oldest first."""
        query = (
            select(ExperimentModel)
            .where(ExperimentModel.experiment_id == experiment.id)
            .order_by(ExperimentModel.created_at, ExperimentModel.id)
        )
        return list(await self.session.scalars(query))

    async def model_files(
        self, models: builtins.list[ExperimentModel]
    ) -> dict[int, builtins.list[str]]:
        """The saved model files of each model's run, by run id (for an export)."""
        run_ids = [m.run_id for m in models if m.run_id is not None]
        if not run_ids:
            return {}
        rows = await self.session.execute(select(Run.id, Run.kind, Run.result)
                                          .where(Run.id.in_(run_ids)))  # fmt: skip
        files: dict[int, builtins.list[str]] = {}
        for run_id, kind, result in rows.all():
            # A tuning and an AutoML keep their final fit's files under `training`.
            source = (result or {}).get("training") if kind in {"tune", "automl"} else result
            files[run_id] = list((source or {}).get("model_files") or [])
        return files
