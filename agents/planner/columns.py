"""Finding the dataset's columns in loose words: 'bill length' -> bill_length_mm, 'income' ->
annual_income_usd, 'age' -> age_years; and saying when two columns fit equally well."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process, utils

from agents.planner.cues import VOCABULARY
from agents.planner.phrases import PhraseTable
from agents.planner.text import STOPWORDS, Token, name_words, phrases, stem, tokenize, words
from ml_backend.schema import ColumnKind, DatasetProfile

UNIT_WORDS = frozenset(
    words(
        "mm cm m km g kg mg lb lbs oz usd eur gbp dollar dollars euro euros pct percent year yr "
        "yrs day days hour hours hr hrs min mins minute minutes sec secs second seconds ms ppm in "
        "inch inches ft feet ml l kwh kw w c f celsius fahrenheit kmh mph"
    )
)
"""Trailing name parts that say a unit: 'age_years' is named by 'age' alone."""

SYNONYMS: tuple[frozenset[str], ...] = tuple(
    frozenset(stem(w) for w in group.split())
    for group in phrases(
        "mass weight heavy heaviness weigh, income salary earnings earning wage wages pay, sex "
        "gender, price cost value worth, revenue sales turnover, churn churned churning "
        "attrition, signup registration registered joined, temperature temp, quantity qty, amount "
        "amt, number num count cnt n, percent pct percentage, customer client, identifier id, "
        "average avg mean, height tall, length long, width wide, birth dob, progression progress, "
        "kwh energy consumption electricity usage power, bmi imc, seniority tenure"
    )
)
_SYNONYM_OF = {word: group for group in SYNONYMS for word in group}

ABBREVIATIONS = {
    "bmi": "body mass index",
    "bp": "blood pressure",
    "hr": "heart rate",
    "dob": "date of birth",
    "ltv": "lifetime value",
    "gdp": "gross domestic product",
    "sqft": "square feet",
    "lat": "latitude",
    "lng": "longitude",
    "lon": "longitude",
    "long": "longitude",
    "qty": "quantity",
    "dt": "date",
    "ts": "timestamp",
    "co2": "carbon dioxide",
    "val": "value",
    "med": "median",
    "inc": "income",
    "ave": "average",
    "avg": "average",
    "pop": "population",
    "occup": "occupancy",
    "bedrm": "bedrooms",
    "rm": "rooms",
    "rms": "rooms",
    "num": "number",
    "pct": "percent",
    "temp": "temperature",
    "amt": "amount",
    "cnt": "count",
    "tot": "total",
    "yr": "year",
    "mo": "month",
    "dept": "department",
    "emp": "employee",
    "cust": "customer",
    "acct": "account",
    "bal": "balance",
    "dur": "duration",
    "freq": "frequency",
    "std": "standard deviation",
    "prev": "previous",
    "pclass": "passenger class",
    "sibsp": "siblings spouses",
    "parch": "parents children",
    "desc": "description",
    "addr": "address",
    "hh": "household",
}
"""Short column names and the words people use for them instead."""

WEAK_WORDS = frozenset(
    stem(w)
    for w in words(
        "mean average avg total max min maximum minimum number count value rate error score level "
        "type index size data feature column worst best date time id"
    )
)
"""Words too generic to name a column on their own when the column has other words."""

_INNER_FILLERS = frozenset({"of", "the", "s", "in", "a"})
_FUZZY_MIN_LENGTH = 5
_FUZZY_MIN_RATIO = 80.0
_PREFIX_MIN_LENGTH = 4
_NEAREST_MIN_SCORE = 60.0
_SHARED_STEM = 6
_EXACT_QUALITY = 0.85


@dataclass(frozen=True)
class ColumnTerms:
    """One way of naming a column: its words, and those that must all be said for a full match."""

    column: str
    words: tuple[str, ...]
    core: frozenset[str]
    inner: frozenset[str] = frozenset()
    """Small words and marks of the name that may sit between its words: 'at', '(', '/'."""
    joined: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Neighbouring words of the name written as one, lower case ('monthlysalary', 'dl'),
    with the words each covers."""


