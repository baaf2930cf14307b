"""Metrics, health and JSON logs, without a broker or a socket."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence

from prometheus_client.parser import text_string_to_metric_families

from pipeline.envelope import Envelope, Stage
from pipeline.errors import InvalidInput
from pipeline.observability import (
    ConnectorCollector,
    Health,
    JsonFormatter,
    ReadinessKeepalive,
    StatsCollector,
    Telemetry,
    record_fields,
)
from pipeline.runner import StageRunner
from pipeline.settings import RunnerSettings
from tests.unit.fakes import FakeDeadLetters, FakeOutput, FakeSource, good_records, record


def samples(telemetry: Telemetry) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(telemetry.render().decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


class Picky:
    name = "picky"

    def process(self, env: Envelope) -> Sequence[Envelope]:
        if env.id == "id-1":
            raise InvalidInput("bad: no text")
        if env.id == "id-2":
            return []
        return [env.advance(Stage.CLEANED)]

    def after_batch_written(self) -> None:
        return None


def test_runner_counters_reach_the_metrics_balanced() -> None:
    telemetry = Telemetry("test")
    batch = [*good_records(5), record(5, b"not json")]
    events: list[str] = []
    runner = StageRunner(
        stage=Picky(),  # type: ignore[arg-type]
        source=FakeSource([batch], events=events),
        output=FakeOutput(events),
        dead_letters=FakeDeadLetters(events),
        settings=RunnerSettings(),
        sleep=lambda _: None,
        telemetry=telemetry.stage("picky", lag=lambda: {("in", 0): 7}),
    )
    counters = runner.run(until_drained=True)
    found = samples(telemetry)
    stage = (("stage", "picky"),)

    def value(name: str) -> float:
        return found[(name, stage)]

    assert value("news_records_read_total") == counters.read == 6
    assert value("news_records_written_total") == counters.written == 3
    assert value("news_records_dropped_total") == counters.dropped == 1
    dead = sum(v for (n, _), v in found.items() if n == "news_records_dead_lettered_total")
    assert dead == counters.dead_lettered == 2
    assert value("news_records_read_total") == (
        value("news_records_written_total") + dead + value("news_records_dropped_total")
    )
    assert found[("news_record_processing_seconds_count", stage)] == 5
    assert found[("news_record_age_seconds_count", stage)] == 3
    assert found[("news_batch_seconds_count", stage)] == 1
    assert found[("news_breaker_consecutive_dead_letters", stage)] == 0  # a write came after
    assert found[("news_breaker_limit", stage)] == 50
    assert found[("news_consumer_lag", (("partition", "0"), ("stage", "picky"), ("topic", "in")))] == 7


def test_health_goes_stale_and_readiness_follows_waits() -> None:
    now = [100.0]
    health = Health(stale_after_s=30, clock=lambda: now[0])
    now[0] += 300  # a stage loading its models
    assert health.alive() == (True, "starting for 300s")
    assert not health.ready()[0]  # not connected yet
    health.connected()
    assert health.ready() == (True, "ready")
    now[0] += 31
    ok, why = health.alive()
    assert not ok and "31s ago" in why

    class Inner:
        ticks = 0

        def tick(self) -> None:
            Inner.ticks += 1

        def release(self) -> None:
            return None

    keepalive = ReadinessKeepalive(Inner(), health)
    keepalive.tick()
    keepalive.tick()
    assert health.alive()[0]  # a wait ticks the heartbeat
    assert not health.ready()[0]
    keepalive.release()
    assert health.ready()[0] and Inner.ticks == 2


def test_sink_and_connector_counters_are_exported() -> None:
    telemetry = Telemetry("test")
    stats = {"requests": 3, "retried_actions": 2}
    telemetry.watch(StatsCollector("news_bulk", "index", stats))
    snapshot = {"events": {"feed.fetched": 4}, "failures": {"feed-http-404": 1}}
    telemetry.watch(ConnectorCollector(lambda: snapshot, lambda: 2))
    telemetry.feed_polls.labels("failed").inc()
    stats["retried_actions"] = 5  # read at scrape time
    found = samples(telemetry)
    assert found[("news_bulk_retried_actions_total", (("stage", "index"),))] == 5
    assert found[("news_bulk_requests_total", (("stage", "index"),))] == 3
    assert found[("news_fetch_failures_total", (("reason", "feed-http-404"),))] == 1
    assert found[("news_connector_events_total", (("event", "feed.fetched"),))] == 4
    assert found[("news_feeds_backed_off", ())] == 2
    assert found[("news_feed_polls_total", (("status", "failed"),))] == 1


def test_json_log_lines_use_ecs_names_and_carry_the_record() -> None:
    formatter = JsonFormatter("news-clean")
    line = logging.LogRecord("pipeline.runner", logging.WARNING, __file__, 1, "dead %s", ("x",), None)
    for key, value in record_fields("news.raw", 2, 41, "abc", "clean").items():
        setattr(line, key, value)
    doc = json.loads(formatter.format(line))
    assert doc["message"] == "dead x"
    assert doc["log.level"] == "warning"
    assert doc["service.name"] == "news-clean"
    assert doc["@timestamp"].endswith("Z")
    assert (doc["article.id"], doc["kafka.topic"], doc["kafka.partition"], doc["kafka.offset"]) == (
        "abc", "news.raw", 2, 41
    )
    try:
        raise ValueError("boom")
    except ValueError:
        failed = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    doc = json.loads(formatter.format(failed))
    assert doc["error.type"] == "ValueError" and "boom" in doc["error.stack_trace"]
    assert "\n" not in formatter.format(failed)


def test_not_ready_while_the_runner_waits_to_retry_a_write() -> None:
    telemetry = Telemetry("test")
    events: list[str] = []
    output = FakeOutput(events, fail_retriably={"id-0": 2})
    seen_during_wait: list[bool] = []
    runner = StageRunner(
        stage=Picky(),  # type: ignore[arg-type]
        source=FakeSource([good_records(1, start=0)], events=events),
        output=output,
        dead_letters=FakeDeadLetters(events),
        settings=RunnerSettings(retry_attempts=5),
        sleep=lambda _: seen_during_wait.append(telemetry.health.ready()[0]),
        telemetry=telemetry.stage("picky"),
    )
    counters = runner.run(until_drained=True)
    assert counters.written == 1
    assert seen_during_wait == [False, False]
    assert telemetry.health.ready()[0]
    found = samples(telemetry)
    assert found[("news_retry_waits_total", (("kind", "retry"), ("stage", "picky")))] == 2
