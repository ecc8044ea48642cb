"""What the progress message says as a run's events arrive: the bar, the step in the run's unit,
elapsed time, no time left until the pace is measurable and then the browser's estimate, the
latest metric, and how it ended."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from service.integrations.slack.progress import ProgressState, progress_text

T0 = 1_800_000_000.0


def _event(kind: str, at: float, **fields: Any) -> dict[str, Any]:
    ts = datetime.fromtimestamp(T0 + at, UTC).isoformat().replace("+00:00", "Z")
    return {"type": kind, "run_id": 7, "ts": ts, **fields}


def test_a_training_run_shows_its_step_time_left_and_latest_metric() -> None:
    state = ProgressState(7)
    state.apply(_event("queued", 0, message="place 1 in line"))
    assert progress_text(state, T0).startswith(":hourglass: *Run 7* is queued (place 1 in line)")
    state.apply(_event("started", 1))
    state.apply(_event("progress", 2, progress=0.05, step=50, total=1000, unit="round"))
    early = progress_text(state, T0 + 2)
    assert "round 50 of 1000" in early and "estimating time left" in early
    state.apply(_event("progress", 21, progress=0.5, step=500, total=1000, unit="round",
                       metrics={"validation/logloss": 0.3141}))  # fmt: skip
    text = progress_text(state, T0 + 21)
    assert text.splitlines() == [
        ":hourglass_flowing_sand: *Run 7* is training",
        "`██████████░░░░░░░░░░` 50% · round 500 of 1000",
        "elapsed 20 s · about 21 s left",  # 45% in 19 s, 50% to go
        "latest validation/logloss: 0.3141",
    ]


def test_coarse_units_count_the_one_under_way() -> None:
    state = ProgressState(7)
    state.apply(_event("progress", 1, progress=0.15, step=3, total=20, unit="trial"))
    assert "trial 4 of 20" in progress_text(state, T0 + 1)


def test_an_automl_counts_its_budget_and_shows_its_best_score() -> None:
    state = ProgressState(7)
    state.apply(_event("progress", 45, progress=0.15, step=45, total=300, unit="second",
                       metrics={"best/accuracy": 0.981}))  # fmt: skip
    text = progress_text(state, T0 + 45)
    assert "45 s of 300 s budget" in text and "best/accuracy: 0.981" in text


def test_the_end_says_how_long_it_took_or_why_it_failed() -> None:
    finished = ProgressState(7)
    finished.apply(_event("started", 0))
    finished.apply(_event("progress", 3, progress=0.4, step=40, total=100, unit="tree"))
    finished.apply(_event("finished", 95, progress=1.0, message="train finished"))
    text = progress_text(finished, T0 + 500)
    assert text.startswith(":white_check_mark: *Run 7 finished*\n`████████████████████` 100%")
    assert "took 1 min 35 s" in text and "left" not in text

    failed = ProgressState(7)
    failed.apply(_event("started", 0))
    failed.apply(_event("failed", 2, message="exceeded the 2 s limit"))
    assert progress_text(failed, T0 + 9).startswith(":x: *Run 7 failed*: exceeded the 2 s limit")
