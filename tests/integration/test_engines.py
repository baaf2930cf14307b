"""The real engines behave as the pipeline relies on: keyed round trips through Kafka, and
template-driven indexing with full-text, aggregation and geo queries in Elasticsearch."""

from __future__ import annotations

from typing import Any

import pytest
from elasticsearch import helpers
from kafka import KafkaConsumer, KafkaProducer

from pipeline.messaging import ensure_topics
from pipeline.settings import Settings

pytestmark = pytest.mark.integration


def test_kafka_round_trip_of_1000_keyed_messages(kafka_ready: str, settings: Settings, unique: str) -> None:
    topic = f"{unique}.roundtrip"
    settings.kafka.partitions = 3
    assert ensure_topics(settings.kafka, [topic]) == [topic]
    producer = KafkaProducer(bootstrap_servers=kafka_ready, acks="all", compression_type="lz4")
    sent = {f"key-{i:04d}".encode(): f"value-{i}".encode() for i in range(1000)}
    futures = [producer.send(topic, key=k, value=v) for k, v in sent.items()]
    producer.flush()
    metadata = [f.get(timeout=30) for f in futures]
    producer.close()
    assert {m.partition for m in metadata} == {0, 1, 2}

    consumer = KafkaConsumer(
        topic, bootstrap_servers=kafka_ready, group_id=f"{unique}.reader",
        auto_offset_reset="earliest", enable_auto_commit=False,
    )
    received: dict[bytes, bytes] = {}
    partitions_of: dict[bytes, set[int]] = {}
    polls = 0
    while len(received) < 1000 and polls < 100:
        polls += 1
        for batch in consumer.poll(timeout_ms=1000).values():
            for message in batch:
                assert message.key not in received, "a message was delivered twice"
                received[message.key] = message.value
                partitions_of.setdefault(message.key, set()).add(message.partition)
    consumer.close()
    assert received == sent
    by_key = {m: p for m, p in zip(sent, metadata, strict=True)}
    assert all(partitions_of[k] == {by_key[k].partition} for k in sent)


def test_elasticsearch_template_geo_and_aggregations(es_ready: Any, unique: str) -> None:
    es = es_ready
    es.indices.put_index_template(
        name=f"{unique}-places",
        index_patterns=[f"{unique}-places-*"],
        template={
            "settings": {"number_of_shards": 1, "number_of_replicas": 0},
            "mappings": {
                "properties": {
                    "title": {"type": "text", "fields": {"keyword": {"type": "keyword"}}},
                    "country": {"type": "keyword"},
                    "location": {"type": "geo_point"},
                    "date": {"type": "date"},
                }
            },
            "aliases": {f"{unique}-places": {}},
        },
    )
    cities = [
        ("Car bomb in Deir ez-Zor market", "SY", 35.336, 40.1408),
        ("Clashes in Abu Kamal border town", "SY", 34.4536, 40.9187),
        ("Protest in Aleppo over bread prices", "SY", 36.2021, 37.1343),
        ("Clashes near the port of Aden", "YE", 12.7797, 45.0367),
        ("Checkpoint attack near Kirkuk", "IQ", 35.4681, 44.3922),
    ]
    actions = [
        {
            "_index": f"{unique}-places-2026.11",
            "_id": f"doc-{i}",
            "_source": {"title": t, "country": c, "location": {"lat": lat, "lon": lon},
                        "date": f"2026-11-{20 + i}"},
        }
        for i, (t, c, lat, lon) in enumerate(cities)
    ]
    indexed, errors = helpers.bulk(es, actions, refresh="wait_for")
    assert (indexed, errors) == (5, [])
    mapping = es.indices.get_mapping(index=f"{unique}-places-2026.11")
    properties = mapping[f"{unique}-places-2026.11"]["mappings"]["properties"]
    assert properties["location"]["type"] == "geo_point"

    alias = f"{unique}-places"
    hits = es.search(index=alias, query={"match": {"title": "clashes"}})["hits"]["hits"]
    assert sorted(h["_id"] for h in hits) == ["doc-1", "doc-3"]

    aggs = es.search(index=alias, size=0, aggs={"c": {"terms": {"field": "country"}}})
    buckets = {b["key"]: b["doc_count"] for b in aggs["aggregations"]["c"]["buckets"]}
    assert buckets == {"SY": 3, "YE": 1, "IQ": 1}

    near = es.search(
        index=alias,
        query={"bool": {"filter": {"geo_distance": {
            "distance": "150km", "location": {"lat": 35.336, "lon": 40.1408}}}}},
    )["hits"]["hits"]
    assert sorted(h["_id"] for h in near) == ["doc-0", "doc-1"]
