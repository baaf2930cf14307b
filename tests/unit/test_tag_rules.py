"""Dates, tolls, incident types and actor aliases on real news sentences.

Sources (all Voice of America, a US federal government work in the public domain):
  [VOA-2669057] https://www.voanews.com/a/reu-fourty-five-killed-boko-haram-nigeria-/2669057.html
  [VOA-1905549] http://www.voanews.com/content/syrian-airstrike-kills-33/1905549.html (2014-05-01)
  [VOA-2442344] https://www.voanews.com/a/at-least-5-civilians-killed-in-somalia-bombing/2442344.html
  [VOA-6201055] https://www.voanews.com/a/middle-east_islamic-state-claims-suicide-attack-iraqi-capital/6201055.html
  [VOA-52890]   http://www.dailyalert.org/rss/Mainissues.php?id=52890 (VOA News, 2014-05-05)
  [VOA-3996398] https://www.voanews.com/a/arizona-large-crowds-donald-trump-rally/3996398.html
  [VOA-KAWORI]  https://www.tolerance.ca/ArticleExt.aspx?ID=201814&L=fr (VOA, January 2014)
"""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.tagging.actors import catalogue, load_catalogue
from pipeline.tagging.dates import find_dates, first_date
from pipeline.tagging.incident import BATTLES, EXPLOSIONS, PROTESTS, VAC, classify
from pipeline.tagging.tagger import Tagger, TagResult
from pipeline.tagging.tolls import current_and_history, figures, parse_number

FRIDAY = date(2015, 3, 6)


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("fighters seized two districts on Thursday", date(2015, 3, 5), "day"),
        ("On Tuesday a car bomb in the provincial capital killed 12", date(2015, 3, 3), "day"),
        ("the attack late Friday", date(2015, 3, 6), "day"),  # same weekday: publication day
        ("killed yesterday", date(2015, 3, 5), "day"),
        ("on 9 April", date(2014, 4, 9), "day"),  # no year: most recent not after publication
        ("on March 2", date(2015, 3, 2), "day"),
        ("last week", date(2015, 2, 27), "week"),
        ("earlier this month", date(2015, 3, 1), "month"),
    ],
)
def test_dates_resolve_against_publication(text: str, expected: date, precision: str) -> None:
    found = find_dates(text, FRIDAY)
    assert found, text
    assert (found[0].value, found[0].precision) == (expected, precision)


def test_weekday_from_real_sentence() -> None:
    # [VOA-2669057], published on Thursday 2015-03-05.
    sentence = (
        "Witnesses tell a VOA reporter that the militants attacked the community of Njaba "
        "in Borno state before dawn Tuesday."
    )
    resolved = first_date(sentence, date(2015, 3, 5))
    assert resolved is not None and resolved.value == date(2015, 3, 3)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("40", 40),
        ("forty-two", 42),
        ("1,200", 1200),
        ("dozens", 12),
        ("two hundred", 200),
        ("a dozen", 12),
        ("eight", 8),
    ],
)
def test_parse_number(text: str, value: int) -> None:
    assert parse_number(text) == value


def test_revised_toll_keeps_history() -> None:
    sentence = (
        "Islamic State fighters seized two districts of a border town from a rival faction "
        "on Thursday; at least 40 fighters died, up from an earlier estimate of some 25."
    )
    assert current_and_history(figures(sentence), "deaths") == (40, [25, 40])


@pytest.mark.parametrize(
    ("sentence", "deaths", "injured"),
    [
        # [VOA-2669057]
        (
            "Suspected Boko Haram militants have attacked a village in northeastern Nigeria, "
            "killing at least 68 people.",
            68,
            None,
        ),
        # [VOA-6201055]
        (
            "Islamic State has claimed responsibility for two suicide bombers who attacked a market "
            "in Iraq's capital Thursday, killing at least 32 people and wounding 110 others.",
            32,
            110,
        ),
        # [VOA-2442344]
        (
            "Somali militant group al-Shabab has claimed responsibility for two suicide car bombings "
            "near Mogadishu that killed at least 14 people and wounded more than 30 others.",
            14,
            30,
        ),
        # [VOA-1905549]
        (
            "The attack comes a day after a strike on an Aleppo school left 18 dead, many of them children.",
            18,
            None,
        ),
        # [VOA-KAWORI]: "has risen to 85" is an update
        (
            "An official in northeastern Nigeria says the death toll from an attack by suspected "
            "Islamist militants has risen to 85.",
            85,
            None,
        ),
        ("a double suicide bombing that killed 12", 12, None),
    ],
)
def test_tolls_from_real_sentences(sentence: str, deaths: int | None, injured: int | None) -> None:
    found = figures(sentence)
    assert current_and_history(found, "deaths")[0] == deaths
    assert current_and_history(found, "injuries")[0] == injured


def test_cumulative_figures_are_not_tolls() -> None:
    sentence = (
        "The insurgents are blamed for thousands of deaths in Nigeria since launching "
        "their insurgency in 2009."
    )
    assert figures(sentence) == []


