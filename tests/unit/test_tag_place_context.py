"""Places that hold without a country named: rural areas are provinces, foreign towns matched by
an alternate or loose spelling are refused, and names that share one country resolve there."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.tagging.entities import recognizer
from pipeline.tagging.places import gazetteer
from pipeline.tagging.tagger import Tagger
from pipeline.tagging.text import spelling_variant


def _places(title: str) -> list[tuple[str, str, str]]:
    analysis = recognizer().analyse(title, None)
    return [
        (m.text, m.place.place.kind, m.place.place.country) for m in analysis.mentions if m.place is not None
    ]


@pytest.mark.parametrize(
    "headline",
    [
        "Airstrikes target the southern countryside of Idlib",
        "Clashes continue in Homs countryside",
        "Gunmen attacked villages in the countryside of Kaduna",
        "Clashes and mutual targeting in Aleppo southeast countryside",
        "Regime forces shell areas in Aleppo's northern countryside",
    ],
)
def test_the_countryside_of_a_seat_is_its_province(headline: str) -> None:
    (place,) = _places(headline)
    assert place[1] == "admin1"


def test_every_name_of_a_list_of_countrysides_is_a_province() -> None:
    places = _places("Continued clashes in Hama and Homs countrysides")
    assert [kind for _, kind, _ in places] == ["admin1", "admin1"]


def test_a_town_named_as_itself_stays_a_town() -> None:
    assert _places("Warplanes bomb Aleppo city") == [("Aleppo", "city", "SY")]


@pytest.mark.parametrize("word", ["Renewed", "NDF", "Ariha", "Bala"])
def test_loose_or_alternate_spellings_abroad_are_not_places(word: str) -> None:
    assert gazetteer().resolve(word, []) is None


def test_names_sharing_one_country_resolve_there() -> None:
    places = _places("The regime forces shell areas in Talbiseh city in the countryside of Homs")
    assert ("Talbiseh", "city", "SY") in places


def test_a_country_written_in_a_headline_is_kept_whole() -> None:
    assert _places("Clashes in Central African Republic") == [("Central African Republic", "country", "CF")]
    assert _places("Fresh violence kills at least 29 in C.Africa") == [("C.Africa", "country", "CF")]


def test_a_loose_spelling_with_no_country_known_is_not_a_place() -> None:
    assert gazetteer().resolve("Missile", []) is None


@pytest.mark.parametrize(
    "headline", ["Man killed in bombing at the eastern countryside of Deir Ezzor", "Boy executed in Daraa"]
)
def test_a_common_word_opening_a_headline_is_not_a_town(headline: str) -> None:
    assert {country for _, _, country in _places(headline)} <= {"SY"}


def test_a_loose_spelling_of_a_curated_place_is_kept() -> None:
    resolved = gazetteer().resolve("Reef Dimashq", [])
    assert resolved is not None and resolved.place.country == "SY"


@pytest.mark.parametrize(
    "headline",
    [
        "Russia boosts air campaign to help the army seize a key city",
        "Gunmen attack an area of a border crossing with Turkey",
        "Continuous shelling by Turkey on the outskirts of the city",
    ],
)
def test_a_country_named_as_a_party_or_a_border_is_not_the_place(headline: str) -> None:
    from datetime import date

    from pipeline.tagging.tagger import Tagger

    result = Tagger().tag(headline, None, date(2017, 1, 1), "a", fuse=False)
    assert result.incidents
    assert all(i.location is None for i in result.incidents)


def test_a_country_after_a_locative_is_the_place() -> None:
    from datetime import date

    from pipeline.tagging.tagger import Tagger

    result = Tagger().tag("Clashes in Syria kill 5 fighters", None, date(2017, 1, 1), "a", fuse=False)
    assert [i.location["country_code"] for i in result.incidents if i.location] == ["SY"]


@pytest.mark.parametrize(("name", "country"), [("California", "US"), ("Texas", "US"), ("Ohio", "US")])
def test_states_of_the_united_states_are_regions(name: str, country: str) -> None:
    resolved = gazetteer().resolve(name, [])
    assert resolved is not None
    assert (resolved.place.country, resolved.place.kind) == (country, "admin1")


def test_a_country_keeps_its_name_over_a_state_of_the_same_name() -> None:
    resolved = gazetteer().resolve("Georgia", [])
    assert resolved is not None and resolved.place.kind == "country"


def test_the_countryside_of_a_name_with_its_article_is_the_province() -> None:
    places = _places("An explosion in the countryside of al-Hasakah in Syria")
    assert places[0][1] == "admin1"
    # Qamishli is no provincial seat: its countryside is the land around it.
    assert _places("An explosion in the countryside of al-Qameshly in Syria")[0][1] == "area"


def test_a_name_with_its_article_attached_is_looked_up_with_it() -> None:
    """ "al-Busayrah" is Al Busayrah on the Euphrates, not Basir, a town spelled like "Busayrah"."""
    headline = "A young man executed in al-Busayrah in the countryside of Deir Ezzor"
    towns = [m.place.place for m in recognizer().analyse(headline, None).mentions if m.place]
    assert towns[0].country == "SY" and towns[0].kind == "city"
    assert towns[0].lon > 39.0  # the Euphrates valley, not Basir in the south-west


@pytest.mark.parametrize(
    ("headline", "country"),
    [
        ("Gunmen abduct 40 students in Kebbi state", "NG"),
        ("Clashes in Ouham prefecture leave 12 dead", "CF"),
        ("Fighting in Rivers state kills 3", "NG"),
    ],
)
def test_a_first_order_division_named_with_its_word_is_a_province(headline: str, country: str) -> None:
    (place,) = _places(headline)
    assert place[1:] == ("admin1", country)


def test_a_division_named_like_an_english_word_needs_its_word() -> None:
    assert _places("Rivers and deltas flooded after the rains") == []


@pytest.mark.parametrize(
    "headline",
    [
        "Separatists kill two gendarmes in Cameroon's Northwest region",
        "Separatists attack a school in Cameroon's North West region",
        "Gunmen kill three in the North-West region of Cameroon",
    ],
)
def test_a_compass_division_is_found_however_its_compound_is_written(headline: str) -> None:
    divisions = [place for place in _places(headline) if place[1] == "admin1"]
    assert divisions == [(divisions[0][0], "admin1", "CM")]


def test_a_division_several_countries_share_names_none_with_no_country_known() -> None:
    assert _places("Gunmen kill three in the Northwest region") == []
    assert gazetteer().resolve("Northwest region", ["CM"]) is not None


@pytest.mark.parametrize(
    ("headline", "town"),
    [
        ("Clashes continue in Al-Raqqah city", "Raqqa"),
        ("Airstrikes hit Al-Mayadin", "Al Mayādīn"),
    ],
)
def test_a_headline_article_before_a_name_does_not_hide_it(headline: str, town: str) -> None:
    """Headline capitals make "Al" a word of its own; the name after it is still looked up,
    with the article ("al raqqah" is GeoNames' Ar Raqqah / Raqqa)."""
    analysis = recognizer().analyse(headline, None)
    (place,) = [m.place for m in analysis.mentions if m.place is not None]
    assert (place.place.name, place.place.country) == (town, "SY")


def test_a_name_with_an_article_is_found_without_it() -> None:
    found, exact = gazetteer().candidates("al-Raqqah")
    assert exact and {p.country for p in found} == {"SY"}


def test_an_armed_group_of_one_country_places_the_names_of_a_headline_there() -> None:
    """No country is named, but the Syrian Democratic Forces act only in Syria: "Tabaqa" is
    Syria's Al-Tabqa, a spelling the gazetteer only matches loosely."""
    assert _places("SDF shells Tabaqa") == [("Tabaqa", "city", "SY")]
    assert _places("Shells target Tabaqa") == []


def test_a_small_town_of_the_country_wins_over_an_implausible_alternate_name_abroad() -> None:
    """ "Ariha" is an alternate name of Jericho (too small to be taken abroad by it) and a
    town of Syria's Idlib province, where the article is."""
    found = gazetteer().resolve("Ariha", ["SY"])
    assert found is not None and (found.place.country, found.place.admin1) == ("SY", "SY.12")
    assert gazetteer().resolve("Ariha", ["NG"]) is None


def test_a_division_word_picks_the_country_that_uses_it() -> None:
    """Nigeria and Benin both have a "Plateau": Nigeria's is a state, Benin's a department."""
    found = gazetteer().resolve("Plateau state", [])
    assert found is not None and found.place.country == "NG"


@pytest.mark.parametrize(
    "headline",
    [
        "Shells target al-Castello road where the Russian forces are located",
        "Casualties in massacres at al-MashHad and al-Salhin neighborhoods carried out by helicopters",
    ],
)
def test_a_street_or_quarter_named_like_a_town_abroad_is_not_that_town(headline: str) -> None:
    """Not Castello de la Plana in Spain, not Mashhad in Iran."""
    assert _places(headline) == []


def test_a_road_named_after_a_known_town_still_places_it() -> None:
    assert _places("Gunmen attack shops on Mogadishu road") == [("Mogadishu", "city", "SO")]


@pytest.mark.parametrize(
    "sentence",
    [
        "Gunmen killed five people in Kajuru LGA of Kaduna State.",
        "Gunmen killed five people in Kajuru Local Government Area of Kaduna State.",
    ],
)
def test_a_district_word_after_a_town_is_not_part_of_its_name(sentence: str) -> None:
    analysis = recognizer().analyse(None, sentence)
    places = [(m.text, m.place.place.country) for m in analysis.mentions if m.place is not None]
    assert ("Kajuru", "NG") in places


def test_of_a_container_and_the_place_inside_it_the_place_inside_is_the_incident_s() -> None:
    from datetime import date

    from pipeline.tagging.tagger import Tagger

    result = Tagger().tag("Gunmen kill five in Kaduna's Kajuru", None, date(2022, 5, 1), "x", fuse=False)
    (incident,) = result.incidents
    assert incident.location is not None
    assert incident.location["name"] == "Kajuru"


@pytest.mark.parametrize(
    ("name", "seat"), [("Ituri", "Bunia"), ("Tshopo", "Kisangani"), ("Tanganyika", "Kalemie")]
)
def test_the_dr_congo_s_provinces_have_their_2015_names(name: str, seat: str) -> None:
    (place,) = _places(f"Militia attack in {name} province kills five")
    assert place == (name, "admin1", "CD")
    gaz = gazetteer()
    (town, *_), _ = gaz.candidates(seat)
    assert gaz.regions[town.admin1].name == name


def test_a_dateline_town_yields_to_the_place_the_sentence_names() -> None:
    from datetime import date

    from pipeline.tagging.tagger import Tagger

    body = (
        "KADUNA, Nigeria (Reuters) - Gunmen killed at least 12 people in an overnight raid on a "
        "village in northwest Nigeria's Kaduna state, police said on Monday.\n\n"
        "The attackers opened fire on residents of a village in Zaria local government area late "
        "on Sunday, a police spokesman said."
    )
    result = Tagger().tag("Gunmen kill 12 in Nigerian village", body, date(2023, 3, 6), "x", fuse=False)
    (incident,) = result.incidents
    assert incident.fatalities == 12
    assert incident.location is not None and incident.location["country_code"] == "NG"


@pytest.mark.parametrize("name", ["Kunar", "Ghor", "Wardak", "Uruzgan"])
def test_a_province_by_the_press_s_spelling(name: str) -> None:
    (place,) = _places(f"Taliban attack checkpoint in {name} province")
    assert place[1:] == ("admin1", "AF")


def test_a_lone_sizeable_town_after_a_locative_gives_its_country() -> None:
    # Inkhil (Daraa, some 29,000 people) is the only place of that name.
    assert _places("12 killed during clashes in Inkhel") == [("Inkhel", "city", "SY")]


def test_a_lone_name_without_a_locative_gives_no_country() -> None:
    assert _places("Inkhel says the talks failed") == []


@pytest.mark.parametrize(
    ("country", "code"),
    [("Iceland", "IS"), ("Cameroon", "CM"), ("Colombia", "CO"), ("Brazil", "BR"), ("Kazakhstan", "KZ")],
)
def test_every_country_is_a_place_however_its_capital_is_spelled(country: str, code: str) -> None:
    # GeoNames lists "Reykjavik" as "Reykjavík", "Yaounde" as "Yaoundé", "Bogota" as "Bogotá".
    resolved = gazetteer().resolve(country, [])
    assert resolved is not None and (resolved.place.kind, resolved.place.country) == ("country", code)


@pytest.mark.parametrize(
    ("headline", "kind"),
    [
        ("Air strike kills 17 in a village in Myanmar's central Sagaing region", "admin1"),
        ("Air strike kills 17 in Sagaing town", "city"),
    ],
)
def test_a_division_alias_needs_its_word_where_a_town_is_spelled_so(headline: str, kind: str) -> None:
    assert [k for text, k, _ in _places(headline) if text.startswith("Sagaing")] == [kind]


def test_a_short_word_is_not_the_acronym_it_matches() -> None:
    analysis = recognizer().analyse("", "The junta's jets bombed Let Yet Kone village on Tuesday.")
    assert [m.actor for m in analysis.mentions if m.actor is not None] == []


def test_another_name_of_a_foreign_town_is_no_place_and_no_country() -> None:
    # "Bassa" is one of Passau's alternate names, and a town of Nigeria.
    assert _places("Gunmen attacked a village in Bassa, killing 19 people") == []
    places = _places("Gunmen attacked a village in Bassa LGA of Plateau State, killing 19 people")
    assert {country for _, _, country in places} == {"NG"}


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Inkhel", "Inkhil", True),
        ("Zabadani", "Az Zabadani", True),
        ("Azaz", "I\u2018z\u0101z", True),
        ("Bassa", "Passau", False),
        ("Cologne", "K\u00f6ln", False),
    ],
)
def test_spelling_variants(a: str, b: str, same: bool) -> None:
    assert spelling_variant(a, b) is same


