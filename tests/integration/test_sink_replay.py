"""The sink against the real Kafka broker and Elasticsearch node: replays leave exact counts,
a mapping conflict is dead-lettered while the rest of its batch is indexed, a later report
updates its incident."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from pipeline.envelope import decode
from pipeline.messaging import ensure_topics
from pipeline.search_setup import articles_alias, client, ensure_templates, events_alias
from pipeline.settings import Settings
from pipeline.topology import all_topics, build_runner
from tests.integration.kafka_helpers import committed_offsets, produce_envelopes, read_topic
from tests.integration.sink_helpers import (
    all_ids,
    count,
    drop_indices,
    incident_for,
    sink_runner,
    tagged_envelope,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def sink_settings(
    es_ready: Any, kafka_ready: str, isolated_settings: Settings
) -> Iterator[Settings]:
    s = isolated_settings
    s.kafka.batch_size = 200
    ensure_topics(s.kafka, all_topics(s))
    es = client(s.elasticsearch)
    ensure_templates(es, s.elasticsearch)
    yield s
    drop_indices(es, s.elasticsearch.index_prefix)
    es.close()


def thousand() -> list[Any]:
    # Every 4th article reports one of 50 incidents; several articles report the same one.
    return [
        tagged_envelope(n, (incident_for((n // 4) % 50),) if n % 4 == 0 else ())
        for n in range(1000)
    ]


def test_replaying_the_same_1000_records_twice_leaves_exactly_1000_documents(
    sink_settings: Settings,
) -> None:
    s = sink_settings
    es: Elasticsearch = client(s.elasticsearch)
    topic = s.kafka.topic("tagged")
    produce_envelopes(s, topic, thousand())

    runner, _ = sink_runner(s, f"{s.kafka.topic_prefix}.index")
    first = runner.run(until_drained=True, idle_timeout_s=60)
    assert (first.read, first.written, first.dead_lettered) == (1000, 1000, 0)
    assert count(es, articles_alias(s.elasticsearch)) == 1000
    assert count(es, events_alias(s.elasticsearch)) == 50

    # The same 1,000 records again, on the topic, read by the same group ...
    produce_envelopes(s, topic, thousand())
    runner, _ = sink_runner(s, f"{s.kafka.topic_prefix}.index")
    second = runner.run(until_drained=True, idle_timeout_s=60)
    assert (second.read, second.written) == (1000, 1000)
    # ... and the whole topic replayed by a new group (2,000 records).
    runner, _ = sink_runner(s, f"{s.kafka.topic_prefix}.replay")
    third = runner.run(until_drained=True, idle_timeout_s=60)
    assert (third.read, third.written) == (2000, 2000)

    assert count(es, articles_alias(s.elasticsearch)) == 1000
    assert all_ids(es, articles_alias(s.elasticsearch)) == [f"article-{n:04d}" for n in range(1000)]
    assert count(es, events_alias(s.elasticsearch)) == 50
    offsets = committed_offsets(s, topic, f"{s.kafka.topic_prefix}.index")
    assert sum(o or 0 for o in offsets.values()) == 2000
    assert read_topic(s, topic + ".dlq", timeout_s=5) == []


def test_a_mapping_conflict_goes_to_the_dlq_and_the_rest_of_its_batch_is_indexed(
    sink_settings: Settings,
) -> None:
    s = sink_settings
    es = client(s.elasticsearch)
    topic = s.kafka.topic("tagged")
    batch = [tagged_envelope(n, (incident_for(n),)) for n in range(20)]
    batch[7] = tagged_envelope(7, (incident_for(7, fatalities="dozens"),))
    produce_envelopes(s, topic, batch)

    runner, _ = sink_runner(s, f"{s.kafka.topic_prefix}.index")
    counters = runner.run(until_drained=True, idle_timeout_s=60)
    assert (counters.read, counters.written, counters.dead_lettered) == (20, 19, 1)
    assert counters.batches == 1  # the conflict was in the same bulk as the others

    events = all_ids(es, events_alias(s.elasticsearch))
    assert events == [f"incident-{n:04d}" for n in range(20) if n != 7]
    assert count(es, articles_alias(s.elasticsearch)) == 20
    dead = read_topic(s, topic + ".dlq")
    assert len(dead) == 1
    letter: Any = dead[0]
    headers = {k: v.decode() for k, v in letter.headers}
    assert decode(letter.value).id == "article-0007"
    assert headers["dlq.stage"] == "index"
    assert "incident-0007 rejected: 400" in headers["dlq.reason"]
    assert "fatalities" in headers["dlq.reason"]
    offsets = committed_offsets(s, topic, f"{s.kafka.topic_prefix}.index")
    assert sum(o or 0 for o in offsets.values()) == 20


def test_a_later_report_updates_the_incident_and_a_refetch_updates_the_article(
    sink_settings: Settings,
) -> None:
    s = sink_settings
    es = client(s.elasticsearch)
    topic = s.kafka.topic("tagged")
    first = incident_for(1)
    produce_envelopes(s, topic, [tagged_envelope(1, (first,))])
    build_runner("index", s).run(until_drained=True, idle_timeout_s=60)

    # A second article reports the same incident: the tagger's fusion raised the toll and moved
    # the date into the next month; the article itself is re-fetched with a new revision.
    fused = dict(
        first, fatalities=9, date="2026-11-02",
        article_ids=["article-0001", "article-0002"],
    )
    refetched = tagged_envelope(1, (fused,)).model_copy(update={"revision": 1})
    produce_envelopes(s, topic, [tagged_envelope(2, (fused,)), refetched])
    counters = build_runner("index", s).run(until_drained=True, idle_timeout_s=60)
    assert counters.written == 2

    events = events_alias(s.elasticsearch)
    assert count(es, events) == 1
    hit = es.search(index=events, query={"ids": {"values": ["incident-0001"]}})["hits"]["hits"][0]
    assert hit["_index"].endswith("-events-2026.10")  # stays in the month it was filed under
    assert hit["_source"]["fatalities"] == 9 and hit["_source"]["date"] == "2026-11-02"
    assert hit["_source"]["article_ids"] == ["article-0001", "article-0002"]
    articles = articles_alias(s.elasticsearch)
    assert count(es, articles) == 2
    article = es.search(index=articles, query={"ids": {"values": ["article-0001"]}})
    assert article["hits"]["hits"][0]["_source"]["revision"] == 1
