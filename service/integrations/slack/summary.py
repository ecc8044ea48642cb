"""What a Slack thread is told when its run ends: the agent's own words about the result (the
same text the browser's chat gets, `end_words`), the metrics table, the plots and a link to the
run's page; or, for a failed or cancelled run, what the browser says of it.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from ml_backend.numbers import format_metric
from service.db.models import Run, RunStatus
from service.domain.conversations.notes import end_words
from service.errors import StorageUnavailableError
from service.settings import PLOTS_DIR, Settings
from service.storage import open_storage

log = logging.getLogger(__name__)
SECTION_CHARS = 3000
"""Slack refuses a section block whose text is longer."""
MAX_PLOTS = 10
"""files.completeUploadExternal shares at most this many files in one message."""


@dataclass
class RunSummary:
    """A run's ending, ready to be said in a thread."""

    run_id: int
    status: str
    text: str
    """The agent's words, as Slack mrkdwn."""
    metrics: dict[str, dict[str, float]]
    link: str
    plots: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """(name, Plotly figure) of each plot, finished runs only."""


def run_link(settings: Settings, run_id: int) -> str:
    """The run's own page in the web UI."""
    return f"{settings.public_base_url}/#/runs/{run_id}"


def _metrics_of(result: dict[str, Any] | None) -> dict[str, dict[str, float]]:
    """Metrics per split, as the browser's table shows them (a search's refit model's, a
    leaderboard's winner's)."""
    if not result:
        return {}
    metrics = result.get("metrics")
    if not isinstance(metrics, dict) or not metrics:
        training = result.get("training")
        metrics = training.get("metrics") if isinstance(training, dict) else None
    if not isinstance(metrics, dict) and isinstance(result.get("best"), str):
        entries = result.get("entries") or []
        winner = next((e for e in entries if e.get("algorithm") == result["best"]), None)
        metrics = winner.get("metrics") if isinstance(winner, dict) else None
    if not isinstance(metrics, dict):
        return {}
    return {
        str(split): {str(name): value for name, value in values.items()}
        for split, values in metrics.items()
        if isinstance(values, dict) and values
    }


def load_summary(run: Run, settings: Settings) -> RunSummary:
    """The summary of `run`, which has ended (blocking: reads its plots from storage)."""
    content, parts = end_words(run, settings)
    plots: list[tuple[str, dict[str, Any]]] = []
    if run.status == RunStatus.FINISHED:
        storage = open_storage(settings)
        for part in parts:
            if part.get("type") != "plot":
                continue
            figure = part.get("figure")
            if figure is None:  # too large to travel in a chat message; it is read here
                try:
                    raw = storage.read_artifact(
                        run.tenant, run.id, f"{PLOTS_DIR}/{part['name']}.json"
                    )
                    figure = json.loads(raw)
                except (StorageUnavailableError, FileNotFoundError, ValueError):
                    log.warning(
                        "plot %s of run %s left out of its Slack summary", part["name"], run.id
                    )
                    continue
            plots.append((str(part["name"]), figure))
    return RunSummary(run_id=run.id, status=str(run.status), text=to_mrkdwn(content),
                      metrics=_metrics_of(run.result), link=run_link(settings, run.id),
                      plots=plots[:MAX_PLOTS])  # fmt: skip


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _prose_to_mrkdwn(text: str) -> str:
    text = _escape(text)
    text = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r"<\2|\1>", text)
    text = re.sub(r"(?<![*\w])\*(?!\*)([^*\n]+?)\*(?![*\w])", r"_\1_", text)
    text = re.sub(r"\*\*(.+?)\*\*", r"*\1*", text)
    text = re.sub(r"__(.+?)__", r"*\1*", text)
    text = re.sub(r"(?m)^#{1,6}\s+(.+)$", r"*\1*", text)
    return re.sub(r"(?m)^(\s*)[-+]\s+", r"\1• ", text)


def to_mrkdwn(markdown: str) -> str:
    """The agent's Markdown as Slack's mrkdwn: bold, italics, links, headings, lists; code
    spans as they are."""
    pieces = re.split(r"(```.*?```|`[^`\n]*`)", markdown, flags=re.DOTALL)
    return "".join(piece if index % 2 else _prose_to_mrkdwn(piece)
                   for index, piece in enumerate(pieces))  # fmt: skip


def metrics_table(metrics: dict[str, dict[str, float]]) -> str | None:
    """The metrics per split as a monospaced table (mrkdwn has no tables)."""
    splits = list(metrics)
    if not splits:
        return None
    names: list[str] = []
    for split in splits:
        names += [name for name in metrics[split] if name not in names]
    rows = [["metric", *splits]]
    rows += [[name, *(format_metric(name, metrics[s].get(name)) for s in splits)] for name in names]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()
             for row in rows]  # fmt: skip
    return "```\n" + "\n".join(lines) + "\n```"


def _clip(text: str) -> str:
    return text if len(text) <= SECTION_CHARS else text[: SECTION_CHARS - 1] + "…"


def summary_message(summary: RunSummary, images_note: str | None) -> tuple[str, list[Any]]:
    """The summary as (fallback text, Block Kit blocks) for chat.postMessage."""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": _clip(summary.text)}}
    ]
    table = metrics_table(summary.metrics)
    if table is not None:
        shown = _clip(f"*Metrics*\n{table}")
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": shown}})
    footer = f"<{summary.link}|Open run {summary.run_id} in mlchat>"
    if images_note:
        footer += f" · {images_note}"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": footer}]})
    fallback = f"{summary.text}\n{summary.link}"
    return fallback, blocks
