"""A tuning's study on Redis: shared by every process, and gone for good once forgotten."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import optuna
import pytest
import redis
from optuna.trial import TrialState

from service.embedded_redis import EmbeddedRedis
from service.tuning.journal import forget_study, study_name, study_storage

pytestmark = pytest.mark.integration

RUN_ID = 77


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    home: Path = tmp_path_factory.mktemp("journal-redis")
    with EmbeddedRedis(home, persist=False) as started:
        yield started


@pytest.fixture
def client(server: EmbeddedRedis) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(server.url)
    connection.flushdb()
    yield connection
    connection.close()


def _study_keys(client: redis.Redis) -> list[bytes]:
    return list(client.scan_iter(match=f"mlchat:run:{RUN_ID}:study:*"))


def test_a_trial_told_by_one_process_is_seen_by_another(client: redis.Redis) -> None:
    mine = optuna.create_study(
        study_name=study_name(RUN_ID), storage=study_storage(client, RUN_ID, 600)
    )
    theirs = optuna.load_study(
        study_name=study_name(RUN_ID), storage=study_storage(client, RUN_ID, 600)
    )
    trial = theirs.ask()
    theirs.tell(trial, 0.25)
    assert [t.value for t in mine.get_trials(states=(TrialState.COMPLETE,))] == [0.25]
    assert all(0 < client.ttl(key) <= 600 for key in _study_keys(client))


def test_a_late_write_does_not_bring_a_forgotten_study_back(client: redis.Redis) -> None:
    study = optuna.create_study(
        study_name=study_name(RUN_ID), storage=study_storage(client, RUN_ID, 600)
    )
    helper = optuna.load_study(
        study_name=study_name(RUN_ID), storage=study_storage(client, RUN_ID, 600)
    )
    running = helper.ask()
    forget_study(client, RUN_ID)
    assert _study_keys(client) == []

    # A helper stopped mid-trial fails its trial on the way out, after the run forgot it.
    helper.tell(running, state=TrialState.FAIL)
    assert _study_keys(client) == []
    with pytest.raises(KeyError):
        optuna.load_study(study_name=study_name(RUN_ID), storage=study_storage(client, RUN_ID, 9))
    del study
