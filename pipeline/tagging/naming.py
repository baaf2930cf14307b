"""What kind of name a capitalised run of words is: an ordered list of named rules.

:data:`NAME_RULES` is read top to bottom; the first rule that decides wins. A rule returns a
mention (the run is a person, an organisation or a place), :data:`NOT_A_NAME` (it is no entity:
stop), or ``None`` (no decision: the next rule is asked). To change how names are typed, add or
move a rule here; each one reads the facts gathered once in :class:`NameContext`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Final

from pipeline.tagging.places import DIVISION_WORDS
from pipeline.tagging.truecase import common_words

if TYPE_CHECKING:
    from pipeline.tagging.entities import Mention, WordLists
    from pipeline.tagging.places import Gazetteer, ResolvedPlace

# Institutions whose names go on after "on" or "for" ("Commission on Human Rights"); a force's
# do not ("Forces on Raqqa" is an advance).
INSTITUTION_HEADS = frozenset(
    ["Commission", "Committee", "Council", "Office", "Centre", "Center", "Institute", "Observatory",
     "Organisation", "Organization", "Agency", "Network", "Foundation", "Board", "Court", "Tribunal",
     "Secretariat", "Fund", "Programme", "Program", "Association", "Society", "League"]
)  # fmt: skip
# Words that make a region of a name ("Lower Juba", "Upper Nile").
REGION_MODIFIERS = frozenset(["Lower", "Upper", "Middle"])
PERSON_PARTICLES = frozenset(
    ["al", "el", "bin", "ibn", "bint", "abu", "abd", "abdul", "abdel", "ul", "ad", "ash"]
)


class _NotAName:
    def __repr__(self) -> str:
        return "NOT_A_NAME"


NOT_A_NAME: Final = _NotAName()


@dataclass
class NameContext:
    """One capitalised run and what surrounds it, gathered once for every rule."""

    text: str
    words: list[str]
    lookup: str  # the spelling to look up ("ALEPPO" -> "Aleppo")
    article_lookup: str | None  # with the article attached before it ("al-Busayrah"), if any
    prev: str | None
    titled: bool  # right after a title ("President", "Gen.")
    appositive: bool  # followed by ", a spokesman", ", the governor", ...
    after: str  # the few words after the run, lower-case (" road where" in "Castello road where")
    prev_locative: bool  # right after "in", "near", "of", ...
    after_place_noun: bool  # after "the town of", "the village of", ...
    # Asked only by the rules that need them (most runs are decided before):
    find_rural: Callable[[], bool]  # "the countryside of X", "X countryside"
    find_region_words: Callable[[], list[str]]  # "province" in "Idlib province", ...
    countries: Sequence[str]
    persons: dict[str, str]  # surnames (and full names) of the people named so far
    words_list: WordLists
    gazetteer: Gazetteer
    make: Callable[..., Mention]
    _place: Any = field(default=None, init=False, repr=False)
    _resolved: bool = field(default=False, init=False, repr=False)

    @cached_property
    def rural(self) -> bool:
        return self.find_rural()

    @cached_property
    def region_words(self) -> list[str]:
        return self.find_region_words()

    @property
    def locative(self) -> bool:
        return self.prev_locative or self.after_place_noun

    @property
    def head(self) -> str:
        return self.words[0]

    @property
    def last(self) -> str:
        return self.words[-1]

    @property
    def place(self) -> ResolvedPlace | None:
        """The place the run names, looked up once (never right after a title)."""
        if not self._resolved:
            if not self.titled:
                if self.article_lookup is not None:
                    self._place = self.gazetteer.resolve(self.article_lookup, self.countries)
                if self._place is None:
                    self._place = self.gazetteer.resolve(self.lookup, self.countries)
            # "Salah al-Din neighborhood" is a quarter of a city, not the Iraqi province ("Aleppo
            # neighborhoods" are the city's).
            quarter = _QUARTER_AFTER.match(self.after) is not None
            if quarter and self._place is not None and self._place.precision in ("admin1", "country"):
                self._place = None
            self._resolved = True
        place: ResolvedPlace | None = self._place
        return place

    def place_mention(self, place: ResolvedPlace) -> Mention:
        return self.make("PLACE", place.to_dict()["name"], place=place)


# A noun after a name that makes it a part of a city.
_QUARTER_AFTER = re.compile(r"^\s*(?:neighbou?rhoods?|quarter|district of the city)\b")


def person(c: NameContext) -> Mention:
    """A person, remembered by surname so that a later "Brown" is the same person."""
    full = " ".join(c.words).replace(" - ", "-")
    text = c.make("PERSON", full).text
    canonical = c.persons.get(text, text)
    if len(c.words) >= 2:
        parts = text.replace("-", " ").split()
        surname = parts[-1]
        c.persons.setdefault(surname, canonical)
        if len(parts) >= 3 and parts[-2].lower() in PERSON_PARTICLES:
            c.persons.setdefault(f"{parts[-2]}-{surname}", canonical)
    return c.make("PERSON", canonical)


# -- the rules, in the order they are asked ------------------------------------------------------


def organisation_word(c: NameContext) -> Mention | None:
    """ "Ministry of Defence", "Somali National Army", "U.S. Department of State": organisation
    words win over everything but a title."""
    heads = c.words_list.org_heads
    words = c.words
    if c.titled:
        return None
    # "Ministry of Defence", "Kenya National Commission on Human Rights", "Office for ..."
    joined = any(
        (w in heads and nxt == "of") or (w in INSTITUTION_HEADS and nxt in ("on", "for"))
        for w, nxt in pairwise(words)
    )
    if (c.last in heads or (len(words) > 2 and joined)) and not _curated_place(c):
        return c.make("ORG", c.text)
    return None


def _curated_place(c: NameContext) -> bool:
    """ "West Bank" ends with an organisation word and is a place the gazetteer's curated
    entries spell exactly."""
    found, exact = c.gazetteer.candidates(c.lookup)
    return exact and any(place.curated for place in found)


def named_operation(c: NameContext) -> _NotAName | None:
    """ "Operation Inherent Resolve", "Operation Steel Curtain": a military operation's name is
    no person, organisation or place."""
    return NOT_A_NAME if len(c.words) >= 2 and c.head == "Operation" else None


def geographic_feature(c: NameContext) -> Mention | None:
    """Seas, rivers, regions without a seat: places with no coordinates."""
    return c.make("PLACE", c.text) if c.gazetteer.is_feature(c.text) else None


def positional_region(c: NameContext) -> Mention | None:
    """ "Lower Juba", "Middle Shabelle", "Upper Nile": a region, resolved if the gazetteer knows it."""
    if len(c.words) < 2 or c.head not in REGION_MODIFIERS:
        return None
    region = c.gazetteer.resolve(c.lookup, c.countries)
    return c.place_mention(region) if region is not None else c.make("PLACE", c.text)


def route_between_places(c: NameContext) -> _NotAName | None:
    """ "the Damascus-Aleppo highway": a route between two places, not a name."""
    if "-" in c.text and all(
        c.gazetteer.resolve(part, c.countries) is not None for part in c.text.split("-") if part
    ):
        return NOT_A_NAME
    return None


# After a name, words that make it a street or a quarter ("al-Castello road", "al-Mashhad and
# al-Salhin neighbourhoods"): named like a town, but not that town.
_STREET_OR_QUARTER = re.compile(
    r"^\s*(?:and\s+(?:al-|el-)?[\w'\u2019]+\s+)?(?:road|street|highway|avenue|neighbou?rhoods?|quarters?)\b"
)


def street_or_quarter(c: NameContext) -> _NotAName | None:
    """ "al-Castello road" is not Castello in Spain, nor "al-Mashhad neighbourhood" Mashhad in
    Iran: a street or quarter written with its Arabic article and named like a town outside the
    article's countries names no place."""
    if c.article_lookup is None or not _STREET_OR_QUARTER.match(c.after):
        return None
    place = c.place
    if place is None or place.place.kind != "city" or place.place.country in c.countries:
        return None
    return NOT_A_NAME


