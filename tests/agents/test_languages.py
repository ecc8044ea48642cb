"""Language packs: a message in a packed language reaches the planner as English, its numbers
as digits; English and the dataset's own column words pass through untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.languages import detect, fold, packs, says_no, says_yes, to_english, unsupported

CASES = Path(__file__).with_name("plan_cases_public.jsonl")
PACKS = sorted(packs())


def _markers(code: str, count: int = 4) -> str:
    return " ".join(sorted(packs()[code].markers)[:count])


def test_every_pack_is_found_and_says_yes_and_no() -> None:
    assert {"es", "fr", "de", "pt"} <= set(PACKS)
    for pack in packs().values():
        assert pack.yes and pack.no and len(pack.phrases) >= 200, pack.code
        for words in pack.yes:
            assert says_yes(words) and not says_no(words), (pack.code, words)
        for words in pack.no:
            assert says_no(words) and not says_yes(words), (pack.code, words)


def test_english_passes_through_untouched() -> None:
    messages = [json.loads(line)["message"] for line in CASES.read_text().splitlines() if line]
    messages += ["train xgboost on species without island", "histogram of price by make"]
    for message in messages:
        assert to_english(message) == (message, "en")


@pytest.mark.parametrize("code", PACKS)
def test_number_words_become_their_values(code: str) -> None:
    pack = packs()[code]
    for word, value in pack.numbers.items():
        english, found = to_english(f"{_markers(code)} {word} {_markers(code)}")
        assert found == code
        assert f" {value} " in f" {english} ", (word, english)


@pytest.mark.parametrize("code", PACKS)
def test_typed_digits_are_never_joined_or_changed(code: str) -> None:
    joiner = next(iter(packs()[code].joiners), "-")
    english, _ = to_english(f"{_markers(code)} 64 {joiner} 32, 0,05, 1,5 {_markers(code)}")
    assert "64" in english and "32" in english and "0.05," in english and "1.5" in english


@pytest.mark.parametrize("code", PACKS)
def test_the_datasets_own_column_words_are_never_rewritten(code: str) -> None:
    pack = packs()[code]
    changed = [k for k, v in pack.phrases.items() if " " not in k and fold(v) != k][:200]
    for word in changed:
        english, _ = to_english(f"{_markers(code, 6)} {word}", protected={word})
        assert fold(english).split()[-1] == word, (word, english)


def test_a_language_without_a_pack_is_recognised_as_such() -> None:
    assert unsupported(detect("voglio prevedere il prezzo senza la colonna id")) == "Italian"
    assert unsupported(detect("train xgboost on the price")) is None
    for code in PACKS:
        assert detect(_markers(code, 8)) == code


@pytest.mark.parametrize("code", PACKS)
def test_a_joiner_joins_a_smaller_part_only(code: str) -> None:
    """'treinta y dos' is 32, but 'entre cinco y diez' stays two numbers."""
    pack = packs()[code]
    by_value = {v: w for w, v in sorted(pack.numbers.items(), key=lambda i: -len(i[0]))}
    joiner = next(j for j in sorted(pack.joiners) if j != "and")
    small, large, tens = by_value.get(5), by_value.get(10), by_value.get(30)
    assert small and large and tens
    apart, _ = to_english(f"{_markers(code)} {small} {joiner} {large} {_markers(code)}")
    assert " 5 " in apart and " 10 " in apart
    if code != "de":  # German writes 'zweiunddreißig' as one word, not 'dreißig und zwei'
        together, _ = to_english(f"{_markers(code)} {tens} {joiner} {small} {_markers(code)}")
        assert " 35 " in together


def test_a_compound_of_known_words_is_read_as_both() -> None:
    """German writes nouns together, linked by an s now and then: 'Kredit' + 'Summe' is read
    whether written 'Kreditsumme' or 'Kreditssumme', as the two words it is made of."""
    pack = packs()["de"]
    nouns = sorted(k for k, v in pack.phrases.items()
                   if k.isalpha() and len(k) >= 5 and " " not in v and fold(v) != k)  # fmt: skip
    for first, second in list(zip(nouns[::7], nouns[3::7], strict=False))[:40]:
        for link in ("", "s"):
            english, code = to_english(f"{_markers('de', 6)} {first}{link}{second}")
            expected = f"{pack.phrases[first]} {pack.phrases[second]}"
            assert code == "de" and expected in english, (first + link + second, english)


@pytest.mark.parametrize("code", ["es", "fr", "pt"])
def test_a_plural_or_agreeing_form_of_a_known_word_is_read_as_it(code: str) -> None:
    """'anuales' is read as the known 'anual', 'automáticas' as 'automático'."""
    pack = packs()[code]
    checked = 0
    for key, english in sorted(pack.phrases.items()):
        if not key.isalpha() or len(key) < 5 or fold(english) == key:
            continue
        for ending, replacement in pack.inflections:
            if replacement and not key.endswith(replacement):
                continue
            form = (key[: len(key) - len(replacement)] if replacement else key) + ending
            if form in pack.phrases or form in pack.numbers or checked >= 60:
                continue
            said, _ = to_english(f"{_markers(code, 6)} {form}", protected=set())
            assert said.split()[-1] == english.split()[-1], (form, said)
            checked += 1
    assert checked


@pytest.mark.parametrize("code", [c for c, p in packs().items() if p.accented])
def test_a_word_told_apart_by_its_accent_reads_as_spelt(code: str) -> None:
    """'é' is 'is' where 'e' is 'and': an accented word reads as its own entry, never as its
    unaccented twin's."""
    pack = packs()[code]
    lead = sorted(pack.markers)[0]  # a word of the language, so the message is read as it
    for spelt, meaning in pack.accented.items():
        bare = fold(spelt)
        if bare == spelt or bare not in pack.phrases or fold(pack.phrases[bare]) == fold(meaning):
            continue
        said = to_english(f"{lead}, {lead}. {spelt}")[0]
        assert said.endswith(meaning), (spelt, said)
        if not meaning.endswith(pack.phrases[bare]):
            assert not said.endswith(pack.phrases[bare]), (spelt, said)


