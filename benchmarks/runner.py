"""Stage runner overhead: our runner (decode, stage, encode, checked sends, commit per batch) with
a pass-through stage, against a bare kafka-python consume -> produce -> commit loop over the same
records in the same run. Needs the local Kafka (make services)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from kafka import KafkaConsumer, KafkaProducer

from pipeline.envelope import Envelope, RawContent, encode
from pipeline.messaging import ensure_topics, make_producer
from pipeline.settings import load_settings
from pipeline.stages.passthrough import Identity
from pipeline.topology import build_runner

RECORDS = 20_000


def _fill(bootstrap: str, topic: str, count: int) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20)
    body = "<p>" + "News text of a typical length. " * 60 + "</p>"
    for i in range(count):
        envelope = Envelope(
            id=f"bench-{i:06d}", url=f"https://bench.example/{i}", source="bench",
            first_seen=datetime(2026, 11, 1, tzinfo=UTC), raw=RawContent(body=body),
        )
        producer.send(topic, key=envelope.id.encode(), value=encode(envelope))
    producer.flush()
    producer.close()


def _bare_loop(bootstrap: str, source: str, target: str, count: int) -> float:
    consumer = KafkaConsumer(
        source, bootstrap_servers=bootstrap, group_id=f"{source}.bare",
        auto_offset_reset="earliest", enable_auto_commit=False, max_poll_records=500,
    )
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20,
                             compression_type="lz4")
    seen = 0
    started = time.perf_counter()
    while seen < count:
        batches = consumer.poll(timeout_ms=500)
        futures = [
            producer.send(target, key=m.key, value=m.value)
            for messages in batches.values() for m in messages
        ]
        producer.flush()
        for future in futures:
            future.get()
        consumer.commit()
        seen += len(futures)
    elapsed = time.perf_counter() - started
    consumer.close()
    producer.close()
    return elapsed


def run() -> dict[str, object]:
    settings = load_settings()
    prefix = "bench" + uuid.uuid4().hex[:8]
    settings.kafka.topic_prefix = prefix
    settings.kafka.batch_size = 500
    bootstrap = settings.kafka.bootstrap_servers
    raw = settings.kafka.topic("raw")
    ensure_topics(settings.kafka, [raw, f"{prefix}.bare-out"])
    _fill(bootstrap, raw, RECORDS)
    make_producer(settings.kafka).close()

    bare_s = _bare_loop(bootstrap, raw, f"{prefix}.bare-out", RECORDS)

    class PassThrough(Identity):
        name = "clean"

    runner = build_runner("clean", settings, stage=PassThrough())
    started = time.perf_counter()
    counters = runner.run(until_drained=True, idle_timeout_s=60)
    ours_s = time.perf_counter() - started
    assert counters.read == RECORDS and counters.balanced()
    return {
        "records": RECORDS,
        "bare_kafka_python_records_per_s": round(RECORDS / bare_s),
        "runner_records_per_s": round(RECORDS / ours_s),
        "ratio_runner_to_bare": round(bare_s / ours_s, 2),
    }
