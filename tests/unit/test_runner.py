from __future__ import annotations

import json
from collections.abc import Sequence

import pytest

from pipeline.envelope import Envelope, Stage, encode
from pipeline.errors import DeadLetterStorm, InvalidInput, RecordTooLarge, RetriableError
from pipeline.runner import StageRunner
from pipeline.settings import RunnerSettings
from tests.unit.fakes import (
    FakeDeadLetters,
    FakeOutput,
    FakeSource,
    envelope,
    good_records,
    record,
)


class Upper:
    """A stage that marks the envelope cleaned; rejects ids ending in '-bad'."""

    name = "upper"

    def __init__(self, events: list[str] | None = None) -> None:
        self.events = events if events is not None else []

    def process(self, env: Envelope) -> Sequence[Envelope]:
        if env.id.endswith("-bad"):
            raise InvalidInput("cannot clean this one")
        return [env.advance(Stage.CLEANED)]

    def after_batch_written(self) -> None:
        self.events.append("state-persisted")


def make_runner(
    batches: list[list[object]], stage: object | None = None, breaker: int = 50
) -> tuple[StageRunner, FakeSource, FakeOutput, FakeDeadLetters, list[str]]:
    events: list[str] = []
    source = FakeSource(batches, events=events)  # type: ignore[arg-type]
    output = FakeOutput(events)
    dead = FakeDeadLetters(events)
    runner = StageRunner(
        stage=stage or Upper(events),  # type: ignore[arg-type]
        source=source,
        output=output,
        dead_letters=dead,
        settings=RunnerSettings(dlq_breaker=breaker, retry_attempts=3),
        sleep=lambda _: None,
    )
    return runner, source, output, dead, events


def test_writes_then_persists_state_then_commits_next_offsets() -> None:
    runner, source, output, _, events = make_runner([good_records(3), good_records(2, start=3)])
    counters = runner.run(until_drained=True)
    assert [e.id for e in output.written] == [f"id-{i}" for i in range(5)]
    assert all(e.stage is Stage.CLEANED for e in output.written)
    assert source.commits == [{("in", 0): 3}, {("in", 0): 5}]
    assert events == ["write", "dlq-flush", "state-persisted", "commit"] * 2
    assert (counters.read, counters.written, counters.dead_lettered) == (5, 5, 0)
    assert counters.balanced()
    assert source.closed


def test_undecodable_bytes_go_to_dead_letters_with_original_bytes_and_the_batch_goes_on() -> None:
    poison = b"\xff\xfe not json"
    batch = [*good_records(2), record(2, poison), *good_records(1, start=3)]
    runner, source, output, dead, _ = make_runner([batch])
    counters = runner.run(until_drained=True)
    assert [e.id for e in output.written] == ["id-0", "id-1", "id-3"]
    assert len(dead.sent) == 1
    rec, stage, reason, value = dead.sent[0]
    assert (rec.offset, stage, value) == (2, "upper", poison)
    assert "not a valid envelope" in reason
    assert source.commits == [{("in", 0): 4}]
    assert counters.dead_lettered == 1 and counters.balanced()


def test_schema_violation_and_invalid_input_are_dead_lettered() -> None:
    wrong_version = json.dumps({"schema_version": 99, "id": "x"}).encode()
    bad = encode(envelope(0).model_copy(update={"id": "id-bad"}))
    runner, _, output, dead, _ = make_runner([[record(0, wrong_version), record(1, bad)]])
    counters = runner.run(until_drained=True)
    assert output.written == []
    reasons = [reason for _, _, reason, _ in dead.sent]
    assert "schema_version" in reasons[0]
    assert reasons[1] == "cannot clean this one"
    assert counters.balanced() and counters.dead_lettered == 2


def test_only_failed_items_are_retried() -> None:
    runner, _, output, _, _ = make_runner([good_records(3)])
    output.fail_retriably = {"id-1": 2}
    counters = runner.run(until_drained=True)
    assert output.calls == [["id-0", "id-1", "id-2"], ["id-1"], ["id-1"]]
    assert sorted(e.id for e in output.written) == ["id-0", "id-1", "id-2"]
    assert counters.written == 3


