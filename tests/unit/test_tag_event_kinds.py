"""Kinds of event the trigger rules tell apart: accidents from attacks, arson from riots, armed
from civilian victims, and a strategic development that is a headline's whole story.

The sentences are written for these tests in the style of wire reports; they name no real event.
"""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.tagging.incident import BATTLES, EXPLOSIONS, RIOTS, STRATEGIC, VAC, classify
from pipeline.tagging.tagger import Tagger

PUBLISHED = date(2022, 5, 1)


@pytest.mark.parametrize(
    ("sentence", "event_type", "sub_event_type"),
    [
        ("Ukrainian drones struck an oil depot in the region overnight.", EXPLOSIONS, "Air/drone strike"),
        (
            "Several rockets were fired at the air base on Tuesday.",
            EXPLOSIONS,
            "Shelling/artillery/missile attack",
        ),
        ("A kamikaze drone hit a power station near the city.", EXPLOSIONS, "Air/drone strike"),
        ("A drone slammed into an apartment block, killing three.", EXPLOSIONS, "Air/drone strike"),
        (
            "A missile crashed into a hospital in the city on Friday.",
            EXPLOSIONS,
            "Shelling/artillery/missile attack",
        ),
        # Arson: a riot when a crowd does it, property destruction otherwise.
        (
            "Unknown assailants set fire to a church in the village.",
            STRATEGIC,
            "Looting/property destruction",
        ),
        ("Protesters set fire to the governor's office after the vote.", RIOTS, "Violent demonstration"),
        # Victims civilian by what they do keep the killing an attack on civilians.
        ("Insurgents killed 12 farmers in the district on Monday.", VAC, "Attack"),
        ("Ten villagers were killed in an attack attributed to rebels.", VAC, "Attack"),
        ("Gunmen killed five students and a teacher at the college.", VAC, "Attack"),
        # Armed victims make it a battle, plural officers as much as one policeman.
        ("Two police officers were shot dead by unidentified gunmen.", BATTLES, "Armed clash"),
        ("Militants attacked a camp in the district and three jawans were killed.", BATTLES, "Armed clash"),
        ("Two marines were killed when their patrol was ambushed.", BATTLES, "Armed clash"),
        # An armed group's own men killed: its member, its commander.
        ("A Taliban commander was killed in the district on Monday.", BATTLES, "Armed clash"),
        ("An ISIS member killed in the eastern countryside", BATTLES, "Armed clash"),
        ("Security forces arrested 11 suspected members of the cell.", STRATEGIC, "Arrests"),
        # Aircraft brought down: a headline's bare "down" is a verb, "walked down the" is not.
        ("Rebels down army helicopter in the south", STRATEGIC, "Disrupted weapons use"),
        ("Air defences downed two drones over the city.", STRATEGIC, "Disrupted weapons use"),
        ("Police defuse a roadside bomb near the market", STRATEGIC, "Disrupted weapons use"),
        ("The death toll from the truck bomb rose to 40.", EXPLOSIONS, "Remote explosive/landmine/IED"),
        ("A motorcycle bomb went off near the checkpoint.", EXPLOSIONS, "Remote explosive/landmine/IED"),
        # A killing in the sentence outranks the arrest beside it.
        ("Troops killed 10 militants and arrested five others.", BATTLES, "Armed clash"),
    ],
)
def test_event_kinds(sentence: str, event_type: str, sub_event_type: str) -> None:
    trigger = classify(sentence)
    assert trigger is not None, sentence
    assert (trigger.event_type, trigger.sub_event_type) == (event_type, sub_event_type)


