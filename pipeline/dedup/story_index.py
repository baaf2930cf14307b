"""The in-memory counterpart of the story query: recent articles' sketches and an inverted
index from each name in a sketch to the articles that have it.

A story link needs a shared name (:func:`pipeline.dedup.stories.best_story`), so an article
whose sketch has no name is not kept, and a query looks only at the articles sharing one of the
probe's names. The index is bounded, so a long single-process run does not grow without limit:
at most ``capacity`` articles are kept (the oldest added go first) and, for each name, only the
``scanned_per_name`` most recently added articles having it are looked at. Within those bounds
a query finds what the Elasticsearch query finds: the articles first seen in a time range that
share a name with the probe, those sharing the most name weight first; the caller decides by
the cosine.
"""

from __future__ import annotations

import heapq
import sys
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter

from pipeline.dedup.stories import STORY_CANDIDATES, StorySketch

DEFAULT_CAPACITY = 30_000
DEFAULT_SCANNED_PER_NAME = 32
_by_weight = itemgetter(1, 0)  # (serial, shared weight) by weight, then the latest added


@dataclass(frozen=True)
class StoryEntry:
    id: str
    first_seen: float
    terms: tuple[str, ...]  # interned: a word is stored once however many articles have it
    weights: array[float]
    names: tuple[str, ...]

    @property
    def sketch(self) -> StorySketch:
        return StorySketch(self.terms, tuple(self.weights), self.names)


class StoryTermIndex:
    def __init__(
        self, capacity: int = DEFAULT_CAPACITY, scanned_per_name: int = DEFAULT_SCANNED_PER_NAME
    ) -> None:
        self.capacity = capacity
        self.scanned_per_name = scanned_per_name
        self._entries: dict[int, StoryEntry] = {}  # serial -> entry, oldest first
        self._serial_of: dict[str, int] = {}
        self._postings: dict[str, array[int]] = {}
        self._postings_size = 0  # serials in the postings, removed articles' included
        self._live_size = 0  # names of the articles kept
        self._next = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[StoryEntry]:
        return iter(list(self._entries.values()))

    def sketch_of(self, doc_id: str) -> StorySketch | None:
        serial = self._serial_of.get(doc_id)
        return None if serial is None else self._entries[serial].sketch

    def add(self, doc_id: str, first_seen: float, sketch: StorySketch) -> None:
        """Store (or replace) the sketch of an article; one without a name is not kept."""
        serial = self._serial_of.get(doc_id)
        if serial is not None:
            entry = self._entries[serial]
            if entry.first_seen == first_seen and entry.sketch == sketch:
                return
            self.remove(doc_id)
        if not sketch.names:
            return
        serial = self._next
        self._next += 1
        names = tuple(sys.intern(n) for n in sketch.names)
        self._entries[serial] = StoryEntry(
            doc_id, first_seen, tuple(sys.intern(t) for t in sketch.terms),
            array("d", sketch.weights), names,
        )
        self._serial_of[doc_id] = serial
        for name in names:
            postings = self._postings.get(name)
            if postings is None:
                postings = self._postings[name] = array("q")
            postings.append(serial)
        self._postings_size += len(names)
        self._live_size += len(names)
        while len(self._entries) > self.capacity:
            self.remove(self._entries[next(iter(self._entries))].id)
        if self._postings_size > 2 * self._live_size + 65_536:
            self._compact()

    def remove(self, doc_id: str) -> None:
        serial = self._serial_of.pop(doc_id, None)
        if serial is not None:
            # Its postings are skipped from now on, and dropped by the next _compact.
            self._live_size -= len(self._entries.pop(serial).names)

    def expire(self, before: float) -> None:
        for entry in [e for e in self._entries.values() if e.first_seen < before]:
            self.remove(entry.id)
        self._compact()

    def candidates(
        self, probe: StorySketch, after: float, until: float, exclude: str
    ) -> list[StoryEntry]:
        """Articles first seen in [after, until] (not ``exclude``) sharing a name with the
        probe; at most STORY_CANDIDATES, those sharing the most name weight first (then the latest
        added)."""
        shared: dict[int, float] = {}
        own = self._serial_of.get(exclude, -1)
        for name in probe.names:
            postings = self._postings.get(name)
            if postings is None:
                continue
            recent = postings[-self.scanned_per_name - 1 :]
            if recent and recent[-1] == own:
                recent = recent[:-1]  # the article itself, when it is already stored
            weight = probe.weights[probe.terms.index(name)]
            get = shared.get
            for serial in recent[-self.scanned_per_name :]:
                shared[serial] = get(serial, 0.0) + weight
        # Most shared name weight first, then the latest added: a few more than wanted are
        # ranked first (some may be out of the time range), all of them only if need be.
        ranked = heapq.nlargest(2 * STORY_CANDIDATES, shared.items(), key=_by_weight)
        found = self._usable(ranked, after, until, exclude)
        if len(found) < STORY_CANDIDATES < len(shared):
            ranked = sorted(shared.items(), key=_by_weight, reverse=True)
            found = self._usable(ranked, after, until, exclude)
        return found

    def _usable(
        self, ranked: list[tuple[int, float]], after: float, until: float, exclude: str
    ) -> list[StoryEntry]:
        found: list[StoryEntry] = []
        for serial, _ in ranked:
            entry = self._entries.get(serial)
            if entry is None or entry.id == exclude or not after <= entry.first_seen <= until:
                continue
            found.append(entry)
            if len(found) == STORY_CANDIDATES:
                break
        return found

    def _compact(self) -> None:
        postings: dict[str, array[int]] = {}
        for serial, entry in self._entries.items():
            for name in entry.names:
                found = postings.get(name)
                if found is None:
                    found = postings[name] = array("q")
                found.append(serial)
        self._postings = postings
        self._postings_size = sum(len(p) for p in postings.values())
