"""Incident fusion state in Elasticsearch, shared by every tag process and kept across restarts.

One document per incident in ``<prefix>-incident-state``: the searchable fields (event type, date,
place, country, article ids) plus the whole incident as an unindexed object. :meth:`put` only
stages; :meth:`flush` writes the staged incidents with one bulk request and does not wait for a
refresh of the index. Writes are optimistic: a document read from the index is written back only
if nobody changed it meanwhile (``if_seq_no``/``if_primary_term``); on a conflict the stored
version is read again (a realtime get) and the staged reports are merged into it. No scripts are
used, so a node without Painless will do.

What needs no refresh and what does: reads by id (:meth:`get`, the re-read after a conflict,
the reservation registry's multi-get) are realtime and see every acknowledged write at once, by
any process. :meth:`candidates` is a search, which sees a write only after the next refresh of
the index (one second by default). Until then:

* an incident this process wrote is taken from what it remembers of its own writes of the last
  ``RECENT_WRITES_S`` seconds (the version it wrote, unless the search has a later one), so one
  worker's fusion is exactly what it would be with a refreshed index;
* an incident another process created is found through the reservation registry (below), whose
  entries outlive a refresh interval by far;
* an incident another process updated is found in its searchable version; the write that joins
  it then meets a version conflict and is merged with the stored version, so no report is lost.

Waiting for the refresh instead (``refresh=wait_for``) would hold every batch for up to a refresh
interval, and would still not let another worker's search see a write in flight at that moment.

A report that matches nothing is reserved as a new incident through
:class:`~pipeline.tagging.reservations.IncidentRegistry` (locks and registries in
``<prefix>-incident-reservations``), so that two workers fusing reports of one incident at the
same moment create it once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from elasticsearch import NotFoundError

from pipeline.errors import bulk_item_failure, elasticsearch_failure
from pipeline.tagging.fusion import FUSION_KM, Window, merge, window, withdraw
from pipeline.tagging.incident import Incident
from pipeline.tagging.reservations import MAPPINGS as RESERVATION_MAPPINGS
from pipeline.tagging.reservations import SUFFIX as RESERVATIONS_SUFFIX
from pipeline.tagging.reservations import IncidentRegistry

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

    from pipeline.settings import ElasticsearchSettings

log = logging.getLogger(__name__)
SUFFIX = "incident-state"
MAX_CANDIDATES = 1000
MAX_ATTEMPTS = 5
# How long this process remembers an incident it wrote: far longer than a refresh interval, so
# that a search that does not show the write yet is made good from memory.
RECENT_WRITES_S = 30.0

MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "incident_id": {"type": "keyword"},
        "event_type": {"type": "keyword"},
        "sub_event_type": {"type": "keyword"},
        "date": {"type": "date", "format": "strict_date"},
        "date_precision": {"type": "keyword"},
        "geo": {"type": "geo_point"},
        "country_code": {"type": "keyword"},
        "country_precision": {"type": "boolean"},
        "place": {"type": "keyword"},
        "article_ids": {"type": "keyword"},
        "fatalities": {"type": "integer"},
        "updated_at": {"type": "date"},
        "incident": {"type": "object", "enabled": False},
    },
}


def state_index(settings: ElasticsearchSettings) -> str:
    return f"{settings.index_prefix}-{SUFFIX}"


def reservations_index(state: str) -> str:
    """The reservations index beside a state index ``<prefix>-incident-state``."""
    return state.removesuffix(SUFFIX) + RESERVATIONS_SUFFIX


def _document(incident: Incident) -> dict[str, Any]:
    location = incident.location or {}
    geo = incident.geo
    return {
        "incident_id": incident.incident_id,
        "event_type": incident.event_type,
        "sub_event_type": incident.sub_event_type,
        "date": incident.date.isoformat(),
        "date_precision": incident.date_precision,
        "geo": {"lat": geo[0], "lon": geo[1]} if geo else None,
        "country_code": location.get("country_code"),
        "country_precision": location.get("precision") == "country",
        "place": location.get("name"),
        "article_ids": list(incident.article_ids),
        "fatalities": incident.fatalities,
        "updated_at": datetime.now(UTC).isoformat(),
        "incident": incident.to_dict(),
    }


def _window_query(where: Window) -> dict[str, Any]:
    """The search for the stored incidents in a window: of its type and dates, and with a place
    near it, or in its country (for a report placed only to its country, any incident there; for
    one placed more precisely, those placed only to that country, and those written before the
    index recorded precision). The distance is a little wider than FUSION_KM, so that
    Elasticsearch's arc distance and ours cannot disagree at the edge."""
    filters: list[dict[str, Any]] = [
        {"term": {"event_type": where.event_type}},
        {"range": {"date": {"gte": where.day_from.isoformat(), "lte": where.day_to.isoformat()}}},
    ]
    if where.country and where.country_precision:
        filters.append({"term": {"country_code": where.country}})
    elif where.country and where.geo is not None:
        lat, lon = where.geo
        near = {"geo_distance": {"distance": f"{FUSION_KM + 1.0}km", "geo": {"lat": lat, "lon": lon}}}
        in_country = {"bool": {
            "filter": [{"term": {"country_code": where.country}}],
            "must_not": [{"term": {"country_precision": False}}],
        }}
        filters.append({"bool": {"should": [near, in_country], "minimum_should_match": 1}})
    return {
        "query": {"bool": {"filter": filters}},
        "size": MAX_CANDIDATES,
        "seq_no_primary_term": True,
        "sort": [{"date": "asc"}, {"incident_id": "asc"}],
    }


