"""What the agent says when a run ends: every number comes from the run's stored result."""

from __future__ import annotations

from typing import Any

from ml_backend.jobs.registry import get_job
from ml_backend.numbers import format_metric

__all__ = ["format_metric", "summarize"]


def summarize(kind: str, run_id: int, result: dict[str, Any]) -> str:
    """A few sentences of Markdown about a finished run of the stored `kind`."""
    spec = get_job(kind)
    return spec.summarize(run_id, spec.result.model_validate(result))
