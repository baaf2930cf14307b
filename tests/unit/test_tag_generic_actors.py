"""Generic parties ("soldiers", "police", "villagers") become the actors of the incident's
country, unless the words around them say they belong to someone else."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.tagging.entities import recognizer
from pipeline.tagging.incident import extract


def _actors(headline: str) -> list[str]:
    analysis = recognizer().analyse(headline, None)
    (incident,) = extract(analysis, date(2022, 5, 1), "a")
    return list(incident.actors)


@pytest.mark.parametrize(
    ("headline", "actors"),
    [
        (
            "Soldiers shot dead two villagers near Maiduguri, Nigeria",
            ["Military Forces of Nigeria", "Civilians (Nigeria)"],
        ),
        (
            "Police fired tear gas at protesters in Nairobi, Kenya",
            ["Police Forces of Kenya", "Protesters (Kenya)"],
        ),
        ("Russian warplanes bomb Saraqib in Idlib, Syria", ["Military Forces of Russia"]),
        (
            "A U.S. drone strike killed two militants near Jilib, Somalia",
            ["Military Forces of United States"],
        ),
        ("Regime helicopters drop barrel bombs on Daraya in Syria", ["Military Forces of Syria"]),
    ],
)
def test_a_generic_party_is_of_the_incident_country_or_of_the_nationality_before_it(
    headline: str, actors: list[str]
) -> None:
    assert _actors(headline) == actors


@pytest.mark.parametrize(
    "headline",
    [
        # Whose drone or artillery it was is not said: no actor rather than the wrong one.
        "Drone strike hits apartment block in Odesa, Ukraine",
        "Artillery shelling hit a market in Donetsk, Ukraine",
        # Qualified forces are not the country's military.
        "Coalition warplanes bombed Raqqa in Syria",
        "Kurdish forces clashed with rebels near Afrin, Syria",
        "Iranian-backed forces shelled Busra in Syria",
    ],
)
def test_forces_that_are_not_the_countrys_own_are_not_its_military(headline: str) -> None:
    assert not any(
        actor.startswith("Military Forces of Syria") or actor.startswith("Military Forces of Ukraine")
        for actor in _actors(headline)
    )


def test_forces_in_a_named_group_are_that_group() -> None:
    """ "Syrian Democratic Forces" and "Houthi forces" are the groups, not a state's forces."""
    assert _actors("Syrian Democratic Forces captured the village of Abu Hamam in Syria") == [
        "Syrian Democratic Forces"
    ]
    assert _actors("Houthi forces fired a missile at Marib, Yemen") == ["Houthis"]


@pytest.mark.parametrize(
    ("headline", "event_type"),
    [
        # A military statement's "neutralised": armed men killed by troops, a battle.
        ("Troops neutralise 15 terrorists in Borno, Nigeria", "Battles"),
        ("Police kill 3 bandits in Zamfara, Nigeria", "Battles"),
        ("Terrorists killed 5 villagers in Borno, Nigeria", "Violence against civilians"),
    ],
)
def test_armed_men_killed_by_troops_are_a_battle(headline: str, event_type: str) -> None:
    analysis = recognizer().analyse(headline, None)
    (incident,) = extract(analysis, date(2022, 5, 1), "a")
    assert incident.event_type == event_type


@pytest.mark.parametrize(
    ("headline", "actors"),
    [
        ("Russian missiles struck residential buildings in Kharkiv", ["Military Forces of Russia"]),
        ("Ukrainian rockets hit Donetsk city", ["Military Forces of Ukraine"]),
        ("Missiles hit Kyiv overnight", []),
    ],
)
def test_a_missile_names_its_owner_only(headline: str, actors: list[str]) -> None:
    assert _actors(headline) == actors


@pytest.mark.parametrize(
    ("headline", "actor"),
    [
        ("Maoist rebels kill 5 security personnel in ambush", "Communist Party of India (Maoist)"),
        ("Government troops retake village from SPLA-IO rebels", "SPLA-IO"),
        ("Anti-balaka militiamen attack a camp for displaced people", "Anti-balaka"),
        ("Fano militiamen clash with federal forces", "Fano"),
    ],
)
def test_armed_groups_of_the_catalogue_are_named(headline: str, actor: str) -> None:
    from pipeline.tagging.tagger import Tagger

    result = Tagger().tag(headline, None, date(2019, 5, 1), "a", fuse=False)
    assert any(actor in i.actors for i in result.incidents)


@pytest.mark.parametrize(
    ("headline", "actor"),
    [
        # a country that strikes from afar is its forces
        ("Israel strikes Gaza, killing 12", "Military Forces of Israel"),
        ("Turkey shells Kurdish fighters in Afrin", "Military Forces of Turkey"),
        # a country's forces named by their acronym
        ("Taliban kill 3 ALP members in Faryab", "Police Forces of Afghanistan"),
        ("FARDC troops clash with Mai-Mai", "Military Forces of Democratic Republic of the Congo"),
        ("KDF soldiers killed by IED in Lamu", "Military Forces of Kenya"),
        # or by their title
        ("Militants attack a CRPF camp in Pulwama", "Police Forces of India"),
        ("The Counter-Terrorism Service retakes a district of Mosul", "Military Forces of Iraq"),
        ("The Rapid Intervention Battalion clashes with rebels in Bamenda", "Military Forces of Cameroon"),
    ],
)
def test_a_country_s_forces_named_by_its_strikes_or_their_acronym(headline: str, actor: str) -> None:
    assert actor in _actors(headline)


def test_a_group_that_bombs_is_no_country_s_forces() -> None:
    assert _actors("Gunmen bombed a church in Kaduna") == ["Unidentified Armed Group (Nigeria)"]


def test_a_short_foreign_alternate_name_is_not_a_town_abroad() -> None:
    # "Boni" is one of Bonn's alternate names, and a village in Mali
    analysis = recognizer().analyse("FAMa soldiers killed in ambush near Boni", None)
    for incident in extract(analysis, date(2019, 6, 15), "b"):
        assert (incident.location or {}).get("country") != "Germany"
