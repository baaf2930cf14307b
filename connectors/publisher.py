"""Publishes raw envelopes to the raw topic, keyed by envelope id, checking every send."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.envelope import Envelope
from pipeline.messaging import KafkaOutput, WriteReport, make_producer
from pipeline.settings import KafkaSettings


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
