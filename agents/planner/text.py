"""Words of a message as tokens: lower-cased, stemmed, with their place in the message."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    # thousands ("1,000" but not the "100,200" of a list), decimals, exponents ("1e-3")
    r"(?P<number>(?<![\[(,\d])\d{1,3}(?:,\d{3})+(?![\d,])(?:\.\d+)?"
    r"|\d*\.\d+(?:[eE][-+]?\d+)?|\d+(?:[eE][-+]?\d+)?)"
    r"|(?P<word>[^\W\d_][^\W_]*)"
    r"|(?P<punct>[^\w\s])"
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def words(text: str) -> tuple[str, ...]:
    """'a b c' as ('a', 'b', 'c'): single words written compactly."""
    return tuple(text.split())


def phrases(text: str) -> tuple[str, ...]:
    """'a, b c, d' as ('a', 'b c', 'd'): word lists written compactly."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


CLAUSE_BREAKS = frozenset({",", ";", ".", ":", "!", "?", "(", ")", "[", "]", "\n"})
"""Punctuation that ends a list or a clause (a comma may continue a list of columns)."""

STOPWORDS = frozenset(
    words(
        "a an the of to in on at for by with and or from into than that this these those it its "
        "is are be was were been being do does did me my i you your we our us please can could "
        "would should will shall let s all any some each per as also just only then now so very "
        "what which who whom how whether if there here their them they his her"
    )
)


@dataclass(frozen=True)
class Token:
    """One word, number or punctuation mark of a message."""

    text: str
    """Lower-cased, as typed."""
    kind: str
    """'word', 'number' or 'punct'."""
    start: int
    """Offset in the message, for quoting what a person wrote."""
    end: int
    code: bool = False
    """Inside backticks: a name or a snippet the person quoted."""

    @property
    def stem(self) -> str:
        return stem(self.text)

    @property
    def is_word(self) -> bool:
        return self.kind == "word"


def stem(word: str) -> str:
    """A crude singular: 'lengths' -> 'length', 'trees' -> 'tree'; 'mass' stays."""
    word = word.lower()
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokenize(message: str) -> list[Token]:
    """The message's tokens; underscores, hyphens and camelCase split words apart."""
    tokens: list[Token] = []
    code_spans = [(m.start(), m.end()) for m in re.finditer(r"`[^`]*`", message)]
    for match in _TOKEN.finditer(message):
        kind = match.lastgroup or "punct"
        start = match.start()
        inside = any(a < start < b - 1 for a, b in code_spans)
        pieces = _CAMEL.split(match.group()) if kind == "word" else [match.group()]
        offset = start
        for piece in pieces:
            tokens.append(Token(piece.lower(), kind, offset, offset + len(piece), inside))
            offset += len(piece)
    return tokens


def name_words(name: str) -> list[str]:
    """The words of a column or parameter name: 'billLength_mm' -> ['bill', 'length', 'mm']."""
    return [t.text for t in tokenize(name) if t.kind != "punct"]


def phrase(tokens: list[Token], start: int, end: int, message: str) -> str:
    """The message's own text from token `start` up to (not including) token `end`."""
    if start >= end:
        return ""
    return message[tokens[start].start : tokens[end - 1].end]
