"""One article read sentence by sentence into incidents: the orchestration of the package.

Each body sentence (or each clause that reports its own event) becomes a *unit*: its trigger, its
figures, its explicit date and its place. A unit with a trigger starts a new incident when its
date (more than a day apart) or its place (more than 25 km apart) differs from the current
incident's, when it announces another event, or when it is a clause of its own; otherwise it, and
any following unit that only adds figures or refers back, joins the current incident. Background
units (events more than a month before publication, threats and plans) start nothing. Headline
clauses are then folded into the body incidents they repeat, and leads that only sum the
incidents after them are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from pipeline.tagging.dates import ResolvedDate
from pipeline.tagging.entities import Analysis
from pipeline.tagging.incident.grouping import (
    ANOTHER,
    ANTECEDENT,
    EXCESSIVE_FORCE,
    Group,
    conflicts,
    drop_summaries,
    event_date,
    merge_title,
    own_deaths,
    reference,
    referent,
    units,
    violent,
)
from pipeline.tagging.incident.model import (
    BACKGROUND_DAYS,
    BARE_PRIORITY,
    BATTLES,
    MAX_EVIDENCE,
    PROTESTS,
    STRATEGIC,
    TOWNS,
    VAC,
    Incident,
    incident_id_for,
)
from pipeline.tagging.incident.triggers import (
    WEAK_REFERENCE,
    Trigger,
    answered_event,
    classify,
    is_bare_explosion,
    is_history,
    is_past_account,
    is_sport,
    names_accident,
    no_event,
    sport_words,
)
from pipeline.tagging.incident.where import (
    article_fallback_place,
    best_place,
    country_of,
    dateline_end,
    division_capital,
    far,
    home_country_of_group,
    inside,
    more_precise,
    names_a_vague_part,
    sentence_places,
)
from pipeline.tagging.incident.who import actors_for, armed_on_both_sides
from pipeline.tagging.places import ResolvedPlace, distance_km
from pipeline.tagging.text import fold
from pipeline.tagging.tolls import Figure, current_and_history, figures, is_update

CLAIMED = re.compile(
    r"\bclaim(?:ed|s|ing)?\s+responsibility\b|\bclaimed\s+(?:the|its|their)\s+(?:attacks?|bombings?|blasts?|killings?)\b",
    re.I,
)
# Two spellings of one town lie closer than this.
SAME_TOWN_KM = 3.0


@dataclass(slots=True)
class Unit:
    """A sentence, or a clause reporting its own event, as read."""

    index: int
    text: str
    trig: Trigger | None
    figs: list[Figure]
    explicit: ResolvedDate | None
    place: ResolvedPlace | None
    own_clause: bool


def is_lead(unit: Unit) -> bool:
    """Whether a unit opening an incident gives a toll for a province, a country or no place:
    a lead that may sum the events told after it."""
    return own_deaths(unit.figs) and (unit.place is None or unit.place.precision not in TOWNS)


def attach(group: Group, unit: Unit, trig: Trigger | None, *, establishing: bool, dated: bool) -> None:
    """Add a unit to an incident: its sentence, trigger, figures, clause and (when it says
    something of its own) its evidence; a more precise place replaces the incident's."""
    group.sentences.append(unit.index)
    if trig is not None:
        group.triggers.append((trig, unit.index))
    group.figures.extend(unit.figs)
    group.clauses.append((unit.index, unit.text, establishing))
    if establishing or unit.figs or dated:
        group.evidence.append(unit.index)
    place = unit.place
    if place is not None and (group.place is None or more_precise(place, group.place)):
        group.place = place


