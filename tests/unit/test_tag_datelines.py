"""Wire datelines: where and when a report was filed, not where and when its event happened.

The articles are written for these tests in the style of wire reports; they name no real event.
"""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.tagging.entities import recognizer
from pipeline.tagging.incident.where import dateline_end
from pipeline.tagging.tagger import Tagger

PUBLISHED = date(2024, 3, 12)

CHECKPOINT = (
    "PESHAWAR, Pakistan, March 11 (AP) - Militants attacked a police checkpoint in Pakistan's northwest "
    "overnight, killing five officers, police said Monday.\n"
    "The attack took place in the Kulachi area of Dera Ismail Khan district in Khyber Pakhtunkhwa "
    "province, said a local police chief.\n"
    "The death toll later rose to seven after two wounded officers died in hospital, he said."
)
VILLAGE = (
    "NIAMEY, March 11 (Reuters) - Gunmen on motorcycles killed 12 civilians in an attack on a village "
    "in western Niger's Tillaberi region on Sunday, the interior ministry said.\n"
    "Five other people were wounded and taken to hospital in Ouallam."
)


@pytest.mark.parametrize(
    ("sentence", "dateline"),
    [
        ("NIAMEY, March 11 (Reuters) - Gunmen killed 12", "NIAMEY, March 11 (Reuters) - "),
        ("KHARTOUM, 11 March 2024 - The army said", "KHARTOUM, 11 March 2024 - "),
        ("PORT OF SPAIN, Trinidad (Reuters) - Police said", "PORT OF SPAIN, Trinidad (Reuters) - "),
        ("Gunmen killed 5 - police said", ""),
    ],
)
def test_a_dateline_with_its_date(sentence: str, dateline: str) -> None:
    assert sentence[: dateline_end(sentence)] == dateline


def test_the_dateline_town_is_not_the_event_when_the_sentence_names_the_country_after_it() -> None:
    tagged = Tagger().tag("Five killed in attack on checkpoint", CHECKPOINT, PUBLISHED, "k", fuse=False)
    assert [(i.location or {}).get("name") for i in tagged.incidents] == ["Kulachi"]
    assert [i.fatalities for i in tagged.incidents] == [7]


def test_the_dateline_day_is_not_the_event_day_and_the_hospital_town_is_not_the_place() -> None:
    tagged = Tagger().tag("Gunmen kill 12 in Niger village", VILLAGE, PUBLISHED, "k", fuse=False)
    [incident] = tagged.incidents
    assert incident.date == date(2024, 3, 10)  # "on Sunday"
    assert ((incident.location or {}).get("name"), incident.injured) == ("Tillaberi", 5)


CAFE = (
    "MOGADISHU, Somalia (AP) - A suicide bomber blew himself up at a busy cafe in Somalia's capital on "
    "Tuesday evening, killing at least nine people, police said.\n"
    "Al-Shabab claimed responsibility in a statement on its radio.\n"
    "The attack came days after the militants stormed a hotel in the port city of Kismayo, killing 11."
)
CLASHES = (
    "TRIPOLI, Libya (Reuters) - Clashes between rival armed groups in the Libyan capital killed 27 "
    "people, the health ministry said on Wednesday.\n"
    "Fighting erupted on Monday night after the detention of a commander at the airport."
)


def test_a_claim_names_the_perpetrator_and_an_earlier_event_is_not_reported_again() -> None:
    tagged = Tagger().tag("Suicide bomber kills 9 at Mogadishu cafe", CAFE, PUBLISHED, "k", fuse=False)
    assert [(i.fatalities, i.actors) for i in tagged.incidents] == [(9, ["Al-Shabaab"])]


def test_the_day_a_toll_was_said_is_not_the_event_day() -> None:
    tagged = Tagger().tag("Clashes in Tripoli leave 27 dead", CLASHES, date(2024, 3, 13), "k", fuse=False)
    assert [(i.fatalities, i.date) for i in tagged.incidents] == [(27, date(2024, 3, 11))]


