"""Incidents in one article: ACLED type, place, date, actors, tolls and evidence sentences.

Each sentence is matched against trigger rules that give an ACLED event type and sub-event type
with a priority. Sentences are grouped into incidents: a trigger sentence starts a new incident
when its explicit date (more than a day apart) or its place (more than 25 km apart) differs from
the current incident's; otherwise it, and any following sentence that only adds casualty figures,
joins the current incident. Background sentences (cumulative tolls, events more than a month
before publication, threats and plans) start nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from pipeline.tagging.actors import DEMONYM_WINDOW, GENERIC_PATTERNS, Actor
from pipeline.tagging.dates import ResolvedDate, find_dates
from pipeline.tagging.entities import Analysis, Mention
from pipeline.tagging.places import Gazetteer, ResolvedPlace, distance_km, gazetteer
from pipeline.tagging.rules import trigger_rules
from pipeline.tagging.tolls import Figure, current_and_history, figures

BATTLES = "Battles"
EXPLOSIONS = "Explosions/Remote violence"
VAC = "Violence against civilians"
PROTESTS = "Protests"
RIOTS = "Riots"
STRATEGIC = "Strategic developments"
EVENT_TYPES = (BATTLES, EXPLOSIONS, VAC, PROTESTS, RIOTS, STRATEGIC)
SAME_PLACE_KM = 25.0
BACKGROUND_DAYS = 31
MAX_EVIDENCE = 6
# Priority of the bare "attack"/"killed" rule: a trigger that names no kind of violence.
BARE_PRIORITY = 20
# Context patterns anchored at a mention ("according to ...", "... said") are matched within
# this many characters before / after it, never over the whole text before it: the cost per
# mention stays constant however long a sentence (or a headline) is.
LOOK_BEFORE = 300
LOOK_AFTER = 200

_SECURITY = trigger_rules().vocabularies["security"]
# (pattern, event type, sub-event type, priority), from pipeline/data/incident_rules.yaml.
RULES: tuple[tuple[re.Pattern[str], str, str, int], ...] = tuple(
    (rule.pattern, rule.event_type, rule.sub_event_type, rule.priority) for rule in trigger_rules().rules
)
NO_EVENT = re.compile(
    r"\b(?:threaten(?:ed|s)? to|vow(?:ed|s)? to|warn(?:ed|s)? (?:of|that)|plan(?:s|ned|ning)? to|"
    r"would (?:attack|strike)|could (?:attack|strike)|condemn(?:ed|s)?|anniversary|commemorat\w*|"
    r"trial|sentenced|convicted|court|"
    # calls, aims and fears rather than events
    r"call(?:ed|s|ing)? (?:on|for)|urg(?:ed|es|ing)|or be killed|fears? that|"
    r"(?:might|may|could|would)(?: not)? have been|"
    r"(?:is|are|has been|have been|was|were) (?:fighting|battling|struggling|trying|seeking) to|"
    r"(?:continue|continues|continued) to be engaged|"
    # history: an event centuries, years or a campaign ago
    r"\w+-century|centur(?:y|ies) ago|since (?:\d{4}|the (?:start|beginning|end))|the latest (?:of|in)|"
    r"(?:last|previous) (?:year|month)|(?:years|months|decades) ago)\b",
    re.I,
)
WEAK_REFERENCE = re.compile(
    r"\b(?:the|this|that|these|those) (?:attacks?|blasts?|explosions?|bombings?|assaults?|raids?|"
    r"incidents?|fighting|clashes|(?:air ?)?strikes|shelling)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Trigger:
    event_type: str
    sub_event_type: str
    priority: int
    text: str
    position: int


# For each rule, its cue words: in an ASCII sentence (where lower-casing is exactly the rules'
# case-insensitivity) a rule none of whose cues occurs cannot match and is not scanned; most
# sentences name no event, and a few substring tests say so before some twenty pattern scans.
RULE_WORDS: tuple[tuple[str, ...], ...] = tuple(rule.cues for rule in trigger_rules().rules)
# The rules by priority, highest first (equal priorities in their order above), with their
# words: the first rule that matches is the one ``classify`` reports, so the rules after it
# need not be tried.
_BY_PRIORITY = tuple(
    (*rule, words)
    for _, rule, words in sorted(
        zip(range(len(RULES)), RULES, RULE_WORDS, strict=True), key=lambda item: (-item[1][3], item[0])
    )
)
_KILLED_ARMED = re.compile(
    rf"\b(?:killing|killed|kills|kill|shot dead|shoots dead|gunned down)\b[^.]{{0,40}}\b{_SECURITY}\b", re.I
)
_ARMED_KILLED = re.compile(
    rf"\b{_SECURITY}\s+(?:(?:was|were|have been|has been|had been|is|are)\s+)?"
    rf"(?:killed|shot dead|gunned down|shot and killed|assassinated)\b",
    re.I,
)
_CIVILIAN_VICTIMS = re.compile(r"\bcivilians?\b|\bvillagers\b|\bworshippers\b", re.I)


_NOT_EVENTS = re.compile(trigger_rules().vocabularies["not_events"], re.I)


def _without_figures_of_speech(sentence: str) -> str:
    """The sentence with "blast walls", "a bombshell report", "heart attack" blanked out (same
    length, so positions stay)."""
    return _NOT_EVENTS.sub(lambda m: " " * len(m.group(0)), sentence)


def classify(sentence: str) -> Trigger | None:
    """The highest-priority ACLED trigger in a sentence (of equal priorities, the first rule's)."""
    sentence = _without_figures_of_speech(sentence)
    lower = sentence.lower() if sentence.isascii() else None
    best: Trigger | None = None
    for pattern, event_type, sub_type, priority, words in _BY_PRIORITY:
        if lower is not None and not any(word in lower for word in words):
            continue
        match = pattern.search(sentence)
        if match:
            best = Trigger(event_type, sub_type, priority, match.group(0), match.start())
            break
    if best is None:
        return None
    # An attack whose victims are armed is a battle, one on civilians stays an attack.
    if (
        best.event_type == VAC
        and best.sub_event_type == "Attack"
        and best.priority <= 52
        and (_KILLED_ARMED.search(sentence) or _ARMED_KILLED.search(sentence))
        and not _CIVILIAN_VICTIMS.search(sentence)
    ):
        return Trigger(BATTLES, "Armed clash", 53, best.text, best.position)
    return best


@dataclass
class Incident:
    """One incident, as reported by one or more articles."""

    incident_id: str
    event_type: str
    sub_event_type: str
    date: date
    date_precision: str
    location: dict[str, Any] | None
    actors: list[str] = field(default_factory=list)
    fatalities: int | None = None
    injured: int | None = None
    fatalities_history: list[int] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    first_reported: str | None = None
    last_reported: str | None = None

    @property
    def geo(self) -> tuple[float, float] | None:
        if not self.location or not self.location.get("geo"):
            return None
        return float(self.location["geo"]["lat"]), float(self.location["geo"]["lon"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "incident_id": self.incident_id,
            "event_type": self.event_type,
            "sub_event_type": self.sub_event_type,
            "date": self.date.isoformat(),
            "date_precision": self.date_precision,
            "location": self.location,
            "actors": list(self.actors),
            "fatalities": self.fatalities,
            "injured": self.injured,
            "fatalities_history": list(self.fatalities_history),
            "article_ids": list(self.article_ids),
            "sources": list(self.sources),
            "evidence": list(self.evidence),
            "reports": [dict(r) for r in self.reports],
            "first_reported": self.first_reported,
            "last_reported": self.last_reported,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Incident:
        return cls(
            incident_id=data["incident_id"],
            event_type=data["event_type"],
            sub_event_type=data["sub_event_type"],
            date=date.fromisoformat(data["date"]),
            date_precision=data["date_precision"],
            location=data.get("location"),
            actors=list(data.get("actors", [])),
            fatalities=data.get("fatalities"),
            injured=data.get("injured"),
            fatalities_history=list(data.get("fatalities_history", [])),
            article_ids=list(data.get("article_ids", [])),
            sources=list(data.get("sources", [])),
            evidence=list(data.get("evidence", [])),
            reports=[dict(r) for r in data.get("reports", [])],
            first_reported=data.get("first_reported"),
            last_reported=data.get("last_reported"),
        )


@dataclass
class _Group:
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

    def best_trigger(self) -> Trigger:
        def weight(item: tuple[Trigger, int]) -> int:
            trig, sent = item
            return trig.priority + (30 if sent == self.first_sentence else 0)

        violent = [t for t in self.triggers if t[0].event_type != STRATEGIC]
        pool = violent or self.triggers
        return max(pool, key=weight)[0]

    @property
    def event_type(self) -> str:
        return self.best_trigger().event_type

    def deaths(self) -> set[int]:
        return {f.value for f in self.figures if f.kind == "deaths"}


def _violent(group: _Group) -> bool:
    return any(t.event_type != STRATEGIC for t, _ in group.triggers)


def incident_id_for(article_id: str, ordinal: int) -> str:
    """Deterministic id of the ``ordinal``-th incident first reported by ``article_id``."""
    return hashlib.sha256(f"{article_id}:{ordinal}".encode()).hexdigest()[:24]


REPORTING = re.compile(
    r"\b(?:said|says|told|tell|reported|announced|confirmed|added|stated|claimed)"
    r"(?:\s+(?:reporters|journalists|VOA|AFP|Reuters|the \w+|\w+ media))?\s*(?:on\s+)?$",
    re.I,
)


# A sentence announcing a different event ("Separately, ...", "In another attack, ...").
ANOTHER = re.compile(
    r"^\s*(?:separately|in a separate (?:\w+\s+)?(?:attack|incident)|in (?:an)?other (?:\w+\s+)?"
    r"(?:attack|incident|development)s?)\b|\bin (?:an)?other (?:[\w-]+\s+){0,2}(?:attack|assault|raid|"
    r"bombing|incident)\b|\bin a separate (?:attack|assault|raid|bombing|incident)\b",
    re.I,
)


CLAUSE_BREAK = re.compile(r";\s+|,\s+and\s+(?=(?:a|an|the|at least|\d+)\b)", re.I)
DAY_BEFORE = re.compile(r"\s+a day (?:after|before)\s+", re.I)


def _units(sentence: str) -> list[tuple[str, bool]]:
    """A sentence, or its clauses when each clause reports its own event with its own toll
    ("Air strikes killed 23 ..., and a woman was killed by shelling ..."). The flag marks a
    clause introduced by "a day after/before", dated the day before the main clause."""
    marker = DAY_BEFORE.search(sentence)
    if marker:
        later = sentence[marker.end() :]
        if classify(later) is not None and any(f.kind == "deaths" for f in figures(later)):
            return [(sentence[: marker.start()], False), (later, True)]
    parts = [p for p in CLAUSE_BREAK.split(sentence) if p.strip()]
    if len(parts) > 1 and all(
        classify(p) is not None and any(f.kind == "deaths" for f in figures(p)) for p in parts
    ):
        return [(p, False) for p in parts]
    return [(sentence, False)]


# "comes after", "came two days after", "follows": what follows is an earlier, other event.
ANTECEDENT = re.compile(
    r"\b(?:comes?|came|coming)\s+(?:[\w-]+\s+){0,2}?after\b|\bfollow(?:s|ed|ing)?\s+(?:an?|the)\b",
    re.I,
)


def _event_date(text: str, published: date) -> ResolvedDate | None:
    """The sentence's event date: the first one not attached to a reporting verb
    ("told reporters Tuesday that the attack late Sunday..." gives Sunday)."""
    dates = [d for d in find_dates(text, published) if d.precision != "publication"]
    antecedent = ANTECEDENT.search(text)
    if antecedent is not None:
        # "The bombardment comes after rebels shot down a jet on Saturday": Saturday is the date
        # of what came before, not of the bombardment.
        dates = [d for d in dates if d.position < antecedent.start()]
    for item in dates:
        if not REPORTING.search(text[max(0, item.position - LOOK_BEFORE) : item.position]):
            return item
    return dates[0] if dates else None


def _sentence_places(analysis: Analysis, index: int) -> list[Mention]:
    return [m for m in analysis.in_sentence(index) if m.label == "PLACE" and m.place is not None]


# Places named as a direction or a border rather than where the event happened
# ("near the crossing with Iraq", "fled toward Turkey").
DIRECTIONAL = re.compile(
    r"\b(?:(?:crossings?|borders?|frontier|boundary)\s+(?:with|into)|bordering|toward|towards|"
    r"fled\s+(?:to|into)|headed\s+(?:to|for)|returned\s+(?:to|from))\s+(?:the\s+)?$",
    re.I,
)


def _directional(sentence: str, mention: str) -> bool:
    position = _find(sentence, mention)
    return bool(DIRECTIONAL.search(sentence[max(0, position - LOOK_BEFORE) : position]))


_LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|near|at|outside|of|on|into|around)\s+(?:the\s+)?(?:\w+\s+){0,3}$", re.I
)


def _best_place(mentions: list[Mention], sentence: str) -> ResolvedPlace | None:
    """Most specific place in a sentence, preferring one after a locative preposition; places
    named only as a direction or a border ("the crossing with Iraq") are not event places."""
    rank = {"neighbourhood": 0, "city": 1, "admin1": 2, "country": 3}
    scored: list[tuple[int, int, ResolvedPlace]] = []
    seen: set[str] = set()
    for order, m in enumerate(mentions):
        assert m.place is not None
        # Mentions are located by their text, so a repeated one scores as its first occurrence.
        if m.text in seen:
            continue
        seen.add(m.text)
        if _directional(sentence, m.text):
            continue
        position = _find(sentence, m.text)
        locative = bool(_LOCATIVE_BEFORE.search(sentence[max(0, position - LOOK_BEFORE) : position]))
        scored.append((rank[m.place.precision] - (1 if locative else 0), order, m.place))
    if not scored:
        return None
    scored.sort(key=lambda s: (s[0], s[1]))
    return scored[0][2]


_RANK = {"neighbourhood": 0, "city": 1, "admin1": 2, "country": 3}


# "the provincial capital", "the state capital": the seat of the division named before it.
DIVISION_CAPITAL = re.compile(r"\bthe\s+(?:provincial|regional|governorate|state)\s+capital\b", re.I)


def _division_capital(
    analysis: Analysis, sentence_index: int, text: str, place: ResolvedPlace | None
) -> ResolvedPlace | None:
    """The seat of the province the article was just speaking of, when a clause places its event
    in "the provincial capital" without naming it. The province is the one of ``place`` when that
    is a province, else that of the last town or province named before the phrase."""
    gaz = analysis.gazetteer
    match = DIVISION_CAPITAL.search(text)
    if gaz is None or match is None:
        return None
    admin1 = place.place.admin1 if place is not None and place.precision == "admin1" else None
    if admin1 is None:
        for m in reversed(analysis.mentions):
            if m.sentence > sentence_index or m.place is None or m.label != "PLACE":
                continue
            if m.sentence == sentence_index and m.text not in text[: match.start()]:
                continue
            if m.place.precision in ("city", "neighbourhood", "admin1") and m.place.place.admin1:
                admin1 = m.place.place.admin1
                break
    seat = gaz.seats.get(admin1) if admin1 else None
    if seat is None:
        return None
    return ResolvedPlace(
        mention=match.group(0), place=seat, country_name=gaz.country_names.get(seat.country, seat.country)
    )


def _more_precise(new: ResolvedPlace, old: ResolvedPlace) -> bool:
    """A more precise place in the same country (or any place when the old one is a country)."""
    return _RANK[new.precision] < _RANK[old.precision] and (new.place.country == old.place.country)


def _find(sentence: str, text: str) -> int:
    pos = sentence.find(text)
    return pos if pos >= 0 else len(sentence)


def _inside(a: ResolvedPlace, b: ResolvedPlace) -> bool:
    """One is a province and the other a place in it ("the province of Idlib" ... "the town of
    Kafranbel")."""
    same_province = bool(a.place.admin1) and a.place.admin1 == b.place.admin1
    return same_province and "admin1" in (a.precision, b.precision)


def _far(a: ResolvedPlace | None, b: ResolvedPlace | None) -> bool:
    if a is None or b is None:
        return False
    if "country" in (a.precision, b.precision):
        return a.place.country != b.place.country
    return distance_km(a.place.lat, a.place.lon, b.place.lat, b.place.lon) > SAME_PLACE_KM


def _article_fallback_place(analysis: Analysis) -> ResolvedPlace | None:
    places = [m for m in analysis.mentions if m.place is not None and m.label == "PLACE"]
    if not places:
        return None
    body = [s for s in analysis.sentences if not s.is_title]
    if body:
        first = body[0]
        dateline = re.match(
            r"^\s*([A-Z][A-Za-z' -]+?)(?:,\s*[A-Z][a-z]+)?\s*(?:\(|\u2014|\u2013|-|:)", first.text
        )
        if dateline:
            for m in places:
                if m.sentence == first.index and m.text.lower() == dateline.group(1).strip().lower():
                    return m.place
    city = Counter(
        (m.place.place.name, m.place.place.country)
        for m in places
        if m.place and m.place.precision in ("city", "neighbourhood")
    )
    if city:
        name, country = city.most_common(1)[0][0]
        for m in places:
            if m.place and (m.place.place.name, m.place.place.country) == (name, country):
                return m.place
    return places[0].place


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


def _actors_for(analysis: Analysis, clauses: list[tuple[int, str, bool]], country: str | None) -> list[str]:
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


def _reference(text: str, trig: Trigger) -> str | None:
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


def _conflicts(group: _Group, explicit: ResolvedDate | None, place: ResolvedPlace | None) -> bool:
    if explicit and group.date and abs((explicit.value - group.date.value).days) > 1:
        return True
    # A province named in a sentence that refers back ("Monday's bombings took place ... in the
    # Lower Shabelle region") does not contradict a town: only another town does.
    return place is not None and place.precision not in ("country", "admin1") and _far(place, group.place)


def _referent(
    groups: list[_Group],
    current: _Group | None,
    wanted: str,
    explicit: ResolvedDate | None,
    place: ResolvedPlace | None,
) -> _Group | None:
    """The incident a referring sentence points back to: the most recently extended one of the
    wanted type whose date and place do not contradict the sentence."""
    order = ([current] if current is not None else []) + [g for g in reversed(groups) if g is not current]
    for group in order:
        if wanted and group.event_type != wanted:
            continue
        if not _conflicts(group, explicit, place):
            return group
    return None


# -- the headline -------------------------------------------------------------------------------

TITLE_CLAUSES = re.compile(r"\s*;\s*|\s+[|\u2013\u2014]\s+|\s+-\s+")


def _title_matches(
    group: _Group, trig: Trigger, figs: list[Figure], place: ResolvedPlace | None, *, by_toll: bool = True
) -> bool:
    """A headline clause repeats a body incident: same type (any type for a bare "attack"),
    compatible toll (when ``by_toll``) and place."""
    if group.event_type != trig.event_type and trig.priority > BARE_PRIORITY:
        return False
    deaths = {f.value for f in figs if f.kind == "deaths" and not f.vague}
    if by_toll and deaths and group.deaths() and not deaths & group.deaths():
        return False
    if place is None or group.place is None:
        return True
    if "country" in (place.precision, group.place.precision) or "admin1" in (
        place.precision,
        group.place.precision,
    ):
        return place.place.country == group.place.place.country
    return not _far(place, group.place)


def _merge_title(analysis: Analysis, groups: list[_Group]) -> None:
    """Fold headline clauses into the body incidents they repeat; a headline clause stands alone
    only when no body incident matches it."""
    for sentence in analysis.sentences:
        if not sentence.is_title:
            continue
        for clause in (c for c in TITLE_CLAUSES.split(sentence.text) if c.strip()):
            trig = classify(clause)
            if trig is None or trig.event_type == STRATEGIC:
                continue
            if NO_EVENT.search(clause[: trig.position + 40]):
                continue
            figs = figures(clause)
            mentions = [m for m in _sentence_places(analysis, sentence.index) if m.text in clause]
            place = _best_place(mentions, clause)
            # A headline summarises: when no body incident has its toll, it still repeats the
            # first body incident of its kind and place (its toll may sum or round the body's).
            matching = [g for g in groups if _title_matches(g, trig, figs, place)] or [
                g for g in groups if _title_matches(g, trig, figs, place, by_toll=False)
            ]
            if matching:
                target = matching[0]
                if not target.deaths():
                    target.figures.extend(figs)
                if target.place is None and place is not None:
                    target.place = place
                continue
            if any(g.event_type == trig.event_type for g in groups) and not figs:
                # A vaguer headline of a story the body tells ("Fighting rages in the north").
                continue
            group = _Group(trigger=trig, first_sentence=sentence.index)
            group.sentences.append(sentence.index)
            group.triggers.append((trig, sentence.index))
            group.figures.extend(figs)
            group.place = place
            group.clauses.append((sentence.index, clause, True))
            group.evidence.append(sentence.index)
            groups.append(group)


def _toll(group: _Group) -> int | None:
    return current_and_history(group.figures, "deaths")[0]


def _drop_summaries(groups: list[_Group]) -> list[_Group]:
    """Leave out a lead that only sums the incidents told after it ("Russian airstrikes killed
    at least six people" followed by three and three killed in two villages): its toll equals
    the sum of the tolls of two or more following incidents of the same type, country and day.
    The detailed incidents are kept."""
    dropped: set[int] = set()
    for index, lead in enumerate(groups):
        total = _toll(lead)
        if not total:
            continue
        running, parts = 0, 0
        for later in groups[index + 1 :]:
            toll = _toll(later)
            if toll is None or later.event_type != lead.event_type:
                continue
            if (
                lead.place is not None
                and later.place is not None
                and lead.place.place.country != later.place.place.country
            ):
                continue
            if lead.date and later.date and abs((lead.date.value - later.date.value).days) > 1:
                continue
            running += toll
            parts += 1
            if running >= total:
                break
        if parts >= 2 and running == total:
            dropped.add(index)
    return [g for i, g in enumerate(groups) if i not in dropped]


def extract(
    analysis: Analysis,
    published: date,
    article_id: str,
    *,
    source: str | None = None,
) -> list[Incident]:
    """The incidents one article reports, in order of first mention."""
    groups: list[_Group] = []
    current: _Group | None = None

    def attach(
        group: _Group,
        index: int,
        text: str,
        figs: list[Figure],
        place: ResolvedPlace | None,
        *,
        trig: Trigger | None,
        establishing: bool,
        dated: bool,
    ) -> None:
        group.sentences.append(index)
        if trig is not None:
            group.triggers.append((trig, index))
        group.figures.extend(figs)
        group.clauses.append((index, text, establishing))
        if establishing or figs or dated:
            group.evidence.append(index)
        if place is not None and (group.place is None or _more_precise(place, group.place)):
            group.place = place

    for sentence in analysis.sentences:
        if sentence.is_title:
            continue
        units = _units(sentence.text)
        for unit_index, (text, day_before) in enumerate(units):
            own_clause = unit_index > 0
            trig = classify(text)
            figs = figures(text)
            explicit = _event_date(text, published)
            if explicit is None and day_before:
                anchor = current.date.value if current and current.date else published
                explicit = ResolvedDate(anchor - timedelta(days=1), "day", "a day before")
            if explicit is not None and (published - explicit.value).days > BACKGROUND_DAYS:
                continue
            mentions = [m for m in _sentence_places(analysis, sentence.index) if m.text in text]
            place = _best_place(mentions, text)
            if place is None or place.precision in ("admin1", "country"):
                place = _division_capital(analysis, sentence.index, text, place) or place
            if trig is not None and NO_EVENT.search(text[: trig.position + 40]) and not figs:
                trig = None
            if trig is None:
                refers_back = current is not None and WEAK_REFERENCE.search(text) is not None
                if current is not None and (figs or refers_back):
                    if _conflicts(current, explicit, place):
                        continue
                    if current.date is None and explicit is not None and refers_back:
                        current.date = explicit  # "the strikes happened late Wednesday"
                    attach(
                        current, sentence.index, text, figs, place, trig=None, establishing=False, dated=False
                    )
                continue
            wanted = None if own_clause else _reference(text, trig)
            if wanted is not None:
                target = _referent(groups, current, wanted, explicit, place)
                if target is not None:
                    current = target
                    if target.date is None and explicit is not None:
                        target.date = explicit
                    attach(
                        target,
                        sentence.index,
                        text,
                        figs,
                        place,
                        trig=trig,
                        establishing=False,
                        dated=explicit is not None,
                    )
                    continue
            if trig.priority <= BARE_PRIORITY and current is not None and _violent(current):
                # A bare "killed" or "attack" says nothing about the kind of event: it is another
                # event of the kind being reported ("Another three people were killed in ...").
                kind = current.best_trigger()
                trig = Trigger(kind.event_type, kind.sub_event_type, BARE_PRIORITY, trig.text, trig.position)
            if trig.event_type == STRATEGIC and current is not None:
                current.sentences.append(sentence.index)
                current.triggers.append((trig, sentence.index))
                continue
            new_needed = current is None or own_clause or bool(ANOTHER.search(text))
            if current is not None and not own_clause:
                if explicit and current.date and abs((explicit.value - current.date.value).days) > 1:
                    new_needed = True
                elif (
                    place is not None
                    and current.place is not None
                    and _far(place, current.place)
                    # A town in the province just named, with no toll of its own, says where
                    # the same event happened; with its own toll it is one of several events.
                    and not (_inside(place, current.place) and not any(f.kind == "deaths" for f in figs))
                ):
                    new_needed = (
                        not (place.precision == "country" or current.place.precision == "country")
                        or place.place.country != current.place.place.country
                    )
                elif (
                    figs
                    and current.figures
                    and trig.event_type != current.trigger.event_type
                    and any(not f.earlier for f in figs if f.kind == "deaths")
                ):
                    new_needed = True
            establishing = new_needed
            if new_needed:
                # Back to a story already told (same place, same day)?
                target = None
                for group in [] if own_clause else groups:
                    same_day = (
                        not explicit or not group.date or abs((explicit.value - group.date.value).days) <= 1
                    )
                    same_place = (
                        place is not None
                        and group.place is not None
                        and not _far(place, group.place)
                        and place.precision != "country"
                    )
                    if same_day and same_place and group.trigger.event_type == trig.event_type:
                        target = group
                if target is None:
                    target = _Group(trigger=trig, first_sentence=sentence.index)
                    groups.append(target)
                else:
                    establishing = False
                current = target
            assert current is not None
            if current.date is None and explicit is not None:
                current.date = explicit
            attach(
                current,
                sentence.index,
                text,
                figs,
                place,
                trig=trig,
                establishing=establishing or trig.priority >= current.trigger.priority,
                dated=explicit is not None,
            )
    _merge_title(analysis, groups)
    groups = _drop_summaries(groups)

    fallback = _article_fallback_place(analysis)
    out: list[Incident] = []
    for ordinal, group in enumerate(groups):
        violent = any(t.event_type != STRATEGIC for t, _ in group.triggers)
        if not violent and len(groups) > 1:
            continue
        best = group.best_trigger()
        place = group.place or fallback
        if (
            place is not None
            and place.precision == "country"
            and fallback is not None
            and (fallback.place.country == place.place.country and fallback.precision != "country")
        ):
            place = fallback
        deaths, history = current_and_history(group.figures, "deaths")
        injured, _ = current_and_history(group.figures, "injuries")
        when = group.date
        country = place.place.country if place else (analysis.countries[0] if analysis.countries else None)
        evidence = sorted(set(group.evidence)) or sorted(set(group.sentences))
        incident = Incident(
            incident_id=incident_id_for(article_id, ordinal),
            event_type=best.event_type,
            sub_event_type=best.sub_event_type,
            date=when.value if when else published,
            date_precision=when.precision if when else "publication",
            location=place.to_dict() if place else None,
            actors=_actors_for(analysis, group.clauses, country),
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
        out.append(incident)
    return out


def resolve_window(day: date, days: int = 1) -> tuple[date, date]:
    return day - timedelta(days=days), day + timedelta(days=days)
