"""KafkaSource behaviour that needs no broker: a commit refused after a rebalance."""

from __future__ import annotations

import logging

import pytest
from kafka.errors import CommitFailedError, KafkaTimeoutError

from pipeline.messaging import KafkaSource


class _RefusingConsumer:
    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls: list[dict[object, object]] = []

    def commit(self, offsets: dict[object, object]) -> None:
        self.calls.append(offsets)
        raise self.error


def _source(consumer: _RefusingConsumer) -> KafkaSource:
    source = KafkaSource.__new__(KafkaSource)
    source._consumer = consumer  # type: ignore[assignment]
    return source


def test_a_commit_refused_after_a_rebalance_is_logged_not_fatal(caplog: pytest.LogCaptureFixture) -> None:
    consumer = _RefusingConsumer(CommitFailedError("group rebalanced"))
    with caplog.at_level(logging.WARNING, logger="pipeline.messaging"):
        _source(consumer).commit({("news.raw", 0): 42, ("news.raw", 1): 7})
    (offsets,) = consumer.calls
    assert sorted((tp.partition, meta.offset) for tp, meta in offsets.items()) == [(0, 42), (1, 7)]
    assert "commit failed after a rebalance" in caplog.text


def test_other_commit_errors_propagate() -> None:
    with pytest.raises(KafkaTimeoutError):
        _source(_RefusingConsumer(KafkaTimeoutError("no coordinator"))).commit({("t", 0): 1})
