"""New incidents, reserved across tag workers: two workers that meet reports of one incident at
the same moment create one incident, not two.

Fusion matches reports within ``FUSION_KM`` and ``FUSION_DAYS`` (or in one country when one of
them is known only to country precision). A grid of fixed cells cannot give two such reports one
key (they may sit on either side of a cell edge), so a report locks *every* key it could share
with a compatible report, and the locks serialise the decision:

* keys: ``(event type, cell)`` for each ``CELL_DEGREES`` cell that the ``FUSION_KM`` disc around
  the report touches, and ``(event type, country)``. Two compatible reports always share a key:
  each one's disc contains the other's point, hence the other's home cell (or, at country
  precision, they share the country).
* :meth:`IncidentRegistry.reserve` takes the locks of all its keys at once (``op_type=create``
  on one lock document per key; if any is held it releases what it got and tries again after a
  short random pause, so there is no deadlock; a lock left by a dead worker is taken over with
  ``if_seq_no`` once its lease is over), reads the registries of those keys (a realtime
  multi-get: no refresh needed), and either returns the compatible incident registered there
  first, or registers its own incident in its home cell's and its country's registry. Then it
  releases the locks (in the bulk request that registers, after the registry writes: the items
  of a bulk request to the index's one shard are applied in order).

A registry entry only has to bridge the time between a worker's fusion and the first refresh of
the incident state index after its flush (from then on a search finds the incident), so entries
are dropped ``ENTRY_LEASE_S`` after they were registered. An entry whose worker died before its flush names an
incident that was never written: a report that joins it simply writes it first. Only creates,
deletes and ``if_seq_no`` writes are used: no scripts.
"""

from __future__ import annotations

import logging
import math
import random
import time
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from elasticsearch import ConflictError

from pipeline.errors import RetriableError, bulk_item_failure
from pipeline.tagging.fusion import FUSION_KM, closest, compatible
from pipeline.tagging.incident import Incident

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

log = logging.getLogger(__name__)

CELL_DEGREES = 0.5
KM_PER_DEGREE = 111.0
LOCK_LEASE_S = 30.0
LOCK_WAIT_S = 120.0
ENTRY_LEASE_S = 900.0
SUFFIX = "incident-reservations"

MAPPINGS: dict[str, Any] = {
    "dynamic": False,
    "properties": {
        "kind": {"type": "keyword"},
        "owner": {"type": "keyword"},
        "expires_at": {"type": "double"},
    },
}


def keys(incident: Incident) -> list[str]:
    """The keys a compatible report would share with ``incident`` (see the module docstring)."""
    geo = incident.geo
    if geo is None:
        return []
    lat, lon = geo
    found: list[str] = []
    location = incident.location or {}
    if location.get("precision") != "country":
        reach_lat = FUSION_KM / KM_PER_DEGREE
        cos = max(math.cos(math.radians(min(abs(lat) + reach_lat, 89.9))), 1e-6)
        reach_lon = min(180.0, reach_lat / cos)
        rows = range(_cell(lat - reach_lat), _cell(lat + reach_lat) + 1)
        columns = range(_cell(lon - reach_lon), _cell(lon + reach_lon) + 1)
        found = [f"{incident.event_type}|cell|{row}|{_wrap(column)}" for row in rows for column in columns]
    country = location.get("country_code")
    if country:
        found.append(f"{incident.event_type}|country|{country}")
    return sorted(set(found))


def home_keys(incident: Incident) -> list[str]:
    """Where ``incident`` is registered: its own cell and its country."""
    geo = incident.geo
    if geo is None:
        return []
    location = incident.location or {}
    found = []
    if location.get("precision") != "country":
        found.append(f"{incident.event_type}|cell|{_cell(geo[0])}|{_wrap(_cell(geo[1]))}")
    if location.get("country_code"):
        found.append(f"{incident.event_type}|country|{location['country_code']}")
    return found


def _cell(degrees: float) -> int:
    return math.floor(degrees / CELL_DEGREES)


