"""Armed actors, state forces, agencies and sources: a curated, versioned list with aliases.

``pipeline/data/actors.yaml`` is the base list; files named in the ``tag.actors_extra`` setting
(``NEWS_TAG__ACTORS_EXTRA``, a JSON list) add entries or extend existing ones (same ``name``:
aliases are merged, other fields replaced). Every alias is normalised to the actor's canonical
``name``. Generic mentions of state forces and crowds ("Syrian troops", "police", "protesters")
become ACLED-style names ("Military Forces of Syria", "Police Forces of Syria",
"Protesters (Syria)").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

SOURCE = "source"
# Actors the news names that are never a party to an incident: monitors and news agencies,
# governmental and international bodies, companies and institutions.
ORGANISATION = "organisation"
NON_PARTY_TYPES = frozenset({SOURCE, "agency", ORGANISATION})


@dataclass(frozen=True, slots=True)
class Actor:
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    exact_aliases: tuple[str, ...] = ()
    country: str | None = None

    @property
    def is_source(self) -> bool:
        return self.type == SOURCE

    @property
    def listed_as_actor(self) -> bool:
        """Whether an article naming it lists it among its actors: not a source of the news,
        nor a company or institution the news merely names."""
        return self.type not in (SOURCE, ORGANISATION)


@dataclass(frozen=True, slots=True)
class ActorCatalogue:
    version: str
    actors: tuple[Actor, ...]

    def by_name(self) -> dict[str, Actor]:
        return {actor.name: actor for actor in self.actors}

    def lookup(self, mention: str) -> Actor | None:
        """The actor a mention names, by alias (case-insensitive) or exact alias."""
        key = mention.strip().lower()
        for actor in self.actors:
            if mention.strip() in actor.exact_aliases or key == actor.name.lower():
                return actor
            if any(key == alias.lower() for alias in actor.aliases):
                return actor
        return None


def _entries(data: Any, origin: str) -> list[dict[str, Any]]:
    if not isinstance(data, dict) or not isinstance(data.get("actors"), list):
        raise ValueError(f"{origin}: expected a mapping with an 'actors' list")
    entries: list[dict[str, Any]] = data["actors"]
    for entry in entries:
        if not isinstance(entry, dict) or "name" not in entry or "type" not in entry:
            raise ValueError(f"{origin}: every actor needs a name and a type: {entry!r}")
    return entries


def load_catalogue(extra_paths: Iterable[str | Path] = ()) -> ActorCatalogue:
    """The bundled catalogue merged with extra YAML files of the same shape."""
    base_text = resources.files("pipeline.data").joinpath("actors.yaml").read_text("utf-8")
    base = yaml.safe_load(base_text)
    merged: dict[str, dict[str, Any]] = {}
    versions = [str(base.get("version", "0"))]
    sources: list[tuple[Any, str]] = [(base, "actors.yaml")]
    for path in extra_paths:
        text = Path(path).read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        sources.append((data, str(path)))
        if isinstance(data, dict) and data.get("version") is not None:
            versions.append(str(data["version"]))
    for data, origin in sources:
        for entry in _entries(data, origin):
            current = merged.get(entry["name"])
            if current is None:
                merged[entry["name"]] = dict(entry)
                continue
            for key in ("aliases", "exact_aliases"):
                current[key] = [*current.get(key, []), *entry.get(key, [])]
            for key in ("type", "country"):
                if key in entry:
                    current[key] = entry[key]
    actors = tuple(
        Actor(
            name=str(entry["name"]),
            type=str(entry["type"]),
            aliases=tuple(dict.fromkeys(str(a) for a in [entry["name"], *entry.get("aliases", [])])),
            exact_aliases=tuple(str(a) for a in entry.get("exact_aliases", [])),
            country=entry.get("country"),
        )
        for entry in merged.values()
    )
    return ActorCatalogue(version="+".join(versions), actors=actors)


@lru_cache(maxsize=4)
def catalogue(extra_paths: tuple[str, ...] = ()) -> ActorCatalogue:
    """The process-wide catalogue: the bundled file plus the extra files (``tag.actors_extra``)."""
    return load_catalogue(extra_paths)


# -- generic actors --------------------------------------------------------------------------

_MILITARY = (
    r"(?:army|armed forces|troops|soldiers|military|forces|security forces|government forces|"
    r"special forces|air force|navy|marines|paratroopers|commandos|regime forces|"
    r"pro-government forces|government troops|regime troops)"
)
# Weapons and aircraft name no party by themselves: whose drone hit Odesa, or whose warplanes
# bombed Raqqa, is not the country it happened in.
_MILITARY_EQUIPMENT = (
    r"(?:warplanes|jets|aircraft|artillery|helicopters?|drones?|missiles?|rockets?|shelling|"
    r"air ?strikes?|air defen[cs]es?|tanks?|gunboats?|warships?)"
)
_POLICE = r"(?:police|policemen|police officers|police officer|gendarmes|gendarmerie|riot police)"


@dataclass(frozen=True)
class GenericActor:
    """A word for a party that names none ("police", "villagers", "gunmen"): the actor it stands
    for, in the country of the incident unless a nationality or country right before it says
    otherwise. ``state``: a country's forces, which a non-state qualifier ("rebel forces",
    "Turkish-backed forces") or a named group ("Houthi forces") rules out; ``needs_owner``: taken
    only when a country or a state word ("regime", "government") says whose it is."""

    pattern: re.Pattern[str]
    template: str
    state: bool = False
    needs_owner: bool = False


GENERIC_ACTORS: tuple[GenericActor, ...] = (
    GenericActor(re.compile(rf"\b{_POLICE}\b", re.I), "Police Forces of {country}", state=True),
    GenericActor(re.compile(rf"\b{_MILITARY}\b", re.I), "Military Forces of {country}", state=True),
    GenericActor(
        re.compile(rf"\b{_MILITARY_EQUIPMENT}\b", re.I),
        "Military Forces of {country}",
        state=True,
        needs_owner=True,
    ),
    # "Israel strikes Gaza", "Turkey shells Afrin": a country that strikes from afar is its forces.
    GenericActor(
        re.compile(r"\b(?:strikes|struck|shells|shelled|bombs|bombed|bombards|bombarded|pounds|pounded)\b"),
        "Military Forces of {country}",
        state=True,
        needs_owner=True,
    ),
    GenericActor(
        re.compile(r"\b(?:protesters|protestors|demonstrators|marchers)\b", re.I), "Protesters ({country})"
    ),
    GenericActor(re.compile(r"\b(?:rioters|mobs?)\b", re.I), "Rioters ({country})"),
    GenericActor(
        re.compile(
            r"\b(?:civilians|villagers|residents|worshippers|mourners|bystanders|shoppers|"
            r"passengers|students|pilgrims|farmers|children|women)\b",
            re.I,
        ),
        "Civilians ({country})",
    ),
    GenericActor(
        re.compile(
            r"\b(?:gunmen|unidentified (?:gunmen|attackers|assailants)|armed men|assailants|"
            r"attackers)\b|\b(?:rival|opposing|unidentified|unknown)\s+(?:armed\s+|rebel\s+|militant\s+)?"
            r"(?:factions?|groups?|militias?|fighters|rebels|militants)\b",
            re.I,
        ),
        "Unidentified Armed Group ({country})",
    ),
)
# "rebel forces", "Kurdish forces", "coalition warplanes", "Iranian-backed forces": not the forces
# of the country the incident is in.
NON_STATE_BEFORE = re.compile(
    r"(?:\b(?:rebel|rebels|opposition|insurgent|militia|jihadist|islamist|kurdish|tribal|coalition|"
    r"allied|proxy|paramilitary|separatist|rival|anti-government|anti-regime|resistance)|"
    r"-(?:backed|led|allied|aligned|affiliated|supported|trained|sponsored))\s+$",
    re.I,
)
# The words between an owner (one or two words: "South African") and the force: "Syrian
# government forces", "U.S. special forces".
OWNER_BEFORE = re.compile(
    r"(?:^|[^\w.])((?:[A-Z][\w.]*\s+)?[A-Z][\w.]*)\s+(?:(?:government|security|special|riot|federal|local|national|"
    r"armed|air|state|military|army)\s+)?$"
)
STATE_OWNER_BEFORE = re.compile(
    r"\b(?:regime|government|army|military|state|national|security forces')\s+$", re.I
)
DEMONYM_WINDOW = 30