@dataclass(frozen=True)
class ColumnMention:
    """Words of the message, tokens `start`..`end`, that name one column or several equally."""

    start: int
    end: int
    columns: tuple[str, ...]
    full: bool
    """Every distinctive word of the column was said (not just 'length' of 'bill_length_mm')."""
    text: str
    plural: bool = False
    group: bool = False
    """Words for several columns at once: 'the measurements', 'numeric features'."""

    @property
    def column(self) -> str | None:
        """The column, when the words name exactly one."""
        return self.columns[0] if len(self.columns) == 1 else None

    @property
    def ambiguous(self) -> bool:
        return len(self.columns) > 1 and not self.group


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    column: str
    core_said: int
    coverage: float
    quality: float

    @property
    def rank(self) -> tuple[float, bool, float, float, int]:
        # words said as written (or a synonym, a prefix) come before a look-alike: 'charges'
        # is totalCharges, not dischargeTo, though 'discharge' is that column's only word
        exact = self.quality >= _EXACT_QUALITY
        return (self.core_said, exact, self.coverage, self.quality, -(self.end - self.start))


class ColumnIndex:
    """A dataset's columns prepared for matching words against them."""

    def __init__(self, profile: DatasetProfile) -> None:
        self.profile = profile
        self.names = profile.column_names
        self.kinds = {c.name: c.kind for c in profile.columns}
        self.terms = [t for c in profile.columns for t in _terms(c.name)]
        self.leads = {c.name: _leading_small_words(c.name) for c in profile.columns}
        self.values: PhraseTable[str] = PhraseTable(
            (str(value), column.name)
            for column in profile.columns
            if column.kind in {ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN}
            for value, _ in column.top_values or []
            if isinstance(value, str) and len(value) > 2 and value.lower() not in STOPWORDS
        )

    def mentions(
        self,
        tokens: list[Token],
        blocked: set[int],
        *,
        full_only: bool,
        message: str,
        weak: frozenset[int] = frozenset(),
    ) -> list[ColumnMention]:
        """Column mentions in `tokens` outside `blocked`, best first claimed, in message order.

        `full_only` keeps only mentions that say every distinctive word of a column in two or
        more words; tokens in `weak` (words with another meaning here) may only be part of a
        mention that names its column in full.
        """
        candidates = [
            candidate
            for i in range(len(tokens))
            if i not in blocked and tokens[i].is_word
            for terms in self.terms
            if (candidate := _walk(tokens, i, terms, blocked)) is not None
            and (candidate.coverage == 1.0 or not full_only)
            and (candidate.coverage == 1.0 or not weak.issuperset(_said(tokens, candidate)))
            # "customers" is who the rows are, not the customer_id column
            and (
                candidate.coverage == 1.0
                or self.kinds[candidate.column] is not ColumnKind.IDENTIFIER
            )
        ]
        candidates += self._written_whole(tokens, blocked, message)
        if full_only:
            candidates = [c for c in candidates if c.end - c.start >= 2 or c.core_said >= 2]
        else:
            candidates.extend(self._identifier_words(tokens, blocked))
        chosen: list[ColumnMention] = []
        taken: set[int] = set()
        candidates.sort(key=lambda c: c.rank, reverse=True)
        for candidate in candidates:
            span = set(range(candidate.start, candidate.end))
            if span & taken:
                continue
            ties = {
                c.column
                for c in candidates
                if c.rank[:4] == candidate.rank[:4] and set(range(c.start, c.end)) & span
            }
            columns = tuple(name for name in self.names if name in ties)
            taken |= span
            plural = tokens[candidate.end - 1].text != tokens[candidate.end - 1].stem
            start = candidate.start
            # 'on promotion' names On Promotion from its first word
            before = start - 1
            leads = self.leads[columns[0]] if len(columns) == 1 else frozenset()
            if before >= 0 and {before} - blocked - taken and tokens[before].text in leads:
                start = before
                taken.add(start)
            text = message[tokens[start].start : tokens[candidate.end - 1].end]
            chosen.append(
                ColumnMention(
                    start,
                    candidate.end,
                    columns,
                    candidate.coverage == 1.0,
                    text,
                    plural=plural,
                )
            )
        return sorted(chosen, key=lambda m: m.start)

    def _written_whole(
        self, tokens: list[Token], blocked: set[int], message: str
    ) -> list[_Candidate]:
        """Names written out as they are ('PM2.5', 'NO2 (µg/m³)'), whatever their words and
        marks split into: each names its column in full, before any looser reading."""
        found: list[_Candidate] = []
        for name in self.names:
            if len(name) < 3 or name.lower() in STOPWORDS:
                continue
            for match in re.finditer(rf"(?<![\w.]){re.escape(name)}(?![\w])", message, re.I):
                span = [
                    i for i, t in enumerate(tokens)
                    if t.start >= match.start() and t.end <= match.end()
                ]  # fmt: skip
                if span and not set(span) & blocked:
                    strength = len(name_words(name)) + 1
                    found.append(_Candidate(span[0], span[-1] + 1, name, strength, 1.0, 1.0))
        return found

    def _identifier_words(self, tokens: list[Token], blocked: set[int]) -> list[_Candidate]:
        """'the id': the dataset's one identifier column, when it has exactly one."""
        identifiers = [n for n in self.names if self.kinds[n] is ColumnKind.IDENTIFIER]
        if len(identifiers) != 1:
            return []
        return [
            _Candidate(i, i + 1, identifiers[0], 1, 1.0, 0.9)
            for i, token in enumerate(tokens)
            if i not in blocked and token.stem in {"id", "identifier"}
        ]

    def names_exactly(self, word: str) -> bool:
        """Whether some column is named by this one word alone."""
        return any(t.core == frozenset({word}) for t in self.terms)

    def nearest(self, words: str, limit: int = 3) -> list[str]:
        """The columns whose names look most like `words`, best first."""
        spaced = {" ".join(name_words(name)): name for name in self.names}
        found = process.extract(
            words, list(spaced), scorer=fuzz.WRatio, processor=utils.default_process, limit=limit
        )
        return [spaced[str(match[0])] for match in found if match[1] >= _NEAREST_MIN_SCORE]