@pytest.mark.parametrize(
    ("headline", "country"),
    [
        ("Burkina Faso: 15 killed in attack on church", "BF"),
        ("Mali: Jihadists kill 11 soldiers in attack on army camp", "ML"),
    ],
)
def test_a_headline_labelled_with_a_country_is_placed_there(headline: str, country: str) -> None:
    from datetime import date

    from pipeline.tagging.tagger import Tagger

    result = Tagger().tag(headline, None, date(2019, 5, 1), "a", fuse=False)
    assert [(i.location or {}).get("country_code") for i in result.incidents] == [country]


@pytest.mark.parametrize(
    "headline", ["Russia: US strike killed 12 civilians", "Russia: Turkish drone strike kills 4 civilians"]
)
def test_a_country_label_naming_a_speaker_is_not_the_place(headline: str) -> None:
    from datetime import date

    from pipeline.tagging.tagger import Tagger

    result = Tagger().tag(headline, None, date(2019, 5, 1), "a", fuse=False)
    assert result.incidents
    assert all(i.location is None for i in result.incidents)


def test_a_refused_namesake_gives_way_to_the_next_plausible_place() -> None:
    # Turkey is the only country named; the larger "Al Bab" entry is refused abroad, the curated
    # Syrian town of the same name is not.
    places = _places("Continuous shelling by Turkey and Euphrates Shield on al-Bab city")
    assert ("Bab", "city", "SY") in places


