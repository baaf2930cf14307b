"""Dead-letter replay: send records from ``<topic>.dlq`` back to the topic they came from.

Use it after fixing what made them fail. The original key, bytes and headers are sent again
(the ``dlq.*`` headers are dropped, a ``dlq.replayed`` header is added); offsets on the
dead-letter topic are committed only after every resend is acknowledged. A notice (header
``dlq.notice``: the record was too large to keep its bytes) has nothing to replay and is skipped.
"""

from __future__ import annotations

import time

from kafka.errors import KafkaError

from pipeline.errors import InvalidInput, RetriableError
from pipeline.messaging import DLQ_SUFFIX, KafkaSource, make_producer
from pipeline.settings import KafkaSettings


def replay(
    settings: KafkaSettings, dlq_topic: str, limit: int | None = None, idle_timeout_s: float = 30.0
) -> int:
    if not dlq_topic.endswith(DLQ_SUFFIX):
        raise InvalidInput(f"{dlq_topic} is not a dead-letter topic (no {DLQ_SUFFIX} suffix)")
    source = KafkaSource(settings, dlq_topic, group_id=f"{dlq_topic}.replay")
    producer = make_producer(settings)
    moved = 0
    idle_since = time.monotonic()
    try:
        while limit is None or moved < limit:
            want = settings.batch_size if limit is None else min(settings.batch_size, limit - moved)
            records = source.poll(want, settings.poll_timeout_ms)
            if not records:
                # Drained, or nothing assigned for a while (no such topic): either way, done.
                if source.drained() or time.monotonic() - idle_since > idle_timeout_s:
                    break
                continue
            idle_since = time.monotonic()
            futures = []
            offsets: dict[tuple[str, int], int] = {}
            for record in records:
                offsets[(record.topic, record.partition)] = record.offset + 1
                headers = dict(record.headers)
                if headers.get("dlq.notice") == b"1":
                    continue
                target = headers.get("dlq.source.topic", b"").decode() or dlq_topic[: -len(DLQ_SUFFIX)]
                kept = [(k, v) for k, v in record.headers if not k.startswith("dlq.")]
                futures.append(
                    producer.send(
                        target, key=record.key, value=record.value,
                        headers=[*kept, ("dlq.replayed", b"1")],
                    )
                )
            producer.flush()
            for future in futures:
                try:
                    future.get(timeout=30)
                except KafkaError as exc:
                    raise RetriableError(f"replay send failed, nothing committed: {exc}") from exc
            source.commit(offsets)
            moved += len(futures)
    finally:
        producer.close()
        source.close()
    return moved
