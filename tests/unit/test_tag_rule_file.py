"""The incident trigger rules file: validated when loaded, so a broken rule stops start-up."""

from __future__ import annotations

import pytest

from pipeline.tagging import rules
from pipeline.tagging.incident import classify

GOOD = """
version: 1
vocabularies: {armed: '(?:troops|rebels)'}
rules:
- name: clash
  event_type: Battles
  sub_event_type: Armed clash
  priority: 55
  cues: [clash, attack]
  patterns: ['\\bclash(?:es)?\\b', '\\battacked\\b[^.]{0,20}\\b{armed}\\b']
"""


def test_a_valid_file_compiles_its_patterns_with_vocabularies() -> None:
    parsed = rules.parse(GOOD)
    (rule,) = parsed.rules
    assert rule.event_type == "Battles"
    assert rule.pattern.search("Gunmen ATTACKED the rebels at dawn")
    assert not rule.pattern.search("attacked the market")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("Battles", "Battle"), "event_type"),
        (("[clash, attack]", "[Clash]"), "lower-case"),
        (("{armed}", "{unarmed}"), "unarmed"),
        (("(?:es)?", "(?:es"), "pattern"),
        (("priority: 55", "priority: 0"), "priority"),
    ],
)
def test_a_broken_rule_is_refused_with_its_reason(change: tuple[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rules.parse(GOOD.replace(*change), "test rules")


def test_the_packaged_rules_load_and_drive_classification() -> None:
    packaged = rules.trigger_rules()
    assert len(packaged.rules) >= 20
    trigger = classify("Warplanes bombed the town of Saraqeb on Monday.")
    assert trigger is not None and trigger.sub_event_type == "Air/drone strike"


@pytest.mark.parametrize(
    "sentence",
    [
        "Workers put up blast walls around the ministry on Monday.",
        "A bombshell report on the election was published in Kabul.",
        "The company launched a killer app for farmers in Kano.",
        "The governor of Herat died of a heart attack.",
        "Officials blamed a ransomware attack on the hospital in Kyiv.",
        "The new government took control of the budget.",
        "The magazine, which attacked the movement's defectors, was founded in Los Angeles.",
        "Hackers attack the ministry's website in Kabul.",
        "Pilgrims in Mina took part in the stoning of the devil on Tuesday.",
        "An artillery crewmember from Vermillion said the training went well.",
        "North Korea conducted a missile test near Pyongyang on Monday.",
        "The opposition leader stabs at the government's budget in Abuja.",
        "Troops rescued 200 kidnapped women in the forest on Friday.",
        "Twelve kidnapped students were freed in Kaduna.",
        "The wounded were evacuated by helicopter to Kabul.",
        "The slaughter of cattle for the feast began in Kano.",
        "The campaign hits 5 targets for growth in Lagos.",
        "Police target drug dealers in Lagos.",
        "Rebels seize power in Niamey.",
    ],
)
def test_figures_of_speech_report_no_incident(sentence: str) -> None:
    assert classify(sentence) is None


@pytest.mark.parametrize(
    ("sentence", "event_type"),
    [
        ("Regime forces advance in Bala area in Eastern Ghouta", "Battles"),
        ("IS executes 8 in Tadmur", "Violence against civilians"),
        ("Explosive barrels hit Khan al-Shih", "Explosions/Remote violence"),
        ("Regime forces shell Harasta city", "Explosions/Remote violence"),
        ("Factions target the regime forces in Latakia Mountains", "Battles"),
        ("Hezbollah fires rockets at northern Israel", "Explosions/Remote violence"),
        ("Insurgents behead 10 villagers in Cabo Delgado", "Violence against civilians"),
        ("Rebel factions take control of Al-Toqli", "Battles"),
        ("Advancement for the regime forces in the countryside of Sheikh Meskin", "Battles"),
        ("Regime forces take over the village of Kafr Nabudah", "Battles"),
        ("A massacre carried out by the regime's helicopters in Aleppo", "Explosions/Remote violence"),
        ("Five civilians killed by Russian jets in Idlib", "Explosions/Remote violence"),
        ("Soldiers repel rebels at the capital", "Battles"),
        ("Rebels target Damascus and Dahya al-Assad", "Explosions/Remote violence"),
        ("M23 rebels seize Bunagana", "Battles"),
        ("Turkish military says hits 71 IS targets in northern Syria", "Explosions/Remote violence"),
        ("Rebels slaughter many in cathedral refuge, say priests", "Violence against civilians"),
    ],
)
def test_conflict_reporting_verbs_report_incidents(sentence: str, event_type: str) -> None:
    trigger = classify(sentence)
    assert trigger is not None and trigger.event_type == event_type


@pytest.mark.parametrize(
    ("sentence", "event_type", "sub_type"),
    [
        ("Youths burned tyres and blocked the road in Kisumu.", "Riots", "Violent demonstration"),
        ("Clashes between rival youths in Jos left two dead.", "Riots", "Mob violence"),
        ("Street protests were punctuated by looting and clashes with police.", "Riots", None),
        ("Soldiers looted shops in the town.", "Strategic developments", "Looting/property destruction"),
        ("Russian and Turkish troops held a joint patrol near Kobani.", "Strategic developments", "Other"),
        ("A soldier was shot dead by gunmen in Maiduguri.", "Battles", "Armed clash"),
        ("A UN peacekeeper was killed in Bangui.", "Battles", "Armed clash"),
        # Control, operations, and violence beside a truce word.
        (
            "Regime forces take full control on the Bani Zaid neighbourhood",
            "Battles",
            "Government regains territory",
        ),
        (
            "The army expands its control in the desert east of Homs",
            "Battles",
            "Government regains territory",
        ),
        (
            "The militants impose their control over the town",
            "Battles",
            "Non-state actor overtakes territory",
        ),
        ("The rebels control the last village on the road", "Battles", "Non-state actor overtakes territory"),
        (
            "Regime forces expand their scope of control in the vicinity of Deir Ezzor",
            "Battles",
            "Government regains territory",
        ),
        (
            "A bomb targeting a commander in Idlib city",
            "Explosions/Remote violence",
            "Remote explosive/landmine/IED",
        ),
        ("The SDF continue their military operations against ISIS", "Battles", "Armed clash"),
        (
            "Helicopters of the regime bomb Daraya with barrels of explosives",
            "Explosions/Remote violence",
            None,
        ),
        ("Successive massacres leave 42 dead in the province", "Violence against civilians", None),
        (
            "The militants control a mountain overlooking the city",
            "Battles",
            "Non-state actor overtakes territory",
        ),
        (
            "The air force bombs militant hideouts in the north",
            "Explosions/Remote violence",
            "Air/drone strike",
        ),
        ("The militants crucify three civilians in the square", "Violence against civilians", "Attack"),
        # A sentence that kills reports violence even when it names a truce.
        ("False truce kills 12 civilians in the city", "Violence against civilians", None),
    ],
)
def test_riots_strategic_developments_and_armed_victims(
    sentence: str, event_type: str, sub_type: str | None
) -> None:
    trigger = classify(sentence)
    assert trigger is not None and trigger.event_type == event_type
    assert sub_type is None or trigger.sub_event_type == sub_type


@pytest.mark.parametrize(
    ("sentence", "event_type"),
    [
        # The armed word is the victim: the verb's object, or its subject in the passive.
        ("Militants killed a U.N. peacekeeper near Bambari.", "Battles"),
        ("Nigerien forces ambushed near the border, officials say.", "Battles"),
        ("Malian troops were attacked outside Gao.", "Battles"),
        ("Four commandos killed in an ambush near Kandahar", "Battles"),
        ("Seven soldiers, including two officers, were killed near Mosul", "Battles"),
        ("Gunmen assassinate a police commander in Kirkuk", "Battles"),
        ("Medical personnel killed in a raid on the clinic", "Violence against civilians"),
        # State forces attacking, with no civilian victim named, fight their armed enemy.
        ("Violent attack by the regime forces in the vicinity of Tal Sawwan", "Battles"),
        # Members of an armed organisation are armed; members of a family are not.
        ("Unknown militiamen assassinate 10 members of Fateh al-Sham front", "Battles"),
        ("Gunmen kill 5 members of one family in Kano", "Violence against civilians"),
        ("Jaysh Khaled Ibn al-Walid targets the factions in the Yarmouk Basin", "Battles"),
        # Killing and abducting: the killing is the event.
        ("Gunmen kill policeman, abduct 3 in Katsina", "Battles"),
        ("Kidnappers kill one, abduct 20 passengers in Kogi", "Violence against civilians"),
        ("Government forces attacked the village and killed 20 civilians", "Violence against civilians"),
        # The armed victims with what they belong to between them and the verb.
        ("Twelve fighters of the Northern Brigade were killed near Tal Afar", "Battles"),
        ("Five policemen loyal to the governor were killed in the raid", "Battles"),
        ("An attack by insurgents on army positions near Gao", "Battles"),
        ("An attack by gunmen on villagers near Gao", "Violence against civilians"),
        # The armed word is the perpetrator, or another sentence part: the victims are civilians.
        ("A nurse was shot dead by a soldier at the market.", "Violence against civilians"),
        ("Gunmen kill eight residents of Bria: peacekeepers", "Violence against civilians"),
        ("Gunmen killed two traders near an army checkpoint.", "Violence against civilians"),
    ],
)
def test_armed_victims_are_told_from_armed_perpetrators(sentence: str, event_type: str) -> None:
    trigger = classify(sentence)
    assert trigger is not None and trigger.event_type == event_type


@pytest.mark.parametrize("sentence", ["Troops retake Kidal from the rebels", "The army recaptures Ramadi"])
def test_present_tense_headlines_of_regained_territory(sentence: str) -> None:
    trigger = classify(sentence)
    assert trigger is not None and trigger.sub_event_type == "Government regains territory"


@pytest.mark.parametrize(
    "sentence",
    [
        "Clashes on the Jobar front amid heavy shelling left fighters dead.",
        "Militants fired mortars and small arms at the positions of the army.",
        "Rocket shells accompany the clashes in the Kabani area.",
    ],
)
def test_two_sided_fighting_with_supporting_fire_is_a_battle(sentence: str) -> None:
    trigger = classify(sentence)
    assert trigger is not None and trigger.event_type == "Battles"


def test_shelling_alone_stays_remote_violence() -> None:
    trigger = classify("Regime forces shell the town of Harasta.")
    assert trigger is not None and trigger.event_type == "Explosions/Remote violence"


def test_the_rule_file_event_types_are_the_incident_model_types() -> None:
    from typing import get_args

    from pipeline.tagging.incident import EVENT_TYPES

    assert get_args(rules.EventType) == EVENT_TYPES


@pytest.mark.parametrize(
    ("sentence", "event_type"),
    [
        ("A suicide car targets a neighborhood in Homs", "Explosions/Remote violence"),
        ("Helicopters drop 12 barrels on the Western Ghouta", "Explosions/Remote violence"),
        ("Rebels destroy a tank of the army near the town", "Battles"),
        ("A Turkish tank got ATGMed near Akhtarin", "Battles"),
        ("Rebels captures the village of Qundarah from the militants", "Battles"),
        ("The forces took Safsafa area from the militants", "Battles"),
        ("A man found murdered in Qameshly", "Violence against civilians"),
        ("The militants carry out the 5th stoning in the city", "Violence against civilians"),
    ],
)
def test_more_ways_of_reporting_an_incident(sentence: str, event_type: str) -> None:
    trigger = classify(sentence)
    assert trigger is not None and trigger.event_type == event_type


@pytest.mark.parametrize(
    ("sentence", "arrest"),
    [
        ("Police arrest 20 suspected cultists in the state", True),
        ("Security forces detained three activists", True),
        ("A court issued an arrest warrant for the former minister", False),
    ],
)
def test_an_arrest_is_an_arrest_and_a_warrant_is_not(sentence: str, arrest: bool) -> None:
    trigger = classify(sentence)
    assert (trigger is not None and trigger.sub_event_type == "Arrests") is arrest


@pytest.mark.parametrize(
    "sentence",
    [
        "The areas under regime control were calm on Friday",
        "Traffic control in the city centre was tightened",
        "Police took control of the situation",
        "The government extends its control of the media",
    ],
)
def test_control_as_a_state_or_a_figure_of_speech_is_no_incident(sentence: str) -> None:
    trigger = classify(sentence)
    assert trigger is None or trigger.event_type != "Battles"


def test_a_killing_someone_is_arrested_for_leaves_the_arrest() -> None:
    trigger = classify("Police arrested three men suspected of killing a trader")
    assert trigger is not None and trigger.sub_event_type == "Arrests"