def test_subcounts_are_ignored() -> None:
    found = figures("The blast killed 20 people, including 10 children.")
    assert [f.value for f in found if f.kind == "deaths"] == [20]


@pytest.mark.parametrize(
    ("sentence", "event_type", "sub_event_type"),
    [
        # [VOA-1905549]
        (
            "Syrian opposition activists say government aircraft struck a busy market, killing at "
            "least 33 people, with frequent airstrikes and crude barrel bombs.",
            EXPLOSIONS,
            "Air/drone strike",
        ),
        # [VOA-2442344]
        (
            "Somali militant group al-Shabab has claimed responsibility for two suicide car bombings "
            "near Mogadishu.",
            EXPLOSIONS,
            "Suicide bomb",
        ),
        # [VOA-52890]
        (
            "Heavy fighting between rival rebel factions in eastern Syria has killed more than 60 fighters.",
            BATTLES,
            "Armed clash",
        ),
        # [VOA-3996398]
        (
            "Police in the southwestern U.S. city of Phoenix, Arizona, used tear gas late Tuesday to "
            "disperse groups of protesters.",
            PROTESTS,
            "Protest with intervention",
        ),
        # [VOA-2669057]
        ("Witnesses say the gunmen attacked the village and killed villagers.", VAC, "Attack"),
        (
            "On Tuesday, Chad said its forces had liberated the Borno state town of Dikwa.",
            BATTLES,
            "Government regains territory",
        ),
        ("Syrian army, allies push back Islamic State near Aleppo", BATTLES, "Armed clash"),
        ("Turkish forces target sites of the Kurdish units near Kobani", BATTLES, "Armed clash"),
        ("Regime forces are able to advance and reach the outskirts of Deir Hafer", BATTLES, "Armed clash"),
        (
            "The army controls 3 new villages in the eastern countryside",
            BATTLES,
            "Government regains territory",
        ),
        ("Police drove back the protesters in the square", PROTESTS, "Peaceful protest"),
        ("Scores slain in single town", VAC, "Attack"),
        ("Abu Sayyaf beheads hostage in Sulu", VAC, "Attack"),
        ("Israeli troops shoot dead Palestinian in Hebron", VAC, "Attack"),
        ("Gunmen gun down trader in Maiduguri", VAC, "Attack"),
        ("Suspected ADF militants hack 14 villagers to death near Oicha", VAC, "Attack"),
        ("Man stabs two women near the market", VAC, "Attack"),
        ("US drone kills militant commander in Jilib", EXPLOSIONS, "Air/drone strike"),
        ("Children killed by unexploded ordnance in Helmand", EXPLOSIONS, "Remote explosive/landmine/IED"),
        ("Gunmen took a hostage in the bank", VAC, "Abduction/forced disappearance"),
        # an abbreviation's dots end no clause
        ("Rebels seize U.N. base in Bunia", BATTLES, "Non-state actor overtakes territory"),
        ("Rebels capture C.African Republic capital", BATTLES, "Non-state actor overtakes territory"),
        ("Militants attacked the U.N. peacekeepers' base in Kidal", BATTLES, "Armed clash"),
        (
            "A judge of a court in Idlib was assassinated with an IED explosion",
            EXPLOSIONS,
            "Remote explosive/landmine/IED",
        ),
        (
            "Security forces fire on protesters in Baghdad, killing seven",
            PROTESTS,
            "Excessive force against protesters",
        ),
    ],
)
def test_event_types(sentence: str, event_type: str, sub_event_type: str) -> None:
    trigger = classify(sentence)
    assert trigger is not None
    assert (trigger.event_type, trigger.sub_event_type) == (event_type, sub_event_type)


def test_no_trigger_in_plain_sentence() -> None:
    assert classify("The road connects Syria's two largest cities.") is None


@pytest.mark.parametrize("alias", ["ISIL", "ISIS", "Islamic State", "Daesh", "IS"])
def test_islamic_state_aliases(alias: str) -> None:
    actor = catalogue().lookup(alias)
    assert actor is not None and actor.name == "Islamic State"


def test_nusra_aliases_and_sources() -> None:
    cat = catalogue()
    nusra = cat.lookup("Jabhat al-Nusra")
    assert nusra is not None and nusra.name == "Al-Nusra Front"
    sohr = cat.lookup("SOHR")
    assert sohr is not None and sohr.is_source
    fsa = cat.lookup("FSA")
    assert fsa is not None and fsa.name == "Free Syrian Army"
    assert cat.version


def test_catalogue_is_extensible(tmp_path: pytest.TempPathFactory) -> None:
    extra = tmp_path / "extra.yaml"  # type: ignore[operator]
    extra.write_text(
        "version: local-1\nactors:\n"
        "  - {name: Islamic State, type: rebel_group, aliases: [Dawla]}\n"
        "  - {name: Sinai Province, type: rebel_group, aliases: [Wilayat Sinai]}\n",
        encoding="utf-8",
    )
    cat = load_catalogue([extra])
    dawla = cat.lookup("Dawla")
    assert dawla is not None and dawla.name == "Islamic State"
    assert cat.lookup("Wilayat Sinai") is not None
    assert "local-1" in cat.version


