"""Answers about one run, from its stored view: what the question asked first (what mattered
most, the settings, why it failed, how long is left), then the rest of what is known.

`about` is what the question asks of the run (`RunAspect`); the run's state decides the
rest: a failed run is answered with why it failed, a cancelled one with where it stopped, a
running one with its progress and the time left, a finished one with its summary.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from agents.automl_answers import is_automl, winner_settings_text, winner_text
from ml_backend.numbers import format_metric, format_params

RunAspect = Literal["overview", "features", "settings", "failure", "progress"]
"""What a question asks of a run: how it did overall, what mattered most, its settings (the
best ones, for a search), why it failed, or how far along it is."""
ASPECTS: tuple[str, ...] = ("overview", "features", "settings", "failure", "progress")
TOP_FEATURES = 5
MIN_PROGRESS = 0.02
"""Below this share done the pace says too little to estimate the time left."""
_ACTIVE = {"queued", "preprocessing", "training"}
ENDED = frozenset({"finished", "failed", "cancelled"})


def run_answer(
    run: Mapping[str, Any], about: str | None = None, now: datetime | None = None
) -> str:
    """The answer to a question about `run` (a job view, with `summary` once finished)."""
    status = str(run.get("status"))
    if status == "failed":
        return failure_text(run)
    if status == "cancelled":
        return cancelled_text(run)
    if status in _ACTIVE:
        return progress_text(run, now or datetime.now(UTC))
    summary = str(run.get("summary") or f"Run {run['run_id']} is {status}.")
    lead = _finished_lead(run, about)
    return f"{lead}\n\n{summary}" if lead else summary


def _finished_lead(run: Mapping[str, Any], about: str | None) -> str:
    if about == "features":
        return features_text(run)
    if about == "settings":
        return settings_text(run)
    run_id = run["run_id"]
    result = run.get("result") or {}
    if about in {None, "overview"} and is_automl(result):
        return winner_text(run_id, result)  # 'which one won?': the summary does not lead with it
    took = _took(run)
    if about == "failure":
        return f"Run {run_id} did not fail: it finished{took}."
    if about == "progress":
        return f"Run {run_id} has finished{took}."
    return ""


def features_text(run: Mapping[str, Any]) -> str:
    """What the run's model relied on most, by its stored feature importance."""
    result = run.get("result") or {}
    run_id = run["run_id"]
    shares = _importance(result)
    if shares:
        top = ", ".join(f"`{name}` ({100 * share:.0f}%)" for name, share in shares[:TOP_FEATURES])
        rest = len(shares) - TOP_FEATURES
        more = f", and {rest} more" if rest > 0 else ""
        return f"What run {run_id}'s model relied on most: {top}{more}."
    if isinstance(result.get("entries"), list):
        best = result.get("best")
        then = f" train the winner ({best}) on its own to see it" if best else ""
        return (
            f"Run {run_id} is a leaderboard: it keeps each algorithm's scores, not what its "
            f"models relied on;{then or ' train one algorithm on its own to see it'}."
        )
    return f"Run {run_id} has no feature importance stored (its kind of model gives none)."


def settings_text(run: Mapping[str, Any]) -> str:
    """The run's settings: the best a search found, or those its model was trained with."""
    result = run.get("result") or {}
    run_id = run["run_id"]
    if is_automl(result):
        return winner_settings_text(run_id, result)
    if "best_params" in result:
        goal = str(result.get("goal_metric") or "score")
        trials = result.get("trials") or []
        trial = result.get("best_trial")
        which = f" (trial {trial} of {len(trials)})" if trial is not None and trials else ""
        text = (
            f"The best settings run {run_id}'s search found{which}: "
            f"{format_params(result['best_params']) or 'the defaults'}, with a validation "
            f"{goal} of {format_metric(goal, result.get('best_value'))}"
        )
        scored_on = result.get("selected_on")
        text += f" on {scored_on}." if scored_on else "."
        defaults = result.get("default_value")
        if defaults is not None:
            text += f" The algorithm's defaults scored {format_metric(goal, defaults)} there."
        return text
    if isinstance(result.get("entries"), list):
        return f"Run {run_id} is a leaderboard: each algorithm ran with its default settings."
    config = run.get("config") or {}
    params = result.get("hyperparameters") or config.get("hyperparameters") or {}
    algorithm = result.get("algorithm") or config.get("algorithm") or "its algorithm"
    if not params:
        return f"Run {run_id} trained {algorithm} with its default settings (nothing was tuned)."
    return f"Run {run_id} trained {algorithm} with {format_params(params)} (not tuned)."