@pytest.mark.parametrize(
    ("headline", "kind"),
    [
        ("Dozens of casualties in raids which targeted areas in Al-Raqqah City", "city"),
        ("Air strikes hit several areas in Hama Countryside", "admin1"),
    ],
)
def test_a_capitalised_place_noun_is_not_part_of_the_name(headline: str, kind: str) -> None:
    (place,) = _places(headline)
    assert place[1:] == (kind, "SY")


def test_another_name_of_a_town_abroad_is_no_evidence_of_its_country() -> None:
    # "Hama" is also one of the other names of a Japanese town, "Al-Hara" spells a Japanese
    # "Hara": the two do not make a Japanese article.
    places = _places("An explosion in Al-Hara town and air strikes on several areas in Hama Countryside")
    assert all(country != "JP" for _, _, country in places)
    assert ("Hama", "admin1", "SY") in places


def test_with_no_country_named_a_loose_spelling_of_a_sizeable_town_resolves() -> None:
    assert _places("Violent clashes in Sheikh Meskin and raids by warplanes target the town") == [
        ("Sheikh Meskin", "city", "SY")
    ]


def test_a_loose_spelling_shared_by_an_english_word_is_no_town() -> None:
    # "Missile" has the loose key of Mosul, too short to stand for it without a country.
    assert _places("Gunmen kill five villagers in Missile village") == []