@pytest.mark.parametrize(
    ("sentence", "deaths"),
    [
        ("One police officer and three gunmen were killed in the exchange.", 4),
        ("A drone attack killed two people in the village.", 2),
        ("The second drone struck a depot, officials said.", None),
    ],
)
def test_conjoined_counts_and_word_boundaries(sentence: str, deaths: int | None) -> None:
    value, _ = current_and_history(figures(sentence), "deaths")
    assert value == deaths


def _tag(text: str, published: date = FRIDAY) -> TagResult:
    return Tagger().tag(None, text, published, "rules-test", fuse=False)


def _incidents(text: str, published: date = FRIDAY) -> list[tuple[str, int | None, str | None]]:
    result = _tag(text, published)
    return [(i.event_type, i.fatalities, (i.location or {}).get("name")) for i in result.incidents]


def test_lead_that_sums_later_incidents_is_not_an_incident() -> None:
    text = (
        "Airstrikes killed at least five people in the Donetsk region of Ukraine on Thursday, "
        "Ukrainian officials said. "
        "An airstrike killed two people in the city of Kramatorsk. "
        "Another three people were killed in an airstrike in Pokrovsk, the prosecutor's office said."
    )
    found = _incidents(text)
    assert [deaths for _, deaths, _ in found] == [2, 3]
    assert {event_type for event_type, _, _ in found} == {EXPLOSIONS}


def test_separately_starts_a_new_incident_and_background_starts_none() -> None:
    text = (
        "Militants attacked an army base near Baidoa on Friday, killing four soldiers. "
        "Separately, one soldier and two militants were killed in another attack on a checkpoint. "
        "Many residents were commemorating a battle fought there in the nineteenth century. "
        "The group is fighting to overthrow the government."
    )
    found = _incidents(text)
    assert [deaths for _, deaths, _ in found] == [4, 3]
    assert all(event_type == BATTLES for event_type, _, _ in found)


def test_a_possessive_day_refers_back_to_the_incident() -> None:
    # [VOA-2442344]: the second sentence names the region of the same bombings.
    text = (
        "Somali militant group al-Shabab has claimed responsibility for two suicide car bombings "
        "near Mogadishu that killed at least 14 people and wounded more than 30 others. "
        "Monday's bombings took place about 20 kilometers southwest of the capital, in the Lower "
        "Shabelle region, where Godane was killed on September 1."
    )
    found = _incidents(text)
    assert [(event_type, deaths) for event_type, deaths, _ in found] == [(EXPLOSIONS, 14)]


# Place and date given by sentences after the one that reports the incident.
IDLIB_HOSPITALS = (
    # VOA, "Britain-based Syrian Activists: 2 Hospitals Hit Amid Intense Bombardment" (eval set,
    # voa-point62-idlib-hospitals), published Monday 2018-02-05. Saturday is when the jet was
    # shot down, not when the hospitals were hit; Kafranbel is a town of the province named first.
    "Syrian activists say two hospitals have been hit amid a wave of airstrikes on "
    "opposition-held areas in the northwest province of Idlib, the largest remaining rebel "
    "stronghold in Syria. The bombardment comes after rebels shot down a Russian fighter jet on "
    "Saturday. The activist-run Edlib Media Center and the Britain-based Syrian Observatory for "
    "Human Rights say one of the bombed hospitals was in the town of Kafranbel. They say it was "
    "hit on Monday morning."
)
MAARET_STRIKES = (
    # VOA, "Airstrikes Killed 43 in N. Syria, Activists Say" (eval set, voa-1528719), published
    # Thursday 2012-10-18: "the strikes" refers back and gives their date and town.
    "Syrian activists and medical officials say a series of government air strikes on rebel "
    "areas in the country's north has killed at least 43 people, including many children.\n"
    "The activists said the strikes happened late Wednesday and early Thursday and hit five "
    "areas in Idlib and Aleppo provinces, including the rebel-held town of Maaret al-Numan "
    "which is strategically located along the Damascus-Aleppo highway."
)


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        (IDLIB_HOSPITALS, date(2018, 2, 5), (None, "Kafranbel", date(2018, 2, 5))),
        (MAARET_STRIKES, date(2012, 10, 18), (43, "Maaret al-Numan", date(2012, 10, 17))),
    ],
    ids=["idlib-hospitals", "maaret-strikes"],
)
def test_later_sentences_give_the_incident_its_place_and_date(
    text: str, published: date, expected: tuple[int | None, str, date]
) -> None:
    (incident,) = _tag(text, published).incidents
    assert incident.event_type == EXPLOSIONS
    assert (incident.fatalities, (incident.location or {}).get("name"), incident.date) == expected


def test_names_before_a_plural_region_word_are_regions() -> None:
    provinces = {p["name"] for p in _tag(MAARET_STRIKES).places if p["precision"] == "admin1"}
    assert provinces == {"Idlib Governorate", "Aleppo Governorate"}