def failure_text(run: Mapping[str, Any]) -> str:
    """Why the run failed, in the words its job left, and that it has no result."""
    error = str(run.get("error") or "").strip().rstrip(".")
    why = f": {error}." if error else ", without saying why."
    return f"Run {run['run_id']} failed{why} It has no model or result; fix that and run it again."


def cancelled_text(run: Mapping[str, Any]) -> str:
    """Where a cancelled run stopped."""
    done = _done_words(run)
    took = _took(run)
    stopped = f" It stopped at {done}{took}." if done else (f" It ran{took}." if took else "")
    return f"Run {run['run_id']} was cancelled, so it has no result.{stopped}"


def cancel_text(run_id: int, run: Mapping[str, Any]) -> str:
    """What a cancel request did to run `run_id` (its view after the request)."""
    status = str(run.get("status"))
    if status == "cancelled":
        done = _done_words(run)
        where = f" at {done}" if done else ""
        return f"Run {run_id} is cancelled: it stopped{where} and keeps no result."
    return f"Run {run_id} is {status}."


def progress_text(run: Mapping[str, Any], now: datetime) -> str:
    """How far along an unfinished run is, and about how long is left at its pace so far."""
    run_id, status = run["run_id"], str(run.get("status"))
    if status == "queued":
        place = str(run.get("message") or "waiting for a free worker")
        return (
            f"Run {run_id} is still queued ({place}): it has not started, so how long is left "
            "cannot be estimated yet."
        )
    done = _done_words(run)
    started = _moment(run.get("started_at"))
    elapsed = (now - started).total_seconds() if started is not None else None
    opening = f"Run {run_id} is still running ({status}"
    opening += f", {done})" if done else ")"
    if elapsed is not None:
        opening += f", for {_duration(elapsed)} so far"
    progress = float(run.get("progress") or 0.0)
    if elapsed is None or progress < MIN_PROGRESS:
        return f"{opening}. It is too early to estimate how long is left."
    left = elapsed * (1 - progress) / progress
    return f"{opening}: at its pace so far, about {_duration(left)} left."


def _done_words(run: Mapping[str, Any]) -> str:
    progress = run.get("progress")
    step, total, unit = run.get("step"), run.get("total"), run.get("unit")
    share = f"{100 * float(progress):.0f}% done" if isinstance(progress, int | float) else ""
    if isinstance(step, int) and isinstance(total, int) and total:
        noun = f"{unit or 'step'}{'s' if total != 1 else ''}"
        counted = f"{step} of {total} {noun}"
        return f"{counted}, {share}" if share else counted
    return share


def _importance(result: Mapping[str, Any]) -> list[tuple[str, float]]:
    listed = result.get("feature_importance") or (result.get("training") or {}).get(
        "feature_importance"
    )
    shares: list[tuple[str, float]] = []
    for item in listed or []:
        if isinstance(item, Mapping) and isinstance(item.get("importance"), int | float):
            shares.append((str(item.get("feature")), float(item["importance"])))
    return sorted(shares, key=lambda pair: -pair[1])


def _took(run: Mapping[str, Any]) -> str:
    started, ended = _moment(run.get("started_at")), _moment(run.get("finished_at"))
    if started is None or ended is None:
        return ""
    return f" after {_duration((ended - started).total_seconds())}"


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    # SQLite hands times back without their zone; they are stored in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _duration(seconds: float) -> str:
    """A span as a person says it: '40 seconds', '3 minutes', '1 hour 20 minutes'."""
    seconds = max(0.0, seconds)
    if seconds < 90:
        whole = max(1, round(seconds))
        return f"{whole} second{'s' if whole != 1 else ''}"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"{minutes} minutes"
    hours, rest = divmod(minutes, 60)
    return f"{hours} hour{'s' if hours != 1 else ''}" + (f" {rest} minutes" if rest else "")
