"""Incident fusion state in Elasticsearch, shared by every tag process and kept across restarts.

One document per incident in ``<prefix>-incident-state``: the searchable fields (event type, date,
place, country, article ids) plus the whole incident as an unindexed object. :meth:`put` only
stages; :meth:`flush` writes the staged incidents with one bulk request and ``refresh=wait_for``,
so another process's next lookup sees them. Writes are optimistic: a document read from the
index is written back only if nobody changed it meanwhile (``if_seq_no``/``if_primary_term``);
on a conflict the stored version is read again and the staged reports are merged into it. No
scripts are used, so a node without Painless will do.

A report that matches nothing is reserved as a new incident through
:class:`~pipeline.tagging.reservations.IncidentRegistry` (locks and registries in
``<prefix>-incident-reservations``), so that two workers fusing reports of one incident at the
same moment create it once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from elasticsearch import NotFoundError

from pipeline.errors import bulk_item_failure
from pipeline.tagging.fusion import merge, withdraw
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
        "place": location.get("name"),
        "article_ids": list(incident.article_ids),
        "fatalities": incident.fatalities,
        "updated_at": datetime.now(UTC).isoformat(),
        "incident": incident.to_dict(),
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


class ElasticsearchIncidentStore:
    """:class:`~pipeline.tagging.fusion.IncidentStore` over an Elasticsearch index."""

    def __init__(self, es: Elasticsearch, index: str, *, replicas: int = 0) -> None:
        self.es = es
        self.index = index
        self.replicas = replicas
        self.staged: dict[str, Incident] = {}
        # (seq_no, primary_term) of the stored version each staged incident was derived from.
        self._versions: dict[str, tuple[int, int]] = {}
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
        return self._read(incident_id)

    def candidates(self, event_type: str, day_from: date, day_to: date) -> list[Incident]:
        self.ensure_index()
        response = self.es.search(
            index=self.index,
            query={
                "bool": {
                    "filter": [
                        {"term": {"event_type": event_type}},
                        {"range": {"date": {"gte": day_from.isoformat(), "lte": day_to.isoformat()}}},
                    ]
                }
            },
            size=MAX_CANDIDATES,
            seq_no_primary_term=True,
            sort=[{"date": "asc"}, {"incident_id": "asc"}],
        )
        found: dict[str, Incident] = {}
        for hit in response["hits"]["hits"]:
            incident = Incident.from_dict(hit["_source"]["incident"])
            found[incident.incident_id] = incident
            if incident.incident_id not in self.staged:
                self._versions[incident.incident_id] = (hit["_seq_no"], hit["_primary_term"])
        for incident in self.staged.values():
            if incident.event_type == event_type and day_from <= incident.date <= day_to:
                found[incident.incident_id] = incident
            else:
                found.pop(incident.incident_id, None)
        return list(found.values())

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
        """Write the staged incidents (one bulk request, ``refresh=wait_for``); incidents another
        process changed meanwhile are merged with the stored version and written again."""
        if not self.staged:
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
        response = self.es.bulk(operations=operations, refresh="wait_for")
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
                self._versions[incident_id] = (result["_seq_no"], result["_primary_term"])
        failure = bulk_item_failure(failed, "incident state: bulk write")
        if failure is not None:
            raise failure
        return conflicts
