"""Page metadata read from the document head: title, authors, site name, canonical URL, page
type, declared language and dates.

trafilatura's own metadata pass (``with_metadata=True``) searches the whole tree for authors and
runs htmldate's full search on every page, which costs more than the text extraction itself.
News pages state their metadata in ``<meta>`` tags (Open Graph, article:*, schema.org) and a
canonical link; reading those from the head is a small fraction of the cost. htmldate is called
only when the head states no publication date that parses (see ``extract._page_dates``).
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, field

import htmldate
from lxml.html import HtmlElement

_HEAD_LIMIT = 150_000
_META = re.compile(r"<meta\b([^>]*)>", re.IGNORECASE)
_LINK = re.compile(r"<link\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z_:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z-]{2,12})", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")
_JSONLD_DATE = re.compile(r'"(datePublished|dateModified)"\s*:\s*"([^"]{8,40})"')

PUBLISHED_KEYS = ("article:published_time", "datepublished", "og:published_time",
                  "publishdate", "pubdate", "date", "dc.date.issued", "sailthru.date")
MODIFIED_KEYS = ("article:modified_time", "datemodified", "og:updated_time", "last-modified")


@dataclass
class PageMetadata:
    title: str | None = None
    authors: tuple[str, ...] = ()
    site_name: str | None = None
    canonical_url: str | None = None
    page_type: str | None = None
    language: str | None = None
    published: str | None = None
    modified: str | None = None
    meta: dict[str, str] = field(default_factory=dict)


def _attributes(text: str) -> dict[str, str]:
    return {
        name.lower(): htmllib.unescape(a or b or c)
        for name, a, b, c in _ATTR.findall(text)
    }


def _clean(fragment: str) -> str:
    return " ".join(htmllib.unescape(_TAGS.sub(" ", fragment)).split())


def read(page: str) -> PageMetadata:
    end = page.find("</head>", 0, _HEAD_LIMIT)
    head = page[: end if end > 0 else _HEAD_LIMIT]
    meta: dict[str, str] = {}
    for match in _META.finditer(head):
        attributes = _attributes(match.group(1))
        key = attributes.get("property") or attributes.get("name") or attributes.get("itemprop")
        content = attributes.get("content")
        if key and content and key.lower() not in meta:
            meta[key.lower()] = content.strip()
    canonical = None
    for match in _LINK.finditer(head):
        attributes = _attributes(match.group(1))
        if attributes.get("rel", "").lower() == "canonical" and attributes.get("href"):
            canonical = attributes["href"].strip()
            break
    result = PageMetadata(meta=meta)
    result.canonical_url = canonical or meta.get("og:url")
    result.site_name = meta.get("og:site_name") or meta.get("application-name")
    result.page_type = meta.get("og:type")
    title = meta.get("og:title") or meta.get("twitter:title")
    if not title:
        h1 = _H1.search(page, 0, 400_000)
        title = _clean(h1.group(1)) if h1 else None
    if not title:
        found = _TITLE.search(head)
        title = _clean(found.group(1)) if found else None
        if title and result.site_name:
            for separator in (" | ", " - ", " \u2013 ", " \u2014 "):
                suffix = separator + result.site_name
                if title.endswith(suffix):
                    title = title[: -len(suffix)]
    result.title = title or None
    author = meta.get("author") or meta.get("article:author") or meta.get("dc.creator")
    if author and not author.startswith(("http://", "https://")):
        result.authors = tuple(
            part.strip() for part in re.split(r"\s*(?:;|,| and )\s*", author) if part.strip()
        )
    language = _LANG.search(page, 0, 2000)
    result.language = language.group(1) if language else meta.get("og:locale")
    result.published = next((meta[k] for k in PUBLISHED_KEYS if k in meta), None)
    result.modified = next((meta[k] for k in MODIFIED_KEYS if k in meta), None)
    if result.published is None or result.modified is None:
        for key, value in _JSONLD_DATE.findall(page[:400_000]):
            if key == "datePublished" and result.published is None:
                result.published = value
            elif key == "dateModified" and result.modified is None:
                result.modified = value
    return result


def htmldate_published(page: HtmlElement, url: str | None, extensive: bool = False) -> str | None:
    """htmldate's reading of the parsed page (visible datelines, time elements, URL), original
    date; with ``extensive`` also dates found in the free text (htmldate's extensive search).
    htmldate copies the tree before pruning it, so the caller's tree is left intact. The tree
    comes from trafilatura's parser, which drops HTML comments: a date that only appears in a
    comment (often a cache or build stamp) is not evidence of publication."""
    try:
        found = htmldate.find_date(page, url=url, original_date=True, extensive_search=extensive)
    except (ValueError, TypeError):
        return None
    return found if isinstance(found, str) else None
