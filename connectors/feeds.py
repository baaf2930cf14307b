"""Feed connector: fetch a feed's bytes, parse them with feedparser, fetch each entry's page, and
turn every entry into a raw envelope.

feedparser is always given bytes this module fetched itself: given a string it would treat it as
a URL or a local path.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from time import struct_time
from typing import Any

import feedparser
from charset_normalizer import from_bytes

from connectors.fetch import Fetcher, FetchError, Response
from pipeline.envelope import Envelope, FeedEntry, RawContent, article_id, canonical_url

log = logging.getLogger(__name__)


@dataclass
class FeedPollResult:
    feed_url: str
    envelopes: list[Envelope] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    bozo: str | None = None

    def count_error(self, reason: str) -> None:
        self.errors[reason] = self.errors.get(reason, 0) + 1


def _when(value: struct_time | None) -> datetime | None:
    if value is None:
        return None
    return datetime(*value[:6], tzinfo=UTC)


def entry_identity(entry: Any) -> str:
    """A stable entry id: GUID, else link, else title + content; hashed with the link so feeds
    that reuse one GUID for every entry still give distinct ids."""
    guid = entry.get("id") or ""
    link = entry.get("link") or ""
    if guid or link:
        basis = f"{guid}|{link}"
    else:
        content = entry.get("summary") or ""
        basis = f"{entry.get('title', '')}|{content}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]


def decode_body(response: Response) -> str:
    """Text of a response: the declared charset when it decodes cleanly, else detection."""
    content_type = response.headers.get("Content-Type", response.headers.get("content-type", ""))
    declared = None
    for part in content_type.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            declared = value.strip("\"' ")
    if declared:
        try:
            return response.body.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return response.body.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(response.body).best()
        return str(best) if best is not None else response.body.decode("utf-8", "replace")


def poll_feed(fetcher: Fetcher, feed_url: str, now: datetime | None = None) -> FeedPollResult:
    now = now or datetime.now(UTC)
    result = FeedPollResult(feed_url)
    try:
        response = fetcher.get(feed_url)
    except FetchError as exc:
        result.count_error(f"feed-{exc.reason}")
        log.warning("feed %s: %s", feed_url, exc)
        return result
    if response.status >= 400:
        result.count_error(f"feed-http-{response.status}")
        return result
    parsed = feedparser.parse(response.body)
    if parsed.bozo:
        result.bozo = str(parsed.get("bozo_exception", "malformed feed"))
        if not parsed.entries:
            result.count_error("feed-malformed")
            return result
    for entry in parsed.entries:
        result.envelopes.append(_entry_envelope(fetcher, feed_url, entry, now, result))
    return result


def _entry_envelope(
    fetcher: Fetcher, feed_url: str, entry: Any, now: datetime, result: FeedPollResult
) -> Envelope:
    link = entry.get("link")
    entry_id = entry_identity(entry)
    content = entry.get("content")
    feed_entry = FeedEntry(
        feed_url=feed_url,
        entry_id=entry_id,
        title=entry.get("title"),
        summary=entry.get("summary"),
        content=content[0].get("value") if content else None,
        published=_when(entry.get("published_parsed")),
        updated=_when(entry.get("updated_parsed")),
        authors=tuple(a.get("name", "") for a in entry.get("authors", []) if a.get("name")),
    )
    raw = RawContent(body_source="feed", body=feed_entry.content or feed_entry.summary)
    if link:
        try:
            page = fetcher.get(link)
            if page.status < 400:
                raw = RawContent(
                    body=decode_body(page),
                    content_type=page.headers.get("Content-Type"),
                    http_status=page.status,
                    final_url=page.url,
                    body_source="page",
                )
            else:
                result.count_error(f"page-http-{page.status}")
                raw = raw.model_copy(
                    update={"http_status": page.status, "fetch_error": f"http {page.status}"}
                )
        except FetchError as exc:
            result.count_error(f"page-{exc.reason}")
            raw = raw.model_copy(update={"fetch_error": str(exc)})
    return Envelope(
        id=article_id(link, entry_id),
        url=canonical_url(link) if link else None,
        source=feed_url,
        first_seen=now,
        feed=feed_entry,
        raw=raw,
    )
