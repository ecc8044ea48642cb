"""Progress of one series among several, told as progress of the whole forecast."""

from __future__ import annotations

from ml_backend.reporting import ProgressUnit, Reporter


class GroupReporter:
    """Maps series `index` of `count`'s steps onto the run's, and names the series in words."""

    def __init__(self, reporter: Reporter, index: int, count: int, label: str) -> None:
        self.reporter = reporter
        self.index = index
        self.count = count
        self.label = label

    def progress(
        self,
        step: int,
        total: int,
        *,
        message: str | None = None,
        metrics: dict[str, float] | None = None,
        unit: ProgressUnit | None = None,
        fraction: float | None = None,
    ) -> None:
        # Each series fits the same candidates, so every series counts `total` steps.
        self.reporter.progress(
            self.index * total + step,
            self.count * total,
            message=f"{self.label}: {message}" if message else self.label,
            metrics=metrics,
            unit=unit,
            fraction=None if fraction is None else (self.index + fraction) / self.count,
        )

    def log(self, message: str) -> None:
        self.reporter.log(f"{self.label}: {message}")

    def artifact(self, kind: str, name: str) -> None:
        self.reporter.artifact(kind, name)
