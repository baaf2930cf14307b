"""One article in, tags out: entities, actors, places and fused incidents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pipeline.tagging.entities import Analysis, EntityRecognizer, recognizer
from pipeline.tagging.fusion import IncidentFuser, IncidentStore, InMemoryIncidentStore
from pipeline.tagging.incident import Incident, extract
from pipeline.tagging.options import TagOptions


@dataclass
class TagResult:
    analysis: Analysis
    incidents: list[Incident]
    persons: list[str] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    places: list[dict[str, Any]] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)

    @property
    def incident_ids(self) -> list[str]:
        return list(dict.fromkeys(i.incident_id for i in self.incidents))


class Tagger:
    """Entity pass, incident extraction and fusion. The heavy resources (spaCy, the gazetteer and
    its small-town index) are loaded once per process, when the first tagger is built, so that
    no article pays for them; ``options`` (the ``tag`` settings) say what from."""

    def __init__(self, store: IncidentStore | None = None, options: TagOptions | None = None) -> None:
        self.options = options if options is not None else TagOptions()
        self.store: IncidentStore = store if store is not None else InMemoryIncidentStore()
        self.fuser = IncidentFuser(self.store)
        self.recognizer: EntityRecognizer = recognizer(self.options)
        # Otherwise read on the first article that names an unknown place.
        self.recognizer.gazetteer.small_index()

    def tag(
        self,
        title: str | None,
        text: str | None,
        published: date,
        article_id: str,
        source: str | None = None,
        *,
        fuse: bool = True,
        report_fields: dict[str, Any] | None = None,
    ) -> TagResult:
        analysis = self.recognizer.analyse(title, text)
        incidents = extract(analysis, published, article_id, source=source)
        for incident in incidents:  # e.g. the exact times fusion orders reports by
            incident.reports = [{**r, **(report_fields or {})} for r in incident.reports]
        if fuse:
            incidents = self.fuser.fuse(incidents)
        actors = [a.name for a in analysis.actors() if a.listed_as_actor]
        for incident in incidents:
            actors.extend(incident.actors)
        return TagResult(
            analysis=analysis,
            incidents=incidents,
            persons=analysis.persons(),
            organizations=analysis.organizations(),
            places=[p.to_dict() for p in analysis.places()],
            actors=list(dict.fromkeys(actors)),
        )
