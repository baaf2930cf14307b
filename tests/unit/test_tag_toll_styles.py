"""Tolls written in the styles of wire and monitor reports."""

from __future__ import annotations

import pytest

from pipeline.tagging import tolls


@pytest.mark.parametrize(
    ("sentence", "toll"),
    [
        ("Two suicide bombers killed 92 people at the market", 92),
        ("61 members from the \u201cIslamic State\u201d killed during six days of battles", 61),
        ("5 members of the regime forces killed in Latakia", 5),
        ("At least 13 people, including 11 militiamen, were killed", 13),
        ("The militants kill and behead 4 fighters of the rebel factions", 4),
        ("The number of fatalities caused by the strikes rises to 20 fighters and civilians", 20),
        ("20 civilians and five soldiers were killed in the town", 25),
        ("Gunmen killed a teacher in the village", 1),
        ("Insurgents behead 10 in Cabo Delgado", 10),
        ("Eight soldiers and 12 militants died in the fighting", 20),
        # "a" before a victim counts one in a list
        ("A soldier and two civilians were killed in the attack", 3),
        ("Two soldiers and a civilian were killed in the shelling", 3),
        ("A series of blasts rocked the city and 5 people were killed", 5),
        # a victim and one of theirs
        ("Gunmen kill police officer and his wife in the town", 2),
        ("Militants killed a soldier and his brother at the checkpoint", 2),
        ("A roadside bomb killed a district governor and his two bodyguards", 3),
        ("The attack claimed 14 lives", 14),
        ("The bombing claimed the lives of 9 people", 9),
        ("Warplanes kill a woman and two of her children", 3),
        ("The number of civilians killed in the province today has risen to 41", 41),
        ("Shelling raises the number of those who were killed in the town to 63 at least", 63),
        ("Troops neutralise 15 terrorists in Borno, recover weapons", 15),
        ("15 terrorists were neutralised in the raid", 15),
        ("At least 13 S.African soldiers dead in the fighting", 13),
        ("At least 10, including a priest, killed in the clashes", 10),
        ("Bomb kills 2 police, 3 paramilitaries near the border", 5),
        ("Airstrike kills 5 civilians, 3 of them children, in the town", 5),
        ("Death toll in C. Africa clashes rises to near 40", 40),
        ("After executing three former fighters, the group left their bodies in the open", 3),
        ("Fighters ambushed a convoy on Saturday, killing eight soldiers, two local officials said", 8),
        # the verb of how they died before the count
        ("Suspected militants hacked to death 11 civilians overnight", 11),
        ("Soldiers gunned down five protesters in the capital", 5),
        ("Attackers burned alive 3 women in the village", 3),
        ("Police shoot dead two suspects at a checkpoint", 2),
        # two counts joined by a comma after a noun for people, one verb
        ("Two soldiers, 10 insurgents die in clash near the border", 12),
        ("Three soldiers, two civilians killed in shelling", 5),
        ("In 2015, 10 soldiers were killed", 10),
        ("2 gunmen and 3 others killed 5 people", 5),
        # a force's own losses
        ("Euphrates forces lose at least 20 members in the fighting", 20),
        ("Army kills 10 militants, loses two soldiers in Sinai clash", 12),
        ("The ruling party lost 12 seats in the vote", None),
        ("Regime forces restore positions they lost 20 months ago", None),
        ("Unknown militiamen assassinate 10 members of the front", 10),
        ("Two judges assassinated in Daraa", 2),
        ("Militants slaughter 12 villagers in Borno", 12),
        ("Bodies discovered of five men tortured in the town", 5),
    ],
)
def test_the_toll_stated(sentence: str, toll: int | None) -> None:
    assert tolls.current_and_history(tolls.figures(sentence), "deaths")[0] == toll


@pytest.mark.parametrize(
    "sentence",
    [
        "Gunmen kill aid worker in Upper Nile",
        "Drone strike kills al-Qaeda commander in Marib",
        "Militants behead village elder in Cabo Delgado",
        "Gunmen shoot dead village chief, police say",
        "Separatists kill gendarme in Bamenda",
        "Israeli troops shoot dead Palestinian in Hebron",
        "Palestinian killed by Israeli forces near Jenin",
    ],
)
def test_a_headline_s_victim_without_an_article_is_one_dead(sentence: str) -> None:
    assert tolls.current_and_history(tolls.figures(sentence), "deaths")[0] == 1


@pytest.mark.parametrize(
    ("sentence", "toll"),
    [
        # a count before the noun is the count, whatever the noun's number
        ("Counter attack by the factions kill 25 person from both sides", 25),
        # the victim's family or home is not one victim
        ("Gunmen kill soldier's family in the village", None),
    ],
)
def test_a_bare_victim_is_read_only_as_the_whole_object(sentence: str, toll: int | None) -> None:
    assert tolls.current_and_history(tolls.figures(sentence), "deaths")[0] == toll


@pytest.mark.parametrize("sentence", ["3 rockets hit the base", "12 shells fell on the town overnight"])
def test_counts_of_things_are_no_toll(sentence: str) -> None:
    assert tolls.current_and_history(tolls.figures(sentence), "deaths")[0] is None


@pytest.mark.parametrize(
    ("sentence", "injured"),
    [
        ("Shelling in Kharkiv oblast wounds 4 civilians", 4),
        ("Roadside bomb injures three soldiers in Anbar", 3),
        ("Airstrike kills 2, wounds 5 in Idlib", 5),
    ],
)
def test_the_injured_after_a_present_tense_verb(sentence: str, injured: int) -> None:
    assert tolls.current_and_history(tolls.figures(sentence), "injuries")[0] == injured


@pytest.mark.parametrize(
    ("sentence", "injured"),
    [
        ("The governor said the number of injured had risen to 20", 20),
        ("The toll of injured rose to 30 on Friday", 30),
    ],
)
def test_a_risen_count_of_the_wounded_is_no_toll(sentence: str, injured: int) -> None:
    found = tolls.figures(sentence)
    assert tolls.current_and_history(found, "deaths")[0] is None
    assert tolls.current_and_history(found, "injuries")[0] == injured


def test_a_count_of_forces_named_in_a_list_is_the_toll() -> None:
    sentence = "More than 32 of the regime forces, Russian and clan forces were killed in 4 days of clashes"
    assert [(f.kind, f.value) for f in tolls.figures(sentence)] == [("deaths", 32)]


def test_the_lead_s_count_told_again_as_a_loss_is_no_addition() -> None:
    found = [
        *tolls.figures("Militants attacked a military base, killing 17 soldiers, an officer said."),
        *tolls.figures('"We lost 17 soldiers, and we killed more than 30 of the attackers," he said.'),
    ]
    assert tolls.current_and_history(found, "deaths")[0] == 47


def test_a_force_s_own_losses_add_to_the_lead_s_count() -> None:
    found = tolls.figures("Army kills 10 militants, loses two soldiers")
    assert tolls.current_and_history(found, "deaths")[0] == 12
