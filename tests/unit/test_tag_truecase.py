"""Headlines in title case or capitals are read in sentence case: names keep their capitals,
common words lose them."""

from __future__ import annotations

import pytest

from pipeline.tagging.entities import recognizer
from pipeline.tagging.truecase import CaseRestorer, is_shouting, is_title_case


@pytest.mark.parametrize(
    ("title", "restored"),
    [
        ("Suicide Bomber Kills 7 In Baghdad Market", "suicide bomber kills 7 in Baghdad market"),
        ("BOKO HARAM KILLS 30 IN BORNO VILLAGE RAID", "Boko Haram kills 30 in Borno village raid"),
        (
            "TROOPS SHOT 20 DEAD IN CENTRAL AFRICAN REPUBLIC - OPPOSITION.",
            "troops shot 20 dead in Central African Republic - opposition.",
        ),
        ("Al-Shabaab Attack On AU Base In Lower Shabelle", "Al-Shabaab attack on AU base in Lower Shabelle"),
        # An alternate name of a town abroad ("Add", Addis Ababa) is no reason to keep a capital.
        ("Farmer-Herder Clashes Add to Tension in CAR", "farmer-herder clashes add to tension in CAR"),
    ],
)
def test_a_headline_in_title_case_or_capitals_is_read_in_sentence_case(title: str, restored: str) -> None:
    assert recognizer().case_restorer.restore(title) == restored


@pytest.mark.parametrize(
    "title",
    ["Gunmen kill 12 villagers in Zamfara state", "Clashes in Jobar and bombardment on Reef Dimashq"],
)
def test_a_headline_in_sentence_case_is_left_as_it_is(title: str) -> None:
    assert recognizer().case_restorer.restore(title) == title


def test_the_restored_headline_keeps_its_length_and_its_places() -> None:
    title = "Gunmen Kill 12 Worshippers In Katsina Mosque Attack"
    assert len(recognizer().case_restorer.restore(title)) == len(title)
    analysis = recognizer().analyse(title, None)
    assert [m.text for m in analysis.mentions if m.place is not None] == ["Katsina"]


def test_what_counts_as_title_case_and_capitals() -> None:
    common = recognizer().case_restorer.is_common
    assert is_title_case("Troops Halt Attack In Central Africa", common)
    assert not is_title_case("Troops halt an attack in Central Africa", common)
    assert is_shouting("TROOPS HALT ATTACK IN CENTRAL AFRICA")
    assert not is_shouting("UN says 20 killed")


def test_a_first_name_keeps_the_surname_after_it() -> None:
    restorer = CaseRestorer.with_words(lambda words: words in ("Donald Trump", "Syria"), ["troops"])
    assert restorer.restore("Donald Trump Says US Troops Will Leave Syria").startswith("Donald Trump says")
