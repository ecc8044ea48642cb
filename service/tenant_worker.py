"""An RQ worker that serves every tenant's queue, including tenants that appear while it runs.

Jobs go on a queue per tenant (`service.queues`), but an RQ worker listens on the queues it was
started with. A tenant is born when an admin makes its first key, so a worker started before
that would never see its jobs: this one re-reads the tenants' queues from RQ's own registry of
queues (the `rq:queues` set an enqueue adds to) every few seconds while it waits.
"""

from __future__ import annotations

import time
from typing import Any

from rq import Queue, Worker
from rq.job import Job

from service.queues import QUEUE_PREFIX

REFRESH_S = 3
"""How long a new tenant's first job may wait before the idle workers listen to its queue."""


class TenantWorker(Worker):
    def tenant_queues(self) -> list[Queue]:
        """The queues this worker started with, and any other tenant's RQ knows of."""
        known = {queue.name: queue for queue in self.queues}
        for queue in Queue.all(connection=self.connection):
            if queue.name.startswith(QUEUE_PREFIX) and queue.name not in known:
                known[queue.name] = Queue(queue.name, connection=self.connection)
        return list(known.values())

    def listen_to_all_tenants(self) -> None:
        queues = self.tenant_queues()
        if [q.name for q in queues] != [q.name for q in self.queues]:
            self.queues = queues
            self._ordered_queues = queues[:]

    def dequeue_job_and_maintain_ttl(
        self, timeout: int | None, max_idle_time: int | None = None
    ) -> tuple[Job, Queue] | None:
        self.listen_to_all_tenants()
        if timeout is None:  # burst: one look at every queue
            return super().dequeue_job_and_maintain_ttl(None, max_idle_time)
        idle_since = time.monotonic()
        while True:
            # Wait a short while on the queues known now, then look again for new ones.
            result: Any = super().dequeue_job_and_maintain_ttl(REFRESH_S, REFRESH_S)
            if result is not None:
                return result  # type: ignore[no-any-return]
            if max_idle_time is not None and time.monotonic() - idle_since >= max_idle_time:
                return None
            self.listen_to_all_tenants()
