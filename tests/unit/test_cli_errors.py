"""What an operator sees when a setting or an engine is wrong: one line, no traceback."""

from __future__ import annotations

import pytest
from elastic_transport import ConnectionError as TransportConnectionError

from connectors.commands import ConnectorReport
from pipeline import cli


def test_a_bad_url_is_one_error_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ELASTICSEARCH_URL", "es.example:9200")
    assert cli.main(["settings", "show"]) == 2
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and errors[0].exc_info is None
    assert "ELASTICSEARCH_URL" in errors[0].getMessage()


def test_an_unknown_variable_is_warned_about(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("NEWS_ELASTICSERACH__URL", "http://x:9200")
    assert cli.main(["settings", "show"]) == 0
    assert any("NEWS_ELASTICSERACH__URL" in r.getMessage() for r in caplog.records)


def test_an_unreachable_node_is_described_by_its_innermost_cause() -> None:
    refused = ConnectionRefusedError(111, "Connection refused")
    outer = TransportConnectionError("Connection error caused by: NewConnectionError(...)",
                                     errors=(refused,))
    assert cli._reason(outer) == "unreachable (ConnectionRefusedError: [Errno 111] Connection refused)"


def test_every_feed_failing_is_a_failed_run() -> None:
    report = ConnectorReport(feeds=3, failed_feeds=3)
    assert report.all_failed
    assert not ConnectorReport(feeds=3, failed_feeds=2).all_failed
    assert not ConnectorReport().all_failed
