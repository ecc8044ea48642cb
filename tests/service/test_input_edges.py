"""Hard input edges get the problem+json a client can act on, never a 5xx: ids and offsets past
what a database holds, JSON too large or too deep, tuning budgets past their caps."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from tests.service.helpers import upload
from tests.service.stack import Stack

pytestmark = pytest.mark.integration

BEYOND_64_BITS = "9223372036854775809"
BEYOND_32_BITS = "2147483648"


def _problem(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    detail: str = response.json()["detail"]
    return detail


@pytest.mark.parametrize(
    "path",
    [f"/api/v1/runs/{BEYOND_64_BITS}", f"/api/v1/runs/{BEYOND_32_BITS}/plots/scatter",
     f"/api/v1/datasets/{BEYOND_64_BITS}", f"/api/v1/datasets/{BEYOND_32_BITS}/rows",
     f"/api/v1/conversations/{BEYOND_64_BITS}", "/api/v1/runs/0", "/api/v1/datasets/-1",
     "/api/v1/ml/train/%00", "/api/v1/ml/train/" + "a" * 65],
)  # fmt: skip
def test_ids_beyond_the_database_are_invalid_input(client: httpx.Client, path: str) -> None:
    _problem(client.get(path), 422)


@pytest.mark.parametrize(
    "path, params",
    [("/api/v1/runs", {"offset": "-1"}), ("/api/v1/runs", {"offset": BEYOND_64_BITS}),
     ("/api/v1/runs", {"limit": "-1"}), ("/api/v1/ml/tune", {"offset": BEYOND_64_BITS}),
     ("/api/v1/datasets/1/rows", {"offset": BEYOND_64_BITS}),
     ("/api/v1/datasets/1/rows", {"limit": "0"})],
)  # fmt: skip
def test_offsets_and_limits_out_of_range_are_invalid_input(
    client: httpx.Client, path: str, params: dict[str, str]
) -> None:
    assert next(iter(params)) in _problem(client.get(path, params=params), 422)


def test_an_id_beyond_the_database_in_a_body_is_invalid_input(client: httpx.Client) -> None:
    config = {"algorithm": "xgboost", "dataset": {"id": int(BEYOND_64_BITS)},
              "target_column": "species"}  # fmt: skip
    assert "dataset" in _problem(client.post("/api/v1/ml/train", json=config), 422)
    plan = {"dataset": {"name": "iris"}, "message": "hi", "conversation_id": int(BEYOND_32_BITS)}
    _problem(client.post("/api/v1/agent/plan", json=plan), 422)


def test_a_json_body_over_its_limit_is_413_and_uploads_keep_theirs(
    client: httpx.Client,
) -> None:
    # The stack's JSON limit is the default, 1 MiB; its upload limit 5 MiB.
    plan = {"dataset": {"name": "iris"}, "message": "x" * (1024 * 1024)}
    response = client.post("/api/v1/agent/plan", json=plan)
    detail = _problem(response, 413)
    assert "MLCHAT_MAX_JSON_BYTES" in detail and response.json()["limit_bytes"] == 1024 * 1024
    big_csv = b"a,b\n" + b"".join(b"%d,%d\n" % (i, i * 7) for i in range(250_000))
    assert 2 * 1024 * 1024 < len(big_csv) < 5 * 1024 * 1024
    assert upload(client, big_csv, "big.csv", "edge-big").status_code == 201
    too_big = upload(client, big_csv * 3, "bigger.csv", "edge-bigger")
    assert "MLCHAT_MAX_DATASET_MB" in _problem(too_big, 413)


def test_deep_nesting_is_refused_without_recursing(client: httpx.Client, stack: Stack) -> None:
    deep = "[" * 10_000 + "]" * 10_000
    body = '{"algorithm": "xgboost", "dataset": {"name": "iris"}, "target_column": "species", '
    response = client.post(
        "/api/v1/ml/train",
        content=f'{body}"hyperparameters": {{"x": {deep}}}}}',
        headers={"content-type": "application/json"},
    )
    assert "deeper than" in _problem(response, 400)
    # Brackets inside strings are text, not nesting.
    flat = {"dataset": {"name": "iris"}, "message": "[[[[" * 100 + "{" * 100}
    assert client.post("/api/v1/agent/plan", json=flat).status_code == 200

    conversation = client.post("/api/v1/conversations", json={}).json()
    with connect(f"{stack.ws_url}/ws/chat/{conversation['id']}", open_timeout=10) as chat:
        chat.send('{"type": "message", "text": ' + deep + "}")
        event: dict[str, Any] = json.loads(chat.recv(timeout=10))
        assert event["type"] == "error" and "deeper than" in event["detail"]
        chat.send(json.dumps({"type": "message", "text": "hello"}))  # the socket lives on
        while event["type"] != "message":
            event = json.loads(chat.recv(timeout=30))


@pytest.mark.parametrize(
    "budget, words",
    [({"n_trials": 10_000}, "n_trials: Input should be less than or equal to 1000"),
     ({"n_trials": None, "timeout_s": 86_400}, "does not fit the 4 hours duration limit"),
     ({"n_trials": None, "timeout_s": 1e9}, "timeout_s: Input should be less than or equal")],
)  # fmt: skip
def test_tuning_budgets_are_capped(
    client: httpx.Client, budget: dict[str, Any], words: str
) -> None:
    config = {"algorithm": "xgboost", "dataset": {"name": "iris"}, "target_column": "species",
              **budget}  # fmt: skip
    assert words in _problem(client.post("/api/v1/ml/tune", json=config), 422)


def test_nul_characters_are_refused_or_dropped_never_stored(
    client: httpx.Client, stack: Stack
) -> None:
    # PostgreSQL refuses to store U+0000; SQLite would keep it. Both refuse it up front.
    titled = client.post("/api/v1/conversations", json={"title": "a\x00b"})
    assert "NUL" in _problem(titled, 422)
    conversation = client.post("/api/v1/conversations", json={}).json()
    with connect(f"{stack.ws_url}/ws/chat/{conversation['id']}", open_timeout=10) as chat:
        chat.send(json.dumps({"type": "message", "text": "hello\x00"}))
        event = json.loads(chat.recv(timeout=10))
        assert event["type"] == "error" and "NUL" in event["detail"]
    # An upload's file name is only a record: its control characters are dropped.
    body = (b'--edge\r\nContent-Disposition: form-data; name="file"; filename="nul\x00.csv"\r\n\r\n'
            b"a,b\n1,2\n3,4\n\r\n--edge--\r\n")  # fmt: skip
    multipart = {"content-type": "multipart/form-data; boundary=edge"}
    uploaded = client.post("/api/v1/datasets", content=body, headers=multipart)
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["filename"] == "nul.csv"