REBELS = (
    "GOMA, Democratic Republic of Congo (Reuters) - Rebels seized the mining town of Rubaya in "
    "eastern Congo's North Kivu province on Tuesday after clashes with the army, residents said.\n"
    "The fighting forced thousands of people to flee towards Goma, the provincial capital."
)
STRIKES = (
    "BAMAKO (Reuters) - Mali's army said on Friday it had killed dozens of fighters in air strikes "
    "near the border with Burkina Faso."
)


def test_a_long_country_in_the_dateline_and_a_capital_people_fled_to() -> None:
    tagged = Tagger().tag("Rebels seize town of Rubaya", REBELS, PUBLISHED, "k", fuse=False)
    assert [
        ((i.location or {}).get("name"), (i.location or {}).get("country_code")) for i in tagged.incidents
    ] == [("North Kivu", "CD")]


def test_an_event_the_report_does_not_place_is_placed_at_the_datelines_country() -> None:
    tagged = Tagger().tag(
        "Mali army says it killed fighters near Burkina border", STRIKES, PUBLISHED, "k", fuse=False
    )
    assert [
        ((i.location or {}).get("precision"), (i.location or {}).get("country_code"))
        for i in tagged.incidents
    ] == [("country", "ML")]


def test_a_name_on_a_new_line_loses_the_word_that_opens_its_sentence() -> None:
    body = "GAZA (Reuters) - Air strikes killed 30 people.\nIn Khan Younis, a strike on a house killed 11."
    analysis = recognizer().analyse("", body)
    assert [m.text for m in analysis.mentions if m.label == "PLACE"] == ["GAZA", "Khan Younis"]


@pytest.mark.parametrize(
    ("body", "actors"),
    [
        # A party that tells of its own act is its agent, not only its source.
        (
            "The Houthi movement said on Monday it had fired missiles at a cargo ship in the Red Sea.",
            ["Houthis"],
        ),
        # A party that only reports is not.
        (
            "Gunmen killed five people in the town, the Houthi movement said.",
            ["Unidentified Armed Group (Yemen)"],
        ),
    ],
)
def test_a_party_telling_of_its_own_act_is_its_agent(body: str, actors: list[str]) -> None:
    tagged = Tagger().tag("", f"{body} The attack happened in Yemen.", PUBLISHED, "k", fuse=False)
    assert [i.actors for i in tagged.incidents][:1] == [actors]


DRONES = (
    "KYIV (Reuters) - Russian drones struck residential areas of Kharkiv overnight, killing three "
    "people and wounding 17, the regional governor said.\n"
    "In Russia's Belgorod region, the governor said Ukrainian shelling wounded two civilians.\n"
    "The Kharkiv strike damaged a school, the governor said, adding that the number of injured had "
    "risen to 20."
)


def test_a_later_figure_goes_back_to_the_incident_of_the_town_it_names() -> None:
    tagged = Tagger().tag("Three killed as Russian drones hit Kharkiv", DRONES, PUBLISHED, "k", fuse=False)
    assert [((i.location or {}).get("name"), i.injured) for i in tagged.incidents] == [
        ("Kharkiv", 20),
        ("Belgorod", 2),
    ]


def test_the_town_where_the_police_spoke_is_not_the_place() -> None:
    body = (
        "MAPUTO (Reuters) - Insurgents beheaded 10 people in a village in Mozambique's northern "
        "Cabo Delgado province, police said on Thursday.\n"
        "The attack happened on Tuesday night, a police spokesman told reporters in Pemba, the "
        "provincial capital."
    )
    tagged = Tagger().tag("Insurgents behead 10 in Cabo Delgado", body, PUBLISHED, "k", fuse=False)
    assert [(i.location or {}).get("name") for i in tagged.incidents] == ["Cabo Delgado"]