def _wrap(column: int) -> int:
    columns = round(360 / CELL_DEGREES)
    return (column + columns // 2) % columns - columns // 2


class IncidentRegistry:
    """Locks and registries in ``<prefix>-incident-reservations`` (see the module docstring)."""

    def __init__(
        self,
        es: Elasticsearch,
        index: str,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.es = es
        self.index = index
        self.owner = uuid.uuid4().hex
        self._clock = clock
        self._sleep = sleep

    def reserve(self, incident: Incident, exclude: set[str]) -> Incident | None:
        wanted = keys(incident)
        if not wanted:
            return None
        held = self._lock(wanted)
        try:
            registered, versions = self._registered(wanted)
            matches = [
                other
                for other in registered.values()
                if other.incident_id not in exclude and compatible(other, incident)
            ]
            if matches:
                return closest(incident, matches)
            self._register(incident, versions, held)
            return None
        finally:
            self._unlock(held)

    # -- locks ---------------------------------------------------------------------------------

    def _lock(self, wanted: list[str]) -> dict[str, tuple[int, int]]:
        """Hold every key's lock: all of them, or none and try again."""
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            held, busy = self._try_lock(wanted)
            busy = [key for key in busy if not self._take_expired(key, held)]
            if not busy:
                return held
            self._unlock(held)
            if time.monotonic() > deadline:
                raise RetriableError(f"incident reservations: {busy[0]} still locked")
            self._sleep(random.uniform(0.005, 0.05))

    def _try_lock(self, wanted: list[str]) -> tuple[dict[str, tuple[int, int]], list[str]]:
        body = {"kind": "lock", "owner": self.owner, "expires_at": self._clock() + LOCK_LEASE_S}
        operations: list[dict[str, Any]] = []
        for key in wanted:
            operations.append({"create": {"_index": self.index, "_id": f"lock|{key}"}})
            operations.append(body)
        response = self.es.bulk(operations=operations, refresh=False)
        held: dict[str, tuple[int, int]] = {}
        busy: list[str] = []
        failed: list[dict[str, Any]] = []
        for key, item in zip(wanted, response["items"], strict=True):
            result = item["create"]
            status = int(result.get("status", 500))
            if status == 409:
                busy.append(key)
            elif status >= 300:
                failed.append(result)
            else:
                held[key] = (int(result["_seq_no"]), int(result["_primary_term"]))
        failure = bulk_item_failure(failed, "incident reservations: lock")
        if failure is not None:
            self._unlock(held)
            raise failure
        return held, busy

    def _take_expired(self, key: str, held: dict[str, tuple[int, int]]) -> bool:
        """Take over a lock whose lease is over (its worker died holding it), or that this
        worker left behind (an outage interrupted its release)."""
        answer = self.es.options(ignore_status=404).get(index=self.index, id=f"lock|{key}")
        if not answer.body.get("found"):
            return False  # released meanwhile: the next round creates it
        source = answer["_source"]
        mine = source.get("owner") == self.owner
        if not mine and float(source.get("expires_at", 0.0)) > self._clock():
            return False
        try:
            result = self.es.index(
                index=self.index,
                id=f"lock|{key}",
                document={"kind": "lock", "owner": self.owner, "expires_at": self._clock() + LOCK_LEASE_S},
                if_seq_no=answer["_seq_no"],
                if_primary_term=answer["_primary_term"],
                refresh=False,
            )
        except ConflictError:
            return False
        if not mine:
            log.warning("incident reservations: took over the expired lock %s", key)
        held[key] = (int(result["_seq_no"]), int(result["_primary_term"]))
        return True

    def _unlock(self, held: dict[str, tuple[int, int]]) -> None:
        if not held:
            return
        # A 409 or 404: the lease ran out and another worker has the lock now; nothing to undo.
        self.es.bulk(operations=self._releases(held), refresh=False)
        held.clear()

    def _releases(self, held: dict[str, tuple[int, int]]) -> list[dict[str, Any]]:
        return [
            {"delete": {"_index": self.index, "_id": f"lock|{key}", "if_seq_no": seq_no,
                        "if_primary_term": term}}
            for key, (seq_no, term) in held.items()
        ]

    # -- registries ----------------------------------------------------------------------------

    def _registered(
        self, wanted: Iterable[str]
    ) -> tuple[dict[str, Incident], dict[str, tuple[list[dict[str, Any]], tuple[int, int] | None]]]:
        """The incidents registered under ``wanted`` (by id), and each registry's live entries
        and version, for :meth:`_register`."""
        ids = [f"registry|{key}" for key in wanted]
        response = self.es.mget(index=self.index, ids=ids, realtime=True)
        now = self._clock()
        found: dict[str, Incident] = {}
        versions: dict[str, tuple[list[dict[str, Any]], tuple[int, int] | None]] = {}
        for doc_id, doc in zip(ids, response["docs"], strict=True):
            if not doc.get("found"):
                versions[doc_id] = ([], None)
                continue
            live = [
                entry for entry in doc["_source"].get("entries", [])
                if float(entry.get("registered_at", 0.0)) > now - ENTRY_LEASE_S
            ]
            versions[doc_id] = (live, (int(doc["_seq_no"]), int(doc["_primary_term"])))
            for entry in live:
                incident = Incident.from_dict(entry["incident"])
                found.setdefault(incident.incident_id, incident)
        return found, versions

    def _register(
        self,
        incident: Incident,
        versions: dict[str, tuple[list[dict[str, Any]], tuple[int, int] | None]],
        held: dict[str, tuple[int, int]],
    ) -> None:
        """Register ``incident`` and release the ``held`` locks, in one bulk request."""
        entry = {"registered_at": self._clock(), "incident": incident.to_dict()}
        operations: list[dict[str, Any]] = []
        for key in home_keys(incident):
            doc_id = f"registry|{key}"
            live, version = versions.get(doc_id, ([], None))
            action: dict[str, Any] = {"_index": self.index, "_id": doc_id}
            if version is None:
                operations.append({"create": action})
            else:
                action["if_seq_no"], action["if_primary_term"] = version
                operations.append({"index": action})
            operations.append({"kind": "registry", "entries": [*live, entry]})
        if not operations:
            return
        registered = len(operations) // 2
        response = self.es.bulk(operations=operations + self._releases(held), refresh=False)
        held.clear()  # released, whatever the registry writes' outcome
        results = [next(iter(item.values())) for item in response["items"][:registered]]
        if any(int(r.get("status", 500)) == 409 for r in results):
            # A lock's lease ran out mid-way and another worker wrote: try the article again.
            raise RetriableError("incident reservations: a registry changed under its lock")
        failure = bulk_item_failure(results, "incident reservations: register")
        if failure is not None:
            raise failure
