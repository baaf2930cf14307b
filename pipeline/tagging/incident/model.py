"""What an incident is: ACLED event types, the incident record, its deterministic id."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

BATTLES = "Battles"
EXPLOSIONS = "Explosions/Remote violence"
VAC = "Violence against civilians"
PROTESTS = "Protests"
RIOTS = "Riots"
STRATEGIC = "Strategic developments"
EVENT_TYPES = (BATTLES, EXPLOSIONS, VAC, PROTESTS, RIOTS, STRATEGIC)
SAME_PLACE_KM = 25.0
# A sentence that refers back to the incident just told ("Another 12 people were wounded in the
# attack in the town of Tarmiyah" after a bombing "on the northern outskirts of Baghdad") may name
# a town this far from the incident's place: leads place events near a city they are not in.
REFERENCE_KM = 60.0
# The precisions of a place that is a town (or a part of one), not a province or a country.
TOWNS = ("city", "neighbourhood")
BACKGROUND_DAYS = 31
MAX_EVIDENCE = 6
# Priority of the bare "attack"/"killed" rule: a trigger that names no kind of violence.
BARE_PRIORITY = 20
# Context patterns anchored at a mention ("according to ...", "... said") are matched within
# this many characters before / after it, never over the whole text before it: the cost per
# mention stays constant however long a sentence (or a headline) is.
LOOK_BEFORE = 300
LOOK_AFTER = 200


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


def incident_id_for(article_id: str, ordinal: int) -> str:
    """Deterministic id of the ``ordinal``-th incident first reported by ``article_id``."""
    return hashlib.sha256(f"{article_id}:{ordinal}".encode()).hexdigest()[:24]


def resolve_window(day: date, days: int = 1) -> tuple[date, date]:
    return day - timedelta(days=days), day + timedelta(days=days)
