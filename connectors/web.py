"""Web sources for backfill: URL lists, XML sitemaps (indexes, gzipped, Google News) and the
links of a seed page — fetched politely and published raw to the same topic as feeds.

Every page goes through :class:`~connectors.pages.PageFetcher` (robots.txt, per-host delay and
cap, the guarded fetcher), under a global rate limit. Sitemap XML is parsed with the standard
library after refusing any DOCTYPE (sitemaps never need one, and entity tricks need it).
A page that cannot be fetched is counted, logged and recorded; the backfill goes on.

Memory is bounded: at most ``window`` pages are being fetched or waiting to be published at a
time (twice the workers by default), each is handled as soon as it arrives, whatever the order
(one slow page holds up nothing but itself), and records are published ``batch_size`` at a time.
"""

from __future__ import annotations

import io
import logging
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from tqdm import tqdm

from connectors.clock import Clock
from connectors.fetch import FetchError, inflate
from connectors.pages import PageFetcher, PageResult
from connectors.politeness import RateLimiter
from connectors.poller import Publisher
from connectors.reporting import FetchErrorRecord, Kind, Reporter
from connectors.urls import strip_tracking
from pipeline.envelope import Envelope, FeedEntry, RawContent, article_id, encode
from pipeline.identity import canonical_url

log = logging.getLogger(__name__)

SITEMAP_TYPES = (
    "application/xml", "text/xml", "application/gzip", "application/x-gzip",
    "application/octet-stream", "text/plain", "application/rss+xml",
)
SITEMAP_ACCEPT = "application/xml, text/xml;q=0.9, */*;q=0.1"
_PUBLISH_ATTEMPTS = 3


class SitemapError(ValueError):
    pass


@dataclass(frozen=True)
class Target:
    """One page to backfill, with what the listing said about it."""

    url: str
    title: str | None = None
    published: datetime | None = None
    listed_in: str | None = None


@dataclass
class BackfillReport:
    listed: int = 0
    fetched: int = 0
    published: int = 0
    publish_failed: int = 0
    errors: dict[str, int] = field(default_factory=dict)


# -- listings ----------------------------------------------------------------------------------


def read_url_list(path: Path) -> list[Target]:
    """One URL per line; blank lines and ``#`` comments ignored."""
    targets = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            targets.append(Target(line))
    return targets


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _date(text: str | None) -> datetime | None:
    if not text:
        return None
    value = text.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def maybe_gunzip(body: bytes, limit: int) -> bytes:
    """Inflate a gzipped sitemap (``.xml.gz``, every gzip member) with a bound on the output."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    try:
        return inflate(body, "gzip", limit)
    except FetchError as exc:
        if exc.reason == "too-large":
            raise SitemapError(f"over {limit} bytes once inflated") from exc
        raise SitemapError(f"corrupt gzip: {exc.detail}") from exc


def parse_sitemap(body: bytes, base_url: str) -> tuple[list[str], list[Target]]:
    """(child sitemaps, pages) of a sitemap index, a urlset (with Google News fields) or a
    plain-text sitemap."""
    head = body[:4096].lstrip()
    if not head.startswith(b"<"):
        text = body.decode("utf-8", "replace")
        return [], [Target(line.strip(), listed_in=base_url) for line in text.splitlines()
                    if line.strip().startswith(("http://", "https://"))]
    if b"<!DOCTYPE" in body[:8192].upper() or b"<!ENTITY" in body.upper():
        raise SitemapError("a DOCTYPE or ENTITY in a sitemap is refused")
    children: list[str] = []
    pages: list[Target] = []
    try:
        for _, element in ET.iterparse(io.BytesIO(body), events=("end",)):
            name = _local(element.tag)
            if name == "sitemap":
                loc = _child_text(element, "loc")
                if loc:
                    children.append(urljoin(base_url, loc))
                element.clear()
            elif name == "url":
                loc = _child_text(element, "loc")
                if loc:
                    title = _descendant_text(element, "title")
                    published = _date(_descendant_text(element, "publication_date"))
                    pages.append(Target(urljoin(base_url, loc), title, published, base_url))
                element.clear()
    except ET.ParseError as exc:
        raise SitemapError(f"malformed XML: {exc}") from exc
    return children, pages


def _child_text(element: ET.Element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name and child.text:
            return child.text.strip()
    return None


def _descendant_text(element: ET.Element, name: str) -> str | None:
    for child in element.iter():
        if child is not element and _local(child.tag) == name and child.text:
            return child.text.strip()
    return None


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "base" and values.get("href") and self.base is None:
            self.base = values["href"]
        elif tag == "a" and values.get("href"):
            self.hrefs.append(str(values["href"]))


def seed_links(html: str, page_url: str, same_host: bool = True) -> list[Target]:
    """The distinct http(s) links of a page, tracking parameters removed, by default only
    those on the page's own host."""
    parser = _Links()
    parser.feed(html)
    base = urljoin(page_url, parser.base) if parser.base else page_url
    host = urlsplit(page_url).hostname
    seen: dict[str, Target] = {}
    for href in parser.hrefs:
        url = urljoin(base, href.strip())
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or (same_host and parts.hostname != host):
            continue
        clean = strip_tracking(url)
        if clean.rstrip("/") != strip_tracking(page_url).rstrip("/"):
            seen.setdefault(clean, Target(clean, listed_in=page_url))
    return list(seen.values())


# -- backfill ----------------------------------------------------------------------------------


