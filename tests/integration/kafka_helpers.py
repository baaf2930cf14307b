"""Reading and writing whole topics in integration tests, with the real broker."""

from __future__ import annotations

import time
from collections.abc import Iterable

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from pipeline.envelope import Envelope, encode
from pipeline.messaging import ensure_topics
from pipeline.settings import Settings


def produce_envelopes(settings: Settings, topic: str, envelopes: Iterable[Envelope]) -> int:
    ensure_topics(settings.kafka, [topic])
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all")
    futures = [producer.send(topic, key=e.id.encode(), value=encode(e)) for e in envelopes]
    producer.flush()
    for future in futures:
        future.get(timeout=30)
    producer.close()
    return len(futures)


def produce_raw(settings: Settings, topic: str, items: Iterable[tuple[bytes, bytes]]) -> None:
    ensure_topics(settings.kafka, [topic])
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, acks="all")
    futures = [producer.send(topic, key=k, value=v) for k, v in items]
    producer.flush()
    for future in futures:
        future.get(timeout=30)
    producer.close()


def read_topic(settings: Settings, topic: str, timeout_s: float = 30.0) -> list[object]:
    """Every record currently in the topic, read without a consumer group."""
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka.bootstrap_servers, enable_auto_commit=False
    )
    try:
        deadline = time.monotonic() + timeout_s
        partitions: set[int] | None = None
        while not partitions:
            partitions = consumer.partitions_for_topic(topic)
            if time.monotonic() > deadline:
                return []
            if not partitions:
                time.sleep(0.2)
        assigned = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        ends = consumer.end_offsets(assigned)
        records: list[object] = []
        while any(consumer.position(tp) < ends[tp] for tp in assigned):
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not read {topic} to its end in {timeout_s}s")
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
        return records
    finally:
        consumer.close()


def committed_offsets(settings: Settings, topic: str, group: str) -> dict[int, int | None]:
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka.bootstrap_servers, group_id=group,
        enable_auto_commit=False,
    )
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        return {p: consumer.committed(TopicPartition(topic, p)) for p in partitions}
    finally:
        consumer.close()
