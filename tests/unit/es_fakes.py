"""An in-memory Elasticsearch behind the real client: the client's own request building,
serialisation and error mapping run, only the HTTP node is replaced (as httpx's MockTransport
does for HTTP clients)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport._node import NodeApiResponse
from elasticsearch import Elasticsearch

from pipeline.envelope import Envelope, Stage, Tags

INTEGER_FIELDS = ("fatalities", "injured")


@dataclass
class FakeCluster:
    """Documents by (index, id), every request seen, and failures to inject."""

    docs: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str, bytes]] = field(default_factory=list)
    bulk_bodies: list[list[tuple[dict[str, Any], dict[str, Any]]]] = field(default_factory=list)
    down_for: int = 0  # the next N requests fail to connect
    request_statuses: list[int] = field(default_factory=list)  # whole-request answers, in order
    item_statuses: dict[str, list[int]] = field(default_factory=dict)  # per _id, in order
    max_content_length: int | None = None
    templates: bool = True
    # The error type answered with a status (default "fake"): e.g. 403 -> cluster_block_exception.
    error_types: dict[int, str] = field(default_factory=dict)

    # -- what tests ask --------------------------------------------------------------------

    def ids(self, prefix: str) -> list[str]:
        return sorted(doc_id for (index, doc_id) in self.docs if index.startswith(prefix))

    def index_of(self, doc_id: str) -> list[str]:
        return sorted(index for (index, i) in self.docs if i == doc_id)

    def bulk_ids(self) -> list[list[str]]:
        return [[header["_id"] for header, _ in body] for body in self.bulk_bodies]

    # -- the node --------------------------------------------------------------------------

    def handle(self, method: str, target: str, body: bytes | None) -> tuple[int, Any]:
        self.requests.append((method, target, body or b""))
        if self.down_for > 0:
            self.down_for -= 1
            raise TransportConnectionError("Connection refused")
        path = urlsplit(target).path
        if path.startswith("/_index_template/"):
            return (200 if self.templates else 404), None
        if path.startswith("/_alias/"):
            return self._aliases(path.split("/")[2])
        if path == "/_mget":
            return 200, self._mget(json.loads(body or b"{}"))
        if path == "/_bulk":
            if self.request_statuses:
                status = self.request_statuses.pop(0)
                if status >= 300:
                    kind = self.error_types.get(status, "fake")
                    return status, {"error": {"type": kind, "reason": f"status {status}"}}
            if self.max_content_length is not None and len(body or b"") > self.max_content_length:
                return 413, None
            return 200, self._bulk(body or b"")
        return 404, {"error": {"type": "no_handler", "reason": target}}

    def _aliases(self, alias: str) -> tuple[int, Any]:
        indices = {index for (index, _) in self.docs if index.startswith(alias + "-")}
        if not indices:
            return 404, {"error": f"alias [{alias}] missing", "status": 404}
        return 200, {index: {"aliases": {alias: {}}} for index in sorted(indices)}

    def _mget(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "docs": [
                {"_index": d["_index"], "_id": d["_id"],
                 "found": (d["_index"], d["_id"]) in self.docs}
                for d in body["docs"]
            ]
        }

    def _bulk(self, body: bytes) -> dict[str, Any]:
        lines = [json.loads(line) for line in body.splitlines() if line.strip()]
        pairs = [(lines[i]["index"], lines[i + 1]) for i in range(0, len(lines), 2)]
        self.bulk_bodies.append(pairs)
        items: list[dict[str, dict[str, Any]]] = []
        for header, doc in pairs:
            key = (header["_index"], header["_id"])
            statuses = self.item_statuses.get(header["_id"])
            status = statuses.pop(0) if statuses else None
            if status is None and any(
                name in doc and not isinstance(doc[name], int) for name in INTEGER_FIELDS
            ):
                status = 400
            if status is not None and status >= 300:
                kind = self.error_types.get(status, "fake_error")
                items.append(
                    {"index": {"status": status, "error": {"type": kind,
                                                           "reason": f"status {status}"}}}
                )
                continue
            created = key not in self.docs
            self.docs[key] = doc
            items.append({"index": {"status": 201 if created else 200}})
        return {"errors": any(i["index"]["status"] >= 300 for i in items), "items": items}


def fake_client(cluster: FakeCluster) -> Elasticsearch:
    class Node(BaseNode):
        def perform_request(
            self,
            method: str,
            target: str,
            body: bytes | None = None,
            headers: HttpHeaders | None = None,
            request_timeout: Any = None,
        ) -> NodeApiResponse:
            status, payload = cluster.handle(method, target, body)
            meta = ApiResponseMeta(
                status=status,
                http_version="1.1",
                headers=HttpHeaders(
                    {"content-type": "application/json", "x-elastic-product": "Elasticsearch"}
                ),
                duration=0.0,
                node=self.config,
            )
            raw = json.dumps(payload).encode() if payload is not None else b""
            return NodeApiResponse(meta, raw)

    return Elasticsearch("http://fake:9200", node_class=Node)


def tagged(
    n: int,
    incidents: tuple[dict[str, Any], ...] = (),
    first_seen: datetime | None = None,
    text: str = "Police said three people were killed.",
) -> Envelope:
    from pipeline.envelope import CleanedContent

    return Envelope(
        id=f"article-{n:04d}",
        url=f"https://news.example/{n}",
        source="test",
        stage=Stage.TAGGED,
        first_seen=first_seen or datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
        cleaned=CleanedContent(title=f"Story {n}", text=text, word_count=len(text.split())),
        tags=Tags(incidents=incidents, incident_ids=tuple(i["incident_id"] for i in incidents)),
    )


def incident(
    incident_id: str, date: str | None = "2026-11-19", fatalities: object = 3, **fields: Any
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "incident_id": incident_id,
        "event_type": "Violence against civilians",
        "sub_event_type": "Attack",
        "date": date,
        "date_precision": "day",
        "location": {
            "name": "Aleppo",
            "country": "Syria",
            "admin1": "Aleppo",
            "geo": {"lat": 36.2, "lon": 37.16},
            "precision": "city",
        },
        "actors": ["Unidentified armed group"],
        "fatalities": fatalities,
        "injured": 2,
        "fatalities_history": [3],
        "article_ids": ["article-0000"],
        "sources": ["news.example"],
        "evidence": ["Police said three people were killed."],
    }
    value.update(fields)
    return value


def query_of(target: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(target).query)
