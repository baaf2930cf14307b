"""The in-memory counterpart of the story query: recent articles' sketches and an inverted
index from each sketch word to the articles that have it.

It is bounded, so a long single-process run does not grow without limit: at most ``capacity``
articles are kept (the oldest added go first) and, for each query word, only the
``scanned_per_word`` most recently added articles having it are looked at (a word most articles
of the window share says little about the story anyway). Within those bounds a query finds what
the Elasticsearch query finds: the articles first seen in a time range that share at least
``MIN_SHARED_TERMS`` of the probe's query words; the caller decides by the cosine.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.dedup.stories import MIN_SHARED_TERMS, STORY_CANDIDATES, StorySketch

DEFAULT_CAPACITY = 50_000
DEFAULT_SCANNED_PER_WORD = 256


@dataclass(frozen=True)
class StoryEntry:
    id: str
    first_seen: float
    sketch: StorySketch


class StoryTermIndex:
    def __init__(
        self, capacity: int = DEFAULT_CAPACITY, scanned_per_word: int = DEFAULT_SCANNED_PER_WORD
    ) -> None:
        self.capacity = capacity
        self.scanned_per_word = scanned_per_word
        self._entries: dict[int, StoryEntry] = {}  # serial -> entry, oldest first
        self._serial_of: dict[str, int] = {}
        self._postings: dict[str, array[int]] = {}
        self._postings_size = 0  # serials in the postings, removed articles' included
        self._live_size = 0  # terms of the articles kept
        self._next = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[StoryEntry]:
        return iter(list(self._entries.values()))

    def sketch_of(self, doc_id: str) -> StorySketch | None:
        serial = self._serial_of.get(doc_id)
        return None if serial is None else self._entries[serial].sketch

    def add(self, doc_id: str, first_seen: float, sketch: StorySketch) -> None:
        """Store (or replace) the sketch of an article."""
        serial = self._serial_of.get(doc_id)
        if serial is not None:
            entry = self._entries[serial]
            if entry.first_seen == first_seen and entry.sketch == sketch:
                return
            self.remove(doc_id)
        serial = self._next
        self._next += 1
        self._entries[serial] = StoryEntry(doc_id, first_seen, sketch)
        self._serial_of[doc_id] = serial
        for term in sketch.terms:
            postings = self._postings.get(term)
            if postings is None:
                postings = self._postings[term] = array("q")
            postings.append(serial)
        self._postings_size += len(sketch.terms)
        self._live_size += len(sketch.terms)
        while len(self._entries) > self.capacity:
            self.remove(self._entries[next(iter(self._entries))].id)
        if self._postings_size > 2 * self._live_size + 65_536:
            self._compact()

    def remove(self, doc_id: str) -> None:
        serial = self._serial_of.pop(doc_id, None)
        if serial is not None:
            # Its postings are skipped from now on, and dropped by the next _compact.
            self._live_size -= len(self._entries.pop(serial).sketch.terms)

    def expire(self, before: float) -> None:
        for entry in [e for e in self._entries.values() if e.first_seen < before]:
            self.remove(entry.id)
        self._compact()

    def candidates(
        self, probe: StorySketch, after: float, until: float, exclude: str
    ) -> list[StoryEntry]:
        """Articles first seen in [after, until] (not ``exclude``) sharing at least
        MIN_SHARED_TERMS of the probe's query words; at most STORY_CANDIDATES, those sharing
        the most query weight first (then by first_seen, id)."""
        shared: dict[int, list[float]] = {}
        own = self._serial_of.get(exclude, -1)
        for term, weight in zip(probe.query(), probe.weights, strict=False):
            postings = self._postings.get(term)
            if postings is None:
                continue
            recent = postings[-self.scanned_per_word - 1 :]
            if recent and recent[-1] == own:
                recent = recent[:-1]  # the article itself, when it is already stored
            for serial in recent[-self.scanned_per_word :]:
                found = shared.get(serial)
                if found is None:
                    shared[serial] = [1.0, weight]
                else:
                    found[0] += 1.0
                    found[1] += weight
        ranked: list[tuple[float, float, str, StoryEntry]] = []
        for serial, (count, weight) in shared.items():
            if count < MIN_SHARED_TERMS:
                continue
            entry = self._entries.get(serial)
            if entry is None or entry.id == exclude or not after <= entry.first_seen <= until:
                continue
            ranked.append((-weight, entry.first_seen, entry.id, entry))
        ranked.sort(key=lambda item: item[:3])
        return [entry for *_, entry in ranked[:STORY_CANDIDATES]]

    def _compact(self) -> None:
        postings: dict[str, array[int]] = {}
        for serial, entry in self._entries.items():
            for term in entry.sketch.terms:
                found = postings.get(term)
                if found is None:
                    found = postings[term] = array("q")
                found.append(serial)
        self._postings = postings
        self._postings_size = sum(len(p) for p in postings.values())