@pytest.mark.parametrize(
    ("headline", "event_type", "sub_event_type"),
    [
        # A headline's present tense names the same events as a report's past tense.
        ("Militants storm army base in the north", BATTLES, "Armed clash"),
        ("Rebels storm police headquarters near the border", BATTLES, "Armed clash"),
        ("Gunmen open fire on worshippers at a mosque", VAC, "Attack"),
        ("Police open fire on protesters", "Protests", "Excessive force against protesters"),
        ("Security forces shot dead three protesters", "Protests", "Excessive force against protesters"),
        ("Protesters torch police station after the arrest", RIOTS, "Violent demonstration"),
        ("Demonstrators burn down the governor's office", RIOTS, "Violent demonstration"),
        ("Youths throw stones at a convoy", RIOTS, "Violent demonstration"),
        ("Soldiers loot homes in the capital", STRATEGIC, "Looting/property destruction"),
        ("Unknown men torch a school in the district", STRATEGIC, "Looting/property destruction"),
        # wounding with a count is an attack; armed victims make it a battle
        ("Gunmen wound five villagers in the market", VAC, "Attack"),
        ("Separatists wound two soldiers in the region", BATTLES, "Armed clash"),
        (
            "Rebels blow up police vehicle in the district",
            "Explosions/Remote violence",
            "Remote explosive/landmine/IED",
        ),
        ("Police arrest 40 protesters in the capital", "Protests", "Protest with intervention"),
        # freed hostages end an abduction told before; the killing is the event
        ("Troops kill 4 militants, rescue 20 hostages", BATTLES, "Armed clash"),
        ("Gunmen take 20 hostages at a hotel", VAC, "Abduction/forced disappearance"),
        # the armed side wounded, with no word for how
        ("Two soldiers wounded in the east over the past day", BATTLES, "Armed clash"),
    ],
)
def test_headline_present_tense(headline: str, event_type: str, sub_event_type: str) -> None:
    trigger = classify(headline)
    assert trigger is not None, headline
    assert (trigger.event_type, trigger.sub_event_type) == (event_type, sub_event_type)


@pytest.mark.parametrize(
    "sentence",
    [
        "A storm hit the coast near the army base",
        "The Olympic torch arrives in the capital",
        "The wound healed in two weeks",
        "The talks blew up after the minister left",
        "Fans blew up the photo on social media",
        "12 people injured in bus crash",
        "Police freed the hostages",
        "Bus crash injures 12 passengers on the highway",
    ],
)
def test_present_tense_forms_need_their_context(sentence: str) -> None:
    assert classify(sentence) is None, sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "Explosion at fireworks factory kills 12 in the south",
        "A gas cylinder blast killed four people in a restaurant.",
        "Coal mine explosion kills 20 miners",
        "A boiler exploded at the textile plant, injuring nine workers.",
    ],
)
def test_accidental_explosions_are_no_incident(sentence: str) -> None:
    assert classify(sentence) is None


@pytest.mark.parametrize(
    ("sentence", "sub_event_type"),
    [
        ("A bomb exploded near a gas station, killing three.", "Remote explosive/landmine/IED"),
        (
            "Militants attacked a chemical plant; an explosion killed two guards.",
            "Remote explosive/landmine/IED",
        ),
    ],
)
def test_a_weapon_keeps_an_explosion_an_attack(sentence: str, sub_event_type: str) -> None:
    trigger = classify(sentence)
    assert trigger is not None
    assert (trigger.event_type, trigger.sub_event_type) == (EXPLOSIONS, sub_event_type)


def _headline_incidents(title: str, text: str | None = None) -> list[tuple[str, str]]:
    result = Tagger().tag(title, text, PUBLISHED, "event-kinds", fuse=False)
    return [(i.event_type, i.sub_event_type) for i in result.incidents]


def test_a_headline_arrest_is_an_incident_of_its_own() -> None:
    assert _headline_incidents("Iraqi forces arrest Islamic State commander in Mosul") == [
        (STRATEGIC, "Arrests")
    ]


def test_an_arrest_for_a_killing_is_the_arrest() -> None:
    assert _headline_incidents("Police arrest suspect in killing of journalist in Lagos") == [
        (STRATEGIC, "Arrests")
    ]


def test_a_headline_truce_is_no_incident() -> None:
    assert _headline_incidents("The truce completes its 26th day with breaches across the north") == []


def test_a_headline_arrest_beside_body_violence_adds_nothing() -> None:
    incidents = _headline_incidents(
        "Police arrest two men in Lagos",
        "Gunmen killed three traders at a market in Lagos on Saturday, police said.",
    )
    assert incidents == [(VAC, "Attack")]


