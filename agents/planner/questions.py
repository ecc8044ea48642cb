"""Questions the planner asks, and the answers to them.

A question the planner asks names its *slot*: what the request it came from lacks (the
column to predict, which series of a panel, the columns of a chart, the dataset) or which of
its words could not be read (a column or an algorithm that is ambiguous or does not exist).
The slot travels with the question, with the request; the next message, when it fills the
slot, is merged into the request and planned with the request's intent
(`agents.planner.plan.plan_answer`). How an answer fills each kind of slot:

- `target`, `series`: the request is planned again with the answer read where the slot is
  decided (`build._target`, `series.read_series`), so it is read with what that place knows
  (the panel's key and its values, which columns a forecast can take);
- `columns`: the answer is the chart's columns, read as the words after the chart's name
  ('a histogram' + 'bill length' is 'a histogram of bill length');
- `column`, `algorithm`: the words the slot is about (`said`) are replaced in the request by
  the name the answer gives, which must be one the data or the registry has;
- `dataset`: the request is planned again against the dataset the answer names.

An answer that fills nothing is asked about again, naming what it could have meant; it is
never taken as the nearest name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict

from agents.planner.request import Request
from agents.planner.roles import Roles
from agents.planner.text import STOPWORDS

SlotKind = Literal["target", "series", "columns", "column", "algorithm", "dataset"]
READ_IN_PLACE: frozenset[str] = frozenset({"target", "series"})
"""Slots whose answer is read where the planner decides them, the request planned again."""


class Slot(BaseModel):
    """What a question asks for, and the request it came from, as stored with the question."""

    model_config = ConfigDict(extra="ignore")

    kind: SlotKind
    intent: str = ""
    """The intent the request was planned as: its answer is planned as the same."""
    options: list[str] = []
    """The names that fill it best, where they are few (what an ambiguous word may mean)."""
    said: str | None = None
    """For `column` and `algorithm`: the request's words that the answer replaces."""
    request: str = ""
    """The request in English, as it was planned when the question was asked."""
    replies: dict[str, str] = {}
    """Earlier answers read in place (`target`, `series`), by slot: they fill it still."""
    dataset: str | None = None
    """The dataset the request was planned against; None when that is what is asked."""

    def same_as(self, other: Slot | None) -> bool:
        """Whether `other` asks for the same thing, so the answer did not fill this slot."""
        return other is not None and (other.kind, other.said) == (self.kind, self.said)


class Question(Exception):
    """The message leaves something open that only the person can settle: the question, and
    the slot an answer fills (none for a refusal no answer changes)."""

    def __init__(
        self,
        text: str,
        action: str = "clarify",
        *,
        slot: SlotKind | None = None,
        options: list[str] | None = None,
        said: str | None = None,
        intent: str = "",
    ) -> None:
        super().__init__(text)
        self.text = text
        self.action = action
        self.slot = (
            Slot(kind=slot, options=list(options or []), said=said, intent=intent)
            if slot is not None
            else None
        )


@dataclass(frozen=True)
class Reply:
    """A message that answers a question, read against the dataset of the request."""

    said: str
    """As the person wrote it, to quote back."""
    request: Request
    roles: Roles
    options: list[str] = field(default_factory=list)
    """The slot's options: of two columns a word may mean, the one offered is meant."""

    def words(self) -> str:
        """The reply without filler words: what to quote when it names nothing."""
        kept = [t.text for t in self.request.tokens if t.is_word and t.text not in STOPWORDS]
        return " ".join(kept) or self.said.strip()


def named_columns(reply: Reply, allowed: list[str]) -> tuple[list[str], list[tuple[str, ...]]]:
    """The columns of `allowed` the reply names outright, and the sets of columns its
    ambiguous words may mean; the column it says to predict, if it says one, alone."""
    target = reply.roles.target
    mentions = [target] if target is not None else reply.request.mentions
    clear: list[str] = []
    unclear: list[tuple[str, ...]] = []
    for mention in mentions:
        if mention.group:
            continue
        columns = tuple(c for c in mention.columns if c in allowed)
        preferred = tuple(c for c in columns if c in reply.options)
        if len(columns) > 1 and len(preferred) == 1:
            columns = preferred
        if len(columns) == 1:
            clear.append(columns[0])
        elif columns:
            unclear.append(columns)
    return list(dict.fromkeys(clear)), unclear


def answered_name(reply: Reply, known: list[str]) -> str | None:
    """The one name of `known` (columns, or algorithms) the reply gives."""
    clear, unclear = named_columns(reply, known)
    named = [*clear, *(a for a in reply.request.algorithms if a in known)]
    named = list(dict.fromkeys(named))
    if len(named) == 1 and not unclear:
        return named[0]
    return None


def substituted(request: str, said: str, name: str) -> str:
    """`request` with the words `said` replaced by `name`; `name` added when they are gone."""
    words = [re.escape(w) for w in re.findall(r"\w+", said)]
    if not words:
        return f"{request} {name}"
    pattern = r"(?<!\w)" + r"\W+".join(words) + r"(?!\w)"
    replaced, count = re.subn(pattern, name, request, count=1, flags=re.IGNORECASE)
    return replaced if count else f"{request} {name}"
