"""Gazetteer resolution: spellings, country context, regions and neighbourhoods."""

from __future__ import annotations

import pytest

from pipeline.tagging.places import distance_km, gazetteer


@pytest.mark.parametrize("spelling", ["Deir ez-Zor", "Deir el-Zour", "Dayr az Zawr", "Deir al-Zour"])
def test_deir_ez_zor_spellings(spelling: str) -> None:
    resolved = gazetteer().resolve(spelling, ["SY"])
    assert resolved is not None
    assert resolved.place.country == "SY"
    assert distance_km(resolved.place.lat, resolved.place.lon, 35.336, 40.141) < 5


def test_country_context_disambiguates() -> None:
    gaz = gazetteer()
    ukraine = gaz.resolve("Donetsk", ["UA"])
    assert ukraine is not None and ukraine.place.country == "UA"
    tripoli_lb = gaz.resolve("Tripoli", ["LB"])
    tripoli_ly = gaz.resolve("Tripoli", ["LY"])
    assert tripoli_lb is not None and tripoli_lb.place.country == "LB"
    assert tripoli_ly is not None and tripoli_ly.place.country == "LY"


def test_neighbourhood_falls_back_to_city() -> None:
    resolved = gazetteer().resolve("Kadhimiya", ["IQ"])
    assert resolved is not None
    out = resolved.to_dict()
    assert out["name"] == "Baghdad" and out["precision"] == "neighbourhood"
    assert out["neighbourhood"] == "Kadhimiya"


def test_region_and_country_precision() -> None:
    gaz = gazetteer()
    borno = gaz.resolve("Borno state", [])
    assert borno is not None and borno.precision == "admin1" and borno.place.country == "NG"
    syria = gaz.resolve("Syria", [])
    assert syria is not None and syria.precision == "country"
    for region, country in (("Donbas", "UA"), ("Iraqi Kurdistan", "IQ")):
        found = gaz.resolve(region, [])
        assert found is not None and found.precision == "admin1" and found.place.country == country


def test_small_foreign_places_need_context() -> None:
    # A person's name that is also a small town elsewhere is not a place in a Nigeria story.
    assert gazetteer().resolve("Hassan", ["NG"]) is None


def test_water_bodies_and_regions_never_resolve_to_towns() -> None:
    gaz = gazetteer()
    for name in ("Indian Ocean", "Black Sea", "Middle East", "Horn of Africa"):
        assert gaz.is_feature(name)
        assert gaz.resolve(name, ["SO", "UA"]) is None


def test_small_towns_only_in_the_article_countries() -> None:
    gaz = gazetteer()
    # A village of a few thousand inhabitants, below the main population floor.
    in_context = gaz.resolve("Kurakhivka", ["UA", "RU"])
    assert in_context is not None
    assert in_context.place.country == "UA"
    assert gaz.resolve("Kurakhivka", ["SY", "IQ"]) is None
    assert gaz.resolve("Kurakhivka", []) is None


def test_press_spelling_of_a_division_inside_its_country() -> None:
    gaz = gazetteer()
    oromia = gaz.resolve("Oromia", ["ET"])
    assert oromia is not None and oromia.precision == "admin1" and oromia.place.admin1 == "ET.51"
    # a loose spelling of a division names it only inside the article's countries
    assert gaz.resolve("Oromia", []) is None
    chechen = gaz.resolve("Chechen", [])
    assert chechen is None or chechen.place.kind == "country"


def test_an_english_word_is_no_loose_spelling_of_a_place() -> None:
    # "Mountain" and Montana share their consonants
    assert gazetteer().resolve("Mountain", ["SY"]) is None


def test_a_town_s_alternate_name_does_not_hide_the_division_of_that_name() -> None:
    # "Laghman" is one of Mehtar Lam's alternate names, and the province's own name
    laghman = gazetteer().resolve("Laghman", ["AF"])
    assert laghman is not None and laghman.precision == "admin1" and laghman.place.admin1 == "AF.35"


def test_a_loosely_spelled_province_wins_over_a_village_listing_the_name_among_its_alternates() -> None:
    # a village near Sanaa lists "Shabwa" among its names; the governorate is Shabwah
    shabwa = gazetteer().resolve("Shabwa", ["YE"])
    assert shabwa is not None and shabwa.precision == "admin1" and shabwa.place.admin1 == "YE.05"


def test_with_no_country_known_a_name_of_several_alike_towns_says_none() -> None:
    gaz = gazetteer()
    # Russia's, Serbia's, Turkey's and South Sudan's Bor are alike in size
    assert gaz.resolve("Bor", []) is None
    bor = gaz.resolve("Bor", ["SS"])
    assert bor is not None and bor.place.country == "SS"
    # Libya's Tripoli is five times Lebanon's
    tripoli = gaz.resolve("Tripoli", [])
    assert tripoli is not None and tripoli.place.country == "LY"


@pytest.mark.parametrize(
    ("name", "country"),
    [("Mindanao", "PH"), ("Jubaland", "SO"), ("Nagorno-Karabakh", "AZ"), ("Kurram", "PK")],
)
def test_regions_of_the_conflict_press_that_are_no_division_resolve(name: str, country: str) -> None:
    resolved = gazetteer().resolve(name, [])
    assert resolved is not None and resolved.place.country == country
