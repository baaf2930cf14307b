"""Dedup state: what the deduplicator remembers, behind one protocol with two implementations.

:class:`DedupState` is the contract:

* ``get(id)`` — the stored record of an article id (URL/GUID layer, updates, replays);
* ``put(record)`` — store or replace a record; visible to other workers at once, marked
  *pending* until ``commit``;
* ``claim(keys, record, horizon)`` — for each key (content hash, LSH bands) the first record
  that claimed it; claiming is atomic per key, which is what makes concurrent workers agree (see
  docs/deduplication.md). A key whose owner was first seen before ``horizon`` (out of the time
  window) passes to the claimant;
* ``records(ids)`` — records by id, without pending records whose owner evidently died;
* ``commit()`` — called from the stage's ``after_batch_written``: the batch's records become
  confirmed (and, for the in-memory state, a snapshot is written if it has a path);
* ``discard(ids)`` — forget the records stored since the last commit for these ids (their
  articles went to the dead-letter topic): they are no longer returned and the keys they claimed
  pass to the next claimant. An id with nothing stored since the last commit is left alone;
  an update discarded this way forgets the article's earlier text too (a replay stores it again);
* ``expire(before)`` — forget everything first seen before ``before`` (the time window);
* ``story_candidates(id, first_seen, sketch, after)`` — the stored articles first seen between
  ``after`` and ``first_seen`` that share a name with the sketch (the story
  layer, :mod:`pipeline.dedup.stories`), each with its story (None while its decision is
  pending); a record's ``sketch`` is stored with it.

:class:`MemoryState` serves unit tests, single-worker runs and the million-document benchmark;
:class:`pipeline.dedup.es_state.ElasticsearchDedupState` is the shared, durable one.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from pipeline.dedup.claims import ClaimTable
from pipeline.dedup.signatures import NUM_PERM, U32
from pipeline.dedup.stories import EMPTY_SKETCH, StoryCandidate, StorySketch
from pipeline.dedup.story_index import DEFAULT_CAPACITY, StoryTermIndex

_KINDS: tuple[str | None, ...] = (None, "exact", "near")
_TOMBSTONE = float("-inf")  # first_seen of a discarded row


@dataclass(frozen=True)
class DocRecord:
    id: str
    first_seen: float  # epoch seconds
    content_hash: str
    minhash: U32 | None  # None for texts too short to compare
    revision: int = 0
    story_id: str | None = None  # None while the decision is pending
    duplicate_of: str | None = None
    duplicate_kind: str | None = None  # "exact" or "near"
    similarity: float | None = None
    is_update: bool = False  # the decision said "update of an earlier text under this id"
    sketch: StorySketch = EMPTY_SKETCH  # the story layer's words (empty: too short, or off)


class DedupState(Protocol):
    def get(self, doc_id: str) -> DocRecord | None: ...

    def put(self, record: DocRecord) -> None: ...

    def claim(self, keys: Sequence[int], record: DocRecord, horizon: float) -> list[str]: ...

    def records(self, ids: Iterable[str]) -> dict[str, DocRecord]: ...

    def commit(self) -> None: ...

    def discard(self, ids: Iterable[str]) -> None: ...

    def expire(self, before: float) -> int: ...

    def story_candidates(
        self, doc_id: str, first_seen: float, sketch: StorySketch, after: float
    ) -> list[StoryCandidate]: ...


@runtime_checkable
class BatchDedupState(DedupState, Protocol):
    """A shared state that also works a batch at a time (a few requests per batch instead of
    several per article): ``get_many``, ``put_many`` and ``claim_many`` behave as the
    corresponding calls made one by one, in order."""

    def get_many(self, ids: Sequence[str]) -> dict[str, DocRecord]: ...

    def put_many(self, records: Sequence[DocRecord]) -> None: ...

    def claim_many(
        self, requests: Sequence[tuple[Sequence[int], DocRecord, float]]
    ) -> list[list[str]]: ...

    def story_candidates_many(
        self, requests: Sequence[tuple[str, float, StorySketch, float]]
    ) -> list[list[StoryCandidate]]: ...


class MemoryState:
    """Columnar, process-local state: one row per article (ids, times, decisions, MinHash rows)
    and a :class:`ClaimTable` of band keys. About 0.7 KiB per article, plus the story sketches
    of the latest ``story_capacity`` articles (:class:`StoryTermIndex`)."""

    def __init__(
        self,
        path: Path | None = None,
        expected_docs: int = 1 << 12,
        story_capacity: int = DEFAULT_CAPACITY,
    ) -> None:
        self.path = path
        self._stories = StoryTermIndex(story_capacity)
        self._rows: dict[str, int] = {}
        self._ids: list[str] = []
        self._first_seen = array("d")
        self._revision = array("i")
        self._hash: list[str] = []
        self._story: list[str | None] = []
        self._duplicate: list[str | None] = []
        self._minhash = np.zeros((max(expected_docs, 16), NUM_PERM), dtype=np.uint32)
        self._has_minhash = array("b")
        self._kind = array("b")  # 0 none, 1 exact, 2 near
        self._similarity = array("f")
        self._update = array("b")
        self._claims = ClaimTable(expected_docs * 2 * 26)
        # What was stored since the last commit: rows from this index on, and updated ids.
        self._first_staged_row = 0
        self._updated: set[str] = set()
        if path is not None and path.exists():
            self._load(path)

    # -- protocol ---------------------------------------------------------------------------

    def get(self, doc_id: str) -> DocRecord | None:
        row = self._rows.get(doc_id)
        return None if row is None else self._record(row)

    def put(self, record: DocRecord) -> None:
        row = self._rows.get(record.id)
        if row is not None and row < self._first_staged_row:
            self._updated.add(record.id)
        if row is None:
            row = len(self._ids)
            self._rows[record.id] = row
            self._ids.append(record.id)
            self._first_seen.append(record.first_seen)
            self._revision.append(record.revision)
            self._hash.append(record.content_hash)
            self._story.append(record.story_id)
            self._duplicate.append(record.duplicate_of)
            self._has_minhash.append(0)
            self._kind.append(0)
            self._similarity.append(0.0)
            self._update.append(0)
            if row >= len(self._minhash):
                grown = np.zeros((len(self._minhash) * 2, NUM_PERM), dtype=np.uint32)
                grown[: len(self._minhash)] = self._minhash
                self._minhash = grown
        else:
            self._first_seen[row] = record.first_seen
            self._revision[row] = record.revision
            self._hash[row] = record.content_hash
            self._story[row] = record.story_id
            self._duplicate[row] = record.duplicate_of
        self._kind[row] = _KINDS.index(record.duplicate_kind)
        self._similarity[row] = record.similarity or 0.0
        self._update[row] = int(record.is_update)
        if record.minhash is not None:
            self._minhash[row] = record.minhash
            self._has_minhash[row] = 1
        else:
            self._has_minhash[row] = 0
        if record.sketch:
            self._stories.add(record.id, record.first_seen, record.sketch)
        else:
            self._stories.remove(record.id)

    def claim(self, keys: Sequence[int], record: DocRecord, horizon: float) -> list[str]:
        row = self._rows[record.id]
        owners = self._claims.claim(keys, row)
        first_seen = self._first_seen
        for index, owner in enumerate(owners):
            if owner != row and first_seen[owner] < horizon:
                # The owner has left the time window: the key is free again.
                self._claims.take_over(keys[index], row)
                owners[index] = row
        ids = self._ids
        return [ids[owner] for owner in owners]

    def records(self, ids: Iterable[str]) -> dict[str, DocRecord]:
        found: dict[str, DocRecord] = {}
        for doc_id in ids:
            row = self._rows.get(doc_id)
            if row is not None:
                found[doc_id] = self._record(row)
        return found

    def commit(self) -> None:
        self._first_staged_row = len(self._ids)
        self._updated.clear()
        if self.path is not None:
            self._save(self.path)

    def discard(self, ids: Iterable[str]) -> None:
        for doc_id in ids:
            row = self._rows.get(doc_id)
            if row is None or (row < self._first_staged_row and doc_id not in self._updated):
                continue
            del self._rows[doc_id]
            self._updated.discard(doc_id)
            self._stories.remove(doc_id)
            # A tombstone: first seen "never", so its claims pass on at the next claim (as for
            # an article out of the window) and the next expiry removes the row.
            self._first_seen[row] = _TOMBSTONE

    def expire(self, before: float) -> int:
        self._stories.expire(before)
        keep = [row for row in range(len(self._ids)) if self._first_seen[row] >= before]
        dropped = len(self._ids) - len(keep)
        if not dropped:
            return 0
        old_ids = self._ids
        new_row = {old: new for new, old in enumerate(keep)}
        claims = [
            (key, new_row[owner])
            for key, owner in self._claims.items()
            if owner in new_row
        ]
        self._ids = [old_ids[row] for row in keep]
        self._rows = {doc_id: row for row, doc_id in enumerate(self._ids)}
        self._first_seen = array("d", (self._first_seen[row] for row in keep))
        self._revision = array("i", (self._revision[row] for row in keep))
        self._hash = [self._hash[row] for row in keep]
        self._story = [self._story[row] for row in keep]
        self._duplicate = [self._duplicate[row] for row in keep]
        self._has_minhash = array("b", (self._has_minhash[row] for row in keep))
        self._kind = array("b", (self._kind[row] for row in keep))
        self._similarity = array("f", (self._similarity[row] for row in keep))
        self._update = array("b", (self._update[row] for row in keep))
        self._minhash = self._minhash[np.asarray(keep, dtype=np.int64)].copy()
        if len(self._minhash) < 16:
            self._minhash = np.zeros((16, NUM_PERM), dtype=np.uint32)
        self._claims.rebuild(claims)
        self._first_staged_row = sum(1 for row in keep if row < self._first_staged_row)
        return dropped

    def story_candidates(
        self, doc_id: str, first_seen: float, sketch: StorySketch, after: float
    ) -> list[StoryCandidate]:
        found: list[StoryCandidate] = []
        for entry in self._stories.candidates(sketch, after, first_seen, exclude=doc_id):
            row = self._rows.get(entry.id)
            if row is not None:
                found.append(
                    StoryCandidate(entry.id, entry.first_seen, self._story[row], entry.sketch)
                )
        return found

    def add_story(self, doc_id: str, first_seen: float, sketch: StorySketch) -> None:
        """Store the sketch of a new article (added by :meth:`add_rows`), once it is decided."""
        if sketch:
            self._stories.add(doc_id, first_seen, sketch)

    # -- batches (the vectorised path of Deduplicator.check_batch) -------------------------

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._rows

    def add_rows(
        self,
        ids: Sequence[str],
        first_seen: Sequence[float],
        hashes: Sequence[str],
        minhash: U32,
        comparable: npt.NDArray[np.bool_],
        revisions: Sequence[int],
    ) -> npt.NDArray[np.int32]:
        """Store new articles (ids not yet stored), each its own story until decided."""
        start = len(self._ids)
        count = len(ids)
        self._rows.update(zip(ids, range(start, start + count), strict=True))
        self._ids.extend(ids)
        self._first_seen.extend(first_seen)
        self._revision.extend(revisions)
        self._hash.extend(hashes)
        self._story.extend(ids)
        self._duplicate.extend([None] * count)
        self._has_minhash.extend(comparable.astype(np.int8).tolist())
        self._kind.frombytes(bytes(count))
        self._similarity.frombytes(bytes(4 * count))
        self._update.frombytes(bytes(count))
        needed = start + count
        if needed > len(self._minhash):
            size = len(self._minhash)
            while size < needed:
                size *= 2
            grown = np.zeros((size, NUM_PERM), dtype=np.uint32)
            grown[:start] = self._minhash[:start]
            self._minhash = grown
        self._minhash[start:needed] = minhash
        return np.arange(start, needed, dtype=np.int32)

    def claim_rows(
        self, keys: npt.NDArray[np.uint64], rows: npt.NDArray[np.int32], horizons: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.int32]:
        """Claim ``keys[i]`` for row ``rows[i]``, in order; owners out of the claimant's window
        (first seen before its horizon) pass the key on."""
        owners, slots = self._claims.claim_batch(keys, rows)
        first_seen = np.frombuffer(self._first_seen, dtype=np.float64)
        expired = np.flatnonzero((owners != rows) & (first_seen[owners] < horizons))
        if expired.size:
            # Rare (only at the window's edge): replay those claims one by one, in order.
            pending = set(expired.tolist())
            taken: dict[int, int] = {}
            for index in range(int(expired[0]), len(keys)):
                slot = int(slots[index])
                if index not in pending:
                    if slot in taken:
                        owners[index] = taken[slot]
                    continue
                owner = taken.get(slot, int(owners[index]))
                if owner != rows[index] and first_seen[owner] < horizons[index]:
                    owner = int(rows[index])
                    self._claims.set_owner(slot, owner)
                    taken[slot] = owner
                owners[index] = owner
        return owners

    def minhash_rows(self, rows: npt.NDArray[np.int64]) -> U32:
        return self._minhash[rows]

    def id_of(self, row: int) -> str:
        return self._ids[row]

    def hash_at(self, row: int) -> str:
        return self._hash[row]

    def story_at(self, row: int) -> str:
        """The story an article belongs to (its own id until decided otherwise)."""
        return self._story[row] or self._ids[row]

    def duplicate_at(self, row: int) -> str | None:
        return self._duplicate[row]

    def first_seen_rows(self, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        return np.frombuffer(self._first_seen, dtype=np.float64)[rows]

    def has_minhash_rows(self, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        flags: npt.NDArray[np.bool_] = np.frombuffer(self._has_minhash, dtype=np.int8)[rows] != 0
        return flags

    def set_decision(
        self,
        row: int,
        story_id: str,
        duplicate_of: str | None,
        duplicate_kind: str | None,
        similarity: float | None,
    ) -> None:
        """Store the decision of a new article (added by :meth:`add_rows`)."""
        self._story[row] = story_id
        self._duplicate[row] = duplicate_of
        self._kind[row] = _KINDS.index(duplicate_kind)
        self._similarity[row] = similarity or 0.0

    def record_at(self, row: int) -> DocRecord:
        return self._record(row)

    # -- sizes and persistence -------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._ids)

    def _record(self, row: int) -> DocRecord:
        return DocRecord(
            id=self._ids[row],
            first_seen=self._first_seen[row],
            content_hash=self._hash[row],
            minhash=self._minhash[row] if self._has_minhash[row] else None,
            revision=self._revision[row],
            story_id=self._story[row],
            duplicate_of=self._duplicate[row],
            duplicate_kind=_KINDS[self._kind[row]],
            similarity=round(float(self._similarity[row]), 4) if self._kind[row] else None,
            is_update=bool(self._update[row]),
            sketch=self._stories.sketch_of(self._ids[row]) or EMPTY_SKETCH,
        )

    def _save(self, path: Path) -> None:
        snapshot = {
            "ids": self._ids,
            "first_seen": self._first_seen,
            "revision": self._revision,
            "hash": self._hash,
            "story": self._story,
            "duplicate": self._duplicate,
            "has_minhash": self._has_minhash,
            "kind": self._kind,
            "similarity": self._similarity,
            "update": self._update,
            "minhash": self._minhash[: len(self._ids)],
            "claims": self._claims.items(),
            "stories": [
                (e.id, e.first_seen, e.sketch.terms, e.sketch.weights, e.sketch.names)
                for e in self._stories
            ],
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(snapshot, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)  # atomic: a crash leaves the previous snapshot

    def _load(self, path: Path) -> None:
        with path.open("rb") as source:
            snapshot = pickle.load(source)  # our own file, written by _save
        self._ids = snapshot["ids"]
        self._first_seen = snapshot["first_seen"]
        self._rows = {
            doc_id: row
            for row, doc_id in enumerate(self._ids)
            if self._first_seen[row] != _TOMBSTONE
        }
        self._first_staged_row = len(self._ids)
        self._revision = snapshot["revision"]
        self._hash = snapshot["hash"]
        self._story = snapshot["story"]
        self._duplicate = snapshot["duplicate"]
        self._has_minhash = snapshot["has_minhash"]
        self._kind = snapshot["kind"]
        self._similarity = snapshot["similarity"]
        self._update = snapshot.get("update") or array("b", bytes(len(self._ids)))
        rows = snapshot["minhash"]
        self._minhash = np.zeros((max(len(rows) * 2, 16), NUM_PERM), dtype=np.uint32)
        self._minhash[: len(rows)] = rows
        self._claims.rebuild(snapshot["claims"])
        for doc_id, first_seen, terms, weights, names in snapshot.get("stories", []):
            if doc_id in self._rows:
                self._stories.add(doc_id, first_seen, StorySketch(terms, weights, names))
