"""The experiment a person files a model under: 'put it in the churn experiment', 'log this to
experiment churn-v2', 'experiment called pricing'. Its words are a name, never a column."""

from __future__ import annotations

from dataclasses import dataclass

from agents.planner.text import STOPWORDS, Token, words

_NOUNS = frozenset(words("experiment experiments"))
_LEADS = frozenset(words("in into to under for within"))
_NAMING = frozenset(words("called named"))
_DETERMINERS = frozenset(words("the a an my our this that new"))
_MAX_WORDS = 3


@dataclass(frozen=True)
class ExperimentName:
    """The name said, and the tokens that said it (with 'experiment' and its lead-in)."""

    name: str
    start: int
    end: int


def find_experiment(tokens: list[Token], message: str) -> ExperimentName | None:
    """The experiment a message names, if it names one."""
    for i, token in enumerate(tokens):
        if token.text not in _NOUNS:
            continue
        found = _name_before(tokens, message, i) or _name_after(tokens, message, i)
        if found is not None:
            return found
    return None


def _name_before(tokens: list[Token], message: str, noun: int) -> ExperimentName | None:
    """'in the churn experiment': name words between a lead-in and the noun."""
    start = noun
    while start > 0 and noun - start < _MAX_WORDS and _name_word(tokens[start - 1]):
        start -= 1
    if start == noun:
        return None
    lead = start - 1
    while lead >= 0 and tokens[lead].text in _DETERMINERS:
        lead -= 1
    if lead < 0 or tokens[lead].text not in _LEADS:
        return None
    return ExperimentName(_said(tokens, message, start, noun), lead, noun + 1)


def _name_after(tokens: list[Token], message: str, noun: int) -> ExperimentName | None:
    """'to experiment churn-v2', 'an experiment called pricing'; 'run the experiment again'
    names none."""
    start = noun + 1
    named = start < len(tokens) and tokens[start].text in _NAMING
    lead = noun - 1
    while lead >= 0 and tokens[lead].text in _DETERMINERS:
        lead -= 1
    if not named and (lead < 0 or tokens[lead].text not in _LEADS):
        return None
    start += named
    end = start
    while end < len(tokens) and end - start < _MAX_WORDS and _name_word(tokens[end]):
        end += 1
    if end == start:
        return None
    return ExperimentName(_said(tokens, message, start, end), max(lead, 0), end)


def _name_word(token: Token) -> bool:
    if token.code:
        return True
    if token.kind == "punct":
        return token.text in {"-", "_"}
    return token.text not in STOPWORDS and token.text not in _LEADS


def _said(tokens: list[Token], message: str, start: int, end: int) -> str:
    return message[tokens[start].start : tokens[end - 1].end].strip("`'\" ")
