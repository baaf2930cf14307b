"""The Elasticsearch sink: envelopes -> documents -> bulk requests, with per-item outcomes.

Each envelope becomes one article document whose ``_id`` is the envelope id, so a replay
overwrites. Item errors are reported per envelope: 429 and 5xx as retriable (the runner retries
only those items), anything else (a mapping conflict, a 400) as permanent (dead-lettered).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import ApiError, Elasticsearch

from pipeline.envelope import Envelope
from pipeline.errors import InvalidInput
from pipeline.messaging import WriteReport
from pipeline.search_setup import articles_index
from pipeline.settings import ElasticsearchSettings


def article_document(envelope: Envelope) -> dict[str, Any]:
    """The article as analysts search it (fields documented in docs/schema.md)."""
    cleaned, dedup, tags = envelope.cleaned, envelope.dedup, envelope.tags
    doc: dict[str, Any] = {
        "article_id": envelope.id,
        "url": envelope.url,
        "source": envelope.source,
        "first_seen": envelope.first_seen.isoformat(),
        "revision": envelope.revision,
        "body_source": envelope.raw.body_source,
    }
    if cleaned is not None:
        doc.update(
            title=cleaned.title,
            text=cleaned.text,
            authors=list(cleaned.authors),
            site_name=cleaned.site_name,
            language=cleaned.language,
            published=cleaned.published.isoformat() if cleaned.published else None,
            modified=cleaned.modified.isoformat() if cleaned.modified else None,
            date_source=cleaned.date_source,
            quality=cleaned.quality,
            word_count=cleaned.word_count,
        )
    elif envelope.feed is not None:
        doc["title"] = envelope.feed.title
    if dedup is not None:
        doc.update(
            content_hash=dedup.content_hash,
            duplicate_of=dedup.duplicate_of,
            duplicate_kind=dedup.duplicate_kind,
            similarity=dedup.similarity,
            story_id=dedup.story_id,
            is_update=dedup.is_update,
        )
    if tags is not None:
        doc["entities"] = {
            "persons": list(tags.persons),
            "organizations": list(tags.organizations),
            "places": list(tags.places),
        }
        doc["actors"] = list(tags.actors)
        doc["incident_ids"] = list(tags.incident_ids)
    return {key: value for key, value in doc.items() if value is not None}


class ElasticsearchOutput:
    def __init__(self, es: Elasticsearch, settings: ElasticsearchSettings) -> None:
        self._es = es
        self._settings = settings

    def write(self, envelopes: Sequence[Envelope]) -> WriteReport:
        report = WriteReport()
        if not envelopes:
            return report
        operations: list[dict[str, Any]] = []
        for envelope in envelopes:
            index = articles_index(self._settings, envelope.first_seen)
            operations.append({"index": {"_index": index, "_id": envelope.id}})
            operations.append(article_document(envelope))
        try:
            response = self._es.bulk(operations=operations)
        except (TransportConnectionError, ConnectionTimeout) as exc:
            report.retriable = {i: f"connection: {exc}" for i in range(len(envelopes))}
            return report
        except ApiError as exc:
            status = exc.meta.status
            if status == 429 or status >= 500:
                report.retriable = {i: f"{status}: {exc}" for i in range(len(envelopes))}
            else:
                error = InvalidInput(f"bulk request refused: {status}: {exc}")
                report.permanent = dict.fromkeys(range(len(envelopes)), error)
            return report
        for position, item in enumerate(response["items"]):
            result = item.get("index", {})
            status = int(result.get("status", 500))
            if status < 300:
                continue
            error = result.get("error", {})
            reason = f"{status} {error.get('type', '')}: {error.get('reason', '')}"
            if status == 429 or status >= 500:
                report.retriable[position] = reason
            else:
                report.permanent[position] = InvalidInput(f"rejected by Elasticsearch: {reason}")
        return report

    def close(self) -> None:
        return None
