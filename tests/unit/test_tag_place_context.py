"""Places that hold without a country named: rural areas are provinces, foreign towns matched by
an alternate or loose spelling are refused, and names that share one country resolve there."""

from __future__ import annotations

import pytest

from pipeline.tagging.entities import recognizer
from pipeline.tagging.places import gazetteer


def _places(title: str) -> list[tuple[str, str, str]]:
    analysis = recognizer().analyse(title, None)
    return [
        (m.text, m.place.place.kind, m.place.place.country)
        for m in analysis.mentions
        if m.place is not None
    ]


@pytest.mark.parametrize(
    "headline",
    [
        "Airstrikes target the southern countryside of Idlib",
        "Clashes continue in Homs countryside",
        "Gunmen attacked villages in the countryside of Kaduna",
    ],
)
def test_the_countryside_of_a_seat_is_its_province(headline: str) -> None:
    (place,) = _places(headline)
    assert place[1] == "admin1"


def test_a_town_named_as_itself_stays_a_town() -> None:
    assert _places("Warplanes bomb Aleppo city") == [("Aleppo", "city", "SY")]


@pytest.mark.parametrize("word", ["Renewed", "NDF", "Ariha", "Sokhna"])
def test_loose_or_alternate_spellings_abroad_are_not_places(word: str) -> None:
    assert gazetteer().resolve(word, []) is None


def test_names_sharing_one_country_resolve_there() -> None:
    places = _places("The regime forces shell areas in Talbiseh city in the countryside of Homs")
    assert ("Talbiseh", "city", "SY") in places


def test_a_country_written_in_a_headline_is_kept_whole() -> None:
    assert _places("Clashes in Central African Republic") == [
        ("Central African Republic", "country", "CF")
    ]
    assert _places("Fresh violence kills at least 29 in C.Africa") == [("C.Africa", "country", "CF")]
