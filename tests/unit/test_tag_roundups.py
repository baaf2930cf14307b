"""Headlines on their own: a round-up that tells several events, each in its own place, and a
headline dated by its own words."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.tagging.tagger import Tagger


def _incidents(title: str) -> list[tuple[str, str, str | None]]:
    result = Tagger().tag(title, None, date(2017, 5, 14), "a", fuse=False)
    out = []
    for incident in result.incidents:
        found = incident.to_dict()
        location = found.get("location") or {}
        out.append((found["event_type"], location.get("precision"), location.get("admin1")))
    return out


@pytest.mark.parametrize(
    "headline",
    [
        "Explosion rocks Tartous and regime forces target Daraa countryside",
        "Aerial bombardment targets the countryside of Idlib and warplanes renew the strikes on Homs city",
        "Renewed shelling on the countryside of Latakia and a loud explosion in the city of Idlib",
    ],
)
def test_each_event_of_a_round_up_is_an_incident_of_its_own(headline: str) -> None:
    found = _incidents(headline)
    assert len(found) == 2
    assert len({admin1 for _, _, admin1 in found}) == 2


@pytest.mark.parametrize(
    "headline",
    [
        "Airstrikes target Hama countryside and human losses in the countryside of Idlib",
        "Shells target areas in the city of Daraa and human losses in Aleppo city",
    ],
)
def test_a_bare_word_of_harm_stays_with_the_event_before_it(headline: str) -> None:
    # "human losses" with no toll tells no event of its own, nor what kind of event it was.
    assert len(_incidents(headline)) == 1


def test_two_places_of_one_event_are_not_a_round_up() -> None:
    assert len(_incidents("Clashes in Aleppo and Idlib")) == 1
    assert len(_incidents("Air strikes and shelling on the countryside of Aleppo")) == 1


def test_a_headline_is_dated_by_its_own_words() -> None:
    result = Tagger().tag("120 killed yesterday including 26 regime forces", None, date(2016, 11, 8), "y")
    assert [(i.date, i.date_precision) for i in result.incidents] == [(date(2016, 11, 7), "day")]


@pytest.mark.parametrize(
    ("headline", "toll"),
    [
        ("Blast hits market in Lashkar Gah; 6 dead", 6),
        ("Gunmen storm hotel in Mogadishu | 9 dead", 9),
    ],
)
def test_a_clause_stating_only_a_toll_tells_the_clause_before_it(headline: str, toll: int) -> None:
    result = Tagger().tag(headline, None, date(2017, 5, 14), "a", fuse=False)
    assert [incident.fatalities for incident in result.incidents] == [toll]


def test_clauses_dated_to_different_days_are_different_incidents() -> None:
    body = (
        "The ministry condemned the attack this morning at a crowded market in Baghdad, and the car "
        "bomb attacks in Diyala province on Monday."
    )
    result = Tagger().tag(None, body, date(2015, 7, 22), "days", fuse=False)
    days = sorted(str(i.date) for i in result.incidents)
    assert days == ["2015-07-20", "2015-07-22"]
