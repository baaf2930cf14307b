"""The pipeline's exceptions, and the one place where library errors are converted into them.

    PipelineError
    ├── InvalidInput        permanent: this record can never be processed. Never retried; the
    │                       runner sends the original bytes to ``<topic>.dlq`` and goes on.
    │   └── RecordTooLarge  an output record exceeds the topic's size limit
    ├── RetriableError      transient: the broker, the index or a source is unavailable. Retried
    │                       with bounded backoff; then the process exits without committing.
    └── DeadLetterStorm     the breaker tripped: too many dead letters in a row, which means a
                            misconfiguration rather than bad data. The stage stops.

kafka-python and elasticsearch-py raise their own trees; they are converted where they are met:
``pipeline.messaging.KafkaOutput`` (a refused record size is InvalidInput, any other KafkaError is
retried), ``pipeline.index.ElasticsearchOutput`` (connection errors, 429 and 5xx are retried;
other item errors are InvalidInput), and each stage's state store (unreachable is RetriableError).
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base of every error the pipeline raises on purpose."""


class InvalidInput(PipelineError):
    """The record is bad: dead-letter it, never retry."""


class RecordTooLarge(InvalidInput):
    def __init__(self, size: int, limit: int, record_id: str | None, url: str | None) -> None:
        super().__init__(f"record of {size} bytes exceeds the {limit}-byte limit")
        self.size = size
        self.limit = limit
        self.record_id = record_id
        self.url = url


class RetriableError(PipelineError):
    """Something outside the record failed; trying again later may work."""


class DeadLetterStorm(PipelineError):
    """Raised by the breaker when a stage dead-letters too many records in a row."""
