"""Languages as data: a pack per language (`<code>.json` here) rewrites a message into the
English the planner reads, and says yes and no in that language.

A pack holds `markers` (frequent words that identify the language), `yes` and `no` (whole
messages that approve or drop a plan), `phrases` (foreign words and phrases -> English) and
`numbers` (number words, and the words that join them). Adding a language is adding a file.
Matching ignores case and accents and takes whole words, longest phrases first; words of
the dataset's column names are never rewritten, since they are data. Where only an accent
tells two words apart ('é' is, 'e' and), `accented` says how a word spelt just so reads.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PACKS_DIR = Path(__file__).parent
ENGLISH_MARKERS = frozenset(
    {
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "and",
        "or",
        "from",
        "by",
        "is",
        "are",
        "it",
        "this",
        "that",
        "what",
        "which",
        "how",
        "predict",
        "train",
        "show",
        "plot",
        "using",
        "without",
        "please",
        "me",
        "my",
        "i",
        "want",
        "can",
    }
)
ENGLISH_YES = ("yes", "yep", "yeah", "y", "ok", "okay", "sure", "go", "go ahead", "run", "run it",
               "do it", "start", "approve", "looks good", "lgtm", "please do")  # fmt: skip
ENGLISH_NO = ("no", "nope", "cancel", "stop", "never mind", "nevermind", "forget it", "abort")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
ENGLISH_TOO = frozenset(
    {"a", "an", "am", "as", "classes", "no", "num", "on", "pro", "so", "was", "will"}
)
"""Words common in English that a pack also has as another word (French 'à', 'an', 'classes';
Portuguese 'só', 'num'): written so, without accents, they are no sign of the pack's language,
though too common in other languages to be English markers."""


def words_of(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def fold(text: str) -> str:
    """Lower case without accents, one character for each character of `text`."""
    return "".join(_fold_char(ch) for ch in text)


def _fold_char(ch: str) -> str:
    if ch in "\u2019\u2018":
        return "'"
    base = unicodedata.normalize("NFD", ch)[0].lower()
    return base if len(base) == 1 else ch.lower()


@dataclass(frozen=True)
class Pack:
    code: str
    name: str
    markers: frozenset[str]
    yes: tuple[str, ...]
    no: tuple[str, ...]
    phrases: dict[str, str]
    numbers: dict[str, int]
    joiners: frozenset[str]
    compounds: bool = False
    """Whether the language writes nouns together ('Jahreseinkommen'): unknown words are
    then read as two known ones, with the letters that link or inflect them."""
    adjectives_follow: bool = False
    """Whether adjectives come after their noun ('el mes próximo', 'le nombre total'): the
    English ones are then put back before it ('the next month', 'the total number')."""
    inflections: tuple[tuple[str, str], ...] = ()
    """(ending, replacement) pairs that undo plurals and agreement: an unknown 'anuales' is
    read as the known 'anual', 'automática' as 'automático'."""
    accented: dict[str, str] = field(default_factory=dict)
    """Words read by their exact spelling (lower case, accents kept) where a phrase of the
    same letters means something else: Portuguese 'é' (is) against 'e' (and), Spanish 'qué'
    (what) against 'que' (that). Longer phrases that hold the word still match first."""

    @property
    def pattern(self) -> re.Pattern[str]:
        return _pattern(self.code)


@cache
def packs() -> dict[str, Pack]:
    """Every language pack found beside this module, by language code."""
    found = {}
    for path in sorted(PACKS_DIR.glob("[!_]*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        numbers = data.get("numbers") or {}
        found[data["code"]] = Pack(
            code=data["code"],
            name=data["name"],
            markers=frozenset(fold(w) for w in data.get("markers", [])),
            yes=tuple(fold(w) for w in data.get("yes", [])),
            no=tuple(fold(w) for w in data.get("no", [])),
            phrases={fold(k): v for k, v in (data.get("phrases") or {}).items() if k.strip()},
            numbers={fold(k): int(v) for k, v in (numbers.get("words") or {}).items()},
            joiners=frozenset(fold(w) for w in numbers.get("joiners", [])),
            compounds=bool(data.get("compounds", False)),
            adjectives_follow=bool(data.get("adjectives_follow", False)),
            inflections=tuple((fold(a), fold(b)) for a, b in data.get("inflections", [])),
            accented={k.lower(): v for k, v in (data.get("accented") or {}).items()},
        )
    return found


@cache
def _pattern(code: str) -> re.Pattern[str]:
    pack = packs()[code]
    keys = sorted({*pack.phrases, *pack.numbers}, key=len, reverse=True)
    # A key may end in an apostrophe ("l'", "d'"): then the word after it follows at once.
    alternatives = "|".join(re.escape(k) for k in keys)
    return re.compile(r"(?<!\w)(" + alternatives + r")(?:(?<=')|(?!\w))")


@cache
def _unsupported() -> dict[str, tuple[str, frozenset[str]]]:
    """Languages without a pack, by code: their names and the words that give them away."""
    data = json.loads((PACKS_DIR / "_unsupported.json").read_text(encoding="utf-8"))
    return {
        code: (entry["name"], frozenset(fold(w) for w in entry["markers"]))
        for code, entry in data["languages"].items()
    }


def unsupported(code: str) -> str | None:
    """The name of a detected language that has no pack; None when it is understood."""
    entry = _unsupported().get(code)
    return entry[0] if entry else None


def language_names() -> str:
    """The languages understood, in words: 'English, French, German, Portuguese and Spanish'."""
    names = ["English", *sorted(p.name for p in packs().values())]
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


def detect(text: str) -> str:
    """The language code of `text`: the pack whose markers it uses most, else 'en'."""
    written = _WORD.findall(text)
    said = [fold(w) for w in written]
    best, best_hits = "en", float(sum(w in ENGLISH_MARKERS for w in said))
    for pack in packs().values():
        hits = float(sum(w in pack.markers for w in said))
        # Its words count too, long ones (distinctive: 'histogramm', 'dispersión') fully.
        hits += sum(
            1.0 if len(w) >= 5 else 0.5
            for w, spelt in zip(said, written, strict=True)
            if w in pack.phrases
            and w not in ENGLISH_MARKERS
            and spelt.lower() not in ENGLISH_TOO
            and fold(pack.phrases[w]) != w
        )
        # ...and so do its phrases of several words ('matrice de corrélation'), once each
        hits += sum(
            1.0
            for found in pack.pattern.finditer(" ".join(said))
            if " " in found.group(1) and found.group(1) in pack.phrases
        )
        if hits > best_hits:
            best, best_hits = pack.code, hits
    for code, (_name, markers) in _unsupported().items():
        hits = float(sum(w in markers for w in said))
        if hits > best_hits and hits >= 2:
            best, best_hits = code, hits
    return best


_FILLERS = frozenset(
    words_of(
        "please thanks thank you it that this the a s por favor gracias obrigado obrigada "
        "merci s il te vous plait bitte danke"
    )
)
"""Words around a yes or a no that change nothing ('yes please', 'sí, por favor')."""


def _said(text: str) -> list[str]:
    return _WORD.findall(fold(text))


@cache
def _vocabulary(which: str) -> tuple[frozenset[str], frozenset[str]]:
    """All words of the yes (or no) phrases, and those of them that carry the meaning."""
    english = ENGLISH_YES if which == "yes" else ENGLISH_NO
    phrases = [*english, *(w for p in packs().values() for w in getattr(p, which))]
    words = {w for phrase in phrases for w in _said(phrase)}
    return frozenset(words | _FILLERS), frozenset(words - _FILLERS)


def _only(text: str, which: str) -> bool:
    said = _said(text)
    vocabulary, meaning = _vocabulary(which)
    return bool(said) and set(said) <= vocabulary and bool(set(said) & meaning)


def says_yes(text: str) -> bool:
    """Whether the message only approves ('yes', 'ok go', 'sí, por favor', 'ja, los')."""
    return _only(text, "yes") and not _only(text, "no")


def says_no(text: str) -> bool:
    """Whether the message only refuses or cancels ('no', 'cancel it', 'nein, danke')."""
    return _only(text, "no")


_STOP_VERBS = frozenset(words_of("cancel stop stopp stoppe abort kill halt terminate"))
_STOPPED = frozenset(
    words_of(
        "run job training train search tuning study leaderboard forecast model experiment "
        "current running my your now already right away immediately at once from"
    )
)
"""What a message that stops a run may name besides the verb ('stop the training now')."""


def stops(text: str) -> bool:
    """Whether the message only asks to stop what is going ('cancel it', 'stop the training',
    'cancela el entrenamiento', 'brich das Training ab'); a bare 'no' is not one."""
    said = set(_said(to_english(text)[0]))
    return bool(said & _STOP_VERBS) and said <= _STOP_VERBS | _STOPPED | _FILLERS


def to_english(text: str, protected: Iterable[str] = ()) -> tuple[str, str]:
    """`text` rewritten into English by its language's pack, and the language's code.

    English text is left as written, and so are words of `protected` (the dataset's column
    words) that the pack would change.
    """
    code = detect(text)
    pack = packs().get(code)
    if pack is None:
        return text, code
    keep = {fold(w) for w in protected}
    text = _compound_numbers(_decimal_commas(text), pack)
    if pack.compounds or pack.inflections:
        text = _compound_words(text, pack, keep)
    folded = fold(text)
    pieces: list[str] = []
    last = 0
    for match in pack.pattern.finditer(folded):
        key = match.group(1)
        if key in pack.numbers:
            english = f"{_MARK}{pack.numbers[key]}{_MARK}"
        elif key in keep and fold(pack.phrases[key]) != key:
            continue
        elif len(key) == 1 and _hyphenated(folded, match.start(), match.end()):
            continue  # a letter of a code ('WH-A', 'B-2') is data, not the word 'a' or 'e'
        else:
            said = text[match.start() : match.end()].lower()
            english = pack.accented.get(said) or pack.phrases[key]
            english += " " if key.endswith("'") else ""
        between = text[last : match.start()]
        if (
            pack.adjectives_follow
            and english.strip() in POSTPOSED_ADJECTIVES
            and key not in keep
            and not _ends_with_kept(text[: match.start()], keep)
            and not _starts_with_kept(folded[match.end() :], keep)
        ):
            pieces = _before_noun(pieces, between, english.strip())
        else:
            pieces += [between, english]
        last = match.end()
    pieces.append(text[last:])
    return _join_numbers("".join(pieces), pack), code


POSTPOSED_ADJECTIVES = frozenset(
    words_of(
        "next last previous following coming total average mean median logistic linear random "
        "hidden daily weekly monthly yearly annual quarterly maximum minimum final"
    )
)
"""English adjectives whose foreign words may follow their noun; they go back before it."""
_SPAN_ADJECTIVES = frozenset(words_of("next last previous following coming"))
_FUNCTION_WORDS = frozenset(words_of("the a an of for to in on at by with and or from"))


_COUNT_BEFORE = re.compile(r"(?<!\S)(\d+(?:[.,]\d+)?)\s+$")
_LAST_WORD = re.compile(r"(?<!\S)((?:\d+(?:[.,]\d+)?\s+)?([^\W\d_]+))\s*$")


def _before_noun(pieces: list[str], between: str, adjective: str) -> list[str]:
    """`pieces` (translations, and the text between them), `between` and `adjective`, with
    the adjective put before the noun that comes just before it: before the whole last
    translation when nothing stands between ('modelo de regresión logística': 'logistic
    regression model'), else before the last word."""
    if pieces and not between.strip() and pieces[-1].strip():
        last = pieces[-1].strip()
        if last.split()[-1].lower() not in _FUNCTION_WORDS and not last[-1].isdigit():
            counted = _COUNT_BEFORE.search("".join(pieces[:-1]))
            if counted is not None and adjective in _SPAN_ADJECTIVES:  # 'the next 30 days'
                said = "".join(pieces[:-1])
                return [said[: counted.start()], f"{adjective} {counted.group(1)} {last}"]
            return [*pieces[:-1], f"{adjective} {last}"]
    said = "".join(pieces) + between
    found = _LAST_WORD.search(said)
    if found is None or found.group(2).lower() in _FUNCTION_WORDS:
        return [said, adjective]
    return [said[: found.start()], f"{adjective} {found.group(1)}"]


def _hyphenated(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is joined by a hyphen to a letter or digit on either side."""
    before = start >= 2 and text[start - 1] == "-" and text[start - 2].isalnum()
    after = end + 1 < len(text) and text[end] == "-" and text[end + 1].isalnum()
    return before or after


_MARK = "\u2063"
"""Brackets a number that was written in words, so only those are joined: the digits a
person typed ('64 y 32' layers) stay apart."""
_DECIMAL_COMMA = re.compile(
    r"(?<!\d)(?<!\d,)(0|\d+(?=,(?:\d{1,2}|\d{4,})(?!\d|,\d))),(\d+)(?!\d|,\d)"
)
"""A comma between digits is a decimal one, unless it groups thousands ('1,000'); a comma
after a number ('0,03, 200 trees') is punctuation."""
_THOUSANDS_DOT = re.compile(r"(?<![\d.])([1-9]\d{0,2}(?:\.\d{3})+)(?![\d.])")
_ONE = _MARK + r"\d+" + _MARK
_WORD_NUMBERS = re.compile(_ONE + r"(?:[\s-]+(?:\w+[\s-]+)?" + _ONE + ")*")


def _decimal_commas(text: str) -> str:
    """'0,05' -> '0.05' and '1.000' -> '1000', as these languages write numbers; and 'a' or
    'à' between two numbers is 'to' ('de 3 a 12'), not the article it is elsewhere."""
    text = _THOUSANDS_DOT.sub(lambda m: m.group(1).replace(".", ""), text)
    text = _DECIMAL_COMMA.sub(r"\1.\2", text)
    return _NUMBER_TO_NUMBER.sub(r"\1 to \2", text)


_NUMBER_TO_NUMBER = re.compile(r"(\d)\s+[aà]\s+(\d)")


def _compound_numbers(text: str, pack: Pack) -> str:
    """Number words written as one word ('zweihundertfünfzig', 'fünfundzwanzig') as the
    number words they are made of."""

    def split(match: re.Match[str]) -> str:
        parts = _number_parts(fold(match.group()), pack)
        if not parts or len(parts) < 2:
            return match.group()
        values = [pack.numbers[p] for p in parts if p in pack.numbers]
        return f"{_MARK}{_value(values)}{_MARK}"

    return _WORD.sub(split, text)


_LINKS = ("", "s", "es", "n", "en", "e")
"""Letters between the parts of a compound, or at the end of an inflected word."""


def _compound_words(text: str, pack: Pack, keep: set[str]) -> str:
    """Words the pack does not know, read as inflected or compound forms of words it does:
    'Einkommens' as 'income', 'Stromverbrauch' as 'electricity consumption'."""

    def read(match: re.Match[str]) -> str:
        word = fold(match.group())
        if word in pack.phrases or word in pack.numbers or word in keep or len(word) < 5:
            return match.group()
        english = _known(word, pack) or (_split(word, pack) if pack.compounds else None)
        return english or match.group()

    return _WORD.sub(read, text)


def _known(word: str, pack: Pack) -> str | None:
    endings = pack.inflections or tuple((link, "") for link in _LINKS)
    if word in pack.phrases:
        return pack.phrases[word]
    for ending, replacement in endings:
        stem = word[: len(word) - len(ending)] + replacement if ending else word
        if ending and word.endswith(ending) and len(stem) >= 3 and stem in pack.phrases:
            return pack.phrases[stem]
    if word in _phrase_words(pack.code):
        return None  # left to the phrase it is part of ('arrêt anticipé')
    for ending, replacement in pack.inflections:
        # the other way: a pack that knows only the plural 'minutos' reads 'minuto' too
        if ending and word.endswith(replacement):
            inflected = word[: len(word) - len(replacement)] + ending
            if inflected in pack.phrases:
                return pack.phrases[inflected]
    return None


def _ends_with_kept(said: str, keep: set[str]) -> bool:
    """Whether `said` ends with a word of a column's name: an adjective stays out of it."""
    last = _WORD.findall(said[-40:])
    return bool(last) and fold(last[-1]) in keep


def _starts_with_kept(rest: str, keep: set[str]) -> bool:
    """Whether `rest` starts with a word of a column's name, which the adjective before it
    qualifies ('total sales')."""
    first = _WORD.findall(rest[:40])
    return bool(first) and first[0] in keep


@cache
def _phrase_words(code: str) -> frozenset[str]:
    """The words of the pack's phrases of several words."""
    return frozenset(w for key in packs()[code].phrases if " " in key for w in key.split())


def _split(word: str, pack: Pack) -> str | None:
    for cut in range(len(word) - 3, 2, -1):
        tail = _known(word[cut:], pack)
        head = _known(word[:cut], pack) if tail else None
        if head and tail:
            return f"{head} {tail}"
    return None


def _number_parts(word: str, pack: Pack) -> list[str] | None:
    if not word:
        return []
    for end in range(len(word), 2, -1):
        head = word[:end]
        if head in pack.numbers or head in pack.joiners:
            rest = _number_parts(word[end:], pack)
            if rest is not None:
                return [head, *rest]
    return None


def _join_numbers(text: str, pack: Pack) -> str:
    """Numbers written in words, as the words meant them: 'doscientos cincuenta' -> '250',
    'treinta y dos' -> '32', 'deux cents' -> '200', 'quatre-vingt-dix' -> '90'."""

    def joined(match: re.Match[str]) -> str:
        parts = re.split(r"[\s-]+", match.group())
        if any(not p.startswith(_MARK) and fold(p) not in pack.joiners for p in parts):
            return match.group()
        for before, joiner, after in zip(parts, parts[1:], parts[2:], strict=False):
            # 'treinta y dos' joins, 'entre cinco y diez' does not: a joined part is smaller
            if not joiner.startswith(_MARK) and int(after.strip(_MARK)) >= int(before.strip(_MARK)):
                return match.group()
        return str(_value([int(p.strip(_MARK)) for p in parts if p.startswith(_MARK)]))

    return _WORD_NUMBERS.sub(joined, text).replace(_MARK, "")


def _value(values: list[int]) -> int:
    total = current = 0
    for value in values:
        if value == 1000:
            total += max(current, 1) * 1000
            current = 0
        elif value == 100 or (value == 20 and current == 4):
            current = max(current, 1) * value  # 'deux cents', 'quatre-vingts'
        else:
            current += value
    return total + current
