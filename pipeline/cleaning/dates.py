"""Publication and modification dates: candidates from several sources, one rule to choose.

Sources, most trusted first: the page's own metadata (``article:published_time``, JSON-LD,
htmldate's reading of the page), the feed entry, a date in the URL, htmldate's extensive search of
the page (run only when nothing in the page's metadata parses), a date written near the top of
the text. Stated values are parsed leniently (:func:`parse_timestamp`). A candidate later than
the moment the pipeline first saw the article is impossible and is rejected, as is anything
before 1990. ``modified`` must not precede ``published``. Naive timestamps are taken as UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from email.utils import parsedate_to_datetime
from typing import Any

import dateparser

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)

PAGE = "page_metadata"
FEED = "feed"
URL = "url"
PAGE_SEARCH = "page_search"
TEXT = "text"

_URL_DATE = re.compile(
    r"/((?:19|20)\d{2})[/-](0[1-9]|1[0-2])[/-](0[1-9]|[12]\d|3[01])(?:[/_.-]|$)"
    r"|/((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])/"
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_TEXT_DATE = re.compile(
    r"\b(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?\s+"
    r"(?P<day>[0-3]?\d),?\s+(?P<year>(?:19|20)\d{2})\b"
    r"|\b(?P<day2>[0-3]?\d)\s+(?P<month2>" + "|".join(sorted(_MONTHS, key=len, reverse=True))
    + r")\.?\s+(?P<year2>(?:19|20)\d{2})\b"
    r"|\b(?P<iso>(?:19|20)\d{2}-[01]\d-[0-3]\d)\b",
    re.IGNORECASE,
)

_RFC2822 = re.compile(
    r"^(?:[A-Za-z]{3},?\s+)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?"
    r"(?:\s*(?:[A-Za-z]{1,5}|[+-]\d{4}))?$"
)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_AMBIGUOUS_NUMERIC = re.compile(r"^\D*(?:0?[1-9]|1[0-2])[/.-](?:0?[1-9]|1[0-2])[/.-]\d{2,4}\b")
_LABEL = re.compile(r"^\s*(?:published|posted|updated|date|first published)\s*(?:on|at)?\s*:?\s*",
                    re.IGNORECASE)
_MAX_WRITTEN = 80
# Month and day names are looked up in these languages only: letting dateparser guess among all
# of its languages costs up to seconds on a value that is not a date.
_DATE_LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl", "ru", "tr", "ar", "id", "pl")
_DATEPARSER: Any = {
    "RETURN_AS_TIMEZONE_AWARE": True,
    "TO_TIMEZONE": "UTC",
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PREFER_DATES_FROM": "past",
    "STRICT_PARSING": True,
}


@dataclass(frozen=True)
class DateDecision:
    published: datetime | None
    modified: datetime | None
    source: str | None
    rejected: tuple[str, ...] = ()


def parse_timestamp(value: str | None) -> datetime | None:
    """A stated date or timestamp to an aware datetime (UTC when no zone is given), or None.

    ISO 8601 first, then RFC 2822 ("Tue, 19 Nov 2019 07:09:00 GMT", also without the weekday or
    seconds), then a lenient reading of written forms ("November 19, 2019, 07:47 PM EST",
    "19 Nov 2019 07:09 GMT", other languages' month names). A value without a four-digit year, a
    relative one ("yesterday") and an ambiguous all-numeric one ("11/12/2019": day or month
    first?) is not guessed."""
    if not value or not value.strip():
        return None
    text = value.strip()
    return _iso(text) or _rfc2822(text) or _written(text)


def _iso(text: str) -> datetime | None:
    text = text.replace("Z", "+00:00")
    if re.fullmatch(r"[+-]\d{4}", text[-5:]) and text[-3] != ":":
        text = text[:-2] + ":" + text[-2:]
    try:
        return as_utc(datetime.fromisoformat(text))
    except ValueError:
        pass
    if not re.match(r"\d{4}-\d{2}-\d{2}(?:$|[T ])", text):
        return None
    try:
        return datetime.combine(date.fromisoformat(text[:10]), time(), tzinfo=UTC)
    except ValueError:
        return None


def _rfc2822(text: str) -> datetime | None:
    if not _RFC2822.match(text):
        return None
    try:
        return as_utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None


def _written(text: str) -> datetime | None:
    if len(text) > _MAX_WRITTEN or not _YEAR.search(text) or _AMBIGUOUS_NUMERIC.search(text):
        return None
    text = _LABEL.sub("", text)
    try:
        parsed = dateparser.parse(text, languages=list(_DATE_LANGUAGES), settings=_DATEPARSER)
    except (ValueError, OverflowError, TypeError):
        return None
    return as_utc(parsed) if parsed is not None else None


def as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def page_dates(
    stated_published: str | None, stated_modified: str | None
) -> tuple[datetime | None, datetime | None]:
    """(published, modified) as stated by the page (meta tags, JSON-LD or htmldate)."""
    return parse_timestamp(stated_published), parse_timestamp(stated_modified)


def url_date(url: str | None) -> datetime | None:
    if not url:
        return None
    match = _URL_DATE.search(url)
    if not match:
        return None
    parts = [group for group in match.groups() if group]
    try:
        return datetime(int(parts[0]), int(parts[1]), int(parts[2]), tzinfo=UTC)
    except ValueError:
        return None


def text_date(text: str, window: int = 400) -> datetime | None:
    """A date written at the top of the text ("Monday, December 2, 2013", "2 May 2014")."""
    match = _TEXT_DATE.search(text[:window])
    if not match:
        return None
    try:
        if match.group("iso"):
            return datetime.combine(date.fromisoformat(match.group("iso")), time(), tzinfo=UTC)
        month = match.group("month") or match.group("month2")
        day = match.group("day") or match.group("day2")
        year = match.group("year") or match.group("year2")
        return datetime(int(year), _MONTHS[month.lower().rstrip(".")], int(day), tzinfo=UTC)
    except (ValueError, KeyError):
        return None


def decide(
    first_seen: datetime,
    page_published: datetime | None = None,
    page_modified: datetime | None = None,
    feed_published: datetime | None = None,
    feed_updated: datetime | None = None,
    url: str | None = None,
    text: str = "",
    page_searched: datetime | None = None,
) -> DateDecision:
    """Choose ``published`` from the most trusted plausible source and ``modified`` likewise."""
    first_seen = as_utc(first_seen)
    rejected: list[str] = []

    def plausible(value: datetime | None, source: str) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        if value > first_seen:
            rejected.append(f"{source}:after_first_seen")
            return None
        if value < EARLIEST:
            rejected.append(f"{source}:too_old")
            return None
        return value

    published: datetime | None = None
    source: str | None = None
    for candidate, name in (
        (page_published, PAGE),
        (feed_published, FEED),
        (url_date(url), URL),
        (page_searched, PAGE_SEARCH),
        (text_date(text), TEXT),
    ):
        value = plausible(candidate, name)
        if value is not None:
            published, source = value, name
            break

    modified: datetime | None = None
    for candidate, name in ((page_modified, PAGE), (feed_updated, FEED)):
        value = plausible(candidate, f"modified_{name}")
        if value is not None and (published is None or value >= published):
            modified = value
            break
    if modified is not None and published is not None and modified == published:
        modified = None
    return DateDecision(published, modified, source, tuple(rejected))
