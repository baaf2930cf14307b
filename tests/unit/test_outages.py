"""Outages are waited out, never taken for bad input: a stage whose Elasticsearch is down waits
(keeping the consumer in its group) instead of dead-lettering, and the sink waits on an index
write block instead of counting it as refused credentials."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from elastic_transport import ConnectionError as TransportConnectionError

from pipeline.envelope import CleanedContent, Envelope, Stage, encode
from pipeline.errors import RetriableError
from pipeline.index import ElasticsearchOutput
from pipeline.messaging import WriteReport
from pipeline.runner import StageRunner
from pipeline.settings import ElasticsearchSettings, RunnerSettings
from pipeline.stages.tag import TagStage
from pipeline.tagging.es_store import ElasticsearchIncidentStore
from tests.unit.es_fakes import FakeCluster, fake_client, tagged
from tests.unit.fakes import (
    CountingKeepalive,
    FakeDeadLetters,
    FakeOutput,
    FakeSource,
    good_records,
    record,
)
from tests.unit.test_runner import Upper


def runner_for(
    stage: object, batches: list[list[object]], sleep: object = None
) -> tuple[StageRunner, FakeSource, FakeOutput, FakeDeadLetters, CountingKeepalive]:
    events: list[str] = []
    source = FakeSource(batches, events=events)  # type: ignore[arg-type]
    output = FakeOutput(events)
    dead = FakeDeadLetters(events)
    keepalive = CountingKeepalive()
    runner = StageRunner(
        stage=stage,  # type: ignore[arg-type]
        source=source,
        output=output,
        dead_letters=dead,
        settings=RunnerSettings(retry_attempts=2),
        sleep=sleep or (lambda _: None),  # type: ignore[arg-type]
        keepalive=keepalive,
    )
    return runner, source, output, dead, keepalive


class DownThenUp(Upper):
    """Raises the Elasticsearch client's own connection error a number of times."""

    def __init__(self, failures: int, where: str = "process") -> None:
        super().__init__()
        self.failures = failures
        self.where = where

    def _maybe_fail(self, where: str) -> None:
        if self.where == where and self.failures:
            self.failures -= 1
            raise TransportConnectionError("Connection refused")

    def process(self, env: Envelope) -> Sequence[Envelope]:
        self._maybe_fail("process")
        return super().process(env)

    def after_batch_written(self) -> None:
        self._maybe_fail("after_batch_written")
        super().after_batch_written()


@pytest.mark.parametrize("where", ["process", "after_batch_written"])
def test_a_library_connection_error_is_waited_out_not_dead_lettered(where: str) -> None:
    # More failures than retry_attempts: an outage is not bounded by the attempts.
    stage = DownThenUp(failures=6, where=where)
    runner, source, output, dead, keepalive = runner_for(stage, [good_records(2)])
    counters = runner.run(until_drained=True)
    assert dead.sent == []
    assert [e.id for e in output.written] == ["id-0", "id-1"]
    assert source.commits == [{("in", 0): 2}]
    assert counters.balanced() and counters.dead_lettered == 0
    assert keepalive.ticks == 6 and keepalive.releases == 1


def test_a_stop_request_ends_the_wait_and_exits_without_committing() -> None:
    stage = DownThenUp(failures=10_000)
    waits = 0

    def sleep(_: float) -> None:
        nonlocal waits
        waits += 1
        if waits == 3:
            runner.request_stop()

    runner, source, _, dead, _ = runner_for(stage, [good_records(1)], sleep=sleep)
    with pytest.raises(RetriableError, match="stopped while waiting"):
        runner.run(until_drained=True)
    assert source.commits == [] and dead.sent == []


ARTICLE = (
    "A car bomb killed 9 people in Mogadishu on Wednesday, police said. The attack happened "
    "near a checkpoint."
)


