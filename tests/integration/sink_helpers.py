"""Tagged records, the sink's runner and index checks for the sink's integration tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import Elasticsearch

from pipeline.envelope import CleanedContent, DedupInfo, Envelope, Stage, Tags
from pipeline.index import ConsumerKeepalive, ElasticsearchOutput, LingeringSource
from pipeline.messaging import KafkaDeadLetters, KafkaSource, make_producer
from pipeline.runner import StageRunner
from pipeline.search_setup import client
from pipeline.settings import Settings
from pipeline.stages.passthrough import Identity

SENTENCE = "Three people were killed and two injured when gunmen attacked a market, police said. "


def incident_for(n: int, fatalities: object = 3) -> dict[str, Any]:
    day = 1 + n % 28
    return {
        "incident_id": f"incident-{n:04d}",
        "event_type": "Violence against civilians",
        "sub_event_type": "Attack",
        "date": f"2026-10-{day:02d}",
        "date_precision": "day",
        "location": {
            "name": "Aleppo",
            "country": "Syria",
            "admin1": "Aleppo",
            "geo": {"lat": 36.2 + n / 1000, "lon": 37.16},
            "precision": "city",
        },
        "actors": ["Unidentified armed group"],
        "fatalities": fatalities,
        "injured": 2,
        "fatalities_history": [3, 4],
        "article_ids": [f"article-{n:04d}"],
        "sources": ["news.example"],
        "evidence": [SENTENCE.strip()],
        "reports": [
            {"article_id": f"article-{n:04d}", "published": "2026-11-01", "fatalities": 3,
             "injured": 2, "source": "news.example"}
        ],
        "first_reported": "2026-11-01",
        "last_reported": "2026-11-01",
    }


def tagged_envelope(
    n: int, incidents: tuple[dict[str, Any], ...] = (), paragraphs: int = 3
) -> Envelope:
    text = SENTENCE * paragraphs
    return Envelope(
        id=f"article-{n:04d}",
        url=f"https://news.example/{n}",
        source="https://news.example/feed.xml",
        stage=Stage.TAGGED,
        first_seen=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=n),
        cleaned=CleanedContent(
            title=f"Gunmen attack market ({n})", text=text, language="en",
            word_count=len(text.split()),
        ),
        dedup=DedupInfo(content_hash=f"{n:032x}", story_id=f"article-{n:04d}"),
        tags=Tags(
            actors=("Unidentified armed group",),
            incident_ids=tuple(i["incident_id"] for i in incidents),
            incidents=incidents,
        ),
    )


def sink_runner(
    settings: Settings,
    group: str,
    source: KafkaSource | None = None,
    keepalive: bool = True,
) -> tuple[StageRunner, ElasticsearchOutput]:
    """The sink as it is meant to run: lingering source, keepalive wired to the consumer."""
    es_settings = settings.elasticsearch
    source = source or KafkaSource(settings.kafka, settings.kafka.topic("tagged"), group)
    output = ElasticsearchOutput(client(es_settings), es_settings)
    if keepalive:
        output.keepalive = ConsumerKeepalive(source.consumer)
    runner = StageRunner(
        stage=Identity(),
        source=LingeringSource(
            source, es_settings.linger_ms / 1000, es_settings.bulk_max_docs,
            es_settings.bulk_max_bytes,
        ),
        output=output,
        dead_letters=KafkaDeadLetters(make_producer(settings.kafka)),
        settings=settings.runner,
        batch_size=settings.kafka.batch_size,
        poll_timeout_ms=settings.kafka.poll_timeout_ms,
    )
    return runner, output


def count(es: Elasticsearch, alias: str) -> int:
    es.indices.refresh(index=alias, ignore_unavailable=True, allow_no_indices=True)
    return int(es.count(index=alias, ignore_unavailable=True, allow_no_indices=True)["count"])


def all_ids(es: Elasticsearch, alias: str) -> list[str]:
    es.indices.refresh(index=alias)
    hits = es.search(index=alias, size=10_000, source=False, query={"match_all": {}})
    return sorted(hit["_id"] for hit in hits["hits"]["hits"])


def drop_indices(es: Elasticsearch, prefix: str) -> None:
    """Delete this test's indices by name (wildcard deletes are refused by default)."""
    names = list(es.indices.get(index=f"{prefix}-*", allow_no_indices=True))
    if names:
        es.indices.delete(index=",".join(names))
    for name in (f"{prefix}-articles", f"{prefix}-events"):
        es.options(ignore_status=404).indices.delete_index_template(name=name)


class Background(threading.Thread):
    """Runs a callable (a runner's ``run``) in a daemon thread and keeps what it raised."""

    def __init__(self, run: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self._run = run
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._run()
        except BaseException as exc:
            self.error = exc
