"""Misspelt words read as the planner's own: 'xgbost', 'learnign rate', 'predcit'.

A word is respelt only when nothing knows it (not the planner's phrases, the registered
names, the intent corpus, the dataset's columns) and exactly one word the planner reads lies
one edit away (a swap of two letters is one), with the same first letter: typing slips rarely
hit it, and a near word with another start is usually another word. Two edits made
'shipping' into 'stopping'.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from rapidfuzz.distance import OSA
from rapidfuzz.process import extract

from agents.planner.intent_model import corpus
from agents.planner.registry import Registry
from agents.planner.text import name_words, stem
from agents.planner.unknown import KNOWN_WORDS, known_phrases

_WORD = re.compile(r"[A-Za-z]+")
_SHORTEST = 5
"""Shorter words have too many neighbours: 'rate', 'tree', 'test' are one edit apart from
many words."""
_SHARED = 4
"""A word that starts as a column's word does (4 letters) is taken for that word."""


@cache
def _targets(aliases: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[str, ...]:
    """The words misspellings are read as: every word of the planner's phrases and of the
    registered names."""
    said = [*known_phrases(), *(n for name, more in aliases for n in (name, *more))]
    return tuple(sorted({w for p in said for w in name_words(p) if len(w) >= _SHORTEST - 1}))


@cache
def _familiar() -> frozenset[str]:
    """Words that are no misspelling: those of the intent corpus (in every language)."""
    return frozenset(
        w.lower() for record in corpus() for w in _WORD.findall(str(record.get("message", "")))
    )


def respell(text: str, registry: Registry, protected: Iterable[str] = ()) -> str:
    """`text` with each unknown word that is one slip from exactly one planner word replaced."""
    targets = _targets(registry.aliases)
    keep = {w.lower() for w in protected}
    familiar = _familiar()

    def replace(match: re.Match[str]) -> str:
        word = match.group()
        lower = word.lower()
        if (
            len(lower) < _SHORTEST
            or lower in keep
            or lower in familiar
            or stem(lower) in KNOWN_WORDS
            or lower in targets
        ):
            return word
        if any(lower.startswith(w[:_SHARED]) for w in keep if len(w) >= _SHARED):
            return word  # 'shipping' beside a column 'shipDays' is that column's word
        most = 1
        near = [
            (target, distance)
            for target, distance, _ in extract(
                lower, targets, scorer=OSA.distance, score_cutoff=most, limit=4
            )
            if target[0] == lower[0]
        ]
        if not near:
            return word
        best = min(distance for _, distance in near)
        closest = [target for target, distance in near if distance == best]
        return closest[0] if len(closest) == 1 else word

    return _WORD.sub(replace, text)