@lru_cache(maxsize=64)
def _cached_index(profile_json: str) -> ColumnIndex:
    return ColumnIndex(DatasetProfile.model_validate_json(profile_json))


def column_index(profile: DatasetProfile) -> ColumnIndex:
    """The index of `profile`'s columns, built once per distinct profile."""
    return _cached_index(profile.model_dump_json())


def _terms(name: str) -> list[ColumnTerms]:
    raw = name_words(name)
    words = [stem(w) for w in raw if w not in STOPWORDS or len(raw) == 1]
    if not words:
        return []
    core = list(words)
    # 'km' of mileage_km is a unit, but 'year' of 'model year' is what the column is
    while len(core) > 1 and core[-1] in UNIT_WORDS and not set(core[:-1]) <= VOCABULARY:
        core.pop()
    inner = {w for w in raw if w in STOPWORDS} | {t.text for t in tokenize(name) if not t.is_word}
    joined = tuple(
        ("".join(raw[a:b]), tuple(stem(w) for w in raw[a:b] if stem(w) in words))
        for a in range(len(raw))
        for b in range(a + 2, len(raw) + 1)
    )
    found = [ColumnTerms(name, tuple(words), frozenset(core), frozenset(inner), joined)]
    if any(word in ABBREVIATIONS for word in core):
        # every abbreviation spelled out at once: MedHouseVal is "median house value"
        spelled = [
            stem(part)
            for word in core
            for part in ABBREVIATIONS.get(word, word).split()
            if part not in STOPWORDS
        ]
        found.append(ColumnTerms(name, tuple(spelled), frozenset(spelled)))
    return found


