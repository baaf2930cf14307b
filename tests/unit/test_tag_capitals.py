"""Places read from phrases: a capital named by its country ("the Afghan capital") places the
incident in the capital city without becoming one of the article's names; a province after its
possessive country ("Iraq's Diyala province") is the incident's place, not the country."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.tagging.incident.triggers import classify
from pipeline.tagging.tagger import Tagger


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger()


def _incident_places(tagger: Tagger, headline: str) -> list[tuple[str | None, str | None]]:
    result = tagger.tag(headline, "", date(2020, 1, 1), "capital-test", fuse=False)
    return [
        ((i.location or {}).get("name"), (i.location or {}).get("country_code")) for i in result.incidents
    ]


@pytest.mark.parametrize(
    ("headline", "country"),
    [
        ("Suicide bomber kills 9 in Iraqi capital", "IQ"),
        ("Bomb Kills 12 In Afghan Capital", "AF"),
        ("Gunmen kill 5 in Somalia's capital", "SO"),
        ("A car bomb killed 7 in the capital of Iraq on Monday", "IQ"),
        ("Violent clashes kill 4 in C.African capital", "CF"),
    ],
)
def test_the_capital_of_a_named_country_is_its_capital_city(
    tagger: Tagger, headline: str, country: str
) -> None:
    places = _incident_places(tagger, headline)
    assert places, headline
    name, code = places[0]
    assert code == country
    assert name == tagger.recognizer.gazetteer.capital_of(country).to_dict()["name"]  # type: ignore[union-attr]


def test_an_inferred_capital_is_not_one_of_the_articles_names(tagger: Tagger) -> None:
    result = tagger.tag("Bomb kills 12 in the Afghan capital", "", date(2020, 1, 1), "c", fuse=False)
    assert result.places == []
    assert (result.incidents[0].location or {}).get("name") == "Kabul"


@pytest.mark.parametrize(
    "headline",
    ["Iraq's capital punishment law is debated", "Investors see Nigerian capital markets rally"],
)
def test_capital_as_money_or_punishment_names_no_city(tagger: Tagger, headline: str) -> None:
    analysis = tagger.recognizer.analyse(headline, "")
    assert not [m for m in analysis.mentions if m.inferred]


@pytest.mark.parametrize(
    "sentence",
    ["Bomb kills 12 in Kabul", "A landmine kills three children near Hama", "Bomb explodes in Bangui"],
)
def test_a_bomb_or_mine_as_the_subject_of_a_present_tense_verb_is_an_explosion(sentence: str) -> None:
    trigger = classify(sentence)
    assert trigger is not None and trigger.sub_event_type == "Remote explosive/landmine/IED"


def test_a_province_after_its_possessive_country_is_the_place(tagger: Tagger) -> None:
    places = _incident_places(tagger, "Roadside bomb kills two soldiers in Iraq's Diyala province")
    assert places and places[0][1] == "IQ" and places[0][0] != "Iraq"


def test_a_condemnation_that_says_when_reports_the_attack(tagger: Tagger) -> None:
    text = "The minister condemned the car bomb attack this morning at a market in Baghdad."
    result = tagger.tag(None, text, date(2020, 1, 1), "condemned", fuse=False)
    assert [i.event_type for i in result.incidents] == ["Explosions/Remote violence"]


def test_a_condemnation_without_a_time_reports_nothing(tagger: Tagger) -> None:
    text = "The minister condemned attacks on aid workers and called for an inquiry."
    assert tagger.tag(None, text, date(2020, 1, 1), "condemned", fuse=False).incidents == []


@pytest.mark.parametrize(
    ("body", "capital"),
    [
        (
            "MOGADISHU (Reuters) - A roadside bomb killed two civilians in the capital, police said.",
            "Mogadishu",
        ),
        ("Somali officials said a roadside bomb killed two civilians in the capital on Monday.", "Mogadishu"),
    ],
)
def test_the_capital_alone_is_the_capital_of_the_article_s_country(
    tagger: Tagger, body: str, capital: str
) -> None:
    (incident,) = tagger.tag(None, body, date(2020, 12, 15), "cap", fuse=False).incidents
    assert (incident.location or {}).get("name") == capital


def test_a_provincial_capital_is_not_the_country_s_capital(tagger: Tagger) -> None:
    body = "Somali officials said a bomb killed two soldiers in the provincial capital on Monday."
    for incident in tagger.tag(None, body, date(2020, 12, 15), "prov", fuse=False).incidents:
        assert (incident.location or {}).get("name") != "Mogadishu"


def test_a_party_described_as_linked_to_another_is_not_that_other(tagger: Tagger) -> None:
    body = "Al Shabaab fighters attacked a base in Lower Shabelle, a raid by the al Qaeda-linked group."
    (incident,) = tagger.tag(None, body, date(2020, 12, 15), "q", fuse=False).incidents
    assert "Al-Qaeda" not in incident.actors and "Al-Shabaab" in incident.actors


def test_a_headline_condemnation_is_news_of_the_attack(tagger: Tagger) -> None:
    title = "UN chief condemns attack that kills peacekeeper in Bangassou"
    (incident,) = tagger.tag(title, None, date(2020, 1, 1), "condemned", fuse=False).incidents
    assert incident.fatalities == 1
    assert incident.location is not None and incident.location["country_code"] == "CF"


def test_a_headline_condemnation_folds_into_the_body_s_attack_in_its_province(tagger: Tagger) -> None:
    title = "U.S. Condemns Terrorist Attack in Hasaka, Syria"
    body = (
        "The United States strongly condemns the suicide attacks in the town of Tel Tamer in Hasaka "
        "Province, which killed scores of civilians."
    )
    incidents = tagger.tag(title, body, date(2015, 12, 11), "condemned", fuse=False).incidents
    assert [i.sub_event_type for i in incidents] == ["Suicide bomb"]
