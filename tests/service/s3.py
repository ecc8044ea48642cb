"""An S3-compatible server on loopback for tests of shared storage: moto's server mode, as a
process of its own (its Flask app and warnings stay out of the test process).

`s3_storage` yields the variables an mlchat process needs to keep its datasets and artifacts
in a fresh bucket of that server.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from service.embedded_redis import free_port

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    # Credentials come from the variables above; never ask a cloud's metadata service.
    "AWS_EC2_METADATA_DISABLED": "true",
}
"""moto takes any credentials; these keep a developer's own AWS settings out of the tests."""


@dataclass
class MotoServer:
    log_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 60.0) -> None:
        """Start the server and wait until it answers (the cap is for a start that never
        comes: it imports in well under a second alone, longer on a loaded machine)."""
        with (self.log_dir / f"moto-{self.port}.log").open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + timeout_s
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/moto-api/", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"moto did not answer on {self.url} within {timeout_s}s")
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop the server: a storage that has gone away."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)

    def client(self) -> Any:
        """A boto3 S3 client of this server, for a test to look into the buckets."""
        return boto3.client(
            "s3", endpoint_url=self.url, region_name="us-east-1",
            aws_access_key_id="testing", aws_secret_access_key="testing",
        )  # fmt: skip


@pytest.fixture
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    server = MotoServer(log_dir=tmp_path_factory.mktemp("moto"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_storage(moto_server: MotoServer) -> dict[str, str]:
    """The variables that make an mlchat process keep its datasets and artifacts in a new
    bucket of `moto_server`: MLCHAT_STORAGE_URL, its endpoint in MLCHAT_STORAGE_OPTIONS, and
    the AWS_* credentials. Add them to the process's environment."""
    bucket = f"mlchat-{uuid.uuid4().hex[:12]}"
    moto_server.client().create_bucket(Bucket=bucket)
    return {
        "MLCHAT_STORAGE_URL": f"s3://{bucket}/shared",
        "MLCHAT_STORAGE_OPTIONS": json.dumps({"endpoint_url": moto_server.url}),
        **CREDENTIALS,
    }
