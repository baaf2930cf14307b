"""`pipeline run --once`: connectors, every stage and the sink, each until its input is drained.

This is the demo and test entry point. Each step runs with the same consumer groups as the
long-running services, so a later `run --once` picks up where this one stopped.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.commands import ConnectorReport, publish_feeds_once
from connectors.feedlist import load_feeds_file
from pipeline.demo_server import DemoServer
from pipeline.messaging import ensure_topics, wait_for_broker
from pipeline.runner import StageCounters
from pipeline.search_setup import articles_alias, client, ensure_templates, events_alias
from pipeline.settings import Settings
from pipeline.topology import STEPS, all_topics, build_runner

log = logging.getLogger(__name__)


LATEST_INCIDENTS = 10


@dataclass(frozen=True)
class IncidentLine:
    """One incident as the summary shows it."""

    date: str
    event_type: str
    place: str
    deaths: str
    articles: int

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> IncidentLine:
        location = doc.get("location") or {}
        place = ", ".join(p for p in (location.get("name"), location.get("country")) if p) or "-"
        history = [int(v) for v in doc.get("fatalities_history") or []]
        deaths = "-" if doc.get("fatalities") is None else str(doc["fatalities"])
        if len(history) > 1:
            deaths += f" (earlier {', '.join(str(v) for v in history[:-1])})"
        return cls(
            date=str(doc.get("date") or "-"),
            event_type=str(doc.get("event_type") or "-"),
            place=place,
            deaths=deaths,
            articles=len(doc.get("article_ids") or []),
        )


@dataclass
class RunSummary:
    connector: ConnectorReport = field(default_factory=ConnectorReport)
    stages: list[StageCounters] = field(default_factory=list)
    indexed_articles: int = 0
    indexed_incidents: int = 0
    latest_incidents: list[IncidentLine] = field(default_factory=list)

    def render(self) -> str:
        c = self.connector
        lines = [
            f"feeds polled: {c.feeds}   not modified: {c.not_modified}   entries: {c.entries}   "
            f"published to raw: {c.published}   publish failures: {c.publish_failed}",
        ]
        if c.errors:
            errors = ", ".join(f"{k}={v}" for k, v in sorted(c.errors.items()))
            lines.append(f"fetch problems (counted, content kept where possible): {errors}")
        lines.append(
            f"{'stage':<12}{'read':>8}{'written':>9}{'dlq':>6}{'dropped':>9}{'outputs':>9}  balanced"
        )
        for s in self.stages:
            lines.append(
                f"{s.stage:<12}{s.read:>8}{s.written:>9}{s.dead_lettered:>6}{s.dropped:>9}"
                f"{s.outputs:>9}  {'yes' if s.balanced() else 'NO'}"
            )
        lines.append(f"articles in the index: {self.indexed_articles}")
        lines.append(f"incidents in the index: {self.indexed_incidents}")
        if self.latest_incidents:
            lines.append(f"{'date':<12}{'type':<30}{'place':<28}{'deaths':<18}articles")
            for i in self.latest_incidents:
                lines.append(f"{i.date:<12}{i.event_type:<30}{i.place:<28}{i.deaths:<18}{i.articles}")
        return "\n".join(lines)


def run_once(feeds_path: Path, settings: Settings) -> RunSummary:
    feeds_file = load_feeds_file(feeds_path)
    summary = RunSummary()
    wait_for_broker(settings.kafka)
    ensure_topics(settings.kafka, all_topics(settings))
    es = client(settings.elasticsearch)
    ensure_templates(es, settings.elasticsearch)

    site = feeds_file.site_root(feeds_path)
    with contextlib.ExitStack() as stack:
        base = ""
        if site is not None:
            server = stack.enter_context(DemoServer(site))
            base = server.base_url
            # The demo site is on 127.0.0.1: allow loopback targets for this run only.
            settings.fetch.allow_private_addresses = True
        specs = [
            spec.model_copy(update={"url": spec.url.replace("{demo}", base)})
            for spec in feeds_file.feeds
        ]
        summary.connector = publish_feeds_once(specs, settings)

    for current in STEPS:
        runner = build_runner(current.name, settings)
        summary.stages.append(runner.run(until_drained=True, idle_timeout_s=60))

    for alias, field_name in (
        (articles_alias(settings.elasticsearch), "indexed_articles"),
        (events_alias(settings.elasticsearch), "indexed_incidents"),
    ):
        es.indices.refresh(index=alias, ignore_unavailable=True, allow_no_indices=True)
        count = es.count(index=alias, ignore_unavailable=True, allow_no_indices=True)["count"]
        setattr(summary, field_name, int(count))
    hits = es.search(
        index=events_alias(settings.elasticsearch),
        size=LATEST_INCIDENTS,
        sort=[{"date": "desc"}, {"incident_id": "asc"}],
        ignore_unavailable=True,
        allow_no_indices=True,
    )["hits"]["hits"]
    summary.latest_incidents = [IncidentLine.from_document(hit["_source"]) for hit in hits]
    return summary
