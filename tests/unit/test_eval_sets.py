"""The open evaluation sets: how reports and documents are read and scored."""

from __future__ import annotations

from datetime import date

from pipeline.evaluation import entities, events, report
from pipeline.tagging.tagger import Tagger


def test_stated_deaths_reads_one_number_with_a_word_for_death() -> None:
    assert events.stated_deaths("Aerial bombardment on al-Kharita town kills 5 civilians") == 5
    assert events.stated_deaths("Thirteen dead in fresh C. Africa clashes") == 13
    # Two numbers, injuries, or counts of things are not a stated toll.
    assert events.stated_deaths("2 killed and 5 wounded in shelling") is None
    assert events.stated_deaths("4 killed in 14 airstrikes") == 4
    assert events.stated_deaths("14 shells hit Dahya al-Assad") is None
    assert events.stated_deaths("Clashes on 12/02/2016 kill fighters") is None


def test_reports_group_the_events_coded_from_one_headline() -> None:
    reports = events.load_reports(report.OPEN_DIR / "ucdp_ged_syria_2016_2017.jsonl")
    assert len({r.key for r in reports}) == len(reports)
    assert sum(len(r.events) for r in reports) >= 11757
    assert max(len(r.events) for r in reports) > 10
    assert {r.part for r in reports} == {"dev", "test"}


def test_french_reports_are_recognised() -> None:
    assert events.in_french("RCA : 9 personnes tuées à Bambari par les mercenaires")
    assert not events.in_french("Clashes between CAR rival rebels kill 22, displace 10,000")


def test_predicted_spans_are_offsets_into_the_original_text() -> None:
    tagger = Tagger()
    text = "Fighting in Aleppo\nSyrian troops fought Islamic State fighters near Aleppo on Monday."
    spans = entities.predicted_spans(tagger.recognizer, text)
    assert spans
    for start, end, _ in spans:
        assert text[start:end].strip() == text[start:end]
    assert (text.rindex("Aleppo"), text.rindex("Aleppo") + 6, "LOC") in spans


def test_a_headline_of_two_joined_reports_is_tagged_without_error() -> None:
    # Two actor names joined by a hyphen ("YPG-SDF") once left an empty name to classify.
    headline = (
        "Human losses in Turkish forces and in aerial bombardment on al-Arima;Turkish airplanes "
        "bombing YPG-SDF positions West to Manbij, also Flightradar24 showing their activity"
    )
    result = Tagger().tag(headline, None, date(2017, 2, 1), "a1", fuse=False)
    assert {"People's Protection Units", "Syrian Democratic Forces"} <= set(result.actors)
    assert [i.location["name"] for i in result.incidents if i.location] == ["Manbij"]


def test_a_single_victim_beside_a_number_makes_the_stated_toll_ambiguous() -> None:
    assert events.stated_deaths("Warplanes kill a woman and 2 of her children in Aleppo") is None
    assert events.stated_deaths("Unknown explosions shake 3 areas and fighter dies in Daraa") is None


def test_the_name_in_a_gold_span_leaves_out_determiners_possessives_and_pronouns() -> None:
    text = "the United States and Thailand's navy; We said civilians fled"
    assert entities.name_core(text, (0, 17, "LOC")) == (4, 17, "LOC")
    assert entities.name_core(text, (22, 32, "LOC")) == (22, 30, "LOC")
    assert entities.name_core(text, (39, 41, "ORG")) is None
    assert entities.name_core(text, (47, 56, "ORG")) is None


def test_a_coded_place_counts_as_named_when_a_spelling_of_it_is_in_the_headline() -> None:
    named = events.names_coded_place
    assert named("More than 11 killed in bombing at al-Qameshly city", "Al Qamishli  town")
    assert named("Raids targeted areas in Al-Raqqah City", "Ar Raqqah town")
    assert named("Bombardment targets Tadmur city", "Tadmur/Palmyra town")
    assert not named("Aerial bombardment and continued clashes in Aleppo", "Al Bab town")
    assert not named("Clashes in the eastern countryside of Hama", "Eastern Ghouta")
