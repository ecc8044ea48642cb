"""Running evaluation cases and scripted conversations against a running mlchat."""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from bench.eval.report import Outcome, Report, expected_action
from bench.eval.tables import write_csvs
from bench.evaluation import check_case

FINAL = {"finished", "failed", "cancelled"}
_TURN_KEYS = {"starts_run", "pending", "reply_includes", "reply_includes_any", "mentions_best",
              "mentions_leader"}  # fmt: skip
_LOWER_IS_BETTER = {"rmse", "mae", "mape", "smape", "log_loss"}
_RUN_REF = re.compile(r"\{run(\d+)\}")
"""`{run2}` in a scripted message: the id of the conversation's second run (ids are global)."""
_HEADLINE = {"classification": "accuracy", "regression": "r2", "forecasting": "mape"}


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def ensure_tables(
    http: httpx.Client, write: Callable[[Path], dict[str, Path]] = write_csvs
) -> None:
    """Upload the evaluation tables (those `write` makes) that the server does not have yet."""
    have = {d["name"] for d in http.get("/api/v1/datasets").raise_for_status().json()}
    with tempfile.TemporaryDirectory() as folder:
        for name, path in write(Path(folder)).items():
            if name not in have:
                files = {"file": (path.name, path.read_bytes())}
                http.post("/api/v1/datasets", files=files, data={"name": name}).raise_for_status()


def run_cases(http: httpx.Client, cases: list[dict[str, Any]], title: str) -> Report:
    """Each case through `POST /api/v1/agent/plan`, checked against its `expect`."""
    report = Report(title)
    for case in cases:
        started = time.perf_counter()
        response = http.post(
            "/api/v1/agent/plan",
            json={"dataset": {"name": case["dataset"]}, "message": case["message"]},
        )
        seconds = time.perf_counter() - started
        plan = response.json() if response.status_code == 200 else {"action": "http-error"}
        problems = check_case(case["expect"], plan)
        if problems:
            problems.append(f"plan: {json.dumps(plan)[:300]}")
        report.outcomes.append(Outcome(
            case["id"], case.get("language", "en"), expected_action(case["expect"]),
            problems, seconds, case["message"],
        ))  # fmt: skip
    return report


def run_conversations(
    http: httpx.Client, conversations: list[dict[str, Any]], title: str
) -> Report:
    """Each scripted conversation turn by turn, after its runs so far have finished."""
    report = Report(title)
    for script in conversations:
        created = http.post("/api/v1/conversations", json={"dataset": {"name": script["dataset"]}})
        conversation = created.raise_for_status().json()["id"]
        runs: list[int] = []
        for number, turn in enumerate(script["turns"], start=1):
            if turn.get("wait") == "running":
                # A question about a run in progress: asked once its last run is under way.
                finished = [_wait_running(http, runs[-1])] if runs else []
            else:
                finished = _wait(http, runs)
            started = time.perf_counter()
            said = with_run_ids(turn["say"], runs)
            response = http.post(
                f"/api/v1/conversations/{conversation}/messages", json={"text": said}
            )
            seconds = time.perf_counter() - started
            exchange = response.json() if response.status_code == 200 else {}
            parts = (exchange.get("reply") or {}).get("parts") or []
            runs += [p["run_id"] for p in parts if p.get("type") == "run"]
            expect = {k: _with_ids(v, runs) for k, v in (turn.get("expect") or {}).items()}
            problems = check_turn(expect, exchange, best_run(finished), leader(finished))
            report.outcomes.append(Outcome(
                f"{script['id']}#{number}", script.get("language", "en"),
                expected_action(turn.get("expect") or {}), problems, seconds, turn["say"],
            ))  # fmt: skip
    return report


def with_run_ids(text: str, runs: list[int]) -> str:
    """`text` with each `{runN}` replaced by the id of the conversation's N-th run."""

    def nth(match: re.Match[str]) -> str:
        number = int(match.group(1))
        return str(runs[number - 1]) if 0 < number <= len(runs) else "0"

    return _RUN_REF.sub(nth, text)


def _with_ids(value: Any, runs: list[int]) -> Any:
    """An expectation with `{runN}` in its words replaced as in the scripted message."""
    if isinstance(value, list):
        return [with_run_ids(v, runs) if isinstance(v, str) else v for v in value]
    return value