def test_a_trial_for_an_old_massacre_is_no_incident() -> None:
    body = (
        "A court on Friday sentenced a former militia commander to life in prison for his role in "
        "a 2014 massacre in which at least 60 civilians were killed in the town of Guen. "
        "Prosecutors said fighters under his command attacked a mission where civilians had "
        "sought refuge."
    )
    assert _headline_incidents("Court jails former militia leader over massacre", body) == []


@pytest.mark.parametrize(
    ("sentence", "incidents"),
    [
        ("In 2019, a car bomb killed 12 people at the market.", 0),
        ("The group, founded in 2009, attacked an army base on Monday, killing 5 soldiers.", 1),
        ("Gunmen killed 5 villagers on Monday in the town where the 2014 massacre took place.", 1),
        ("The last election in the city was held before the 2014 protests.", 0),
    ],
)
def test_an_event_of_another_year_is_background(sentence: str, incidents: int) -> None:
    result = Tagger().tag(None, sentence, date(2023, 9, 15), "history", fuse=False)
    assert len(result.incidents) == incidents


def test_a_protest_whose_demonstrators_turn_violent_is_a_riot() -> None:
    body = (
        "Thousands of protesters marched through the capital on Tuesday, and police fired tear gas "
        "to disperse them. Demonstrators threw stones at officers and several shops were looted."
    )
    assert _headline_incidents("Protest over tax rises in the capital", body) == [
        (RIOTS, "Violent demonstration")
    ]


def test_a_protest_broken_up_with_people_killed_is_excessive_force() -> None:
    body = "Two people died and 15 were injured when security forces dispersed protesters in the town."
    result = Tagger().tag(None, body, PUBLISHED, "protest", fuse=False)
    assert [(i.event_type, i.sub_event_type, i.fatalities) for i in result.incidents] == [
        ("Protests", "Excessive force against protesters", 2)
    ]


SPORT_REPORT = (
    "Manchester City's striker shot his side into a two-goal lead before half-time on Saturday, "
    "and the visitors' defence was blown apart in the second half. The champions attacked from the "
    "first whistle. We killed the game in ten minutes, the manager said. Fans clashed briefly "
    "outside the stadium after the final whistle, police said."
)


def test_sport_told_in_the_words_of_war_is_no_incident() -> None:
    title = "Striker fires City to victory as rivals clash in title battle"
    assert _headline_incidents(title, SPORT_REPORT) == []


def test_fans_fighting_the_police_at_a_stadium_is_a_riot() -> None:
    assert _headline_incidents("Fans clashed with police outside the stadium") == [
        (RIOTS, "Violent demonstration")
    ]


def test_a_toll_at_a_stadium_is_an_incident_all_the_same() -> None:
    body = "A bomb exploded outside the stadium before the match, killing 12 fans, police said."
    assert _headline_incidents("Bomb kills 12 football fans", body) == [
        (EXPLOSIONS, "Remote explosive/landmine/IED")
    ]


def test_one_word_of_sport_in_a_war_report_changes_nothing() -> None:
    body = "Militants attacked a checkpoint near the town during the harvest season, officials said."
    assert _headline_incidents("Militants attack checkpoint", body) == [(BATTLES, "Armed clash")]


def test_an_accidental_explosion_stays_an_accident_when_the_article_calls_it_the_blast() -> None:
    body = (
        "A truck loaded with gas exploded late on Thursday, igniting a fire that spread to homes "
        "nearby, a government spokesman said. The cause of the blast was under investigation."
    )
    assert _headline_incidents("Explosion at gas station kills 8", body) == []


@pytest.mark.parametrize(
    "headline",
    [
        "Earthquake kills 200 in western Afghanistan",
        "Floods kill 30 in Nigeria's Kogi state",
        "Bus crash kills 20 near Kano",
        "Fire kills 5 in Lagos apartment building",
        "Cholera outbreak kills 40 in Borno",
        "Lightning strike kills 3 farmers in Uganda",
        "Two killed as building collapses in Lagos",
        "Five people died and 30 were injured when a bus overturned near Voi, police said",
    ],
)
def test_disasters_accidents_and_disease_are_no_incident(headline: str) -> None:
    assert _headline_incidents(headline) == []


