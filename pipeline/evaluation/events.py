"""Incidents against independently coded events: UCDP GED headlines (``eval/open/ucdp_*.jsonl``).

A *report* is one source headline with its publication date; it is tagged on its own, as a title
with no body, and compared with every UCDP event coded from it (one headline can feed several
events: a daily round-up names several places). The split is by report.

What is scored, and over which reports (each figure is printed with its count):

- ``coverage``: reports for which at least one incident is found, over the reports that describe
  an incident (the titles of periodic reports such as "Syria Daily Report 12/02/2016" name none
  and are left out, see :data:`NOT_A_REPORT`);
- reports in French (more French than English function words: the tagger reads English) are
  left out of every figure and counted as ``not_english``;
- ``type``: UCDP's ``type_of_violence`` is not ACLED's event type, so agreement is with a coarse
  mapping: state-based and non-state violence (1, 2) agree with *Battles* or
  *Explosions/Remote violence*, one-sided violence (3) with *Violence against civilians*;
- ``toll``: the exact death count, only where the headline itself states one (exactly one
  cardinal number, a word for death and no word for injury: see :func:`stated_deaths`), never
  against UCDP's ``best``, which combines all sources;
- ``place``: the incident within 25 km of the coded point, for precisely coded events
  (``where_prec`` 1 or 2); an incident with no place counts as wrong;
- ``place_named``: the same, over the events whose coded place the headline names in a spelling
  close to UCDP's (see :func:`names_coded_place`): what the tagger achieves when the text holds
  the answer; ``place`` also counts events coded at a town the headline never names;
- ``map_precision``: of all incidents placed at a town, the share within 25 km of one of the
  report's precisely coded events (what a wrong point costs an analyst; incidents placed only
  at a province or a country claim no point and are not counted here);
- ``country``: of all incidents with a place, the share placed in the set's country;
- ``date``: the incident's date within [``date_start``, ``date_end``], for events dated to the day.

Type, toll, place and date are scored on reports that feed exactly one event and for which an
incident was found; the incident compared is the one nearest the coded point (the first one when
none has a place).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.evaluation.splits import Part, part_of
from pipeline.tagging.incident import Incident
from pipeline.tagging.places import distance_km
from pipeline.tagging.tagger import Tagger
from pipeline.tagging.text import fold, skeleton

PLACE_KM = 25.0
# UCDP's data begin in 1989; an earlier source date is a placeholder.
FIRST_SOURCE_YEAR = 1989
# Incidents placed at a town (or a neighbourhood of one): a claim about a point on the map.
POINT_PRECISIONS = frozenset({"city", "neighbourhood"})
MAPPED_TYPES: dict[int, frozenset[str]] = {
    1: frozenset({"Battles", "Explosions/Remote violence"}),
    2: frozenset({"Battles", "Explosions/Remote violence"}),
    3: frozenset({"Violence against civilians"}),
}
NOT_A_REPORT = re.compile(
    r"\b(?:daily|weekly|monthly)\s+report\b|\bliste des incidents\b|^\s*report\b|\bsituation report\b"
    r"|\bpanel of experts\b|\bannual report\b"
    # database labels and links rather than reports: "June 23rd 2017: (S926) Raqqa city, ..."
    r"|\(S\d+[a-z]?\)|^\s*https?://|\bassessment\s*$",
    re.I,
)
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100,
}  # fmt: skip
_CARDINAL = re.compile(
    r"(?<![\d/:.,])\b(\d{1,4}|" + "|".join(_NUMBER_WORDS) + r")\b(?![/:]\d|[.,]\d|st\b|nd\b|rd\b|th\b)",
    re.I,
)
# A number followed by one of these counts things, not people.
_NOT_PEOPLE = re.compile(
    r"\s*(?:%|per\s?cent|km|kilomet|mile|meter|metre|hour|day|week|month|year|time|shell|raid|"
    r"strike|airstrike|air strike|rocket|missile|barrel|bomb|mortar|village|town|vehicle|car|"
    r"truck|tank|house|building|point|position|mine|drone|warplane|helicopter|area|front|axis|"
    r"and half|am\b|pm\b|a\.m|p\.m)",
    re.I,
)
_DEATH = re.compile(
    r"\b(?:kill(?:s|ed|ing)?|dead|deaths?|die[sd]?|dying|martyr\w*|lives|bodies|corpses|"
    r"fatalit\w+|slain|massacred|executed|executes|execution|beheaded|murdered|"
    r"tu[ée]e?s?|morts?|d[ée]c[èe]s)\b",
    re.I,
)
# "kill a woman and 2 of her children": a single victim named beside the number (the toll is 3).
_ONE_VICTIM = re.compile(
    r"\b(?:an?|another)\s+(?:\w+\s+)?(?:man|woman|child|boy|girl|soldier|civilian|fighter|member|"
    r"person|commander|leader|activist|journalist|doctor|officer|policeman)\b",
    re.I,
)
_INJURY = re.compile(r"\b(?:wound\w*|injur\w*|casualt\w*|hurt|bless[ée]e?s?)\b", re.I)
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_WORD = re.compile(r"[^\W\d_]+")
_ENGLISH = frozenset(
    {"the", "and", "of", "to", "in", "is", "was", "that", "for", "on", "with", "as", "by", "at",
     "from", "after", "kill", "killed"}
)  # fmt: skip
_FRENCH = frozenset(
    {"le", "la", "les", "et", "des", "est", "une", "un", "dans", "pour", "que", "qui", "pas", "sur",
     "du", "au", "aux", "avec", "ont", "après", "par", "entre", "à", "tués", "morts", "attaque",
     "personnes"}
)  # fmt: skip


def in_french(headline: str) -> bool:
    words = [w.casefold() for w in _WORD.findall(headline)]
    return sum(w in _FRENCH for w in words) > sum(w in _ENGLISH for w in words)


@dataclass(frozen=True, slots=True)
class CodedEvent:
    event_id: int
    type_of_violence: int
    where: str
    where_prec: int
    lat: float
    lon: float
    date_start: date
    date_end: date
    date_prec: int


@dataclass(slots=True)
class SourceReport:
    key: str
    headline: str
    published: date
    events: list[CodedEvent] = field(default_factory=list)
    # False when UCDP gives no usable publication date (a placeholder such as 1753-01-01): the
    # report is then read as published on its event's last day and its date is not scored.
    dated: bool = True

    @property
    def part(self) -> Part:
        return part_of(self.key)


def stated_deaths(headline: str) -> int | None:
    """The death toll a headline states, when it states exactly one number, a word for death and
    no word for injury ("Aerial bombardment on X kills 5 civilians" -> 5). Written for the
    evaluation alone, independently of the tagger's rules."""
    if not _DEATH.search(headline) or _INJURY.search(headline) or _ONE_VICTIM.search(headline):
        return None
    numbers = []
    for match in _CARDINAL.finditer(headline):
        word = match.group(1)
        if _YEAR.match(word) or _NOT_PEOPLE.match(headline, match.end()):
            continue
        numbers.append(int(word) if word.isdigit() else _NUMBER_WORDS[word.lower()])
    return numbers[0] if len(numbers) == 1 else None


