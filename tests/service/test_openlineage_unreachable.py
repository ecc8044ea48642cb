"""A lineage server that is down costs a run nothing: the event is logged and dropped."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from service.db.models import Run, RunStatus
from service.embedded_redis import free_port
from service.openlineage_events import RunState, emit_run_event
from service.settings import Settings


def test_an_unreachable_lineage_server_neither_raises_nor_waits(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings = Settings(home=tmp_path, openlineage_url=url, openlineage_timeout_s=1.0)
    run = Run(id=7, tenant="default", kind="train", status=RunStatus.TRAINING, job_id="a" * 32,
              dataset_id=None, config={}, resolved={})  # fmt: skip
    started = time.monotonic()
    with caplog.at_level(logging.WARNING), Session() as session:
        states: tuple[RunState, ...] = ("START", "COMPLETE", "FAIL")
        for state in states:
            emit_run_event(settings, session, run, state)
    assert time.monotonic() - started < 10
    assert caplog.text.count("could not send the run's OpenLineage") == 3