@pytest.mark.parametrize(
    "headline",
    [
        "Gunmen killed 5 people in a village hit by floods",
        "Militants set fire to a market, killing 5",
        "Gunmen opened fire killing 5 in Kano",
    ],
)
def test_a_killer_named_beside_a_disaster_keeps_the_incident(headline: str) -> None:
    assert len(_headline_incidents(headline)) == 1


@pytest.mark.parametrize(
    "headline",
    [
        "Opposition attacks government over budget in Nairobi",
        "Trump attacks Biden over border policy",
        "President's plan under attack from lawmakers",
        "Candidate blasts rival in heated debate",
        "Officials killed the proposal in committee",
        "Government survives no-confidence vote after fierce battle in parliament",
        "The selloff killed a rally that had lifted stocks to a record",
    ],
)
def test_words_as_weapons_are_no_incident(headline: str) -> None:
    assert _headline_incidents(headline) == []


@pytest.mark.parametrize(
    "headline",
    [
        "Gunmen attacked the village over the weekend",
        "The convoy came under attack from militants near Gao",
        "Islamic State claimed the attack in a statement posted online",
    ],
)
def test_an_attack_by_armed_men_is_no_verbal_attack(headline: str) -> None:
    assert len(_headline_incidents(headline)) == 1


@pytest.mark.parametrize(
    "sentence",
    ["Protesters attacked police over the killing of a student.", "Demonstrators and police clashed."],
)
def test_an_attack_or_clash_by_a_crowd_is_a_riot(sentence: str) -> None:
    trigger = classify(sentence)
    assert trigger is not None
    assert (trigger.event_type, trigger.sub_event_type) == (RIOTS, "Violent demonstration")


def test_an_analysis_of_a_war_names_no_incident() -> None:
    body = (
        "The war between the army and the paramilitary forces has killed more than 15,000 people "
        "since April 2023, according to the United Nations. Fighting has spread from the capital "
        "to Darfur and Kordofan. In El Fasher, residents describe daily shelling."
    )
    assert _headline_incidents("Analysis: why the war keeps spreading", body) == []


@pytest.mark.parametrize(
    ("body", "incidents"),
    [
        ("The band won best single for The Kill at the awards that year.", 0),
        ("The unit later flew the EC-130 Commando Solo from the base.", 0),
        ("The Syrian Democratic Forces advanced on Raqqa on Monday, a spokesman said.", 1),
    ],
)
def test_a_trigger_word_inside_a_capitalised_name_is_no_event(body: str, incidents: int) -> None:
    assert len(_headline_incidents("", body)) == incidents


@pytest.mark.parametrize(
    ("headline", "incidents"),
    [
        ("Troops withdraw from Mosul outskirts", [(STRATEGIC, "Non-violent transfer of territory")]),
        ("IS fighters withdrew from the town of Manbij", [(STRATEGIC, "Non-violent transfer of territory")]),
        ("The minister withdrew his resignation", []),
        ("The candidate withdrew from the race", []),
    ],
)
def test_a_withdrawal_is_from_a_place(headline: str, incidents: list[tuple[str, str]]) -> None:
    assert _headline_incidents(headline) == incidents


