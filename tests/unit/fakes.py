"""In-memory stand-ins for the runner's consumer, output and dead-letter producer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pipeline.envelope import Envelope, encode
from pipeline.errors import InvalidInput
from pipeline.messaging import InboundRecord, WriteReport


def envelope(n: int, **fields: object) -> Envelope:
    return Envelope(
        id=f"id-{n}",
        url=f"https://example.org/{n}",
        source="test",
        first_seen=datetime(2026, 11, 1, tzinfo=UTC),
        **fields,  # type: ignore[arg-type]
    )


def record(offset: int, value: bytes | None, partition: int = 0) -> InboundRecord:
    return InboundRecord("in", partition, offset, f"k{offset}".encode(), value)


def good_records(count: int, start: int = 0) -> list[InboundRecord]:
    return [record(start + i, encode(envelope(start + i))) for i in range(count)]


@dataclass
class FakeSource:
    batches: list[list[InboundRecord]]
    commits: list[dict[tuple[str, int], int]] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    closed: bool = False

    def poll(self, max_records: int, timeout_ms: int) -> list[InboundRecord]:
        return self.batches.pop(0) if self.batches else []

    def commit(self, offsets: dict[tuple[str, int], int]) -> None:
        self.events.append("commit")
        self.commits.append(dict(offsets))

    def drained(self) -> bool:
        return not self.batches

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeOutput:
    """Records what was written; can fail chosen ids retriably (a number of times) or for good."""

    events: list[str]
    written: list[Envelope] = field(default_factory=list)
    fail_retriably: dict[str, int] = field(default_factory=dict)
    fail_permanently: set[str] = field(default_factory=set)
    calls: list[list[str]] = field(default_factory=list)

    def write(self, envelopes: Sequence[Envelope]) -> WriteReport:
        self.events.append("write")
        self.calls.append([e.id for e in envelopes])
        report = WriteReport()
        for index, env in enumerate(envelopes):
            if env.id in self.fail_permanently:
                report.permanent[index] = InvalidInput(f"mapping conflict for {env.id}")
            elif self.fail_retriably.get(env.id, 0) > 0:
                self.fail_retriably[env.id] -= 1
                report.retriable[index] = "429 too many requests"
            else:
                self.written.append(env)
        return report

    def close(self) -> None:
        return None


@dataclass
class FakeDeadLetters:
    events: list[str]
    sent: list[tuple[InboundRecord, str, str, bytes | None]] = field(default_factory=list)

    def send(self, record: InboundRecord, stage: str, reason: str, value: bytes | None) -> None:
        self.sent.append((record, stage, reason, value))

    def flush(self) -> None:
        self.events.append("dlq-flush")

    def close(self) -> None:
        return None


class CountingKeepalive:
    """A consumer keepalive that counts its ticks and releases."""

    def __init__(self) -> None:
        self.ticks = 0
        self.releases = 0

    def tick(self) -> None:
        self.ticks += 1

    def release(self) -> None:
        self.releases += 1
