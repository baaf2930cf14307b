"""Who took part in an incident: the named and generic actors of the clauses that establish it;
speakers and monitors are never parties."""

from __future__ import annotations

import re

from pipeline.tagging.actors import (
    DEMONYM_WINDOW,
    GENERIC_ACTORS,
    NON_PARTY_TYPES,
    NON_STATE_BEFORE,
    OWNER_BEFORE,
    STATE_OWNER_BEFORE,
    Actor,
    GenericActor,
)
from pipeline.tagging.entities import Analysis
from pipeline.tagging.incident.model import LOOK_AFTER, LOOK_BEFORE
from pipeline.tagging.places import Gazetteer, gazetteer

# -- actors -------------------------------------------------------------------------------------

# A crowd or force named as the speaker ("residents said", "according to police") or as the one
# reacting ("Army warns of more attacks after bomb kills 5") reports the event; it is not a
# party to it.
_SPEAKER_AFTER = re.compile(
    # "residents said", "residents and a local official said"
    r"^\s*(?:\w+\s+){0,4}?(?:said|say|says|told|tell|reported|report|added|confirmed|described|"
    r"recounted|called|vow(?:s|ed)?|warn(?:s|ed)?|urg(?:es|ed)|condemn(?:s|ed)?|den(?:y|ies|ied))\b",
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


# "The Houthi movement said on Monday it had fired missiles": a party telling of its own act.
_OWN_ACT = re.compile(
    r"^\s*(?:\w+\s+){0,2}?(?:said|says|say|claimed|announced)\s+(?:on\s+\w+\s+|\w+day\s+)?(?:that\s+)?"
    r"(?:it|they|its (?:fighters|forces|troops|members))\s+(?:had|has|have)?\s*(?!been\b)\w+ed\b",
    re.I,
)


def _speaker(text: str, start: int, end: int) -> bool:
    # Both patterns only look a few words away: bounded windows keep the cost per mention
    # constant however long the sentence is.
    after = text[end : end + LOOK_AFTER]
    if _OWN_ACT.match(after):
        return False
    before = text[max(0, start - LOOK_BEFORE) : start]
    return bool(_SPEAKER_AFTER.match(after) or _SPEAKER_BEFORE.search(before))


# An actor named only to describe another: "the al Qaeda-linked group", "Iran-backed militias".
_QUALIFIER_AFTER = re.compile(
    r"-(?:linked|affiliated|allied|aligned|inspired|backed|supported|funded)\b", re.I
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
        names: list[str] = []  # every named actor's words, parties or not ("Syrian Democratic Forces")
        for m in analysis.in_sentence(index):
            actor: Actor | None = m.actor
            if actor is None or m.text not in text:
                continue
            names.append(m.text)
            position = text.find(m.text)
            if actor.type in NON_PARTY_TYPES or _speaker(text, position, position + len(m.text)):
                continue
            if _QUALIFIER_AFTER.match(text, position + len(m.text)):
                continue  # "the al Qaeda-linked group", "Iran-backed militias": another party
            named.append(actor.name)
        if not establishing or not country_name:
            continue
        spans = [(m.start(), m.end()) for name in names for m in re.finditer(re.escape(name), text)]
        for generic_actor in GENERIC_ACTORS:
            found = _generic_party(generic_actor, text, names, spans, gaz, country_name)
            if found is not None:
                generic.append(found)
    return list(dict.fromkeys([*named, *generic]))


def _generic_party(
    generic_actor: GenericActor,
    text: str,
    names: list[str],
    spans: list[tuple[int, int]],
    gaz: Gazetteer,
    country_name: str,
) -> str | None:
    """The actor the first fitting mention of a generic word stands for: never a word inside a
    named actor (``spans``: where the ``names`` are in ``text``) or a speaker; for a state's
    forces, never one a non-state qualifier or a named group owns ("Houthi forces"), and, for
    weapons, only one a country or a state owns."""
    for match in generic_actor.pattern.finditer(text):
        start, end = match.span()
        if _speaker(text, start, end) or any(a <= start and end <= b for a, b in spans):
            continue
        before = text[max(0, start - DEMONYM_WINDOW) : start]
        # "Houthi forces", "Islamic State gunmen": the named group's own men
        if _named_before(before, names) or (generic_actor.state and NON_STATE_BEFORE.search(before)):
            continue
        owner = _owner_country(before, gaz)
        if generic_actor.needs_owner and owner is None and not STATE_OWNER_BEFORE.search(before):
            continue
        return generic_actor.template.format(country=owner or country_name)
    return None


def _named_before(before: str, names: list[str]) -> bool:
    """Whether a named group's words end right before a generic word ("SDF forces")."""
    stripped = before.rstrip()
    return stripped != before and any(stripped.endswith(name) for name in names)


def _owner_country(before: str, gaz: Gazetteer) -> str | None:
    """The country a nationality or country word right before a generic word names: "Russian
    warplanes", "U.S. special forces", "Syrian government forces", "South African soldiers"."""
    match = OWNER_BEFORE.search(before)
    if match is None:
        return None
    words = match.group(1)
    code = gaz.country_of_word(words) or gaz.country_of_word(words.split()[-1])
    return gaz.country_names.get(code) if code else None


# -- sides ----------------------------------------------------------------------------------------

# ACLED's armed actor types; a generic state force or unnamed armed group is armed too.
ARMED_ACTOR_TYPES = frozenset(
    {"state_forces", "rebel_group", "political_militia", "identity_militia", "external_forces"}
)
_ARMED_GENERIC = ("Military Forces of ", "Police Forces of ", "Unidentified Armed Group")
_UNARMED_GENERIC = ("Civilians", "Protesters", "Rioters")
# Words for victims who are not fighters: with one of them, an attack stays one on civilians.
_UNARMED_VICTIMS = re.compile(
    r"\b(?:civilians?|people|persons|children|child|women|woman|men|man|boys?|girls?|citizens?|"
    r"famil(?:y|ies)|villagers?|residents?|worshippers|passengers|students|pupils|patients|"
    r"hospitals?|schools?|markets?|homes?|houses?|mosques?|churches|church|camps?|displaced)\b",
    re.I,
)


def armed_on_both_sides(analysis: Analysis, actors: list[str], clauses: list[tuple[int, str, bool]]) -> bool:
    """Whether an attack is fought between armed parties: two of its actors are armed (state
    forces, rebels, militias, unnamed gunmen), none is a crowd or civilians, and its clauses name
    no unarmed victim ("IS attacks SDF in the countryside", "gunmen attack a headquarters of the
    Islamic State")."""
    if any(actor.startswith(_UNARMED_GENERIC) for actor in actors):
        return False
    types = {m.actor.name: m.actor.type for m in analysis.mentions if m.actor is not None}
    armed = [a for a in actors if a.startswith(_ARMED_GENERIC) or types.get(a) in ARMED_ACTOR_TYPES]
    if len(armed) < 2:
        return False
    return not any(_UNARMED_VICTIMS.search(text) for _, text, establishing in clauses if establishing)