@pytest.mark.parametrize(
    "headline",
    [
        "ISIS fierce attack on Manbij countryside",
        "33 persons were executed in al-Mayadin desert",
        "Attack on the countryside of Salamiyah city kills 82 persons",
    ],
)
def test_the_countryside_of_a_town_that_names_no_province_is_the_land_around_it(headline: str) -> None:
    (place,) = _places(headline)
    assert place[1:] == ("area", "SY")


def test_the_land_around_a_town_keeps_the_towns_point() -> None:
    analysis = recognizer().analyse("ISIS fierce attack on Manbij countryside", None)
    (around,) = analysis.places()
    (town,) = recognizer().analyse("ISIS fierce attack on Manbij city", None).places()
    assert (around.place.lat, around.place.lon) == (town.place.lat, town.place.lon)
    assert around.to_dict()["precision"] == "area"


def test_a_car_bomb_is_no_mention_of_the_central_african_republic() -> None:
    analysis = recognizer().analyse("Car bomb kills at least 60 in Syria's Azaz", None)
    assert "CF" not in analysis.countries
    assert [(p.place.country, p.place.kind) for p in analysis.places()][-1] == ("SY", "city")
    assert recognizer().analyse("CAR army kills 7 in rebel ambush", None).countries == ["CF"]


@pytest.mark.parametrize(
    "headline",
    [
        "Warplanes carry out a massacre in Abyan village in the western countryside of Aleppo",
        "Fierce fighting in the Kurds Mountain in Lattakia countryside",
    ],
)
def test_a_namesake_outside_the_province_named_is_no_place(headline: str) -> None:
    # Abyan is a Yemeni province and "Mountain" spells Montana loosely: neither is in the
    # Syrian province the headline places them in, which is all that is left.
    places = _places(headline)
    assert [(kind, country) for _, kind, country in places] == [("admin1", "SY")]


