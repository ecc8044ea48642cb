"""An LLM server that does not answer: the person is told, the conversation stays whole."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.embedded_redis import EmbeddedRedis, free_port
from tests.service.stack import Stack


@pytest.fixture(scope="module")
def unreachable_llm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    home: Path = tmp_path_factory.mktemp("mlchat-no-llm")
    nobody = f"http://127.0.0.1:{free_port()}/v1"  # a port no server listens on
    stack = Stack(home=home, redis=EmbeddedRedis(home / "redis", persist=False),
                  database_url=f"sqlite:///{home / 'mlchat.db'}",
                  settings={"MLCHAT_LLM": "openai", "OPENAI_BASE_URL": nobody,
                            "OPENAI_API_KEY": "unused"})  # fmt: skip
    try:
        stack.start(n_workers=0)
        yield stack
    finally:
        stack.stop()


@pytest.mark.integration
def test_a_message_gets_a_reply_saying_the_model_is_unreachable(unreachable_llm: Stack) -> None:
    with httpx.Client(base_url=unreachable_llm.base_url, timeout=60) as client:
        conversation = client.post("/api/v1/conversations", json={"dataset": {"name": "iris"}})
        conversation_id = conversation.json()["id"]
        said = client.post(f"/api/v1/conversations/{conversation_id}/messages",
                           json={"text": "train xgboost on species"})  # fmt: skip
        assert said.status_code == 200, said.text
        reply = said.json()["reply"]
        assert "could not answer" in reply["content"] and "Connection error" in reply["content"]
        assert reply["parts"] == [{"type": "error"}]

        stored = client.get(f"/api/v1/conversations/{conversation_id}").json()["messages"]
        assert [m["role"] for m in stored] == ["user", "assistant"]
        assert client.get("/api/v1/runs").json()["items"] == []

        asked = {"dataset": {"name": "iris"}, "message": "train on species"}
        planned = client.post("/api/v1/agent/plan", json=asked)
        assert planned.status_code == 503
        assert planned.headers["content-type"].startswith("application/problem+json")
        assert "did not answer" in planned.json()["detail"]
