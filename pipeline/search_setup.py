"""Elasticsearch index templates, read aliases and monthly indices, created idempotently.

Two kinds of document, each in monthly indices behind a read alias (``<prefix>`` is
``news`` by default)::

    <prefix>-articles-YYYY.MM   alias <prefix>-articles   one document per article, _id = article id,
                                                          month of the article's first_seen
    <prefix>-events-YYYY.MM     alias <prefix>-events     one document per incident, _id = incident id,
                                                          month of the incident's date when first indexed

The mappings are explicit (``dynamic: false``: a field the mapping does not name is kept in
``_source`` but not indexed, so new tagger fields never cause conflicts) and use only what the
minimal local node and the full distribution share: the ``standard`` analyzer, ``keyword``
sub-fields where analysts filter and aggregate, ``date``, ``geo_point`` and numbers. Where the
node has the ``english`` analyzer (the full distribution), :func:`ensure_templates` adds an
``english`` sub-field to the article title and text; nothing else depends on it.
"""

from __future__ import annotations

import copy
import logging
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ApiError, Elasticsearch

from pipeline.settings import ElasticsearchSettings

log = logging.getLogger(__name__)

KEYWORD: dict[str, Any] = {"type": "keyword", "ignore_above": 1024}
TEXT_WITH_KEYWORD: dict[str, Any] = {
    "type": "text",
    "fields": {"keyword": {"type": "keyword", "ignore_above": 512}},
}
# Partial dates ("2026-11", "2026") are valid incident dates: the tagger records the precision.
DATE: dict[str, Any] = {
    "type": "date",
    "format": "strict_date_optional_time||strict_year_month||strict_year||epoch_millis",
}
INTEGER: dict[str, Any] = {"type": "integer"}
STORED_ONLY: dict[str, Any] = {"type": "object", "enabled": False}

PLACE_PROPERTIES: dict[str, Any] = {
    "name": TEXT_WITH_KEYWORD,
    "mention": KEYWORD,
    "country": KEYWORD,
    "country_code": KEYWORD,
    "admin1": KEYWORD,
    "neighbourhood": KEYWORD,
    "geo": {"type": "geo_point"},
    "precision": KEYWORD,
}

ARTICLE_PROPERTIES: dict[str, Any] = {
    "article_id": KEYWORD,
    "url": KEYWORD,
    "source": KEYWORD,
    "site_name": TEXT_WITH_KEYWORD,
    "title": TEXT_WITH_KEYWORD,
    "text": {"type": "text"},
    "authors": TEXT_WITH_KEYWORD,
    "language": KEYWORD,
    "language_declared": KEYWORD,
    "language_source": KEYWORD,
    "date": DATE,
    "published": DATE,
    "modified": DATE,
    "first_seen": DATE,
    "indexed_at": DATE,
    "date_source": KEYWORD,
    "quality": KEYWORD,
    "quality_reason": {"type": "text"},
    "word_count": INTEGER,
    "revision": INTEGER,
    "body_source": KEYWORD,
    "content_hash": KEYWORD,
    "duplicate_of": KEYWORD,
    "duplicate_kind": KEYWORD,
    "similarity": {"type": "float"},
    "story_id": KEYWORD,
    "is_update": {"type": "boolean"},
    "entities": {
        "properties": {
            "persons": TEXT_WITH_KEYWORD,
            "organizations": TEXT_WITH_KEYWORD,
            "places": {"properties": PLACE_PROPERTIES},
        }
    },
    "actors": TEXT_WITH_KEYWORD,
    "incident_ids": KEYWORD,
    "incident_count": INTEGER,
}

EVENT_PROPERTIES: dict[str, Any] = {
    "incident_id": KEYWORD,
    "event_type": KEYWORD,
    "sub_event_type": KEYWORD,
    "date": DATE,
    "date_precision": KEYWORD,
    "location": {"properties": PLACE_PROPERTIES},
    "actors": TEXT_WITH_KEYWORD,
    "fatalities": INTEGER,
    "injured": INTEGER,
    "fatalities_history": INTEGER,
    "article_ids": KEYWORD,
    "article_count": INTEGER,
    "sources": KEYWORD,
    "source_count": INTEGER,
    "evidence": {"type": "text"},
    "reports": STORED_ONLY,
    "first_reported": DATE,
    "last_reported": DATE,
    "last_article_id": KEYWORD,
    "last_article_url": KEYWORD,
    "article_urls": KEYWORD,
    "indexed_at": DATE,
}

# Fields whose text gains an ``english`` sub-field where the node has the analyzer.
ENGLISH_FIELDS = ("title", "text")


