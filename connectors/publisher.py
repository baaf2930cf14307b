"""The connectors' Kafka boundary: raw envelopes out, fetch-error records out, feed state in a
compacted topic, and the consumer group that shares feeds among connector processes.

Topics (``<prefix>`` is ``KafkaSettings.topic_prefix``):

* ``<prefix>.raw`` — raw envelopes keyed by envelope id; every send is checked.
* ``<prefix>.connector-state`` — compacted; one :class:`~connectors.state.FeedState` per feed
  URL (the key). The latest record per key is the feed's state.
* ``<prefix>.fetch-errors`` — one small JSON record per failure (see
  :class:`~connectors.reporting.FetchErrorRecord`), keyed by URL.

Sharing work: every connector process joins the consumer group ``<prefix>.connector-feeds`` on
the state topic without consuming from it. The partitions Kafka assigns to a process are the
feeds it owns: a feed's state record lives in partition ``murmur2(url) % partitions``, the same
place Kafka's default partitioner puts it. When partitions move, the old owner finishes its
in-flight polls before letting go and the new owner reads those partitions to their end before
polling, so state always has a single writer.

kafka-python errors are converted here: a state that cannot be stored raises
:class:`~connectors.state.StateSaveError`; an unsent fetch-error record is logged.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import NewTopic
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import KafkaError, TopicAlreadyExistsError
from kafka.partitioner.default import murmur2

from connectors.reporting import FetchErrorRecord
from connectors.state import FeedState, StateSaveError
from pipeline.envelope import Envelope
from pipeline.messaging import KafkaOutput, WriteReport, client_config, make_producer
from pipeline.settings import ConnectorSettings, KafkaSettings

log = logging.getLogger(__name__)


class RawPublisher:
    def __init__(self, settings: KafkaSettings) -> None:
        self._producer = make_producer(settings)
        self._output = KafkaOutput(self._producer, settings.topic("raw"), settings.max_record_bytes)

    def publish(self, envelopes: Sequence[Envelope]) -> WriteReport:
        """Send and wait for every acknowledgement; the report names what failed."""
        return self._output.write(envelopes)

    def close(self) -> None:
        self._producer.flush()
        self._producer.close()


def connector_topics(kafka: KafkaSettings, connectors: ConnectorSettings) -> tuple[str, str]:
    return kafka.topic(connectors.state_topic), kafka.topic(connectors.errors_topic)


def ensure_connector_topics(kafka: KafkaSettings, connectors: ConnectorSettings) -> list[str]:
    """Create the raw, state (compacted) and fetch-error topics that do not exist yet."""
    state_topic, errors_topic = connector_topics(kafka, connectors)
    wanted = {
        kafka.topic("raw"): (kafka.partitions, {}),
        state_topic: (
            connectors.state_partitions,
            {"cleanup.policy": "compact", "segment.ms": str(6 * 3600 * 1000),
             "min.cleanable.dirty.ratio": "0.1"},
        ),
        errors_topic: (kafka.partitions, {"retention.ms": str(14 * 86400 * 1000)}),
    }
    admin = KafkaAdminClient(**client_config(kafka))
    try:
        existing = set(admin.list_topics())
        new = [
            NewTopic(name=name, num_partitions=parts, replication_factor=kafka.replication_factor,
                     topic_configs=configs)
            for name, (parts, configs) in wanted.items()
            if name not in existing
        ]
        if new:
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(new)
        return [topic.name for topic in new]
    finally:
        admin.close()


class KafkaErrorSink:
    """Sends fetch-error records; :meth:`flush` checks them and logs any that were lost."""

    def __init__(self, kafka: KafkaSettings, connectors: ConnectorSettings) -> None:
        self._topic = kafka.topic(connectors.errors_topic)
        self._producer = make_producer(kafka)
        self._pending: list[tuple[FetchErrorRecord, Any]] = []

    def send(self, record: FetchErrorRecord) -> None:
        future = self._producer.send(
            self._topic, key=record.url.encode("utf-8", "replace"), value=record.to_json()
        )
        self._pending.append((record, future))

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        if not pending:
            return
        self._producer.flush()
        for record, future in pending:
            try:
                future.get(timeout=30)
            except KafkaError as exc:
                log.error("fetch-error record for %s not stored: %s", record.url, exc)

    def close(self) -> None:
        self.flush()
        self._producer.close()


def state_partition(url: str, partitions: int) -> int:
    """The partition of ``url``'s state record (Kafka's default partitioner, murmur2)."""
    return int(murmur2(url.encode("utf-8")) & 0x7FFFFFFF) % partitions


class KafkaStateStore:
    def __init__(self, kafka: KafkaSettings, connectors: ConnectorSettings) -> None:
        self._kafka = kafka
        self.topic = kafka.topic(connectors.state_topic)
        self._producer = make_producer(kafka)
        partitions = self._producer.partitions_for(self.topic)
        self.partitions = len(partitions) if partitions else connectors.state_partitions

    def partition_for(self, url: str) -> int:
        return state_partition(url, self.partitions)

    def save(self, state: FeedState) -> None:
        try:
            self._producer.send(
                self.topic, key=state.url.encode("utf-8"), value=state.encode(),
                partition=self.partition_for(state.url),
            ).get(timeout=30)
        except KafkaError as exc:
            raise StateSaveError(f"state of {state.url} not stored: {exc}") from exc

    def load(self, urls: Iterable[str]) -> dict[str, FeedState]:
        wanted = set(urls)
        partitions = {self.partition_for(url) for url in wanted}
        return {url: s for url, s in self.load_partitions(partitions).items() if url in wanted}

    def load_partitions(self, partitions: Iterable[int], timeout_s: float = 60.0) -> dict[str, FeedState]:
        """Every feed state in ``partitions``, read to the end of each."""
        assigned = [TopicPartition(self.topic, p) for p in sorted(set(partitions))]
        states: dict[str, FeedState] = {}
        if not assigned:
            return states
        consumer = KafkaConsumer(
            **client_config(self._kafka), enable_auto_commit=False, group_id=None,
            max_partition_fetch_bytes=self._kafka.max_record_bytes + 64 * 1024,
        )
        try:
            consumer.assign(assigned)
            consumer.seek_to_beginning(*assigned)
            ends = consumer.end_offsets(assigned)
            deadline = time.monotonic() + timeout_s
            while any(consumer.position(tp) < ends[tp] for tp in assigned):
                if time.monotonic() > deadline:
                    raise StateSaveError(f"could not read {self.topic} to its end in {timeout_s}s")
                for batch in consumer.poll(timeout_ms=500).values():
                    for message in batch:
                        url = message.key.decode("utf-8") if message.key else ""
                        if message.value is None:
                            states.pop(url, None)
                            continue
                        try:
                            states[url] = FeedState.decode(message.value)
                        except ValueError as exc:
                            log.error("unreadable state for %s ignored: %s", url, exc)
        finally:
            consumer.close()
        return states

    def close(self) -> None:
        self._producer.flush()
        self._producer.close()


class FeedLease(ConsumerRebalanceListener):  # type: ignore[misc]
    """Membership in the group that shares the state topic's partitions among processes."""

    def __init__(
        self,
        kafka: KafkaSettings,
        topic: str,
        group_id: str,
        on_assigned: Callable[[set[int]], None],
        on_revoked: Callable[[set[int]], None],
    ) -> None:
        self._on_assigned = on_assigned
        self._on_revoked = on_revoked
        self._consumer = KafkaConsumer(
            **client_config(kafka), group_id=group_id, enable_auto_commit=False,
            auto_offset_reset="latest",
        )
        self._consumer.subscribe([topic], listener=self)

    def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        partitions = {tp.partition for tp in revoked}
        if partitions:
            self._on_revoked(partitions)

    def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        partitions = list(assigned)
        # Membership only: the state is read separately, so nothing is fetched here.
        if partitions:
            self._consumer.pause(*partitions)
        self._on_assigned({tp.partition for tp in partitions})

    def poll(self, timeout_ms: int = 200) -> None:
        """Keep the membership alive; runs the callbacks when partitions move. (A zero timeout
        leaves kafka-python no time to finish joining the group.)"""
        self._consumer.poll(timeout_ms=timeout_ms, max_records=1)

    def close(self) -> None:
        self._consumer.close(autocommit=False)
