"""Shared fixtures. Integration tests need the real Kafka broker and Elasticsearch node that
`make services` starts; when they are unreachable the tests skip, except under CI or
NEWS_REQUIRE_SERVICES=1, where an unreachable service is a failure."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from pipeline.settings import Settings, load_settings


def _required() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true") or os.environ.get(
        "NEWS_REQUIRE_SERVICES"
    ) == "1"


def _unavailable(what: str, error: Exception) -> None:
    message = f"{what} unreachable ({error}); start it with `make services`"
    if _required():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
def kafka_ready(settings: Settings) -> str:
    from pipeline.messaging import wait_for_broker

    try:
        wait_for_broker(settings.kafka, timeout_s=20)
    except Exception as exc:
        _unavailable("Kafka", exc)
    return settings.kafka.bootstrap_servers


@pytest.fixture(scope="session")
def es_ready(settings: Settings) -> Iterator[object]:
    from pipeline.search_setup import client

    es = client(settings.elasticsearch)
    try:
        es.cluster.health(wait_for_status="yellow", timeout="20s")
    except Exception as exc:
        _unavailable("Elasticsearch", exc)
    yield es
    es.close()


@pytest.fixture
def unique() -> str:
    """A short name unique to one test, for its topics and indices."""
    return "t" + uuid.uuid4().hex[:10]


@pytest.fixture
def isolated_settings(unique: str) -> Settings:
    """Settings whose topics and indices belong to this test alone."""
    s = load_settings()
    s.kafka.topic_prefix = unique
    s.elasticsearch.index_prefix = unique
    s.kafka.partitions = 2
    return s
