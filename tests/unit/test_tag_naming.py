"""Entity typing as an ordered list of named rules (pipeline/tagging/naming.py)."""

from __future__ import annotations

import pytest

from pipeline.tagging import naming
from pipeline.tagging.entities import recognizer


def test_rules_are_named_once_each() -> None:
    names = [name for name, _ in naming.NAME_RULES]
    assert len(names) == len(set(names)) >= 15


@pytest.mark.parametrize(
    ("body", "name", "label"),
    [
        ("Officials at the Ministry of Defence said the base was hit.", "Ministry of Defence", "ORG"),
        ("President Ruto visited the area on Monday.", "Ruto", "PERSON"),
        ("Gunmen attacked the village of Njaba on Tuesday.", "Njaba", "PLACE"),
        ("Fighters of AMISOM repelled the attack.", "AMISOM", "ORG"),
        ("A video showed Abu Bakr al-Baghdadi in Mosul.", "Abu Bakr al-Baghdadi", "PERSON"),
        # a given name's syllable after a hyphen is the name's, an English compound's word is not
        ("North Korean leader Kim Jong-un inspected the site.", "Kim Jong-un", "PERSON"),
        ("Xi Jinping met Lee Hsien-loong on Friday.", "Lee Hsien-loong", "PERSON"),
        ("The Kurdish-led Syrian Democratic Forces advanced.", "Syrian Democratic Forces", "ORG"),
        # a feature by the word that ends its name
        ("Aircraft struck positions near the Samarra Barrage.", "Samarra Barrage", "PLACE"),
    ],
)
def test_each_kind_of_name_is_typed(body: str, name: str, label: str) -> None:
    mentions = recognizer().analyse(None, body).mentions
    assert (name, label) in {(m.text, m.label) for m in mentions}


def test_a_route_between_two_places_is_no_name() -> None:
    mentions = recognizer().analyse(None, "Troops closed the Damascus-Aleppo highway on Friday.").mentions
    assert "Damascus-Aleppo" not in {m.text for m in mentions}


@pytest.mark.parametrize(
    ("sentence", "name", "label"),
    [
        ("The blast hit Kabul's Khair Khana neighbourhood on Wednesday.", "Khair Khana", "PLACE"),
        ("Troops raided hideouts in Wadi al-Shay south of the city.", "Wadi al-Shay", "PLACE"),
        ("A bomb struck a car in Helmand province's Nad Ali district.", "Nad Ali", "PLACE"),
        ("Explosions were heard in Kyiv and Kharkiv, where officials reported damage.", "Kharkiv", "PLACE"),
        ("Abdi Hassan, a spokesman for the governor, said the road was closed.", "Abdi Hassan", "PERSON"),
        ("A Ukrainian drone hit Belgorod, Russian governor says.", "Belgorod", "PLACE"),
        ("Troops killed six militants in Anbar's Haditha, says official", "Haditha", "PLACE"),
        (
            "Two people were killed, the Kenya National Commission on Human Rights said.",
            "Kenya National Commission on Human Rights",
            "ORG",
        ),
    ],
)
def test_place_words_and_institutions_around_a_name(sentence: str, name: str, label: str) -> None:
    mentions = {(m.text, m.label) for m in recognizer().analyse(None, sentence).mentions}
    assert (name, label) in mentions


def test_a_force_on_a_town_is_the_force_and_the_town() -> None:
    analysis = recognizer().analyse("Syrian Democratic Forces advance on Raqqa", None)
    assert "Raqqa" in [m.text for m in analysis.mentions]


def test_a_military_operation_is_no_entity() -> None:
    mentions = recognizer().analyse(None, "Operation Inherent Resolve continued in the north.").mentions
    assert [m.text for m in mentions] == []


def test_a_title_before_a_name_is_not_an_appositive_of_the_name_before_it() -> None:
    sentence = "Gunmen fired on residents of Ogossagou and Welingara, local official Moulaye Guindo said."
    mentions = {(m.text, m.label) for m in recognizer().analyse(None, sentence).mentions}
    assert ("Welingara", "PERSON") not in mentions
    assert ("Moulaye Guindo", "PERSON") in mentions