class Reader:
    """Reads one article's body into incident groups (state: the groups so far and the one
    being extended)."""

    def __init__(self, analysis: Analysis, published: date) -> None:
        self.analysis = analysis
        self.published = published
        self.groups: list[Group] = []
        self.current: Group | None = None
        # Whether the article has told of an accidental explosion: its "the blast" is that one.
        self.accident = False
        # Whether the headline and lead speak of sport ("Striker fires City to victory").
        lead = [s.text for s in analysis.sentences[:3]]
        self.sport = sport_words(" ".join(lead)) >= 2

    def read(self) -> list[Group]:
        for sentence in self.analysis.sentences:
            if sentence.is_title:
                continue
            for position, (text, day_before) in enumerate(units(sentence.text, self.published)):
                unit = self.unit(sentence.index, text, own_clause=position > 0, day_before=day_before)
                if unit is not None:
                    self.take(unit)
        merge_title(self.analysis, self.groups, self.published)
        return drop_summaries(self.groups)

    def unit(self, index: int, text: str, *, own_clause: bool, day_before: bool) -> Unit | None:
        """The unit as read, or None for background (an event over a month old). What follows
        "came days after" or "follows" is an earlier event, told in its own reports: neither its
        trigger nor its toll is read ("The attack came days after militants stormed a hotel in
        Kismayo, killing 11")."""
        antecedent = ANTECEDENT.search(text)
        if antecedent is not None:
            text = text[: antecedent.start()]
        trig = classify(text, running_text=True)
        self.accident = self.accident or names_accident(text)
        if trig is not None and self.accident and is_bare_explosion(trig):
            trig = None
        figs = figures(text)
        # the dateline's day ("NIAMEY, March 11 (Reuters) - ") is the report's, not the event's
        explicit = event_date(text[dateline_end(text) :], self.published)
        if explicit is None and day_before:
            current = self.current
            anchor = current.date.value if current and current.date else self.published
            explicit = ResolvedDate(anchor - timedelta(days=1), "day", "a day before")
        if explicit is not None and self.background(explicit):
            return None
        mentions = [m for m in sentence_places(self.analysis, index) if m.text in text]
        place = best_place(mentions, text)
        if place is None or place.precision in ("admin1", "country"):
            place = division_capital(self.analysis, index, text, place) or place
        if trig is not None and is_history(text, trig, self.published.year):
            return None
        figurative = trig is not None and not figs and is_sport(text, sport_article=self.sport)
        if trig is not None and not figs and figurative:
            trig = None
        elif trig is not None and not figs and no_event(text, trig):
            trig = answered_event(text)
        return Unit(index, text, trig, figs, explicit, place, own_clause)

    def take(self, unit: Unit) -> None:
        if unit.trig is None:
            self.follow_up(unit)
            return
        if self.refer_back(unit, unit.trig):
            return
        trig = self.kind_of_bare(unit.trig)
        current = self.current
        if trig.event_type == STRATEGIC and current is not None:
            current.sentences.append(unit.index)
            current.triggers.append((trig, unit.index))
            return
        establishing = self.needs_new(unit, trig)
        if establishing:
            target = self.story_told(unit, trig)
            if target is None:
                target = Group(trigger=trig, first_sentence=unit.index, lead=is_lead(unit))
                self.groups.append(target)
            else:
                establishing = False
            self.current = target
        current = self.current
        assert current is not None
        if current.date is None and unit.explicit is not None:
            current.date = unit.explicit
        attach(
            current,
            unit,
            trig,
            establishing=establishing or trig.priority >= current.trigger.priority,
            dated=unit.explicit is not None,
        )

    def background(self, explicit: ResolvedDate) -> bool:
        """Whether a date puts a sentence in the story's background: more than a month before
        the report, or, once an incident is told, in an earlier calendar month ("Last month, two
        bombers killed six people at a market in Kolofata")."""
        if (self.published - explicit.value).days > BACKGROUND_DAYS:
            return True
        earlier_month = (explicit.value.year, explicit.value.month) < (
            self.published.year,
            self.published.month,
        )
        return self.current is not None and explicit.precision == "month" and earlier_month

    def follow_up(self, unit: Unit) -> None:
        """A unit without a trigger adds its figures to the current incident, or dates it when it
        refers back ("the strikes happened late Wednesday")."""
        current = self.current
        refers_back = current is not None and WEAK_REFERENCE.search(unit.text) is not None
        # "Al-Shabab claimed responsibility": the claim names the incident's perpetrator.
        claimed = CLAIMED.search(unit.text) is not None
        if current is None or not (unit.figs or refers_back or claimed):
            return
        # "By Monday, the death toll in Dnipro had risen to 30": the day of a count that rose is
        # the count's, not the event's
        when = None if any(is_update(f) for f in unit.figs) else unit.explicit
        if conflicts(current, when, unit.place):
            # "The Kharkiv strike ... the number of injured had risen to 20" after a sentence on
            # Belgorod: the figures go back to the incident of the town the sentence names.
            earlier = self.incident_at(unit, when)
            if earlier is None or not unit.figs:
                return
            current = earlier
        if current.date is None and unit.explicit is not None and refers_back:
            current.date = unit.explicit
        attach(current, unit, None, establishing=False, dated=False)

    def incident_at(self, unit: Unit, when: ResolvedDate | None) -> Group | None:
        """The last incident placed in the town a unit names, if any, and not on another day
        than ``when``."""
        place = unit.place
        if place is None or place.precision not in TOWNS:
            return None
        for group in reversed(self.groups):
            known = group.place
            if known is not None and known.precision in TOWNS and not far(place, known):
                return group if not conflicts(group, when, place) else None
        return None

    def refer_back(self, unit: Unit, trig: Trigger) -> bool:
        """Whether the unit refers back to an incident already told ("the clashes", "Monday's
        bombings"), which it then joins."""
        wanted = None if unit.own_clause else reference(unit.text, trig)
        if wanted is None:
            return False
        target = referent(self.groups, self.current, wanted, unit.explicit, unit.place)
        if target is None:
            return False
        self.current = target
        if target.date is None and unit.explicit is not None:
            target.date = unit.explicit
        attach(target, unit, trig, establishing=False, dated=unit.explicit is not None)
        return True

    def kind_of_bare(self, trig: Trigger) -> Trigger:
        """A bare "killed" or "attack" says nothing about the kind of event: it is another event
        of the kind being reported ("Another three people were killed in ...")."""
        current = self.current
        if trig.priority > BARE_PRIORITY or current is None or not violent(current):
            return trig
        kind = current.best_trigger()
        return Trigger(kind.event_type, kind.sub_event_type, BARE_PRIORITY, trig.text, trig.position)

    def needs_new(self, unit: Unit, trig: Trigger) -> bool:
        """Whether the unit starts an incident of its own rather than extending the current one."""
        current = self.current
        if current is None or unit.own_clause:
            return True
        # "Separately, ...", "In another attack, ...": unless the place says it is the same one.
        another = bool(ANOTHER.search(unit.text))
        explicit, place, figs = unit.explicit, unit.place, unit.figs
        if explicit and current.date and abs((explicit.value - current.date.value).days) > 1:
            return True
        if (
            place is not None
            and current.place is not None
            and far(place, current.place)
            # A town in the province just named, with no toll of its own, says where the same
            # event happened; with its own toll it is one of several events.
            and not (inside(place, current.place) and not any(f.kind == "deaths" for f in figs))
        ):
            return (
                not (place.precision == "country" or current.place.precision == "country")
                or place.place.country != current.place.place.country
            )
        if own_deaths(figs) and current.current_deaths() and self.another_place(unit, current):
            return True
        other_kind = trig.event_type not in (current.event_type, STRATEGIC)
        if other_kind and self.other_town(unit, current):
            # "Shelling killed two in Bakhmut. Heavy fighting continued around Soledar": another
            # kind of event in another town is another incident
            return True
        return another or bool(
            figs and current.figures and trig.event_type != current.trigger.event_type and own_deaths(figs)
        )

    @staticmethod
    def other_town(unit: Unit, current: Group) -> bool:
        """Whether the unit names a town other than the incident's town."""
        place, known = unit.place, current.place
        return (
            place is not None
            and known is not None
            and place.precision in TOWNS
            and known.precision in TOWNS
            and fold(known.place.name) != fold(place.place.name)
            and distance_km(place.place.lat, place.place.lon, known.place.lat, known.place.lon) > SAME_TOWN_KM
        )

    def another_place(self, unit: Unit, current: Group) -> bool:
        """Whether a unit with its own toll tells of another place than the incident's: another
        town (each village's toll is an event of its own, however near), or a town after a lead
        that gave a province's or country's toll ("... killed 23 across northwest Syria" then
        "... killing 15 in Maarat al-Numan")."""
        place, known = unit.place, current.place
        if place is None or place.precision not in TOWNS:
            return False
        if current.lead and (known is None or known.precision not in TOWNS):
            return known is None or known.place.country == place.place.country
        return (
            known is not None
            and known.precision in TOWNS
            and fold(known.place.name) != fold(place.place.name)
            and distance_km(place.place.lat, place.place.lon, known.place.lat, known.place.lon) > SAME_TOWN_KM
        )

    def story_told(self, unit: Unit, trig: Trigger) -> Group | None:
        """An incident already told of the same type, place and day, which the unit goes back
        to (the last such one)."""
        if unit.own_clause:
            return None
        explicit, place = unit.explicit, unit.place
        target = None
        for group in self.groups:
            same_day = not explicit or not group.date or abs((explicit.value - group.date.value).days) <= 1
            same_place = (
                place is not None
                and group.place is not None
                and not far(place, group.place)
                and place.precision != "country"
            )
            if same_day and same_place and group.trigger.event_type == trig.event_type:
                if own_deaths(unit.figs) and group.current_deaths() and self.another_place(unit, group):
                    continue
                target = group
        return target


