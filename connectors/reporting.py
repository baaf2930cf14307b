"""How the connectors say what went wrong: a counter, a log line and a fetch-error record.

Every failure has a short reason (``feed-http-404``, ``page-timeout``, ``feed-malformed``...):
the same string is counted in :class:`Metrics`, logged, and sent as a :class:`FetchErrorRecord`
to ``<prefix>.fetch-errors`` (see docs/connectors.md for the list). Nothing here stops the
connector: the record is information, the feed or page is retried on its own schedule.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Literal, Protocol

log = logging.getLogger(__name__)

Kind = Literal["feed", "page", "robots", "sitemap", "state", "publish"]


@dataclass(frozen=True)
class FetchErrorRecord:
    kind: Kind
    url: str
    reason: str
    time: datetime
    detail: str = ""
    feed_url: str | None = None
    http_status: int | None = None
    consecutive_failures: int | None = None

    @property
    def counter(self) -> str:
        return f"{self.kind}-{self.reason}"

    def to_json(self) -> bytes:
        data = asdict(self)
        data["time"] = self.time.isoformat()
        return json.dumps({k: v for k, v in data.items() if v not in (None, "")}).encode("utf-8")


class ErrorSink(Protocol):
    def send(self, record: FetchErrorRecord) -> None: ...

    def flush(self) -> None:
        """Block until sent records are acknowledged; log (never raise) what was not."""
        ...


class MemoryErrorSink:
    def __init__(self) -> None:
        self.records: list[FetchErrorRecord] = []
        self._lock = threading.Lock()

    def send(self, record: FetchErrorRecord) -> None:
        with self._lock:
            self.records.append(record)

    def flush(self) -> None:
        return None


@dataclass
class Metrics:
    """Thread-safe counters: ``events`` (``feed.polled``, ``feed.not-modified``, ``entries.new``...)
    and ``failures`` by reason (``feed-http-404``, ``page-timeout``...)."""

    events: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def incr(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self.events[name] += amount

    def fail(self, reason: str) -> None:
        with self._lock:
            self.failures[reason] += 1

    def snapshot(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {
                "events": dict(sorted(self.events.items())),
                "failures": dict(sorted(self.failures.items())),
            }


class Reporter:
    """Counts, logs and records one failure."""

    def __init__(self, metrics: Metrics, sink: ErrorSink) -> None:
        self.metrics = metrics
        self.sink = sink

    def failure(self, record: FetchErrorRecord, level: int = logging.WARNING) -> None:
        self.metrics.fail(record.counter)
        log.log(level, "%s %s: %s%s", record.kind, record.url, record.reason,
                f" ({record.detail})" if record.detail else "")
        self.sink.send(record)
