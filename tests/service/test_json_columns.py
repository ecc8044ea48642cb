"""The web process reads JSON columns with msgspec; whatever the workers' `json` wrote must
still read back, NaN and infinities included (a metric of a degenerate split is NaN)."""

from __future__ import annotations

import math
from pathlib import Path

import anyio
from sqlalchemy import select

from service.db.engines import async_engine, sync_engine, sync_session_factory
from service.db.migrate import upgrade
from service.db.models import Run, RunStatus


def test_a_summary_with_nan_written_by_a_worker_reads_back_in_the_web_process(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'mlchat.db'}"
    upgrade(url)
    summary = {"test_metrics": {"r2": math.nan, "mape": math.inf, "rmse": 0.5}}
    engine = sync_engine(url)
    with sync_session_factory(engine)() as session:
        session.add(Run(tenant="t", kind="train", job_id="j", status=RunStatus.FINISHED,
                        config={"algorithm": "linear"}, resolved={}, summary=summary))  # fmt: skip
        session.commit()
    engine.dispose()

    async def read() -> dict[str, float]:
        web = async_engine(url)
        async with web.connect() as connection:
            stored = await connection.scalar(select(Run.summary))
        await web.dispose()
        assert stored is not None
        return dict(stored["test_metrics"])

    metrics = anyio.run(read)
    assert math.isnan(metrics["r2"]) and metrics["mape"] == math.inf and metrics["rmse"] == 0.5