def test_a_place_named_inside_a_province_is_the_province_s_town_of_that_name() -> None:
    places = _places("At least 10 people were killed by warplanes in Sinjar in the countryside of Idlib")
    assert ("Sinjar", "city", "SY") in places


def test_a_province_s_name_before_neighborhood_is_a_city_quarter() -> None:
    assert _places("Rebel shells kill children in Salah al-Din neighborhood") == []
    assert _places("27 raids target Aleppo neighborhoods since this morning") == [("Aleppo", "city", "SY")]


def test_two_letters_make_no_spelling_of_a_longer_name() -> None:
    assert not spelling_variant("Bala", "Basel")
    assert spelling_variant("Azaz", "I\u2018z\u0101z")


def test_sokhna_is_syria_s_al_sukhnah_not_a_town_of_india() -> None:
    resolved = gazetteer().resolve("Sokhna", [])
    assert resolved is not None and resolved.place.country == "SY"


def test_an_incident_naming_no_place_is_not_put_in_a_village_of_another() -> None:
    body = (
        "Gunmen killed at least 22 people in attacks on villages in Nigeria's Zamfara state, police said.\n"
        "The attackers stormed the villages of Kadawa, Gora and Rini in Maru on Wednesday evening.\n"
        "The military said on Tuesday its air force had killed dozens of bandits in strikes on their camps."
    )
    result = Tagger().tag("Gunmen kill 22 in Zamfara", body, date(2021, 4, 1), "z", fuse=False)
    strikes = [i for i in result.incidents if i.sub_event_type == "Air/drone strike"]
    assert strikes and all((i.location or {}).get("precision") != "city" for i in strikes)


def test_a_state_named_as_the_press_names_it() -> None:
    body = (
        "Tribal clashes in Sudan's West Darfur province have killed at least 48 people, a medical group said."
    )
    (incident,) = Tagger().tag(None, body, date(2021, 1, 17), "w", fuse=False).incidents
    assert (incident.location or {}).get("admin1") == "SD.47"


def test_a_town_called_so_with_no_country_known_is_the_one_country_s_small_town() -> None:
    headline = "Warplanes kill 61 people in the market of Atarib town"
    result = Tagger().tag(headline, None, date(2017, 11, 14), "a", fuse=False)
    (incident,) = result.incidents
    assert incident.location is not None and incident.location["country_code"] == "SY"


def test_a_quarter_is_never_a_small_town_abroad() -> None:
    headline = "Warplanes carry out a massacre in the Barza neighborhood"
    result = Tagger().tag(headline, None, date(2017, 2, 20), "a", fuse=False)
    assert all(i.location is None or i.location["country_code"] != "RO" for i in result.incidents)


def test_a_spelling_of_a_sizeable_town_s_own_name_in_one_country_needs_no_country() -> None:
    result = Tagger().tag("Regime forces shell Talbiseh city", None, date(2017, 1, 16), "a", fuse=False)
    (incident,) = result.incidents
    assert incident.location is not None and incident.location["country_code"] == "SY"


def test_a_placed_name_with_no_country_known_is_the_one_country_s_small_town() -> None:
    result = Tagger().tag("Aerial bombardment kills 5 in al-Atarib", None, date(2016, 11, 12), "a")
    (incident,) = result.incidents
    assert incident.location is not None and incident.location["country_code"] == "SY"


