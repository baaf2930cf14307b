"""Entity rules on real sentences from Voice of America articles of the evaluation set
(US federal government works; ids and URLs in eval/README.md)."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.tagging.entities import EntityRecognizer, recognizer
from pipeline.tagging.places import gazetteer
from pipeline.tagging.tagger import Tagger


def _entities(title: str | None, body: str) -> set[tuple[str, str]]:
    analysis = recognizer().analyse(title, body)
    return {(m.label, m.canonical) for m in analysis.mentions}


@pytest.mark.parametrize(
    "title",
    [
        "Al-Shabab Claims Responsibility for Somalia Bombing",  # voa-2442344
        "Protests Continue in Ferguson after National Guard Called",  # voa-2416714
        "Funeral Held for Top Houthi Official Killed in Yemen Airstrike",  # voa-4369145
    ],
)
def test_capitalised_headline_words_are_not_people(title: str) -> None:
    body = "The attack killed five people, officials said."
    assert not {name for label, name in _entities(title, body) if label == "PERSON"}


def test_a_headline_name_the_body_gives_in_full_is_kept() -> None:
    found = _entities(
        "Brahimi Arrives in Damascus",
        "International peace envoy Lakhdar Brahimi repeated calls for a temporary cease-fire.",
    )
    assert ("PERSON", "Lakhdar Brahimi") in found


def test_title_before_a_name_is_not_part_of_it() -> None:
    # voa-2416714
    found = _entities(
        None,
        "President Barack Obama says U.S. Attorney General Eric Holder will travel to Ferguson on "
        "Wednesday to get an update on the federal probe.",
    )
    assert {name for label, name in found if label == "PERSON"} == {"Barack Obama", "Eric Holder"}


@pytest.mark.parametrize(
    ("sentence", "organisation"),
    [
        # voa-somali-soldiers-20200117
        (
            "The Somali National Army Headquarters, in a statement, put the death toll at four "
            "soldiers, with two others injured.",
            "Somali National Army Headquarters",
        ),
        ("U.S. Africa Command conducted a record 63 strikes in Somalia.", "U.S. Africa Command"),
        # voa-2837996
        (
            "The U.S. Department of State condemned in the strongest possible terms Friday's "
            "terrorist attack in Somalia.",
            "U.S. Department of State",
        ),
    ],
)
def test_the_country_in_front_of_an_organisation_is_part_of_its_name(
    sentence: str, organisation: str
) -> None:
    assert ("ORG", organisation) in _entities(None, sentence)


def test_positional_region_names_are_places() -> None:
    # voa-somali-soldiers-20200117
    found = _entities(
        None,
        "Separately, one government soldier and four militants were killed in another al-Shabab "
        "attack Friday in the town of Hosingow, Lower Juba region.",
    )
    assert ("PLACE", "Lower Juba") in found
    assert not {name for label, name in found if label == "PERSON"}


def test_a_route_between_two_places_is_not_a_person() -> None:
    # voa-1528719
    found = _entities(
        None,
        "The strikes hit the rebel-held town of Maaret al-Numan which is strategically located "
        "along the Damascus-Aleppo highway.",
    )
    assert not {name for label, name in found if label == "PERSON"}


def test_abbreviated_months_are_not_places() -> None:
    # voa-somali-soldiers-20200117 ("Jan." had resolved to Jackson, Mississippi)
    found = _entities(None, "The militants killed three Americans in the Jan. 5 attack.")
    assert not {name for label, name in found if label == "PLACE"}


def test_a_surname_seen_before_is_the_person_not_a_town() -> None:
    # voa-2419104 ("Brown" had resolved to Brunei through a loose spelling match)
    found = _entities(
        None,
        "Ferguson has been hit by street protests every night since 18-year-old Michael Brown was "
        "killed on August 9. Earlier Tuesday, U.S. Attorney General Eric Holder promised the people "
        'of Ferguson a "full, fair and independent" investigation into the shooting of Brown.',
    )
    assert {name for label, name in found if label == "PERSON"} == {"Michael Brown", "Eric Holder"}
    assert {name for label, name in found if label == "PLACE"} == {"Ferguson"}


@pytest.mark.parametrize(
    "text",
    [
        "Tens of Russian raids target Salma and its vicinity",
        "Russian warplanes and Turkish-backed factions struck villages near the border",
        "Iranian militias advance towards the town",
    ],
)
def test_a_nationality_naming_a_party_gives_no_country_context(text: str) -> None:
    analysis = recognizer().analyse(None, text)
    assert not {"RU", "TR", "IR"} & set(analysis.countries)
    assert all(m.place is None or m.place.place.country not in ("RU", "TR", "IR") for m in analysis.mentions)


def test_a_nationality_of_people_or_places_still_gives_the_country() -> None:
    assert "SY" in recognizer().analyse(None, "Syrian villagers fled the shelling").countries


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ("Three men were arrested in Mombasa, the Interior Ministry said.", "Interior Ministry"),
        ("The Defence Ministry said the convoy was hit.", "Defence Ministry"),
    ],
)
def test_a_title_word_before_an_organisation_word_is_part_of_the_name(body: str, name: str) -> None:
    assert ("ORG", name) in {(m.label, m.text) for m in recognizer().analyse(None, body).mentions}


def test_an_organisation_opening_a_headline_keeps_its_first_word() -> None:
    mentions = recognizer().analyse("Central Bank raises rates as World Bank warns", None).mentions
    assert {("ORG", "Central Bank"), ("ORG", "World Bank")} <= {(m.label, m.text) for m in mentions}


def test_a_curated_place_ending_in_an_organisation_word_is_a_place() -> None:
    mentions = recognizer().analyse("Two soldiers wounded in West Bank car-ramming attack", None).mentions
    assert ("PLACE", "West Bank") in {(m.label, m.text) for m in mentions}


def test_a_plural_after_the_comma_is_no_person_s_title() -> None:
    mentions = recognizer().analyse("Boko Haram attacks Mubi, residents flee", None).mentions
    assert ("PLACE", "Mubi") in {(m.label, m.text) for m in mentions}


def test_a_joke_alternate_name_of_a_city_is_not_a_place() -> None:
    """GeoNames lists "Google" among Topeka's names (the city's 2010 stunt)."""
    mentions = recognizer().analyse(None, "Google said on Monday it would hire.").mentions
    assert all(m.label != "PLACE" for m in mentions)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Officials said JPMorgan Chase cut its forecast on Monday.", ("ORG", "JPMorgan Chase")),
        ("Officials said LA Weekly reported the story first.", ("ORG", "LA Weekly")),
    ],
)
def test_all_capitals_or_camel_case_words_make_an_organisation_not_a_person(
    body: str, expected: tuple[str, str]
) -> None:
    assert expected in {(m.label, m.text) for m in recognizer().analyse(None, body).mentions}


def test_a_building_or_event_name_is_not_a_person() -> None:
    body = "Students said Constitution Hall was full for the Science Fair."
    mentions = recognizer().analyse(None, body).mentions
    assert all(m.label != "PERSON" for m in mentions)


@pytest.mark.parametrize(
    ("body", "thing", "person"),
    [
        ("The band said Beautiful Lie would end the show, Jeff Davis wrote.", "Beautiful Lie", "Jeff Davis"),
        ("Officers said Iron Fist began in March, Rose Gray reported.", "Iron Fist", "Rose Gray"),
    ],
)
def test_a_run_of_common_words_is_a_person_only_after_a_given_name(
    body: str, thing: str, person: str
) -> None:
    typed = {(m.label, m.text) for m in recognizer().analyse(None, body).mentions}
    assert ("PERSON", person) in typed
    assert all(text != thing for _, text in typed)


@pytest.mark.parametrize(
    "body", ["The Prime Minister said the talks failed.", "Foreign Office Minister, Tobias Ellwood, said so."]
)
def test_a_title_without_a_name_is_no_person(body: str) -> None:
    persons = {m.text for m in recognizer().analyse(None, body).mentions if m.label == "PERSON"}
    assert persons <= {"Tobias Ellwood"}


def test_the_vocabulary_is_bounded_and_a_fresh_pipeline_finds_the_same_entities() -> None:
    shared = recognizer()
    bounded = EntityRecognizer(shared.catalogue, shared.gazetteer, model=None, vocab_growth_limit=300)
    title = "Gunmen kill three in Kaduna"
    body = ("Gunmen attacked a market in Kaduna on Friday, killing three people, police spokesman "
            "Mohammed Jalige said. Boko Haram fighters were blamed by the governor, Nasir El-Rufai.")
    before = bounded.analyse(title, body)
    for n in range(12):  # each text brings 100 token texts never seen before
        bounded.analyse(None, " ".join(f"Word{n}x{k}" for k in range(100)) + ".")
        assert len(bounded.nlp.vocab.strings) - bounded._pipeline_strings <= 300 + 110
    assert bounded.rebuilds >= 2
    after = bounded.analyse(title, body)
    assert [(m.text, m.label, m.canonical) for m in after.mentions] == [
        (m.text, m.label, m.canonical) for m in before.mentions
    ]
    assert {m.label for m in after.mentions} >= {"PERSON", "PLACE"}


def test_a_frequent_english_word_opening_a_sentence_is_no_small_town() -> None:
    body = "Born in Ohio, he moved to Texas. Formed in 1999, the band toured. Finally, it split."
    places = {m.text for m in recognizer().analyse(None, body).mentions if m.label == "PLACE"}
    assert places == {"Ohio", "Texas"}


def test_a_news_outlet_is_an_organisation_that_reports_and_never_acts() -> None:
    body = "Gunmen killed five people in Kano, Sky News and France 24 reported."
    analysis = recognizer().analyse(None, body)
    outlets = [m for m in analysis.mentions if m.text in ("Sky News", "France 24")]
    assert [m.label for m in outlets] == ["ORG", "ORG"]
    assert all(m.actor is not None and m.actor.type == "source" for m in outlets)


def test_an_acronym_of_a_weapon_is_no_organisation() -> None:
    analysis = recognizer().analyse(None, "An IED struck the convoy. Two VBIEDs exploded near the ISF post.")
    assert {m.text for m in analysis.mentions if m.label == "ORG"} == {"ISF"}


def test_an_event_s_name_is_no_person() -> None:
    body = "He fought in the Overland Campaign and signed the Dayton Agreement."
    analysis = recognizer().analyse(None, body)
    assert not [m for m in analysis.mentions if m.label == "PERSON"]



def _spans(body: str) -> set[tuple[str, str]]:
    return {(m.text, m.label) for m in recognizer().analyse(None, body).mentions if not m.inferred}


def test_natural_features_and_junctions_are_places_not_people() -> None:
    found = _spans("The railroad ran from Bridgton Junction along Hancock Brook to Sandy Creek.")
    assert {("Bridgton Junction", "PLACE"), ("Hancock Brook", "PLACE"), ("Sandy Creek", "PLACE")} <= found


def test_a_nationality_before_a_place_noun_is_no_place() -> None:
    found = _spans("Aisby is a village in the English county of Lincolnshire, listed in the Domesday Book.")
    assert ("Lincolnshire", "PLACE") in found
    assert ("English", "PLACE") not in found
    assert all(label != "PERSON" for _, label in found)


def test_former_states_are_places() -> None:
    found = _spans("The band toured Moscow, USSR, and then West Germany.")
    assert {("USSR", "PLACE"), ("West Germany", "PLACE")} <= found


def test_a_capital_outweighs_a_namesake_in_the_article_s_country() -> None:
    place = gazetteer().resolve("Moscow", ["US"])
    assert place is not None and place.place.country == "RU"


def test_companies_and_institutions_are_organisations_not_actors() -> None:
    body = "Google and Microsoft said the FBI had asked for the data after the attack in Kabul."
    assert {("Google", "ORG"), ("Microsoft", "ORG"), ("FBI", "ORG")} <= _spans(body)
    result = Tagger().tag(None, body, date(2020, 3, 2), "o", fuse=False)
    assert not {"Google", "Microsoft", "FBI"} & set(result.actors)


def test_a_title_after_an_organisation_is_no_part_of_the_name() -> None:
    found = _spans("CIA Director John Brennan and UN Secretary-General Antonio Guterres spoke.")
    assert {("John Brennan", "PERSON"), ("Antonio Guterres", "PERSON")} <= found
