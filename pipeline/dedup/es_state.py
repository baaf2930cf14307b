"""Dedup state in Elasticsearch: shared by every deduplicate worker and kept across restarts.

Two indices (see docs/deduplication.md):

* ``<prefix>-dedup-claims``: one document per key (content hash, LSH band), ``_id`` = the key in
  hex, holding its owner (the first article that claimed it) and the owner's ``first_seen``.
  Claiming is ``op_type=create`` in one bulk request per article (per batch with
  :meth:`ElasticsearchDedupState.claim_many`); a 409 means the key is owned,
  and a realtime ``mget`` names the owner. Both are linearizable per document on the primary and
  need no refresh. A key whose owner has left the time window, or whose owner is a record that
  stayed pending past the lease (its worker died and the article was never written downstream),
  is taken over with ``if_seq_no``/``if_primary_term``, so two workers cannot both take it.
* ``<prefix>-dedup-records``: one document per article id: first_seen, content hash, MinHash
  (binary, not indexed), revision, decision, ``pending`` and ``written_at``. Records are
  written *pending* while the batch is processed and confirmed (``pending=false``) by
  :meth:`commit`, which the stage calls from ``after_batch_written``, i.e. only after the
  runner has had the batch's outputs acknowledged.

  A record also holds the article's story sketch: ``story_terms`` and ``story_weights``
  (stored, not indexed) and ``story_names`` (a keyword array, the sketch's names).
  :meth:`ElasticsearchDedupState.story_candidates` refreshes the index (so every record written
  before is searchable) and runs a ``bool`` query: a
  ``range`` filter on ``first_seen``, a ``terms`` filter on the sketch's names, and one
  ``term`` clause per name boosted by its weight, for the order;
  :meth:`~ElasticsearchDedupState.story_candidates_many` does it for a batch in one refresh and
  one ``msearch``.

No scripts, no update-by-query and no delete-by-query are used; expiry is a search over
``first_seen`` followed by bulk deletes. The mappings use core field types only, so they load
on a node without analysis plugins as on a full distribution.
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from elasticsearch import ConflictError

from pipeline.dedup.signatures import minhash_from_bytes, minhash_to_bytes
from pipeline.dedup.state import DocRecord
from pipeline.dedup.stories import (
    STORY_CANDIDATES,
    StoryCandidate,
    StorySketch,
)
from pipeline.errors import PipelineError, bulk_item_failure

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

    from pipeline.settings import ElasticsearchSettings

log = logging.getLogger(__name__)

CLAIMS_SUFFIX = "dedup-claims"
RECORDS_SUFFIX = "dedup-records"
DEFAULT_LEASE_S = 600.0
MAX_CLAIM_ROUNDS = 5
EXPIRE_PAGE = 1000

CLAIMS_MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "owner": {"type": "keyword"},
        "first_seen": {"type": "double"},
    },
}

RECORDS_MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "first_seen": {"type": "double"},
        "content_hash": {"type": "keyword"},
        "minhash": {"type": "binary"},
        "revision": {"type": "integer"},
        "story_id": {"type": "keyword"},
        "duplicate_of": {"type": "keyword"},
        "duplicate_kind": {"type": "keyword"},
        "similarity": {"type": "float"},
        "is_update": {"type": "boolean"},
        "pending": {"type": "boolean"},
        "written_at": {"type": "double"},
        "story_terms": {"type": "keyword", "index": False, "doc_values": False},
        "story_weights": {"type": "float", "index": False, "doc_values": False},
        "story_names": {"type": "keyword", "doc_values": False},
    },
}
# Fields added to the records since the index was first created: put on an existing index.
ADDED_RECORD_FIELDS = ("story_terms", "story_weights", "story_names")
STORY_SOURCE = [
    "first_seen", "story_id", "story_terms", "story_weights", "story_names", "pending",
    "written_at",
]


def claims_index(settings: ElasticsearchSettings) -> str:
    return f"{settings.index_prefix}-{CLAIMS_SUFFIX}"


def records_index(settings: ElasticsearchSettings) -> str:
    return f"{settings.index_prefix}-{RECORDS_SUFFIX}"


def key_id(key: int) -> str:
    return f"{key & 0xFFFF_FFFF_FFFF_FFFF:016x}"


def _document(record: DocRecord, pending: bool, now: float) -> dict[str, Any]:
    return {
        "first_seen": record.first_seen,
        "content_hash": record.content_hash,
        "minhash": None
        if record.minhash is None
        else base64.b64encode(minhash_to_bytes(record.minhash)).decode("ascii"),
        "revision": record.revision,
        "story_id": record.story_id,
        "duplicate_of": record.duplicate_of,
        "duplicate_kind": record.duplicate_kind,
        "similarity": record.similarity,
        "is_update": record.is_update,
        "pending": pending,
        "written_at": now,
        "story_terms": list(record.sketch.terms),
        "story_weights": list(record.sketch.weights),
        "story_names": list(record.sketch.names),
    }


def _sketch(source: dict[str, Any]) -> StorySketch:
    def listed(name: str) -> list[Any]:
        value = source.get(name) or []
        return value if isinstance(value, list) else [value]

    return StorySketch(
        tuple(str(t) for t in listed("story_terms")),
        tuple(float(w) for w in listed("story_weights")),
        tuple(str(n) for n in listed("story_names")),
    )


def _record(doc_id: str, source: dict[str, Any]) -> DocRecord:
    encoded = source.get("minhash")
    return DocRecord(
        id=doc_id,
        first_seen=float(source["first_seen"]),
        content_hash=str(source["content_hash"]),
        minhash=None if not encoded else minhash_from_bytes(base64.b64decode(encoded)),
        revision=int(source.get("revision") or 0),
        story_id=source.get("story_id"),
        duplicate_of=source.get("duplicate_of"),
        duplicate_kind=source.get("duplicate_kind"),
        similarity=source.get("similarity"),
        is_update=bool(source.get("is_update")),
        sketch=_sketch(source),
    )


class ElasticsearchDedupState:
    """The :class:`~pipeline.dedup.state.DedupState` shared by several workers."""

    def __init__(
        self,
        es: Elasticsearch,
        claims: str,
        records: str,
        replicas: int = 0,
        lease_s: float = DEFAULT_LEASE_S,
        clock: Callable[[], float] = time.time,
        create_indices: bool = True,
    ) -> None:
        self.es = es
        self.claims_index = claims
        self.records_index = records
        self.replicas = replicas
        self.lease_s = lease_s
        self._clock = clock
        # Records stored since the last commit (confirmed by commit()), by id.
        self._uncommitted: dict[str, DocRecord] = {}
        # Owners' records read while claiming, handed to the records() call that follows.
        self._fetched: dict[str, tuple[DocRecord, bool]] = {}
        if create_indices:
            self.ensure_indices()

    @classmethod
    def from_settings(cls, settings: ElasticsearchSettings) -> ElasticsearchDedupState:
        from pipeline.search_setup import client

        return cls(
            client(settings),
            claims_index(settings),
            records_index(settings),
            replicas=settings.replicas,
        )

    def ensure_indices(self) -> None:
        for name, mappings in (
            (self.claims_index, CLAIMS_MAPPINGS),
            (self.records_index, RECORDS_MAPPINGS),
        ):
            if self.es.indices.exists(index=name):
                if name == self.records_index:
                    # An index made before the story fields existed: add them (adding fields
                    # to a mapping is allowed; the call is a no-op when they are there).
                    added = {f: RECORDS_MAPPINGS["properties"][f] for f in ADDED_RECORD_FIELDS}
                    self.es.indices.put_mapping(index=name, properties=added)
                continue
            try:
                self.es.indices.create(
                    index=name,
                    settings={"number_of_shards": 1, "number_of_replicas": self.replicas},
                    mappings=mappings,
                )
            except Exception as exc:  # another worker created it meanwhile
                if "resource_already_exists" not in str(exc):
                    raise

    # -- protocol ---------------------------------------------------------------------------

    def get(self, doc_id: str) -> DocRecord | None:
        found = self._read_records([doc_id])
        entry = found.get(doc_id)
        return None if entry is None else entry[0]

    def put(self, record: DocRecord) -> None:
        self.es.index(
            index=self.records_index,
            id=record.id,
            document=_document(record, pending=True, now=self._clock()),
            refresh=False,
        )
        self._uncommitted[record.id] = record

    def claim(self, keys: Sequence[int], record: DocRecord, horizon: float) -> list[str]:
        ids = [key_id(key) for key in keys]
        owners: dict[str, str] = {}
        todo = list(dict.fromkeys(ids))
        for _ in range(MAX_CLAIM_ROUNDS):
            if not todo:
                break
            taken = self._create_claims(todo, record)
            for claim_id in todo:
                if claim_id not in taken:
                    owners[claim_id] = record.id
            todo = self._resolve(taken, record, horizon, owners)
        if todo:
            raise RuntimeError(f"dedup claims still contended after {MAX_CLAIM_ROUNDS} rounds")
        return [owners[claim_id] for claim_id in ids]

    def records(self, ids: Iterable[str]) -> dict[str, DocRecord]:
        wanted = list(ids)
        entries = {i: self._fetched[i] for i in wanted if i in self._fetched}
        missing = [i for i in wanted if i not in entries]
        if missing:
            entries.update(self._read_records(missing))
        self._fetched.clear()
        return {doc_id: record for doc_id, (record, stale) in entries.items() if not stale}

    def story_candidates(
        self, doc_id: str, first_seen: float, sketch: StorySketch, after: float
    ) -> list[StoryCandidate]:
        return self.story_candidates_many([(doc_id, first_seen, sketch, after)])[0]

    # -- batches (Deduplicator.check_batch: a few requests per batch, not per article) ------

    def story_candidates_many(
        self, requests: Sequence[tuple[str, float, StorySketch, float]]
    ) -> list[list[StoryCandidate]]:
        """:meth:`story_candidates` for many articles: one refresh (a search is not realtime:
        without it a decision stored in the last second could be missed), then one
        ``msearch``."""
        if not requests:
            return []
        self.es.indices.refresh(index=self.records_index)
        searches: list[dict[str, Any]] = []
        for doc_id, first_seen, sketch, after in requests:
            searches.append({"index": self.records_index})
            searches.append(_story_query(doc_id, first_seen, sketch, after))
        responses = self.es.msearch(searches=searches)["responses"]
        failure = bulk_item_failure(
            (r for r in responses if "error" in r), "dedup story query"
        )
        if failure is not None:  # classified as a bulk item is: 429/5xx may pass, 400 not
            raise failure
        now = self._clock()
        found: list[list[StoryCandidate]] = []
        for response in responses:
            hits: list[StoryCandidate] = []
            for hit in response["hits"]["hits"]:
                source = hit["_source"]
                stale = bool(source.get("pending")) and (
                    now - float(source.get("written_at") or 0.0) > self.lease_s
                ) and hit["_id"] not in self._uncommitted
                if not stale:
                    hits.append(StoryCandidate(
                        hit["_id"], float(source["first_seen"]), source.get("story_id"),
                        _sketch(source),
                    ))
            found.append(hits)
        return found

    def get_many(self, ids: Sequence[str]) -> dict[str, DocRecord]:
        """:meth:`get` for many ids in one request."""
        return {doc_id: record for doc_id, (record, _) in self._read_records(list(ids)).items()}

    def put_many(self, records: Sequence[DocRecord]) -> None:
        """:meth:`put` for many records in one bulk request."""
        if not records:
            return
        self._write_records(records, pending=True, what="dedup records")
        for record in records:
            self._uncommitted[record.id] = record

    def claim_many(
        self, requests: Sequence[tuple[Sequence[int], DocRecord, float]]
    ) -> list[list[str]]:
        """:meth:`claim` for several articles, in order, as if claimed one after the other:
        one bulk request creates every claim (on the claims index's single shard the items
        of a bulk request are applied in order, so the earliest article of the batch wins a
        key it shares with a later one), one ``mget`` names the owners of the keys that were
        taken and one more reads those owners' records (kept for :meth:`records`). Keys whose
        owner has gone are taken over one by one, in order; an article whose claims need
        another round (a claim deleted by expiry meanwhile, a take-over lost to another
        worker) is claimed again on its own."""
        claim_ids = [list(dict.fromkeys(key_id(key) for key in keys)) for keys, _, _ in requests]
        operations: list[dict[str, Any]] = []
        for ids, (_, record, _) in zip(claim_ids, requests, strict=True):
            body = {"owner": record.id, "first_seen": record.first_seen}
            for claim_id in ids:
                operations.append({"create": {"_index": self.claims_index, "_id": claim_id}})
                operations.append(body)
        items: list[dict[str, Any]] = []
        if operations:
            items = self.es.bulk(operations=operations, refresh=False)["items"]
        taken: list[list[str]] = []
        position = 0
        for ids in claim_ids:
            mine: list[str] = []
            for claim_id in ids:
                result = items[position]["create"]
                position += 1
                status = int(result.get("status", 500))
                if status == 409:
                    mine.append(claim_id)
                elif status >= 300:
                    raise _claim_failure(claim_id, result)
            taken.append(mine)
        wanted = sorted({claim_id for mine in taken for claim_id in mine})
        found: dict[str, tuple[str, float, int, int]] = {}
        if wanted:
            response = self.es.mget(index=self.claims_index, ids=wanted, realtime=True)
            for claim_id, doc in zip(wanted, response["docs"], strict=True):
                if doc.get("found"):
                    source = doc["_source"]
                    found[claim_id] = (
                        str(source["owner"]), float(source["first_seen"]),
                        int(doc["_seq_no"]), int(doc["_primary_term"]),
                    )
        batch_ids = {record.id for _, record, _ in requests}
        foreign = sorted({owner for owner, *_ in found.values()} - batch_ids)
        fetched = self._read_records(foreign)
        self._fetched.update(fetched)
        results: list[list[str]] = []
        taken_over: dict[str, str] = {}  # claim id -> the article of this batch that took it
        for (keys, record, horizon), ids, mine in zip(requests, claim_ids, taken, strict=True):
            owners = {claim_id: record.id for claim_id in ids}
            again = False
            for claim_id in mine:
                if claim_id in taken_over:
                    owners[claim_id] = taken_over[claim_id]
                    continue
                entry = found.get(claim_id)
                if entry is None:
                    again = True  # deleted by expiry after the create failed
                    break
                owner, owner_seen, seq_no, term = entry
                gone = False
                if owner != record.id and owner not in batch_ids:
                    previous = fetched.get(owner)
                    gone = owner_seen < horizon or previous is None or previous[1]
                elif owner != record.id:
                    gone = owner_seen < horizon
                if not gone:
                    owners[claim_id] = owner
                elif self._take_over(claim_id, record, seq_no, term):
                    owners[claim_id] = taken_over[claim_id] = record.id
                else:
                    again = True
                    break
            if again:
                results.append(self.claim(keys, record, horizon))
                self._fetched.update(fetched)
                continue
            results.append([owners[key_id(key)] for key in keys])
        return results

    def commit(self) -> None:
        """Confirm the records stored since the last commit (their batch is acknowledged)."""
        if not self._uncommitted:
            return
        self._write_records(list(self._uncommitted.values()), pending=False, what="dedup commit")
        self._uncommitted.clear()

    def discard(self, ids: Iterable[str]) -> None:
        """Delete the records stored since the last commit for these ids (their articles went
        to the dead-letter topic). Their claims stay, ownerless: the next claimant takes them
        over, as it does from a worker that died."""
        doomed = [doc_id for doc_id in dict.fromkeys(ids) if doc_id in self._uncommitted]
        if not doomed:
            return
        operations = [{"delete": {"_index": self.records_index, "_id": doc_id}} for doc_id in doomed]
        self._bulk_records(operations, "dedup discard", already_done=404)
        for doc_id in doomed:
            del self._uncommitted[doc_id]

    def expire(self, before: float) -> int:
        """Delete the records and claims of articles first seen before ``before``."""
        self._delete_older(self.claims_index, before)
        return self._delete_older(self.records_index, before)

    # -- internals --------------------------------------------------------------------------

    def _write_records(self, records: Sequence[DocRecord], *, pending: bool, what: str) -> None:
        """Index records in one bulk request; any item error fails the whole call."""
        now = self._clock()
        operations: list[dict[str, Any]] = []
        for record in records:
            operations.append({"index": {"_index": self.records_index, "_id": record.id}})
            operations.append(_document(record, pending=pending, now=now))
        self._bulk_records(operations, what)

    def _bulk_records(
        self, operations: list[dict[str, Any]], what: str, already_done: int | None = None
    ) -> None:
        """One bulk request on the records; any item error (but ``already_done``, e.g. 404 for a
        delete) fails the whole call."""
        response = self.es.bulk(operations=operations, refresh=False)
        if not response.get("errors"):
            return
        results = [next(iter(item.values())) for item in response["items"]]
        failure = bulk_item_failure(
            (r for r in results if int(r.get("status", 500)) != already_done), what
        )
        if failure is not None:
            raise failure

    def _create_claims(self, claim_ids: list[str], record: DocRecord) -> list[str]:
        """Try to create every claim; the ids that someone already owns (409)."""
        operations: list[dict[str, Any]] = []
        body = {"owner": record.id, "first_seen": record.first_seen}
        for claim_id in claim_ids:
            operations.append({"create": {"_index": self.claims_index, "_id": claim_id}})
            operations.append(body)
        response = self.es.bulk(operations=operations, refresh=False)
        taken: list[str] = []
        for claim_id, item in zip(claim_ids, response["items"], strict=True):
            result = item["create"]
            status = int(result.get("status", 500))
            if status == 409:
                taken.append(claim_id)
            elif status >= 300:
                raise _claim_failure(claim_id, result)
        return taken

    def _resolve(
        self, taken: list[str], record: DocRecord, horizon: float, owners: dict[str, str]
    ) -> list[str]:
        """Learn the owners of ``taken`` claims, taking over those whose owner is gone. Returns
        the claims to create again (deleted meanwhile by expiry)."""
        if not taken:
            return []
        response = self.es.mget(index=self.claims_index, ids=taken, realtime=True)
        found: dict[str, tuple[str, float, int, int]] = {}
        retry: list[str] = []
        for claim_id, doc in zip(taken, response["docs"], strict=True):
            if not doc.get("found"):
                retry.append(claim_id)
                continue
            source = doc["_source"]
            found[claim_id] = (
                str(source["owner"]), float(source["first_seen"]),
                int(doc["_seq_no"]), int(doc["_primary_term"]),
            )
        foreign = {owner for owner, *_ in found.values() if owner != record.id}
        fetched = self._read_records(sorted(foreign)) if foreign else {}
        self._fetched.update(fetched)
        for claim_id, (owner, owner_seen, seq_no, term) in found.items():
            gone = False
            if owner != record.id:
                entry = fetched.get(owner)
                gone = owner_seen < horizon or entry is None or entry[1]
            if not gone:
                owners[claim_id] = owner
                continue
            if self._take_over(claim_id, record, seq_no, term):
                owners[claim_id] = record.id
            else:
                retry.append(claim_id)  # someone else took it first: read it again
        return retry

    def _take_over(self, claim_id: str, record: DocRecord, seq_no: int, term: int) -> bool:
        try:
            self.es.index(
                index=self.claims_index,
                id=claim_id,
                document={"owner": record.id, "first_seen": record.first_seen},
                if_seq_no=seq_no,
                if_primary_term=term,
                refresh=False,
            )
        except ConflictError:
            return False
        return True

    def _read_records(self, ids: list[str]) -> dict[str, tuple[DocRecord, bool]]:
        """Records by id (realtime), each with whether it is a stale pending record: written
        by a worker that did not confirm it within the lease."""
        if not ids:
            return {}
        response = self.es.mget(index=self.records_index, ids=ids, realtime=True)
        now = self._clock()
        found: dict[str, tuple[DocRecord, bool]] = {}
        for doc_id, doc in zip(ids, response["docs"], strict=True):
            if not doc.get("found"):
                continue
            source = doc["_source"]
            stale = bool(source.get("pending")) and (
                now - float(source.get("written_at") or 0.0) > self.lease_s
            ) and doc_id not in self._uncommitted
            found[doc_id] = (_record(doc_id, source), stale)
        return found

    def _delete_older(self, index: str, before: float) -> int:
        self.es.indices.refresh(index=index)
        deleted = 0
        while True:
            response = self.es.search(
                index=index,
                query={"range": {"first_seen": {"lt": before}}},
                size=EXPIRE_PAGE,
                source=False,
            )
            hits = response["hits"]["hits"]
            if not hits:
                return deleted
            operations = [{"delete": {"_index": index, "_id": hit["_id"]}} for hit in hits]
            self.es.bulk(operations=operations, refresh=True)
            deleted += len(hits)


def _story_query(
    doc_id: str, first_seen: float, sketch: StorySketch, after: float
) -> dict[str, Any]:
    """The records first seen in [after, first_seen], but the article itself, sharing a name
    with it, scored by the weights of the names they share."""
    weight_of = dict(zip(sketch.terms, sketch.weights, strict=True))
    return {
        "size": STORY_CANDIDATES,
        "_source": STORY_SOURCE,
        "track_total_hits": False,  # only the best few are wanted: lets the node skip the rest
        "query": {
            "bool": {
                "filter": [
                    {"range": {"first_seen": {"gte": after, "lte": first_seen}}},
                    {"terms": {"story_names": list(sketch.names)}},
                ],
                "must_not": [{"ids": {"values": [doc_id]}}],
                "should": [
                    {"term": {"story_names": {"value": name, "boost": weight_of[name]}}}
                    for name in sketch.names
                ],
            }
        },
    }


def _claim_failure(claim_id: str, result: dict[str, Any]) -> PipelineError:
    """A claim that failed other than by being taken (409): an outage or write block is
    retriable, anything else is not."""
    failure = bulk_item_failure([result], f"dedup claim {claim_id}")
    assert failure is not None
    return failure
