"""Incident fusion: reports of the same incident in different articles share one incident.

Two reports match when they have the same event type, dates within a day, places within 25 km
(or the same country when one of them is only known to country precision) and compatible actors
(no named armed actor on one side that the other contradicts). The merged incident lists every
source article; its toll is the one from the most recently published report (earlier figures stay
in ``fatalities_history``). Reports are ordered by their exact publication time (``published_at``)
when the tag stage knows it, else their publication day, then by the time the pipeline first saw
the article (``first_seen``): two reports of one day keep the order they were published in, not
that of their article ids. Incident ids are deterministic: the id of the first report's
(article id, ordinal), so replaying an article updates its incidents instead of adding new ones.

The store is a small protocol so that an Elasticsearch-backed store can replace the in-memory one.
Changes are staged by :meth:`IncidentStore.put` and become durable at :meth:`IncidentStore.flush`,
which the tag stage calls from ``after_batch_written``; staged incidents are visible to lookups.

Several tag workers: a report that matches nothing durable is about to become a new incident, but
another worker may be creating the same incident at the same moment (its report on another
partition, staged and not yet flushed). :meth:`IncidentStore.reserve` settles it: atomically
across workers, it either registers the new incident or returns the compatible one another worker
registered first, which the report then joins (see :mod:`pipeline.tagging.reservations`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from pipeline.tagging.incident import Incident
from pipeline.tagging.places import PRECISION_RANK, distance_km

FUSION_DAYS = 1
FUSION_KM = 25.0
GENERIC_PREFIXES = (
    "Military Forces of",
    "Police Forces of",
    "Protesters",
    "Rioters",
    "Civilians",
    "Unidentified Armed Group",
)


class IncidentStore(Protocol):
    def get(self, incident_id: str) -> Incident | None:
        """The incident with this id, staged or durable."""
        ...

    def candidates(self, window: Window) -> list[Incident]:
        """Staged or durable incidents in ``window``: at least every one :func:`compatible`
        accepts for the report the window was drawn around (see :func:`window`)."""
        ...

    def put(self, incident: Incident) -> None:
        """Stage an insert or update."""
        ...

    def flush(self) -> None:
        """Make staged changes durable."""
        ...

    def discard(self, article_ids: Iterable[str]) -> None:
        """Withdraw these articles' reports from the staged changes (see :func:`withdraw`)."""
        ...

    def reserve(self, incident: Incident, exclude: set[str]) -> Incident | None:
        """Called when ``incident`` matched nothing: None once it is registered as a new
        incident, or a compatible incident (not in ``exclude``) that another worker registered
        first and ``incident`` must join instead."""
        ...

    def prefetch(self, incidents: Sequence[Incident]) -> None:
        """About to fuse ``incidents`` (one article's): a store that asks a server may fetch at
        once what :meth:`get` and :meth:`candidates` will be asked for them (their ids, and the
        windows :func:`window` gives), as long as the answers stay what they would have been."""
        ...


@dataclass(frozen=True)
class Window:
    """Where the incidents a report may be fused with are: its event type, dates within
    ``FUSION_DAYS``, and, with ``geo``, within ``FUSION_KM`` of it or (a report placed only to its
    country, or a candidate that is) in its country. A store may return more than the window
    holds; :func:`compatible` decides."""

    event_type: str
    day_from: date
    day_to: date
    geo: tuple[float, float] | None = None  # None: anywhere
    country: str | None = None
    country_precision: bool = False  # the report is placed only to its country

    def dated(self, incident: Incident) -> bool:
        """Of the window's type and dates (the place left to the store and compatible())."""
        return incident.event_type == self.event_type and self.day_from <= incident.date <= self.day_to


def window(incident: Incident) -> Window | None:
    """The window of a report's candidates; None for a report without a place, which nothing is
    compatible with. Without a country code only the type and dates narrow it."""
    if incident.geo is None:
        return None
    location = incident.location or {}
    country = location.get("country_code") or None
    return Window(
        incident.event_type,
        incident.date - timedelta(days=FUSION_DAYS),
        incident.date + timedelta(days=FUSION_DAYS),
        geo=incident.geo if country else None,
        country=country,
        country_precision=location.get("precision") == "country",
    )