@pytest.mark.parametrize(
    ("headline", "incidents"),
    [
        # A count of the dead with no cause is an incident where the sentence speaks of
        # violence; armed dead make it a battle.
        ("Five soldiers died in Bangui", [(BATTLES, "Armed clash")]),
        ("Three soldiers dead after attack in Bangui", [(BATTLES, "Armed clash")]),
        ("Four dead in sectarian violence in Bangui", [(VAC, "Attack")]),
        ("Human losses in regime forces in the countryside", [(BATTLES, "Armed clash")]),
        ("Bodies of five men found with marks of torture in Bangui", [(VAC, "Attack")]),
        ("Bodies of three soldiers found in Borno", [(BATTLES, "Armed clash")]),
        ("Ten dead in Mexico bar shooting", [(VAC, "Attack")]),
        ("Three people found dead in Bangui after militia attack", [(VAC, "Attack")]),
        ("Two dead in clashes between rival fans after football match", [(RIOTS, "Violent demonstration")]),
        ("New religious violence in the town leaves one dead", [(VAC, "Attack")]),
        ("Dozens die as sectarian violence erupts in the north", [(VAC, "Attack")]),
        ("Up to 100 civilians shot and burnt alive in Alindao", [(VAC, "Attack")]),
        ("Militants burn refugee camp in the east", [(STRATEGIC, "Looting/property destruction")]),
        # An armed group's name speaks of violence; its dead are a battle's ("Taliban storm" is
        # no weather).
        ("At least 21 dead as Taliban storm government compound in Ghazni", [(VAC, "Attack")]),
        ("Casualties in SDF in Raqqa", [(BATTLES, "Armed clash")]),
        ("A storm hit the town, three dead", []),
        # With no word of violence, or of a disaster, or of another sentence's dead, it is not.
        ("Six dead in Bangui", []),
        ("Two dead after heavy rain in Lagos", []),
        ("Scores dead as ferry sinks off Goma", []),
        ("Five dead as floods hit Bangui", []),
        ("He was one of 12 people who died", []),
        ("Extrajudicial killings continue, rights group says", []),
        ("One dies of cholera in Bangui", []),
        ("Farmers burn stubble in Punjab", []),
        ("Police found the bodies of two hikers near Boulder", []),
        ("Two climbers found dead on Mont Blanc, rescuers say", []),
        ("Six dead, 20 hurt in Lagos tanker explosion", []),
    ],
)
def test_a_headline_count_of_the_dead_is_an_incident(headline: str, incidents: list[tuple[str, str]]) -> None:
    assert _headline_incidents(headline) == incidents


def test_a_two_word_nationality_owns_the_soldiers() -> None:
    tagged = Tagger().tag("Six South African soldiers killed in Bangui", None, PUBLISHED, "k", fuse=False)
    assert [incident.actors for incident in tagged.incidents] == [["Military Forces of South Africa"]]


def test_a_round_up_headline_reports_each_place_apart() -> None:
    title = "Shells target areas in the city of Daraa and gunmen kill 3 civilians in Aleppo city"
    tagged = Tagger().tag(title, None, PUBLISHED, "k", fuse=False)
    places = [(i.event_type, (i.location or {}).get("name")) for i in tagged.incidents]
    assert places == [(EXPLOSIONS, "Daraa"), (VAC, "Aleppo")]


@pytest.mark.parametrize(
    "title", ["Clashes in Aleppo and Idlib", "Air strikes and shelling on the countryside of Aleppo"]
)
def test_one_event_in_two_places_stays_one_incident(title: str) -> None:
    assert len(Tagger().tag(title, None, PUBLISHED, "k", fuse=False).incidents) == 1


@pytest.mark.parametrize(
    ("headline", "event_type"),
    [
        # Two armed parties and no unarmed victim: a battle.
        ("IS attacks SDF in al-Hasakah countryside", BATTLES),
        ("Unidentified gunmen attack a headquarters of the Islamic State near Deir Ezzor", BATTLES),
        # An armed party and men, villagers or a massacre: violence against civilians.
        ("SDF kill 3 men in al-Raqqa countryside", VAC),
        ("Islamic State gunmen attacked villagers in Deir Ezzor", VAC),
        ("Rebels commit a massacre against civilians in Aleppo", VAC),
    ],
)
def test_an_attack_between_armed_parties_is_a_battle(headline: str, event_type: str) -> None:
    assert [event for event, _ in _headline_incidents(headline)] == [event_type]


def test_a_named_groups_gunmen_are_that_group() -> None:
    tagged = Tagger().tag(
        "Islamic State gunmen attacked villagers in Deir Ezzor", None, PUBLISHED, "k", fuse=False
    )
    assert [incident.actors for incident in tagged.incidents] == [["Islamic State", "Civilians (Syria)"]]


REGIMENT = (
    "The regiment was organised in 1862. At Fredericksburg it suffered minor casualties from "
    "artillery fire, and it fought in the Overland Campaign of 1864. It was mustered out in June 1865."
)


