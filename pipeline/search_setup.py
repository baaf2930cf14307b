"""Elasticsearch index templates and read aliases, created idempotently.

Articles live in monthly indices ``<prefix>-articles-YYYY.MM`` behind the read alias
``<prefix>-articles`` (``news-articles`` by default). Templates use only features that the
minimal local node and the full distribution share (no language analysers, no scripts).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch

from pipeline.settings import ElasticsearchSettings

KEYWORD = {"type": "keyword", "ignore_above": 1024}
TEXT_WITH_KEYWORD = {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 512}}}

ARTICLE_PROPERTIES: dict[str, Any] = {
    "article_id": KEYWORD,
    "url": KEYWORD,
    "source": KEYWORD,
    "site_name": TEXT_WITH_KEYWORD,
    "title": TEXT_WITH_KEYWORD,
    "text": {"type": "text"},
    "authors": TEXT_WITH_KEYWORD,
    "language": KEYWORD,
    "published": {"type": "date"},
    "modified": {"type": "date"},
    "first_seen": {"type": "date"},
    "date_source": KEYWORD,
    "quality": KEYWORD,
    "word_count": {"type": "integer"},
    "revision": {"type": "integer"},
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
            "places": {
                "properties": {
                    "name": TEXT_WITH_KEYWORD,
                    "country": KEYWORD,
                    "admin1": KEYWORD,
                    "geo": {"type": "geo_point"},
                    "precision": KEYWORD,
                }
            },
        }
    },
    "actors": TEXT_WITH_KEYWORD,
    "incident_ids": KEYWORD,
}


def client(settings: ElasticsearchSettings) -> Elasticsearch:
    kwargs: dict[str, Any] = {"request_timeout": settings.request_timeout_s}
    if settings.api_key is not None:
        kwargs["api_key"] = settings.api_key.get_secret_value()
    elif settings.username and settings.password is not None:
        kwargs["basic_auth"] = (settings.username, settings.password.get_secret_value())
    return Elasticsearch(settings.url, **kwargs)


def articles_alias(settings: ElasticsearchSettings) -> str:
    return f"{settings.index_prefix}-articles"


def articles_index(settings: ElasticsearchSettings, when: datetime) -> str:
    return f"{articles_alias(settings)}-{when:%Y.%m}"


def ensure_templates(es: Elasticsearch, settings: ElasticsearchSettings) -> None:
    alias = articles_alias(settings)
    es.indices.put_index_template(
        name=alias,
        index_patterns=[f"{alias}-*"],
        priority=100,
        template={
            "settings": {"number_of_shards": 1, "number_of_replicas": settings.replicas},
            "mappings": {"dynamic": "false", "properties": ARTICLE_PROPERTIES},
            "aliases": {alias: {}},
        },
    )
