"""Which series of a panel (several series per time stamp, one per store) a forecast is about.

A forecast of such a table must not average the series unasked: the message says one series
('for store S3'), each of them ('for each store'), or their total or mean ('total sales');
when it says none of these, the planner asks, naming the key column and a few of its values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from agents.languages import fold
from agents.planner.cues import SERIES_ANSWER_TABLE, SERIES_TABLE
from agents.planner.phrases import PhraseTable
from agents.planner.questions import Reply
from agents.planner.request import Request
from agents.planner.text import stem
from ml_backend.configs import MAX_SERIES_GROUPS
from ml_backend.jobs.forecast.panel import Panel, find_panel, key_text
from ml_backend.schema import DatasetProfile

_SHOWN_VALUES = 3
# Words a person puts between 'for each' and the key: 'for each of the stores'.
_BETWEEN = frozenset({"of", "the", "single", "individual", "one", "our", "my", "a"})


@dataclass(frozen=True)
class SeriesReading:
    """The config's `series` the message asks for, or the question to ask instead."""

    choice: dict[str, Any] | None
    question: str | None = None


def panel_key(profile: DatasetProfile, time_column: str) -> str | None:
    """The key column of the dataset's series, if it holds several over `time_column`."""
    panel = find_panel(profile, time_column, "")
    return panel.key.name if panel is not None else None


def read_series(
    request: Request,
    profile: DatasetProfile,
    previous: dict[str, Any] | None,
    time_column: str,
    target: str,
    reply: Reply | None = None,
) -> SeriesReading:
    """Which series `request` forecasts; `previous` is the last forecast's `series`, kept
    when the message changes something else ('now 12 months ahead'); `reply` answers the
    question which, asked of this request before."""
    panel = find_panel(profile, time_column, target)
    if panel is None:
        return SeriesReading(None)
    key = panel.key.name
    said = _said(request, panel)
    if not said and reply is not None:
        # The answer to 'one store, each store, or the total?' may say 'each' or 'all' alone.
        answered = _said(reply.request, panel, answering=True) or _values_in(reply.said, panel)
        if len(answered) == 1:
            return SeriesReading(answered[0])
        heard = "more than one of these" if answered else f"none of these in '{reply.said.strip()}'"
        question = _question(panel, target, time_column, conflicting=False)
        return SeriesReading(None, f"I read {heard}. {question}")
    if len(said) == 1:
        return SeriesReading(said[0])
    if not said and isinstance(previous, dict) and previous.get("column") == key:
        return SeriesReading(previous)
    return SeriesReading(None, _question(panel, target, time_column, conflicting=len(said) > 1))


def _said(request: Request, panel: Panel, answering: bool = False) -> list[dict[str, Any]]:
    """Every distinct choice the message makes: a value, each, sum, mean; `answering` the
    question which, where 'each' needs no key after it."""
    key = panel.key.name
    tokens = request.tokens
    choices: list[dict[str, Any]] = []
    key_spans = {i for m in request.mentions if key in m.columns for i in range(m.start, m.end)}
    key_starts = {m.start for m in request.mentions if key in m.columns}
    key_starts |= {i for i, t in enumerate(tokens) if t.stem == stem(key.lower())}
    # Short values ('S3') too: the key's own values are few and known, unlike any column's.
    value_table = PhraseTable((value, value) for value in panel.values)
    for match in value_table.find(tokens, request.blocked - key_spans):
        # A bare number is a store only right after the key ('store 3'), not in '6 months'.
        if match.value.replace(".", "", 1).isdigit() and match.start - 1 not in key_spans:
            continue
        choices.append({"column": key, "value": match.value})
    for match in SERIES_TABLE.find(tokens, request.blocked):
        mode = match.value
        if mode == "each_before_key":
            after = match.end
            while after < len(tokens) and tokens[after].text in _BETWEEN:
                after += 1
            if after not in key_starts and not answering:
                continue
            mode = "each"
        choices.append({"column": key, "mode": mode})
    if answering and not choices:
        for match in SERIES_ANSWER_TABLE.find(tokens, request.blocked):
            choices.append({"column": key, "mode": match.value})
    distinct: list[dict[str, Any]] = []
    for choice in choices:
        if choice not in distinct:
            distinct.append(choice)
    return distinct


def _values_in(text: str, panel: Panel) -> list[dict[str, Any]]:
    """The key's values written in `text` as they are in the data: an answer's 'WH-A' or
    'S3', which a language's rewriting may have changed ('a' is a word in Spanish)."""
    said = _spaced(text)
    return [
        {"column": panel.key.name, "value": value}
        for value in panel.values
        if not value.replace(".", "", 1).isdigit() and _spaced(value) in said
    ]


def _spaced(text: str) -> str:
    return " " + " ".join(_NAME_PIECE.findall(fold(text))) + " "


_NAME_PIECE = re.compile(r"[\w-]+")


def _question(panel: Panel, target: str, time_column: str, *, conflicting: bool) -> str:
    key = panel.key.name
    values = panel.values
    shown = ", ".join(f"`{v}`" for v in values[:_SHOWN_VALUES])
    more = ", …" if panel.key.distinct > _SHOWN_VALUES else ""
    example = key_text(values[0]) if values else "…"
    each = (
        f"each `{key}` on its own (“for each {key}”, a model per series)"
        if panel.key.distinct <= MAX_SERIES_GROUPS
        else f"not each `{key}` on its own (at most {MAX_SERIES_GROUPS}; it has "
        f"{panel.key.distinct})"
    )
    opening = "You asked for more than one of these. " if conflicting else ""
    return (
        f"{opening}`{target}` holds {panel.key.distinct} series, one per `{key}` ({shown}{more}): "
        f"about {panel.rows_per_time:.3g} rows per `{time_column}`. Which should I forecast: "
        f"one `{key}` (“for {key} {example}”), {each}, or the total across them "
        f"(“total {target}”, or “average {target}” for their mean)?"
    )