def named_region(c: NameContext) -> Mention | None:
    """ "Borno state", "Idlib and Aleppo provinces", "the province of Idlib"."""
    for word in c.region_words:
        region = c.gazetteer.resolve(f"{c.lookup} {word}", c.countries)
        if region is not None:
            return c.place_mention(region)
    return None


def rural_area(c: NameContext) -> Mention | None:
    """ "the countryside of Idlib" is the province, not the city."""
    if c.place is not None and c.rural:
        return c.place_mention(c.gazetteer.region_around(c.place))
    return None


def known_surname(c: NameContext) -> Mention | None:
    """ "where Godane was killed", "the shooting of Brown": the surname of a person named before,
    even when a town bears it (but "in Brown" is a place)."""
    placed = (c.prev_locative and (c.prev or "").lower() != "of") or c.after_place_noun
    if c.text in c.persons and not placed:
        return c.make("PERSON", c.persons[c.text])
    return None


def place_after_locative(c: NameContext) -> Mention | None:
    """ "in the city of Balakliia, regional Governor ...": a place even when a speaker follows;
    with no country known, "in Talbiseh" is the one country's sizeable town of that spelling."""
    if c.titled or not c.locative:
        return None
    place = c.place or _town_with_no_country(c, small=True) or _division_without_its_word(c)
    return c.place_mention(place) if place is not None else None


