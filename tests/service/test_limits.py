"""Tenant limits against the real stack: an admin sets them (API and CLI), a tenant sees its
use; a tenant at its concurrent-jobs limit waits in line and is told its place while other
tenants' jobs run; a job is stopped at its duration, failed when over its memory (and the
worker lives on), held to its CPU cores with CUDA hidden; uploads over the dataset limit and
searches longer than the duration limit are refused, naming the limit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

from service.embedded_redis import EmbeddedRedis
from tests.service.conftest import BACKENDS, POSTGRES_URL
from tests.service.helpers import children_of, csv_bytes, run_events, upload, wait_for, worker_of
from tests.service.keyed import as_key, make_key, problem
from tests.service.stack import Stack, create_postgres_database, drop_postgres_database

pytestmark = pytest.mark.integration

WRAPPER = "tests.service.limits_kind"
SMALL = pd.DataFrame({"x": [float(i) for i in range(40)], "y": [i / 2 for i in range(40)]})


class LimitsStack(Stack):
    """mlchat's processes with the `hold` kind registered in each."""

    def spawn(self, *args: str) -> subprocess.Popen[bytes]:
        with (self.home / f"{args[0]}.log").open("ab") as log:
            return subprocess.Popen(
                [sys.executable, "-m", WRAPPER, *args],
                env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip


@pytest.fixture(scope="module", params=BACKENDS)
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    home: Path = tmp_path_factory.mktemp(f"mlchat-limits-{request.param}")
    pg_name = None
    if request.param == "postgresql":
        assert POSTGRES_URL
        database_url, pg_name = create_postgres_database(POSTGRES_URL)
    else:
        database_url = f"sqlite:///{home / 'mlchat.db'}"
    started = LimitsStack(home=home, redis=EmbeddedRedis(home / "redis", persist=False),
                          database_url=database_url)  # fmt: skip
    try:
        started.start(n_workers=2)
        yield started
    finally:
        started.stop()
        if pg_name and POSTGRES_URL:
            drop_postgres_database(POSTGRES_URL, pg_name)


@contextmanager
def tenant(stack: Stack, name: str, **limits: Any) -> Iterator[httpx.Client]:
    """A client acting for tenant `name` (as the local admin may), with `limits` set for it
    through the admin API and a small dataset 'small' of its own."""
    with httpx.Client(base_url=stack.base_url, timeout=60, params={"tenant_id": name}) as client:
        if limits:
            changed = client.patch("/api/v1/admin/limits", json=limits)
            assert changed.status_code == 200, changed.text
        upload(client, csv_bytes(SMALL), "small.csv", name="small").raise_for_status()
        yield client


def hold(client: httpx.Client, seconds: float = 0, megabytes: int = 0) -> dict[str, Any]:
    config = {"dataset": {"name": "small"}, "seconds": seconds, "megabytes": megabytes}
    accepted = client.post("/api/v1/ml/hold", json=config)
    assert accepted.status_code == 202, accepted.text
    return dict(accepted.json())


def job(client: httpx.Client, accepted: dict[str, Any]) -> dict[str, Any]:
    return dict(client.get(f"/api/v1/ml/hold/{accepted['job_id']}").raise_for_status().json())


def test_an_admin_sets_limits_and_a_tenant_sees_its_use(stack: Stack) -> None:
    with tenant(stack, "acme") as acme:
        before = acme.get("/api/v1/admin/limits").raise_for_status().json()
        assert before["limits"] == before["defaults"] == {
            "concurrent_jobs": 5, "duration_s": 4 * 3600, "dataset_gb": 10.0,
            "cpu_cores": 4, "memory_gb": 16.0, "gpus": 0,
        }  # fmt: skip
        raised = acme.patch("/api/v1/admin/limits", json={"concurrent_jobs": 10, "gpus": 1})
        assert raised.json()["limits"]["concurrent_jobs"] == 10
        assert raised.json()["overrides"] == {"concurrent_jobs": 10, "gpus": 1}
        reset = acme.patch("/api/v1/admin/limits", json={"gpus": None}).json()
        assert reset["overrides"] == {"concurrent_jobs": 10} and reset["limits"]["gpus"] == 0
        bad = problem(acme.patch("/api/v1/admin/limits", json={"cpu_cores": 0}), 422)
        assert "cpu_cores" in bad["detail"]

        usage = acme.get("/api/v1/usage").raise_for_status().json()
        assert usage["tenant"] == "acme" and usage["limits"]["concurrent_jobs"] == 10
        assert usage["datasets"] == 1 and usage["stored_bytes"] > 0
        assert usage["running_jobs"] == usage["queued_jobs"] == 0

    # The same from the command line, as the README's team set-up shows it.
    cli = subprocess.run(
        [sys.executable, "-m", "service.cli", "limits", "set", "--tenant", "acme",
         "--duration", "8h", "--concurrent-jobs", "default"],
        env=stack.env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    assert "* duration         8 h" in cli.stdout and "  concurrent_jobs  5" in cli.stdout
    with httpx.Client(base_url=stack.base_url, timeout=60) as local:
        shown = local.get("/api/v1/admin/limits", params={"tenant_id": "acme"}).json()
    assert shown["overrides"] == {"duration_s": 8 * 3600}


def test_only_an_admin_changes_limits_but_every_key_sees_its_use(stack: Stack) -> None:
    with as_key(stack, make_key(stack, "keyed", "read")) as reader:
        assert reader.get("/api/v1/usage").raise_for_status().json()["tenant"] == "keyed"
        assert "admin" in problem(reader.get("/api/v1/admin/limits"), 403)["detail"]
    with as_key(stack, make_key(stack, "keyed", "run")) as runner:
        refused = runner.patch("/api/v1/admin/limits", json={"concurrent_jobs": 50})
        assert "admin" in problem(refused, 403)["detail"]


def test_a_tenant_at_its_limit_waits_in_line_while_others_run(stack: Stack) -> None:
    with tenant(stack, "busy", concurrent_jobs=1) as busy, tenant(stack, "other") as other:
        started: list[tuple[httpx.Client, dict[str, Any]]] = []
        try:
            first = hold(busy, seconds=300)
            started.append((busy, first))
            assert wait_for(busy, "hold", first["job_id"], {"training"})["status"] == "training"
            second, third = hold(busy, seconds=300), hold(busy, seconds=300)
            theirs = hold(other, seconds=300)
            started += [(busy, second), (busy, third), (other, theirs)]
            # A worker is free and takes the other tenant's job, not the waiting ones of 'busy'.
            assert wait_for(other, "hold", theirs["job_id"], {"training"})["status"] == "training"
            waiting = job(busy, third)
            assert waiting["status"] == "queued" and waiting["jobs_ahead"] == 1
            assert waiting["message"].startswith("queued, 1 ahead of you; ")
            assert "limit of 1" in waiting["message"]
            assert job(busy, second)["message"].startswith("queued, next in line; ")
            usage = busy.get("/api/v1/usage").json()
            assert (usage["running_jobs"], usage["queued_jobs"]) == (1, 2)

            # The running one ends: the next starts, and the last hears it moved up.
            busy.delete(f"/api/v1/ml/hold/{first['job_id']}").raise_for_status()
            assert wait_for(busy, "hold", second["job_id"], {"training"})["status"] == "training"
            places = run_events(stack, third["run_id"], limit=2, timeout_s=30, tenant="busy")
            assert [(e["type"], e["ahead"]) for e in places] == [("queued", 1), ("queued", 0)]
            assert places[1]["message"].startswith("queued, next in line")
        finally:
            for client, accepted in started:
                client.delete(f"/api/v1/ml/hold/{accepted['job_id']}")


def test_a_slot_is_held_while_its_job_runs_and_freed_when_its_worker_dies(stack: Stack) -> None:
    with tenant(stack, "fragile", concurrent_jobs=1) as fragile:
        first, second = hold(fragile, seconds=300), hold(fragile, seconds=0)
        lease_s = float(stack.env()["MLCHAT_DEAD_AFTER_S"])
        deadline = time.monotonic() + 60
        while (job(fragile, first).get("step") or 0) < 2 * lease_s:
            assert time.monotonic() < deadline, job(fragile, first)
            time.sleep(0.2)
        # Running past two leases, the first still holds the tenant's one slot.
        assert job(fragile, second)["status"] == "queued"

        worker = worker_of(stack, first["job_id"])
        horses = children_of(int(worker.pid or 0))
        os.kill(int(worker.pid or 0), signal.SIGKILL)  # the worker's machine goes away
        for horse in horses:
            os.kill(horse, signal.SIGKILL)
        # Its slot is not lost with it: once its lease runs out, the other worker takes the next.
        done = wait_for(fragile, "hold", second["job_id"], {"finished", "failed"}, 60)
        assert done["status"] == "finished", done
        assert wait_for(fragile, "hold", first["job_id"], {"failed"}, 60)["status"] == "failed"
    stack.replace_dead_workers()


def test_a_job_over_its_duration_is_stopped_and_its_run_failed(stack: Stack) -> None:
    with tenant(stack, "brief", duration_s=2) as brief:
        accepted = hold(brief, seconds=120)
        failed = wait_for(brief, "hold", accepted["job_id"], {"failed", "finished"}, 60)
        assert failed["status"] == "failed"
        assert failed["error"].startswith("exceeded the 2 s limit")
        events = run_events(stack, accepted["run_id"], tenant="brief")
        assert events[-1]["message"] == failed["error"]

        # A search that cannot end within the limit is refused before it is queued.
        tuning = {"algorithm": "linear", "dataset": {"name": "small"}, "target_column": "y",
                  "n_trials": 5, "timeout_s": 60}  # fmt: skip
        body = problem(brief.post("/api/v1/ml/tune", json=tuning), 422)
        assert "2 seconds duration limit" in body["detail"] and body["field"] == "timeout_s"


def test_a_job_over_its_memory_fails_and_the_worker_lives_on(stack: Stack) -> None:
    with tenant(stack, "lean", memory_gb=0.25) as lean:
        accepted = hold(lean, megabytes=1024)
        failed = wait_for(lean, "hold", accepted["job_id"], {"failed", "finished"}, 60)
        assert failed["status"] == "failed", failed
        assert failed["error"].startswith("used more than 256 MB of memory"), failed["error"]
        # The worker that ran it takes the next jobs, which fit in the same limit.
        for _ in stack.workers:
            fits = hold(lean, megabytes=16)
            done = wait_for(lean, "hold", fits["job_id"], {"failed", "finished"}, 60)
            assert done["status"] == "finished", done
        assert all(worker.poll() is None for worker in stack.workers)


def test_a_job_uses_only_its_cores_and_no_gpu(stack: Stack) -> None:
    with tenant(stack, "narrow", cpu_cores=1) as narrow:
        accepted = hold(narrow)
        done = wait_for(narrow, "hold", accepted["job_id"], {"failed", "finished"}, 60)
        assert done["status"] == "finished", done
        result = done["result"]
        assert set(result["thread_pools"].values()) == {1}, result["thread_pools"]
        assert (result["torch_threads"], result["n_jobs"]) == (1, 1)
        assert result["cuda_visible_devices"] == ""
        events = run_events(stack, accepted["run_id"], tenant="narrow")
        logs = [e["message"] for e in events if e["type"] == "log"]
        assert any(m.startswith("limits: 1 CPU core, ") and "no GPU" in m for m in logs), logs


def test_an_upload_over_the_dataset_limit_is_413_naming_it(stack: Stack) -> None:
    with tenant(stack, "tiny", dataset_gb=0.0001) as tiny:  # about 105 kB
        big = pd.DataFrame({"x": range(30_000), "y": range(30_000)})
        body = problem(upload(tiny, csv_bytes(big), "big.csv", name="big"), 413)
        assert "105 kB dataset limit" in body["detail"] and body["limit_bytes"] == 107374
        assert "mlchat limits set --tenant tiny --dataset-gb" in body["detail"]
