"""A page elsewhere cannot drive the local server: foreign origins, non-JSON bodies and framing
are refused, over REST and WebSockets alike; clients that are no page (no Origin) still work."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import redis
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from service.settings import Settings
from tests.service.stack import Stack

pytestmark = pytest.mark.integration

FOREIGN = "https://pages.example"
TRAIN = {"algorithm": "random_forest", "dataset": {"name": "iris"},
         "target_column": "species", "hyperparameters": {"n_estimators": 10}}  # fmt: skip


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["detail"]
    return body


def _started(client: httpx.Client, stack: Stack) -> tuple[int, set[bytes]]:
    """The newest run's id and every RQ job the Redis knows: what a started job would change."""
    runs = client.get("/api/v1/runs", params={"limit": 1}).raise_for_status().json()["items"]
    with redis.Redis.from_url(stack.redis.url) as connection:
        jobs = set(connection.scan_iter(match="rq:job:*"))
    return (runs[0]["run_id"] if runs else 0), jobs


def test_cross_origin_text_plain_post_is_refused_and_starts_nothing(
    client: httpx.Client, stack: Stack
) -> None:
    before = _started(client, stack)
    # What a form or fetch() on any other site can send without asking the browser first.
    forged = client.post(
        "/api/v1/ml/train",
        content=json.dumps(TRAIN),
        headers={"content-type": "text/plain;charset=UTF-8", "origin": FOREIGN},
    )
    body = _problem(forged, 403)
    assert FOREIGN in body["detail"] and "MLCHAT_ALLOWED_ORIGINS" in body["detail"]
    # A sandboxed page, or one that hides where it comes from, says `null`.
    _problem(client.post("/api/v1/ml/train", json=TRAIN, headers={"origin": "null"}), 403)
    # A foreign page is refused whatever it asks, reads included.
    _problem(client.get("/api/v1/runs", headers={"origin": FOREIGN}), 403)
    _problem(client.delete("/api/v1/datasets/2147483000", headers={"origin": FOREIGN}), 403)

    # From the server's own page, or from no page at all, a non-JSON body is still refused.
    own = {"origin": stack.base_url}
    for headers in [{"content-type": "text/plain"}, {"content-type": "text/plain", **own}]:
        refused = client.post("/api/v1/ml/train", content=json.dumps(TRAIN), headers=headers)
        assert "application/json" in _problem(refused, 415)["detail"]
    form = client.post("/api/v1/agent/plan", data={"message": "train xgboost"}, headers=own)
    _problem(form, 415)
    newest_run, jobs = _started(client, stack)
    assert newest_run == before[0] and not jobs - before[1]

    # The same request as JSON, from the server's own page or from curl, is taken.
    for headers in [own, {"origin": f"http://localhost:{stack.port}"}, {}]:
        accepted = client.post("/api/v1/ml/train", json=TRAIN, headers=headers)
        assert accepted.status_code == 202, accepted.text


def test_uploads_keep_multipart_and_json_endpoints_refuse_it(client: httpx.Client) -> None:
    csv = b"a,b\n1,2\n3,4\n"
    as_json = client.post("/api/v1/datasets", content=csv, headers={"content-type": "text/csv"})
    assert "multipart/form-data" in _problem(as_json, 415)["detail"]
    multipart = client.post("/api/v1/agent/plan", files={"file": ("x.csv", csv)})
    _problem(multipart, 415)


def _refused_handshake(url: str) -> dict[str, Any]:
    with pytest.raises(InvalidStatus) as refused:
        connect(url, origin=FOREIGN, open_timeout=10)
    response = refused.value.response
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = json.loads(response.body or b"{}")
    return body


def test_websockets_from_a_foreign_origin_are_refused_before_accept(
    client: httpx.Client, stack: Stack
) -> None:
    conversation = client.post("/api/v1/conversations", json={"dataset": {"name": "iris"}}).json()
    run = client.post("/api/v1/ml/train", json=TRAIN).json()
    for path in ["/ws/feed", f"/ws/chat/{conversation['id']}", f"/ws/runs/{run['run_id']}"]:
        body = _refused_handshake(f"{stack.ws_url}{path}")
        assert FOREIGN in body["detail"], path

    # The server's own page speaks in the conversation and hears the reply.
    url = f"{stack.ws_url}/ws/chat/{conversation['id']}"
    with connect(url, origin=stack.base_url, open_timeout=10) as chat:
        chat.send(json.dumps({"type": "message", "text": "what columns are there?"}))
        event: dict[str, Any] = {}
        while event.get("type") != "message" or event["message"]["role"] != "assistant":
            event = json.loads(chat.recv(timeout=30))
        assert "sepal" in event["message"]["content"]
    with connect(f"{stack.ws_url}/ws/feed", origin=stack.base_url, open_timeout=10) as feed:
        assert feed.protocol.state.name == "OPEN"
    # And a client that is no page (no Origin) too.
    with connect(f"{stack.ws_url}/ws/feed", open_timeout=10) as feed:
        assert feed.protocol.state.name == "OPEN"


@pytest.mark.parametrize(
    "path", ["/", "/static/style.css", "/vendor/plotly.min.js", "/api/v1/datasets",
             "/api/v1/runs/0", "/no/such/page", "/schema/openapi.json", "/schema/swagger"],
)  # fmt: skip
def test_security_headers_on_every_response(client: httpx.Client, path: str) -> None:
    headers = client.get(path).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    policy = dict(p.strip().split(" ", 1) for p in headers["content-security-policy"].split(";"))
    assert policy["frame-ancestors"] == "'none'" and policy["default-src"] == "'self'"
    assert policy["connect-src"] == "'self'"
    if path.startswith("/schema"):  # the API pages start their renderer with an inline script
        assert policy["script-src"].split() == ["'self'", "'unsafe-inline'"]
    else:
        assert policy["script-src"].split() == ["'self'", "'unsafe-eval'"]


def test_allowed_origins_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    own = Settings(port=8123).trusted_origins
    assert {"http://127.0.0.1:8123", "http://localhost:8123"} <= own
    monkeypatch.setenv("MLCHAT_ALLOWED_ORIGINS", "https://ML.example.com/, http://10.0.0.2:8000")
    assert Settings().trusted_origins == {"https://ml.example.com", "http://10.0.0.2:8000"}
