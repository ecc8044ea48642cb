"""The service's side of the agent: its schema context from the database, and its backend."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from agents.context import DatasetContext, SchemaContext
from agents.loop import Agent, BackendRefusedError
from agents.providers import ProviderError, chat_model, model_errors
from agents.summaries import summarize
from ml_backend.jobs.budget import JobBudget
from ml_backend.jobs.registry import Resolution, tool_job
from ml_backend.schema import DatasetProfile
from service.db.models import Dataset, RunStatus
from service.domain.connections.catalogs import connection_contexts
from service.domain.connections.services import ConnectionService
from service.domain.datasets.services import DatasetService, is_latest
from service.domain.datasets.sql_services import SqlDatasetService
from service.domain.jobs.kinds import shown_kind
from service.domain.jobs.services import JobService
from service.domain.runs.retrain import retrain
from service.errors import ConflictError, InvalidInputError, NotFoundError, UnavailableError
from service.lineage.graph import LineageReader
from service.lineage.schemas import Direction
from service.resources import Resources

LINEAGE_DEPTH = 6
"""How far the agent follows a graph: a dataset's versions, the runs on them, their models."""
_REFUSALS = (NotFoundError, InvalidInputError, ConflictError)


async def schema_context(
    session: AsyncSession, tenant: str, focus_id: int | None, budget: JobBudget | None = None
) -> SchemaContext:
    """The tenant's datasets as the agent sees them, focused on `focus_id` if given, and what
    one of its jobs may take."""
    # A dataset's older versions stay out of the agent's view unless it is focused on one.
    shown = or_(is_latest(), Dataset.id == focus_id) if focus_id is not None else is_latest()
    rows = await session.scalars(select(Dataset).where(Dataset.tenant == tenant, shown))
    datasets = [
        DatasetContext(
            id=row.id,
            name=row.name,
            version=row.version,
            profile=DatasetProfile.model_validate(row.profile),
            description=row.description,
            size_bytes=row.size_bytes,
        )
        for row in rows
    ]
    focus = next((d for d in datasets if d.id == focus_id), None)
    connections = await connection_contexts(await ConnectionService(session).all(tenant))
    return SchemaContext(datasets=datasets, focus=focus, budget=budget, connections=connections)


class ServiceBackend:
    """Starts, reads and cancels runs for the agent, through the jobs service."""

    def __init__(
        self,
        session: AsyncSession,
        resources: Resources,
        tenant: str,
        conversation_id: int | None = None,
    ) -> None:
        self.session = session
        self.tenant = tenant
        self.jobs = JobService(session, resources, tenant)
        self.conversation_id = conversation_id
        self.datasets = DatasetService(session, resources.settings, tenant)
        self.sql = SqlDatasetService(self.datasets, ConnectionService(session))

    async def start(
        self, tool: str, config: dict[str, Any], resolution: Resolution | None = None
    ) -> dict[str, Any]:
        """Queue a validated config as the run its tool starts."""
        spec = tool_job(tool)
        if spec is None:
            raise InvalidInputError(f"the agent has no job called '{tool}'")
        parsed = spec.config.model_validate(config)
        accepted = await self.jobs.submit(spec.route, parsed, self.conversation_id, resolution)
        return accepted.model_dump()

    async def run(self, run_id: int) -> dict[str, Any]:
        """A run's job view as plain JSON, with its summary in words once it finished."""
        run = await self.jobs.run_by_id(run_id)
        view = (await self.jobs.view(run)).model_dump(mode="json")
        if run.status == RunStatus.FINISHED and run.result:
            view["summary"] = summarize(run.kind, run.id, run.result)
        return view

    async def cancel(self, run_id: int) -> dict[str, Any]:
        """Cancel a run by its id."""
        run = await self.jobs.run_by_id(run_id)
        # The agent's reply says it in this conversation; a run of another one is told there.
        elsewhere = run.conversation_id != self.conversation_id
        view = await self.jobs.cancel(run.job_id, shown_kind(run.kind), note=elsewhere)
        return view.model_dump(mode="json")

    async def load_sql(self, config: dict[str, Any]) -> dict[str, Any]:
        """Load a checked query's rows as a new dataset of the tenant."""
        dataset = await self.sql.load(config["connection"], config["query"], config.get("name"))
        return {
            "dataset_id": dataset.id, "name": dataset.name, "rows": dataset.row_count,
            "columns": dataset.column_count, "capped": bool((dataset.source or {}).get("capped")),
        }  # fmt: skip

    async def lineage(self, kind: str, node_id: int, direction: str) -> dict[str, Any]:
        """The lineage graph around a run or a dataset version."""
        reader = LineageReader(self.session, self.tenant)
        try:
            graph = await reader.graph(kind, node_id, Direction(direction), LINEAGE_DEPTH)
        except _REFUSALS as error:
            raise BackendRefusedError(error.detail) from None
        return graph.model_dump(mode="json")

    async def retrain(self, run_id: int, data: str | int) -> dict[str, Any]:
        """Queue a run's config again on a version of its dataset."""
        try:
            run = await self.jobs.run_by_id(run_id)
            accepted = await retrain(self.jobs, self.datasets, run, data, self.conversation_id)
        except _REFUSALS as error:
            raise BackendRefusedError(error.detail) from None
        return accepted.model_dump()

    async def restore(self, dataset_id: int, version: int) -> dict[str, Any]:
        """Make an older version of a dataset the latest again."""
        try:
            dataset, added = await self.datasets.restore(dataset_id, version)
        except _REFUSALS as error:
            raise BackendRefusedError(error.detail) from None
        return {"dataset_id": dataset.id, "name": dataset.name, "version": dataset.version,
                "added": added}  # fmt: skip

    async def dataset_version(self, dataset_id: int, version: int | None) -> int:
        """The id of a version of the dataset (None: its latest)."""
        try:
            if version is None:
                latest = await self.datasets.latest((await self.datasets.get(dataset_id)).name)
                assert latest is not None  # the dataset itself is one of its versions
                return latest.id
            return (await self.datasets.version(dataset_id, version)).id
        except _REFUSALS as error:
            raise BackendRefusedError(error.detail) from None


def make_agent(
    resources: Resources, context: SchemaContext, backend: ServiceBackend | None
) -> Agent:
    """The agent with the model the settings choose."""
    settings = resources.settings
    try:
        model = chat_model(
            settings.llm, context, model_name=settings.llm_model,
            model_path=settings.llm_model_path, threads=settings.llm_threads,
        )  # fmt: skip
    except ProviderError as error:
        raise UnavailableError(str(error)) from None
    return Agent(model, context, backend, auto_approve=settings.auto_approve,
                 model_errors=model_errors(settings.llm))  # fmt: skip
