"""The project's reference article and the same story as a one-paragraph wire summary.

The reference article is the demo site's ``levant-wire/abu-kamal-clashes.html`` (text as the clean
stage extracts it; trafilatura repeats the headline as the first line of the body).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from pipeline.envelope import CleanedContent, Envelope, Stage
from pipeline.stages.tag import TagStage
from pipeline.tagging.entities import split_headline
from pipeline.tagging.fusion import InMemoryIncidentStore

TITLE = "Islamic State fighters seize two districts of Abu Kamal; car bomb kills 12 in Deir ez-Zor"
BODY = (
    "Islamic State fighters seized two districts of the border town of Abu Kamal from a rival "
    "faction on Thursday, according to the Syrian Observatory for Human Rights.\n"
    "At least 40 fighters died in the clashes, the monitoring group said, up from an earlier "
    "estimate of some 25 killed. Fighting continued into the night near the crossing with Iraq.\n"
    "Residents said the militants, who call themselves the Islamic State but are known locally as "
    "Daesh, used armoured vehicles and heavy machine guns in the assault.\n"
    "On Tuesday a car bomb exploded near a market in the provincial capital Deir ez-Zor, killing "
    "12 people and wounding at least 30, medical sources said.\n"
    "No group has claimed responsibility for the bombing. Security forces closed the roads leading "
    "to the market after the blast."
)
SUMMARY = (
    "Islamic State fighters seized two districts of a border town from a rival faction on "
    "Thursday; at least 40 fighters died, up from an earlier estimate of some 25. On Tuesday a car "
    "bomb in the provincial capital killed 12"
)
PUBLISHED = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)  # a Friday


def _incidents(title: str | None, text: str) -> list[dict[str, Any]]:
    envelope = Envelope(
        id="abu-kamal-clashes",
        url="https://levant-wire.example/articles/abu-kamal-clashes.html",
        source="levant-wire",
        first_seen=PUBLISHED,
        stage=Stage.DEDUPLICATED,
        cleaned=CleanedContent(title=title, text=text, published=PUBLISHED, site_name="Levant Wire"),
    )
    (out,) = TagStage(InMemoryIncidentStore()).process(envelope)
    assert out.tags is not None
    return [dict(i) for i in out.tags.incidents]


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (TITLE, BODY),
        (TITLE, TITLE + "\n" + BODY),  # headline repeated at the top of the body
        (None, TITLE + "\n" + BODY),  # no title: the headline line is recognised as one
    ],
    ids=["title", "title-repeated", "headline-line"],
)
def test_reference_article(title: str | None, text: str) -> None:
    incidents = _incidents(title, text)
    assert len(incidents) == 2
    clash, bomb = incidents

    assert clash["event_type"] == "Battles"
    assert clash["sub_event_type"] in ("Armed clash", "Non-state actor overtakes territory")
    assert clash["location"]["name"] == "Abu Kamal"
    assert clash["location"]["country"] == "Syria"
    assert clash["location"]["precision"] == "city"
    assert (clash["date"], clash["date_precision"]) == ("2026-11-19", "day")
    assert clash["fatalities"] == 40 and clash["fatalities_history"] == [25, 40]
    assert clash["actors"] == ["Islamic State", "Unidentified Armed Group (Syria)"]
    assert clash["evidence"] == [
        BODY.split("\n")[0],
        "At least 40 fighters died in the clashes, the monitoring group said, up from an earlier "
        "estimate of some 25 killed.",
    ]

    assert bomb["event_type"] == "Explosions/Remote violence"
    assert bomb["sub_event_type"] == "Remote explosive/landmine/IED"
    assert bomb["location"]["name"] == "Deir ez-Zor" and bomb["location"]["country"] == "Syria"
    assert (bomb["date"], bomb["date_precision"]) == ("2026-11-17", "day")
    assert bomb["fatalities"] == 12 and bomb["injured"] == 30
    assert bomb["actors"] == []
    assert bomb["evidence"][0].startswith("On Tuesday a car bomb exploded")
    assert not any("Abu Kamal" in line for line in bomb["evidence"])


def test_summary_of_the_same_story() -> None:
    incidents = _incidents(None, SUMMARY)
    assert len(incidents) == 2
    clash, bomb = incidents
    assert clash["event_type"] == "Battles"
    assert (clash["date"], clash["date_precision"]) == ("2026-11-19", "day")
    assert clash["fatalities"] == 40 and clash["fatalities_history"] == [25, 40]
    assert "Islamic State" in clash["actors"]
    assert bomb["event_type"] == "Explosions/Remote violence"
    assert (bomb["date"], bomb["date_precision"]) == ("2026-11-17", "day")
    assert bomb["fatalities"] == 12 and bomb["fatalities_history"] == [12]
    for incident in incidents:
        # Neither place is named: no location, or a country with its precision stated.
        location = incident["location"]
        assert location is None or location["precision"] == "country"


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        ("Headline", "Headline\nFirst sentence.", ("Headline", "First sentence.")),
        ("Headline", "Other first line\nSecond.", ("Headline", "Other first line\nSecond.")),
        (
            None,
            "Car bomb kills 12\nA car bomb killed 12 people.",
            ("Car bomb kills 12", "A car bomb killed 12 people."),
        ),
        (None, "A car bomb killed 12 people.\nMore.", (None, "A car bomb killed 12 people.\nMore.")),
        (None, "Single line without a stop", (None, "Single line without a stop")),
    ],
)
def test_split_headline(title: str | None, body: str, expected: tuple[str | None, str]) -> None:
    assert split_headline(title, body) == expected


def test_headline_without_body_match_stands_alone() -> None:
    # The body tells only of the protest; the headline's bombing is reported nowhere else.
    incidents = _incidents(
        "Car bomb kills 9 in Mogadishu",
        "Hundreds of people protested in Nairobi on Monday against rising prices.",
    )
    types = sorted(i["event_type"] for i in incidents)
    assert types == ["Explosions/Remote violence", "Protests"]
    assert date.fromisoformat(incidents[0]["date"]) <= PUBLISHED.date()


@pytest.mark.parametrize(
    ("text", "expected_seat"),
    [
        # The issue's own example, with the border town named: its governorate's seat.
        (
            "Islamic State fighters seized two districts of the border town of Abu Kamal from a rival "
            "faction on Thursday; at least 40 fighters died, up from an earlier estimate of some 25. "
            "On Tuesday a car bomb in the provincial capital killed 12 people.",
            "Deir ez-Zor",
        ),
        # A province named: its curated seat (Ramadi, although Fallujah is larger).
        (
            "Fighting in Anbar province killed 7 soldiers on Monday. A roadside bomb exploded in the "
            "provincial capital on Wednesday, killing 3 policemen.",
            "Ramadi",
        ),
        (
            "Gunmen attacked a village near Maiduguri on Monday, killing 9 farmers. On Sunday a "
            "suicide bomber killed 4 people at a mosque in the state capital.",
            "Maiduguri",
        ),
    ],
)
def test_the_provincial_capital_is_the_seat_of_the_province_named_before(
    text: str, expected_seat: str
) -> None:
    first, second = _incidents(None, text)
    assert second["location"]["name"] == expected_seat
    assert second["location"]["mention"].endswith("capital")
    assert second["location"]["precision"] == "city"
    assert first["location"]["name"] != expected_seat or expected_seat == "Maiduguri"


def test_a_named_capital_is_taken_as_named() -> None:
    # VOA, "Boko Haram Kills 68 in Nigerian Town" (eval set): the capital is named after the phrase.
    text = (
        "Suspected Boko Haram militants have attacked a village in northeastern Nigeria, killing at "
        "least 68 people.\n"
        "Witnesses tell a VOA reporter that the militants attacked the community of Njaba in Borno "
        "state before dawn Tuesday.\n"
        "Because of the remoteness of the area, word of the attack took two days to reach the state "
        "capital, Maiduguri, about 100 kilometers away."
    )
    (attack,) = _incidents(None, text)
    assert attack["fatalities"] == 68
    assert attack["location"]["mention"] == "Maiduguri"
