"""Helpers for tests of a stack where every request needs a key (MLCHAT_AUTH=required)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import httpx

from tests.service.stack import Stack


def mlchat(stack: Stack | None, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`mlchat ARGS` as a person types it, against `stack`'s database."""
    environment = stack.env(**env) if stack else env
    return subprocess.run([sys.executable, "-m", "service.cli", *args], env=environment,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def make_key(stack: Stack, tenant: str, scope: str, name: str | None = None) -> str:
    named = ["--name", name] if name else []
    made = mlchat(stack, "keys", "create", "--tenant", tenant, "--scope", scope, *named)
    assert made.returncode == 0, made.stderr
    return made.stdout.strip().splitlines()[-1]


def as_key(stack: Stack, key: str) -> httpx.Client:
    return httpx.Client(base_url=stack.base_url, timeout=60,
                        headers={"authorization": f"Bearer {key}"})  # fmt: skip


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["detail"]
    return body
