"""One poll of one feed, start to finish: conditional GET, parse, find new and updated entries,
fetch their pages, publish, then — only then — record the new state.

Order matters for "nothing accepted is lost": the raw records are published and acknowledged
before the state that marks them as seen (and the new ETag) is saved. A crash in between means
the next poll publishes them again under the same envelope ids, which downstream is an
overwrite, not a duplicate. If some records are not acknowledged, the old validators are kept so
the next poll gets the whole feed again instead of a 304.

Memory is bounded: new entries are turned into records (page fetched) and published in chunks
of at most ``chunk_entries`` records or ``chunk_bytes`` bytes, so a feed of a thousand entries
never holds a thousand pages. Entries are marked seen chunk by chunk as their records are
acknowledged; the validators are advanced, and the state saved, only once the whole feed has
been published. After a chunk that is not acknowledged the poll stops: the remaining entries
are left for the retry, which gets the whole feed again.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from connectors.clock import Clock
from connectors.feeds import FeedItem, FeedParseError, parse_feed
from connectors.fetch import FetchError, HttpGet, Response
from connectors.pages import PageFetcher
from connectors.reporting import FetchErrorRecord, Reporter
from connectors.schedule import plan_failure, plan_success
from connectors.state import FeedState, SeenEntry, StateSaveError, StateStore
from pipeline.envelope import Envelope, RawContent, article_id, encode
from pipeline.identity import canonical_url
from pipeline.messaging import WriteReport
from pipeline.settings import ConnectorSettings

log = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
PERMANENT_STATUSES = frozenset({410})


class Publisher(Protocol):
    def publish(self, envelopes: Sequence[Envelope]) -> WriteReport: ...


Status = Literal["ok", "not-modified", "failed"]


@dataclass(frozen=True)
class PollOutcome:
    url: str
    status: Status
    state: FeedState
    new: int = 0
    updated: int = 0
    published: int = 0
    publish_failed: int = 0
    reason: str | None = None
    became_backed_off: bool = False


@dataclass(frozen=True)
class _Pending:
    item: FeedItem
    envelope: Envelope
    first_seen: datetime
    size: int  # bytes once encoded


@dataclass
class _Published:
    published: int = 0
    failed: int = 0
    all_acked: bool = True


class FeedPoller:
    def __init__(
        self,
        fetcher: HttpGet,
        pages: PageFetcher,
        publisher: Publisher,
        store: StateStore,
        reporter: Reporter,
        settings: ConnectorSettings,
        clock: Clock,
        max_record_bytes: int,
        rng: random.Random | None = None,
        chunk_entries: int = 20,
        chunk_bytes: int = 8 * 1024 * 1024,
    ) -> None:
        self.fetcher = fetcher
        self.pages = pages
        self.publisher = publisher
        self.store = store
        self.reporter = reporter
        self.settings = settings
        self.clock = clock
        self.max_record_bytes = max_record_bytes
        self.rng = rng or random.Random()
        self._rng_lock = threading.Lock()
        self.chunk_entries = max(1, chunk_entries)
        self.chunk_bytes = chunk_bytes

    def poll(self, state: FeedState) -> PollOutcome:
        now = self.clock.now()
        work = state.model_copy(deep=True)
        work.last_poll = now
        work.polls += 1
        headers = {"Accept": FEED_ACCEPT}
        if work.etag:
            headers["If-None-Match"] = work.etag
        if work.last_modified:
            headers["If-Modified-Since"] = work.last_modified
        self.reporter.metrics.incr("feed.requests")
        try:
            response = self.fetcher.get(work.url, headers)
        except FetchError as exc:
            return self._failed(work, now, exc.reason, exc.detail, None, {})
        if response.status == 304:
            self.reporter.metrics.incr("feed.not-modified")
            return self._succeeded(work, now, response, "not-modified")
        if response.status != 200:
            return self._failed(
                work, now, f"http-{response.status}", "", response.status, response.headers,
                permanent=response.status in PERMANENT_STATUSES,
            )
        try:
            parsed = parse_feed(
                response.body, work.url, response.headers, work.guid_unreliable, base_url=response.url
            )
        except FeedParseError as exc:
            return self._failed(work, now, exc.reason, exc.detail, 200, response.headers)
        self.reporter.metrics.incr("feed.fetched")
        if parsed.bozo:
            # Usable despite the damage: counted and recorded, not a failure of the feed.
            self._report("feed", work.url, "malformed-but-usable", now, parsed.bozo[:300],
                         level=logging.INFO)
        if parsed.guid_unreliable and not work.guid_unreliable:
            log.info("feed %s reuses GUIDs: identifying its entries by link from now on", work.url)
            work.guid_unreliable = True
        work.ttl_s = parsed.ttl_s

        # What is new or changed is decided before anything is published (a chunk's entries
        # are marked seen as soon as it is acknowledged).
        changed: list[tuple[FeedItem, SeenEntry | None]] = []
        for item in parsed.items:
            seen = work.entries.get(item.key)
            if seen is not None and seen.hash == item.content_hash:
                seen.last_seen = now
                continue
            changed.append((item, seen))
        updated = sum(1 for _, seen in changed if seen is not None)
        new = len(changed) - updated
        self.reporter.metrics.incr("entries.new", new)
        self.reporter.metrics.incr("entries.updated", updated)

        result = self._publish_all(work, changed, now)
        if result.all_acked:
            work.etag = response.header("etag")
            work.last_modified = response.header("last-modified")
        work.prune((item.key for item in parsed.items), self.settings.seen_entries_max)
        return self._succeeded(work, now, response, "ok", retry_soon=not result.all_acked, new=new,
                               updated=updated, published=result.published,
                               publish_failed=result.failed)

    # -- entries -------------------------------------------------------------------------------

    def _envelope(self, feed_url: str, item: FeedItem, seen: SeenEntry | None, now: datetime) -> _Pending:
        link = item.link
        if seen is None:
            envelope_id = article_id(link, item.key)
            first_seen, revision = now, 0
        else:
            envelope_id, first_seen, revision = seen.id, seen.first_seen, seen.revision + 1
        from_feed = RawContent(body_source="feed", body=item.entry.content or item.entry.summary)
        raw = from_feed
        if link:
            page = self.pages.fetch(link)
            if page.raw is not None:
                raw = page.raw
                self.reporter.metrics.incr("page.fetched")
            else:
                reason = page.reason or "unknown"
                self._report("page", link, reason, now, page.detail, feed_url=feed_url,
                             status=page.http_status)
                raw = from_feed.model_copy(update={
                    "http_status": page.http_status,
                    "fetch_error": f"{reason}: {page.detail}" if page.detail else reason,
                })
        envelope = Envelope(
            id=envelope_id,
            url=_canonical(link),
            source=feed_url,
            first_seen=first_seen,
            revision=revision,
            feed=item.entry,
            raw=raw,
        )
        size = len(encode(envelope))
        if size > self.max_record_bytes and raw.body_source == "page":
            self._report("page", link or feed_url, "too-large-for-record", now,
                         f"over {self.max_record_bytes} bytes", feed_url=feed_url)
            envelope = envelope.model_copy(update={"raw": from_feed.model_copy(update={
                "fetch_error": "too-large-for-record", "http_status": raw.http_status})})
            size = len(encode(envelope))
        return _Pending(item, envelope, first_seen, size)

    def _publish_all(
        self, work: FeedState, changed: list[tuple[FeedItem, SeenEntry | None]], now: datetime
    ) -> _Published:
        """Records for ``changed`` built and published chunk by chunk; stops after a chunk that
        is not wholly acknowledged (what is left counts as not published)."""
        result = _Published()
        chunk: list[_Pending] = []
        size = attempted = 0
        for item, seen in changed:
            entry = self._envelope(work.url, item, seen, now)
            chunk.append(entry)
            size += entry.size
            if len(chunk) >= self.chunk_entries or size >= self.chunk_bytes:
                attempted += len(chunk)
                if not self._publish_chunk(work, chunk, now, result):
                    break
                chunk, size = [], 0
        else:
            attempted += len(chunk)
            self._publish_chunk(work, chunk, now, result)
        left = len(changed) - attempted
        if left:
            log.warning("feed %s: %d entries left for the retry after a publish failure", work.url, left)
            result.failed += left
        return result

    def _publish_chunk(
        self, work: FeedState, pending: list[_Pending], now: datetime, result: _Published
    ) -> bool:
        published, failed, all_acked = self._publish(work, pending, now)
        result.published += published
        result.failed += failed
        result.all_acked = result.all_acked and all_acked
        return all_acked

    def _publish(self, work: FeedState, pending: list[_Pending], now: datetime) -> tuple[int, int, bool]:
        if not pending:
            return 0, 0, True
        try:
            report = self.publisher.publish([p.envelope for p in pending])
        except Exception as exc:  # the broker adapter raises kafka errors: nothing was acknowledged
            report = WriteReport(retriable={i: f"{type(exc).__name__}: {exc}" for i in range(len(pending))})
        published = 0
        for index, entry in enumerate(pending):
            if index in report.retriable:
                self._report("publish", entry.envelope.url or work.url, "not-acknowledged", now,
                             report.retriable[index], feed_url=work.url)
                continue
            if index in report.permanent:
                # The broker will never take this record: remember the entry so it is not
                # retried forever, and say so loudly.
                self._report("publish", entry.envelope.url or work.url, "rejected", now,
                             str(report.permanent[index]), feed_url=work.url, level=logging.ERROR)
            else:
                published += 1
            work.entries[entry.item.key] = SeenEntry(
                id=entry.envelope.id,
                hash=entry.item.content_hash,
                revision=entry.envelope.revision,
                first_seen=entry.first_seen,
                posted=min(entry.item.posted or entry.first_seen, entry.first_seen),
                last_seen=now,
            )
        self.reporter.metrics.incr("published", published)
        failed = len(pending) - published
        return published, failed, not report.retriable

    # -- outcomes ------------------------------------------------------------------------------

    def _succeeded(
        self,
        work: FeedState,
        now: datetime,
        response: Response,
        status: Status,
        retry_soon: bool = False,
        new: int = 0,
        updated: int = 0,
        published: int = 0,
        publish_failed: int = 0,
    ) -> PollOutcome:
        work.failures = 0
        work.backed_off = False
        work.last_error = None
        work.last_success = now
        with self._rng_lock:
            plan = plan_success(work, response.headers, now, self.settings.schedule, self.rng)
        work.next_poll, work.interval_s, work.next_poll_reason = plan.next_poll, plan.interval_s, plan.reason
        if retry_soon:
            # Some records were not acknowledged: poll again soon, for the whole feed (the old
            # validators were kept, so the answer will not be a 304).
            work.next_poll = now + timedelta(seconds=self.settings.schedule.min_interval_s)
            work.next_poll_reason = "publish-retry"
        self._save(work, now)
        return PollOutcome(work.url, status, work, new, updated, published, publish_failed)

    def _failed(
        self,
        work: FeedState,
        now: datetime,
        reason: str,
        detail: str,
        status: int | None,
        headers: Mapping[str, str],
        permanent: bool = False,
    ) -> PollOutcome:
        cfg = self.settings.schedule
        work.failures += 1
        if permanent:
            work.failures = max(work.failures, cfg.backoff_after_failures)
        was_backed_off = work.backed_off
        work.backed_off = work.failures >= cfg.backoff_after_failures
        work.last_error = reason
        self._report("feed", work.url, reason, now, detail, status=status, failures=work.failures)
        with self._rng_lock:
            plan = plan_failure(work, headers, now, cfg, self.rng)
        work.next_poll, work.interval_s, work.next_poll_reason = plan.next_poll, plan.interval_s, plan.reason
        became = work.backed_off and not was_backed_off
        if became:
            self.reporter.metrics.incr("feed.backed-off")
            self._report("feed", work.url, "backed-off", now,
                         f"{work.failures} consecutive failures, last: {reason}; "
                         f"next poll {work.next_poll:%Y-%m-%d %H:%M}Z",
                         failures=work.failures, level=logging.ERROR)
        self._save(work, now)
        return PollOutcome(work.url, "failed", work, reason=reason, became_backed_off=became)

    def _save(self, work: FeedState, now: datetime) -> None:
        try:
            self.store.save(work)
        except StateSaveError as exc:
            self._report("state", work.url, "not-saved", now, str(exc), level=logging.ERROR)

    def _report(
        self,
        kind: Literal["feed", "page", "robots", "sitemap", "state", "publish"],
        url: str,
        reason: str,
        now: datetime,
        detail: str = "",
        *,
        feed_url: str | None = None,
        status: int | None = None,
        failures: int | None = None,
        level: int = logging.WARNING,
    ) -> None:
        self.reporter.failure(
            FetchErrorRecord(kind, url, reason, now, detail[:1000], feed_url, status, failures), level
        )


def _canonical(link: str | None) -> str | None:
    if not link:
        return None
    try:
        return canonical_url(link)
    except (ValueError, AttributeError):
        return link

