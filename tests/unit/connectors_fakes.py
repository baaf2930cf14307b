"""In-memory web, publisher and wiring for connector unit tests (no network, no broker)."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

from connectors.clock import FakeClock
from connectors.fetch import FetchError, Response
from connectors.pages import PageFetcher
from connectors.poller import FeedPoller
from connectors.reporting import MemoryErrorSink, Metrics, Reporter
from connectors.scheduler import FeedScheduler
from connectors.state import MemoryStateStore
from pipeline.envelope import Envelope
from pipeline.messaging import WriteReport
from pipeline.settings import ConnectorSettings, FetchSettings

Handler = Callable[[Mapping[str, str]], Response]


@dataclass
class FakeWeb:
    """URL -> handler; unknown URLs are 404. Records every request."""

    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def get(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        accept: Iterable[str] | None = None,
        max_bytes: int | None = None,
    ) -> Response:
        self.requests.append((url, dict(headers or {})))
        handler = self.routes.get(url)
        if handler is None:
            return Response(url, 404, {"content-type": "text/html"}, b"not found")
        response = handler(headers or {})
        if accept is not None and response.status == 200:
            kind = response.media_type
            if kind and kind not in set(accept):
                raise FetchError("content-type", kind, url)
        return response

    def count(self, url: str) -> int:
        return sum(1 for u, _ in self.requests if u == url)


@dataclass
class FakePublisher:
    published: list[Envelope] = field(default_factory=list)
    fail_next: int = 0  # this many next calls fail retriably for every record
    fail_calls: set[int] = field(default_factory=set)  # these calls (0 = the first) fail so too
    calls: list[list[Envelope]] = field(default_factory=list)  # every call's records
    on_publish: Callable[[Sequence[Envelope]], None] | None = None  # runs first in every call

    def publish(self, envelopes: Sequence[Envelope]) -> WriteReport:
        if self.on_publish is not None:
            self.on_publish(envelopes)
        self.calls.append(list(envelopes))
        if len(self.calls) - 1 in self.fail_calls:
            return WriteReport(retriable={i: "broker unavailable" for i in range(len(envelopes))})
        if self.fail_next > 0:
            self.fail_next -= 1
            return WriteReport(retriable={i: "broker unavailable" for i in range(len(envelopes))})
        self.published.extend(envelopes)
        return WriteReport()


def page(url: str, html: str = "<html><body><p>Article text.</p></body></html>") -> Handler:
    def handler(headers: Mapping[str, str]) -> Response:
        return Response(url, 200, {"content-type": "text/html; charset=utf-8"}, html.encode())

    return handler


def static(url: str, body: bytes, content_type: str = "application/rss+xml", etag: str | None = None,
           status: int = 200, extra: Mapping[str, str] | None = None) -> Handler:
    def handler(headers: Mapping[str, str]) -> Response:
        if etag is not None and headers.get("If-None-Match") == etag:
            return Response(url, 304, {"etag": etag})
        out = {"content-type": content_type, **(extra or {})}
        if etag is not None:
            out["etag"] = etag
        return Response(url, status, out, body)

    return handler


def rss(items: Iterable[tuple[str, str, str, datetime | None]], ttl: int | None = None) -> bytes:
    """RSS 2.0 from (guid, link, title, published) tuples."""
    parts = ['<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
             "<link>https://news.example/</link><description>d</description>"]
    if ttl is not None:
        parts.append(f"<ttl>{ttl}</ttl>")
    for guid, link, title, published in items:
        parts.append("<item>")
        parts.append(f"<title>{escape(title)}</title><link>{escape(link)}</link>")
        if guid:
            parts.append(f'<guid isPermaLink="false">{guid}</guid>')
        if published is not None:
            parts.append(f"<pubDate>{format_datetime(published)}</pubDate>")
        parts.append(f"<description>Summary of {title}.</description></item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode()


@dataclass
class Rig:
    clock: FakeClock
    web: FakeWeb
    publisher: FakePublisher
    store: MemoryStateStore
    sink: MemoryErrorSink
    metrics: Metrics
    poller: FeedPoller
    settings: ConnectorSettings

    def scheduler(self, urls: Iterable[str]) -> FeedScheduler:
        scheduler = FeedScheduler(urls, self.poller, self.store, self.settings, self.clock, workers=0,
                                  rng=random.Random(7))
        scheduler.adopt_all()
        return scheduler

    def restarted(self) -> Rig:
        """A new process: same web, publisher and store, nothing else kept."""
        return rig(self.clock, self.web, self.publisher, self.store, self.settings)


def rig(
    clock: FakeClock,
    web: FakeWeb | None = None,
    publisher: FakePublisher | None = None,
    store: MemoryStateStore | None = None,
    settings: ConnectorSettings | None = None,
    max_record_bytes: int = 1_000_000,
    chunk_entries: int = 20,
    chunk_bytes: int = 8 * 1024 * 1024,
) -> Rig:
    web = web or FakeWeb()
    publisher = publisher or FakePublisher()
    store = store or MemoryStateStore()
    settings = settings or ConnectorSettings()
    sink = MemoryErrorSink()
    metrics = Metrics()
    fetch_settings = FetchSettings(per_host_delay_s=1.0)
    pages = PageFetcher(web, fetch_settings, clock)
    poller = FeedPoller(web, pages, publisher, store, Reporter(metrics, sink), settings, clock,
                        max_record_bytes, rng=random.Random(3), chunk_entries=chunk_entries,
                        chunk_bytes=chunk_bytes)
    return Rig(clock, web, publisher, store, sink, metrics, poller, settings)


class PostingFeed:
    """A feed that gains an entry every ``every`` from ``start`` and lists the latest ``keep``,
    served with an ETag and 304s, its pages on the same host."""

    def __init__(self, web: FakeWeb, clock: FakeClock, base: str, start: datetime, every: timedelta,
                 keep: int = 20) -> None:
        self.url = f"{base}/feed.xml"
        self.base = base
        self.clock = clock
        self.start = start
        self.every = every
        self.keep = keep
        web.routes[self.url] = self._serve
        self.web = web

    def _posts(self) -> list[int]:
        elapsed = self.clock.now() - self.start
        latest = int(elapsed / self.every)
        return list(range(max(0, latest - self.keep + 1), latest + 1))

    def _serve(self, headers: Mapping[str, str]) -> Response:
        posts = self._posts()
        etag = '"' + hashlib.sha1(repr(posts).encode()).hexdigest()[:12] + '"'
        if headers.get("If-None-Match") == etag:
            return Response(self.url, 304, {"etag": etag})
        items = []
        for n in reversed(posts):
            link = f"{self.base}/articles/{n}.html?utm_source=rss"
            self.web.routes.setdefault(link.split("?")[0], page(link))
            items.append((f"post-{n}", link, f"Post {n}", self.start + n * self.every))
        return Response(self.url, 200, {"content-type": "application/rss+xml", "etag": etag}, rss(items))

    def requests(self, since: int = 0) -> int:
        return sum(1 for u, _ in self.web.requests[since:] if u == self.url)