def check_turn(
    expect: Mapping[str, Any],
    exchange: Mapping[str, Any],
    best: dict[str, Any] | None,
    leading: str | None = None,
) -> list[str]:
    """The ways one turn's exchange misses its `expect`; empty when it passes."""
    if not exchange:
        return ["the message was refused (no exchange)"]
    reply = exchange.get("reply") or {}
    text = str(reply.get("content") or "")
    parts = reply.get("parts") or []
    plan = exchange.get("plan") or {"action": _action_of(parts)}
    problems = check_case({k: v for k, v in expect.items() if k not in _TURN_KEYS}, plan)
    started = any(p.get("type") == "run" for p in parts)
    if "starts_run" in expect and started != expect["starts_run"]:
        problems.append(f"started a run: {started}, expected {expect['starts_run']}")
    pending = exchange.get("pending_plan") is not None
    if "pending" in expect and pending != expect["pending"]:
        problems.append(f"a plan pending: {pending}, expected {expect['pending']}")
    for words in expect.get("reply_includes") or []:
        if str(words).casefold() not in text.casefold():
            problems.append(f"the reply does not say {words!r}")
    options = [str(words) for words in expect.get("reply_includes_any") or []]
    if options and not any(words.casefold() in text.casefold() for words in options):
        problems.append(f"the reply says none of {options!r}")
    if expect.get("mentions_leader"):
        if leading is None:
            problems.append("no finished leaderboard")
        elif leading.casefold() not in text.casefold():
            problems.append(f"the reply does not name the leaderboard's winner ({leading})")
    if expect.get("mentions_best"):
        if best is None:
            problems.append("no finished runs to compare")
        elif not _names(text, best):
            problems.append(f"the reply does not name the best run ({best['run_id']}, "
                            f"{best['algorithm']})")  # fmt: skip
    if problems:
        problems.append(f"reply: {text[:300]!r}")
    return problems


def best_run(runs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The best of finished model runs by their task's headline test metric."""
    scored = []
    for run in runs:
        result = run.get("result") or {}
        test = (result.get("metrics") or {}).get("test") or {}
        task = result.get("task_type") or (result.get("training") or {}).get("task_type")
        metric = _HEADLINE.get(str(task), "")
        if run.get("status") == "finished" and isinstance(test.get(metric), int | float):
            sign = -1 if metric in _LOWER_IS_BETTER else 1
            scored.append((sign * test[metric], run["run_id"], result.get("algorithm", "")))
    if not scored:
        return None
    _, run_id, algorithm = max(scored)
    return {"run_id": run_id, "algorithm": algorithm}


def leader(runs: list[dict[str, Any]]) -> str | None:
    """The algorithm ranked first by the last finished leaderboard among `runs`."""
    for run in reversed(runs):
        result = run.get("result") or {}
        if run.get("status") == "finished" and isinstance(result.get("entries"), list):
            return str(result.get("best")) if result.get("best") else None
    return None


def _names(text: str, best: Mapping[str, Any]) -> bool:
    said = text.casefold()
    run_id = best["run_id"]
    return (f"run {run_id}" in said or f"#{run_id}" in said
            or str(best["algorithm"]).casefold() in said)  # fmt: skip


def _action_of(parts: list[dict[str, Any]]) -> str:
    for part in parts:
        if part.get("type") in {"plan", "run"}:
            return str(part.get("action"))
        if part.get("type") in {"describe", "clarify", "error"}:
            return str(part["type"])
    return "none"


def _wait_running(http: httpx.Client, run_id: int, timeout_s: float = 300) -> dict[str, Any]:
    """The run, once it has made some progress (or ended, or the wait ran out)."""
    deadline = time.monotonic() + timeout_s
    while True:
        view = http.get(f"/api/v1/runs/{run_id}").raise_for_status().json()
        moving = view["status"] not in {"queued", "preprocessing"} and (view["progress"] or 0) > 0
        if moving or view["status"] in FINAL or time.monotonic() > deadline:
            return dict(view)
        time.sleep(0.2)


def _wait(http: httpx.Client, runs: list[int], timeout_s: float = 600) -> list[dict[str, Any]]:
    """The runs, once each has ended."""
    deadline = time.monotonic() + timeout_s
    views = []
    for run_id in runs:
        while True:
            view = http.get(f"/api/v1/runs/{run_id}").raise_for_status().json()
            if view["status"] in FINAL or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        views.append(view)
    return views
