"""A 5 MB record that compresses under the broker's limit, on the input topic of every stage and
of the sink: it is fetched, fails to decode, and its dead letter (too large to send with its
original bytes) goes as a notice; the records after it are written and the offsets committed,
so the stream moves on instead of dying on the same record at every restart."""

from __future__ import annotations

import hashlib
import json

import pytest
from kafka import KafkaProducer

from pipeline.envelope import decode
from pipeline.messaging import ensure_topics
from pipeline.search_setup import articles_alias, client, ensure_templates
from pipeline.settings import Settings
from pipeline.stages.passthrough import Identity
from pipeline.topology import all_topics, build_runner, step
from tests.integration.kafka_helpers import committed_offsets, produce_envelopes, read_topic
from tests.integration.sink_helpers import all_ids, drop_indices, tagged_envelope

pytestmark = pytest.mark.integration

HUGE = b'{"schema_version":1,"id":"huge","stage":"raw","text":"' + b"a" * 5_000_000 + b'"}'


def produce_compressed(settings: Settings, topic: str, value: bytes) -> None:
    producer = KafkaProducer(
        bootstrap_servers=settings.kafka.bootstrap_servers,
        acks="all",
        compression_type="gzip",
        max_request_size=2 * len(value),
    )
    producer.send(topic, key=b"huge", value=value).get(timeout=30)
    producer.close()


@pytest.mark.parametrize("stage", ["clean", "deduplicate", "tag", "index"])
def test_an_oversized_record_is_dead_lettered_as_a_notice_and_the_stream_moves_on(
    stage: str, kafka_ready: str, es_ready: object, isolated_settings: Settings
) -> None:
    s = isolated_settings
    s.kafka.partitions = 1
    current = step(stage)
    source_topic = s.kafka.topic(current.input)
    ensure_topics(s.kafka, all_topics(s))
    if current.output is None:
        ensure_templates(client(s.elasticsearch), s.elasticsearch)
    produce_envelopes(s, source_topic, [tagged_envelope(0)])
    produce_compressed(s, source_topic, HUGE)
    produce_envelopes(s, source_topic, [tagged_envelope(n) for n in (1, 2)])

    runner = build_runner(stage, s, stage=Identity() if current.output else None)
    expected = ["article-0000", "article-0001", "article-0002"]
    try:
        counters = runner.run(until_drained=True, idle_timeout_s=60)
        if current.output is None:
            assert all_ids(client(s.elasticsearch), articles_alias(s.elasticsearch)) == expected
    finally:
        if current.output is None:
            drop_indices(client(s.elasticsearch), s.elasticsearch.index_prefix)

    assert (counters.read, counters.written, counters.dead_lettered) == (4, 3, 1)
    (letter,) = read_topic(s, source_topic + ".dlq")
    headers = dict(letter.headers)  # type: ignore[attr-defined]
    assert headers["dlq.notice"] == b"1"
    assert b"not a valid envelope" in headers["dlq.reason"]
    notice = json.loads(letter.value)  # type: ignore[attr-defined]
    assert notice["size"] == len(HUGE)
    assert notice["sha256"] == hashlib.sha256(HUGE).hexdigest()
    assert (notice["topic"], notice["partition"], notice["offset"]) == (source_topic, 0, 1)
    assert notice["head_base64"] and "not a valid envelope" in notice["reason"]
    assert committed_offsets(s, source_topic, f"{s.kafka.topic_prefix}.{stage}") == {0: 4}
    if current.output is not None:
        written = read_topic(s, s.kafka.topic(current.output))
        assert [decode(r.value).id for r in written] == expected  # type: ignore[attr-defined]


def test_a_decodable_dead_letter_over_the_limit_goes_as_a_notice_too(
    kafka_ready: str, isolated_settings: Settings
) -> None:
    """A record the stage rejects whose bytes are over the producer's limit."""
    s = isolated_settings
    s.kafka.partitions = 1
    s.kafka.max_record_bytes = 20_000
    topic = s.kafka.topic("raw")
    ensure_topics(s.kafka, all_topics(s))
    big = tagged_envelope(0, paragraphs=400)  # ~35 kB, a valid envelope of the wrong stage
    produce_envelopes(s, topic, [big, tagged_envelope(1, paragraphs=1)])

    class RejectBig(Identity):
        def process(self, envelope):  # type: ignore[no-untyped-def]
            from pipeline.errors import InvalidInput

            if envelope.id == "article-0000":
                raise InvalidInput("rejected for the test")
            return super().process(envelope)

    counters = build_runner("clean", s, stage=RejectBig()).run(until_drained=True, idle_timeout_s=60)
    assert (counters.read, counters.written, counters.dead_lettered) == (2, 1, 1)
    (letter,) = read_topic(s, topic + ".dlq")
    notice = json.loads(letter.value)  # type: ignore[attr-defined]
    assert notice["reason"] == "rejected for the test" and notice["size"] > 20_000