@pytest.mark.parametrize(
    ("body", "incidents"),
    [
        # An account of the past names no incident, however much fighting it tells of, nor does
        # a day of a month after one of its years.
        (REGIMENT, 0),
        ("The regiment was formed in 1862. On July 30 it fought at Williamsport, losing 5 men.", 0),
        # A report of the days around its publication keeps its incident beside an old year,
        # a year it measures from, or a count that looks like a year.
        ("Gunmen attacked the village on Monday, killing 5. In 2019 the state signed a deal.", 1),
        ("On 28 April, gunmen attacked the village, killing 5. In 2019 the state signed a deal.", 1),
        ("Troops advanced in the province for the first time since 2011, killing 12 militants.", 1),
        ("The shelling killed 12 and the number of displaced rose to about 1800 people.", 1),
    ],
)
def test_an_account_of_the_past_names_no_incident(body: str, incidents: int) -> None:
    assert len(Tagger().tag("", body, PUBLISHED, "k", fuse=False).incidents) == incidents


@pytest.mark.parametrize(
    ("title", "country"),
    [("Israel strikes Gaza, killing 12", "PS"), ("Russia struck Kharkiv overnight, killing 4", "UA")],
)
def test_a_state_that_strikes_a_place_strikes_from_afar(title: str, country: str) -> None:
    (incident,) = Tagger().tag(title, None, PUBLISHED, "k", fuse=False).incidents
    assert incident.event_type == EXPLOSIONS
    assert (incident.location or {}).get("country_code") == country


def test_a_state_that_strikes_a_deal_reports_no_incident() -> None:
    assert Tagger().tag("Israel strikes a deal with Egypt over gas", None, PUBLISHED, "k").incidents == []


@pytest.mark.parametrize(
    "title",
    [
        "Five civilians killed in Anadan due to Russian raids",
        "A plane kills three fighters in the city of Raqqa",
        "Targeting the town by several missiles kills 13 people",
    ],
)
def test_raids_planes_and_missiles_of_a_state_strike_from_afar(title: str) -> None:
    (incident,) = Tagger().tag(title, None, PUBLISHED, "k", fuse=False).incidents
    assert incident.event_type == EXPLOSIONS


@pytest.mark.parametrize(
    "title",
    ["Casualties in raids on Saraqeb", "Four wounded in the raids at a village near Ariha"],
)
def test_raids_counted_in_casualties_with_no_ground_party_are_air_raids(title: str) -> None:
    (incident,) = Tagger().tag(title, None, PUBLISHED, "k", fuse=False).incidents
    assert incident.sub_event_type == "Air/drone strike"


@pytest.mark.parametrize(
    "title",
    [
        "Bandits kill 20 in raids on Katsina villages",
        "Twelve killed in raids on Zamfara villages",
        "Five civilians killed in night raids in Nangarhar",
        "Two killed in raids on the houses of fighters in Daraa",
    ],
)
def test_raids_by_a_ground_party_or_on_villages_and_houses_are_not_air_raids(title: str) -> None:
    (incident,) = Tagger().tag(title, None, PUBLISHED, "k", fuse=False).incidents
    assert incident.event_type != EXPLOSIONS


def test_security_members_killed_in_an_attack_is_a_battle() -> None:
    title = "42 security members killed by attacks targeted security branches in Homs"
    (incident,) = Tagger().tag(title, None, PUBLISHED, "k", fuse=False).incidents
    assert (incident.event_type, incident.fatalities) == (BATTLES, 42)


@pytest.mark.parametrize(
    "sentence",
    [
        "The coalition gave masks to Iraqi forces during training in preparation for the Mosul offensive.",
        "All parties must commit to an end to all the fighting in Aleppo.",
        "The minister met groups working on preventing sexual violence in conflict in Gaziantep.",
    ],
)
def test_preparations_and_aims_are_no_incident(sentence: str) -> None:
    assert Tagger().tag(None, sentence, date(2016, 6, 15), "aims", fuse=False).incidents == []


def test_a_strike_report_s_strikes_destroy() -> None:
    result = Tagger().tag(
        None, "Near Sinjar, two strikes destroyed three tunnel entrances.", date(2016, 6, 15), "s", fuse=False
    )
    assert [(i.event_type, i.sub_event_type) for i in result.incidents] == [(EXPLOSIONS, "Air/drone strike")]