# UCDP's ``where`` ends with the kind of place ("Ar Raqqah town", "Jabal al Akrad mountain").
_PLACE_KIND = re.compile(r"\s+(?:town|city|village|area|mountain|district|province|camp)\s*$", re.I)
_ARTICLES = frozenset(["al", "an", "ar", "as", "at", "ad", "az", "ash", "ath", "el", "ez", "es", "ed"])
# Words of a coded name that do not tell the place ("Eastern Ghouta", "Western countryside of Raqqa").
_NOT_THE_NAME = frozenset(
    ["eastern", "western", "northern", "southern", "east", "west", "north", "south", "countryside", "of"]
)
NAMED_STEM = 3


def _stems(text: str) -> set[str]:
    """Each word's consonant skeleton (its folded form when too short): "al-Qameshly" gives
    "qmshl", as "Al Qamishli" does."""
    out = set()
    for word in fold(text).replace("-", " ").split():
        if word in _ARTICLES:
            continue
        stem = skeleton(word).replace(" ", "")
        out.add(stem[: NAMED_STEM + 2] if len(stem) >= NAMED_STEM else word)
    return out


def names_coded_place(headline: str, where: str) -> bool:
    """Whether the headline names the coded place: the longest word of one of UCDP's names for
    it ("Ar Raqqah town/Raqqa", articles dropped) has the skeleton of a word of the headline
    ("al-Raqqah"). A coarse test, written for the evaluation alone."""
    said = _stems(headline)
    for name in where.split("/"):
        folded = fold(_PLACE_KIND.sub("", name)).replace("-", " ").split()
        words = [w for w in folded if w not in _ARTICLES and w not in _NOT_THE_NAME]
        if words and _stems(max(words, key=len)) & said:
            return True
    return False


def _event(row: dict[str, Any]) -> CodedEvent:
    return CodedEvent(
        event_id=int(row["id"]),
        type_of_violence=int(row["type_of_violence"]),
        where=str(row.get("where") or ""),
        where_prec=int(row["where_prec"]),
        lat=float(row["lat"]),
        lon=float(row["lon"]),
        date_start=date.fromisoformat(row["date_start"]),
        date_end=date.fromisoformat(row["date_end"]),
        date_prec=int(row["date_prec"]),
    )


