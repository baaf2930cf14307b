"""The Elasticsearch sink: tagged envelopes -> article and incident documents -> bulk requests.

Documents and ids
    Every envelope becomes one article document (``_id`` = article id, index = month of
    ``first_seen``) and one incident document per entry of ``tags.incidents`` (``_id`` =
    incident id). A replay or a later version therefore overwrites the document it replaces; no
    script is needed. An incident stays in the monthly index where it was first written, even
    when a later report revises its date into another month: the sink looks its id up (real-time
    multi-get) before writing it the first time (see docs/index-design.md).

Bulk requests
    The actions of one ``write`` call are cut into requests of at most ``bulk_max_docs`` actions
    and ``bulk_max_bytes`` bytes. :class:`LingeringSource` lets the sink wait ``linger_ms`` for
    more records, so that a trickle of records still makes full requests.

Failures, and where each goes (classified by :mod:`pipeline.errors`)::

    connection error, timeout, 401/403, 408, 429, 5xx   the request's actions are retried
    (request or item), a write block                    with jittered exponential backoff
                                                        (1 -> 64 s by default) for as long as
                                                        it takes; only the failed items again
    401 or a 403 that is not a block,                   RetriableError: wrong credentials are a
    ``auth_failure_attempts`` times in a row            misconfiguration; the process stops
                                                        without committing
    ``cluster_block_exception`` (``index.blocks.write``, waited out like an outage, whatever
    flood-stage watermark; 403 or 429)                  its status: logged as a write block and
                                                        counted in ``stats["blocked_waits"]``,
                                                        never as a credential failure
    413 on a request                                    the request is split in two and each
                                                        half sent; the byte bound shrinks
    413 on a request of one action, a document over     permanent: reported in
    ``max_document_bytes``, an item's 400/404 (mapping  ``WriteReport.permanent``; the runner
    conflict), an unserialisable document               dead-letters the envelope, the sink
                                                        goes on
    409 on a versioned incident write                   an older version of a newer document:
                                                        acknowledged, nothing to do

``write`` returns only when every action is acknowledged or permanently failed, so the runner
commits offsets only after that. While it waits for Elasticsearch it calls a
:class:`Keepalive` (see :class:`ConsumerKeepalive`) so the consumer stays in its group, and
:meth:`ElasticsearchOutput.cancel` makes it give up with :class:`RetriableError` (the runner then
exits without committing).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from elastic_transport import ApiError, TransportError
from elasticsearch import Elasticsearch

from pipeline.envelope import Envelope
from pipeline.errors import (
    CredentialsRefused,
    InvalidInput,
    PipelineError,
    RetriableError,
    WriteBlocked,
    convert,
    describe,
    elasticsearch_failure,
)
from pipeline.messaging import ConsumerKeepalive, LingeringSource, WriteReport
from pipeline.search_setup import (
    articles_index,
    ensure_templates,
    events_alias,
    events_index,
)
from pipeline.settings import ElasticsearchSettings
from pipeline.waiting import Keepalive, backoff_delay, pause

__all__ = ["ConsumerKeepalive", "ElasticsearchOutput", "Keepalive", "LingeringSource"]

log = logging.getLogger(__name__)

# Only what the sink reads from a bulk response: less to parse.
BULK_FILTER = "errors,items.*.status,items.*.error.type,items.*.error.reason"
# Incident ids whose monthly index the sink remembers without asking Elasticsearch.
LOCATION_CACHE_SIZE = 200_000
# Below this many actions a write is one request, whatever the concurrency.
MIN_SHARED_REQUEST = 200
# Documents looked up per multi-get request.
LOOKUP_BATCH = 5000


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# -- documents -----------------------------------------------------------------------------------


def article_date(envelope: Envelope) -> datetime:
    """The date analysts sort articles by: published when known and not later than first seen,
    else first seen."""
    published = envelope.cleaned.published if envelope.cleaned is not None else None
    if published is not None and published.tzinfo is not None and published <= envelope.first_seen:
        return published
    return envelope.first_seen


def article_document(envelope: Envelope, indexed_at: datetime | None = None) -> dict[str, Any]:
    """The article as analysts search it."""
    cleaned, dedup, tags = envelope.cleaned, envelope.dedup, envelope.tags
    doc: dict[str, Any] = {
        "article_id": envelope.id,
        "url": envelope.url,
        "source": envelope.source,
        "date": article_date(envelope).isoformat(),
        "first_seen": envelope.first_seen.isoformat(),
        "indexed_at": _iso(indexed_at),
        "revision": envelope.revision,
        "body_source": envelope.raw.body_source,
    }
    if cleaned is not None:
        doc.update(
            title=cleaned.title,
            text=cleaned.text,
            authors=list(cleaned.authors),
            site_name=cleaned.site_name,
            language=cleaned.language,
            language_declared=cleaned.language_declared,
            language_source=cleaned.language_source,
            published=_iso(cleaned.published),
            modified=_iso(cleaned.modified),
            date_source=cleaned.date_source,
            quality=cleaned.quality,
            quality_reason=cleaned.quality_reason,
            word_count=cleaned.word_count,
        )
    elif envelope.feed is not None:
        doc["title"] = envelope.feed.title
    if dedup is not None:
        doc.update(
            content_hash=dedup.content_hash,
            duplicate_of=dedup.duplicate_of,
            duplicate_kind=dedup.duplicate_kind,
            similarity=dedup.similarity,
            story_id=dedup.story_id,
            is_update=dedup.is_update,
        )
    if tags is not None:
        doc["entities"] = {
            "persons": list(tags.persons),
            "organizations": list(tags.organizations),
            "places": [dict(place) for place in tags.places],
        }
        doc["actors"] = list(tags.actors)
        incident_ids = list(
            dict.fromkeys([*tags.incident_ids, *_incident_ids(tags.incidents)])
        )
        doc["incident_ids"] = incident_ids
        doc["incident_count"] = len(incident_ids)
    return {key: value for key, value in doc.items() if value is not None}


def _incident_ids(incidents: Iterable[dict[str, Any]]) -> list[str]:
    return [str(i["incident_id"]) for i in incidents if i.get("incident_id")]


def _names(values: object, key: str = "name") -> list[str]:
    """A list of plain strings from strings or objects carrying ``key``."""
    if values is None:
        return []
    items = values if isinstance(values, list | tuple) else [values]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict):
            item = item.get(key)
        if item is not None and item != "":
            names.append(str(item))
    return list(dict.fromkeys(names))


def _report_urls(reports: Any, current: str | None) -> list[str]:
    """The addresses of the articles that reported an incident, in report order."""
    urls = [str(r["url"]) for r in reports or () if isinstance(r, dict) and r.get("url")]
    if current:
        urls.append(current)
    return list(dict.fromkeys(urls))


def incident_document(
    incident: dict[str, Any], envelope: Envelope, indexed_at: datetime | None = None
) -> dict[str, Any]:
    """The incident as the tagger fused it, shaped for the ``events`` mapping.

    Values are passed through as given (a toll that is not a number is a mapping error and goes
    to the dead-letter topic); actors and sources given as objects are reduced to their names,
    the objects being kept in ``actors_detail``/``sources_detail`` (stored, not indexed). An
    incident without a date takes the article's date with precision ``reported``."""
    incident_id = incident.get("incident_id")
    if not incident_id:
        raise InvalidInput("incident without an incident_id")
    article_ids = _names(incident.get("article_ids"), "article_id")
    if envelope.id not in article_ids:
        article_ids.append(envelope.id)
    sources = _names(incident.get("sources"), "source")
    doc: dict[str, Any] = {
        key: value
        for key, value in incident.items()
        if key not in ("actors", "sources", "article_ids")
    }
    doc.update(
        incident_id=str(incident_id),
        actors=_names(incident.get("actors")),
        article_ids=article_ids,
        article_count=len(article_ids),
        sources=sources,
        source_count=len(sources),
        last_article_id=envelope.id,
        last_article_url=envelope.url,
        article_urls=_report_urls(incident.get("reports"), envelope.url),
        indexed_at=_iso(indexed_at),
    )
    if not doc.get("last_reported"):
        doc["last_reported"] = article_date(envelope).isoformat()
    for name in ("actors", "sources"):
        raw = incident.get(name)
        if isinstance(raw, list | tuple) and any(isinstance(item, dict) for item in raw):
            doc[f"{name}_detail"] = list(raw)
    if not doc.get("date"):
        doc["date"] = article_date(envelope).isoformat()
        doc["date_precision"] = "reported"
    return {key: value for key, value in doc.items() if value is not None}


