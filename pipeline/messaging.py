"""Kafka, in one place: client construction, the consumer/producer adapters the runner drives,
topic creation, and dead-letter records.

The runner talks to the small protocols :class:`InboundSource` and :class:`Output`; this module
implements them over kafka-python, and the unit tests implement them in memory. kafka-python
rejects unknown configuration keys, so a typo in a setting fails at start-up, not later.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import (
    CommitFailedError,
    KafkaError,
    MessageSizeTooLargeError,
    TopicAlreadyExistsError,
)
from kafka.structs import OffsetAndMetadata

from pipeline.envelope import Envelope, encode
from pipeline.errors import InvalidInput, RecordTooLarge, RetriableError
from pipeline.settings import KafkaSettings

log = logging.getLogger(__name__)

DLQ_SUFFIX = ".dlq"


@dataclass(frozen=True)
class InboundRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...] = ()


@dataclass
class WriteReport:
    """Outcome of writing a batch: indexes of items that failed for good (with why), and of
    items that may succeed if written again."""

    permanent: dict[int, InvalidInput] = field(default_factory=dict)
    retriable: dict[int, str] = field(default_factory=dict)


class InboundSource(Protocol):
    def poll(self, max_records: int, timeout_ms: int) -> list[InboundRecord]: ...

    def commit(self, offsets: dict[tuple[str, int], int]) -> None:
        """Commit the next offset to read for each (topic, partition)."""
        ...

    def drained(self) -> bool:
        """True once every assigned partition has been read to its end."""
        ...

    def close(self) -> None: ...


class Output(Protocol):
    def write(self, envelopes: Sequence[Envelope]) -> WriteReport: ...

    def close(self) -> None: ...


class DeadLetters(Protocol):
    def send(self, record: InboundRecord, stage: str, reason: str, value: bytes | None) -> None: ...

    def flush(self) -> None:
        """Block until every dead letter is acknowledged; raise RetriableError otherwise."""
        ...

    def close(self) -> None: ...


def client_config(settings: KafkaSettings) -> dict[str, Any]:
    config: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers.split(","),
        "security_protocol": settings.security_protocol,
    }
    if settings.sasl_mechanism:
        config["sasl_mechanism"] = settings.sasl_mechanism
        config["sasl_plain_username"] = settings.sasl_username
        if settings.sasl_password is not None:
            config["sasl_plain_password"] = settings.sasl_password.get_secret_value()
    return config


def make_producer(settings: KafkaSettings) -> KafkaProducer:
    return KafkaProducer(
        **client_config(settings),
        acks="all",
        enable_idempotence=True,
        compression_type=settings.compression_type,
        linger_ms=settings.linger_ms,
        # Room for the envelope plus headers; larger records are refused before sending.
        max_request_size=settings.max_record_bytes + 64 * 1024,
    )


def ensure_topics(settings: KafkaSettings, names: Iterable[str]) -> list[str]:
    """Create the topics that do not exist yet; return the names created."""
    admin = KafkaAdminClient(**client_config(settings))
    try:
        existing = set(admin.list_topics())
        wanted = [name for name in dict.fromkeys(names) if name not in existing]
        if not wanted:
            return []
        new = [
            NewTopic(
                name=name,
                num_partitions=1 if name.endswith(DLQ_SUFFIX) else settings.partitions,
                replication_factor=settings.replication_factor,
            )
            for name in wanted
        ]
        # Another process may win the race to create a topic: fine, the topic is there.
        with contextlib.suppress(TopicAlreadyExistsError):
            admin.create_topics(new)
        return wanted
    finally:
        admin.close()


class KafkaSource:
    """A consumer-group member with auto-commit off."""

    def __init__(self, settings: KafkaSettings, topic: str, group_id: str) -> None:
        self._consumer = KafkaConsumer(
            topic,
            **client_config(settings),
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=settings.batch_size,
            fetch_max_bytes=64 * 1024 * 1024,
            max_partition_fetch_bytes=settings.max_record_bytes + 64 * 1024,
        )

    @property
    def consumer(self) -> KafkaConsumer:
        """The underlying consumer, for keeping group membership alive during long waits."""
        return self._consumer

    def poll(self, max_records: int, timeout_ms: int) -> list[InboundRecord]:
        batches = self._consumer.poll(timeout_ms=timeout_ms, max_records=max_records)
        records: list[InboundRecord] = []
        for messages in batches.values():
            for message in messages:
                records.append(
                    InboundRecord(
                        topic=message.topic,
                        partition=message.partition,
                        offset=message.offset,
                        key=message.key,
                        value=message.value,
                        headers=tuple((k, v or b"") for k, v in (message.headers or ())),
                    )
                )
        return records

    def commit(self, offsets: dict[tuple[str, int], int]) -> None:
        try:
            self._consumer.commit(
                {TopicPartition(t, p): OffsetAndMetadata(o, "", -1) for (t, p), o in offsets.items()}
            )
        except CommitFailedError as exc:
            # The group rebalanced while this batch was processed: its new owner will re-read
            # from the last committed offset, and ids are deterministic, so this is not fatal.
            log.warning("commit failed after a rebalance; records will be re-read: %s", exc)

    def drained(self) -> bool:
        assigned = self._consumer.assignment()
        if not assigned:
            return False
        ends = self._consumer.end_offsets(list(assigned))
        return all(self._consumer.position(tp) >= ends[tp] for tp in assigned)

    def close(self) -> None:
        self._consumer.close(autocommit=False)


class KafkaOutput:
    """Writes envelopes to a topic, keyed by envelope id; checks every send."""

    def __init__(self, producer: KafkaProducer, topic: str, max_record_bytes: int) -> None:
        self._producer = producer
        self._topic = topic
        self._max = max_record_bytes

    def write(self, envelopes: Sequence[Envelope]) -> WriteReport:
        report = WriteReport()
        futures = {}
        for index, envelope in enumerate(envelopes):
            value = encode(envelope)
            if len(value) > self._max:
                report.permanent[index] = RecordTooLarge(
                    len(value), self._max, envelope.id, envelope.url
                )
                continue
            try:
                futures[index] = self._producer.send(
                    self._topic, key=envelope.id.encode("utf-8"), value=value
                )
            except KafkaError as exc:  # e.g. metadata for the topic not available in time
                report.retriable[index] = f"{type(exc).__name__}: {exc}"
        self._producer.flush()
        for index, future in futures.items():
            try:
                future.get(timeout=30)
            except MessageSizeTooLargeError as exc:
                report.permanent[index] = InvalidInput(f"broker refused the record size: {exc}")
            except KafkaError as exc:
                report.retriable[index] = f"{type(exc).__name__}: {exc}"
        return report

    def close(self) -> None:
        self._producer.flush()
        self._producer.close()


def dead_letter_headers(
    record: InboundRecord, stage: str, reason: str
) -> list[tuple[str, bytes]]:
    now = datetime.now(UTC).isoformat()
    extra = [
        ("dlq.stage", stage.encode()),
        ("dlq.reason", reason.encode("utf-8", "replace")[:4000]),
        ("dlq.source.topic", record.topic.encode()),
        ("dlq.source.partition", str(record.partition).encode()),
        ("dlq.source.offset", str(record.offset).encode()),
        ("dlq.time", now.encode()),
    ]
    kept = [(k, v) for k, v in record.headers if not k.startswith("dlq.")]
    return kept + extra


def too_large_notice(error: RecordTooLarge, stage: str) -> bytes:
    """The small record that stands in for an output too large to send."""
    return json.dumps(
        {
            "reason": "record too large",
            "stage": stage,
            "size": error.size,
            "limit": error.limit,
            "id": error.record_id,
            "url": error.url,
        }
    ).encode()


class KafkaDeadLetters:
    """Sends dead letters to ``<source topic>.dlq`` with the original bytes and key."""

    def __init__(self, producer: KafkaProducer) -> None:
        self._producer = producer
        self._pending: list[Any] = []

    def send(self, record: InboundRecord, stage: str, reason: str, value: bytes | None) -> None:
        try:
            future = self._producer.send(
                record.topic + DLQ_SUFFIX,
                key=record.key,
                value=value,
                headers=dead_letter_headers(record, stage, reason),
            )
        except KafkaError as exc:
            raise RetriableError(f"dead letter not sent: {exc}") from exc
        self._pending.append(future)

    def flush(self) -> None:
        self._producer.flush()
        pending, self._pending = self._pending, []
        for future in pending:
            try:
                future.get(timeout=30)
            except KafkaError as exc:
                raise RetriableError(f"dead letter not acknowledged: {exc}") from exc

    def close(self) -> None:
        self.flush()
        self._producer.close()


def wait_for_broker(settings: KafkaSettings, timeout_s: float = 30.0) -> None:
    """Block until the brokers answer a metadata request, or raise RetriableError."""
    deadline = time.monotonic() + timeout_s
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            admin = KafkaAdminClient(**client_config(settings), request_timeout_ms=3000)
            admin.list_topics()
            admin.close()
            return
        except Exception as exc:  # any failure means "not yet"
            last = exc
            time.sleep(0.5)
    raise RetriableError(f"Kafka at {settings.bootstrap_servers} unreachable: {last}")