def reconcile(stored: Incident, staged: Incident) -> Incident:
    """``stored`` (written by another process meanwhile) with every report of ``staged`` that it
    lacks; reports of the same article are replaced by the staged ones."""
    out = stored
    for report in staged.reports:
        article_id = str(report.get("article_id"))
        single = Incident.from_dict(
            {
                **staged.to_dict(),
                "incident_id": stored.incident_id,
                "article_ids": [article_id],
                "sources": [report["source"]] if report.get("source") else [],
                "reports": [report],
                "fatalities": report.get("fatalities"),
                "injured": report.get("injured"),
            }
        )
        out = merge(out, single)
    return out


@dataclass(frozen=True)
class _Written:
    """An incident as this process wrote it, with the version the write got."""

    incident: Incident
    version: tuple[int, int]  # (seq_no, primary_term)
    at: float  # monotonic time of the write


def _newer(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether version ``a`` (seq_no, primary_term) is later than ``b``."""
    return (a[1], a[0]) > (b[1], b[0])


class ElasticsearchIncidentStore:
    """:class:`~pipeline.tagging.fusion.IncidentStore` over an Elasticsearch index."""

    def __init__(
        self,
        es: Elasticsearch,
        index: str,
        *,
        replicas: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.es = es
        self.index = index
        self.replicas = replicas
        self.staged: dict[str, Incident] = {}
        # (seq_no, primary_term) of the stored version each incident of this batch was derived
        # from; cleared after each flush (every read sets it again), so it cannot grow.
        self._versions: dict[str, tuple[int, int]] = {}
        # What this process wrote in the last RECENT_WRITES_S, oldest first (see the docstring).
        self._written: dict[str, _Written] = {}
        # What prefetch() fetched for the article being fused: stored incidents by id (None: not
        # stored), and search hits by window.
        self._prefetched: dict[str, tuple[Incident, tuple[int, int]] | None] = {}
        self._windows: dict[Window, dict[str, tuple[Incident, tuple[int, int]]]] = {}
        self._clock = clock
        self._ready = False
        self.registry = IncidentRegistry(es, reservations_index(index))

    @classmethod
    def from_settings(cls, settings: ElasticsearchSettings) -> ElasticsearchIncidentStore:
        from pipeline.search_setup import client

        return cls(client(settings), state_index(settings), replicas=settings.replicas)

    def ensure_index(self) -> None:
        if self._ready:
            return
        for name, mappings in ((self.index, MAPPINGS), (self.registry.index, RESERVATION_MAPPINGS)):
            if self.es.indices.exists(index=name):
                # Fields added since the index was created (adding is all put_mapping allows).
                self.es.indices.put_mapping(index=name, properties=mappings["properties"])
                continue
            try:
                self.es.indices.create(
                    index=name,
                    settings={"number_of_shards": 1, "number_of_replicas": self.replicas},
                    mappings=mappings,
                )
            except Exception:
                # Another process created it first.
                if not self.es.indices.exists(index=name):
                    raise
        # An index another worker has just created may still be recovering its shard.
        self.es.cluster.health(
            index=f"{self.index},{self.registry.index}", wait_for_status="yellow", timeout="30s"
        )
        self._ready = True

    # -- the protocol ---------------------------------------------------------------------------

    def get(self, incident_id: str) -> Incident | None:
        staged = self.staged.get(incident_id)
        if staged is not None:
            return staged
        if incident_id in self._prefetched:
            found = self._prefetched[incident_id]
            if found is None:
                self._versions.pop(incident_id, None)
                return None
            self._versions[incident_id] = found[1]
            return found[0]
        return self._read(incident_id)

    def candidates(self, window: Window) -> list[Incident]:
        hits = self._windows.get(window)
        if hits is None:
            self.ensure_index()
            hits = self._hits(self.es.search(index=self.index, **_window_query(window)))
        found = dict(hits)
        # What this process wrote and the search may not show yet (or shows in an older version).
        for incident_id, written in self._written.items():
            seen = found.get(incident_id)
            if seen is None or _newer(written.version, seen[1]):
                found[incident_id] = (written.incident, written.version)
        nearby: dict[str, Incident] = {}
        for incident_id, (incident, version) in found.items():
            if window.dated(incident):
                nearby[incident_id] = incident
                if incident_id not in self.staged:
                    self._versions[incident_id] = version
        for incident in self.staged.values():
            if window.dated(incident):
                nearby[incident.incident_id] = incident
            else:
                nearby.pop(incident.incident_id, None)
        return list(nearby.values())

    def prefetch(self, incidents: Sequence[Incident]) -> None:
        """What :meth:`get` and :meth:`candidates` will be asked while one article's incidents
        are fused, in two requests (a realtime multi-get of their ids, a multi-search of their
        windows) instead of two per incident; kept until the next prefetch or flush.
        ``prefetch([])`` forgets it."""
        self._prefetched.clear()
        self._windows.clear()
        ids = list(dict.fromkeys(i.incident_id for i in incidents if i.incident_id not in self.staged))
        windows = list(dict.fromkeys(w for w in map(window, incidents) if w is not None))
        if not ids and not windows:
            return
        self.ensure_index()
        if ids:
            docs = self.es.mget(index=self.index, ids=ids, realtime=True)["docs"]
            for doc_id, doc in zip(ids, docs, strict=True):
                self._prefetched[doc_id] = (
                    (Incident.from_dict(doc["_source"]["incident"]), (doc["_seq_no"], doc["_primary_term"]))
                    if doc.get("found") else None
                )
        if not windows:
            return
        searches: list[dict[str, Any]] = []
        for key in windows:
            searches.extend(({"index": self.index}, _window_query(key)))
        for key, answer in zip(windows, self.es.msearch(searches=searches)["responses"], strict=True):
            error = answer.get("error")
            if error:
                raise elasticsearch_failure(
                    int(answer.get("status", 500)), str(error.get("type", "")), str(error.get("reason", ""))
                )
            self._windows[key] = self._hits(answer)

    @staticmethod
    def _hits(response: Any) -> dict[str, tuple[Incident, tuple[int, int]]]:
        found: dict[str, tuple[Incident, tuple[int, int]]] = {}
        for hit in response["hits"]["hits"]:
            incident = Incident.from_dict(hit["_source"]["incident"])
            found[incident.incident_id] = (incident, (hit["_seq_no"], hit["_primary_term"]))
        return found

    def put(self, incident: Incident) -> None:
        self.staged[incident.incident_id] = incident

    def discard(self, article_ids: Iterable[str]) -> None:
        withdraw(self.staged, article_ids)

    def reserve(self, incident: Incident, exclude: set[str]) -> Incident | None:
        """See :meth:`~pipeline.tagging.fusion.IncidentStore.reserve`. A concurrently created
        incident is taken from the state index when its worker has written it already (with
        its version, so the flush merges rather than overwrites), else as registered."""
        self.ensure_index()
        found = self.registry.reserve(incident, exclude)
        if found is None:
            return None
        stored = self.staged.get(found.incident_id) or self._read(found.incident_id)
        return stored if stored is not None else found

    def flush(self) -> None:
        """Write the staged incidents (one bulk request, no wait for a refresh); incidents
        another process changed meanwhile are merged with the stored version and written
        again."""
        self._forget_old_writes()
        self.prefetch([])
        if not self.staged:
            self._versions.clear()
            return
        self.ensure_index()
        pending = dict(self.staged)
        for _attempt in range(MAX_ATTEMPTS):
            conflicts = self._bulk(pending)
            if not conflicts:
                break
            retry: dict[str, Incident] = {}
            for incident_id in conflicts:
                stored = self._read(incident_id)
                staged = pending[incident_id]
                retry[incident_id] = staged if stored is None else reconcile(stored, staged)
            pending = retry
        else:
            raise RuntimeError(f"incident state: {len(pending)} incidents still conflicting")
        self.staged.clear()
        self._versions.clear()

    def _forget_old_writes(self) -> None:
        horizon = self._clock() - RECENT_WRITES_S
        for incident_id, written in list(self._written.items()):
            if written.at > horizon:
                break  # oldest first: the rest are younger
            del self._written[incident_id]

    # -- internals ------------------------------------------------------------------------------

    def _read(self, incident_id: str) -> Incident | None:
        self.ensure_index()
        try:
            hit = self.es.get(index=self.index, id=incident_id)
        except NotFoundError:
            self._versions.pop(incident_id, None)
            return None
        self._versions[incident_id] = (hit["_seq_no"], hit["_primary_term"])
        return Incident.from_dict(hit["_source"]["incident"])

    def _bulk(self, incidents: dict[str, Incident]) -> list[str]:
        """Index ``incidents``; the ids rejected for a version conflict."""
        operations: list[dict[str, Any]] = []
        for incident_id, incident in incidents.items():
            action: dict[str, Any] = {"_index": self.index, "_id": incident_id}
            version = self._versions.get(incident_id)
            if version is not None:
                action["if_seq_no"], action["if_primary_term"] = version
                operations.append({"index": action})
            else:
                operations.append({"create": action})
            operations.append(_document(incident))
        response = self.es.bulk(operations=operations, refresh=False)
        now = self._clock()
        conflicts: list[str] = []
        failed: list[dict[str, Any]] = []
        for item in response["items"]:
            result = next(iter(item.values()))
            status = int(result.get("status", 500))
            incident_id = str(result["_id"])
            if status == 409:
                conflicts.append(incident_id)
            elif status >= 300:
                failed.append(result)
            else:
                version = (int(result["_seq_no"]), int(result["_primary_term"]))
                self._versions[incident_id] = version
                self._written.pop(incident_id, None)  # re-inserted last: the order stays by time
                self._written[incident_id] = _Written(incidents[incident_id], version, now)
        failure = bulk_item_failure(failed, "incident state: bulk write")
        if failure is not None:
            raise failure
        return conflicts