def incident_month(doc: dict[str, Any]) -> datetime:
    """The month an incident document is filed under when first written: that of its date."""
    value = doc.get("date")
    if isinstance(value, bool):
        raise InvalidInput(f"incident date {value!r} is not a date")
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value / 1000, UTC)
        except (ValueError, OSError, OverflowError) as exc:
            raise InvalidInput(f"incident date {value!r} is out of range") from exc
    text = str(value)
    try:
        return datetime(int(text[0:4]), int(text[5:7]) if len(text) >= 7 else 1, 1, tzinfo=UTC)
    except ValueError as exc:
        raise InvalidInput(f"incident date {value!r} is not a date") from exc


def _dumps(value: Any) -> bytes:
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"document cannot be serialised as JSON: {exc}") from exc


# -- the output -----------------------------------------------------------------------------------


@dataclass
class _Action:
    """One bulk action (header + source lines) and the envelopes that depend on it."""

    owners: list[int]
    kind: str  # "article" | "event"
    doc_id: str
    index: str | None  # None until an event's index is known
    doc: dict[str, Any]
    versioned: int | None = None
    line: bytes = b""
    source: bytes = b""

    @property
    def size(self) -> int:
        return len(self.line) + len(self.source)


@dataclass
class _Outcome:
    retry: list[_Action] = field(default_factory=list)
    # Why each retried request or item failed, as classified by pipeline.errors.
    failures: list[PipelineError] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        return [str(failure) for failure in self.failures]

    def again(self, actions: list[_Action], failure: PipelineError) -> None:
        self.retry.extend(actions)
        self.failures.append(failure)