def test_persistent_retriable_failure_crashes_without_committing() -> None:
    runner, source, output, _, events = make_runner([good_records(2)])
    output.fail_retriably = {"id-0": 99}
    with pytest.raises(RetriableError, match="still failing after 3 attempts"):
        runner.run(until_drained=True)
    assert source.commits == []
    assert "state-persisted" not in events


def test_permanent_write_failure_is_dead_lettered_and_rest_committed() -> None:
    runner, source, output, dead, _ = make_runner([good_records(3)])
    output.fail_permanently = {"id-1"}
    counters = runner.run(until_drained=True)
    assert [e.id for e in output.written] == ["id-0", "id-2"]
    assert [r.offset for r, _, _, _ in dead.sent] == [1]
    assert "mapping conflict" in dead.sent[0][2]
    assert source.commits == [{("in", 0): 3}]
    assert counters.balanced()


def test_oversize_output_becomes_a_small_notice() -> None:
    class TooLargeOutput(FakeOutput):
        def write(self, envelopes: Sequence[Envelope]):  # type: ignore[no-untyped-def]
            report = super().write([])
            report.permanent[0] = RecordTooLarge(5_000_000, 1_000_000, "id-0", "https://e/0")
            return report

    runner, _, _, dead, events = make_runner([good_records(1)])
    runner.output = TooLargeOutput(events)
    runner.run(until_drained=True)
    notice = json.loads(dead.sent[0][3] or b"")
    assert notice == {
        "reason": "record too large", "stage": "upper", "size": 5_000_000,
        "limit": 1_000_000, "id": "id-0", "url": "https://e/0",
    }


def test_breaker_stops_a_stage_that_dead_letters_everything() -> None:
    poison = [record(i, b"garbage") for i in range(5)]
    runner, source, _, dead, _ = make_runner([poison, good_records(1, start=5)], breaker=5)
    with pytest.raises(DeadLetterStorm):
        runner.run(until_drained=True)
    assert len(dead.sent) == 5
    assert source.commits == [{("in", 0): 5}]


def test_breaker_counts_only_consecutive_dead_letters() -> None:
    batch = [record(0, b"x"), record(1, b"x"), *good_records(1, start=2), record(3, b"x")]
    runner, _, _, _, _ = make_runner([batch], breaker=3)
    counters = runner.run(until_drained=True)
    assert counters.dead_lettered == 3


def test_stop_request_finishes_the_current_batch_and_commits() -> None:
    class StopAfterFirst(Upper):
        def process(self, env: Envelope) -> Sequence[Envelope]:
            runner.request_stop()
            return super().process(env)

    runner, source, output, _, _ = make_runner(
        [good_records(2), good_records(2, start=2)], stage=StopAfterFirst()
    )
    counters = runner.run()
    assert [e.id for e in output.written] == ["id-0", "id-1"]
    assert source.commits == [{("in", 0): 2}]
    assert counters.read == 2


def test_offsets_are_committed_per_partition() -> None:
    batch = [
        record(10, encode(envelope(1)), partition=0),
        record(7, encode(envelope(2)), partition=1),
        record(11, encode(envelope(3)), partition=0),
    ]
    runner, source, _, _, _ = make_runner([batch])
    runner.run(until_drained=True)
    assert source.commits == [{("in", 0): 12, ("in", 1): 8}]


def test_stage_returning_nothing_counts_as_dropped() -> None:
    class DropAll(Upper):
        def process(self, env: Envelope) -> Sequence[Envelope]:
            return []

    runner, _, output, _, _ = make_runner([good_records(4)], stage=DropAll())
    counters = runner.run(until_drained=True)
    assert output.written == []
    assert (counters.read, counters.dropped, counters.balanced()) == (4, 4, True)


