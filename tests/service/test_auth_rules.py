"""The rules of service.auth and the bind check of the CLI, without a server."""

from __future__ import annotations

from typing import Any

import pytest

from service.auth import Identity, acting_as, allow, bearer_key, is_loopback
from service.cli import open_bind_refusal
from service.db.models import KeyScope
from service.errors import ForbiddenError, InvalidInputError, UnauthorizedError
from service.settings import Settings


def _scope(method: str = "GET", path: str = "/api/v1/runs", query: bytes = b"",
           headers: list[tuple[bytes, bytes]] | None = None,
           client: tuple[str, int] | None = ("127.0.0.1", 5000)) -> Any:  # fmt: skip
    return {"type": "http", "method": method, "path": path, "query_string": query,
            "headers": headers or [], "client": client}  # fmt: skip


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.8.9.1", True), ("::1", True), ("::ffff:127.0.0.1", True),
     ("10.0.0.5", False), ("::ffff:10.0.0.5", False), ("testclient", False)],
)  # fmt: skip
def test_loopback_clients(host: str, loopback: bool) -> None:
    assert is_loopback(_scope(client=(host, 1))) is loopback
    assert is_loopback(_scope(client=None)) is False


def test_bearer_keys() -> None:
    assert bearer_key(_scope()) is None
    assert bearer_key(_scope(headers=[(b"authorization", b"Bearer  mlc_x ")])) == "mlc_x"
    with pytest.raises(UnauthorizedError):
        bearer_key(_scope(headers=[(b"authorization", b"Basic eDp5")]))


def test_scopes() -> None:
    read, run = Identity("a", KeyScope.READ), Identity("a", KeyScope.RUN)
    allow(read, _scope("GET"))
    allow(read, _scope("HEAD"))
    with pytest.raises(ForbiddenError):
        allow(read, _scope("POST", "/api/v1/ml/train"))
    allow(run, _scope("DELETE", "/api/v1/datasets/3"))
    with pytest.raises(ForbiddenError):
        allow(run, _scope("GET", "/api/v1/admin/keys"))
    allow(Identity("a", KeyScope.ADMIN), _scope("POST", "/api/v1/admin/keys"))


def test_only_admins_act_for_another_tenant() -> None:
    other = _scope(query=b"status=running&tenant_id=acme")
    assert acting_as(Identity("a", KeyScope.ADMIN, 7), other) == Identity("acme", KeyScope.ADMIN, 7)
    assert acting_as(Identity("acme", KeyScope.READ), other).tenant == "acme"
    with pytest.raises(ForbiddenError):
        acting_as(Identity("a", KeyScope.RUN), other)
    with pytest.raises(InvalidInputError):
        acting_as(Identity("a", KeyScope.ADMIN), _scope(query=b"tenant_id=a%20b"))


@pytest.mark.parametrize(
    ("host", "auth", "refused"),
    [("127.0.0.1", "local", False), ("localhost", "local", False), ("::1", "local", False),
     ("0.0.0.0", "local", True), ("192.168.1.4", "local", True), ("myhost", "local", True),
     ("0.0.0.0", "required", False)],
)  # fmt: skip
def test_where_the_server_may_listen(host: str, auth: str, refused: bool) -> None:
    refusal = open_bind_refusal(Settings(host=host, auth=auth))
    assert (refusal is not None) is refused
    if refusal:
        assert "MLCHAT_AUTH=required" in refusal and host in refusal