def _division_without_its_word(c: NameContext) -> ResolvedPlace | None:
    """ "in Plateau", "in Rivers" in an article about Nigeria: the leading country's division so
    named, which outside that country's news needs its word ("Plateau state")."""
    if not c.countries or not c.prev_locative:
        return None
    for word in DIVISION_WORDS:
        found = c.gazetteer.resolve(f"{c.lookup} {word}", c.countries[:1])
        if found is not None and found.precision == "admin1" and found.place.country == c.countries[0]:
            return found
    return None


def _town_with_no_country(c: NameContext, *, small: bool) -> ResolvedPlace | None:
    """For a name the text places, with no country known: the one country's sizeable town of
    that spelling ("in Talbiseh"), else, when ``small``, its small town of exactly that name."""
    if c.countries:
        return None
    town = c.gazetteer.own_spelling_town(c.lookup)
    if town is None and small:
        town = c.gazetteer.sole_small_town(c.lookup)
    return town


def titled_or_appositive(c: NameContext) -> Mention | _NotAName | None:
    """ "President Ruto", "Abdi Hassan, a spokesman": a person ("the Prime Minister", "Foreign
    Office Minister" are titles without the name)."""
    if c.last.lower().rstrip(".") in c.words_list.titles:
        return NOT_A_NAME if c.titled else None
    return person(c) if c.titled or c.appositive else None


def place_not_first_name(c: NameContext) -> Mention | None:
    """A known place whose first word is not a first name."""
    if c.place is not None and c.head not in c.words_list.first_names:
        return c.place_mention(c.place)
    return None


def after_place_noun(c: NameContext) -> Mention | None:
    """ "the village of Njaba": a place even when the gazetteer does not know it."""
    return c.make("PLACE", c.text) if c.after_place_noun else None


def _named_place(c: NameContext) -> Mention:
    """A name the text calls a place: the place it names; else, for "X town" or "X village"
    with no country known, the one country's small town of that name (never for a quarter:
    "Barza neighbourhood" is Damascus's, not a Romanian village); else a place with no
    coordinates."""
    town = c.place or _town_with_no_country(c, small=_TOWN_NOUN_AFTER.match(c.after) is not None)
    return c.place_mention(town) if town is not None else c.make("PLACE", c.text)


_TOWN_NOUN_AFTER = re.compile(r"^\s*(?:town|village)\b")


# A place noun right after the name: "Kabul's Khair Khana neighbourhood", "the Panjshir valley",
# "Helmand province's Nad Ali district" (not a "district attorney" or a "town hall").
_PLACE_NOUN_AFTER = re.compile(
    r"^\s*(?:neighbou?rhoods?|quarter|suburb|township|valley|refugee camp|sub-?districts?|"
    r"(?:districts?|counties|county|municipality|lga|local government area|village|town)\b"
    r"(?!\s+(?:attorneys?|judges?|courts?|commissioners?|officers?|officials?|chiefs?|councils?|"
    r"administrators?|heads?|hall|halls|governors?|sheriffs?|clerks?|elections?)\b))\b"
)
# Arabic and English words that begin the names of places: "Wadi al-Shay", "Jabal al-Akrad",
# "Tell Abyad", "Ras al-Ain", "Mount Sinjar".
GEOGRAPHIC_HEADS = frozenset(
    ["Wadi", "Jabal", "Jebel", "Jbel", "Tell", "Tal", "Tall", "Ain", "Ein", "Bir", "Ras", "Khirbet",
     "Khirbat", "Kafr", "Mount", "Mt.", "Lake", "Cape", "Wadi-al"]
)  # fmt: skip


