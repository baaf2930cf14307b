"""Kafka, in one place: client construction, the consumer/producer adapters the runner drives,
topic creation, and dead-letter records.

A dead letter carries the record's original bytes. When those bytes cannot be sent as they are
(larger than the producer's limit, or refused by the broker for their size) the dead letter is
a *notice* instead, so that one oversized record cannot stop the stream: a small JSON object with
the reason, the size, the source topic/partition/offset, the first KiB (base64) and the sha256
of the whole value, and the header ``dlq.notice=1``.

The runner talks to the small protocols :class:`InboundSource` and :class:`Output`; this module
implements them over kafka-python, and the unit tests implement them in memory. kafka-python
rejects unknown configuration keys, so a typo in a setting fails at start-up, not later.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
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
    TopicAlreadyExistsError,
)
from kafka.structs import OffsetAndMetadata

from pipeline.envelope import Envelope, encode
from pipeline.errors import InvalidInput, RecordTooLarge, RetriableError, Unavailable, convert
from pipeline.settings import KafkaSettings

log = logging.getLogger(__name__)

DLQ_SUFFIX = ".dlq"
# What a dead-letter notice keeps of the value it stands for.
NOTICE_HEAD_BYTES = 1024
# Room left in a record for the key and the headers.
HEADROOM_BYTES = 64 * 1024


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
    items that may succeed if written again; ``unavailable`` when a retriable failure was an
    outage of the destination (the runner then waits instead of counting attempts)."""

    permanent: dict[int, InvalidInput] = field(default_factory=dict)
    retriable: dict[int, str] = field(default_factory=dict)
    unavailable: bool = False


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
    if settings.ssl_cafile:
        config["ssl_cafile"] = settings.ssl_cafile
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
        compression_type=None if settings.compression_type == "none" else settings.compression_type,
        linger_ms=settings.linger_ms,
        # Room for the envelope plus headers; larger records are refused before sending.
        max_request_size=settings.max_record_bytes + HEADROOM_BYTES,
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
            max_partition_fetch_bytes=settings.max_record_bytes + HEADROOM_BYTES,
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

    def lag(self) -> dict[tuple[str, int], int]:
        """Records behind the end, per assigned partition, from the watermarks the last fetch
        responses carried (no request to the broker)."""
        lags: dict[tuple[str, int], int] = {}
        for tp in self._consumer.assignment():
            end = self._consumer.highwater(tp)
            if end is not None:
                lags[(tp.topic, tp.partition)] = max(0, end - self._consumer.position(tp))
        return lags

    def close(self) -> None:
        self._consumer.close(autocommit=False)


class LingeringSource:
    """An :class:`InboundSource` that waits up to ``linger_s`` for more records, so that a
    trickle of records still makes full batches (the sink's bulk requests; a stateful stage's
    round trips to its state): a poll returns at ``max_records`` records, ``max_bytes`` bytes of
    values, or when the linger time since the first record is over. Offsets are committed as
    the runner says, after the whole batch is written, as without it."""

    def __init__(
        self, inner: InboundSource, linger_s: float, max_records: int, max_bytes: int
    ) -> None:
        self._inner = inner
        self._linger_s = linger_s
        self._max_records = max_records
        self._max_bytes = max_bytes

    def poll(self, max_records: int, timeout_ms: int) -> list[InboundRecord]:
        limit = max(max_records, self._max_records)
        records = self._inner.poll(limit, timeout_ms)
        if not records:
            return records
        size = sum(len(r.value or b"") for r in records)
        deadline = time.monotonic() + self._linger_s
        while len(records) < limit and size < self._max_bytes:
            left_ms = int((deadline - time.monotonic()) * 1000)
            if left_ms <= 0:
                break
            more = self._inner.poll(limit - len(records), left_ms)
            records.extend(more)
            size += sum(len(r.value or b"") for r in more)
        return records

    def commit(self, offsets: dict[tuple[str, int], int]) -> None:
        self._inner.commit(offsets)

    def drained(self) -> bool:
        return self._inner.drained()

    def close(self) -> None:
        self._inner.close()


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
                _report_failure(report, index, exc)
        self._producer.flush()
        for index, future in futures.items():
            try:
                future.get(timeout=30)
            except KafkaError as exc:
                _report_failure(report, index, exc)
        return report

    def close(self) -> None:
        self._producer.flush()
        self._producer.close()


def _report_failure(report: WriteReport, index: int, exc: KafkaError) -> None:
    error = convert(exc)
    if isinstance(error, InvalidInput):
        report.permanent[index] = error
    else:
        report.retriable[index] = f"{type(exc).__name__}: {exc}"
        report.unavailable = report.unavailable or isinstance(error, Unavailable)


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


