"""A job kind for the limits tests: it holds memory and time as told, and reports what it may use.

Run as `python -m tests.service.limits_kind <mlchat command>`, it registers the kind and runs
mlchat, as `tests.service.throwaway_kind` does.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
import pandas as pd
import torch
from pydantic import BaseModel, ConfigDict, Field
from threadpoolctl import threadpool_info

from ml_backend.algorithms.base import threads
from ml_backend.configs import DatasetRef
from ml_backend.jobs.spec import JobEnv, JobResult, JobSpec, Outcome


class HoldConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dataset: DatasetRef
    seconds: float = Field(default=0.0, ge=0, le=600)
    megabytes: int = Field(default=0, ge=0, le=100_000)


class Held(JobResult):
    held_s: float
    thread_pools: dict[str, int]
    """The most threads each kind of loaded pool (openblas, openmp) may start."""
    torch_threads: int
    n_jobs: int
    """What ml_backend gives an algorithm whose n_jobs is unset."""
    cuda_visible_devices: str | None


def run(frame: pd.DataFrame, resolved: HoldConfig, env: JobEnv) -> Outcome[Held]:
    env.training()
    # np.ones writes every page: the memory is taken, not only reserved.
    block = np.ones(resolved.megabytes * 2**20 // 8) if resolved.megabytes else None
    env.reporter.progress(0, 1, message="holding")
    started = time.monotonic()
    total = max(1, round(resolved.seconds))
    while (held := time.monotonic() - started) < resolved.seconds:
        env.reporter.progress(int(held), total)  # a step a second: how long it has run
        time.sleep(0.05)  # back in Python often: a stop at the duration limit lands at once
    pools: dict[str, int] = {}
    for pool in threadpool_info():
        api = str(pool["internal_api"])
        pools[api] = max(pools.get(api, 0), int(pool["num_threads"]))
    del block
    return Outcome(Held(
        held_s=time.monotonic() - started, thread_pools=pools,
        torch_threads=torch.get_num_threads(), n_jobs=threads(None),
        cuda_visible_devices=os.environ.get("CUDA_VISIBLE_DEVICES"),
    ))  # fmt: skip


SPEC = JobSpec(
    kind="hold",
    route="hold",
    tool="hold",
    description="Hold memory and time as told, and report what the job may use.",
    config=HoldConfig,
    resolved=HoldConfig,
    result=Held,
    resolve=lambda config, _profile: config,
    columns=lambda _resolved: None,
    run=run,
    describe=lambda c: f"Hold {c.megabytes} MB for {c.seconds} s.",
    summarize=lambda run_id, result: f"Run {run_id} held for {result.held_s:.1f} s.",
    api_tag="hold",
    api_summary="Hold memory and time",
)


def main() -> int:
    from ml_backend.jobs.registry import JOBS

    JOBS[SPEC.kind] = SPEC
    from service.cli import main as mlchat

    return mlchat(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
