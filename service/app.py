"""The Litestar application; `create_app` does no work until the server starts it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from litestar import Litestar, Router

from agents.planner.intent_model import warm_up
from service.api_docs import docs_assets_router, openapi_config
from service.auth import Authenticator
from service.deps import DEPENDENCIES
from service.domain.components.controllers import list_components
from service.domain.connections.controllers import ConnectionAdminController, ConnectionController
from service.domain.conversations.controllers import ConversationController, plan
from service.domain.conversations.ws import chat
from service.domain.datasets.controllers import DatasetController
from service.domain.datasets.samples import register_samples
from service.domain.datasets.sql_controllers import SqlDatasetController
from service.domain.experiments.controllers import ExperimentController
from service.domain.health.controllers import health
from service.domain.jobs.controllers import JOB_CONTROLLERS
from service.domain.keys.controllers import KeyController
from service.domain.limits.controllers import LimitController, usage
from service.domain.runs.controllers import RunController
from service.domain.runs.forecast_csv import forecast_csv_download
from service.domain.runs.ws import run_events, tenant_feed
from service.domain.signin.controllers import SignInController, ws_ticket
from service.domain.web.controllers import web_router
from service.heap import freeze_after
from service.integrations.slack.lifespan import slack_running
from service.integrations.slack.routes import SLACK_ROUTES
from service.lineage.controllers import LineageController
from service.origins import OriginGuard
from service.problems import EXCEPTION_HANDLERS
from service.reaper import reap_forever
from service.request_bodies import CheckedJsonRequest, ContentTypeGate
from service.resources import Resources
from service.security_headers import add_security_headers
from service.settings import Settings

MULTIPART_OVERHEAD = 1024 * 1024


def create_app(settings: Settings | None = None, *, reaper: bool = True) -> Litestar:
    """Build the app; connections open at start-up and close at shutdown."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        settings.ensure_dirs()
        resources = Resources.open(settings)
        app.state.resources = resources
        await register_samples(resources, settings.tenant)
        warming = warm_up()
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(resources.hub.run)
            tasks.start_soon(freeze_after, warming)
            if reaper:
                tasks.start_soon(reap_forever, resources)
            try:
                async with slack_running(app, resources):
                    yield
            finally:
                tasks.cancel_scope.cancel()
                await resources.close()

    # Only uploads may be large; every other body is JSON, held to the small JSON limit.
    uploads = Router(
        path="/",
        route_handlers=[DatasetController],
        request_max_body_size=settings.max_dataset_bytes + MULTIPART_OVERHEAD,
    )
    return Litestar(
        route_handlers=[
            health,
            uploads,
            *JOB_CONTROLLERS,
            RunController,
            ExperimentController,
            forecast_csv_download,
            list_components,
            run_events,
            tenant_feed,
            ConversationController,
            plan,
            chat,
            KeyController,
            SignInController,
            ws_ticket,
            SqlDatasetController,
            ConnectionController,
            ConnectionAdminController,
            LimitController,
            usage,
            *SLACK_ROUTES,
            LineageController,
            web_router(),
            docs_assets_router(),
        ],
        dependencies=DEPENDENCIES,
        exception_handlers=EXCEPTION_HANDLERS,
        # The origin is checked first: a foreign page learns nothing more than that it is refused.
        middleware=[
            OriginGuard(settings.trusted_origins, settings.trusted_hosts),
            Authenticator(settings),
            ContentTypeGate(),
        ],
        before_send=[add_security_headers],
        request_class=CheckedJsonRequest,
        lifespan=[lifespan],
        request_max_body_size=settings.max_json_bytes,
        logging_config=None,
        openapi_config=openapi_config(),
    )
