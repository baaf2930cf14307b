"""The pipeline's exceptions, and the one place where library errors are converted into them.

    PipelineError
    ├── InvalidInput          permanent: this record can never be processed. Never retried; the
    │   │                     runner sends the original bytes to ``<topic>.dlq`` and goes on.
    │   └── RecordTooLarge    an output record exceeds the topic's size limit
    ├── RetriableError        transient, but not an outage: retried with bounded backoff, then
    │   │                     the process exits without committing (the supervisor restarts it).
    │   ├── Unavailable       the broker or the index cannot be reached, is overloaded (408,
    │   │   │                 429, 5xx) or times out: waited out for as long as it takes, the
    │   │   │                 consumer kept in its group (see :mod:`pipeline.waiting`).
    │   │   └── WriteBlocked  the index refuses writes (``cluster_block_exception``: an
    │   │                     ``index.blocks.write`` block or the flood-stage disk watermark);
    │   │                     waited out like an outage, and said so in the log.
    │   └── CredentialsRefused  401, or a 403 that is not a block: a misconfiguration; the sink
    │                         stops after ``auth_failure_attempts`` in a row.
    └── DeadLetterStorm       the breaker tripped: too many dead letters in a row, which means a
                              misconfiguration rather than bad data. The stage stops.

kafka-python and elasticsearch-py raise their own trees. :func:`convert` maps them (and the
built-in ``ConnectionError``/``TimeoutError`` a socket raises) onto the tree above;
:func:`elasticsearch_failure` does the same for a status and error type read from a response
body (a bulk item). Everything that talks to Kafka or Elasticsearch classifies through these two
functions: the runner around every stage call (:func:`converted`), ``KafkaOutput``,
``KafkaDeadLetters``, the sink and the stages' state stores.

    elasticsearch / elastic_transport          ->
      ConnectionError, ConnectionTimeout          Unavailable
      SerializationError                          InvalidInput
      other TransportError                        Unavailable
      ApiError / item: cluster_block_exception    WriteBlocked (whatever the status: 403 for
                                                  index.blocks.write, 429 for flood stage)
      401, other 403                              CredentialsRefused
      408, 429, 5xx                               Unavailable
      other 4xx (400 mapping, 404, 409, 413)      InvalidInput
    kafka.errors                                ->
      MessageSizeTooLargeError, RecordListTooLargeError      InvalidInput
      AuthorizationError, SASL / credential failures        CredentialsRefused
      retriable ones (connection, timeout, leader moved)    Unavailable
      any other KafkaError                                  RetriableError
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

BLOCK_TYPE = "cluster_block_exception"


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


class Unavailable(RetriableError):
    """The broker or the index is unreachable or overloaded: wait, however long it takes."""


class WriteBlocked(Unavailable):
    """The index refuses writes (a write block or the flood-stage disk watermark)."""


class CredentialsRefused(RetriableError):
    """The broker or the index refused the credentials (or the permissions)."""


class DeadLetterStorm(PipelineError):
    """Raised by the breaker when a stage dead-letters too many records in a row."""


def elasticsearch_failure(status: int, error_type: str = "", reason: str = "") -> PipelineError:
    """The pipeline error for an Elasticsearch answer (a response or one bulk item)."""
    message = f"{status} {error_type}: {reason}".rstrip(": ")
    if error_type == BLOCK_TYPE:
        return WriteBlocked(
            f"Elasticsearch refuses writes (index write block or flood-stage disk watermark): "
            f"{message}"
        )
    if status in (401, 403):
        return CredentialsRefused(message)
    if status in (408, 429) or status >= 500:
        return Unavailable(message)
    return InvalidInput(message)


def bulk_item_failure(results: Iterable[Mapping[str, Any]], what: str) -> PipelineError | None:
    """The error for the failed items of a bulk response (each item's result object, e.g.
    ``item["index"]``), None when none failed: a retriable failure wins over a permanent one,
    so that one outage item makes the whole call wait rather than give up."""
    failures: list[PipelineError] = []
    for result in results:
        status = int(result.get("status", 500))
        if status < 300:
            continue
        error = result.get("error")
        details = error if isinstance(error, Mapping) else {"reason": str(error)}
        failures.append(
            elasticsearch_failure(
                status, str(details.get("type", "")), str(details.get("reason", ""))
            )
        )
    if not failures:
        return None
    first = next((f for f in failures if isinstance(f, RetriableError)), failures[0])
    return type(first)(f"{what}: {len(failures)} items failed, e.g. {first}")


def convert(exc: BaseException) -> PipelineError | None:
    """The pipeline error a library error stands for; the error itself if it already is one;
    None for anything else (a bug, or input the code could not handle)."""
    if isinstance(exc, PipelineError):
        return exc
    converted = _from_elasticsearch(exc)
    if converted is None:
        converted = _from_kafka(exc)
    if converted is None and isinstance(exc, ConnectionError | TimeoutError):
        converted = Unavailable(f"{type(exc).__name__}: {exc}")
    return converted


@contextmanager
def converted() -> Iterator[None]:
    """Raise library errors as the pipeline errors they stand for (others pass unchanged)."""
    try:
        yield
    except Exception as exc:
        error = convert(exc)
        if error is None or error is exc:
            raise
        raise error from exc


def describe(exc: BaseException) -> str:
    """A short account of an error: status, type and reason for an Elasticsearch answer."""
    status, error_type, reason = _api_error_parts(exc)
    if status is not None:
        return f"{status} {error_type}: {reason}" if error_type else f"{status} {reason}"
    return f"{type(exc).__name__}: {exc}"


def _api_error_parts(exc: BaseException) -> tuple[int | None, str, str]:
    from elastic_transport import ApiError

    if not isinstance(exc, ApiError):
        return None, "", ""
    body = exc.body
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return int(exc.meta.status), str(error.get("type", "")), str(error.get("reason", ""))
    return int(exc.meta.status), "", str(exc.message)


def _from_elasticsearch(exc: BaseException) -> PipelineError | None:
    from elastic_transport import ApiError, SerializationError, TransportError

    if isinstance(exc, ApiError):
        status, error_type, reason = _api_error_parts(exc)
        return elasticsearch_failure(status or 500, error_type, reason)
    if isinstance(exc, SerializationError):
        return InvalidInput(f"Elasticsearch could not serialise: {exc}")
    if isinstance(exc, TransportError):
        return Unavailable(f"Elasticsearch unreachable: {type(exc).__name__}: {exc}")
    return None


def _from_kafka(exc: BaseException) -> PipelineError | None:
    from kafka import errors

    if not isinstance(exc, errors.KafkaError):
        return None
    what = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, errors.MessageSizeTooLargeError | errors.RecordListTooLargeError):
        return InvalidInput(f"broker refused the record size: {what}")
    if isinstance(
        exc,
        errors.AuthorizationError
        | errors.SaslAuthenticationFailedError
        | errors.UnacceptableCredentialError,
    ):
        return CredentialsRefused(what)
    if exc.retriable or isinstance(exc, errors.KafkaConnectionError | errors.KafkaTimeoutError):
        return Unavailable(f"Kafka unavailable: {what}")
    return RetriableError(what)