def _leading_small_words(name: str) -> frozenset[str]:
    """Stopwords a name starts with ('on' of 'On Promotion'), which its terms leave out."""
    raw = name_words(name)
    lead: set[str] = set()
    for word in raw[:-1]:
        if word not in STOPWORDS:
            break
        lead.add(word)
    return frozenset(lead)


def word_score(token: Token, word: str) -> float:
    """How well a typed word names a column's word: 1 same, less for synonyms, prefixes, typos."""
    said = token.stem
    if said == word or token.text == word:
        return 1.0
    group = _SYNONYM_OF.get(said)
    if group is not None and word in group:
        return 0.95
    if any(ch.isdigit() for ch in said + word):
        return 0.0
    short, long = sorted((said, word), key=len)
    if long.startswith(short) and len(short) >= _PREFIX_MIN_LENGTH:
        return 0.85  # "temp" for temperature, "churn" for churned
    if long.startswith(short) and len(short) == 3 and len(long) >= _FUZZY_MIN_LENGTH:
        return 0.75  # abbreviated names: "MedInc" is median income, "lat" latitude
    if _shared_prefix(said, word) >= _SHARED_STEM:
        return 0.8  # "survival" and "survived"
    if min(len(said), len(word)) >= _FUZZY_MIN_LENGTH:
        ratio = fuzz.ratio(said, word)
        if ratio >= _FUZZY_MIN_RATIO:
            return 0.8 * ratio / 100
    return 0.0


def _walk(tokens: list[Token], i: int, terms: ColumnTerms, blocked: set[int]) -> _Candidate | None:
    """The run of tokens from `i` that names words of `terms`, scored; None if none does."""
    used: set[str] = set()
    quality = 0.0
    j = end = i
    while j < len(tokens) and j not in blocked:
        token = tokens[j]
        if used and token.text in _INNER_FILLERS | {"-", "'", "\u2019"} | terms.inner:
            j += 1
            continue
        together = next((covered for text, covered in terms.joined if text == token.text), ())
        if together and not used & set(together):
            used.update(together)  # 'monthlysalary' says monthly and salary
            quality += len(together)
            j += 1
            end = j
            continue
        best, best_word, best_width = 0.0, "", 1
        for word in terms.words:
            if word in used:
                continue
            score, width = word_score(token, word), 1
            if score < 1.0 and token.text + _next_text(tokens, j) == word and j + 1 not in blocked:
                score, width = 1.0, 2
            if score > best:
                best, best_word, best_width = score, word, width
        if best == 0.0:
            break
        used.add(best_word)
        quality += best
        j += best_width
        end = j
    while (
        used and end < len(tokens) and not tokens[end].is_word and tokens[end].text in terms.inner
    ):
        end += 1  # the marks that close the name: 'Discount (%)', 'Cholesterol (mg/dL)'
    core_said = len(used & terms.core)
    if core_said == 0:
        return None
    coverage = core_said / len(terms.core)
    if coverage < 1.0 and all(w in WEAK_WORDS or w in STOPWORDS for w in used & terms.core):
        return None
    return _Candidate(i, end, terms.column, core_said, coverage, quality / len(used))


def _shared_prefix(a: str, b: str) -> int:
    """How many leading letters two words share."""
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def _said(tokens: list[Token], candidate: _Candidate) -> set[int]:
    """The tokens of a candidate that are words (not fillers such as 'of the')."""
    return {
        j
        for j in range(candidate.start, candidate.end)
        if tokens[j].text not in _INNER_FILLERS | {"-", "'", "\u2019"}
    }


def _next_text(tokens: list[Token], j: int) -> str:
    return tokens[j + 1].text if j + 1 < len(tokens) else ""
