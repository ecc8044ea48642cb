"""The local model's thread budget comes from MLCHAT_LLM_THREADS, and defaults to a share of
the cores, so a first message on a busy machine does not take every core."""

from __future__ import annotations

import os

import pytest

from service.settings import Settings


def test_the_local_model_gets_half_the_cores_unless_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MLCHAT_LLM_THREADS", raising=False)
    assert Settings().llm_threads == max(1, (os.cpu_count() or 2) // 2)
    monkeypatch.setenv("MLCHAT_LLM_THREADS", "3")
    assert Settings().llm_threads == 3
    monkeypatch.setenv("MLCHAT_LLM_THREADS", "0")
    with pytest.raises(ValueError, match="llm_threads"):
        Settings()
