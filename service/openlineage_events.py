"""OpenLineage run events: START, COMPLETE and FAIL of every run, with the dataset it read
(its schema and version) and what it made (the model, or the run's result), sent through
`openlineage-python` when `MLCHAT_OPENLINEAGE_URL` is set.

Lineage is a by-product of a run: an event that cannot be sent (the server is down, the
package is missing) is logged and dropped, and the run goes on.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy.orm import Session

from ml_backend.jobs.registry import JOBS
from service.db.models import Dataset, Run
from service.settings import Settings

if TYPE_CHECKING:
    from openlineage.client import OpenLineageClient

log = logging.getLogger(__name__)

RunState = Literal["START", "COMPLETE", "FAIL"]
PRODUCER = "https://github.com/mlchat/mlchat"

_clients: dict[tuple[str, float], OpenLineageClient] = {}


def _client(settings: Settings) -> OpenLineageClient | None:
    """The process's client for the configured URL, made on first use; None when unset."""
    url = settings.openlineage_url
    if not url:
        return None
    key = (url, settings.openlineage_timeout_s)
    if key not in _clients:
        from openlineage.client import OpenLineageClient
        from openlineage.client.transport.file import FileConfig, FileTransport
        from openlineage.client.transport.http import HttpConfig, HttpTransport

        transport: Any
        if url.startswith("file://"):
            path = url.removeprefix("file://")
            transport = FileTransport(FileConfig(log_file_path=path, append=True))
        else:
            # No retries: a worker must not spend a run's time on a lineage server that is away.
            config = HttpConfig(url=url, timeout=settings.openlineage_timeout_s,
                                retry={"total": 0, "connect": 0, "read": 0})  # fmt: skip
            transport = HttpTransport(config)
        _clients[key] = OpenLineageClient(transport=transport)
    return _clients[key]


def lineage_run_id(run: Run) -> str:
    """The run's OpenLineage id: a UUID derived from its job id, the same in all its events."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"mlchat:job:{run.job_id}"))


def emit_run_event(
    settings: Settings, session: Session, run: Run, state: RunState, error: str | None = None
) -> None:
    """Send the run's `state` event if OpenLineage is configured; never raises."""
    if not settings.openlineage_url:
        return
    try:
        client = _client(settings)
        if client is None:
            return
        dataset = session.get(Dataset, run.dataset_id) if run.dataset_id is not None else None
        client.emit(_event(settings.openlineage_namespace, run, dataset, state, error))
    except Exception as exc:  # lineage must never take a run down, whatever its client raised
        log.warning("could not send the run's OpenLineage %s event: %s", state, exc)


def _event(
    namespace: str, run: Run, dataset: Dataset | None, state: RunState, error: str | None
) -> Any:
    from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, RunEvent
    from openlineage.client.event_v2 import Run as LineageRun
    from openlineage.client.event_v2 import RunState as LineageState
    from openlineage.client.facet_v2 import (
        dataset_version_dataset,
        error_message_run,
        schema_dataset,
    )

    inputs = []
    if dataset is not None:
        columns = (dataset.profile or {}).get("columns", [])
        fields = [schema_dataset.SchemaDatasetFacetFields(name=c["name"], type=c.get("dtype"))
                  for c in columns]  # fmt: skip
        inputs.append(
            InputDataset(
                namespace=namespace,
                name=f"{run.tenant}/datasets/{dataset.name}",
                facets={
                    "schema": schema_dataset.SchemaDatasetFacet(fields=fields),
                    "version": dataset_version_dataset.DatasetVersionDatasetFacet(
                        datasetVersion=dataset.content_hash
                    ),
                },
            )
        )
    spec = JOBS.get(run.kind)
    made = "model" if spec is not None and spec.saves_model else "result"
    outputs = [OutputDataset(namespace=namespace, name=f"{run.tenant}/runs/{run.id}/{made}")]
    run_facets: dict[str, Any] = {}
    if error is not None:
        run_facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
            message=error, programmingLanguage="python"
        )
    subject = dataset.name if dataset is not None else "no-dataset"
    return RunEvent(
        eventType=getattr(LineageState, state),
        eventTime=datetime.now(UTC).isoformat(),
        run=LineageRun(runId=lineage_run_id(run), facets=run_facets),
        job=Job(namespace=namespace, name=f"{run.tenant}.{run.kind}.{subject}"),
        producer=PRODUCER,
        inputs=inputs,
        outputs=outputs if state != "START" else [],
    )
