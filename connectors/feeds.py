"""Reading a feed: RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom, parsed by feedparser from bytes.

feedparser is always given the bytes the connector fetched itself, wrapped in a stream: given a
string it would treat it as a URL or a local path, and given bytes it first tries them as a file
name. It is also given the response's real headers (``Content-Type``, ``Content-Language``,
``Content-Location``) and, as the base of relative links, the URL after redirects. It
neutralises external entities and entity expansion and flags malformed XML as ``bozo``; a bozo
feed that still yields entries is used (and the problem recorded), one that yields none is an
error.

Entry identity follows Miniflux: the GUID when the feed's GUIDs can be trusted, else the link
(tracking parameters removed), else title + text; hashed. A feed whose entries share one GUID
(or whose GUID is the feed's own link) is marked, and from then on identified by link. The
content hash (title, link, summary, content) tells an updated entry from an unchanged one.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from time import struct_time
from typing import Any
from urllib.parse import urljoin

import feedparser

from connectors.urls import strip_tracking
from pipeline.envelope import FeedEntry


class FeedParseError(Exception):
    """The body is not a usable feed; ``reason`` is ``malformed`` or ``not-a-feed``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class FeedItem:
    key: str
    link: str | None
    content_hash: str
    entry: FeedEntry
    posted: datetime | None


@dataclass(frozen=True)
class ParsedFeed:
    items: tuple[FeedItem, ...]
    version: str
    ttl_s: float | None
    bozo: str | None
    guid_unreliable: bool


def _when(value: struct_time | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _digest(*parts: str, size: int = 32) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()[:size]


def _text(entry: Any) -> tuple[str, str]:
    content = entry.get("content") or []
    body = "\n".join(str(c.get("value", "")) for c in content if c.get("value"))
    return str(entry.get("summary") or ""), body


def entry_key(entry: Any, link: str | None, trust_guid: bool) -> str:
    guid = str(entry.get("id") or "").strip()
    if guid and trust_guid:
        return _digest("guid", guid)
    if link:
        return _digest("link", link)
    summary, body = _text(entry)
    return _digest("text", str(entry.get("title") or ""), body or summary)


def guids_unreliable(entries: list[Any], feed_link: str | None, feed_url: str) -> bool:
    """True when GUIDs do not tell entries apart: repeated across entries with different
    links, or equal to the feed's own address."""
    links_by_guid: dict[str, set[str]] = {}
    for entry in entries:
        guid = str(entry.get("id") or "").strip()
        if not guid:
            continue
        if guid in (feed_link, feed_url):
            return True
        links_by_guid.setdefault(guid, set()).add(str(entry.get("link") or ""))
    return any(len(links) > 1 for links in links_by_guid.values())


def _looks_like_html(body: bytes, content_type: str) -> bool:
    head = body[:2048].lstrip().lower()
    return "html" in content_type or head.startswith((b"<!doctype html", b"<html"))


def feedparser_headers(headers: Mapping[str, str], base_url: str) -> dict[str, str]:
    """The response's own headers for feedparser, names lower-cased, with ``Content-Location``
    made absolute: the server's (resolved against the URL after redirects) or, without one, that
    URL itself. feedparser resolves relative links against it and takes ``Content-Language`` as
    the default language of the feed's text."""
    given = {name.lower(): value for name, value in headers.items()}
    location = given.get("content-location", "").strip()
    given["content-location"] = urljoin(base_url, location) if location else base_url
    return given


def parse_feed(
    body: bytes,
    url: str,
    headers: Mapping[str, str] | None = None,
    guid_unreliable: bool = False,
    base_url: str | None = None,
) -> ParsedFeed:
    """Parse the feed fetched from ``url``; ``base_url`` is where it was fetched from in the end
    (after redirects), the base of its relative links (default ``url``)."""
    response_headers = feedparser_headers(headers or {}, base_url or url)
    content_type = response_headers.get("content-type", "")
    if not body.strip():
        raise FeedParseError("malformed", "empty body")
    # A stream, never bare bytes: feedparser would try bytes as a local file name first.
    parsed = feedparser.parse(io.BytesIO(body), response_headers=response_headers, sanitize_html=True)
    bozo = str(parsed.get("bozo_exception") or "malformed feed") if parsed.bozo else None
    if not parsed.entries:
        if not parsed.version and _looks_like_html(body, content_type.lower()):
            raise FeedParseError("not-a-feed", f"an HTML page ({content_type or 'no type'})")
        if bozo is not None:
            raise FeedParseError("malformed", bozo[:300])
        if not parsed.version:
            raise FeedParseError("not-a-feed", "no RSS, RDF or Atom root element")
    feed_info = parsed.get("feed", {})
    unreliable = guid_unreliable or guids_unreliable(parsed.entries, feed_info.get("link"), url)
    ttl_s: float | None = None
    ttl = str(feed_info.get("ttl") or "").strip()
    if ttl.isdigit():
        ttl_s = int(ttl) * 60.0
    items: dict[str, FeedItem] = {}
    for entry in parsed.entries:
        item = _item(entry, url, not unreliable)
        items.setdefault(item.key, item)  # the same entry twice in one document: keep the first
    return ParsedFeed(tuple(items.values()), str(parsed.version or ""), ttl_s, bozo, unreliable)


def _item(entry: Any, feed_url: str, trust_guid: bool) -> FeedItem:
    raw_link = str(entry.get("link") or "").strip()
    link = strip_tracking(raw_link) if raw_link.startswith(("http://", "https://")) else None
    key = entry_key(entry, link, trust_guid)
    summary, body = _text(entry)
    title = entry.get("title")
    # dict.get: feedparser's own get() maps a missing `updated` to `published`, with a warning.
    published = _when(dict.get(entry, "published_parsed"))
    updated = _when(dict.get(entry, "updated_parsed"))
    feed_entry = FeedEntry(
        feed_url=feed_url,
        entry_id=key,
        title=str(title) if title else None,
        summary=summary or None,
        content=body or None,
        published=published,
        updated=updated,
        authors=tuple(str(a.get("name")) for a in entry.get("authors", []) if a.get("name")),
    )
    content_hash = _digest(str(title or ""), link or "", summary, body, size=16)
    return FeedItem(key, link, content_hash, feed_entry, published or updated)
