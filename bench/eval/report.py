"""Scores of evaluation cases, overall and by language and action, as text."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Outcome:
    """One checked case (or conversation turn): its groups, its problems, its latency."""

    case_id: str
    language: str
    action: str
    problems: list[str]
    seconds: float
    message: str = ""

    @property
    def passed(self) -> bool:
        return not self.problems


@dataclass
class Report:
    title: str
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(o.passed for o in self.outcomes)

    def score(self) -> float:
        return self.passed / len(self.outcomes) if self.outcomes else 0.0

    def lines(self, *, failures: bool = False) -> list[str]:
        total = len(self.outcomes)
        seconds = [o.seconds for o in self.outcomes] or [0.0]
        p95 = sorted(seconds)[max(0, int(0.95 * len(seconds)) - 1)]
        lines = [
            f"{self.title}: {self.passed}/{total} ({self.score():.0%}); latency median "
            f"{1000 * statistics.median(seconds):.1f} ms, p95 {1000 * p95:.1f} ms"
        ]
        for name, key in (("language", "language"), ("action", "action")):
            lines.append(f"  by {name}: " + ", ".join(_groups(self.outcomes, key)))
        if failures:
            for outcome in self.outcomes:
                if not outcome.passed:
                    lines.append(f"  FAIL {outcome.case_id}: {outcome.message!r}")
                    lines.extend(f"       {problem}" for problem in outcome.problems)
        return lines


def _groups(outcomes: Iterable[Outcome], key: str) -> list[str]:
    groups: dict[str, list[bool]] = defaultdict(list)
    for outcome in outcomes:
        groups[getattr(outcome, key)].append(outcome.passed)
    return [f"{name} {sum(v)}/{len(v)}" for name, v in sorted(groups.items())]


def expected_action(expect: dict[str, object]) -> str:
    """The action a case expects, for grouping: `action`, else the first of `action_in`."""
    if isinstance(expect.get("action"), str):
        return str(expect["action"])
    options = expect.get("action_in")
    if isinstance(options, list) and options:
        return str(options[0])
    return "any"
