"""Numbers as people write them: '0.3', '25%', 'thirty percent', 'a third', 'five hundred', '1k'."""

from __future__ import annotations

from dataclasses import dataclass

from agents.planner.text import Token, words

_UNITS = {
    "zero": 0,
    "one": 1,
    "single": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "dozen": 12,
    "couple": 2,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1_000, "k": 1_000, "million": 1_000_000}
_FRACTIONS = {
    "half": 2,
    "halve": 2,
    "third": 3,
    "quarter": 4,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "eighth": 8,
    "tenth": 10,
}
_ARTICLES = {"a", "an"}
_PRONOUN_ONE_AFTER = frozenset(
    words(
        "which the that this other another each every any no same new old last latest previous "
        "first second better best worse worst tuned plain winning losing"
    )
)
"""Words after which a lone 'one' is a pronoun ('which one', 'the other one', 'the tuned
one'), not the number one."""
_PERCENT_WORDS = {"percent", "pct", "percentage"}

# "3/4" of the data is a fraction; "80/20" and "64/32" are not.
_MAX_WRITTEN_DENOMINATOR = 20


@dataclass(frozen=True)
class Quantity:
    """A number found in tokens `start`..`end` (exclusive), with how it was written."""

    start: int
    end: int
    value: float
    percent: bool = False
    fraction: bool = False
    """Written as a fraction in words: 'a third', 'half'."""
    written_integer: bool = True

    @property
    def share(self) -> float | None:
        """The value as a share of a whole (0.25 for '25%', 'a quarter' or '0.25'), if it is one."""
        if self.percent:
            return self.value / 100
        if self.fraction or 0 < self.value < 1:
            return self.value
        return None

    @property
    def as_int(self) -> int | None:
        """The value as an integer when it is a whole number."""
        return int(self.value) if float(self.value).is_integer() else None

    @property
    def plain(self) -> int | float:
        """An int when whole and written without a decimal point, else a float."""
        whole = self.as_int
        return whole if whole is not None and self.written_integer else self.value


def find_quantities(tokens: list[Token]) -> list[Quantity]:
    """Every number in `tokens`, in order, none overlapping."""
    found: list[Quantity] = []
    i = 0
    while i < len(tokens):
        quantity = _digits(tokens, i) or _words(tokens, i)
        if quantity is None or _pronoun(tokens, quantity):
            i += 1
            continue
        found.append(_with_percent(tokens, quantity))
        i = found[-1].end
    return found


def _pronoun(tokens: list[Token], quantity: Quantity) -> bool:
    """Whether a quantity is the pronoun 'one' ('which one won?'), which counts nothing."""
    i = quantity.start
    if quantity.end != i + 1 or tokens[i].text != "one" or i == 0:
        return False
    return tokens[i - 1].text in _PRONOUN_ONE_AFTER


def _digits(tokens: list[Token], i: int) -> Quantity | None:
    token = tokens[i]
    if token.kind != "number":
        return None
    text = token.text.replace(",", "")
    value = float(text)
    integer = not any(mark in text for mark in ".e")
    start, end = i, i + 1
    if _negative_sign(tokens, i):
        value, start = -value, i - 1
    fraction = _written_fraction(tokens, i) if integer and value > 0 else None
    if fraction is not None:
        return Quantity(start, i + 3, value / fraction, fraction=True)
    scale = tokens[end].text if end < len(tokens) else ""
    # "1k" only when written together; "2 thousand" either way
    if scale in _SCALES and (scale != "k" or tokens[end].start == token.end):
        value *= _SCALES[scale]
        end += 1
        integer = integer or value.is_integer()
    return Quantity(start, end, value, written_integer=integer)


def _written_fraction(tokens: list[Token], i: int) -> int | None:
    """The denominator of '3/4' or '1/5' at token `i`: small, larger than the numerator,
    written without spaces, and not part of a ratio such as '80/20' or '70/15/15'."""
    if i + 2 >= len(tokens) or tokens[i + 1].text != "/" or tokens[i + 2].kind != "number":
        return None
    if tokens[i + 1].start != tokens[i].end or tokens[i + 2].start != tokens[i + 1].end:
        return None
    if not tokens[i + 2].text.isdigit() or (i + 3 < len(tokens) and tokens[i + 3].text == "/"):
        return None
    numerator, denominator = int(tokens[i].text), int(tokens[i + 2].text)
    return denominator if numerator < denominator <= _MAX_WRITTEN_DENOMINATOR else None


def _negative_sign(tokens: list[Token], i: int) -> bool:
    """'-1' and 'depth=-1' are negative; the '-' of '70-30' or 'covid-19' joins two things."""
    if i == 0 or tokens[i - 1].text != "-" or tokens[i - 1].end != tokens[i].start:
        return False
    before = tokens[i - 2] if i >= 2 else None
    if before is None or before.text in {"=", ":", "(", ","}:
        return True
    return before.end != tokens[i - 1].start and before.kind != "number"


def _words(tokens: list[Token], i: int) -> Quantity | None:
    """A number spelled out: 'twenty five', 'five hundred', 'a thousand', 'two thirds'."""
    start = i
    total, current, seen = 0.0, 0.0, False
    if tokens[i].text in _ARTICLES and i + 1 < len(tokens):
        following = tokens[i + 1].text
        denominator = _fraction_word(following)
        if denominator:
            return Quantity(start, i + 2, 1 / denominator, fraction=True)
        if following in {"dozen", "couple"}:
            current, seen, i = _UNITS[following], True, i + 2
        elif following in _SCALES and following != "k":
            current, seen = 1.0, True
            i += 1
        else:
            return None
    elif tokens[i].text in {"half", "halve"}:
        # "half an hour", "half the data": a half whatever follows.
        return Quantity(start, i + 1, 0.5, fraction=True)
    j = i
    while j < len(tokens):
        word = tokens[j].text
        if word in _UNITS and not (seen and word in {"dozen", "couple"}):
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word in _SCALES and word != "k" and seen:
            if _SCALES[word] == 100:
                current = (current or 1) * 100
            else:
                total += (current or 1) * _SCALES[word]
                current = 0
        elif word in {"and", "-"} and seen and j + 1 < len(tokens) and _continues(tokens[j + 1]):
            pass
        else:
            break
        seen = True
        j += 1
    if not seen:
        return None
    value = total + current
    if tokens[j - 1].text == "couple" and j < len(tokens) and tokens[j].text == "of":
        j += 1  # "a couple of layers"
    denominator = _fraction_word(tokens[j].text) if j < len(tokens) else 0
    if denominator and value >= 1:
        return Quantity(start, j + 1, value / denominator, fraction=True)
    return Quantity(start, j, value)


def _continues(token: Token) -> bool:
    return token.text in _UNITS or token.text in _TENS


def _fraction_word(word: str) -> int:
    base = word[:-1] if word.endswith("s") else word
    return _FRACTIONS.get(base, 0)


def _with_percent(tokens: list[Token], quantity: Quantity) -> Quantity:
    end = quantity.end
    if end < len(tokens) and (tokens[end].text == "%" or tokens[end].text in _PERCENT_WORDS):
        return Quantity(quantity.start, end + 1, quantity.value, percent=True)
    if end + 1 < len(tokens) and tokens[end].text == "per" and tokens[end + 1].text == "cent":
        return Quantity(quantity.start, end + 2, quantity.value, percent=True)
    return quantity
