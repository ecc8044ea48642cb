"""Helpers for tests of a stack where every request needs a key (MLCHAT_AUTH=required)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.service.stack import Stack


def mlchat(stack: Stack | None, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`mlchat ARGS` as a person types it, against `stack`'s database."""
    environment = stack.env(**env) if stack else env
    return subprocess.run([sys.executable, "-m", "service.cli", *args], env=environment,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def cli_key(stack: Stack, tenant: str, scope: str, name: str | None = None) -> str:
    """A key made by `mlchat keys create`, as an operator makes the first one."""
    named = ["--name", name] if name else []
    made = mlchat(stack, "keys", "create", "--tenant", tenant, "--scope", scope, *named)
    assert made.returncode == 0, made.stderr
    return made.stdout.strip().splitlines()[-1]


_KEY_MAKERS: dict[Path, str] = {}
"""Each stack's (by its home) admin key for `make_key`, made by the CLI on first use."""


def make_key(stack: Stack, tenant: str, scope: str, name: str | None = None) -> str:
    """A key made by the admin keys API (POST /api/v1/admin/keys) with the stack's one admin
    key from the CLI: the same key the CLI makes (test_auth checks both ways), for tests whose
    subject is what a key may do rather than how it is made, without a CLI process per key
    (seconds each: it imports the service's ML libraries)."""
    admin = _KEY_MAKERS.get(stack.home)
    if admin is None:
        admin = _KEY_MAKERS[stack.home] = cli_key(stack, "key-maker", "admin")
    body = {"tenant_id": tenant, "scope": scope, **({"name": name} if name else {})}
    with as_key(stack, admin) as client:
        made = client.post("/api/v1/admin/keys", json=body)
    assert made.status_code == 201, made.text
    return str(made.json()["key"])


def as_key(stack: Stack, key: str) -> httpx.Client:
    return httpx.Client(base_url=stack.base_url, timeout=60,
                        headers={"authorization": f"Bearer {key}"})  # fmt: skip


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["detail"]
    return body