class InMemoryIncidentStore:
    """Dictionary-backed store for tests and single-process runs."""

    def __init__(self) -> None:
        self.durable: dict[str, Incident] = {}
        self.staged: dict[str, Incident] = {}

    def get(self, incident_id: str) -> Incident | None:
        return self.staged.get(incident_id) or self.durable.get(incident_id)

    def candidates(self, window: Window) -> list[Incident]:
        merged = {**self.durable, **self.staged}
        return [incident for incident in merged.values() if window.dated(incident)]

    def put(self, incident: Incident) -> None:
        self.staged[incident.incident_id] = incident

    def flush(self) -> None:
        self.durable.update(self.staged)
        self.staged.clear()

    def discard(self, article_ids: Iterable[str]) -> None:
        withdraw(self.staged, article_ids)

    def reserve(self, incident: Incident, exclude: set[str]) -> Incident | None:
        return None  # one process: what it staged, candidates() already saw

    def prefetch(self, incidents: Sequence[Incident]) -> None:
        return None  # nothing to fetch

    def all(self) -> list[Incident]:
        return list({**self.durable, **self.staged}.values())


def _named(actors: Iterable[str]) -> set[str]:
    return {a for a in actors if not a.startswith(GENERIC_PREFIXES)}


def compatible(a: Incident, b: Incident) -> bool:
    """Whether two incident reports can describe the same incident."""
    if a.event_type != b.event_type or abs((a.date - b.date).days) > FUSION_DAYS:
        return False
    if a.geo is None or b.geo is None or a.location is None or b.location is None:
        return False
    if "country" in (a.location.get("precision"), b.location.get("precision")):
        if a.location.get("country_code") != b.location.get("country_code"):
            return False
        if a.location.get("precision") == b.location.get("precision") == "country":
            return False
    elif distance_km(*a.geo, *b.geo) > FUSION_KM:
        return False
    named_a, named_b = _named(a.actors), _named(b.actors)
    return not (named_a and named_b and not named_a & named_b)


def report_order(report: dict[str, Any]) -> tuple[str, str, str]:
    """Oldest first: the exact publication time (UTC ISO) if known, else the day (which sorts
    before the times of that day), then first seen, then the article id."""
    published = report.get("published_at") or report.get("published") or ""
    return str(published), str(report.get("first_seen") or ""), str(report.get("article_id"))


def latest_figures(reports: list[dict[str, Any]]) -> tuple[int | None, int | None]:
    """Deaths and injuries of an incident: each from the latest report (in the order given,
    oldest first) that states it."""
    deaths = [r["fatalities"] for r in reports if r.get("fatalities") is not None]
    injured = [r["injured"] for r in reports if r.get("injured") is not None]
    return (deaths[-1] if deaths else None), (injured[-1] if injured else None)


def merge(existing: Incident, report: Incident) -> Incident:
    """``existing`` updated with a new report; the most recently published report's toll wins."""
    reports = [r for r in existing.reports if r.get("article_id") != report.article_ids[0]]
    reports.extend(report.reports)
    reports.sort(key=report_order)
    history: list[int] = []
    for value in [*existing.fatalities_history, *report.fatalities_history]:
        if value not in history:
            history.append(value)
    fatalities, injured = latest_figures(reports)
    if fatalities is not None:
        history = [v for v in history if v != fatalities] + [fatalities]
    better_place = existing.location
    if report.location and (
        better_place is None
        or PRECISION_RANK.get(report.location.get("precision", "country"), 4)
        < PRECISION_RANK.get(better_place.get("precision", "country"), 4)
    ):
        better_place = report.location
    better_date = existing.date
    precision = existing.date_precision
    if existing.date_precision != "day" and report.date_precision == "day":
        better_date, precision = report.date, report.date_precision
    evidence = list(dict.fromkeys([*existing.evidence, *report.evidence]))
    return Incident(
        incident_id=existing.incident_id,
        event_type=existing.event_type,
        sub_event_type=existing.sub_event_type,
        date=better_date,
        date_precision=precision,
        location=better_place,
        actors=list(dict.fromkeys([*existing.actors, *report.actors])),
        fatalities=fatalities,
        injured=injured,
        fatalities_history=history,
        article_ids=list(dict.fromkeys([*existing.article_ids, *report.article_ids])),
        sources=list(dict.fromkeys([*existing.sources, *report.sources])),
        evidence=evidence[:12],
        reports=reports,
        first_reported=min(filter(None, [existing.first_reported, report.first_reported]), default=None),
        last_reported=max(filter(None, [existing.last_reported, report.last_reported]), default=None),
    )


