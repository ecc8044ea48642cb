"""Fuzzing the running API from its own OpenAPI document: whatever a client sends, no 5xx.

schemathesis reads /schema/openapi.json and sends every operation requests built from it:
each parameter at and beyond its bounds, then generated valid and invalid ones (odd strings,
huge numbers, missing and extra fields), then chains of calls that feed one answer's ids to
the next. The only check is that no answer is a server error. It runs as its command line,
the interface it keeps stable (its pytest loader for a schema known only at run time does
not work with pytest 9), on a stack of its own per database: it deletes and renames what it
finds, which the shared stack's tests rely on.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service.conftest import BACKENDS, POSTGRES_URL
from tests.service.stack import Stack, running_stack

pytestmark = pytest.mark.integration

EXAMPLES_PER_OPERATION = {"sqlite": 50, "postgresql": 10}
"""Generated cases per operation in the fuzzing phase, after the coverage phase's cases at and
beyond every parameter's bounds (which run in full on both databases).

On SQLite, enough to reach the usual malformed inputs: some 6,000 requests over the 70
operations, about a minute and a half on two shared cores. The schema, validation and handlers
are the same code on either database, so random inputs find the same bugs on both; what only
PostgreSQL refuses (a NUL in a string, an integer past 32 bits, an over-long name) is reached
by the coverage phase's boundary values and a few generated cases, and its write paths by the
stateful phase's chains. Fewer generated cases there save about a minute a run."""


@pytest.fixture(params=BACKENDS)
def fuzzed_stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    postgres_url = POSTGRES_URL if request.param == "postgresql" else None
    with running_stack(tmp_path / "home", postgres_url, n_workers=1) as started:
        yield started


def test_no_request_gets_a_server_error(fuzzed_stack: Stack, tmp_path: Path) -> None:
    backend = "sqlite" if fuzzed_stack.database_url.startswith("sqlite") else "postgresql"
    command = [
        sys.executable, "-m", "schemathesis.cli", "run",
        f"{fuzzed_stack.base_url}/schema/openapi.json",
        "--checks", "not_a_server_error",
        "--max-examples", str(EXAMPLES_PER_OPERATION[backend]),
        # The first MLflow export on a machine sets MLflow's database up (~15 s on a loaded
        # machine) before its zip is sent; slow is not a server error.
        "--request-timeout", "120",
        "--generation-database", "none",
        "--warnings", "off",
        "--no-color",
    ]  # fmt: skip
    # Its own folder: schemathesis keeps state in the working directory.
    fuzzing = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert fuzzing.returncode == 0, f"{fuzzing.stdout[-12_000:]}\n{fuzzing.stderr[-3_000:]}"
    assert " passed" in fuzzing.stdout and "generated" in fuzzing.stdout