def test_tag_stage_with_elasticsearch_down_does_not_dead_letter_good_articles() -> None:
    cluster = FakeCluster(down_for=10**9)
    store = ElasticsearchIncidentStore(fake_client(cluster), "news-incident-state")
    published = datetime(2022, 1, 12, 12, tzinfo=UTC)
    article = Envelope(
        id="mogadishu",
        url="https://example.org/mogadishu",
        source="test",
        first_seen=published,
        stage=Stage.DEDUPLICATED,
        cleaned=CleanedContent(text=ARTICLE, published=published, site_name="Example"),
    )
    waits = 0

    def sleep(_: float) -> None:
        nonlocal waits
        waits += 1
        if waits == 4:
            runner.request_stop()

    runner, source, output, dead, keepalive = runner_for(
        TagStage(store), [[record(0, encode(article))]], sleep=sleep
    )
    with pytest.raises(RetriableError):
        runner.run(until_drained=True)
    assert dead.sent == []  # before: "stage raised ConnectionError" in the dead-letter topic
    assert source.commits == [] and output.written == []
    assert keepalive.ticks >= 3


def test_sink_waits_on_a_write_block_instead_of_stopping_for_credentials(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    # Ten 403 blocks in a row, more than auth_failure_attempts: still only a wait.
    cluster = FakeCluster(
        request_statuses=[403] * 10, error_types={403: "cluster_block_exception"}
    )
    out = ElasticsearchOutput(
        fake_client(cluster),
        ElasticsearchSettings(index_prefix="news", auth_failure_attempts=3),
        sleep=lambda _: None,
    )
    report = out.write([tagged(1), tagged(2)])
    assert report.permanent == {} and report.retriable == {}
    assert cluster.ids("news-articles") == ["article-0001", "article-0002"]
    assert out.stats["blocked_waits"] == 10
    assert "index write block" in caplog.text


def test_sink_waits_on_blocked_items_and_flood_stage() -> None:
    cluster = FakeCluster(
        item_statuses={"article-0001": [403] * 8, "article-0002": [429] * 8},
        error_types={403: "cluster_block_exception", 429: "cluster_block_exception"},
    )
    out = ElasticsearchOutput(
        fake_client(cluster),
        ElasticsearchSettings(index_prefix="news", auth_failure_attempts=3),
        sleep=lambda _: None,
    )
    report = out.write([tagged(1), tagged(2)])
    assert report.permanent == {}
    assert cluster.ids("news-articles") == ["article-0001", "article-0002"]
    assert out.stats["blocked_waits"] == 8


def test_sink_still_stops_on_refused_credentials() -> None:
    cluster = FakeCluster(request_statuses=[403] * 50, error_types={403: "security_exception"})
    out = ElasticsearchOutput(
        fake_client(cluster),
        ElasticsearchSettings(index_prefix="news", auth_failure_attempts=3),
        sleep=lambda _: None,
    )
    with pytest.raises(RetriableError, match="credentials"):
        out.write([tagged(1)])
    assert out.stats["blocked_waits"] == 0


def test_writes_to_an_unavailable_topic_are_waited_out_beyond_the_attempts() -> None:
    class DownOutput(FakeOutput):
        failures = 5  # more than retry_attempts (2)

        def write(self, envelopes: Sequence[Envelope]) -> WriteReport:
            if self.failures:
                self.failures -= 1
                report = WriteReport(unavailable=True)
                report.retriable = {i: "KafkaTimeoutError: no broker" for i in range(len(envelopes))}
                return report
            return super().write(envelopes)

    runner, source, _, dead, keepalive = runner_for(Upper(), [good_records(2)])
    output = DownOutput([])
    runner.output = output
    counters = runner.run(until_drained=True)
    assert [e.id for e in output.written] == ["id-0", "id-1"]
    assert source.commits == [{("in", 0): 2}] and dead.sent == []
    assert counters.written == 2 and keepalive.ticks == 5 and keepalive.releases == 1