class IncidentFuser:
    """Matches an article's incidents against the store and stages the results."""

    def __init__(self, store: IncidentStore) -> None:
        self.store = store

    def fuse(self, incidents: list[Incident]) -> list[Incident]:
        out: list[Incident] = []
        if incidents:
            self.store.prefetch(incidents)
        for incident in incidents:
            article_id = incident.article_ids[0]
            target = self.store.get(incident.incident_id)
            where = window(incident)
            if target is None and where is not None:
                nearby = self.store.candidates(where)
                taken = {o.incident_id for o in out}
                matches = [
                    c for c in nearby if c.incident_id not in taken and compatible(c, incident)
                ]
                target = closest(incident, matches) if matches else None
                if target is None and incident.geo is not None:
                    target = self.store.reserve(incident, taken)
            if target is None:
                merged = incident
            elif article_id in target.article_ids and target.incident_id == incident.incident_id:
                # A replay or a revised version of the same article: replace its report.
                merged = merge(_without(target, article_id), incident)
            else:
                merged = merge(target, incident)
            self.store.put(merged)
            out.append(merged)
        if incidents:
            self.store.prefetch([])
        return out


def closest(incident: Incident, matches: list[Incident]) -> Incident:
    """The match nearest in place, then in date (then the smallest id, for determinism)."""
    geo = incident.geo
    assert geo is not None
    return min(
        matches,
        key=lambda c: (
            distance_km(*geo, *c.geo) if c.geo else 1e9,
            abs((c.date - incident.date).days),
            c.incident_id,
        ),
    )


def _without(incident: Incident, article_id: str) -> Incident:
    reports = [r for r in incident.reports if r.get("article_id") != article_id]
    if not reports:
        return Incident(
            **{
                **incident.__dict__,
                "reports": [],
                "fatalities": None,
                "fatalities_history": [],
                "evidence": [],
                "article_ids": [],
                "sources": [],
            }
        )
    return Incident(**{**incident.__dict__, "reports": reports})


def withdraw(staged: dict[str, Incident], article_ids: Iterable[str]) -> None:
    """Take the reports of ``article_ids`` out of the staged incidents, in place: articles that
    went to the dead-letter topic instead of downstream. A staged incident left with no report
    is unstaged (its durable version, if any, stands); one with other reports keeps them, with
    its toll, injuries, articles and sources recomputed from what is left, and the withdrawn
    reports' final figures out of its history. Evidence sentences, actors and a withdrawn
    article's own earlier estimates cannot be told apart by report and stay."""
    gone = set(article_ids)
    for incident_id, incident in list(staged.items()):
        if not gone & set(incident.article_ids):
            continue
        reports = [r for r in incident.reports if r.get("article_id") not in gone]
        if not reports:
            del staged[incident_id]
            continue
        fatalities, injured = latest_figures(reports)
        withdrawn = {r.get("fatalities") for r in incident.reports if r.get("article_id") in gone}
        kept = {r.get("fatalities") for r in reports}
        history = [
            v for v in incident.fatalities_history if v != fatalities and (v in kept or v not in withdrawn)
        ]
        kept_articles = {str(r.get("article_id")) for r in reports}
        kept_sources = {r.get("source") for r in reports}
        published = [str(r["published"]) for r in reports if r.get("published")]
        staged[incident_id] = Incident(
            **{
                **incident.__dict__,
                "reports": reports,
                "fatalities": fatalities,
                "injured": injured,
                "fatalities_history": [*history, fatalities] if fatalities is not None else [],
                "article_ids": [a for a in incident.article_ids if a in kept_articles],
                "sources": [src for src in incident.sources if src in kept_sources],
                "first_reported": min(published, default=incident.first_reported),
                "last_reported": max(published, default=incident.last_reported),
            }
        )