class Backfill:
    def __init__(
        self,
        pages: PageFetcher,
        publisher: Publisher,
        reporter: Reporter,
        clock: Clock,
        rate_per_s: float,
        max_record_bytes: int,
        workers: int = 4,
        batch_size: int = 20,
        window: int | None = None,
    ) -> None:
        self.pages = pages
        self.publisher = publisher
        self.reporter = reporter
        self.clock = clock
        self.limiter = RateLimiter(clock, rate_per_s)
        self.max_record_bytes = max_record_bytes
        self.workers = max(1, workers)
        self.batch_size = batch_size
        self.window = max(self.workers, window if window is not None else 2 * self.workers)

    # listings that need fetching

    def sitemap_targets(self, url: str, max_sitemaps: int = 200) -> list[Target]:
        """Every page listed by the sitemap at ``url``, following sitemap indexes."""
        queue, visited, targets = [url], set[str](), list[Target]()
        while queue and len(visited) < max_sitemaps:
            current = queue.pop(0)
            if current in visited:
                continue
            visited.add(current)
            self.limiter.acquire()
            response = self.pages.fetch_raw(current, SITEMAP_TYPES, SITEMAP_ACCEPT)
            if isinstance(response, PageResult):
                self._failed("sitemap", current, response.reason or "unknown", response.detail,
                             response.http_status)
                continue
            try:
                body = maybe_gunzip(response.body, self.pages.settings.max_bytes)
                children, listed = parse_sitemap(body, response.url)
            except SitemapError as exc:
                self._failed("sitemap", current, "malformed", str(exc), response.status)
                continue
            queue.extend(c for c in children if c not in visited)
            targets.extend(listed)
        if queue:
            log.warning("sitemap %s: stopped after %d sitemaps", url, max_sitemaps)
        return targets

    def seed_targets(self, url: str, any_host: bool = False) -> list[Target]:
        self.limiter.acquire()
        page = self.pages.fetch(url)
        if page.raw is None or page.raw.body is None:
            self._failed("page", url, page.reason or "unknown", page.detail, page.http_status)
            return []
        return seed_links(page.raw.body, page.raw.final_url or url, same_host=not any_host)

    # fetching and publishing

    def run(self, targets: Sequence[Target], source: str, progress: bool = True) -> BackfillReport:
        report = BackfillReport(listed=len(targets))
        unique = list({strip_tracking(t.url): t for t in targets}.values())
        batch: list[Envelope] = []
        with tqdm(total=len(unique), unit="page", desc=source[:40], disable=not progress,
                  file=sys.stderr) as bar:
            for target, result in self._fetched(unique):
                bar.update(1)
                if result.raw is None:
                    self._failed("page", target.url, result.reason or "unknown", result.detail,
                                 result.http_status)
                    continue
                report.fetched += 1
                envelope = self._envelope(target, result.raw, source)
                if envelope is not None:
                    batch.append(envelope)
                if len(batch) >= self.batch_size:
                    self._publish(batch, report)
                    batch = []
            if batch:
                self._publish(batch, report)
        report.errors = self.reporter.metrics.snapshot()["failures"]
        self.reporter.sink.flush()
        return report

    def _fetched(self, targets: Sequence[Target]) -> Iterator[tuple[Target, PageResult]]:
        """(target, page) pairs in the order the pages arrive, with at most ``window`` of them
        submitted and not yet taken."""
        queue = iter(targets)
        with ThreadPoolExecutor(self.workers) as pool:
            in_flight: dict[Future[PageResult], Target] = {}

            def top_up() -> None:
                while len(in_flight) < self.window:
                    target = next(queue, None)
                    if target is None:
                        return
                    in_flight[pool.submit(self._fetch, target)] = target

            top_up()
            while in_flight:
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    target = in_flight.pop(future)
                    yield target, future.result()
                top_up()

    def _fetch(self, target: Target) -> PageResult:
        self.limiter.acquire()
        return self.pages.fetch(strip_tracking(target.url))

    def _envelope(self, target: Target, raw: RawContent, source: str) -> Envelope | None:
        url = strip_tracking(target.url)
        try:
            canonical = canonical_url(url)
        except (ValueError, AttributeError):
            canonical = url
        now = self.clock.now()
        entry = None
        if target.listed_in and (target.title or target.published):
            entry = FeedEntry(
                feed_url=target.listed_in, entry_id=article_id(url), title=target.title,
                published=target.published,
            )
        envelope = Envelope(
            id=article_id(url), url=canonical, source=source, first_seen=now, feed=entry,
            raw=raw,
        )
        if len(encode(envelope)) > self.max_record_bytes:
            self._failed("page", url, "too-large-for-record", f"over {self.max_record_bytes} bytes", None)
            return None
        return envelope

    def _publish(self, batch: list[Envelope], report: BackfillReport) -> None:
        pending = batch
        for attempt in range(_PUBLISH_ATTEMPTS):
            written = self.publisher.publish(pending)
            for index, error in written.permanent.items():
                self._failed("publish", pending[index].url or pending[index].id, "rejected", str(error), None)
                report.publish_failed += 1
            ok = len(pending) - len(written.permanent) - len(written.retriable)
            report.published += ok
            self.reporter.metrics.incr("published", ok)
            pending = [pending[i] for i in sorted(written.retriable)]
            if not pending:
                return
            time.sleep(min(2.0**attempt, 10.0))
        for envelope in pending:
            self._failed("publish", envelope.url or envelope.id, "not-acknowledged", "", None)
            report.publish_failed += 1

    def _failed(self, kind: Kind, url: str, reason: str, detail: str, status: int | None) -> None:
        self.reporter.failure(
            FetchErrorRecord(kind, url, reason, self.clock.now(), detail[:1000], None, status)
        )