def test_a_country_named_as_one_of_two_parties_is_not_the_place() -> None:
    body = "The convoy near Aleppo was attacked from the air by forces of either the regime or Russia."
    result = Tagger().tag(None, body, date(2016, 9, 21), "c", fuse=False)
    assert [(i.location or {}).get("country") for i in result.incidents] == ["Syria"]


@pytest.mark.parametrize(
    ("headline", "expected"),
    [
        ("Turkey vows to battle on after 16 troops killed in Syria", [(BATTLES, "Armed clash")]),
        (
            "UN calls for probe after airstrike kills 20 civilians in Saada",
            [(EXPLOSIONS, "Air/drone strike")],
        ),
        ("Taliban threaten to attack after talks fail", []),
        ("The court sentenced him after he killed 5 people in Kano", []),
    ],
)
def test_a_reaction_reports_the_event_it_answers(headline: str, expected: list[tuple[str, str]]) -> None:
    assert _headline_incidents(headline) == expected


def test_the_one_reacting_is_no_party() -> None:
    result = Tagger().tag("Army warns of more attacks after bomb kills 5 in Maiduguri", None, PUBLISHED, "r")
    (incident,) = result.incidents
    assert incident.fatalities == 5
    assert incident.actors == []


def test_a_trade_named_in_the_background_is_no_abduction() -> None:
    body = "The state has been plagued by armed gangs who kidnap for ransom."
    assert Tagger().tag(None, body, PUBLISHED, "k", fuse=False).incidents == []


def test_down_the_aisle_of_a_plane_is_no_event() -> None:
    assert classify("He walked down the plane aisle to his seat.") is None


@pytest.mark.parametrize(
    "sentence",
    [
        "Rebels seized a military outpost near the border on Sunday.",
        "Insurgents captured two police stations in the district.",
        "The militia overran the army barracks after a day of fighting.",
    ],
)
def test_posts_and_barracks_taken_by_an_armed_group_are_territory_overtaken(sentence: str) -> None:
    trig = classify(sentence)
    assert trig is not None
    assert (trig.event_type, trig.sub_event_type) == (BATTLES, "Non-state actor overtakes territory")


def test_a_force_s_own_officers_killed_make_a_battle() -> None:
    trig = classify("Revolutionary Guards general and six Basij volunteers killed near Aleppo")
    assert trig is not None and trig.event_type == BATTLES



@pytest.mark.parametrize(
    "sentence",
    [
        "Explosions were heard over the capital as air defences shot down drones.",
        "The air force said it shot down 18 of 33 missiles, but not the one that hit the city.",
    ],
)
def test_weapons_shot_down_with_no_one_killed_are_an_interception(sentence: str) -> None:
    trig = classify(sentence)
    assert trig is not None
    assert (trig.event_type, trig.sub_event_type) == (STRATEGIC, "Disrupted weapons use")


def test_a_strike_told_before_its_interceptions_stays_a_strike() -> None:
    trig = classify("Drones hit the port overnight; air defences shot down ten others.")
    assert trig is not None and trig.event_type == EXPLOSIONS


@pytest.mark.parametrize(
    "sentence",
    [
        "Protesters stormed the parliament building on Saturday.",
        "Hundreds of demonstrators broke into the governor's offices.",
    ],
)
def test_a_crowd_storming_a_building_is_a_violent_demonstration(sentence: str) -> None:
    trig = classify(sentence)
    assert trig is not None
    assert (trig.event_type, trig.sub_event_type) == (RIOTS, "Violent demonstration")


def test_stun_grenades_fired_at_a_crowd_are_no_explosion() -> None:
    trig = classify("Police fired tear gas and stun grenades to disperse the crowd.")
    assert trig is not None and trig.event_type != EXPLOSIONS


@pytest.mark.parametrize(
    "sentence",
    [
        "The army has been fighting the paramilitary forces since April 15.",
        "The two sides have been fighting for years over the province.",
    ],
)
def test_a_war_s_course_is_no_event(sentence: str) -> None:
    result = Tagger().tag("A long war", sentence, PUBLISHED, "a", fuse=False)
    assert result.incidents == []


def test_fighting_since_a_weekday_is_an_event() -> None:
    trig = classify("Troops have been fighting rebels near the town since Monday, killing 20.")
    assert trig is not None and trig.event_type == BATTLES
