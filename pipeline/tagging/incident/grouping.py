"""Which sentences tell the same incident: the group being built, clauses that report events of
their own, references back ("the blast"), headline clauses folded into body incidents, and lead
summaries left out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from pipeline.tagging.dates import ResolvedDate, find_dates
from pipeline.tagging.entities import Analysis
from pipeline.tagging.incident.model import (
    BACKGROUND_DAYS,
    BARE_PRIORITY,
    LOOK_BEFORE,
    PROTESTS,
    REFERENCE_KM,
    RIOTS,
    SAME_PLACE_KM,
    STRATEGIC,
    TOWNS,
)
from pipeline.tagging.incident.triggers import Trigger, answered_event, classify, is_sport, no_event
from pipeline.tagging.incident.where import best_place, far, inside, sentence_places
from pipeline.tagging.places import ResolvedPlace
from pipeline.tagging.tolls import Figure, current_and_history, figures

EXCESSIVE_FORCE = "Excessive force against protesters"


@dataclass
class Group:
    trigger: Trigger
    first_sentence: int
    sentences: list[int] = field(default_factory=list)
    triggers: list[tuple[Trigger, int]] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    date: ResolvedDate | None = None
    place: ResolvedPlace | None = None
    # (sentence index, clause text, establishing): the clauses that can name the actors.
    clauses: list[tuple[int, str, bool]] = field(default_factory=list)
    evidence: list[int] = field(default_factory=list)
    # Opened by a toll for a province, a country or no place: a lead that may sum what follows.
    lead: bool = False

    def best_trigger(self) -> Trigger:
        def weight(item: tuple[Trigger, int]) -> int:
            trig, sent = item
            return trig.priority + (30 if sent == self.first_sentence else 0)

        violent = [t for t in self.triggers if t[0].event_type != STRATEGIC]
        pool = violent or self.triggers
        best = max(pool, key=weight)[0]
        if best.event_type == PROTESTS and best.sub_event_type != EXCESSIVE_FORCE:
            # A protest whose demonstrators turn violent ("threw stones", "shops were looted")
            # is a riot, however the article opened.
            riots = [t for t in pool if t[0].event_type == RIOTS]
            if riots:
                return max(riots, key=weight)[0]
        return best

    @property
    def event_type(self) -> str:
        return self.best_trigger().event_type

    def deaths(self) -> set[int]:
        return {f.value for f in self.figures if f.kind == "deaths"}

    def current_deaths(self) -> set[int]:
        """The death figures not given as an earlier count ("had earlier said 10")."""
        return {f.value for f in self.figures if f.kind == "deaths" and not f.earlier}


def own_deaths(figs: list[Figure]) -> bool:
    """Whether the figures give a death toll of their own (not an earlier count)."""
    return any(f.kind == "deaths" and not f.earlier for f in figs)


def violent(group: Group) -> bool:
    return any(t.event_type != STRATEGIC for t, _ in group.triggers)


REPORTING = re.compile(
    r"\b(?:said|says|told|tell|reported|announced|confirmed|added|stated|claimed)"
    r"(?:\s+(?:reporters|journalists|VOA|AFP|Reuters|the \w+|\w+ media|responsibility))?\s*(?:on\s+)?$",
    re.I,
)


# A sentence announcing a different event ("Separately, ...", "In another attack, ...").
ANOTHER = re.compile(
    r"^\s*(?:separately|in a separate (?:\w+\s+)?(?:attack|incident)|in (?:an)?other (?:\w+\s+)?"
    r"(?:attack|incident|development)s?)\b|\bin (?:an)?other (?:[\w-]+\s+){0,2}(?:attack|assault|raid|"
    r"bombing|incident)\b|\bin a separate (?:attack|assault|raid|bombing|incident)\b",
    re.I,
)


CLAUSE_BREAK = re.compile(
    r";\s+|,\s+and\s+(?=(?:a|an|the|at least|\d+|two|three|four|five|six|seven|eight|nine|ten|"
    r"another|several|dozens)\b)",
    re.I,
)
DAY_BEFORE = re.compile(r"\s+a day (?:after|before)\s+", re.I)


def units(sentence: str, published: date) -> list[tuple[str, bool]]:
    """A sentence, or its clauses when each clause reports its own event with its own toll
    ("Air strikes killed 23 ..., and a woman was killed by shelling ...") or on its own day
    ("the attack this morning at a market in Baghdad, and the car bomb attacks in Diyala on
    Monday"). The flag marks a clause introduced by "a day after/before", dated the day before
    the main clause."""
    marker = DAY_BEFORE.search(sentence)
    if marker:
        later = sentence[marker.end() :]
        if classify(later) is not None and any(f.kind == "deaths" for f in figures(later)):
            return [(sentence[: marker.start()], False), (later, True)]
    parts = [p for p in CLAUSE_BREAK.split(sentence) if p.strip()]
    if len(parts) > 1 and all(classify(p) is not None for p in parts):
        tolls = all(any(f.kind == "deaths" for f in figures(p)) for p in parts)
        if tolls or _days_apart(parts, published):
            return [(p, False) for p in parts]
    return [(sentence, False)]


def _days_apart(parts: list[str], published: date) -> bool:
    """Whether every clause dates its event, each to another day."""
    days = [event_date(p, published) for p in parts]
    values = [d.value for d in days if d is not None]
    return len(values) == len(parts) and len(set(values)) == len(values)


# "comes after", "came two days after", "comes barely a week after", "follows": what follows is
# an earlier, other event.
ANTECEDENT = re.compile(
    r"\b(?:comes?|came|coming)\s+(?:[\w-]+\s+){0,3}?after\b|\bfollow(?:s|ed|ing)?\s+(?:an?|the)\b",
    re.I,
)


def event_date(text: str, published: date) -> ResolvedDate | None:
    """The sentence's event date: the first one not attached to a reporting verb
    ("told reporters Tuesday that the attack late Sunday..." gives Sunday) nor to a revised
    count ("the toll rose to 21 on Thursday" gives none). The reader gives it the words before
    an ANTECEDENT only: "comes after rebels shot down a jet on Saturday" dates what came before."""
    dates = [d for d in find_dates(text, published) if d.precision != "publication"]
    dates = [d for d in dates if not TOLL_REVISED.search(text[max(0, d.position - LOOK_BEFORE) : d.position])]
    for item in dates:
        if not REPORTING.search(text[max(0, item.position - LOOK_BEFORE) : item.position]):
            return item
    # Only the day it was said ("... killed 27 people, the ministry said on Wednesday"): the event
    # happened on or before it, which the publication date already says.
    return None


# "The death toll ... rose to 21 on Thursday": the day of the count, not of the event.
TOLL_REVISED = re.compile(
    r"\b(?:rose|rises|risen|climbed|climbs|increased|increases|jumped|jumps|reached|reaches)"
    r"(?:\s+to)?\s+[\w,]+\s+(?:\w+\s+)?(?:on\s+|by\s+|late\s+|early\s+)?$",
    re.I,
)


# -- references back to an incident already reported ---------------------------------------------

_REFERRING_NOUNS = (
    r"attacks?|blasts?|explosions?|bombings?|bomb|assaults?|raids?|incident|fighting|clash(?:es)?|"
    r"battles?|violence|strikes?|air ?strikes?|shelling|ambush|massacre|killings?|unrest"
)
# "Monday's bombings", "Saturday night's attack", "yesterday's blast".
_DAY_POSSESSIVE = (
    r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|yesterday|today|last\s+week)"
    r"(?:\s+(?:night|morning|evening|afternoon))?['\u2019]s"
)
REFERRING = re.compile(
    rf"\b(?:the|this|that|these|those|its|their|such|{_DAY_POSSESSIVE})\s+(?:[\w-]+\s+)?"
    rf"(?P<noun>{_REFERRING_NOUNS})\b|"
    r"\b(?P<cont>fighting|clashes|battles?|violence|shelling|protests?|unrest)\s+"
    r"(?:continued|continues|raged|rages|persisted|went on|resumed|spread)\b",
    re.I,
)
# Nouns that can name an incident of any type ("the attack" after a bombing).
_GENERIC_NOUNS = frozenset(
    ["attack", "attacks", "assault", "assaults", "raid", "raids", "incident", "violence", "massacre",
     "killing", "killings", "unrest"]
)  # fmt: skip


def reference(text: str, trig: Trigger) -> str | None:
    """The event type a referring trigger points back to ("" for any type), or None when the
    trigger is not a reference ("the clashes", "the bombing", "fighting continued")."""
    for match in REFERRING.finditer(text):
        if (
            match.start() <= trig.position < match.end()
            or match.start() <= trig.position + len(trig.text) - 1 < match.end()
        ):
            noun = (match.group("noun") or match.group("cont") or "").lower()
            return "" if noun in _GENERIC_NOUNS else trig.event_type
    return None


def conflicts(
    group: Group, explicit: ResolvedDate | None, place: ResolvedPlace | None, km: float = SAME_PLACE_KM
) -> bool:
    if explicit and group.date and abs((explicit.value - group.date.value).days) > 1:
        return True
    # A province named in a sentence that refers back ("Monday's bombings took place ... in the
    # Lower Shabelle region") does not contradict a town: only another town does, and not a town
    # of the province the incident is placed in ("wounded and taken to hospital in Ouallam").
    return (
        place is not None
        and place.precision not in ("country", "admin1")
        and far(place, group.place, km)
        and not (group.place is not None and inside(place, group.place))
    )


def referent(
    groups: list[Group],
    current: Group | None,
    wanted: str,
    explicit: ResolvedDate | None,
    place: ResolvedPlace | None,
) -> Group | None:
    """The incident a referring sentence points back to: the most recently extended one of the
    wanted type whose date and place do not contradict the sentence."""
    order = ([current] if current is not None else []) + [g for g in reversed(groups) if g is not current]
    for group in order:
        if wanted and group.event_type != wanted:
            continue
        # the incident just told may be placed near a city its town is outside of
        if not conflicts(group, explicit, place, REFERENCE_KM if group is current else SAME_PLACE_KM):
            return group
    return None


# -- the headline -------------------------------------------------------------------------------

TITLE_CLAUSES = re.compile(r"\s*;\s*|\s+[|\u2013\u2014]\s+|\s+-\s+")


_GENERIC_ATTACK = re.compile(
    r"(?:attacks?|assaults?|raids?|attacked|killings?|kill(?:s|ed)?|violence)(?:\s+on\s+.*)?", re.I | re.S
)


def title_matches(
    group: Group, trig: Trigger, figs: list[Figure], place: ResolvedPlace | None, *, by_toll: bool = True
) -> bool:
    """A headline clause repeats a body incident: same type (any type for a bare "attack", and
    a protest for one that turned into a riot), compatible toll (when ``by_toll``) and place."""
    deaths = {f.value for f in figs if f.kind == "deaths" and not f.vague}
    escalated = trig.event_type == PROTESTS and group.event_type == RIOTS
    # "Al-Shabaab attack on Mogadishu hotel leaves 9 dead" over a body's suicide bombing that
    # killed nine: a generic word, or the same toll, names the body's incident of any kind.
    generic = _GENERIC_ATTACK.fullmatch(trig.text.strip()) is not None or bool(deaths & group.deaths())
    if group.event_type != trig.event_type and trig.priority > BARE_PRIORITY and not (escalated or generic):
        return False
    if by_toll and deaths and group.deaths() and not deaths & group.deaths():
        return False
    if place is None or group.place is None:
        return True
    if generic and place.place.admin1 is not None and place.place.admin1 == group.place.place.admin1:
        # "Terrorist attack in Hasaka" over the body's bombing in Tel Tamer, Hasaka province
        return True
    if "country" in (place.precision, group.place.precision) or "admin1" in (
        place.precision,
        group.place.precision,
    ):
        return place.place.country == group.place.place.country
    return not far(place, group.place)


def concrete(trig: Trigger) -> bool:
    """Whether a strategic development is an act on the ground (an arrest, a handover, a
    demolition) rather than a truce or agreement, which a headline names mostly as the
    background of the fighting it reports ("the truce completes its 26th day with breaches")."""
    return trig.sub_event_type != "Agreement"


_ROUNDUP_AND = re.compile(r",?\s+and\s+", re.I)


def title_parts(analysis: Analysis, index: int, clause: str) -> list[str]:
    """A round-up headline's events ("Shells target the city of Daraa and human losses in
    Aleppo city"): the clause split at each "and" whose two sides both report an event, each in
    its own place, the places apart. Otherwise the clause whole ("Clashes in Aleppo and Idlib",
    "Air strikes and shelling on Aleppo")."""
    pieces = _ROUNDUP_AND.split(clause)
    if len(pieces) < 2:
        return [clause]
    mentions = sentence_places(analysis, index)
    parts: list[tuple[str, ResolvedPlace]] = []
    pending = ""
    for piece in pieces:
        text = f"{pending} and {piece}" if pending else piece
        place = best_place([m for m in mentions if m.text in text], text)
        trig = classify(text)
        # "... and human losses in Hama countryside": a bare word of harm with no toll tells no
        # event of its own (nor what kind of event it was); it stays with the event before it.
        bare = trig is not None and trig.priority <= BARE_PRIORITY and not own_deaths(figures(text))
        if trig is None or place is None or (bare and parts):
            pending = text
            continue
        parts.append((text, place))
        pending = ""
    if pending and parts:
        parts[-1] = (f"{parts[-1][0]} and {pending}", parts[-1][1])
    if len(parts) < 2 or any(
        not far(a, b) or inside(a, b) for i, (_, a) in enumerate(parts) for _, b in parts[i + 1 :]
    ):
        return [clause]
    return [text for text, _ in parts]


def title_clauses(title: str) -> list[str]:
    """A headline's clauses ("Raids on Aleppo; shelling on Daraa"). A clause that only states a
    toll is the one before it told on ("Blast hits market in Lashkar Gah; 6 dead")."""
    clauses: list[str] = []
    for clause in (c for c in TITLE_CLAUSES.split(title) if c.strip()):
        if clauses and classify(clause) is None and any(f.kind == "deaths" for f in figures(clause)):
            clauses[-1] = f"{clauses[-1]}, {clause}"
        else:
            clauses.append(clause)
    return clauses


def merge_title(analysis: Analysis, groups: list[Group], published: date) -> None:
    """Fold headline clauses into the body incidents they repeat; a headline clause stands alone
    only when no body incident matches it. A strategic development (an arrest, a handover) stands
    only in a headline with no incident at all: beside violence it is the story's background."""
    body_groups = list(groups)
    for sentence in analysis.sentences:
        if not sentence.is_title:
            continue
        for whole in title_clauses(sentence.text):
            parts = title_parts(analysis, sentence.index, whole)
            # The events of one round-up ("Explosion rocks Tartous and shelling on Daraa
            # countryside") are apart by construction: none repeats another.
            before = list(groups) if len(parts) > 1 else None
            for clause in parts:
                _merge_title_clause(
                    analysis, (sentence.index, clause), groups, body_groups, before, published
                )


def _merge_title_clause(
    analysis: Analysis,
    where: tuple[int, str],
    groups: list[Group],
    body_groups: list[Group],
    repeatable: list[Group] | None,
    published: date,
) -> None:
    """One headline clause (``where``: its sentence index and text): folded into the incident it
    repeats (one of ``repeatable`` when given, else any), or told as an incident of its own,
    dated by its own words ("120 killed yesterday")."""
    index, clause = where
    trig = classify(clause)
    if trig is None or (trig.event_type == STRATEGIC and (groups or not concrete(trig))):
        return
    figs = figures(clause)
    if no_event(clause, trig, headline=True):
        trig = answered_event(clause)
    if trig is None or (is_sport(clause) and not figs):
        return
    mentions = [m for m in sentence_places(analysis, index) if m.text in clause]
    place = best_place(mentions, clause)
    # A headline summarises: when no body incident has its toll, it still repeats the
    # first body incident of its kind and place (its toll may sum or round the body's).
    candidates = groups if repeatable is None else repeatable
    matching = [g for g in candidates if title_matches(g, trig, figs, place)] or [
        g for g in candidates if title_matches(g, trig, figs, place, by_toll=False)
    ]
    if matching:
        target = matching[0]
        # A headline's current toll completes a body that gives only an earlier one
        # ("Death toll rises to 21" over "police had earlier said 10 were killed").
        if not target.current_deaths():
            target.figures.extend(figs)
        if target.place is None and place is not None:
            target.place = place
        return
    if any(g.event_type == trig.event_type for g in body_groups) and not figs:
        # A vaguer headline of a story the body tells ("Fighting rages in the north").
        return
    group = Group(trigger=trig, first_sentence=index)
    group.sentences.append(index)
    group.triggers.append((trig, index))
    group.figures.extend(figs)
    group.place = place
    when = event_date(clause, published)
    if when is not None and 0 <= (published - when.value).days <= BACKGROUND_DAYS:
        group.date = when
    group.clauses.append((index, clause, True))
    group.evidence.append(index)
    groups.append(group)


def toll_of(group: Group) -> int | None:
    return current_and_history(group.figures, "deaths")[0]


def _parts_of(lead: Group, later_groups: list[Group]) -> list[Group]:
    """The incidents after a lead that its toll may sum: with a toll, of its type (any type for
    a bare "killed"), country and day."""
    parts = []
    for later in later_groups:
        # an incident that killed no one adds nothing to a sum
        if not toll_of(later):
            continue
        if later.event_type != lead.event_type and lead.trigger.priority > BARE_PRIORITY:
            continue
        here, there = lead.place, later.place
        if here is not None and there is not None and not _within(there, here):
            continue
        if lead.date and later.date and abs((lead.date.value - later.date.value).days) > 1:
            continue
        parts.append(later)
    return parts


def _within(place: ResolvedPlace, area: ResolvedPlace) -> bool:
    """Whether a later incident's place can be part of a lead's: in its country, and in its
    province when the lead names one (a toll for Herat province sums nothing in Kabul)."""
    if place.place.country != area.place.country:
        return False
    return area.precision != "admin1" or inside(place, area)


def drop_summaries(groups: list[Group]) -> list[Group]:
    """Leave out a lead that only sums the incidents told after it ("Russian airstrikes killed
    at least six people" followed by three and three killed in two villages): its toll equals
    the sum of the tolls of two or more following incidents of the same type, country and day.
    A lead for a province or a country (``Group.lead``) is left out when two or more incidents
    after it add up to no more than its toll, and takes the place of a single one (which it then
    replaces): an incident is never counted twice. The detailed incidents are kept."""
    dropped: set[int] = set()
    for index, lead in enumerate(groups):
        total = toll_of(lead)
        if not total or index in dropped:
            continue
        parts = _parts_of(lead, [g for i, g in enumerate(groups) if i > index and i not in dropped])
        tolls = [toll_of(part) or 0 for part in parts]
        # Still a lead: no later sentence has told its town.
        summary = lead.lead and (lead.place is None or lead.place.precision not in TOWNS)
        if summary and len(parts) == 1 and tolls[0] <= total:
            lead.place = parts[0].place or lead.place
            lead.sentences.extend(parts[0].sentences)
            lead.evidence.extend(parts[0].evidence)
            dropped.add(groups.index(parts[0]))
            continue
        if summary and len(parts) >= 2 and sum(tolls) <= total:
            dropped.add(index)
            continue
        running = 0
        for count, toll in enumerate(tolls, start=1):
            running += toll
            if running >= total:
                if count >= 2 and running == total:
                    dropped.add(index)
                break
    return [g for i, g in enumerate(groups) if i not in dropped]
