"""Recording a finished run's model in its experiment; the worker calls it once, where a run
is finalised (`service.worker.run_job`)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.db.models import Dataset, Experiment, ExperimentModel, Run, utcnow
from service.domain.experiments.parts import (
    default_experiment,
    merged_iterations,
    model_hash,
    model_identity,
    model_parts,
    target_of,
)

log = logging.getLogger(__name__)


def experiment_named(session: Session, tenant: str, name: str) -> Experiment:
    """The tenant's experiment `name`, made if it is new (whoever commits first makes it)."""
    query = select(Experiment).where(Experiment.tenant == tenant, Experiment.name == name)
    found = session.scalar(query)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            made = Experiment(tenant=tenant, name=name, created_at=utcnow())
            session.add(made)
        return made
    except IntegrityError:  # another run's model made it meanwhile
        found = session.scalar(query)
        assert found is not None
        return found


def record_model(
    session: Session, run: Run, iterations: list[dict[str, Any]], streamed: list[dict[str, Any]]
) -> ExperimentModel | None:
    """The model of finished `run` in its experiment, recorded and committed; None for a kind
    that trains none. The same training on the same data again gives back the model already
    there, with this run added to its `run_ids`, rather than a second model."""
    parts = model_parts(run.kind, run.resolved, run.result or {})
    if parts is None:
        return None
    dataset = session.get(Dataset, run.dataset_id) if run.dataset_id is not None else None
    # The data version is the content's hash: a restored version is the same data again.
    data_version = dataset.content_hash if dataset is not None else None
    name = run.config.get("experiment") or default_experiment(
        dataset.name if dataset is not None else "unknown data", target_of(run.resolved) or "?"
    )
    experiment = experiment_named(session, run.tenant, str(name))
    digest = model_hash(
        run.kind, model_identity(run.kind, run.resolved, run.result or {}), data_version
    )
    query = select(ExperimentModel).where(
        ExperimentModel.experiment_id == experiment.id, ExperimentModel.hash == digest
    )
    existing = session.scalar(query)
    if existing is None:
        steps = merged_iterations(iterations, streamed)
        model = ExperimentModel(
            id=str(uuid.uuid4()),
            experiment_id=experiment.id,
            tenant=run.tenant,
            hash=digest,
            name=run.config.get("name") or f"{parts.algorithm} (run {run.id})",
            description=_description(run, parts.algorithm, dataset),
            run_id=run.id,
            run_ids=[run.id],
            kind=run.kind,
            params=parts.params,
            metrics=parts.metrics,
            modules=parts.modules,
            iterations=steps,
            step=max((item["step"] for item in steps), default=0),
            data_version=data_version,
            created_at=utcnow(),
        )
        try:
            with session.begin_nested():
                session.add(model)
            session.commit()
            return model
        except IntegrityError:  # the same training finished at the same time elsewhere
            existing = session.scalar(query)
            assert existing is not None
    if run.id not in existing.run_ids:
        existing.run_ids = [*existing.run_ids, run.id]
    session.commit()
    return existing


def _description(run: Run, algorithm: str, dataset: Dataset | None) -> str:
    target = target_of(run.resolved)
    data = f"dataset '{dataset.name}'" if dataset is not None else "a deleted dataset"
    return f"{algorithm} predicting '{target}' from {data}, {run.kind} run {run.id}"
