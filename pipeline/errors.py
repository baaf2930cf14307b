"""The pipeline's exceptions, and the one place where library errors are converted into them.

    PipelineError
    ├── InvalidInput        permanent: this record can never be processed. Never retried; the
    │                       runner sends the original bytes to ``<topic>.dlq`` and goes on.
    │   └── RecordTooLarge  an output record exceeds the topic's size limit
    ├── RetriableError      transient: the broker, the index or a source is unavailable. Retried
    │                       with bounded backoff; then the process exits without committing.
    └── DeadLetterStorm     the breaker tripped: too many dead letters in a row, which means a
                            misconfiguration rather than bad data. The stage stops.

kafka-python and elasticsearch-py raise their own trees; :func:`classify` maps them onto these.
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


def classify(exc: BaseException) -> type[PipelineError]:
    """Which pipeline error a library exception amounts to (InvalidInput or RetriableError)."""
    if isinstance(exc, PipelineError):
        return type(exc)
    from kafka import errors as kafka_errors

    if isinstance(exc, kafka_errors.MessageSizeTooLargeError | kafka_errors.RecordTooLargeError):
        return InvalidInput
    if isinstance(exc, kafka_errors.KafkaError):
        return RetriableError
    try:
        from elastic_transport import TransportError
        from elasticsearch import ApiError
    except ImportError:  # pragma: no cover - elasticsearch is a hard dependency
        return RetriableError
    if isinstance(exc, TransportError):
        return RetriableError
    if isinstance(exc, ApiError):
        return RetriableError if exc.meta.status in (408, 429) or exc.meta.status >= 500 else (
            InvalidInput
        )
    if isinstance(exc, OSError | TimeoutError):
        return RetriableError
    return InvalidInput