def _told_in_a_part(analysis: Analysis, group: Group) -> bool:
    """Whether the group's opening sentence places it only in a part of the country."""
    return names_a_vague_part(analysis.sentences[group.first_sentence].text)


def _incident_place(group: Group, fallback: ResolvedPlace | None) -> ResolvedPlace | None:
    """The group's place, else the article's; a country gives way to the article's town in it."""
    place = group.place or fallback
    if (
        place is not None
        and place.precision == "country"
        and fallback is not None
        and (fallback.place.country == place.place.country and fallback.precision != "country")
    ):
        return fallback
    return place


_GENERIC_KILLING = re.compile(r"(?:attack|assault|raid|storm|kill|neutrali|opened fire|gunmen|shot)", re.I)


def is_generic_attack(trig: Trigger) -> bool:
    """An attack or killing that names no kind of violence against civilians (not a massacre,
    an execution, an abduction): its victims decide whether it is a battle."""
    return (
        trig.event_type == VAC
        and trig.sub_event_type == "Attack"
        and _GENERIC_KILLING.match(trig.text) is not None
    )


def _incident(
    analysis: Analysis,
    group: Group,
    incident_id: str,
    place: ResolvedPlace | None,
    published: date,
    article_id: str,
    source: str | None,
) -> Incident:
    best = group.best_trigger()
    deaths, history = current_and_history(group.figures, "deaths")
    injured, _ = current_and_history(group.figures, "injuries")
    when = group.date
    country = place.place.country if place else (analysis.countries[0] if analysis.countries else None)
    evidence = sorted(set(group.evidence)) or sorted(set(group.sentences))
    actors = actors_for(analysis, group.clauses, country)
    event_type, sub_event_type = best.event_type, best.sub_event_type
    # An attack or a killing between armed parties is a battle, not violence against civilians.
    if is_generic_attack(best) and armed_on_both_sides(analysis, actors, group.clauses):
        event_type, sub_event_type = BATTLES, "Armed clash"
    # A protest the authorities broke up with people killed: lethal force against protesters.
    if event_type == PROTESTS and sub_event_type == "Protest with intervention" and deaths:
        sub_event_type = EXCESSIVE_FORCE
    return Incident(
        incident_id=incident_id,
        event_type=event_type,
        sub_event_type=sub_event_type,
        date=when.value if when else published,
        date_precision=when.precision if when else "publication",
        location=place.to_dict() if place else None,
        actors=actors,
        fatalities=deaths,
        injured=injured,
        fatalities_history=history if deaths is not None else [],
        article_ids=[article_id],
        sources=[source] if source else [],
        evidence=[analysis.sentences[i].text for i in evidence][:MAX_EVIDENCE],
        reports=[
            {
                "article_id": article_id,
                "published": published.isoformat(),
                "fatalities": deaths,
                "injured": injured,
                "source": source,
            }
        ],
        first_reported=published.isoformat(),
        last_reported=published.isoformat(),
    )


def extract(
    analysis: Analysis,
    published: date,
    article_id: str,
    *,
    source: str | None = None,
) -> list[Incident]:
    """The incidents one article reports, in order of first mention (none in an account of the
    past, such as an encyclopedia's history of a regiment)."""
    if is_past_account(" ".join(s.text for s in analysis.sentences), published.year):
        return []
    groups = Reader(analysis, published).read()
    fallback = article_fallback_place(analysis)
    out: list[Incident] = []
    for ordinal, group in enumerate(groups):
        if not violent(group) and len(groups) > 1:
            continue
        place = _incident_place(group, fallback) or home_country_of_group(analysis, group.sentences)
        if place is not None and group.place is None and _told_in_a_part(analysis, group):
            place = country_of(analysis, place)
        incident_id = incident_id_for(article_id, ordinal)
        out.append(_incident(analysis, group, incident_id, place, published, article_id, source))
    return out
