"""Library errors are classified in one place: which are outages (waited out), which are write
blocks, which are refused credentials and which are bad input."""

from __future__ import annotations

import pytest
from elastic_transport import ApiResponseMeta, ConnectionTimeout, HttpHeaders, NodeConfig, SerializationError
from elastic_transport import ConnectionError as TransportConnectionError
from elasticsearch import ApiError
from kafka import errors as kafka_errors

from pipeline.errors import (
    CredentialsRefused,
    InvalidInput,
    PipelineError,
    RetriableError,
    Unavailable,
    WriteBlocked,
    bulk_item_failure,
    convert,
    converted,
    elasticsearch_failure,
)


def api_error(status: int, error_type: str) -> ApiError:
    meta = ApiResponseMeta(
        status=status, http_version="1.1", headers=HttpHeaders(), duration=0.0,
        node=NodeConfig("http", "localhost", 9200),
    )
    body = {"error": {"type": error_type, "reason": "why"}, "status": status}
    return ApiError(error_type, meta=meta, body=body)


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (TransportConnectionError("Connection refused"), Unavailable),
        (ConnectionTimeout("timed out"), Unavailable),
        (SerializationError("not JSON"), InvalidInput),
        (api_error(503, "unavailable_shards_exception"), Unavailable),
        (api_error(429, "es_rejected_execution_exception"), Unavailable),
        (api_error(403, "cluster_block_exception"), WriteBlocked),
        (api_error(429, "cluster_block_exception"), WriteBlocked),
        (api_error(403, "security_exception"), CredentialsRefused),
        (api_error(401, "security_exception"), CredentialsRefused),
        (api_error(400, "mapper_parsing_exception"), InvalidInput),
        (api_error(404, "index_not_found_exception"), InvalidInput),
        (kafka_errors.KafkaConnectionError("down"), Unavailable),
        (kafka_errors.KafkaTimeoutError("no metadata"), Unavailable),
        (kafka_errors.NotLeaderForPartitionError(), Unavailable),
        (kafka_errors.MessageSizeTooLargeError("5 MB"), InvalidInput),
        (kafka_errors.TopicAuthorizationFailedError(), CredentialsRefused),
        (kafka_errors.IllegalStateError("odd"), RetriableError),
        (ConnectionRefusedError("socket"), Unavailable),
    ],
)
def test_library_errors_are_classified(exc: Exception, kind: type[PipelineError]) -> None:
    converted_error = convert(exc)
    assert type(converted_error) is kind


def test_anything_else_is_not_a_library_error() -> None:
    assert convert(KeyError("x")) is None
    error = InvalidInput("bad")
    assert convert(error) is error


def test_converted_raises_the_pipeline_error_with_the_library_error_as_cause() -> None:
    cause = TransportConnectionError("Connection refused")
    with pytest.raises(Unavailable) as raised, converted():
        raise cause
    assert raised.value.__cause__ is cause
    with pytest.raises(KeyError), converted():
        raise KeyError("a bug passes unchanged")


def test_a_block_is_told_from_refused_credentials_by_its_error_type() -> None:
    assert isinstance(elasticsearch_failure(403, "cluster_block_exception", "blocked"), WriteBlocked)
    assert isinstance(elasticsearch_failure(403, "security_exception", "denied"), CredentialsRefused)
    assert "write block" in str(elasticsearch_failure(403, "cluster_block_exception", "b"))


def test_bulk_items_an_outage_item_makes_the_whole_call_retriable() -> None:
    items = [
        {"status": 201},
        {"status": 400, "error": {"type": "mapper_parsing_exception", "reason": "x"}},
        {"status": 429, "error": {"type": "es_rejected_execution_exception", "reason": "y"}},
    ]
    failure = bulk_item_failure(items, "state")
    assert isinstance(failure, Unavailable) and "2 items failed" in str(failure)
    assert isinstance(bulk_item_failure(items[:2], "state"), InvalidInput)
    assert bulk_item_failure(items[:1], "state") is None
