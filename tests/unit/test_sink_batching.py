"""The consumer side: lingering for full batches (the sink's bulk requests, the deduplicate
stage's round trips), and the sink staying in the group while Elasticsearch is away."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from pipeline import messaging
from pipeline.index import ConsumerKeepalive
from pipeline.messaging import InboundRecord, LingeringSource
from pipeline.runner import StageRunner
from pipeline.settings import RunnerSettings, load_settings
from tests.unit.fakes import FakeDeadLetters, FakeOutput, FakeSource, good_records, record
from tests.unit.test_runner import Upper


def records(start: int, count: int, size: int = 10) -> list[InboundRecord]:
    return [record(start + i, b"x" * size) for i in range(count)]


def test_lingering_gathers_polls_up_to_the_record_bound() -> None:
    inner = FakeSource([records(0, 3), records(3, 3), records(6, 3), records(9, 3)])
    source = LingeringSource(inner, linger_s=0.3, max_records=7, max_bytes=10_000)
    batch = source.poll(1, 100)
    assert [r.offset for r in batch] == list(range(9))  # stops once 7 are reached
    assert [r.offset for r in source.poll(1, 100)] == [9, 10, 11]


def test_lingering_stops_at_the_byte_bound() -> None:
    inner = FakeSource([records(0, 2, size=600), records(2, 2, size=600), records(4, 2)])
    source = LingeringSource(inner, linger_s=0.3, max_records=100, max_bytes=2_000)
    assert [r.offset for r in source.poll(1, 100)] == [0, 1, 2, 3]


@dataclass
class ManualClock:
    now: float = 1000.0

    def monotonic(self) -> float:
        return self.now


@dataclass
class SlowSource(FakeSource):
    """With nothing to give, a poll "waits" ``delay_s`` (at most its timeout) on a manual clock."""

    clock: ManualClock = field(default_factory=ManualClock)
    delay_s: float = 0.125
    timeouts: list[int] = field(default_factory=list)

    def poll(self, max_records: int, timeout_ms: int) -> list[InboundRecord]:
        self.timeouts.append(timeout_ms)
        if not self.batches:
            self.clock.now += min(self.delay_s, timeout_ms / 1000)
        return super().poll(max_records, timeout_ms)


def test_lingering_returns_when_the_linger_time_is_over(monkeypatch: pytest.MonkeyPatch) -> None:
    inner = SlowSource([records(0, 2)])
    monkeypatch.setattr(messaging, "time", SimpleNamespace(monotonic=inner.clock.monotonic))
    source = LingeringSource(inner, linger_s=0.25, max_records=100, max_bytes=10_000)
    assert len(source.poll(1, 100)) == 2
    # After the first records: polls for what is left of the linger time, and no more.
    assert inner.timeouts == [100, 250, 125]
    assert inner.clock.now == 1000.25
    inner.timeouts.clear()
    assert source.poll(1, 10) == []  # nothing: no lingering
    assert inner.timeouts == [10]


def test_lingering_passes_commit_and_drained_through() -> None:
    inner = FakeSource([])
    source = LingeringSource(inner, linger_s=0.1, max_records=10, max_bytes=100)
    source.commit({("in", 0): 5})
    assert inner.commits == [{("in", 0): 5}] and source.drained()
    source.close()
    assert inner.closed


@dataclass
class Message:
    offset: int


@dataclass
class FakeConsumer:
    """Assignment changes on the second poll, as in a rebalance, and that poll returns records
    of the newly assigned partition."""

    assigned: set[str] = field(default_factory=lambda: {"p0", "p1"})
    paused_set: set[str] = field(default_factory=set)
    polls: int = 0
    seeks: list[tuple[str, int]] = field(default_factory=list)

    def assignment(self) -> set[str]:
        return set(self.assigned)

    def pause(self, *partitions: str) -> None:
        self.paused_set.update(partitions)

    def paused(self) -> set[str]:
        return set(self.paused_set)

    def resume(self, *partitions: str) -> None:
        self.paused_set.difference_update(partitions)

    def poll(self, timeout_ms: int) -> dict[str, list[Any]]:
        self.polls += 1
        if self.polls == 2:
            self.assigned = {"p1", "p2"}
            self.paused_set &= self.assigned
            return {"p2": [Message(40), Message(41)]}
        return {p: [Message(1)] for p in self.assigned if p not in self.paused_set}

    def seek(self, partition: str, offset: int) -> None:
        self.seeks.append((partition, offset))


def test_keepalive_polls_paused_partitions_and_gives_back_what_a_rebalance_delivers() -> None:
    consumer = FakeConsumer()
    keepalive = ConsumerKeepalive(consumer)
    keepalive.tick()
    assert consumer.paused_set == {"p0", "p1"} and consumer.seeks == []
    keepalive.tick()  # a rebalance: p0 revoked, p2 assigned and polled before it was paused
    assert consumer.seeks == [("p2", 40)]
    assert consumer.paused_set == {"p1", "p2"}
    keepalive.release()
    assert consumer.paused_set == set()
    keepalive.release()  # idempotent
    assert consumer.polls == 2


def test_a_lingering_stage_makes_one_batch_of_a_trickle_and_commits_it_after_the_write() -> None:
    events: list[str] = []
    trickle = [good_records(1, start=n) for n in range(4)]
    inner = FakeSource(trickle, events=events)
    output = FakeOutput(events)
    runner = StageRunner(
        stage=Upper(events), source=LingeringSource(inner, 0.5, 100, 10_000_000), output=output,
        dead_letters=FakeDeadLetters(events), settings=RunnerSettings(), batch_size=100,
    )
    counters = runner.run(until_drained=True)
    assert output.calls == [["id-0", "id-1", "id-2", "id-3"]]
    assert events == ["write", "dlq-flush", "state-persisted", "commit"]
    assert inner.commits == [{("in", 0): 4}]
    assert counters.batches == 1 and counters.balanced()


def test_a_stage_lingers_only_when_the_setting_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline import topology

    class Consumer:
        def __init__(self, *args: object, **kwargs: object) -> None:
            self.consumer = None

    monkeypatch.setattr(topology, "ensure_topics", lambda *a: [])
    monkeypatch.setattr(topology, "KafkaSource", Consumer)
    monkeypatch.setattr(topology, "make_producer", lambda *a: None)
    settings = load_settings()
    stage = Upper()
    assert isinstance(topology.build_runner("deduplicate", settings, stage=stage).source, Consumer)
    settings.runner.batch_linger_ms = 150
    source = topology.build_runner("deduplicate", settings, stage=stage).source
    assert isinstance(source, LingeringSource) and source._linger_s == 0.15
