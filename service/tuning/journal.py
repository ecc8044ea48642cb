"""A tuning's Optuna study on the Redis the jobs use, so every worker can run its trials.

Optuna's journal storage keeps a study as a log of operations that each process replays. This
backend keeps the log under one prefix per run, every key with a time to live (no study
outlives its run's duration limit by long, even when nobody is left to delete it), and reads
new entries in batches rather than one round trip each.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import redis
from optuna.storages import JournalStorage
from optuna.storages.journal import BaseJournalBackend
from optuna.storages.journal._storage import JournalOperation

_BATCH = 500

# A study is only ever started by its first entry; any other write to a study that is gone
# (forgotten when its run ended, or expired) is dropped, so that a late writer -- a helper
# stopped mid-trial, failing its trial on the way out -- cannot bring it back.
_APPEND_LUA = """
local ttl = tonumber(ARGV[1])
if ARGV[2] ~= '1' and redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
for i = 3, #ARGV do
  local n = redis.call('INCR', KEYS[1])
  redis.call('SET', KEYS[2] .. (n - 1), ARGV[i], 'EX', ttl)
end
redis.call('EXPIRE', KEYS[1], ttl)
return 1
"""


def study_name(run_id: int) -> str:
    return f"run-{run_id}"


def _prefix(run_id: int) -> str:
    return f"mlchat:run:{run_id}:study"


class RedisJournal(BaseJournalBackend):
    """Optuna's journal as Redis keys: a counter, and one key per log entry."""

    def __init__(self, client: redis.Redis, prefix: str, ttl_s: int) -> None:
        self.client = client
        self.count_key = f"{prefix}:count"
        self.log_prefix = f"{prefix}:log:"
        self.ttl_s = ttl_s

    def read_logs(self, log_number_from: int) -> Iterator[dict[str, Any]]:
        count = self.client.get(self.count_key)
        if count is None:
            return
        last = int(count)
        for start in range(log_number_from, last, _BATCH):
            numbers = range(start, min(start + _BATCH, last))
            entries: list[bytes | None] = self.client.mget(  # type: ignore[assignment]
                [f"{self.log_prefix}{n}" for n in numbers]
            )
            for entry in entries:
                # An entry is written in the same script that counts it, so only a study
                # forgotten (or expired) meanwhile has gaps: the log ends there.
                if entry is None:
                    return
                yield json.loads(entry)

    def forget(self) -> None:
        """Delete every entry; they are known by number, so nothing is scanned."""
        count = self.client.get(self.count_key)
        last = int(count) if count is not None else 0
        self.client.unlink(self.count_key)
        for start in range(0, last, _BATCH):
            numbers = range(start, min(start + _BATCH, last))
            self.client.unlink(*(f"{self.log_prefix}{n}" for n in numbers))

    def append_logs(self, logs: list[dict[str, Any]]) -> None:
        starts = bool(logs) and logs[0].get("op_code") == JournalOperation.CREATE_STUDY
        self.client.eval(
            _APPEND_LUA,
            2,
            self.count_key,
            self.log_prefix,
            self.ttl_s,
            "1" if starts else "0",
            *(json.dumps(log) for log in logs),
        )


def study_storage(client: redis.Redis, run_id: int, ttl_s: int) -> JournalStorage:
    """The storage of run `run_id`'s study, its keys kept at most `ttl_s` after each write."""
    return JournalStorage(RedisJournal(client, _prefix(run_id), ttl_s))


def forget_study(client: redis.Redis, run_id: int) -> None:
    """Delete the run's study: its trials are in the run's result by now, or never will be."""
    RedisJournal(client, _prefix(run_id), ttl_s=0).forget()
