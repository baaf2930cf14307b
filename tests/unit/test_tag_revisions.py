"""Revised figures belong to the incident they revise, in several ways of writing them."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.tagging import tolls
from pipeline.tagging.tagger import Tagger

ARTICLE = (
    "Heavy fighting between army troops and militants in the town of Bama killed at least 30 "
    "people on Monday, officials said.\n"
    "In a separate attack, a suicide bomber blew himself up at a market in Maiduguri, killing 8 people.\n"
    "An earlier estimate from local officials had put the toll of the fighting in Bama at 18.\n"
    "Residents said 20 civilians and five soldiers were killed in the nearby town of Konduga on Sunday."
)


def test_an_earlier_estimate_revises_the_incident_it_names_not_the_last_one() -> None:
    result = Tagger().tag("Dozens killed in northeast Nigeria", ARTICLE, date(2021, 3, 2), "a", fuse=False)
    by_place = {i.location["name"]: i for i in result.incidents if i.location}
    assert by_place["Bama"].fatalities == 30
    assert by_place["Bama"].fatalities_history == [18, 30]
    assert by_place["Maiduguri"].fatalities_history == [8]
    assert by_place["Konduga"].fatalities == 25


@pytest.mark.parametrize(
    ("sentence", "current", "history"),
    [
        ("The toll was initially reported as 18.", 18, [18]),
        ("The toll rose to 30 from an earlier 18.", 30, [18, 30]),
        ("Up from 18 reported on Monday, the toll now stands at 30.", 30, [18, 30]),
        ("A bomb killed 14 people. An earlier toll given by a local official was nine.", 14, [9, 14]),
        ("Gunmen killed seven policemen. Four fighters were also killed.", 11, [11]),
    ],
)
def test_ways_of_stating_an_earlier_figure(sentence: str, current: int, history: list[int]) -> None:
    assert tolls.current_and_history(tolls.figures(sentence), "deaths") == (current, history)


def test_a_rise_in_a_percentage_is_no_toll() -> None:
    assert tolls.figures("Exports were up from 18 percent.") == []


@pytest.mark.parametrize(
    ("sentence", "deaths"),
    [
        (
            "The death toll from a bombing at a mosque in the capital during evening prayers rose "
            "to 21 on Thursday, police said.",
            21,
        ),
        ("The death toll from Wednesday's bombing, the deadliest this year, has climbed to 33.", 33),
    ],
)
def test_a_toll_that_rises_far_from_its_noun(sentence: str, deaths: int) -> None:
    (figure,) = tolls.figures(sentence)
    assert (figure.kind, figure.value, figure.earlier) == ("deaths", deaths, False)


def test_a_headline_s_risen_toll_replaces_the_earlier_count_of_the_body() -> None:
    body = (
        "The explosion tore through a mosque in the capital on Wednesday evening. Police had "
        "earlier said 10 people were killed and 27 wounded."
    )
    title = "Death toll in Kabul mosque bombing rises to 21"
    result = Tagger().tag(title, body, date(2022, 8, 18), "k", fuse=False)
    (incident,) = result.incidents
    assert incident.fatalities == 21
    assert incident.date == date(2022, 8, 17)


def test_the_day_a_toll_rose_is_not_the_day_of_the_event() -> None:
    body = (
        "The death toll from a bombing at a mosque in Kabul rose to 21 on Thursday, police said. "
        "The explosion tore through the mosque on Wednesday evening."
    )
    result = Tagger().tag(None, body, date(2022, 8, 18), "k", fuse=False)
    (incident,) = result.incidents
    assert incident.date == date(2022, 8, 17)


def test_a_victim_described_by_age_is_counted() -> None:
    (figure,) = tolls.figures("Russian artillery shelling killed a 62-year-old man in the village.")
    assert (figure.kind, figure.value) == ("deaths", 1)


def test_an_event_of_another_year_is_no_part_of_the_article_s_incident() -> None:
    body = (
        "Russian missiles struck residential buildings in Kharkiv early on Saturday, killing four "
        "people. Last year, a Russian missile strike on a Kharkiv apartment block killed 10 people."
    )
    result = Tagger().tag(None, body, date(2023, 5, 27), "h", fuse=False)
    (incident,) = result.incidents
    assert incident.fatalities == 4
    assert len(incident.evidence) == 1


@pytest.mark.parametrize(
    ("headline", "deaths"),
    [
        ("Man shot dead in Chicago", [1]),
        ("Palestinian man killed by Israeli fire", [1]),
        ("Police say man killed wife", []),
    ],
)
def test_a_headline_s_lone_victim_is_one_death(headline: str, deaths: list[int]) -> None:
    assert [f.value for f in tolls.figures(headline) if f.kind == "deaths"] == deaths


ROUNDUP = (
    "Air strikes and artillery shelling killed at least 23 people across northwestern Syria on "
    "Monday, a war monitor said.\n"
    "In Idlib province, warplanes struck a market in the town of Maarat al-Numan, killing 15 "
    "civilians, including four children.\n"
    "Government shelling on the village of Kafranbel in southern Idlib killed five people, and "
    "three others were killed when rockets hit the town of Atarib in western Aleppo countryside."
)


def test_a_lead_that_sums_the_towns_after_it_is_not_counted_again() -> None:
    result = Tagger().tag("Strikes kill 23 in northwest Syria", ROUNDUP, date(2019, 8, 5), "r", fuse=False)
    assert sorted(i.fatalities for i in result.incidents) == [3, 5, 15]
    assert all(i.location is not None and i.location["precision"] == "city" for i in result.incidents)


def test_a_lead_with_one_town_after_it_is_that_town_s_incident() -> None:
    body = (
        "Fighting killed 30 people in Idlib province on Monday, a monitor said. In the town of "
        "Saraqib, 20 fighters were killed in the clashes."
    )
    result = Tagger().tag(None, body, date(2019, 8, 5), "s", fuse=False)
    (incident,) = result.incidents
    assert incident.fatalities == 30
    assert incident.location is not None and incident.location["precision"] == "city"


def test_a_headline_s_generic_attack_is_the_body_s_bombing_not_a_second_incident() -> None:
    body = (
        "Militants stormed a hotel in Mogadishu late on Sunday, leaving at least nine people dead, "
        "police said. The attack began when a suicide bomber detonated an explosive-laden vehicle "
        "at the hotel's gate."
    )
    title = "Al-Shabaab attack on Mogadishu hotel leaves at least 9 dead"
    result = Tagger().tag(title, body, date(2023, 6, 12), "m", fuse=False)
    (incident,) = result.incidents
    assert incident.fatalities == 9


def test_a_count_five_words_from_its_verb() -> None:
    (figure,) = tolls.figures("Two members of the federal police were wounded in the operation.")
    assert (figure.kind, figure.value) == ("injuries", 2)


def test_a_toll_risen_by_a_later_day_revises_the_incident_of_its_town() -> None:
    body = (
        "A Russian missile slammed into an apartment building in Dnipro on Sunday, killing at "
        "least 12 people.\nExplosions were also heard in Kyiv, where officials reported damage.\n"
        "By Monday, the death toll in Dnipro had risen to 30, the governor said."
    )
    result = Tagger().tag(None, body, date(2023, 1, 15), "d", fuse=False)
    by_place = {i.location["name"]: i for i in result.incidents if i.location}
    assert by_place["Dnipro"].sub_event_type == "Shelling/artillery/missile attack"
    assert by_place["Dnipro"].fatalities_history == [12, 30]


def test_the_day_responsibility_was_claimed_is_not_the_day_of_the_event() -> None:
    body = (
        "The Islamic State group claimed responsibility on Friday for a twin suicide bombing that "
        "tore through a crowded market in central Baghdad a day earlier, killing 32 people."
    )
    (incident,) = Tagger().tag(None, body, date(2021, 1, 22), "b", fuse=False).incidents
    assert incident.date == date(2021, 1, 21)


def test_the_attackers_killed_add_to_those_they_killed() -> None:
    body = (
        "Militants attacked a police checkpoint near El Arish on Sunday, killing seven policemen.\n"
        "Security forces killed three of the attackers, the sources said."
    )
    (incident,) = Tagger().tag(None, body, date(2019, 1, 6), "s", fuse=False).incidents
    assert incident.fatalities == 10
