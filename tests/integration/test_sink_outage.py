"""The sink against a disposable Elasticsearch node of its own: the node is stopped for 60 s
mid-stream and restarted (nothing lost, nothing twice, the sink never stops), and the node's
small request limit makes it answer 413 (requests split; a document over the limit
dead-lettered). The shared node of `make services` is never touched."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
from kafka import KafkaConsumer

from pipeline.envelope import decode
from pipeline.messaging import KafkaSource, client_config, ensure_topics
from pipeline.search_setup import articles_alias, client, ensure_templates, events_alias
from pipeline.settings import Settings
from tests.integration.es_node import SpareNode
from tests.integration.kafka_helpers import committed_offsets, produce_envelopes, read_topic
from tests.integration.sink_helpers import (
    Background,
    all_ids,
    count,
    incident_for,
    sink_runner,
    tagged_envelope,
)

pytestmark = pytest.mark.integration

REQUEST_LIMIT = 200 * 1024  # the spare node's http.max_content_length
OUTAGE_S = 60.0


@pytest.fixture(scope="module")
def spare_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SpareNode]:
    node = SpareNode(
        tmp_path_factory.mktemp("spare-es"),
        settings=(f"-Ehttp.max_content_length={REQUEST_LIMIT}b",),
    )
    node.start()
    yield node
    node.stop()


@pytest.fixture
def spare_settings(
    spare_node: SpareNode, kafka_ready: str, isolated_settings: Settings
) -> Settings:
    s = isolated_settings
    s.elasticsearch.url = spare_node.url
    ensure_topics(s.kafka, [s.kafka.topic("tagged"), s.kafka.topic("tagged") + ".dlq"])
    ensure_templates(client(s.elasticsearch), s.elasticsearch)
    return s


class ShortPollIntervalSource(KafkaSource):
    """A source whose consumer leaves its group after 20 s without a poll: a 60 s outage
    without the sink's keepalive would cost the group membership."""

    def __init__(self, settings: Settings, group: str) -> None:
        self._consumer = KafkaConsumer(
            settings.kafka.topic("tagged"),
            **client_config(settings.kafka),
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=settings.kafka.batch_size,
            max_poll_interval_ms=20_000,
            session_timeout_ms=10_000,
            heartbeat_interval_ms=1_000,
        )


def test_elasticsearch_down_for_60s_mid_stream_loses_nothing_and_duplicates_nothing(
    spare_node: SpareNode, spare_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    s = spare_settings
    s.kafka.batch_size = 25
    s.elasticsearch.linger_ms = 50
    s.elasticsearch.bulk_max_docs = 50
    s.elasticsearch.bulk_max_bytes = REQUEST_LIMIT // 2
    s.elasticsearch.retry_initial_backoff_s = 0.5
    s.elasticsearch.retry_max_backoff_s = 4.0
    s.elasticsearch.keepalive_interval_s = 2.0
    s.elasticsearch.request_timeout_s = 10.0
    topic = s.kafka.topic("tagged")
    group = f"{s.kafka.topic_prefix}.index"
    es = client(s.elasticsearch)
    total = 1000
    envelopes = [
        tagged_envelope(n, (incident_for(n // 10),) if n % 10 == 0 else ()) for n in range(total)
    ]

    runner, output = sink_runner(s, group, source=ShortPollIntervalSource(s, group))
    sink = Background(runner.run)
    sink.start()
    # Records keep arriving before, during and after the outage: 1,000 over about 25 s.
    def produce_steadily() -> None:
        for start in range(0, total, 40):
            produce_envelopes(s, topic, envelopes[start : start + 40])
            time.sleep(1.0)

    producer = Background(produce_steadily)
    producer.start()

    deadline = time.monotonic() + 60
    while count(es, articles_alias(s.elasticsearch)) < 100:
        assert time.monotonic() < deadline, "the sink indexed nothing"
        assert sink.is_alive(), sink.error
        time.sleep(0.2)
    spare_node.stop()
    stopped_at = time.monotonic()
    while time.monotonic() - stopped_at < OUTAGE_S:
        assert sink.is_alive(), f"the sink stopped during the outage: {sink.error!r}"
        time.sleep(1.0)
    producer.join(60)
    assert producer.error is None
    assert output.stats["waits"] > 0, "the sink never noticed the outage"
    spare_node.start()

    deadline = time.monotonic() + 90
    while count(es, articles_alias(s.elasticsearch)) < total or not _caught_up(s, group, total):
        assert sink.is_alive(), f"the sink stopped after the restart: {sink.error!r}"
        assert time.monotonic() < deadline, "the sink did not catch up after the restart"
        time.sleep(0.5)
    runner.request_stop()
    sink.join(30)
    assert not sink.is_alive() and sink.error is None

    assert all_ids(es, articles_alias(s.elasticsearch)) == [f"article-{n:04d}" for n in range(total)]
    assert count(es, events_alias(s.elasticsearch)) == total // 10
    assert runner.counters.read == total and runner.counters.balanced()
    assert runner.counters.dead_lettered == 0
    assert read_topic(s, topic + ".dlq", timeout_s=5) == []
    # The group membership survived the outage: every commit was accepted.
    assert "commit failed after a rebalance" not in caplog.text
    assert "acknowledged again after" in caplog.text


def _caught_up(s: Settings, group: str, total: int) -> bool:
    offsets = committed_offsets(s, s.kafka.topic("tagged"), group)
    return sum(o or 0 for o in offsets.values()) >= total


def test_413_splits_the_request_and_a_document_over_the_limit_is_dead_lettered(
    spare_settings: Settings,
) -> None:
    s = spare_settings
    s.elasticsearch.bulk_max_bytes = 8 * 1024 * 1024  # far above the node's limit
    s.kafka.batch_size = 500
    s.elasticsearch.linger_ms = 1000
    topic = s.kafka.topic("tagged")
    es = client(s.elasticsearch)
    envelopes = [tagged_envelope(n, paragraphs=20) for n in range(300)]  # ~2 kB each
    envelopes[150] = tagged_envelope(150, paragraphs=3000)  # ~260 kB: over the limit alone
    produce_envelopes(s, topic, envelopes)

    runner, output = sink_runner(s, f"{s.kafka.topic_prefix}.index")
    counters = runner.run(until_drained=True, idle_timeout_s=60)

    assert (counters.read, counters.written, counters.dead_lettered) == (300, 299, 1)
    assert output.stats["splits"] >= 2
    expected = [f"article-{n:04d}" for n in range(300) if n != 150]
    assert all_ids(es, articles_alias(s.elasticsearch)) == expected
    (letter,) = read_topic(s, topic + ".dlq")
    headers = {k: v.decode() for k, v in letter.headers}  # type: ignore[attr-defined]
    assert decode(letter.value).id == "article-0150"  # type: ignore[attr-defined]
    assert "http.max_content_length" in headers["dlq.reason"]