# Words that end the name of a natural or built feature ("Tigris River", "Samarra Barrage").
GEOGRAPHIC_TAILS = frozenset(
    ["River", "Barrage", "Dam", "Lake", "Mountains", "Valley", "Desert", "Plain", "Plains", "Island",
     "Islands", "Bay", "Gulf", "Canal", "Strait", "Peninsula", "Basin", "Delta", "Pass", "Ridge",
     "Hills", "Forest", "Oasis", "Reservoir", "Crossing", "Airbase", "Brook", "Creek", "Pond", "Falls",
     "Springs", "Stream", "Plateau", "Highlands", "Heights", "Beach", "Coast", "Lagoon", "Marsh",
     "Swamp", "Glacier", "Cove", "Harbour", "Harbor", "Peak", "Lakes", "Canyon", "Gorge", "Junction"]
)  # fmt: skip


def place_word_around(c: NameContext) -> Mention | None:
    """A name with a place noun right after it, or a geographic word at its head or its end, is
    a place even when the gazetteer does not know it."""
    if c.titled or (len(c.words) == 1 and c.gazetteer.is_demonym(c.text)):
        # "the English town of Salisbury": the town is the place, not its nationality
        return None
    geographic = len(c.words) >= 2 and (c.head in GEOGRAPHIC_HEADS or c.last in GEOGRAPHIC_TAILS)
    if _PLACE_NOUN_AFTER.match(c.after) or geographic:
        return _named_place(c)
    return None


def first_name(c: NameContext) -> Mention | None:
    """ "Ahmed Hassan": two words or more, the first a known first name."""
    return person(c) if c.head in c.words_list.first_names and len(c.words) >= 2 else None


def particle_name(c: NameContext) -> Mention | None:
    """ "Mokhtar bin Belmokhtar", "Abu Bakr al-Baghdadi": a particle inside a name."""
    if len(c.words) >= 2 and not c.locative and any(w.lower() in PERSON_PARTICLES for w in c.words[1:]):
        return person(c)
    return None


def known_place(c: NameContext) -> Mention | None:
    """A place the gazetteer knows; with no country known, also the one country's sizeable town
    of that spelling ("Regime forces shell Talbiseh"), unless the name speaks ("Inkhel says")."""
    if c.place is not None:
        return c.place_mention(c.place)
    if c.titled or _SPEAKS_AFTER.match(c.after):
        return None
    town = _town_with_no_country(c, small=False)
    return c.place_mention(town) if town is not None else None


# Reporting verbs: right after a name, the name speaks ("Inkhel says", "Russian governor says").
REPORTING_VERBS = (
    r"(?:says?|said|told|tells|adds|added|reports|reported|confirms|confirmed|claims?|claimed|"
    r"announces|announced|warns|warned|denies|denied)"
)
_SPEAKS_AFTER = re.compile(rf"^\s*{REPORTING_VERBS}\b")


def person_named_before(c: NameContext) -> Mention | None:
    return c.make("PERSON", c.persons[c.text]) if c.text in c.persons else None


def acronym(c: NameContext) -> Mention | None:
    """ "AMISOM", "ISWAP": a short all-capitals word is an organisation."""
    if len(c.words) == 1 and c.text.isupper() and 2 <= len(c.text) <= 6:
        return c.make("ORG", c.text)
    return None


# The last word of a building, venue or event's name: no person ("Constitution Hall",
# "Overland Campaign", "Dayton Agreement").
FACILITY_WORDS = frozenset(
    ["Hall", "Fair", "Festival", "Stadium", "Arena", "Airport", "Bridge", "Street", "Square", "Park",
     "Center", "Centre", "Hotel", "Hospital", "Mosque", "Church", "Cathedral", "Market", "Palace",
     "Cup", "Championship", "Championships", "Awards", "Prize", "Summit", "Conference", "Games",
     "Road", "Avenue", "Highway", "Dam", "Mall", "Tower", "Towers", "Prison", "Camp", "Base",
     "Campaign", "War", "Revolution", "Offensive", "Operation", "Crisis", "Massacre", "Agreement",
     "Accord", "Accords", "Treaty", "Act", "Declaration", "Doctrine", "Protocol", "Convention",
     "Uprising", "Siege", "Expedition", "Album", "Award", "Book"]
)