def load_reports(path: Path) -> list[SourceReport]:
    """Reports in first-seen order, each with the events coded from it."""
    reports: dict[str, SourceReport] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        headlines = row.get("headlines")
        if not headlines:
            continue
        dates = str(row.get("source_date") or row["date_start"]).split(";")
        event = _event(row)
        for position, raw in enumerate(headlines):
            published = dates[position] if position < len(dates) else dates[0]
            key = f"{published.strip()}|{raw}"
            report = reports.get(key)
            if report is None:
                day = date.fromisoformat(published.strip())
                dated = day.year >= FIRST_SOURCE_YEAR
                report = reports[key] = SourceReport(
                    key, html.unescape(raw), day if dated else event.date_end, dated=dated
                )
            report.events.append(event)
    return list(reports.values())


@dataclass
class Tally:
    """Hits over items for one figure."""

    hits: int = 0
    items: int = 0

    def add(self, hit: bool) -> None:
        self.items += 1
        self.hits += int(hit)

    @property
    def value(self) -> float:
        return round(self.hits / self.items, 3) if self.items else 0.0


FIGURES = (
    "coverage",
    "type",
    "toll",
    "place",
    "place_named",
    "map_precision",
    "country",
    "date",
    "not_english",
)


@dataclass
class EventScore:
    country_code: str
    tallies: dict[str, Tally] = field(default_factory=lambda: {name: Tally() for name in FIGURES})
    errors: list[str] = field(default_factory=list)

    def metrics(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: tally.value for name, tally in self.tallies.items()}
        out["items"] = {name: tally.items for name, tally in self.tallies.items()}
        return out


def _nearest(incidents: Sequence[Incident], event: CodedEvent) -> Incident:
    placed = [i for i in incidents if i.geo is not None]
    if not placed:
        return incidents[0]
    return min(placed, key=lambda i: distance_km(event.lat, event.lon, *i.geo))  # type: ignore[misc]


def _within(incident: Incident, event: CodedEvent) -> bool:
    geo = incident.geo
    return geo is not None and distance_km(event.lat, event.lon, *geo) <= PLACE_KM


def _describe(incident: Incident) -> str:
    where = incident.location.get("name") if incident.location else None
    country = incident.location.get("country_code") if incident.location else None
    return f"{incident.event_type} at {where} ({country}), {incident.fatalities} dead, {incident.date}"


def _score_single(score: EventScore, report: SourceReport, incidents: list[Incident]) -> None:
    event = report.events[0]
    main = _nearest(incidents, event)
    label = f"[{report.headline}]"
    tallies = score.tallies
    consistent = main.event_type in MAPPED_TYPES[event.type_of_violence]
    tallies["type"].add(consistent)
    if not consistent:
        score.errors.append(f"type: UCDP {event.type_of_violence}, got {_describe(main)} {label}")
    stated = stated_deaths(report.headline)
    if stated is not None:
        tallies["toll"].add(main.fatalities == stated)
        if main.fatalities != stated:
            score.errors.append(f"toll: want {stated}, got {_describe(main)} {label}")
    if event.where_prec <= 2:
        tallies["place"].add(_within(main, event))
        if names_coded_place(report.headline, event.where):
            tallies["place_named"].add(_within(main, event))
        if not _within(main, event):
            score.errors.append(f"place: want {event.where}, got {_describe(main)} {label}")
    if event.date_prec == 1 and report.dated:
        good = event.date_start <= main.date <= event.date_end
        tallies["date"].add(good)
        if not good:
            score.errors.append(f"date: want {event.date_start}, got {_describe(main)} {label}")


def _score_map(score: EventScore, report: SourceReport, incidents: list[Incident]) -> None:
    for incident in incidents:
        if incident.location is None:
            continue
        in_country = incident.location.get("country_code") == score.country_code
        score.tallies["country"].add(in_country)
        if not in_country:
            score.errors.append(f"country: got {_describe(incident)} [{report.headline}]")
        point = incident.location.get("precision") in POINT_PRECISIONS
        if point and incident.geo is not None and all(e.where_prec <= 2 for e in report.events):
            near = any(_within(incident, e) for e in report.events)
            score.tallies["map_precision"].add(near)
            if not near:
                coded = ", ".join(e.where for e in report.events[:3])
                score.errors.append(f"map: coded {coded}; got {_describe(incident)} [{report.headline}]")


def score_reports(
    tagger: Tagger, reports: Iterable[SourceReport], country_code: str
) -> EventScore:
    score = EventScore(country_code)
    for report in reports:
        french = in_french(report.headline)
        score.tallies["not_english"].add(french)
        if french:
            continue
        result = tagger.tag(report.headline, None, report.published, report.key, fuse=False)
        incidents = result.incidents
        if not NOT_A_REPORT.search(report.headline):
            score.tallies["coverage"].add(bool(incidents))
            if not incidents:
                score.errors.append(f"coverage: nothing found [{report.headline}]")
        if not incidents:
            continue
        _score_map(score, report, incidents)
        if len(report.events) == 1:
            _score_single(score, report, incidents)
    return score