def test_retriable_stage_error_is_retried_then_succeeds() -> None:
    class Flaky(Upper):
        failures = 2

        def process(self, env: Envelope) -> Sequence[Envelope]:
            if self.failures:
                self.failures -= 1
                raise RetriableError("state store unavailable")
            return super().process(env)

    runner, _, output, dead, _ = make_runner([good_records(1)], stage=Flaky())
    runner.run(until_drained=True)
    assert [e.id for e in output.written] == ["id-0"]
    assert dead.sent == []


def test_prepare_batch_sees_every_decodable_envelope_before_processing() -> None:
    class Batched(Upper):
        def prepare_batch(self, envelopes: Sequence[Envelope]) -> None:
            self.events.append("prepare:" + ",".join(e.id for e in envelopes))

        def process(self, env: Envelope) -> Sequence[Envelope]:
            self.events.append("process:" + env.id)
            return super().process(env)

    events: list[str] = []
    batch = [*good_records(2), record(2, b"poison")]
    runner, _, output, dead, _ = make_runner([batch], stage=Batched(events))
    runner.run(until_drained=True)
    assert events[:3] == ["prepare:id-0,id-1", "process:id-0", "process:id-1"]
    assert len(output.written) == 2 and len(dead.sent) == 1


def test_prepare_batch_retriable_failure_is_retried_then_fatal_without_commit() -> None:
    class Unavailable(Upper):
        calls = 0

        def prepare_batch(self, envelopes: Sequence[Envelope]) -> None:
            self.calls += 1
            raise RetriableError("state store unavailable")

    stage = Unavailable()
    runner, source, _, _, _ = make_runner([good_records(2)], stage=stage)
    with pytest.raises(RetriableError):
        runner.run(until_drained=True)
    assert stage.calls == 3 and source.commits == []


class Stateful(Upper):
    """Upper with staged state, told which articles were dead-lettered after processing."""

    def __init__(self, events: list[str]) -> None:
        super().__init__(events)
        self.discarded: list[list[str]] = []

    def discard_staged(self, envelope_ids: Sequence[str]) -> None:
        self.events.append("discard")
        self.discarded.append(list(envelope_ids))


def test_articles_dead_lettered_after_processing_are_discarded_before_state_persists() -> None:
    events: list[str] = []
    stage = Stateful(events)
    batch = [
        *good_records(3),
        record(3, encode(envelope(3).model_copy(update={"id": "id-3-bad"}))),  # stage refuses
        record(4, b"\xff not json"),  # never decoded: the stage staged nothing for it
    ]
    runner, source, output, dead, events = make_runner([batch], stage=stage)
    stage.events = events
    output.fail_permanently = {"id-1"}
    counters = runner.run(until_drained=True)
    assert [e.id for e in output.written] == ["id-0", "id-2"]
    assert sorted(r.offset for r, _, _, _ in dead.sent) == [1, 3, 4]
    assert stage.discarded == [["id-3-bad", "id-1"]]
    assert events == ["write", "dlq-flush", "discard", "state-persisted", "commit"]
    assert counters.dead_lettered == 3 and counters.balanced()
    assert source.commits == [{("in", 0): 5}]


def test_nothing_is_discarded_for_a_clean_batch_or_a_written_revision() -> None:
    events: list[str] = []
    stage = Stateful(events)
    # The same article twice: the first revision is written, the second fails for good.
    first = envelope(7)
    second = first.model_copy(update={"revision": 1})
    runner, _, _, _, events = make_runner(
        [good_records(2), [record(0, encode(first)), record(1, encode(second))]], stage=stage
    )
    stage.events = events

    class FailSecondRevision(FakeOutput):
        def write(self, envelopes: Sequence[Envelope]):  # type: ignore[no-untyped-def]
            report = super().write([e for e in envelopes if e.revision == 0])
            for index, env in enumerate(envelopes):
                if env.revision == 1:
                    report.permanent[index] = InvalidInput("mapping conflict")
            return report

    runner.output = FailSecondRevision(events)
    counters = runner.run(until_drained=True)
    assert stage.discarded == []
    assert "discard" not in events
    assert counters.dead_lettered == 1 and counters.balanced()
