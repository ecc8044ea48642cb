"""compose.yaml draws the shape tests/service/test_cluster.py runs: two APIs and three workers,
each with a home of its own, sharing PostgreSQL, an append-only Redis and S3 storage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "compose.yaml"


def _services() -> dict[str, Any]:
    services: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())["services"]
    return services


def test_compose_runs_two_apis_and_three_workers_sharing_only_the_services() -> None:
    services = _services()
    assert services["api"]["deploy"]["replicas"] == 2
    assert services["worker"]["deploy"]["replicas"] == 3
    for name in ("api", "worker"):
        service = services[name]
        assert "volumes" not in service, "an mlchat process shares no home"
        env = service["environment"]
        assert env["MLCHAT_STORAGE_URL"].startswith("s3://")
        assert env["MLCHAT_DATABASE_URL"].startswith("postgresql://")
        assert env["MLCHAT_REDIS_URL"].startswith("redis://")
        assert "MLCHAT_HOME" not in env
    assert "--appendonly" in services["redis"]["command"]