def test_a_province_s_name_abroad_is_no_small_town_with_no_country_known() -> None:
    # Plateau, Alabama is the only town so spelled; Nigeria's and Benin's divisions bear the name.
    result = Tagger().tag("Gunmen kill 12 in Plateau", None, date(2018, 6, 24), "a", fuse=False)
    (incident,) = result.incidents
    assert incident.location is None or incident.location["country_code"] != "US"
    assert gazetteer().sole_small_town("Plateau") is None


def test_fulani_herders_are_the_fulani_militia() -> None:
    headline = "Clashes between Fulani herders and farmers kill 12 in Plateau State"
    (incident,) = Tagger().tag(headline, None, date(2018, 6, 24), "a", fuse=False).incidents
    assert "Fulani militia" in incident.actors
    assert incident.location is not None and incident.location["country_code"] == "NG"


def test_a_division_named_after_its_seat_is_found_by_the_seat_s_spelling() -> None:
    # GeoNames spells the division Brjansk, the press Bryansk region, as the town is spelled.
    headline = "Drone attack sets fire to oil depot in Russia's Bryansk region"
    (incident,) = Tagger().tag(headline, None, date(2024, 1, 19), "a", fuse=False).incidents
    assert incident.location is not None
    assert (incident.location["admin1"], incident.location["precision"]) == ("RU.10", "admin1")


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Talks in the Netherlands failed.", "NL"),
        ("The team flew to Holland.", "NL"),
        ("Refugees reached the Czech Republic.", "CZ"),
        ("Troops were sent to East Timor.", "TL"),
    ],
)
def test_a_country_is_named_without_its_article_and_by_its_common_names(text: str, country: str) -> None:
    assert [(kind, code) for _, kind, code in _places(text)] == [("country", country)]


def test_a_town_abroad_is_not_named_by_an_alternate_spelling_when_the_country_is_known() -> None:
    # Samar is an island of the Philippines; Samara (Russia) lists "Samar" among its names.
    headline = "New People's Army rebels ambush troops in Samar, Philippines"
    places = _places(headline)
    assert all(code == "PH" for _, _, code in places)


def test_an_incident_with_no_place_is_in_the_country_of_the_domestic_group_it_names() -> None:
    headline = "Somali forces retake a town from al-Shabaab"
    (incident,) = Tagger().tag(headline, None, date(2017, 3, 1), "a", fuse=False).incidents
    assert incident.location is not None
    assert (incident.location["country_code"], incident.location["precision"]) == ("SO", "country")


def test_a_group_s_home_is_no_place_when_the_article_names_another_country() -> None:
    headline = "M23 rebels seize a town on the Uganda border"
    (incident,) = Tagger().tag(headline, None, date(2022, 6, 13), "a", fuse=False).incidents
    assert incident.location is None or incident.location["country_code"] != "CD"


def test_an_incident_told_in_a_part_of_the_country_is_not_at_the_article_s_town() -> None:
    body = (
        "A suicide bomber struck a police truck in Quetta on Tuesday, killing nine officers. "
        "Earlier this month, militants attacked a checkpoint in the northwest, killing four soldiers."
    )
    result = Tagger().tag("Suicide bomber kills 9 police in Quetta", body, date(2023, 5, 10), "a", fuse=False)
    earlier = [i for i in result.incidents if i.fatalities == 4]
    assert earlier and earlier[0].location is not None
    assert (earlier[0].location["country_code"], earlier[0].location["precision"]) == ("PK", "country")


@pytest.mark.parametrize(
    ("sentence", "vague"),
    [
        ("Militants attacked a checkpoint in the northwest, killing four soldiers.", True),
        ("Fighting in the country's south killed three.", True),
        ("Clashes broke out in northern Syria.", False),
        ("Shelling hit a village in the north of Aleppo.", False),
    ],
)
def test_a_part_of_the_country_is_told_from_a_named_place(sentence: str, vague: bool) -> None:
    from pipeline.tagging.incident.where import names_a_vague_part

    assert names_a_vague_part(sentence) is vague


@pytest.mark.parametrize(
    "headline", ["Nigeria: Gunmen kill 12 in Plateau", "Gunmen kill 12 in Plateau, Nigeria"]
)
def test_a_division_named_by_a_word_is_the_leading_country_s_after_a_locative(headline: str) -> None:
    (incident,) = Tagger().tag(headline, None, date(2018, 6, 24), "a", fuse=False).incidents
    assert incident.location is not None
    assert (incident.location["admin1"], incident.location["precision"]) == ("NG.49", "admin1")
