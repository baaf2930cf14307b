"""Sentences after a lead: a refer-back to the incident just told, a toll stated as none, and a
source named after a comma."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.tagging import tolls
from pipeline.tagging.incident.triggers import classify
from pipeline.tagging.tagger import Tagger

BAGHDAD = (
    "BAGHDAD (Reuters) - A suicide bomber killed nine people at a checkpoint on the northern outskirts "
    "of Baghdad on Tuesday, police said. Another 12 people were wounded in the attack in the town of "
    "Tarmiyah, a police source said."
)


def _incidents(title: str, text: str | None) -> list[dict[str, object]]:
    result = Tagger().tag(title, text, date(2019, 5, 14), "a", fuse=False)
    return [i.to_dict() for i in result.incidents]


def test_the_attack_in_a_town_near_the_lead_s_place_is_the_same_attack() -> None:
    found = _incidents("Suicide bomber kills 9 north of Baghdad", BAGHDAD)
    assert [(i["fatalities"], i["injured"]) for i in found] == [(9, 12)]


def test_a_separate_attack_in_a_town_far_away_stays_its_own_incident() -> None:
    text = (
        "A suicide bomber killed nine people at a checkpoint in Baghdad on Tuesday, police said. "
        "In a separate attack, gunmen killed four soldiers in Mosul, the army said."
    )
    found = _incidents("Suicide bomber kills 9 in Baghdad", text)
    assert sorted(i["fatalities"] for i in found) == [4, 9]


def test_another_kind_of_event_in_another_town_is_another_incident() -> None:
    text = (
        "Russian shelling killed two civilians in the town of Bakhmut, the regional administration "
        "said. Heavy fighting continued around Soledar, where Ukrainian forces said they repelled "
        "several assaults."
    )
    found = _incidents("Shelling kills two in Bakhmut", text)
    kinds = {((i["location"] or {}).get("name"), i["event_type"]) for i in found}  # type: ignore[union-attr]
    assert kinds == {("Bakhmut", "Explosions/Remote violence"), ("Soledar", "Battles")}


def test_a_province_s_toll_does_not_take_in_a_bombing_elsewhere_that_killed_no_one() -> None:
    text = (
        "In western Herat province, a roadside bomb struck a minibus, killing five civilians, the "
        "governor's spokesman said. Separately, officials said a suicide bomber blew himself up "
        "outside a mosque in Kabul on Friday, but no one was hurt except the attacker."
    )
    found = _incidents("Roadside bomb kills five in Herat", text)
    places = sorted((i["location"] or {}).get("name", "") for i in found)  # type: ignore[union-attr]
    assert len(found) == 2 and places == ["Herat Province", "Kabul"]
    kabul = next(i for i in found if (i["location"] or {}).get("name") == "Kabul")  # type: ignore[union-attr]
    assert kabul["fatalities"] == 0 and kabul["injured"] is None


@pytest.mark.parametrize(
    "sentence",
    [
        "Gunmen stormed the village but residents fled and there were no casualties, police said",
        "Police fire tear gas at protesters in the capital, no casualties",
        "The rocket hit an empty field and no one was hurt",
        "The shell landed near the base without causing any casualties",
    ],
)
def test_a_toll_stated_as_none_is_zero(sentence: str) -> None:
    assert tolls.current_and_history(tolls.figures(sentence), "deaths")[0] == 0


@pytest.mark.parametrize(
    "sentence",
    [
        "There were no immediate reports of casualties",
        "Casualties were feared after the blast",
    ],
)
def test_no_report_of_casualties_states_no_toll(sentence: str) -> None:
    assert tolls.current_and_history(tolls.figures(sentence), "deaths")[0] is None


def test_a_count_elsewhere_in_the_incident_wins_over_none() -> None:
    found = tolls.figures("no one was hurt in the first blast") + tolls.figures("the second killed 3 people")
    assert tolls.current_and_history(found, "deaths")[0] == 3


def test_the_source_after_a_comma_is_not_the_victim() -> None:
    sentence = "Boko Haram fighters killed 12 villagers in an attack on Kofa village, a militia leader said."
    trigger = classify(sentence, running_text=True)
    assert trigger is not None
    assert trigger.event_type == "Violence against civilians"
