"""A run's progress as one Slack message: its events folded into a state, the state as text.

It says what the browser's run card says (web/js/progress.js, runs.js): a bar, the step in the
run's own unit ("tree 120 of 400", "trial 4 of 20"), elapsed time, an honest time left (none
until the pace is measurable), the latest metric; and, at the end, how it ended.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ml_backend.numbers import format_metric
from service.events import FINAL_EVENT_TYPES

BAR_CELLS = 20
COARSE_UNITS = frozenset({"trial", "algorithm"})
"""Units that each are a whole model: a few of them done already show the pace."""


class EtaEstimator:
    """Time left from (time, share done) points, as the browser estimates it: nothing until at
    least `min_share` is done over `min_seconds`, or `min_units` coarse units; then the pace of
    the later half of the progress, so a slow start (loading, a first round) is forgotten."""

    def __init__(self, min_share: float = 0.1, min_seconds: float = 5.0, min_units: int = 3):
        self.min_share = min_share
        self.min_seconds = min_seconds
        self.min_units = min_units
        self.points: list[tuple[float, float]] = []
        self.units = 0

    def add(self, seconds: float, share: float, units: int | None = None) -> None:
        if self.points and (seconds < self.points[-1][0] or share < self.points[-1][1]):
            return
        self.points.append((seconds, share))
        if units is not None:
            self.units = max(self.units, units)

    def _measurable(self) -> bool:
        if len(self.points) < 2:
            return False
        (t0, s0), (t1, s1) = self.points[0], self.points[-1]
        if s1 <= s0 or t1 <= t0:
            return False
        return (s1 >= self.min_share and t1 - t0 >= self.min_seconds) or (
            self.units >= self.min_units
        )

    def remaining(self, now: float) -> float | None:
        """Seconds left at `now` (the points' clock), or None while it cannot be said."""
        if not self._measurable():
            return None
        t1, s1 = self.points[-1]
        reference = self.points[0]
        for point in self.points:
            if point[1] > s1 / 2 or point[0] >= t1:
                break
            reference = point
        t0, s0 = reference
        if s1 <= s0 or t1 <= t0:
            return None
        rate = (s1 - s0) / (t1 - t0)
        return max(0.0, (1 - s1) / rate - max(0.0, now - t1))


def step_text(step: Any, total: Any, unit: Any) -> str | None:
    """'tree 120 of 400', 'trial 4 of 20' (the one under way), 'epoch 3', '45 s of 300 s
    budget'."""
    if not isinstance(step, int):
        return None
    if not unit:
        return f"step {step} of {total}" if total else f"step {step}"
    if unit == "second":  # an AutoML's budget spent
        return f"{step} s of {total} s budget" if total else f"{step} s"
    if unit not in COARSE_UNITS:
        return f"{unit} {step} of {total}" if total else f"{unit} {step}"
    if not total:
        return f"{unit} {step + 1} (time-boxed)"
    if step >= total:
        return f"{total} of {total} {unit}s done"
    return f"{unit} {step + 1} of {total}"


def short_duration(seconds: float) -> str:
    """'42 s', '3 min 05 s', '1 h 20 min'."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def event_time(event: dict[str, Any]) -> float | None:
    """An event's time (`ts`, written by whoever appended it) in epoch seconds."""
    ts = event.get("ts")
    if not isinstance(ts, str):
        return None
    try:
        return datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


@dataclass
class ProgressState:
    """What a run's events have said so far."""

    run_id: int
    status: str = "queued"
    progress: float = 0.0
    step: int | None = None
    total: int | None = None
    unit: str | None = None
    metric: tuple[str, float] | None = None
    message: str | None = None
    started_at: float | None = None
    ended_at: float | None = None
    seq: int = 0
    eta: EtaEstimator = field(default_factory=EtaEstimator)

    @property
    def final(self) -> bool:
        return self.status in FINAL_EVENT_TYPES

    def apply(self, event: dict[str, Any]) -> None:
        """Folds in one event of the run's stream (in `seq` order)."""
        kind = str(event.get("type"))
        if isinstance(event.get("seq"), int):
            self.seq = event["seq"]
        at = event_time(event)
        if kind == "started" or (self.started_at is None and kind == "progress"):
            self.started_at = self.started_at or at
        if kind in FINAL_EVENT_TYPES:
            self.status = kind
            self.ended_at = at
            self.message = event.get("message") or self.message
            if kind == "finished":
                self.progress = 1.0
            return
        if kind == "progress":
            self.status = "training"
        elif kind == "started":
            self.status = "preprocessing"
        elif kind in ("queued", "log") and event.get("message"):
            self.message = str(event["message"])
        if isinstance(event.get("progress"), int | float):
            self.progress = max(self.progress, min(1.0, float(event["progress"])))
            if kind == "progress" and at is not None:
                units = event.get("step") if event.get("unit") in COARSE_UNITS else None
                self.eta.add(at, self.progress, units if isinstance(units, int) else None)
        if isinstance(event.get("step"), int):
            self.step, self.total, self.unit = event["step"], event.get("total"), event.get("unit")
        metrics = event.get("metrics")
        if isinstance(metrics, dict):
            numbers = [(str(k), float(v)) for k, v in metrics.items()
                       if isinstance(v, int | float) and not isinstance(v, bool)]  # fmt: skip
            if numbers:
                self.metric = numbers[-1]


def bar(share: float) -> str:
    filled = round(max(0.0, min(1.0, share)) * BAR_CELLS)
    return "█" * filled + "░" * (BAR_CELLS - filled)


_HEADS = {
    "queued": ":hourglass: *Run {id}* is queued",
    "preprocessing": ":hourglass_flowing_sand: *Run {id}* is preparing its data",
    "training": ":hourglass_flowing_sand: *Run {id}* is training",
    "finished": ":white_check_mark: *Run {id} finished*",
    "failed": ":x: *Run {id} failed*",
    "cancelled": ":no_entry_sign: *Run {id} was cancelled*",
}


def progress_text(state: ProgressState, now: float) -> str:
    """The progress message's mrkdwn for `state` at `now` (epoch seconds)."""
    head = _HEADS.get(state.status, _HEADS["training"]).format(id=state.run_id)
    if state.status == "failed":
        head += f": {state.message or 'no reason was recorded'}"
    elif state.status == "queued" and state.message:
        head += f" ({state.message})"
    line = f"`{bar(state.progress)}` {100 * state.progress:.0f}%"
    counted = step_text(state.step, state.total, state.unit)
    if counted:
        line += f" · {counted}"
    lines = [head, line]
    if state.started_at is not None:
        end = state.ended_at if state.final and state.ended_at else now
        timing = f"{'took' if state.final else 'elapsed'} {short_duration(end - state.started_at)}"
        if not state.final:
            left = state.eta.remaining(now)
            timing += " · estimating time left…" if left is None else (
                " · finishing…" if left < 1 else f" · about {short_duration(left)} left"
            )  # fmt: skip
        lines.append(timing)
    if state.metric is not None:
        name, value = state.metric
        lines.append(f"latest {name}: {format_metric(name, value)}")
    return "\n".join(lines)
