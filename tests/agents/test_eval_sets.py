"""The agent's evaluation sets are sound data: every case names real tables and columns, and
the held-apart test set shares nothing with the development set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.eval.fresh_tables import FRESH_TABLES
from bench.eval.run import best_run, check_turn
from bench.eval.tables import TABLES

EVAL = Path(__file__).resolve().parents[2] / "bench" / "eval"
ACTIONS = {"train", "tune", "forecast", "explore", "describe", "leaderboard", "clarify", "error"}
READ_TOOLS = {"job_status", "compare_runs", "explain_run", "cancel_job", "list_datasets"}
COLUMN_KEYS = {"target_column", "time_column", "parameters.color", "parameters.x", "parameters.y"}
LIST_KEYS = {"feature_columns", "feature_columns_exclude", "columns", "columns_include"}
LANGUAGES = {"en", "es", "fr", "de", "pt"}


def _lines(pattern: str) -> list[dict[str, Any]]:
    return [json.loads(line) for path in sorted(EVAL.glob(pattern))
            for line in path.read_text().splitlines() if line.strip()]  # fmt: skip


@pytest.fixture(scope="module")
def columns() -> dict[str, set[str]]:
    tables = {**TABLES, **FRESH_TABLES}
    return {name: set(make().column_names) for name, make in tables.items()}


def _expectations(record: dict[str, Any]) -> list[dict[str, Any]]:
    if "turns" in record:
        return [turn.get("expect") or {} for turn in record["turns"]]
    return [record["expect"]]


def _problems(record: dict[str, Any], known: dict[str, set[str]], actions: set[str]) -> list[str]:
    table = known.get(record.get("dataset", ""))
    if table is None:
        return [f"no table {record.get('dataset')!r}"]
    problems = [] if record.get("language") in LANGUAGES else ["no language"]
    for expect in _expectations(record):
        named = [expect.get("action"), *(expect.get("action_in") or [])]
        problems += [f"action {a!r}" for a in named if a is not None and a not in actions]
        for key in COLUMN_KEYS & expect.keys():
            if expect[key] not in table:
                problems.append(f"{key}: no column {expect[key]!r}")
        for key in LIST_KEYS & expect.keys():
            problems += [f"{key}: no column {c!r}" for c in expect[key] if c not in table]
    return problems


@pytest.mark.parametrize("pattern", ["dev_cases*.jsonl", "test_cases*.jsonl", "fresh_cases.jsonl"])
def test_requests_name_real_tables_columns_and_actions(
    pattern: str, columns: dict[str, set[str]]
) -> None:
    records = _lines(pattern)
    problems = {r["id"]: p for r in records if (p := _problems(r, columns, ACTIONS))}
    assert problems == {}


@pytest.mark.parametrize(
    "pattern",
    ["dev_conversations*.jsonl", "test_conversations*.jsonl", "fresh_conversations.jsonl"],
)
def test_conversations_name_real_tables_columns_and_tools(
    pattern: str, columns: dict[str, set[str]]
) -> None:
    records = _lines(pattern)
    problems = {r["id"]: p for r in records if (p := _problems(r, columns, ACTIONS | READ_TOOLS))}
    assert problems == {}


def test_the_test_set_shares_no_id_or_message_with_the_development_set() -> None:
    dev, test = _lines("dev_*.jsonl"), _lines("test_*.jsonl")
    ids = [r["id"] for r in dev + test]
    assert len(ids) == len(set(ids))

    def messages(records: list[dict[str, Any]]) -> set[str]:
        said = {r.get("message", "") for r in records}
        said |= {t["say"] for r in records for t in r.get("turns", [])}
        return {m.casefold() for m in said if len(m) > 12}

    assert messages(dev) & messages(test) == set()


RUNS = [
    {"run_id": 3, "status": "finished",
     "result": {"task_type": "regression", "algorithm": "linear",
                "metrics": {"test": {"r2": 0.6}}}},
    {"run_id": 4, "status": "finished",
     "result": {"task_type": "regression", "algorithm": "lightgbm",
                "metrics": {"test": {"r2": 0.8}}}},
    {"run_id": 5, "status": "failed", "result": None},
]  # fmt: skip


def test_the_best_run_is_the_one_with_the_better_headline_metric() -> None:
    assert best_run(RUNS) == {"run_id": 4, "algorithm": "lightgbm"}
    forecasts = [{"run_id": n, "status": "finished", "result": {
        "task_type": "forecasting", "algorithm": a, "metrics": {"test": {"mape": m}}}}
        for n, a, m in [(1, "arima", 0.2), (2, "ets", 0.1)]]  # fmt: skip
    assert best_run(forecasts) == {"run_id": 2, "algorithm": "ets"}
    assert best_run([RUNS[2]]) is None


def test_a_turn_is_checked_on_its_plan_run_pending_and_words() -> None:
    exchange = {
        "plan": {"action": "compare_runs", "config": {"run_ids": [3, 4]}},
        "pending_plan": None,
        "reply": {"content": "Run 4 (lightgbm) has the higher r2.", "parts": []},
    }
    best = best_run(RUNS)
    expect = {"action": "compare_runs", "starts_run": False, "pending": False,
              "reply_includes": ["r2"], "mentions_best": True}  # fmt: skip
    assert check_turn(expect, exchange, best) == []
    wrong = {**exchange, "reply": {"content": "Run 3 won.", "parts": [{"type": "run"}]}}
    problems = check_turn(expect, wrong, best)
    assert any("started a run" in p for p in problems)
    assert any("best run" in p for p in problems)
    assert any("'r2'" in p for p in problems)
    assert check_turn({"action": "train"}, exchange, best)[0].startswith("action is")
