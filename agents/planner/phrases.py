"""Phrase tables: many-word phrases matched in a message's tokens, longest first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from rapidfuzz.distance import OSA

from agents.planner.text import Token, name_words, stem

V = TypeVar("V")

# Tokens a phrase may step over: "box-and-whisker", "penguin's", "f1-score".
_TRANSPARENT = frozenset({"-", "'", "\u2019"})
# Shorter words are too often another word one letter away ("count" and "county").
_TYPO_MIN_LENGTH = 6


@dataclass(frozen=True)
class PhraseMatch(Generic[V]):
    """A phrase of a table found in tokens `start`..`end` (exclusive)."""

    start: int
    end: int
    value: V


class PhraseTable(Generic[V]):
    """Phrases (as stems) mapped to values, matched longest first.

    With `typos`, a phrase also matches with one of its long words mistyped by one letter
    ("random forst", "xgbost"), when no phrase matches exactly.
    """

    def __init__(self, entries: Iterable[tuple[str, V]], *, typos: bool = False) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], V]]] = {}
        for text, value in entries:
            words = tuple(stem(w) for w in name_words(text))
            if words:
                self._by_first.setdefault(words[0], []).append((words, value))
        for options in self._by_first.values():
            options.sort(key=lambda option: -len(option[0]))
        self._typos = typos
        # a typo keeps the first letter (see `is_typo`), so phrases are looked up by it
        self._by_initial: dict[str, list[tuple[tuple[str, ...], V]]] = {}
        for first, options in self._by_first.items():
            self._by_initial.setdefault(first[:1], []).extend(options)
        for options in self._by_initial.values():
            options.sort(key=lambda option: -len(option[0]))

    def match_at(self, tokens: list[Token], i: int) -> PhraseMatch[V] | None:
        """The longest phrase starting at token `i`, if any."""
        for words, value in self._by_first.get(tokens[i].stem, ()):
            end = _match_words(tokens, i, words)
            if end is not None:
                return PhraseMatch(i, end, value)
        if self._typos and tokens[i].is_word:
            for words, value in self._by_initial.get(tokens[i].stem[:1], ()):
                end = _match_words(tokens, i, words, typos=1)
                if end is not None:
                    return PhraseMatch(i, end, value)
        return None

    def find(self, tokens: list[Token], blocked: set[int] | None = None) -> list[PhraseMatch[V]]:
        """Every non-overlapping phrase in `tokens`, left to right, skipping `blocked` tokens."""
        found: list[PhraseMatch[V]] = []
        i = 0
        while i < len(tokens):
            match = None if blocked and i in blocked else self.match_at(tokens, i)
            if match is not None and not (blocked and blocked & set(range(i, match.end))):
                found.append(match)
                i = match.end
            else:
                i += 1
        return found


def _match_words(tokens: list[Token], i: int, words: tuple[str, ...], typos: int = 0) -> int | None:
    j = i
    for k, word in enumerate(words):
        while k and j < len(tokens) and tokens[j].text in _TRANSPARENT:
            j += 1
        if j >= len(tokens):
            return None
        if tokens[j].stem != word:
            if typos == 0 or not is_typo(tokens[j], word):
                return None
            typos -= 1
        j += 1
    return j


def is_typo(token: Token, word: str) -> bool:
    """Whether `token` is `word` with one letter wrong, missing, extra or swapped.

    People rarely mistype a word's first letter, and requiring it keeps real words apart.
    """
    said = token.stem
    return (
        token.is_word
        and min(len(said), len(word)) >= _TYPO_MIN_LENGTH - 1
        and len(word) >= _TYPO_MIN_LENGTH
        and said[:1] == word[:1]
        and OSA.distance(said, word, score_cutoff=1) <= 1
    )


def table(
    mapping: Mapping[str, Iterable[str]], *, keys: bool = True, typos: bool = False
) -> PhraseTable[str]:
    """A phrase table from canonical name -> phrases; with `keys`, each name is a phrase too."""
    entries = [(phrase, key) for key, phrases in mapping.items() for phrase in phrases]
    return PhraseTable([*entries, *((key, key) for key in mapping if keys)], typos=typos)


def words_table(entries: Iterable[str]) -> PhraseTable[str]:
    """A phrase table whose value is the phrase itself."""
    return PhraseTable((p, p) for p in entries)
