"""Background in a news article: a campaign's course, a trend, a war's sum of dead. None of it is
an incident, and none of its figures goes on the incident the article reports.

The articles are written for these tests in the style of wire reports; they name no real event.
"""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.tagging import tolls
from pipeline.tagging.tagger import Tagger

PUBLISHED = date(2024, 3, 12)

RAID = (
    "Gunmen killed 12 people in an attack on a village in Nigeria's northwestern Zamfara state on "
    "Sunday, police said.\n"
    "The attackers arrived on motorcycles and opened fire on residents, a police spokesman said.\n"
    "The military has been battling Islamist insurgents in the northeast for a decade, a conflict that "
    "has killed some 30,000 people.\n"
    "The group has stepped up attacks on security forces even as its leaders hold talks in Qatar.\n"
    "It frequently carries out bombings in Abuja.\n"
    "Tens of thousands of people have been killed in the region."
)


def test_background_adds_no_incident_and_no_figure() -> None:
    result = Tagger().tag("Gunmen kill 12 in Zamfara village", RAID, PUBLISHED, "background")
    assert len(result.incidents) == 1
    (incident,) = result.incidents
    assert incident.fatalities == 12
    assert incident.location is not None and incident.location["country_code"] == "NG"
    background = ("decade", "Qatar", "Abuja")
    assert not any(word in sentence for sentence in incident.evidence for word in background)


@pytest.mark.parametrize(
    "sentence",
    [
        "Tens of thousands of people have been killed in the war.",
        "Thousands have died since the fighting began.",
        "Hundreds of thousands of civilians have been killed.",
        "The insurgency, a conflict that has killed 30,000 people, shows no sign of ending.",
    ],
)
def test_a_wars_dead_is_no_toll(sentence: str) -> None:
    assert tolls.figures(sentence) == []


def test_hundreds_alone_still_count() -> None:
    (figure,) = tolls.figures("Hundreds of people were killed in the attack on the camp.")
    assert figure.value == 100


MORA = (
    "MAROUA, Cameroon (Reuters) - A suicide bomber killed four civilians in the town of Mora in "
    "northern Cameroon on Monday, a local official said. The attacker detonated explosives near a "
    "mosque, the official said. Last month, two female suicide bombers killed six people at a market "
    "in a village near the border."
)


def test_an_attack_of_an_earlier_month_told_after_the_news_is_background() -> None:
    result = Tagger().tag(
        "Suicide bomber kills 4 in northern Cameroon", MORA, date(2019, 5, 14), "m", fuse=False
    )
    assert [(i.fatalities, (i.location or {}).get("name")) for i in result.incidents] == [(4, "Mora")]


def test_a_late_report_of_last_month_s_attack_is_the_news() -> None:
    text = "Gunmen killed 20 villagers in Nigeria's Zamfara state late last month, police said on Tuesday."
    result = Tagger().tag("Gunmen killed 20 villagers in Zamfara", text, date(2019, 5, 2), "z", fuse=False)
    assert [i.fatalities for i in result.incidents] == [20]


@pytest.mark.parametrize(
    ("headline", "incidents"),
    [
        ("About 5000 killed in May 2016 as the war goes on", 0),
        ("Hundreds were killed in Aleppo in the past seven days", 0),
        ("More than 500 casualties during two weeks of attacks by IS in the desert", 0),
        ("At least 30 killed in two days of fighting in Tripoli", 1),
        ("In the deadliest attack in months, gunmen killed 5 people in Kano", 1),
    ],
)
def test_a_headline_summing_weeks_or_months_is_no_incident(headline: str, incidents: int) -> None:
    assert len(Tagger().tag(headline, None, PUBLISHED, "period", fuse=False).incidents) == incidents
