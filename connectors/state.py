"""What the feed connector remembers about each feed, and where it keeps it.

One :class:`FeedState` per feed URL: the validators of the last response (ETag,
Last-Modified), when to poll next and why, consecutive failures, and the entries already
published with a hash of their content (to tell an update from a new entry). The entry memory is
bounded: entries still in the feed are always kept, others up to ``seen_entries_max``, newest
sightings first.

The production store is a compacted Kafka topic keyed by feed URL
(:class:`connectors.publisher.KafkaStateStore`), so state survives restarts and every connector
process can load the feeds it owns. :class:`MemoryStateStore` serves the tests and simulations.
A state is saved only after everything it records as published has been acknowledged.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

STATE_SCHEMA_VERSION = 1


class SeenEntry(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(description="the envelope id the entry was published under")
    hash: str = Field(description="hash of the entry's title, link and text")
    revision: int = 0
    first_seen: datetime
    posted: datetime = Field(description="when the entry says it was posted, else first_seen")
    last_seen: datetime


class FeedState(BaseModel):
    model_config = ConfigDict(extra="ignore")

    schema_version: int = STATE_SCHEMA_VERSION
    url: str
    etag: str | None = None
    last_modified: str | None = None
    next_poll: datetime | None = None
    next_poll_reason: str | None = None
    last_poll: datetime | None = None
    last_success: datetime | None = None
    interval_s: float | None = None
    ttl_s: float | None = Field(None, description="the feed's own <ttl>, in seconds")
    failures: int = 0
    backed_off: bool = False
    last_error: str | None = None
    guid_unreliable: bool = Field(
        False, description="the feed reuses GUIDs across entries: identify entries by link"
    )
    polls: int = 0
    entries: dict[str, SeenEntry] = Field(default_factory=dict)

    def prune(self, current: Iterable[str], limit: int) -> None:
        """Forget the oldest-sighted entries beyond ``limit``, never one still in the feed."""
        if len(self.entries) <= limit:
            return
        keep = {key for key in current if key in self.entries}
        others = sorted(
            (key for key in self.entries if key not in keep),
            key=lambda key: self.entries[key].last_seen,
            reverse=True,
        )
        keep.update(others[: max(0, limit - len(keep))])
        self.entries = {key: value for key, value in self.entries.items() if key in keep}

    def encode(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode("utf-8")

    @classmethod
    def decode(cls, data: bytes) -> FeedState:
        return cls.model_validate_json(data)


class StateSaveError(Exception):
    """The state could not be stored; the next poll will redo (not lose) the work."""


class StateStore(Protocol):
    def load(self, urls: Iterable[str]) -> dict[str, FeedState]:
        """The stored state of each of ``urls`` that has one."""
        ...

    def save(self, state: FeedState) -> None:
        """Store durably (acknowledged) or raise StateSaveError."""
        ...


class MemoryStateStore:
    def __init__(self) -> None:
        self.saved: dict[str, bytes] = {}
        self.saves = 0
        self._lock = threading.Lock()

    def load(self, urls: Iterable[str]) -> dict[str, FeedState]:
        with self._lock:
            return {url: FeedState.decode(self.saved[url]) for url in urls if url in self.saved}

    def save(self, state: FeedState) -> None:
        with self._lock:
            self.saved[state.url] = state.encode()
            self.saves += 1