class ElasticsearchOutput:
    """The sink's :class:`~pipeline.messaging.Output`: see the module docstring."""

    def __init__(
        self,
        es: Elasticsearch,
        settings: ElasticsearchSettings,
        keepalive: Keepalive | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._es = es.options(max_retries=0, request_timeout=settings.request_timeout_s)
        self._settings = settings
        self.keepalive = keepalive
        self._sleep_override = sleep
        self._clock = clock or (lambda: datetime.now(UTC))
        self._cancelled = threading.Event()
        self._byte_limit = settings.bulk_max_bytes
        self._templates_checked = False
        self._locations: OrderedDict[str, str] = OrderedDict()
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, settings.bulk_concurrency), thread_name_prefix="es-bulk"
        )
        self.stats: dict[str, int] = {
            "requests": 0, "actions": 0, "retried_actions": 0, "splits": 0, "waits": 0,
            "blocked_waits": 0,
        }
        # Actions sent again, by why: an HTTP status of the request or the item, or "connection".
        self.retried_by_status: dict[str, int] = {}

    # -- the Output protocol -------------------------------------------------------------------

    def write(self, envelopes: Sequence[Envelope]) -> WriteReport:
        report = WriteReport()
        if not envelopes:
            return report
        pending = self._actions(envelopes, report)
        attempt = auth_failures = 0
        waited_since: float | None = None
        try:
            while pending:
                outcome = _Outcome()
                try:
                    self._prepare(pending, report)
                except (TransportError, ApiError) as exc:
                    outcome.again(pending, _retry_failure(exc))
                    why = str(exc.meta.status) if isinstance(exc, ApiError) else "connection"
                    self._count_retry(why, len(pending))
                else:
                    outcome = self._send(
                        [a for a in pending if not _failed(a, report)], report
                    )
                pending = [a for a in outcome.retry if not _failed(a, report)]
                if not pending:
                    break
                attempt += 1
                auth_failures = auth_failures + 1 if _all_auth(outcome.failures) else 0
                if auth_failures >= self._settings.auth_failure_attempts:
                    raise RetriableError(
                        f"Elasticsearch refused the sink's credentials {auth_failures} times in a "
                        f"row ({outcome.reasons[0]}); check NEWS_ELASTICSEARCH__* settings"
                    )
                if waited_since is None:
                    waited_since = time.monotonic()
                self.stats["retried_actions"] += len(pending)
                self._wait(attempt, len(pending), outcome.failures)
        finally:
            if waited_since is not None:
                if self.keepalive is not None:
                    self.keepalive.release()
                if not pending:
                    log.info(
                        "Elasticsearch writes acknowledged again after %.0fs and %d retries",
                        time.monotonic() - waited_since, attempt,
                    )
        return report

    def cancel(self) -> None:
        """Stop waiting for Elasticsearch: a ``write`` in its retry loop raises RetriableError."""
        self._cancelled.set()

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    # -- building actions ----------------------------------------------------------------------

    def _actions(self, envelopes: Sequence[Envelope], report: WriteReport) -> list[_Action]:
        now = self._clock()
        articles: dict[str, _Action] = {}
        events: dict[str, _Action] = {}
        for position, envelope in enumerate(envelopes):
            try:
                article = article_document(envelope, now)
            except Exception as exc:  # odd data must dead-letter one record, not stop the sink
                report.permanent[position] = InvalidInput(f"article document not built: {exc!r}")
                continue
            # The same article twice in a batch (a re-fetch): the later version, written once,
            # so that requests sent side by side cannot reorder the two.
            earlier_article = articles.pop(envelope.id, None)
            articles[envelope.id] = _Action(
                owners=[*(earlier_article.owners if earlier_article else ()), position],
                kind="article",
                doc_id=envelope.id,
                index=articles_index(self._settings, envelope.first_seen),
                doc=article,
            )
            for incident in envelope.tags.incidents if envelope.tags is not None else ():
                try:
                    doc = incident_document(incident, envelope, now)
                except InvalidInput as exc:
                    report.permanent.setdefault(position, exc)
                    continue
                except Exception as exc:
                    error = InvalidInput(f"incident document not built: {exc!r}")
                    report.permanent.setdefault(position, error)
                    continue
                doc_id = doc["incident_id"]
                action = _Action([position], "event", doc_id, None, doc, _version(incident))
                earlier = events.get(doc_id)
                if earlier is None:
                    events[doc_id] = action
                    continue
                # One batch, two reports of an incident: write the fuller one, once.
                action.owners = [*earlier.owners, position]
                if _fuller(action, earlier):
                    events[doc_id] = action
                else:
                    earlier.owners = action.owners
        return list(articles.values()) + list(events.values())

    def _serialised(self, action: _Action, report: WriteReport) -> bool:
        """Give the action its two NDJSON lines; False (and the action failed) when it cannot
        be sent."""
        if not action.source:
            try:
                action.source = _dumps(action.doc) + b"\n"
            except InvalidInput as exc:
                _fail(action, exc, report)
                return False
            if len(action.source) > self._settings.max_document_bytes:
                _fail(
                    action,
                    InvalidInput(
                        f"{action.kind} document {action.doc_id} of {len(action.source)} bytes "
                        f"exceeds the {self._settings.max_document_bytes}-byte limit"
                    ),
                    report,
                )
                return False
        if not action.line:
            action.line = _header_line(action)
        return True

    def _prepare(self, actions: list[_Action], report: WriteReport) -> None:
        """Make sure the templates exist and every incident has its index (may raise transport
        errors, which the caller retries)."""
        if not self._templates_checked:
            alias = events_alias(self._settings)
            if not self._es.indices.exists_index_template(name=alias):
                log.warning("index templates missing; creating them (run `pipeline setup`)")
                ensure_templates(self._es, self._settings)
            self._templates_checked = True
        unplaced = [a for a in actions if a.kind == "event" and a.index is None]
        known = self._lookup_locations([a.doc_id for a in unplaced]) if unplaced else {}
        for action in unplaced:
            index = known.get(action.doc_id)
            if index is None:
                try:
                    index = events_index(self._settings, incident_month(action.doc))
                except InvalidInput as exc:
                    _fail(action, exc, report)
                    continue
            action.index = index

    def _lookup_locations(self, ids: list[str]) -> dict[str, str]:
        """Where each incident id already lives: remembered, else asked of every index behind
        the read alias with a real-time multi-get, which (unlike a search) also sees documents
        written less than a refresh interval ago, by this process or another one."""
        found = {i: self._locations[i] for i in ids if i in self._locations}
        unknown = [i for i in ids if i not in found]
        if not unknown:
            return found
        alias = events_alias(self._settings)
        answer = self._es.options(ignore_status=404).indices.get_alias(name=alias)
        indices = sorted(
            name for name, info in answer.body.items()
            if isinstance(info, dict) and alias in info.get("aliases", {})
        )
        docs = [{"_index": index, "_id": doc_id} for doc_id in unknown for index in indices]
        for start in range(0, len(docs), LOOKUP_BATCH):
            response = self._es.mget(
                docs=docs[start : start + LOOKUP_BATCH],
                source=False,
                filter_path="docs._index,docs._id,docs.found",
            )
            for doc in response.body.get("docs", []):
                if doc.get("found") and doc["_id"] not in found:
                    found[doc["_id"]] = doc["_index"]
        return found

    def _remember(self, action: _Action) -> None:
        if action.kind != "event" or action.index is None:
            return
        self._locations[action.doc_id] = action.index
        self._locations.move_to_end(action.doc_id)
        while len(self._locations) > LOCATION_CACHE_SIZE:
            self._locations.popitem(last=False)

    # -- sending ---------------------------------------------------------------------------------

    def _send(self, actions: list[_Action], report: WriteReport) -> _Outcome:
        """Send the actions in bounded requests, up to ``bulk_concurrency`` at a time; return
        the actions to try again."""
        outcome = _Outcome()
        # Requests are cut and serialised while earlier ones are in flight; halves of a request
        # refused with 413 go first.
        fresh = iter(self._chunks(actions, report))
        queue: deque[list[_Action]] = deque()
        inflight: dict[Future[Any], tuple[list[_Action], int]] = {}
        while True:
            while len(inflight) < self._settings.bulk_concurrency:
                chunk = queue.popleft() if queue else next(fresh, [])
                if not chunk:
                    break
                body = b"".join(a.line + a.source for a in chunk)
                self.stats["requests"] += 1
                self.stats["actions"] += len(chunk)
                inflight[self._pool.submit(self._post, body)] = (chunk, len(body))
            if not inflight:
                break
            done, _ = wait(inflight, return_when=FIRST_COMPLETED)
            for future in done:
                chunk, size = inflight.pop(future)
                try:
                    body = future.result()
                except ApiError as exc:
                    if exc.meta.status == 413:
                        queue.extendleft(reversed(self._split(chunk, size, report)))
                        continue
                    failure = _retry_failure(exc)
                    if isinstance(failure, InvalidInput):
                        error = InvalidInput(f"bulk request refused: {describe(exc)}")
                        for action in chunk:
                            _fail(action, error, report)
                    else:
                        outcome.again(chunk, failure)
                        self._count_retry(str(exc.meta.status), len(chunk))
                except TransportError as exc:  # connection, timeout, another client-side failure
                    outcome.again(chunk, _retry_failure(exc))
                    self._count_retry("connection", len(chunk))
                else:
                    self._read_items(chunk, body, report, outcome)
        return outcome

    def _post(self, body: bytes) -> Any:
        return self._es.bulk(operations=cast(Any, body), filter_path=BULK_FILTER).body

    def _chunks(self, actions: list[_Action], report: WriteReport) -> Iterator[list[_Action]]:
        """Requests of at most ``bulk_max_docs`` actions and the byte bound; a large write is
        cut into at least ``bulk_concurrency`` requests so that they can run side by side."""
        per_request = self._settings.bulk_max_docs
        concurrency = self._settings.bulk_concurrency
        if concurrency > 1 and len(actions) > MIN_SHARED_REQUEST:
            share = -(-len(actions) // concurrency)
            per_request = min(per_request, max(MIN_SHARED_REQUEST, share))
        chunk: list[_Action] = []
        size = 0
        for action in actions:
            if _failed(action, report) or not self._serialised(action, report):
                continue
            if chunk and (len(chunk) >= per_request or size + action.size > self._byte_limit):
                yield chunk
                chunk, size = [], 0
            chunk.append(action)
            size += action.size
        if chunk:
            yield chunk

    def _split(self, chunk: list[_Action], size: int, report: WriteReport) -> list[list[_Action]]:
        """413: halve the request, and remember that requests this large are refused."""
        if len(chunk) == 1:
            action = chunk[0]
            _fail(
                action,
                InvalidInput(
                    f"{action.kind} document {action.doc_id} ({size} bytes with its header) is "
                    "larger than Elasticsearch accepts (http.max_content_length)"
                ),
                report,
            )
            return []
        self.stats["splits"] += 1
        self._byte_limit = max(1, min(self._byte_limit, size // 2))
        log.warning(
            "Elasticsearch refused a %d-byte bulk request (413); splitting it and sending at most "
            "%d bytes per request from now on", size, self._byte_limit,
        )
        middle = len(chunk) // 2
        return [chunk[:middle], chunk[middle:]]

    def _read_items(
        self, chunk: list[_Action], body: Any, report: WriteReport, outcome: _Outcome
    ) -> None:
        items = body.get("items") or []
        if len(items) != len(chunk):
            outcome.again(
                chunk, RetriableError(f"bulk response had {len(items)} items for {len(chunk)}")
            )
            return
        for action, item in zip(chunk, items, strict=True):
            result = next(iter(item.values()))
            status = int(result.get("status", 500))
            if status < 300 or (status == 409 and action.versioned is not None):
                self._remember(action)
                continue
            error = result.get("error") or {}
            failure = elasticsearch_failure(
                status, str(error.get("type", "")), str(error.get("reason", ""))
            )
            if status == 409:  # an unversioned write raced another: write it again
                outcome.again([action], RetriableError(str(failure)))
                self._count_retry("409", 1)
            elif isinstance(failure, InvalidInput):
                _fail(action, InvalidInput(f"{action.kind} {action.doc_id} rejected: {failure}"), report)
            else:
                outcome.again([action], failure)
                self._count_retry(str(status), 1)

    def _count_retry(self, why: str, count: int) -> None:
        self.retried_by_status[why] = self.retried_by_status.get(why, 0) + count

    # -- waiting ---------------------------------------------------------------------------------

    def _wait(self, attempt: int, count: int, failures: list[PipelineError]) -> None:
        delay = backoff_delay(
            attempt, self._settings.retry_initial_backoff_s, self._settings.retry_max_backoff_s
        )
        self.stats["waits"] += 1
        reasons = "; ".join(sorted({str(f) for f in failures})[:3])
        if any(isinstance(f, WriteBlocked) for f in failures):
            self.stats["blocked_waits"] += 1
            log.warning(
                "Elasticsearch: index write block (index.blocks.write or the flood-stage disk "
                "watermark): %d writes refused (%s); waiting, retry %d in %.1fs",
                count, reasons, attempt, delay,
            )
        else:
            log.warning(
                "Elasticsearch: %d writes not acknowledged (%s); retry %d in %.1fs",
                count, reasons, attempt, delay,
            )
        pause(
            delay,
            cancelled=self._cancelled,
            keepalive=self.keepalive,
            interval_s=self._settings.keepalive_interval_s,
            why=f"Elasticsearch; {count} writes not acknowledged",
            sleep=self._sleep_override,
        )


def _header_line(action: _Action) -> bytes:
    header: dict[str, Any] = {"_index": action.index, "_id": action.doc_id}
    if action.versioned is not None:
        header["version"] = action.versioned
        header["version_type"] = "external_gte"
    return _dumps({"index": header}) + b"\n"


def _version(incident: dict[str, Any]) -> int | None:
    """The tagger's fusion revision, when it sends one: later revisions win over earlier ones
    whatever order they arrive in."""
    value = incident.get("revision")
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _fuller(candidate: _Action, current: _Action) -> bool:
    if candidate.versioned is not None and current.versioned is not None:
        return candidate.versioned >= current.versioned
    return int(candidate.doc.get("article_count", 0)) >= int(current.doc.get("article_count", 0))


def _fail(action: _Action, error: InvalidInput, report: WriteReport) -> None:
    for owner in action.owners:
        report.permanent.setdefault(owner, error)


def _failed(action: _Action, report: WriteReport) -> bool:
    return all(owner in report.permanent for owner in action.owners)


def _all_auth(failures: list[PipelineError]) -> bool:
    return bool(failures) and all(isinstance(f, CredentialsRefused) for f in failures)


def _retry_failure(exc: Exception) -> PipelineError:
    """How a failed request is classified; anything unknown is tried again."""
    return convert(exc) or RetriableError(describe(exc))