TEMPLATES = ["now {verb} a model on this data", "show a {chart} as well", "{verb} it with the",
             "draw a {chart} of the columns, then {verb} a model", "can you {verb} on it so we see",
             "I will {verb} an xgboost model", "as a {chart} please"]  # fmt: skip


def test_english_built_from_the_planners_words_is_read_as_english() -> None:
    """Short English words that a pack spells the same ('a', 'on', 'as', 'so') never tip an
    English request into another language."""
    from agents.planner.cues import EXPLORER_CUES

    verbs = ["train", "fit", "predict", "build", "tune", "compare", "run", "try", "use"]
    charts = sorted({p for ps in EXPLORER_CUES.values() for p in ps})
    for template in TEMPLATES:
        for verb, chart in zip(verbs * 20, charts, strict=False):
            message = template.format(verb=verb, chart=chart)
            assert detect(message) == "en", message


@pytest.mark.parametrize(
    ("message", "english"),
    [
        ("histograma de ventas brutas por turno", "sales gross by shift"),
        ("predice el tiempo de ciclo y el reingreso", "cycle time"),
        ("predice readmitido con la tasa de conversión", "readmitted"),
        ("prédire les réadmis avec les médicaments et les ventes brutes", "medication"),
        ("prever a pressão de injeção por turno", "injection pressure by shift"),
        ("zeige die Zykluszeit und den Einspritzdruck", "cycle time and the injection pressure"),
        ("vorhersage der Gesamtkosten und der Lieferzeit", "total cost and the delivery time"),
        ("zeige die Wiederaufnahme pro Schicht", "readmission"),
    ],
)
def test_column_words_of_uploaded_tables_are_understood(message: str, english: str) -> None:
    """Words people use for common columns (gross, cycle time, medications, readmission,
    injection pressure) reach the planner in English, German compounds included."""
    assert english in to_english(message)[0], to_english(message)