def client(settings: ElasticsearchSettings) -> Elasticsearch:
    kwargs: dict[str, Any] = {"request_timeout": settings.request_timeout_s}
    if settings.api_key is not None:
        kwargs["api_key"] = settings.api_key.get_secret_value()
    elif settings.username and settings.password is not None:
        kwargs["basic_auth"] = (settings.username, settings.password.get_secret_value())
    if settings.ca_certs:
        kwargs["ca_certs"] = settings.ca_certs
    if settings.ssl_assert_fingerprint:
        kwargs["ssl_assert_fingerprint"] = settings.ssl_assert_fingerprint
    if not settings.verify_certs:
        kwargs["verify_certs"] = False
    return Elasticsearch(settings.url, **kwargs)


def articles_alias(settings: ElasticsearchSettings) -> str:
    return f"{settings.index_prefix}-articles"


def events_alias(settings: ElasticsearchSettings) -> str:
    return f"{settings.index_prefix}-events"


def monthly_index(alias: str, when: datetime) -> str:
    return f"{alias}-{when.year:04d}.{when.month:02d}"


def articles_index(settings: ElasticsearchSettings, when: datetime) -> str:
    return monthly_index(articles_alias(settings), when)


def events_index(settings: ElasticsearchSettings, when: datetime) -> str:
    return monthly_index(events_alias(settings), when)


def has_english_analyzer(es: Elasticsearch) -> bool:
    """True on a node with the language analyzers (the full distribution)."""
    try:
        es.indices.analyze(analyzer="english", text="reports")
    except ApiError:
        return False
    return True


def article_mappings(english: bool = False) -> dict[str, Any]:
    properties = copy.deepcopy(ARTICLE_PROPERTIES)
    if english:
        for name in ENGLISH_FIELDS:
            fields = properties[name].setdefault("fields", {})
            fields["english"] = {"type": "text", "analyzer": "english"}
    return {"dynamic": "false", "properties": properties}


def event_mappings() -> dict[str, Any]:
    return {"dynamic": "false", "properties": copy.deepcopy(EVENT_PROPERTIES)}


def index_templates(
    settings: ElasticsearchSettings, english: bool = False
) -> dict[str, dict[str, Any]]:
    """The composable templates by name, as ``put_index_template`` keyword arguments."""
    index_settings = {
        "number_of_shards": 1,
        "number_of_replicas": settings.replicas,
        "refresh_interval": settings.refresh_interval,
    }
    templates: dict[str, dict[str, Any]] = {}
    for alias, mappings in (
        (articles_alias(settings), article_mappings(english)),
        (events_alias(settings), event_mappings()),
    ):
        templates[alias] = {
            "index_patterns": [f"{alias}-*"],
            "priority": 100,
            "template": {
                "settings": index_settings,
                "mappings": mappings,
                "aliases": {alias: {}},
            },
            "_meta": {"managed_by": "news-incidents pipeline setup"},
        }
    return templates


def ensure_templates(
    es: Elasticsearch, settings: ElasticsearchSettings, now: datetime | None = None
) -> list[str]:
    """Put both templates, create this month's indices and attach every matching index to its
    read alias. Safe to run any number of times, also concurrently. Returns the indices created."""
    english = has_english_analyzer(es)
    for name, body in index_templates(settings, english).items():
        es.indices.put_index_template(name=name, **body)
    when = now or datetime.now(UTC)
    created: list[str] = []
    for alias in (articles_alias(settings), events_alias(settings)):
        index = monthly_index(alias, when)
        if ensure_index(es, index):
            created.append(index)
        _attach_alias(es, alias)
    log.info(
        "index templates in place (english analysis: %s); created: %s",
        "yes" if english else "not available", ", ".join(created) or "none",
    )
    return created


def ensure_index(es: Elasticsearch, index: str) -> bool:
    """Create ``index`` from its template unless it exists; True if this call created it."""
    try:
        es.indices.create(index=index)
    except ApiError as exc:
        if exc.meta.status == 400 and "resource_already_exists" in str(exc.body):
            return False
        raise
    return True


def _attach_alias(es: Elasticsearch, alias: str) -> None:
    """Indices created before the template (or by hand) join the read alias too."""
    existing = es.indices.get(index=f"{alias}-*", allow_no_indices=True, expand_wildcards="open")
    missing = [name for name, info in existing.items() if alias not in info.get("aliases", {})]
    if missing:
        es.indices.update_aliases(
            actions=[{"add": {"index": name, "alias": alias}} for name in missing]
        )