def not_a_personal_name(c: NameContext) -> Mention | _NotAName | None:
    """Two or three capitalised words that cannot be a person's name: an all-capitals or
    camel-case word ("FIRST Global", "LA Weekly", "JPMorgan Chase") makes an organisation; a
    building or event word at the end ("Constitution Hall", "Science Fair") makes no person."""
    words = c.words
    if not 2 <= len(words) <= 3 or c.locative:
        return None
    # "Foreign Office Minister, Tobias Ellwood": a title, the person comes after it
    if words[-1] in FACILITY_WORDS or words[-1].lower().rstrip(".") in c.words_list.titles:
        return NOT_A_NAME
    return c.make("ORG", c.text) if any(_company_shaped(w) for w in words) else None


_SURNAME_PREFIX = re.compile(r"^(?:Mc|Mac|De|Di|Da|Du|La|Le|Van|Von)[A-Z]")


def _company_shaped(word: str) -> bool:
    """ "FIRST", "LA", "JPMorgan", "PayPal"; not "McCain", "DeSantis" (surnames)."""
    if len(word) >= 2 and word.isupper() and word.isalpha():
        return True
    if _SURNAME_PREFIX.match(word):
        return False
    inner_capital = any(a.islower() and b.isupper() for a, b in pairwise(word))
    # "JPMorgan": two capitals, then a lower-case letter ("JPM-organ")
    capitals_then_lower = any(
        a.isupper() and b.isupper() and nxt.islower()
        for a, b, nxt in zip(word, word[1:], word[2:], strict=False)
    )
    return inner_capital or capitals_then_lower


def capitalised_pair(c: NameContext) -> Mention | None:
    """Two or three capitalised words that are not common words and not after a locative. Runs
    made only of frequent English words ("Beautiful Lie", "Back Door", "Year Zero") are titles
    and things more often than people: no given name or title said otherwise, so no person."""
    common = c.words_list.common
    if (
        2 <= len(c.words) <= 3
        and all(w[:1].isupper() for w in c.words)
        and not c.locative
        and all(w not in common for w in c.words)
        and not _common_words_only(c.words)
    ):
        return person(c)
    return None


def _common_words_only(words: Sequence[str]) -> bool:
    """Every word a frequent English word, and the first no given name: "Iron Fist", not "Jeff
    Davis"."""
    frequent = common_words()
    return words[0].lower() not in given_names() and all(w.lower() in frequent for w in words)


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """``pipeline/data/given_names.txt``: frequent given names, lower-case."""
    text = resources.files("pipeline.data").joinpath("given_names.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


Rule = Callable[[NameContext], "Mention | _NotAName | None"]
NAME_RULES: tuple[tuple[str, Rule], ...] = (
    ("organisation word", organisation_word),
    ("named operation", named_operation),
    ("geographic feature", geographic_feature),
    ("positional region", positional_region),
    ("route between places", route_between_places),
    ("street or quarter", street_or_quarter),
    ("named region", named_region),
    ("rural area", rural_area),
    ("known surname", known_surname),
    ("place after a locative", place_after_locative),
    ("titled or appositive", titled_or_appositive),
    ("place not a first name", place_not_first_name),
    ("after a place noun", after_place_noun),
    ("place word around", place_word_around),
    ("first name", first_name),
    ("particle name", particle_name),
    ("known place", known_place),
    ("person named before", person_named_before),
    ("acronym", acronym),
    ("not a personal name", not_a_personal_name),
    ("capitalised pair", capitalised_pair),
)


def type_name(c: NameContext) -> Mention | None:
    """The first decision of :data:`NAME_RULES`, or None when no rule decides."""
    for _, rule in NAME_RULES:
        decision = rule(c)
        if decision is NOT_A_NAME:
            return None
        if decision is not None:
            result: Mention = decision  # type: ignore[assignment]
            return result
    return None