def dead_letter_notice(record: InboundRecord, stage: str, reason: str, value: bytes | None) -> bytes:
    """The small record that stands in for a dead letter whose value cannot be sent as is."""
    data = value or b""
    return json.dumps(
        {
            "notice": "dead letter too large to send with its original bytes",
            "reason": reason,
            "stage": stage,
            "size": len(data),
            "topic": record.topic,
            "partition": record.partition,
            "offset": record.offset,
            "key": record.key.decode("utf-8", "replace") if record.key is not None else None,
            "head_base64": base64.b64encode(data[:NOTICE_HEAD_BYTES]).decode("ascii"),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    ).encode()


@dataclass
class _Letter:
    record: InboundRecord
    stage: str
    reason: str
    value: bytes | None
    future: Any = None
    notice: bool = False


class KafkaDeadLetters:
    """Sends dead letters to ``<source topic>.dlq`` with the original bytes and key; a letter
    whose bytes are over ``max_record_bytes`` or refused for their size goes as a notice."""

    def __init__(self, producer: KafkaProducer, max_record_bytes: int = 1_000_000) -> None:
        self._producer = producer
        self._max = max_record_bytes
        self._pending: list[_Letter] = []

    def send(self, record: InboundRecord, stage: str, reason: str, value: bytes | None) -> None:
        letter = _Letter(record, stage, reason, value)
        if value is not None and len(value) > self._max:
            letter.notice = True
        self._send(letter)

    def _send(self, letter: _Letter) -> None:
        record = letter.record
        headers = dead_letter_headers(record, letter.stage, letter.reason)
        value = letter.value
        if letter.notice:
            headers.append(("dlq.notice", b"1"))
            value = dead_letter_notice(record, letter.stage, letter.reason, letter.value)
        try:
            letter.future = self._producer.send(
                record.topic + DLQ_SUFFIX, key=record.key, value=value, headers=headers
            )
        except KafkaError as exc:
            if self._as_notice(letter, exc):
                self._send(letter)
                return
            raise _not_sent(exc, "dead letter not sent") from exc
        self._pending.append(letter)

    def _as_notice(self, letter: _Letter, exc: KafkaError) -> bool:
        """True when the letter was refused for its size and may go again as a notice."""
        if letter.notice or not isinstance(convert(exc), InvalidInput):
            return False
        log.warning(
            "dead letter for %s[%d]@%d (%d bytes) refused (%s); sending a notice instead",
            letter.record.topic, letter.record.partition, letter.record.offset,
            len(letter.value or b""), exc,
        )
        letter.notice = True
        return True

    def flush(self) -> None:
        while self._pending:
            self._producer.flush()
            pending, self._pending = self._pending, []
            for letter in pending:
                try:
                    letter.future.get(timeout=30)
                except KafkaError as exc:
                    if not self._as_notice(letter, exc):
                        raise _not_sent(exc, "dead letter not acknowledged") from exc
                    self._send(letter)

    def close(self) -> None:
        self.flush()
        self._producer.close()


def _not_sent(exc: KafkaError, what: str) -> RetriableError:
    error = convert(exc)
    message = f"{what}: {exc}"
    return type(error)(message) if isinstance(error, RetriableError) else RetriableError(message)


class ConsumerKeepalive:
    """Keeps a kafka-python consumer in its group while the sink or a stage waits.

    kafka-python's heartbeat thread keeps the session alive, but it leaves the group once
    ``max_poll_interval_ms`` passes without a ``poll()``. :meth:`tick` pauses every assigned
    partition and polls, which counts as a poll and lets a rebalance complete, without consuming:
    a record returned from a partition assigned during the wait is sought back to. :meth:`release`
    resumes the partitions."""

    def __init__(self, consumer: Any, poll_timeout_ms: int = 1000) -> None:
        self._consumer = consumer
        self._poll_timeout_ms = poll_timeout_ms
        self._paused = False

    def tick(self) -> None:
        self._pause_assigned()
        returned = self._consumer.poll(timeout_ms=self._poll_timeout_ms)
        for partition, messages in returned.items():
            if messages:
                self._consumer.seek(partition, min(m.offset for m in messages))
        self._pause_assigned()

    def release(self) -> None:
        if self._paused:
            paused = self._consumer.paused()
            if paused:
                self._consumer.resume(*paused)
            self._paused = False

    def _pause_assigned(self) -> None:
        assigned = self._consumer.assignment()
        if assigned:
            self._consumer.pause(*assigned)
            self._paused = True


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
