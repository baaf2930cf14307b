"""Who took part in an incident: the named and generic actors of the clauses that establish it;
speakers and monitors are never parties."""

from __future__ import annotations

import re

from pipeline.tagging.actors import DEMONYM_WINDOW, GENERIC_PATTERNS, Actor
from pipeline.tagging.entities import Analysis
from pipeline.tagging.incident.model import LOOK_AFTER, LOOK_BEFORE
from pipeline.tagging.places import Gazetteer, gazetteer

# -- actors -------------------------------------------------------------------------------------

# A crowd or force named as the speaker ("residents said", "according to police") reports the
# event; it is not a party to it.
_SPEAKER_AFTER = re.compile(
    r"^\s*(?:\w+\s+){0,2}?(?:said|say|says|told|tell|reported|report|added|confirmed|described|"
    r"recounted|called)\b",
    re.I,
)
_SPEAKER_BEFORE = re.compile(r"\b(?:according to|quoting|citing)\s+(?:the\s+|local\s+)*$", re.I)
# "No group has claimed responsibility": the absence of a perpetrator, not an actor.
NO_CLAIM = re.compile(
    r"\bno (?:one|group|organi[sz]ation)\b[^.]{0,40}\b(?:claim|responsib)|"
    r"\b(?:not|yet to|has yet to)\s+(?:been\s+)?claim",
    re.I,
)
CLAIM = re.compile(
    r"\bclaim(?:ed|s|ing)? (?:responsibility|the (?:attack|bombing|blast|killing))|"
    r"\bblamed (?:on|the attack on)\b|\bcarried out\b|\bresponsible for\b|\bby\b",
    re.I,
)


def _speaker(text: str, start: int, end: int) -> bool:
    # Both patterns only look a few words away: bounded windows keep the cost per mention
    # constant however long the sentence is.
    return bool(
        _SPEAKER_AFTER.match(text[end : end + LOOK_AFTER])
        or _SPEAKER_BEFORE.search(text[max(0, start - LOOK_BEFORE) : start])
    )


def actors_for(analysis: Analysis, clauses: list[tuple[int, str, bool]], country: str | None) -> list[str]:
    """The parties to an incident. A clause that establishes the event names its agent and its
    targets (named actors, and generic ones such as "police", "civilians" or "a rival faction");
    a clause that only refers back to it ("after the blast") contributes named actors only when it
    attributes the event ("claimed by", "blamed on"). Speakers and monitors are never parties."""
    named: list[str] = []
    generic: list[str] = []
    gaz = analysis.gazetteer or gazetteer()
    country_name = gaz.country_names.get(country or "", country or "")
    for index, text, establishing in clauses:
        if not establishing and (NO_CLAIM.search(text) or not CLAIM.search(text)):
            continue
        for m in analysis.in_sentence(index):
            actor: Actor | None = m.actor
            if actor is None or actor.type in ("source", "agency") or m.text not in text:
                continue
            position = text.find(m.text)
            if _speaker(text, position, position + len(m.text)):
                continue
            named.append(actor.name)
        if not establishing:
            continue
        for pattern, template in GENERIC_PATTERNS:
            matches = [
                match for match in pattern.finditer(text) if not _speaker(text, match.start(), match.end())
            ]
            if matches and country_name:
                start = matches[0].start()
                before = text[max(0, start - DEMONYM_WINDOW) : start]
                local = _demonym_country(before, gaz) or country_name
                generic.append(template.format(country=local))
    return list(dict.fromkeys([*named, *generic]))


def _demonym_country(before: str, gaz: Gazetteer) -> str | None:
    words = re.findall(r"[A-Z][a-z]+", before[-DEMONYM_WINDOW:])
    if not words:
        return None
    code = gaz.demonyms.get(words[-1].lower())
    return gaz.country_names.get(code) if code else None
